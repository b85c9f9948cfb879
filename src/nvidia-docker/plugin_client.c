#include "nvidia-docker/plugin_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/text.h"
#include "common/xalloc.h"

#define MAX_ANSWER        (1024 * 1024) /* bytes: gpu/info/json is ~500 bytes per GPU */
#define DEFAULT_TIMEOUT_S 10.0
#define MAX_TIMEOUT_S     86400.0
#define ERROR_TEXT_MAX    200 /* bytes of the plugin's error text quoted in a message */
#define LISTED_GPUS_MAX   16

struct plugin_client {
        CURL *curl;
        char *base_url; /* where requests go (SSH: on the far side of the tunnel) */
        char *display;  /* the plugin's address in messages */
        bool local;
        bool ssh;
        char *timeout_text; /* NV_TIMEOUT as given, or "10" */
        struct ssh_tunnel *tunnel;
        unsigned connections; /* connections made (CURLINFO_NUM_CONNECTS summed) */
        unsigned sockets;     /* sockets handed to curl (attempts included) */
        /* curl 7.88 ignores CURL_SOCKOPT_ALREADY_CONNECTED (curl/curl#10626, fixed in 8.0.0): */
        bool already_connected_works;
        int swap_fd; /* curl's placeholder socket, to be replaced by the tunnel's; -1: none */
        struct buf body;
        bool too_large;
        char curl_error[CURL_ERROR_SIZE];
};

static size_t write_body(char *data, size_t size, size_t count, void *userdata)
{
        struct plugin_client *c = userdata;
        size_t n = size * count;
        if (c->body.len + n > MAX_ANSWER) {
                c->too_large = true;
                return 0; /* curl stops with CURLE_WRITE_ERROR */
        }
        buf_append(&c->body, data, n);
        return n;
}

/*
 * Every new connection goes through here: counted, and over SSH it is the tunnel's socket.
 * With curl >= 8.0 curl is handed a dup of the tunnel's socket and told it is connected. curl
 * 7.88 (Debian 12) calls connect() on it anyway and fails (curl/curl#10626), so there curl gets
 * a UDP socket instead, whose connect() succeeds at once without sending anything, and
 * before_request() puts the tunnel's socket in its place (dup3) before the first byte is sent.
 */
