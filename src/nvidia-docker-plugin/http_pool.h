/*
 * http_pool: the handler threads of http_server: requests that may block (the server's `slow`
 * callback) are answered here, in arrival order, so that the I/O threads never wait. Each
 * answered connection goes back to its owner through the `done` callback.
 */
#ifndef NVD_HTTP_POOL_H
#define NVD_HTTP_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "nvidia-docker-plugin/http_conn.h"

struct http_pool {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        struct http_conn *queue, *queue_tail; /* linked through done_next */
        pthread_t *threads;
        size_t count;
        bool stopping;
        void (*done)(struct http_conn *conn); /* called on the pool thread after the handler */
};

/* Starts `threads` threads; on failure the threads started are stopped again. */
int http_pool_start(struct http_pool *pool, unsigned int threads,
                    void (*done)(struct http_conn *conn), struct error *err);
/* Queues a connection in HTTP_CONN_SLOW: http_conn_handle, then done(conn). */
void http_pool_submit(struct http_pool *pool, struct http_conn *conn);
/* Lets the handlers running finish, joins the threads, frees the pool's memory; safe on a
 * zeroed pool. */
void http_pool_stop(struct http_pool *pool);

#endif
