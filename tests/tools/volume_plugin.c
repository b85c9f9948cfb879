/*
 * volume_plugin: a test tool that serves ONLY the Docker volume plugin protocol (volume_api)
 * on a unix socket through the plugin's own http_server, without NVML. For the volume
 * benchmark and for integration tests run while the daemon does not serve volumes yet.
 *   volume_plugin -s SOCKET -d VOLUMES -r DRIVER_ROOT -V DRIVER_VERSION
 * Runs until SIGINT/SIGTERM; logs like the daemon on stderr.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "nvidia-docker-plugin/http_server.h"
#include "nvidia-docker-plugin/volume_api.h"

int main(int argc, char **argv)
{
        const char *socket_path = NULL, *volumes = NULL, *root = "/", *version = NULL;
        int opt;
        while ((opt = getopt(argc, argv, "s:d:r:V:")) != -1) {
                switch (opt) {
                case 's':
                        socket_path = optarg;
                        break;
                case 'd':
                        volumes = optarg;
                        break;
                case 'r':
                        root = optarg;
                        break;
                case 'V':
                        version = optarg;
                        break;
                default:
                        goto usage;
                }
        }
        if (socket_path == NULL || volumes == NULL || version == NULL)
                goto usage;
        log_init(argv[0]);
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop, NULL);
        signal(SIGPIPE, SIG_IGN);
        struct error err = ERROR_INIT;
        struct volume_api api;
        struct volume_api_config config = {.volume_root = volumes,
                                           .driver_root = root,
                                           .driver_version = version,
                                           .path_env = getenv("PATH")};
        if (volume_api_init(&api, &config, &err) < 0) {
                log_error("%s", err.message);
                return 1;
        }
        struct http_server_options options = {.threads = 4};
        struct http_server *server =
            http_server_start_unix(socket_path, volume_api_handle, &api, &options, &err);
        if (server == NULL) {
                log_error("%s", err.message);
                volume_api_destroy(&api);
                return 1;
        }
        log_msg("Serving plugin API at %s", socket_path);
        int sig;
        while (sigwait(&stop, &sig) != 0)
                ;
        http_server_stop(server);
        volume_api_destroy(&api);
        log_msg("Successfully terminated");
        return 0;
usage:
        fprintf(stderr, "usage: volume_plugin -s SOCKET -d VOLUMES [-r DRIVER_ROOT] -V VERSION\n");
        return 2;
}
