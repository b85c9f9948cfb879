#include "nvidia-docker-plugin/http_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/http_conn.h"
#include "nvidia-docker-plugin/http_pool.h"
#include "nvidia-docker-plugin/http_listen.h"

#define SWEEP_MS       250 /* how often deadlines are checked */
#define ACCEPT_BURST   64  /* connections accepted per wake-up, for fairness */
#define LISTEN_BACKLOG 512

/* epoll data of the two descriptors that are not connections. */
static char listen_tag, wake_tag;

struct http_server;

/* An I/O thread: its epoll, its connections, and the slow requests it gets back. */
struct worker {
        struct http_server *server;
        pthread_t thread;
        bool started;
        int epfd, wakefd;
        struct http_conn *conns; /* every connection of this worker */
        struct http_conn *again; /* pipelined requests to parse without waiting for epoll */
        pthread_mutex_t done_lock;
        struct http_conn *done;   /* slow requests answered by the pool */
        unsigned int connections; /* open connections of this worker */
        long listen_paused_until; /* out of descriptors: accept again then */
        long last_sweep;
};

struct http_server {
        int fd;
        char *unix_path; /* owned; removed at stop */
        struct http_conn_config conn_config;
        long timeout_ms, head_timeout_ms;
        unsigned int max_connections; /* per worker: the server's limit shared out */
        atomic_bool stopping;
        struct worker *workers;
        size_t worker_count;
        struct http_pool pool;
};

/* Which worker owns a connection: kept next to it. */
struct owned_conn {
        struct http_conn conn;
        struct worker *worker;
        uint32_t events; /* what epoll watches for it now (0: not in epoll) */
};

static struct worker *owner_of(struct http_conn *conn)
{
        return ((struct owned_conn *)conn)->worker;
}

/* ---- connections of a worker ---- */

static void list_add(struct http_conn **head, struct http_conn *conn)
{
        conn->prev = NULL;
        conn->next = *head;
        if (*head != NULL)
                (*head)->prev = conn;
        *head = conn;
}

static void list_remove(struct http_conn **head, struct http_conn *conn)
{
        if (conn->prev != NULL)
                conn->prev->next = conn->next;
        else
                *head = conn->next;
        if (conn->next != NULL)
                conn->next->prev = conn->prev;
        conn->prev = conn->next = NULL;
}

static void conn_close(struct worker *w, struct http_conn *conn)
{
        list_remove(&w->conns, conn);
        for (struct http_conn **p = &w->again; *p != NULL; p = &(*p)->done_next)
                if (*p == conn) {
                        *p = conn->done_next;
                        break;
                }
        /* Out of epoll before the close: a child forked meanwhile (nvidia-modprobe) holds a
         * copy of the socket until it execs, and epoll would keep reporting it. */
        if (((struct owned_conn *)conn)->events != 0)
                epoll_ctl(w->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
        http_conn_destroy(conn);
        free(conn);
        w->connections--;
}

/* Acts on what the connection wants next. */
static void conn_follow(struct worker *w, struct http_conn *conn, enum http_conn_want want)
{
        struct epoll_event ev = {.data.ptr = conn};
        struct owned_conn *owned = (struct owned_conn *)conn;
        switch (want) {
        case HTTP_CONN_READ:
        case HTTP_CONN_WRITE:
                ev.events = want == HTTP_CONN_READ ? EPOLLIN : EPOLLOUT;
                if (ev.events != owned->events) /* most requests: no change, no system call */
                        epoll_ctl(w->epfd, EPOLL_CTL_MOD, conn->fd, &ev);
                owned->events = ev.events;
                return;
        case HTTP_CONN_AGAIN:
                conn->done_next = w->again;
                w->again = conn;
                return;
        case HTTP_CONN_SLOW:
                /* Out of epoll while a pool thread owns it: a hang-up waits for the reply. */
                epoll_ctl(w->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
                owned->events = 0;
                http_pool_submit(&w->server->pool, conn);
                return;
        case HTTP_CONN_CLOSE:
                conn_close(w, conn);
                return;
        }
}

/* A slow request answered on the pool: back to the worker that owns the connection. */
static void hand_back(struct http_conn *conn)
{
        struct worker *w = owner_of(conn);
        pthread_mutex_lock(&w->done_lock);
        conn->done_next = w->done;
        w->done = conn;
        pthread_mutex_unlock(&w->done_lock);
        uint64_t one = 1;
        if (write(w->wakefd, &one, sizeof(one)) < 0) {
                /* the counter is full: the worker is awake anyway */
        }
}

/* The slow requests the pool answered: back into epoll with their replies. */
static void take_done(struct worker *w, long now)
{
        uint64_t count;
        if (read(w->wakefd, &count, sizeof(count)) < 0) {
                /* nothing pending */
        }
        pthread_mutex_lock(&w->done_lock);
        struct http_conn *done = w->done;
        w->done = NULL;
        pthread_mutex_unlock(&w->done_lock);
        while (done != NULL) {
                struct http_conn *conn = done;
                done = conn->done_next;
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = conn};
                if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, conn->fd, &ev) < 0) {
                        conn_close(w, conn);
                        continue;
                }
                ((struct owned_conn *)conn)->events = EPOLLIN;
                conn_follow(w, conn, http_conn_handled(conn, now));
        }
}

