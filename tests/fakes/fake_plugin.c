/*
 * fake-plugin: a TEST DOUBLE of nvidia-docker-plugin for the wrapper's integration tests. It is
 * the plugin's own REST API (rest_api.c, docs/rest-api.md) answering over the plugin's own
 * connection code (http_conn.c), one thread per connection, for made-up GPUs: no NVML, no
 * driver, no volumes. Switches make it misbehave the ways a plugin or a network can.
 *
 * Usage: fake-plugin [OPTION]...
 *   --listen ADDR        address to bind (default 127.0.0.1; ::1 for IPv6)
 *   --port N             TCP port (default 0: the kernel picks one; see --port-file)
 *   --port-file FILE     write the bound port there once listening (written atomically)
 *   --gpus N             number of GPUs (default 1)
 *   --uuid UUID          UUID of the next GPU (repeatable; default GPU-fa4e0000-0000-0000-0000-<i>)
 *   --path PATH          device path of the next GPU (repeatable; default /dev/nvidia<i>)
 *   --model NAME         Model of every GPU (default "Tesla P100-PCIE-16GB"; "null" → JSON null)
 *   --driver VERSION     driver version, hence the volume name (default 580.1)
 *   --cuda VERSION       CUDA version (default 13.0)
 *   --no-uvm-tools       leave /dev/nvidia-uvm-tools out of the control devices
 *   --log FILE           append one line per request: "<client port> <method> <raw url>"
 *   --max-seconds N      exit after N seconds (default 300), so a forgotten fake cannot linger
 * Misbehaviours (apply to every route):
 *   --delay-ms N         sleep N ms before answering
 *   --garbage            200 with a body that is not JSON
 *   --huge               200 announcing a 50 MiB body, sent until the client hangs up
 *   --status N           answer status N with the text of --body (default "fake failure\n")
 *   --body TEXT          body for --status
 *   --truncate           announce the full Content-Length, send half of the body, close
 *
 * Differences from the real plugin: the `caps` key of a query is ignored, as by a plugin older
 * than driver capabilities (the run-path tests check that answer); /gpu/status reports every
 * value as unknown; there is no CDI spec (503). Stops on SIGTERM/SIGINT. Exit status 0, or 2 on
 * bad usage or failure to listen.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/http_conn.h"
#include "nvidia-docker-plugin/http_listen.h"
#include "nvidia-docker-plugin/rest_api.h"

#define MAX_GPUS   64
#define HUGE_SIZE  ((size_t)50 << 20)
#define TEXT_PLAIN "text/plain; charset=utf-8"

static struct {
        const char *listen;
        unsigned port;
        const char *port_file;
        unsigned gpus;
        const char *uuids[MAX_GPUS];
        unsigned uuid_count;
        const char *paths[MAX_GPUS];
        unsigned path_count;
        const char *model;
        const char *driver;
        const char *cuda;
        bool uvm_tools;
        const char *log;
        unsigned max_seconds;
        unsigned delay_ms;
        bool garbage, huge, truncate;
        unsigned status;
        const char *body;
} opt = {
    .listen = "127.0.0.1",
    .gpus = 1,
    .model = "Tesla P100-PCIE-16GB",
    .driver = "580.1",
    .cuda = "13.0",
    .uvm_tools = true,
    .max_seconds = 300,
    .body = "fake failure\n",
};

static int log_fd = -1;
static struct gpu_inventory inventory;
static struct rest_api api;

static void usage_error(const char *what)
{
        fprintf(stderr,
                "fake-plugin: %s (see the comment at the top of tests/fakes/fake_plugin.c)\n",
                what);
        exit(2);
}

static unsigned parse_unsigned(const char *s)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *s == '\0' || *end != '\0' || v > 1000000000ul)
                usage_error("expected a number");
        return (unsigned)v;
}

/* --- the made-up GPUs, behind the plugin's own inventory and live queries ------------------ */

