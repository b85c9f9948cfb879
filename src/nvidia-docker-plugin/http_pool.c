#include "nvidia-docker-plugin/http_pool.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void http_pool_submit(struct http_pool *pool, struct http_conn *conn)
{
        conn->done_next = NULL;
        pthread_mutex_lock(&pool->lock);
        if (pool->queue_tail != NULL)
                pool->queue_tail->done_next = conn;
        else
                pool->queue = conn;
        pool->queue_tail = conn;
        pthread_cond_signal(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
}

static void *pool_main(void *arg)
{
        struct http_pool *pool = arg;
        pthread_mutex_lock(&pool->lock);
        for (;;) {
                while (pool->queue == NULL && !pool->stopping)
                        pthread_cond_wait(&pool->wake, &pool->lock);
                if (pool->queue == NULL)
                        break;
                struct http_conn *conn = pool->queue;
                pool->queue = conn->done_next;
                if (pool->queue == NULL)
                        pool->queue_tail = NULL;
                pthread_mutex_unlock(&pool->lock);
                http_conn_handle(conn);
                pool->done(conn);
                pthread_mutex_lock(&pool->lock);
        }
        pthread_mutex_unlock(&pool->lock);
        return NULL;
}

int http_pool_start(struct http_pool *pool, unsigned int threads,
                    void (*done)(struct http_conn *conn), struct error *err)
{
        memset(pool, 0, sizeof(*pool));
        pthread_mutex_init(&pool->lock, NULL);
        pthread_cond_init(&pool->wake, NULL);
        pool->done = done;
        pool->threads = xcalloc(threads, sizeof(pthread_t));
        for (; pool->count < threads; pool->count++) {
                int rc = pthread_create(&pool->threads[pool->count], NULL, pool_main, pool);
                if (rc != 0) {
                        http_pool_stop(pool);
                        return error_set_errno(err, rc, "cannot start the HTTP server: thread");
                }
        }
        return 0;
}

void http_pool_stop(struct http_pool *pool)
{
        if (pool->threads == NULL)
                return;
        pthread_mutex_lock(&pool->lock);
        pool->stopping = true;
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
        for (size_t i = 0; i < pool->count; i++)
                pthread_join(pool->threads[i], NULL);
        free(pool->threads);
        pool->threads = NULL;
        pool->count = 0;
        pthread_mutex_destroy(&pool->lock);
        pthread_cond_destroy(&pool->wake);
}
