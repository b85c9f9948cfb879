/*
 * plugin_client over an SSH tunnel, without SSH: this test supplies its own ssh_tunnel_open/
 * ssh_tunnel_fd/ssh_tunnel_close (the linker then leaves the library's ssh_tunnel.o out), whose
 * "tunnel" is a socketpair with a tiny keep-alive HTTP responder thread on the far end. It proves
 * that curl uses the tunnel's socket as already connected, that two requests share it, and
 * that tunnel errors reach the caller. (HTTP transport: tests/integration/test_plugin_client.sh.)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "nvidia-docker/plugin_client.h"
#include "nvidia-docker/ssh/ssh_tunnel.h"
#include "unit.h"

static const char INFO[] =
    "{\"Version\":{\"Driver\":\"580.1\",\"CUDA\":\"13.0\"},\"Devices\":[{\"UUID\":"
    "\"GPU-1\",\"Path\":\"/dev/nvidia0\",\"Model\":null}]}\n";
static const char CLI[] =
    "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_580.1:/usr/"
    "local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia0\"]}\n";

struct ssh_tunnel {
        int local; /* given to plugin_client */
        int far;   /* the responder's end */
        pthread_t thread;
        struct strv requests; /* "GET /path HTTP/1.1|Host: …" per request */
};

static bool fail_open;

