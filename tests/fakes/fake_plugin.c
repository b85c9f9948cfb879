/*
 * fake-plugin: a TEST RESPONDER that answers like nvidia-docker-plugin's REST API v1.0
 * (reference/plugin-api.md §1.6, §1.8) on loopback, with made-up GPUs. Not the plugin: no NVML,
 * no volumes. For the wrapper's integration tests (plugin_client, the run path).
 *
 * Usage: fake-plugin [OPTION]...
 *   --listen ADDR        address to bind (default 127.0.0.1; ::1 for IPv6)
 *   --port N             TCP port (default 0: the kernel picks one; see --port-file)
 *   --port-file FILE     write the bound port there once listening (written atomically)
 *   --gpus N             number of GPUs (default 1)
 *   --uuid UUID          UUID of the next GPU (repeatable; default
 * GPU-fa4e0000-0000-0000-0000-00000000000<i>)
 *   --path PATH          device path of the next GPU (repeatable; default /dev/nvidia<i>)
 *   --model NAME         Model of every GPU (default "Tesla P100-PCIE-16GB"; "null" → JSON null)
 *   --driver VERSION     Version.Driver and the volume name (default 580.1)
 *   --cuda VERSION       Version.CUDA (default 13.0)
 *   --no-uvm-tools       leave /dev/nvidia-uvm-tools out of the device list
 *   --log FILE           append one line per request: "<client port> <method> <raw url>"
 *   --max-seconds N      exit after N seconds (default 300), so a forgotten fake cannot linger
 * Misbehaviours (apply to every route):
 *   --delay-ms N         sleep N ms before answering
 *   --garbage            200 with a body that is not JSON
 *   --huge               200 with a 50 MiB body
 *   --status N           answer status N with the text of --body (default "fake failure\n")
 *   --body TEXT          body for --status
 *   --truncate           announce the full Content-Length, send half of the body, close
 *
 * Routes (GET, with and without /v1.0): /gpu/info/json, /docker/cli, /docker/cli/json;
 * anything else: 404 "404 page not found\n". dev/vol follow §1.8 (space separated after URL
 * decoding; index with optional sign and leading zeros, or GPU-/MIG- UUID prefix; absent, empty
 * or "*" = all; bad item → 400 "invalid device: <item>\n"), except that the order of dev is
 * kept and duplicates are dropped (what this project's plugin does).
 * Stops on SIGTERM/SIGINT. Exit status 0, or 2 on bad usage / failure to listen.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_GPUS  64
#define HUGE_SIZE (50u * 1024 * 1024)

static struct {
        const char *listen;
        unsigned port;
        const char *port_file;
        unsigned gpus;
        char *uuids[MAX_GPUS];
        unsigned uuid_count;
        char *paths[MAX_GPUS];
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

static const char *uuid_of(unsigned i)
{
        return opt.uuids[i];
}

/* --- the answers --------------------------------------------------------------------------- */

struct answer {
        unsigned status;
        const char *content_type;
        char *body; /* malloc'd */
        size_t len;
};

static void answer_text(struct answer *a, unsigned status, const char *text)
{
        a->status = status;
        a->content_type = "text/plain; charset=utf-8";
        a->body = strdup(text);
        a->len = strlen(text);
}

static void answer_json(struct answer *a, json_t *j)
{
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        size_t n = strlen(s);
        a->status = 200;
        a->content_type = "application/json";
        a->body = malloc(n + 2);
        memcpy(a->body, s, n);
        a->body[n] = '\n';
        a->body[n + 1] = '\0';
        a->len = n + 1;
        free(s);
}

static json_t *device_json(unsigned i)
{
        json_t *d = json_object();
        json_object_set_new(d, "UUID", json_string(uuid_of(i)));
        json_object_set_new(d, "Path", json_string(opt.paths[i]));
        json_object_set_new(d, "Model",
                            strcmp(opt.model, "null") == 0 ? json_null() : json_string(opt.model));
        json_object_set_new(d, "Power", json_integer(250));
        json_object_set_new(d, "CPUAffinity", json_integer(0));
        char bus[32];
        snprintf(bus, sizeof bus, "0000:%02X:00.0", 4 + i);
        json_object_set_new(
            d, "PCI", json_pack("{s:s,s:i,s:i}", "BusID", bus, "BAR1", 16384, "Bandwidth", 15760));
        json_object_set_new(d, "Clocks", json_pack("{s:i,s:i}", "Cores", 1328, "Memory", 715));
        json_object_set_new(d, "Topology", json_null());
        json_object_set_new(d, "Family", json_string("Pascal"));
        json_object_set_new(d, "Arch", json_string("6.0"));
        json_object_set_new(d, "Cores", json_integer(3584));
        json_object_set_new(d, "Memory",
                            json_pack("{s:b,s:i,s:i,s:i,s:i,s:i}", "ECC", 1, "Global", 16276,
                                      "Shared", 64, "Constant", 64, "L2Cache", 4096, "Bandwidth",
                                      732160));
        return d;
}