static void inventory_build(void)
{
        inventory.count = opt.gpus;
        inventory.devices = xcalloc(opt.gpus + 1, sizeof(*inventory.devices));
        for (unsigned i = 0; i < opt.gpus; i++) {
                struct gpu_device *d = &inventory.devices[i];
                d->uuid = i < opt.uuid_count ? xstrdup(opt.uuids[i])
                                             : xasprintf("GPU-fa4e0000-0000-0000-0000-%012u", i);
                d->path =
                    i < opt.path_count ? xstrdup(opt.paths[i]) : xasprintf("/dev/nvidia%u", i);
                d->minor = i;
                d->model = strcmp(opt.model, "null") == 0 ? NULL : xstrdup(opt.model);
                d->power = 250;
                d->cpu_affinity = 0;
                snprintf(d->bus_id, sizeof(d->bus_id), "0000:%02X:00.0", 4 + i);
                d->bar1 = 16384;
                d->pci_bandwidth = 15760;
                d->clock_cores = 1328;
                d->clock_memory = 715;
                d->family = "Pascal";
                snprintf(d->arch, sizeof(d->arch), "6.0");
                d->cores = 3584;
                d->ecc = true;
                d->memory_global = 16276;
                d->memory_shared = 64;
                d->memory_constant = 64;
                d->memory_l2 = 4096;
                d->memory_bandwidth = 732160;
        }
}

static int live_driver(void *context, char **out, struct error *err)
{
        *out = xstrdup(opt.driver);
        return 0;
}

static int live_cuda(void *context, char **out, struct error *err)
{
        *out = xstrdup(opt.cuda);
        return 0;
}

static int live_status(void *context, size_t index, struct gpu_status *out, struct error *err)
{
        gpu_status_init(out);
        return 0;
}

static int live_control(void *context, struct strv *out, struct error *err)
{
        strv_push(out, "/dev/nvidiactl");
        strv_push(out, "/dev/nvidia-uvm");
        if (opt.uvm_tools)
                strv_push(out, "/dev/nvidia-uvm-tools");
        return 0;
}

/* --- answering ------------------------------------------------------------------------------ */

struct client {
        int fd;
        unsigned port; /* the client's, for the log */
        struct http_conn_config config;
};

static void log_request(const struct client *c, const struct http_request *req)
{
        if (log_fd < 0)
                return;
        const char *q = req->query_string;
        cleanup_free char *line = xasprintf("%u %s %.4000s%s%.4000s\n", c->port, req->method,
                                            req->path, q ? "?" : "", q ? q : "");
        if (write(log_fd, line, strlen(line)) < 0) {
                /* nothing useful to do in a fake */
        }
}

static void sleep_ms(unsigned ms)
{
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
}

static bool send_all(int fd, const char *data, size_t len)
{
        while (len > 0) {
                ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return false;
                data += n;
                len -= (size_t)n;
        }
        return true;
}

/* --huge and --truncate: the reply written here, past http_conn, which then finds the socket
 * shut and closes the connection. */
static void send_broken(const struct client *c, const struct http_response *resp)
{
        size_t announced = opt.huge ? HUGE_SIZE : resp->body_len;
        cleanup_free char *head = xasprintf(
            "HTTP/1.1 %d Fake\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n", resp->status,
            resp->content_type ? resp->content_type : "text/plain", announced);
        bool ok = send_all(c->fd, head, strlen(head));
        if (opt.truncate && ok) {
                send_all(c->fd, resp->body, resp->body_len / 2);
        } else if (ok) {
                /* A syntactically plausible start, then filler: the client must stop on size. */
                static char filler[64 << 10];
                for (size_t i = 0; i < sizeof(filler); i++)
                        filler[i] = i % 2 ? '0' : ',';
                filler[0] = '[';
                for (size_t sent = 0; ok && sent < HUGE_SIZE; sent += sizeof(filler)) {
                        ok = send_all(c->fd, filler, sizeof(filler));
                        filler[0] = ',';
                }
        }
        shutdown(c->fd, SHUT_RDWR);
}