/* The connection to close for room: the oldest incomplete head, else the longest idle. */
static struct http_conn *eviction_candidate(struct worker *w)
{
        struct http_conn *best = NULL;
        for (struct http_conn *c = w->conns; c != NULL; c = c->next) {
                if (c->phase != HTTP_CONN_HEAD && c->phase != HTTP_CONN_IDLE)
                        continue;
                long since = c->phase == HTTP_CONN_HEAD ? c->head_started : c->last_progress;
                long best_since = best == NULL                    ? 0
                                  : best->phase == HTTP_CONN_HEAD ? best->head_started
                                                                  : best->last_progress;
                /* Incomplete heads first: they are what a slow-client attack holds. */
                if (best == NULL || (c->phase == HTTP_CONN_HEAD && best->phase != HTTP_CONN_HEAD) ||
                    (c->phase == best->phase && since < best_since))
                        best = c;
        }
        return best;
}

static void accept_one(struct worker *w, int fd, long now)
{
        struct http_server *server = w->server;
        /* The limit is counted per worker: a worker at its share has connections of its own to
         * close for room (one with none could not evict another worker's). */
        if (w->connections >= server->max_connections) {
                struct http_conn *victim = eviction_candidate(w);
                if (victim == NULL) {
                        close(fd); /* every connection is busy: refused */
                        return;
                }
                conn_close(w, victim);
        }
        w->connections++;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: fine */
        struct owned_conn *owned = xcalloc(1, sizeof(*owned));
        owned->worker = w;
        struct http_conn *conn = &owned->conn;
        http_conn_init(conn, fd, &server->conn_config, now);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = conn};
        owned->events = EPOLLIN;
        list_add(&w->conns, conn);
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
                conn_close(w, conn);
}

static void accept_all(struct worker *w, long now)
{
        for (int i = 0; i < ACCEPT_BURST; i++) {
                int fd = accept4(w->server->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0) {
                        accept_one(w, fd, now);
                        continue;
                }
                if (errno == EINTR || errno == ECONNABORTED)
                        continue;
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                        /* Out of descriptors: make room, or stop accepting for a moment. */
                        struct http_conn *victim = eviction_candidate(w);
                        if (victim != NULL) {
                                conn_close(w, victim);
                                continue;
                        }
                        epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->server->fd, NULL);
                        w->listen_paused_until = now + 100;
                }
                return;
        }
}

/* Closes what missed its deadline: no progress within the timeout, or a head not complete in
 * head_timeout (answered 408 when the client is still there). */
static void sweep(struct worker *w, long now)
{
        const struct http_server *server = w->server;
        for (struct http_conn *c = w->conns, *next; c != NULL; c = next) {
                next = c->next;
                if (c->phase == HTTP_CONN_HANDLING)
                        continue;
                if (c->phase == HTTP_CONN_HEAD && now - c->head_started > server->head_timeout_ms)
                        conn_follow(w, c, http_conn_refuse(c, 408, "request head too slow", now));
                else if (now - c->last_progress > server->timeout_ms)
                        conn_close(w, c);
        }
}

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        struct http_server *server = w->server;
        struct epoll_event events[64];
        while (!atomic_load(&server->stopping)) {
                int n = epoll_wait(w->epfd, events, 64, w->again != NULL ? 0 : SWEEP_MS);
                long now = monotonic_ms();
                for (int i = 0; i < n; i++) {
                        void *tag = events[i].data.ptr;
                        if (tag == &listen_tag) {
                                accept_all(w, now);
                        } else if (tag == &wake_tag) {
                                take_done(w, now);
                        } else {
                                struct http_conn *conn = tag;
                                enum http_conn_want want;
                                if (events[i].events & EPOLLOUT)
                                        want = http_conn_writable(conn, now);
                                else
                                        want = http_conn_readable(conn, now);
                                conn_follow(w, conn, want);
                        }
                }
                struct http_conn *again = w->again; /* those that want more go on a new list */
                w->again = NULL;
                while (again != NULL) {
                        struct http_conn *conn = again;
                        again = conn->done_next;
                        conn_follow(w, conn, http_conn_readable(conn, now));
                }
                if (w->listen_paused_until != 0 && now >= w->listen_paused_until) {
                        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
                                                 .data.ptr = &listen_tag};
                        epoll_ctl(w->epfd, EPOLL_CTL_ADD, server->fd, &ev);
                        w->listen_paused_until = 0;
                }
                if (now - w->last_sweep >= SWEEP_MS) {
                        w->last_sweep = now;
                        sweep(w, now);
                }
        }
        return NULL;
}