static void *responder(void *arg)
{
        struct ssh_tunnel *t = arg;
        struct buf in = BUF_INIT;
        char chunk[4096];
        for (;;) {
                char *end;
                while ((end = in.data ? strstr(in.data, "\r\n\r\n") : NULL) == NULL) {
                        ssize_t n = read(t->far, chunk, sizeof chunk);
                        if (n <= 0)
                                goto out;
                        buf_append(&in, chunk, (size_t)n);
                }
                size_t head_len = (size_t)(end - in.data) + 4;
                cleanup_free char *head = xstrndup(in.data, head_len);
                memmove(in.data, in.data + head_len, in.len - head_len + 1);
                in.len -= head_len;
                char *line_end = strstr(head, "\r\n");
                *line_end = '\0';
                char *host = strcasestr(line_end + 2, "\r\nHost: ");
                if (host == NULL && strncasecmp(line_end + 2, "Host: ", 6) == 0)
                        host = line_end;
                char host_value[128] = "";
                if (host != NULL)
                        sscanf(host + 2, "%*s %127s", host_value);
                strv_pushf(&t->requests, "%s|%s", head, host_value);
                const char *body = strstr(head, "/gpu/info/json") ? INFO : CLI;
                cleanup_free char *answer =
                    xasprintf("HTTP/1.1 200 OK\r\nContent-Type: "
                              "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                              strlen(body), body);
                if (write(t->far, answer, strlen(answer)) < 0)
                        break;
        }
out:
        buf_destroy(&in);
        return NULL;
}

static struct ssh_destination last_destination;

int ssh_tunnel_open(const struct ssh_destination *destination, struct ssh_tunnel **out,
                    struct error *err)
{
        last_destination = *destination;
        if (fail_open)
                return error_set(err, "ssh: connect to %s port %s failed", destination->host,
                                 destination->port ? destination->port : "(default)");
        struct ssh_tunnel *t = xcalloc(1, sizeof *t);
        int sv[2];
        CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        t->local = sv[0];
        t->far = sv[1];
        strv_init(&t->requests);
        pthread_create(&t->thread, NULL, responder, t);
        *out = t;
        return 0;
}

int ssh_tunnel_fd(const struct ssh_tunnel *tunnel)
{
        return tunnel->local;
}

static struct strv last_requests;

void ssh_tunnel_close(struct ssh_tunnel *tunnel)
{
        if (tunnel == NULL)
                return;
        shutdown(tunnel->local, SHUT_RDWR);
        close(tunnel->local);
        pthread_join(tunnel->thread, NULL);
        close(tunnel->far);
        strv_destroy(&last_requests);
        last_requests = tunnel->requests;
        free(tunnel);
}

static void test_ssh_transport(void)
{
        struct plugin_target target;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(host_select("ssh://me@gpu1:2222:5000", "x", "u", &target, &err), 0);
        struct plugin_client *client = NULL;
        CU_ASSERT_EQUAL_FATAL(plugin_client_open(&target, &client, &err), 0);
        /* The tunnel gets plain values: the address's user and SSH port, the plugin port. */
        CU_ASSERT_STRING_EQUAL(last_destination.user, "me");
        CU_ASSERT_PTR_NULL(last_destination.local_user);
        CU_ASSERT_STRING_EQUAL(last_destination.host, "gpu1");
        CU_ASSERT_STRING_EQUAL(last_destination.port, "2222");
        CU_ASSERT_STRING_EQUAL(last_destination.remote_port, "5000");
        struct gpu_info_answer info;
        CU_ASSERT_EQUAL(plugin_client_gpu_info(client, &info, &err), 0);
        if (err.message)
                fprintf(stderr, "%s\n", err.message);
        CU_ASSERT_EQUAL(info.uuids.count, 1);
        gpu_info_answer_destroy(&info);
        struct docker_cli_answer cli;
        struct strv kinds = STRV_INIT;
        strv_push(&kinds, "nvidia_driver");
        struct strv devices = STRV_INIT;
        strv_push(&devices, "0");
        CU_ASSERT_EQUAL(
            plugin_client_docker_cli(client, &kinds, &devices, NULL, "NV_GPU", &cli, &err), 0);
        CU_ASSERT_EQUAL(cli.devices.count, 2);
        docker_cli_answer_destroy(&cli);
        CU_ASSERT_EQUAL(plugin_client_connections(client), 1);
        plugin_client_free(client);
        CU_ASSERT_EQUAL_FATAL(last_requests.count, 2);
        CU_ASSERT_STRING_EQUAL(last_requests.items[0],
                               "GET /v1.0/gpu/info/json HTTP/1.1|127.0.0.1:5000");
        CU_ASSERT_STRING_EQUAL(
            last_requests.items[1],
            "GET /v1.0/docker/cli/json?vol=nvidia_driver&dev=0 HTTP/1.1|127.0.0.1:5000");
        strv_destroy(&last_requests);
        strv_destroy(&kinds);
        strv_destroy(&devices);
        plugin_target_destroy(&target);
        CU_ASSERT_FALSE(error_is_set(&err));
}

static void test_ssh_open_error(void)
{
        struct plugin_target target;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(host_select(NULL, "ssh://gpu1", "u", &target, &err), 0);
        fail_open = true;
        struct plugin_client *client = NULL;
        CU_ASSERT_EQUAL(plugin_client_open(&target, &client, &err), -1);
        CU_ASSERT_PTR_NULL(client);
        CU_ASSERT_STRING_EQUAL(err.message, "ssh: connect to gpu1 port (default) failed");
        /* No user or port in the address: the SSH configuration decides, then $USER, 22. */
        CU_ASSERT_PTR_NULL(last_destination.user);
        CU_ASSERT_STRING_EQUAL(last_destination.local_user, "u");
        CU_ASSERT_PTR_NULL(last_destination.port);
        CU_ASSERT_STRING_EQUAL(last_destination.remote_port, "3476");
        fail_open = false;
        error_clear(&err);
        plugin_target_destroy(&target);
}

static void test_bad_timeout(void)
{
        struct plugin_target target;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(host_select(NULL, NULL, NULL, &target, &err), 0);
        const char *bad[] = {"abc", "0", "-1", "1e9", "nan", "inf", " 5", "5s", ""};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                setenv("NV_TIMEOUT", bad[i], 1);
                struct plugin_client *client = NULL;
                int ret = plugin_client_open(&target, &client, &err);
                if (bad[i][0] == '\0') { /* empty = default */
                        CU_ASSERT_EQUAL(ret, 0);
                        plugin_client_free(client);
                        continue;
                }
                CU_ASSERT_EQUAL(ret, -1);
                CU_ASSERT(err.message != NULL && strstr(err.message, "invalid NV_TIMEOUT") != NULL);
                error_clear(&err);
        }
        setenv("NV_TIMEOUT", "0.25", 1);
        struct plugin_client *client = NULL;
        CU_ASSERT_EQUAL(plugin_client_open(&target, &client, &err), 0);
        CU_ASSERT_EQUAL(plugin_client_connections(client), 0);
        plugin_client_free(client);
        plugin_client_free(NULL);
        unsetenv("NV_TIMEOUT");
        plugin_target_destroy(&target);
}

UNIT_MAIN("plugin_client", UNIT(test_ssh_transport), UNIT(test_ssh_open_error),
          UNIT(test_bad_timeout))