static void answer_gpu_info(struct answer *a)
{
        json_t *devices = json_array();
        for (unsigned i = 0; i < opt.gpus; i++)
                json_array_append_new(devices, device_json(i));
        json_t *root = json_object();
        json_object_set_new(root, "Version",
                            json_pack("{s:s,s:s}", "Driver", opt.driver, "CUDA", opt.cuda));
        json_object_set_new(root, "Devices", devices);
        answer_json(a, root);
}

/* URL decoding as Go's url.ParseQuery: '+' is a space, %XX a byte; bad escapes → NULL. */
static char *url_decode(const char *s, size_t n)
{
        char *out = malloc(n + 1), *p = out;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '+') {
                        *p++ = ' ';
                } else if (s[i] == '%') {
                        if (i + 2 >= n)
                                goto bad;
                        if (!isxdigit((unsigned char)s[i + 1]) ||
                            !isxdigit((unsigned char)s[i + 2]))
                                goto bad;
                        char hex[3] = {s[i + 1], s[i + 2], 0};
                        *p++ = (char)strtol(hex, NULL, 16);
                        i += 2;
                } else {
                        *p++ = s[i];
                }
        }
        *p = '\0';
        return out;
bad:
        free(out);
        return NULL;
}

/* The first occurrence of `key` in the raw query, decoded; NULL when absent or malformed. */
static char *query_get(const char *query, const char *key)
{
        size_t klen = strlen(key);
        while (query != NULL && *query != '\0') {
                size_t n = strcspn(query, "&;");
                const char *eq = memchr(query, '=', n);
                size_t name_len = eq ? (size_t)(eq - query) : n;
                if (name_len == klen && memcmp(query, key, klen) == 0) {
                        if (eq == NULL)
                                return strdup("");
                        return url_decode(eq + 1, n - name_len - 1);
                }
                query += n;
                if (*query != '\0')
                        query++;
        }
        return NULL;
}