/* ---- start and stop ---- */

static void free_conns(struct http_conn *conns)
{
        while (conns != NULL) {
                struct http_conn *next = conns->next;
                http_conn_destroy(conns);
                free(conns);
                conns = next;
        }
}

/* Joins the threads that started and frees everything but the listening socket. */
static void server_free(struct http_server *server)
{
        atomic_store(&server->stopping, true);
        for (size_t i = 0; i < server->worker_count; i++) {
                struct worker *w = &server->workers[i];
                uint64_t one = 1;
                if (w->wakefd >= 0 && write(w->wakefd, &one, sizeof(one)) < 0) {
                        /* full counter: the worker is awake */
                }
                if (w->started)
                        pthread_join(w->thread, NULL);
        }
        http_pool_stop(&server->pool); /* the handlers running finish first */
        for (size_t i = 0; i < server->worker_count; i++) {
                struct worker *w = &server->workers[i];
                free_conns(w->conns);
                if (w->epfd >= 0)
                        close(w->epfd);
                if (w->wakefd >= 0)
                        close(w->wakefd);
                pthread_mutex_destroy(&w->done_lock);
        }
        free(server->workers);
        free(server->unix_path);
        free(server);
}

static int worker_start(struct http_server *server, struct worker *w, struct error *err)
{
        w->server = server;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        pthread_mutex_init(&w->done_lock, NULL);
        if (w->epfd < 0 || w->wakefd < 0)
                return error_set_errno(err, errno, "cannot start the HTTP server: epoll");
        struct epoll_event listen = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &listen_tag};
        struct epoll_event wake = {.events = EPOLLIN, .data.ptr = &wake_tag};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, server->fd, &listen) < 0 ||
            epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &wake) < 0)
                return error_set_errno(err, errno, "cannot start the HTTP server: epoll");
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0)
                return error_set_errno(err, rc, "cannot start the HTTP server: thread");
        w->started = true;
        return 0;
}

static unsigned int or_default(unsigned int value, unsigned int fallback)
{
        return value != 0 ? value : fallback;
}

static struct http_server *server_start(int fd, const char *unix_path, http_handler_fn handler,
                                        void *context, const struct http_server_options *options,
                                        struct error *err)
{
        static const struct http_server_options defaults = {0};
        const struct http_server_options *o = options != NULL ? options : &defaults;
        struct http_server *server = xcalloc(1, sizeof(*server));
        server->fd = fd;
        server->conn_config = (struct http_conn_config){
            .handler = handler,
            .context = context,
            .slow = o->slow,
            .max_body = o->max_body ? o->max_body : 1 << 20,
        };
        server->timeout_ms = 1000L * or_default(o->timeout, 5);
        server->head_timeout_ms = 1000L * or_default(o->head_timeout, 10);
        server->worker_count = or_default(o->threads, 2);
        unsigned int limit = or_default(o->max_connections, HTTP_SERVER_MAX_CONNECTIONS);
        server->max_connections =
            (limit + (unsigned int)server->worker_count - 1) / (unsigned int)server->worker_count;
        server->workers = xcalloc(server->worker_count, sizeof(*server->workers));
        for (size_t i = 0; i < server->worker_count; i++)
                server->workers[i].epfd = server->workers[i].wakefd = -1;
        if (http_pool_start(&server->pool, or_default(o->slow_threads, 8), hand_back, err) < 0)
                goto fail;
        for (size_t i = 0; i < server->worker_count; i++)
                if (worker_start(server, &server->workers[i], err) < 0)
                        goto fail;
        if (unix_path != NULL)
                server->unix_path = xstrdup(unix_path);
        return server;
fail:
        server_free(server);
        close(fd);
        return NULL;
}

struct http_server *http_server_start_tcp(const char *addr, http_handler_fn handler, void *context,
                                          const struct http_server_options *options,
                                          struct error *err)
{
        int fd = http_listen_tcp(addr, LISTEN_BACKLOG, err);
        return fd < 0 ? NULL : server_start(fd, NULL, handler, context, options, err);
}

struct http_server *http_server_start_unix(const char *path, http_handler_fn handler, void *context,
                                           const struct http_server_options *options,
                                           struct error *err)
{
        int fd = http_listen_unix(path, LISTEN_BACKLOG, err);
        if (fd < 0)
                return NULL;
        struct http_server *server = server_start(fd, path, handler, context, options, err);
        if (server == NULL)
                unlink(path);
        return server;
}

void http_server_stop(struct http_server *server)
{
        if (server == NULL)
                return;
        /* Nobody connects to a socket file about to be removed. */
        if (server->unix_path != NULL)
                unlink(server->unix_path);
        int fd = server->fd;
        server_free(server);
        close(fd);
}