/* The request without its `caps` key (see the header comment). */
static struct http_request without_caps(const struct http_request *req,
                                        struct http_query_param *kept)
{
        struct http_request copy = *req;
        copy.query = kept;
        copy.query_count = 0;
        for (size_t i = 0; i < req->query_count; i++)
                if (strcmp(req->query[i].key, "caps") != 0)
                        kept[copy.query_count++] = req->query[i];
        return copy;
}

static void fake_handle(void *context, const struct http_request *req, struct http_response *resp)
{
        const struct client *c = context;
        log_request(c, req);
        if (opt.delay_ms > 0)
                sleep_ms(opt.delay_ms);
        if (opt.status != 0) {
                http_response_text(resp, (int)opt.status, TEXT_PLAIN, opt.body);
        } else if (opt.garbage) {
                http_response_text(resp, 200, TEXT_PLAIN, "<html>this is not JSON</html>\n");
        } else {
                cleanup_free struct http_query_param *kept =
                    xcalloc(req->query_count + 1, sizeof(*kept));
                struct http_request plain = without_caps(req, kept);
                rest_api_handle(&api, &plain, resp);
        }
        if (opt.huge || opt.truncate)
                send_broken(c, resp);
}

/* One connection, with blocking I/O: http_conn reads, parses, calls fake_handle and writes. */
static void *serve_client(void *arg)
{
        struct client *c = arg;
        struct http_conn conn;
        c->config =
            (struct http_conn_config){.handler = fake_handle, .context = c, .max_body = 1 << 20};
        http_conn_init(&conn, c->fd, &c->config, monotonic_ms());
        enum http_conn_want want = HTTP_CONN_READ;
        while (want != HTTP_CONN_CLOSE) {
                if (want == HTTP_CONN_WRITE)
                        want = http_conn_writable(&conn, monotonic_ms());
                else
                        want = http_conn_readable(&conn, monotonic_ms());
        }
        http_conn_destroy(&conn);
        free(c);
        return NULL;
}

static void *accept_loop(void *arg)
{
        int listen_fd = *(int *)arg;
        for (;;) {
                struct sockaddr_storage peer;
                socklen_t peer_len = sizeof(peer);
                int fd = accept4(listen_fd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno != EINTR && errno != ECONNABORTED)
                                sleep_ms(10);
                        continue;
                }
                struct client *c = xcalloc(1, sizeof(*c));
                c->fd = fd;
                if (peer.ss_family == AF_INET)
                        c->port = ntohs(((struct sockaddr_in *)&peer)->sin_port);
                else if (peer.ss_family == AF_INET6)
                        c->port = ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
                pthread_t thread;
                pthread_attr_t attr;
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                if (pthread_create(&thread, &attr, serve_client, c) != 0) {
                        close(fd);
                        free(c);
                }
                pthread_attr_destroy(&attr);
        }
        return NULL;
}

/* --- start-up --------------------------------------------------------------------------------- */