static bool all_digits_signed(const char *s)
{
        if (*s == '+' || *s == '-')
                s++;
        if (*s == '\0')
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* Index of the GPU named by item, or -1. */
static int find_gpu(const char *item)
{
        if (all_digits_signed(item)) {
                long v = strtol(item, NULL, 10);
                return (v >= 0 && v < (long)opt.gpus) ? (int)v : -1;
        }
        if (strncmp(item, "GPU-", 4) == 0 || strncmp(item, "MIG-", 4) == 0) {
                for (unsigned i = 0; i < opt.gpus; i++)
                        if (strncmp(uuid_of(i), item, strlen(item)) == 0)
                                return (int)i;
        }
        return -1;
}

/* Splits on single spaces as Go's strings.Split does: empty items are kept. */
static bool select_gpus(const char *dev, bool chosen[MAX_GPUS], unsigned order[MAX_GPUS],
                        unsigned *count, char **bad_item)
{
        *count = 0;
        if (dev == NULL || dev[0] == '\0' || strcmp(dev, "*") == 0) {
                for (unsigned i = 0; i < opt.gpus; i++)
                        order[(*count)++] = i;
                return true;
        }
        const char *p = dev;
        for (;;) {
                size_t n = strcspn(p, " ");
                char *item = strndup(p, n);
                int gpu = find_gpu(item);
                if (gpu < 0) {
                        *bad_item = item;
                        return false;
                }
                free(item);
                if (!chosen[gpu]) {
                        chosen[gpu] = true;
                        order[(*count)++] = (unsigned)gpu;
                }
                if (p[n] == '\0')
                        break;
                p += n + 1;
        }
        return true;
}

static bool check_volumes(const char *vol, unsigned *count, char **bad_item)
{
        *count = 0;
        if (vol == NULL || vol[0] == '\0' || strcmp(vol, "*") == 0) {
                *count = 1;
                return true;
        }
        const char *p = vol;
        for (;;) {
                size_t n = strcspn(p, " ");
                if (n != strlen("nvidia_driver") || strncmp(p, "nvidia_driver", n) != 0) {
                        *bad_item = strndup(p, n);
                        return false;
                }
                (*count)++;
                if (p[n] == '\0')
                        break;
                p += n + 1;
        }
        return true;
}

static void answer_docker_cli(struct answer *a, const char *query, bool json)
{
        char *dev = query_get(query, "dev"), *vol = query_get(query, "vol"), *bad = NULL;
        bool chosen[MAX_GPUS] = {false};
        unsigned order[MAX_GPUS], gpu_count = 0, vol_count = 0;
        char text[256];
        if (!check_volumes(vol, &vol_count, &bad)) {
                snprintf(text, sizeof text, "invalid volume: %s\n", bad);
                answer_text(a, 400, text);
                goto out;
        }
        if (!select_gpus(dev, chosen, order, &gpu_count, &bad)) {
                snprintf(text, sizeof text, "invalid device: %s\n", bad);
                answer_text(a, 400, text);
                goto out;
        }
        json_t *volumes = json_array(), *devices = json_array();
        char volume[256];
        snprintf(volume, sizeof volume, "nvidia_driver_%s:/usr/local/nvidia:ro", opt.driver);
        for (unsigned i = 0; i < vol_count; i++)
                json_array_append_new(volumes, json_string(volume));
        json_array_append_new(devices, json_string("/dev/nvidiactl"));
        json_array_append_new(devices, json_string("/dev/nvidia-uvm"));
        if (opt.uvm_tools)
                json_array_append_new(devices, json_string("/dev/nvidia-uvm-tools"));
        for (unsigned i = 0; i < gpu_count; i++)
                json_array_append_new(devices, json_string(opt.paths[order[i]]));
        if (json) {
                json_t *root = json_object();
                json_object_set_new(root, "VolumeDriver", json_string("nvidia-docker"));
                json_object_set_new(root, "Volumes", volumes);
                json_object_set_new(root, "Devices", devices);
                answer_json(a, root);
        } else {
                size_t size = 64;
                for (size_t i = 0; i < json_array_size(volumes); i++)
                        size += 16 + strlen(json_string_value(json_array_get(volumes, i)));
                for (size_t i = 0; i < json_array_size(devices); i++)
                        size += 16 + strlen(json_string_value(json_array_get(devices, i)));
                char *body = malloc(size);
                strcpy(body, "--volume-driver=nvidia-docker");
                for (size_t i = 0; i < json_array_size(volumes); i++)
                        strcat(strcat(body, " --volume="),
                               json_string_value(json_array_get(volumes, i)));
                for (size_t i = 0; i < json_array_size(devices); i++)
                        strcat(strcat(body, " --device="),
                               json_string_value(json_array_get(devices, i)));
                answer_text(a, 200, body);
                free(body);
                json_decref(volumes);
                json_decref(devices);
        }
out:
        free(dev);
        free(vol);
        free(bad);
}

static void route(struct answer *a, const char *method, const char *url)
{
        const char *q = strchr(url, '?');
        size_t path_len = q ? (size_t)(q - url) : strlen(url);
        char *path = strndup(url, path_len);
        const char *p = path;
        if (strncmp(p, "/v1.0/", 6) == 0)
                p += 5;
        const char *query = q ? q + 1 : "";
        if (strcmp(method, "GET") != 0)
                answer_text(a, 404, "404 page not found\n");
        else if (strcmp(p, "/gpu/info/json") == 0)
                answer_gpu_info(a);
        else if (strcmp(p, "/docker/cli") == 0)
                answer_docker_cli(a, query, false);
        else if (strcmp(p, "/docker/cli/json") == 0)
                answer_docker_cli(a, query, true);
        else
                answer_text(a, 404, "404 page not found\n");
        free(path);
}

/* --- libmicrohttpd glue -------------------------------------------------------------------- */

/* Per request: the raw URI (MHD gives the handler a decoded path without the query). */
struct request {
        char *uri;
        bool headers_seen; /* answering on the first call would make MHD close the connection */
};

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *connection)
{
        struct request *r = calloc(1, sizeof *r);
        r->uri = strdup(uri);
        return r;
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
        struct request *r = *req_cls;
        if (r != NULL)
                free(r->uri);
        free(r);
        *req_cls = NULL;
}

static unsigned client_port(struct MHD_Connection *connection)
{
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (info == NULL || info->client_addr == NULL)
                return 0;
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
                return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
        if (sa->sa_family == AF_INET6)
                return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
        return 0;
}

struct stream {
        size_t total;
        char *data; /* NULL: generate filler */
        size_t data_len;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
        struct stream *s = cls;
        if (opt.truncate && pos >= s->total / 2)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        if (pos >= s->total)
                return MHD_CONTENT_READER_END_OF_STREAM;
        size_t n = s->total - pos;
        if (opt.truncate && n > s->total / 2 - pos)
                n = s->total / 2 - pos;
        if (n > max)
                n = max;
        if (s->data != NULL) {
                memcpy(buf, s->data + pos, n);
        } else {
                /* A syntactically plausible start, then filler: the client must stop on size. */
                for (size_t i = 0; i < n; i++)
                        buf[i] = (pos + i == 0) ? '[' : (((pos + i) % 2) ? '0' : ',');
        }
        return (ssize_t)n;
}

