/*
 * ssh_probe: opens an SSH tunnel (src/nvidia-docker/ssh_tunnel.c) the way the wrapper does and
 * makes HTTP GET requests through it with libcurl on the tunnel's socket, for the tests and the
 * benchmark before (and besides) the plugin client.
 *
 *   ssh_probe [-l USER] [-p SSHPORT] [-P PLUGINPORT] [-n COUNT] [-r] HOST PATH
 *
 * libcurl connects to the tunnel's abstract socket (CURLOPT_ABSTRACT_UNIX_SOCKET) and makes
 * COUNT requests on one keep-alive connection. -r instead writes one raw HTTP/1.0 request on
 * ssh_tunnel_fd() and prints the whole answer (tests that path of the contract).
 * Prints each answer body on stdout, then "requests: N channels: N" on stderr. Exit 0 when
 * every request answered 200; 1 with "ssh_probe: error: <message>" otherwise.
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "nvidia-docker/ssh_tunnel.h"

/* One HTTP/1.0 GET on ssh_tunnel_fd(), answer to stdout. */
static int raw_get(struct ssh_tunnel *tunnel, const char *path)
{
        int fd = ssh_tunnel_fd(tunnel);
        if (fd < 0) {
                fprintf(stderr, "ssh_probe: error: no tunnel fd\n");
                return 1;
        }
        cleanup_free char *request = xasprintf("GET %s HTTP/1.0\r\nHost: plugin\r\n\r\n", path);
        if (write(fd, request, strlen(request)) != (ssize_t)strlen(request))
                return 1;
        struct buf answer = BUF_INIT;
        int rc = buf_read_fd(&answer, fd, 1 << 20);
        fwrite(answer.data ? answer.data : "", 1, answer.len, stdout);
        int status = rc == 0 && answer.data && strstr(answer.data, " 200 ") ? 0 : 1;
        if (status)
                fprintf(stderr, "ssh_probe: error: HTTP exchange through the tunnel fd failed\n");
        buf_destroy(&answer);
        return status;
}

static size_t collect(char *data, size_t size, size_t count, void *userp)
{
        buf_append(userp, data, size * count);
        return size * count;
}

int main(int argc, char *argv[])
{
        struct plugin_target target = {
            .transport = PLUGIN_TRANSPORT_SSH,
            .source = "ssh_probe",
            .ssh_port = "22",
            .plugin_port = "3476",
        };
        int count = 1, opt;
        bool raw = false;
        while ((opt = getopt(argc, argv, "l:p:P:n:r")) != -1) {
                switch (opt) {
                case 'l':
                        target.ssh_user = optarg;
                        target.ssh_user_explicit = true;
                        break;
                case 'p':
                        target.ssh_port = optarg;
                        target.ssh_port_explicit = true;
                        break;
                case 'P':
                        target.plugin_port = optarg;
                        break;
                case 'r':
                        raw = true;
                        break;
                case 'n':
                        count = atoi(optarg);
                        break;
                default:
                        fprintf(stderr, "usage: ssh_probe [-l USER] [-p SSHPORT] [-P PLUGINPORT] "
                                        "[-n COUNT] [-r] HOST PATH\n");
                        return 2;
                }
        }
        if (argc - optind != 2) {
                fprintf(stderr,
                        "usage: ssh_probe [-l USER] [-p SSHPORT] [-P PLUGINPORT] [-n COUNT] "
                        "HOST PATH\n");
                return 2;
        }
        target.ssh_host = argv[optind];
        if (!target.ssh_user_explicit)
                target.ssh_user = getenv("USER");
        const char *path = argv[optind + 1];

        struct error err = ERROR_INIT;
        struct ssh_tunnel *tunnel = NULL;
        if (ssh_tunnel_open(&target, &tunnel, &err) < 0) {
                fprintf(stderr, "ssh_probe: error: %s\n", err.message);
                error_clear(&err);
                return 1;
        }
        if (raw) {
                int status = raw_get(tunnel, path);
                ssh_tunnel_close(tunnel);
                return status;
        }
        curl_global_init(CURL_GLOBAL_DEFAULT);
        CURL *curl = curl_easy_init();
        cleanup_free char *url = xasprintf("http://127.0.0.1:%s%s", target.plugin_port, path);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        if (getenv("NVD_PROBE_VERBOSE"))
                curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
        curl_easy_setopt(curl, CURLOPT_ABSTRACT_UNIX_SOCKET, ssh_tunnel_socket_name(tunnel));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
        int status = 0, done = 0;
        for (int i = 0; i < count; i++) {
                struct buf body = BUF_INIT;
                curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
                CURLcode rc = curl_easy_perform(curl);
                long code = 0;
                curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
                if (rc != CURLE_OK || code != 200) {
                        fprintf(stderr,
                                "ssh_probe: error: HTTP exchange through the tunnel "
                                "failed: %s (status %ld)\n",
                                rc != CURLE_OK ? curl_easy_strerror(rc) : "bad status", code);
                        buf_destroy(&body);
                        status = 1;
                        break;
                }
                fwrite(body.data ? body.data : "", 1, body.len, stdout);
                if (body.len == 0 || body.data[body.len - 1] != '\n')
                        putchar('\n');
                buf_destroy(&body);
                done++;
        }
        curl_easy_cleanup(curl);
        curl_global_cleanup();
        unsigned channels = ssh_tunnel_channels(tunnel);
        ssh_tunnel_close(tunnel);
        fprintf(stderr, "requests: %d channels: %u\n", done, channels);
        return status;
}