static void parse_options(int argc, char *argv[])
{
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
#define NEEDS_VALUE                                                                                \
        do {                                                                                       \
                if (v == NULL)                                                                     \
                        usage_error("option needs a value");                                       \
                i++;                                                                               \
        } while (0)
                if (strcmp(a, "--listen") == 0) {
                        NEEDS_VALUE;
                        opt.listen = v;
                } else if (strcmp(a, "--port") == 0) {
                        NEEDS_VALUE;
                        opt.port = parse_unsigned(v);
                } else if (strcmp(a, "--port-file") == 0) {
                        NEEDS_VALUE;
                        opt.port_file = v;
                } else if (strcmp(a, "--gpus") == 0) {
                        NEEDS_VALUE;
                        opt.gpus = parse_unsigned(v);
                        if (opt.gpus > MAX_GPUS)
                                usage_error("too many GPUs");
                } else if (strcmp(a, "--uuid") == 0) {
                        NEEDS_VALUE;
                        if (opt.uuid_count == MAX_GPUS)
                                usage_error("too many --uuid");
                        opt.uuids[opt.uuid_count++] = v;
                } else if (strcmp(a, "--path") == 0) {
                        NEEDS_VALUE;
                        if (opt.path_count == MAX_GPUS)
                                usage_error("too many --path");
                        opt.paths[opt.path_count++] = v;
                } else if (strcmp(a, "--model") == 0) {
                        NEEDS_VALUE;
                        opt.model = v;
                } else if (strcmp(a, "--driver") == 0) {
                        NEEDS_VALUE;
                        opt.driver = v;
                } else if (strcmp(a, "--cuda") == 0) {
                        NEEDS_VALUE;
                        opt.cuda = v;
                } else if (strcmp(a, "--no-uvm-tools") == 0) {
                        opt.uvm_tools = false;
                } else if (strcmp(a, "--log") == 0) {
                        NEEDS_VALUE;
                        opt.log = v;
                } else if (strcmp(a, "--max-seconds") == 0) {
                        NEEDS_VALUE;
                        opt.max_seconds = parse_unsigned(v);
                } else if (strcmp(a, "--delay-ms") == 0) {
                        NEEDS_VALUE;
                        opt.delay_ms = parse_unsigned(v);
                } else if (strcmp(a, "--garbage") == 0) {
                        opt.garbage = true;
                } else if (strcmp(a, "--huge") == 0) {
                        opt.huge = true;
                } else if (strcmp(a, "--truncate") == 0) {
                        opt.truncate = true;
                } else if (strcmp(a, "--status") == 0) {
                        NEEDS_VALUE;
                        opt.status = parse_unsigned(v);
                        if (opt.status < 100 || opt.status > 599)
                                usage_error("--status must be an HTTP status");
                } else if (strcmp(a, "--body") == 0) {
                        NEEDS_VALUE;
                        opt.body = v;
                } else {
                        usage_error("unknown option");
                }
#undef NEEDS_VALUE
        }
        if (opt.uuid_count > opt.gpus)
                opt.gpus = opt.uuid_count;
}

/* The listening socket (blocking: the accept thread waits in accept) and its port. */
static int listen_on(unsigned *port)
{
        cleanup_free char *addr = strchr(opt.listen, ':') != NULL
                                      ? xasprintf("[%s]:%u", opt.listen, opt.port)
                                      : xasprintf("%s:%u", opt.listen, opt.port);
        struct error err = ERROR_INIT;
        int fd = http_listen_tcp(addr, 128, &err);
        if (fd < 0) {
                fprintf(stderr, "fake-plugin: %s\n", err.message);
                exit(2);
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        struct sockaddr_storage bound;
        socklen_t len = sizeof(bound);
        *port = opt.port;
        if (getsockname(fd, (struct sockaddr *)&bound, &len) == 0)
                *port =
                    ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                      : ((struct sockaddr_in *)&bound)->sin_port);
        return fd;
}

static void write_port_file(unsigned port)
{
        cleanup_free char *tmp = xasprintf("%s.tmp", opt.port_file);
        FILE *f = fopen(tmp, "w");
        if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
            rename(tmp, opt.port_file) != 0)
                usage_error("cannot write the port file");
}

int main(int argc, char *argv[])
{
        parse_options(argc, argv);
        inventory_build();
        api = (struct rest_api){
            .inventory = &inventory,
            .live = {.driver_version = live_driver,
                     .cuda_version = live_cuda,
                     .device_status = live_status,
                     .control_devices = live_control},
        };
        if (opt.log != NULL) {
                log_fd = open(opt.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_fd < 0)
                        usage_error("cannot open the log file");
        }

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGALRM);
        sigprocmask(SIG_BLOCK, &set, NULL); /* threads inherit the mask; main waits below */
        signal(SIGPIPE, SIG_IGN);

        unsigned port;
        int listen_fd = listen_on(&port);
        pthread_t acceptor;
        if (pthread_create(&acceptor, NULL, accept_loop, &listen_fd) != 0)
                usage_error("cannot start a thread");
        if (opt.port_file != NULL)
                write_port_file(port);
        alarm(opt.max_seconds);
        int sig = 0;
        sigwait(&set, &sig);
        if (log_fd >= 0)
                close(log_fd);
        /* Connections may still be served: leave without waiting for them. */
        exit(0);
}