static curl_socket_t open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *addr)
{
        struct plugin_client *c = userdata;
        if (!c->ssh) {
                int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
                if (fd >= 0)
                        c->sockets++;
                return fd;
        }
        /* The tunnel carries one TCP stream: a second connection would share it. */
        if (c->sockets > 0 || ssh_tunnel_fd(c->tunnel) < 0)
                return CURL_SOCKET_BAD;
        int fd;
        if (c->already_connected_works) {
                fd = fcntl(ssh_tunnel_fd(c->tunnel), F_DUPFD_CLOEXEC, 0);
        } else {
                fd = socket(addr->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                c->swap_fd = fd;
        }
        if (fd >= 0)
                c->sockets++;
        return fd;
}

static int socket_options(void *userdata, curl_socket_t fd, curlsocktype purpose)
{
        struct plugin_client *c = userdata;
        return c->ssh && c->already_connected_works ? CURL_SOCKOPT_ALREADY_CONNECTED
                                                    : CURL_SOCKOPT_OK;
}

static int before_request(void *userdata, char *primary_ip, char *local_ip, int primary_port,
                          int local_port)
{
        struct plugin_client *c = userdata;
        if (c->swap_fd < 0)
                return CURL_PREREQFUNC_OK;
        int fd = c->swap_fd;
        c->swap_fd = -1;
        if (dup3(ssh_tunnel_fd(c->tunnel), fd, O_CLOEXEC) < 0)
                return CURL_PREREQFUNC_ABORT;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return CURL_PREREQFUNC_ABORT;
        return CURL_PREREQFUNC_OK;
}

void plugin_client_global_init(const struct plugin_target *target)
{
        if (target == NULL || target->transport != PLUGIN_TRANSPORT_SSH)
                OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
        curl_global_init(CURL_GLOBAL_NOTHING);
}

static int read_timeout(const char *value, long *ms, struct error *err)
{
        if (!text_is_set(value)) {
                *ms = (long)(DEFAULT_TIMEOUT_S * 1000);
                return 0;
        }
        char *end;
        errno = 0;
        double s = strtod(value, &end);
        if (errno != 0 || end == value || *end != '\0' || !isfinite(s) || s <= 0 ||
            s > MAX_TIMEOUT_S || value[0] == ' ')
                return error_set(err,
                                 "invalid NV_TIMEOUT '%.40s': expected the plugin timeout in "
                                 "seconds (0 < N <= 86400), e.g. 10",
                                 value);
        *ms = (long)(s * 1000 + 0.999); /* round up: 0.0001 s is 1 ms, not 0 (no limit) */
        return 0;
}

int plugin_client_open(const struct plugin_target *target, const struct plugin_client_env *env,
                       struct plugin_client **out, struct error *err)
{
        long timeout_ms;
        const char *timeout_env = env->timeout;
        if (read_timeout(timeout_env, &timeout_ms, err) < 0)
                return -1;
        if (target == NULL || target->url == NULL || target->plugin_port == NULL ||
            (target->transport == PLUGIN_TRANSPORT_SSH &&
             (target->ssh_host == NULL || target->ssh_port == NULL)))
                return error_set(err, "no plugin address (host_select did not succeed)");

        struct plugin_client *c = xcalloc(1, sizeof *c);
        c->local = target->local;
        c->ssh = target->transport == PLUGIN_TRANSPORT_SSH;
        c->swap_fd = -1;
        c->already_connected_works = curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000;
        c->base_url = xstrdup(target->url);
        c->timeout_text = xstrdup(text_is_set(timeout_env) ? timeout_env : "10");
        if (c->ssh) {
                const char *user = target->ssh_user;
                bool v6 = strchr(target->ssh_host, ':') != NULL;
                c->display = xasprintf("ssh://%s%s%s%s%s:%s (plugin port %s)", user ? user : "",
                                       user ? "@" : "", v6 ? "[" : "", target->ssh_host,
                                       v6 ? "]" : "", target->ssh_port, target->plugin_port);
        } else {
                c->display = xstrdup(target->url);
        }

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                plugin_client_free(c);
                return error_set(err, "cannot initialise libcurl");
        }
        c->curl = curl_easy_init();
        if (c->curl == NULL) {
                curl_global_cleanup();
                plugin_client_free(c);
                return error_set(err, "cannot initialise libcurl");
        }
        CURL *h = c->curl;
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); /* proxies must not see plugin traffic */
        curl_easy_setopt(h, CURLOPT_PROXY, "");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
#endif
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_ANSWER);
        curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
        curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, socket_options);
        curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, c);
        curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, before_request);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, c);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_error);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "nvidia-docker/" NVD_VERSION);

        struct ssh_destination destination = {
            .user = target->ssh_user_explicit ? target->ssh_user : NULL,
            .local_user = target->ssh_user_explicit ? NULL : target->ssh_user,
            .host = target->ssh_host,
            .port = target->ssh_port_explicit ? target->ssh_port : NULL,
            .remote_port = target->plugin_port,
            .env = env->ssh_env,
        };
        if (c->ssh && ssh_tunnel_open(&destination, &c->tunnel, err) < 0) {
                plugin_client_free(c);
                return -1;
        }
        *out = c;
        return 0;
}

/* The first line of the plugin's text, trimmed, control characters escaped, bounded. */
static char *first_line(const char *text, size_t len)
{
        size_t start = 0;
        while (start < len && (text[start] == ' ' || text[start] == '\t' || text[start] == '\r' ||
                               text[start] == '\n'))
                start++;
        size_t end = start;
        while (end < len && text[end] != '\n' && text[end] != '\r')
                end++;
        while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
                end--;
        if (end == start)
                return xstrdup("(no text)");
        return text_printable(text + start, end - start, ERROR_TEXT_MAX);
}