static void stream_free(void *cls)
{
        struct stream *s = cls;
        free(s->data);
        free(s);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
        struct request *r = *req_cls;
        if (r != NULL && !r->headers_seen) {
                r->headers_seen = true;
                return MHD_YES;
        }
        if (*upload_data_size != 0) { /* a body: ignore it */
                *upload_data_size = 0;
                return MHD_YES;
        }
        const char *raw = r ? r->uri : url;
        if (log_fd >= 0) {
                char line[4200];
                int n = snprintf(line, sizeof line, "%u %s %.4000s\n", client_port(connection),
                                 method, raw);
                if (write(log_fd, line, (size_t)n) < 0) {
                        /* nothing useful to do in a fake */
                }
        }
        if (opt.delay_ms > 0) {
                struct timespec ts = {opt.delay_ms / 1000, (long)(opt.delay_ms % 1000) * 1000000L};
                while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
                }
        }
        struct answer a = {0};
        if (opt.status != 0)
                answer_text(&a, opt.status, opt.body);
        else if (opt.garbage)
                answer_text(&a, 200, "<html>this is not JSON</html>\n");
        else
                route(&a, method, raw);

        struct MHD_Response *response;
        if (opt.huge || opt.truncate) {
                struct stream *s = calloc(1, sizeof *s);
                if (opt.huge) {
                        s->total = HUGE_SIZE;
                        free(a.body);
                } else {
                        s->total = a.len;
                        s->data = a.body;
                }
                response = MHD_create_response_from_callback(s->total, 64 * 1024, stream_read, s,
                                                             stream_free);
        } else {
                response = MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
        }
        MHD_add_response_header(response, "Content-Type",
                                a.content_type ? a.content_type : "text/plain");
        enum MHD_Result ret = MHD_queue_response(connection, a.status ? a.status : 200, response);
        MHD_destroy_response(response);
        return ret;
}

static void write_port_file(unsigned port)
{
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", opt.port_file);
        FILE *f = fopen(tmp, "w");
        if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
            rename(tmp, opt.port_file) != 0)
                usage_error("cannot write the port file");
}

int main(int argc, char *argv[])
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
                        opt.uuids[opt.uuid_count++] = strdup(v);
                } else if (strcmp(a, "--path") == 0) {
                        NEEDS_VALUE;
                        if (opt.path_count == MAX_GPUS)
                                usage_error("too many --path");
                        opt.paths[opt.path_count++] = strdup(v);
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
        for (unsigned i = 0; i < opt.gpus; i++) {
                if (i >= opt.uuid_count) {
                        char u[64];
                        snprintf(u, sizeof u, "GPU-fa4e0000-0000-0000-0000-%012u", i);
                        opt.uuids[i] = strdup(u);
                }
                if (i >= opt.path_count) {
                        char p[64];
                        snprintf(p, sizeof p, "/dev/nvidia%u", i);
                        opt.paths[i] = strdup(p);
                }
        }
        if (opt.log != NULL) {
                log_fd = open(opt.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_fd < 0)
                        usage_error("cannot open the log file");
        }

        struct sockaddr_storage addr = {0};
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
        if (strchr(opt.listen, ':') != NULL) {
                struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
                a6->sin6_family = AF_INET6;
                a6->sin6_port = htons((uint16_t)opt.port);
                if (inet_pton(AF_INET6, opt.listen, &a6->sin6_addr) != 1)
                        usage_error("bad --listen address");
                flags |= MHD_USE_IPv6;
        } else {
                struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
                a4->sin_family = AF_INET;
                a4->sin_port = htons((uint16_t)opt.port);
                if (inet_pton(AF_INET, opt.listen, &a4->sin_addr) != 1)
                        usage_error("bad --listen address");
        }

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGALRM);
        sigprocmask(SIG_BLOCK, &set, NULL); /* threads inherit the mask; main waits below */
        signal(SIGPIPE, SIG_IGN);

        struct MHD_Daemon *daemon = MHD_start_daemon(
            flags, (uint16_t)opt.port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &addr,
            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL, MHD_OPTION_NOTIFY_COMPLETED,
            request_completed, NULL, MHD_OPTION_END);
        if (daemon == NULL) {
                fprintf(stderr, "fake-plugin: cannot listen on %s port %u\n", opt.listen, opt.port);
                return 2;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
        unsigned port = info ? info->port : opt.port;
        if (opt.port_file != NULL)
                write_port_file(port);
        alarm(opt.max_seconds);
        int sig = 0;
        sigwait(&set, &sig);
        MHD_stop_daemon(daemon);
        for (unsigned i = 0; i < opt.gpus; i++) {
                free(opt.uuids[i]);
                free(opt.paths[i]);
        }
        if (log_fd >= 0)
                close(log_fd);
        return 0;
}