static int transport_error(struct plugin_client *c, CURLcode code, struct error *err)
{
        long os_errno = 0;
        curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
        if (c->curl_error[0] == '\0')
                snprintf(c->curl_error, sizeof c->curl_error, "%s", curl_easy_strerror(code));
        for (char *p = c->curl_error; *p; p++) /* one line */
                if ((unsigned char)*p < 0x20)
                        *p = ' ';
        const char *detail = c->curl_error;
        if (c->ssh && code == CURLE_COULDNT_CONNECT)
                return error_set(err, "the SSH tunnel to %s %s", c->display,
                                 c->sockets > 0 ? "was closed; run the command again"
                                                : "has no local socket");
        switch (code) {
        case CURLE_COULDNT_CONNECT:
                if (c->local)
                        return error_set(err,
                                         "plugin not reachable at %s: %s; is nvidia-docker-plugin "
                                         "running? (systemctl start nvidia-docker-plugin)",
                                         c->display, os_errno ? strerror((int)os_errno) : detail);
                return error_set(err,
                                 "plugin not reachable at %s: %s; is nvidia-docker-plugin running "
                                 "there and listening on that address? (check NV_HOST/DOCKER_HOST)",
                                 c->display, os_errno ? strerror((int)os_errno) : detail);
        case CURLE_COULDNT_RESOLVE_HOST:
                return error_set(err, "plugin host of %s not found: %s; check NV_HOST/DOCKER_HOST",
                                 c->display, detail);
        case CURLE_OPERATION_TIMEDOUT:
                return error_set(err,
                                 "nvidia-docker-plugin at %s did not answer within %s s; set "
                                 "NV_TIMEOUT (seconds) to wait longer",
                                 c->display, c->timeout_text);
        case CURLE_FILESIZE_EXCEEDED:
                return error_set(err,
                                 "bad answer from nvidia-docker-plugin at %s: plugin answer too "
                                 "large (over %d KiB)",
                                 c->display, MAX_ANSWER / 1024);
        case CURLE_WRITE_ERROR:
                if (c->too_large)
                        return error_set(
                            err,
                            "bad answer from nvidia-docker-plugin at %s: plugin answer "
                            "too large (over %d KiB)",
                            c->display, MAX_ANSWER / 1024);
                break;
        case CURLE_URL_MALFORMAT:
                return error_set(err, "invalid plugin address %s: %s", c->display, detail);
        default:
                break;
        }
        return error_set(err, "bad answer from nvidia-docker-plugin at %s: %s", c->display, detail);
}

/* GET base_url + path; on success the body is in c->body and *status is the HTTP status. */
static int plugin_get(struct plugin_client *c, const char *path, long *status, struct error *err)
{
        buf_destroy(&c->body);
        c->too_large = false;
        c->curl_error[0] = '\0';
        cleanup_free char *url = xasprintf("%s%s", c->base_url, path);
        curl_easy_setopt(c->curl, CURLOPT_URL, url);
        CURLcode code = curl_easy_perform(c->curl);
        long new_connections = 0;
        if (curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &new_connections) == CURLE_OK &&
            new_connections > 0)
                c->connections += (unsigned)new_connections;
        if (code != CURLE_OK)
                return transport_error(c, code, err);
        *status = 0;
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
        return 0;
}

static int status_error(struct plugin_client *c, long status, struct error *err)
{
        cleanup_free char *text = first_line(c->body.data ? c->body.data : "", c->body.len);
        /* 503: the plugin says itself what keeps it (GPUs still being discovered, NVML not
         * answering), one line meant for the user: shown as it is. */
        bool no_text = strcmp(text, "(no text)") == 0 || text[0] == '<'; /* none, or HTML */
        if (status == 503 && !no_text)
                return error_set(err, "%s", text);
        if (status == 414 || status == 431)
                return error_set(err,
                                 "nvidia-docker-plugin at %s refused the request as too long "
                                 "(HTTP %ld%s%s); select fewer GPUs (NV_GPU, --gpus, "
                                 "NVIDIA_VISIBLE_DEVICES)",
                                 c->display, status, no_text ? "" : ": ", no_text ? "" : text);
        if (status == 400)
                return error_set(err, "nvidia-docker-plugin at %s refused the request: %s",
                                 c->display, text);
        return error_set(err, "nvidia-docker-plugin at %s answered HTTP %ld: %s", c->display,
                         status, text);
}

int plugin_client_gpu_info(struct plugin_client *client, struct gpu_info_answer *out,
                           struct error *err)
{
        memset(out, 0, sizeof *out);
        long status;
        if (plugin_get(client, "/v1.0/gpu/info/json", &status, err) < 0)
                return -1;
        if (status != 200)
                return status_error(client, status, err);
        if (plugin_answer_decode_gpu_info(client->body.data, client->body.len, out, err) < 0)
                return error_prefix(err, "bad answer from nvidia-docker-plugin at %s",
                                    client->display);
        return 0;
}

/* "NV_GPU: invalid device: 5; this host has GPUs 0 (GPU-…, Tesla …), 1 (GPU-…)". */
static int invalid_device_error(struct plugin_client *c, const char *source, const char *text,
                                struct error *err)
{
        struct gpu_info_answer info;
        struct error info_err = ERROR_INIT;
        if (plugin_client_gpu_info(c, &info, &info_err) < 0) {
                error_set(err, "%s: %s (nvidia-docker-plugin at %s; listing its GPUs failed: %s)",
                          source, text, c->display, info_err.message);
                error_clear(&info_err);
                return -1;
        }
        struct buf list = BUF_INIT;
        if (info.uuids.count == 0)
                buf_puts(&list, "this host has no GPUs");
        else
                buf_puts(&list, "this host has GPUs ");
        for (size_t i = 0; i < info.uuids.count && i < LISTED_GPUS_MAX; i++) {
                const char *model = info.models.items[i];
                buf_printf(&list, "%s%zu (%s%s%s)", i ? ", " : "", i, info.uuids.items[i],
                           model[0] ? ", " : "", model);
        }
        if (info.uuids.count > LISTED_GPUS_MAX)
                buf_printf(&list, ", ... (%zu in all)", info.uuids.count);
        cleanup_free char *listed = buf_steal(&list);
        gpu_info_answer_destroy(&info);
        return error_set(err, "%s: %s; %s", source, text, listed);
}

static void append_joined(struct buf *query, CURL *curl, const char *key, char *const *items,
                          size_t count)
{
        buf_printf(query, "%s%s=", query->len ? "&" : "?", key);
        for (size_t i = 0; i < count; i++) {
                char *escaped = curl_easy_escape(curl, items[i], 0);
                buf_printf(query, "%s%s", i ? "+" : "", escaped ? escaped : "");
                curl_free(escaped);
        }
}

int plugin_client_docker_cli(struct plugin_client *client, const struct strv *volume_kinds,
                             const struct strv *devices, const char *capabilities,
                             const char *source, struct docker_cli_answer *out, struct error *err)
{
        memset(out, 0, sizeof *out);
        struct buf query = BUF_INIT;
        buf_puts(&query, "");
        if (volume_kinds != NULL && volume_kinds->count > 0)
                append_joined(&query, client->curl, "vol", volume_kinds->items,
                              volume_kinds->count);
        if (devices != NULL && devices->count > 0)
                append_joined(&query, client->curl, "dev", devices->items, devices->count);
        if (capabilities != NULL) {
                char *caps = (char *)capabilities;
                append_joined(&query, client->curl, "caps", &caps, 1);
        }
        cleanup_free char *q = buf_steal(&query);
        cleanup_free char *path = xasprintf("/v1.0/docker/cli/json%s", q);
        long status;
        if (plugin_get(client, path, &status, err) < 0)
                return -1;
        if (status == 400 && client->body.len >= 15 &&
            strncmp(client->body.data, "invalid device:", 15) == 0) {
                cleanup_free char *text = first_line(client->body.data, client->body.len);
                return invalid_device_error(client, source, text, err);
        }
        if (status != 200)
                return status_error(client, status, err);
        if (plugin_answer_decode_docker_cli(client->body.data, client->body.len, out, err) < 0)
                return error_prefix(err, "bad answer from nvidia-docker-plugin at %s",
                                    client->display);
        return 0;
}

unsigned plugin_client_connections(const struct plugin_client *client)
{
        return client ? client->connections : 0;
}

void plugin_client_free(struct plugin_client *client)
{
        if (client == NULL)
                return;
        if (client->curl != NULL) {
                curl_easy_cleanup(client->curl);
                curl_global_cleanup();
        }
        if (client->tunnel != NULL)
                ssh_tunnel_close(client->tunnel);
        buf_destroy(&client->body);
        free(client->base_url);
        free(client->display);
        free(client->timeout_text);
        free(client);
}
