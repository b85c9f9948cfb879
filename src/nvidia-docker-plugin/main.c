/*
 * nvidia-docker-plugin: the GPU daemon. Parses 1.0's flags, takes the GPU snapshot, serves the
 * REST API on TCP (-l) and the Docker volume plugin protocol on <-s>/nvidia-docker.sock until
 * SIGINT or SIGTERM. Once both servers are up, a background thread builds the running driver's
 * volume (eager provisioning: no first-container wait); a Create or Mount during that build
 * waits for it on the store's lock. SIGTERM stops a build in progress (volume_store_stop), its
 * temporary directory is removed, and the thread is joined before exit. Test hooks (not flags, so
 * the usage stays 1.0's): NVD_DEV_ROOT (where device nodes are looked up, default /dev),
 * NVD_SYS_ROOT (sysfs, default /sys).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_nodes.h"
#include "nvidia-docker-plugin/gpu_discover.h"
#include "nvidia-docker-plugin/http_server.h"
#include "nvidia-docker-plugin/nvidia_toolkit.h"
#include "nvidia-docker-plugin/rest_api.h"
#include "nvidia-docker-plugin/volume_api.h"
#include "nvidia-docker-plugin/volume_name.h"

struct options {
        const char *listen;
        const char *socket_dir;
        const char *volumes;
        const char *driver_root;
        int version;
        int copy; /* -c */
};

static void usage(FILE *out)
{
        fprintf(out, "Usage of nvidia-docker-plugin:\n"
                     "  -c\tCopy the driver files that cannot be hard-linked (default: bind-mount "
                     "them read-only when allowed)\n"
                     "  -d string\n"
                     "    \tPath where to store the volumes (default "
                     "\"/var/lib/nvidia-docker/volumes\")\n"
                     "  -l string\n"
                     "    \tServer listen address (default \"127.0.0.1:3476\")\n"
                     "  -r string\n"
                     "    \tRoot of the driver files (default \"/\")\n"
                     "  -s string\n"
                     "    \tPath to the plugin socket directory (default "
                     "\"/run/docker/plugins\")\n"
                     "  -v\tShow the plugin version information\n");
}

/* Go flag package rules: -x v, -x=v, --x, --x=v; "--" or the first non-flag stops. */
static int parse_flags(int argc, char **argv, struct options *o)
{
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (a[0] != '-' || a[1] == '\0')
                        break;
                if (strcmp(a, "--") == 0)
                        break;
                const char *name = a + 1;
                if (*name == '-')
                        name++;
                if (*name == '\0' || *name == '-' || *name == '=') {
                        fprintf(stderr, "bad flag syntax: %s\n", a);
                        usage(stderr);
                        return 2;
                }
                cleanup_free char *key = NULL;
                const char *value = NULL;
                const char *eq = strchr(name, '=');
                key = eq ? xstrndup(name, (size_t)(eq - name)) : xstrdup(name);
                if (eq)
                        value = eq + 1;
                if (strcmp(key, "h") == 0 || strcmp(key, "help") == 0) {
                        usage(stderr);
                        return 2;
                }
                if (strcmp(key, "v") == 0 || strcmp(key, "c") == 0) {
                        int *flag = strcmp(key, "v") == 0 ? &o->version : &o->copy;
                        if (value == NULL || strcmp(value, "true") == 0 ||
                            strcmp(value, "1") == 0 || strcmp(value, "t") == 0 ||
                            strcmp(value, "T") == 0 || strcmp(value, "TRUE") == 0 ||
                            strcmp(value, "True") == 0)
                                *flag = 1;
                        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
                                 strcmp(value, "f") == 0 || strcmp(value, "F") == 0 ||
                                 strcmp(value, "FALSE") == 0 || strcmp(value, "False") == 0)
                                *flag = 0;
                        else {
                                fprintf(stderr,
                                        "invalid boolean value \"%s\" for -%s: parse error\n",
                                        value, key);
                                usage(stderr);
                                return 2;
                        }
                        continue;
                }
                const char **slot = NULL;
                if (strcmp(key, "l") == 0)
                        slot = &o->listen;
                else if (strcmp(key, "s") == 0)
                        slot = &o->socket_dir;
                else if (strcmp(key, "d") == 0)
                        slot = &o->volumes;
                else if (strcmp(key, "r") == 0)
                        slot = &o->driver_root;
                if (slot == NULL) {
                        fprintf(stderr, "flag provided but not defined: -%s\n", key);
                        usage(stderr);
                        return 2;
                }
                if (value == NULL) {
                        if (i + 1 >= argc) {
                                fprintf(stderr, "flag needs an argument: -%s\n", key);
                                usage(stderr);
                                return 2;
                        }
                        value = argv[++i];
                }
                *slot = value;
        }
        return 0;
}

/* Bind mounts made in a mount namespace of the plugin's own (systemd PrivateTmp=, ProtectSystem=,
 * unshare) are not seen by Docker: there the driver files are copied. Where PID 1's namespace
 * cannot be read, the plugin is taken to share it. */
static bool private_mount_namespace(void)
{
        char self[64] = "", init[64] = "";
        ssize_t a = readlink("/proc/self/ns/mnt", self, sizeof(self) - 1);
        ssize_t b = readlink("/proc/1/ns/mnt", init, sizeof(init) - 1);
        if (a <= 0 || b <= 0 || strcmp(self, init) == 0)
                return false;
        log_msg("The plugin has a mount namespace of its own (%s, PID 1 has %s): driver files that "
                "cannot be hard-linked are copied, since Docker would not see bind mounts",
                self, init);
        return true;
}

struct provision {
        struct volume_api *volumes;
        const char *version;
};

/* Eager provisioning: one log line, never fatal (a Create retries and reports). */
static void *provision_main(void *arg)
{
        const struct provision *p = arg;
        long start = monotonic_ms();
        struct error err = ERROR_INIT;
        bool built = false;
        if (volume_store_ensure(&p->volumes->store, p->version, &built, &err) < 0)
                log_warning("Driver volume %s_%s not provisioned at start-up (a Create will "
                            "retry): %s",
                            VOLUME_KIND_DRIVER, p->version, err.message);
        else if (built)
                log_msg("Driver volume %s_%s ready (built in %ld ms)", VOLUME_KIND_DRIVER,
                        p->version, monotonic_ms() - start);
        else
                log_msg("Driver volume %s_%s already provisioned", VOLUME_KIND_DRIVER, p->version);
        error_clear(&err);
        return NULL;
}

static int fatal(struct error *err)
{
        log_error("%s", err->message ? err->message : "unknown error");
        error_clear(err);
        return 1;
}

int main(int argc, char **argv)
{
        struct options o = {
            .listen = "127.0.0.1:3476",
            .socket_dir = "/run/docker/plugins",
            .volumes = "/var/lib/nvidia-docker/volumes",
            .driver_root = "/",
        };
        int rc = parse_flags(argc, argv, &o);
        if (rc != 0)
                return rc;
        if (o.version) {
                printf("NVIDIA Docker plugin: %s\n", NVD_VERSION);
                return 0;
        }
        log_init(argv[0]);
        stdio_ensure_open();
        const char *dev_root = getenv("NVD_DEV_ROOT");
        const char *sys_root = getenv("NVD_SYS_ROOT");
        if (dev_root == NULL || dev_root[0] == '\0')
                dev_root = "/dev";
        if (sys_root == NULL || sys_root[0] == '\0')
                sys_root = "/sys";

        /* Signals are handled by sigwait() in this thread; server threads inherit the mask. */
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
        signal(SIGPIPE, SIG_IGN);

        struct error err = ERROR_INIT;
        struct gpu_source source;
        struct gpu_inventory inventory = {NULL, 0};
        struct http_server *plugin_server = NULL, *remote_server = NULL;
        cleanup_free char *socket_path = NULL;
        cleanup_free char *driver_version = NULL;
        struct volume_api volumes;
        int volumes_ready = 0;
        struct provision provision;
        pthread_t provision_thread;
        bool provisioning = false;

        log_msg("Loading NVIDIA unified memory");
        {
                struct error uvm = ERROR_INIT;
                cleanup_free char *node = xasprintf("%s/nvidia-uvm", dev_root);
                struct stat st;
                /* Only when missing: existing nodes are accepted as they are. A failure here is
                 * not fatal: /docker/cli retries and reports it to the caller. */
                if (stat(node, &st) < 0 && device_nodes_load_uvm(&uvm) < 0)
                        log_warning("%s", uvm.message);
                error_clear(&uvm);
        }

        log_msg("Loading NVIDIA management library");
        setenv("CUDA_DISABLE_UNIFIED_MEMORY", "1", 1);
        setenv("CUDA_CACHE_DISABLE", "1", 1);
        unsetenv("CUDA_VISIBLE_DEVICES");
        if (gpu_source_open(&source, dev_root, sys_root, &err) < 0)
                return fatal(&err);

        log_msg("Discovering GPU devices");
        if (gpu_discover(&source, &inventory, &err) < 0) {
                rc = fatal(&err);
                goto out;
        }
        if (inventory.count == 0) {
                error_set(&err, "no NVIDIA GPU found: NVML reports 0 devices (driver loaded, "
                                "but no GPU visible to it)");
                rc = fatal(&err);
                goto out;
        }
        if (gpu_check_device_nodes(&source, &inventory, &err) < 0) {
                rc = fatal(&err);
                goto out;
        }

        struct rest_api api = {
            .inventory = &inventory,
            .live = gpu_source_live(&source),
            .nvidia_runtime = nvidia_toolkit_present(getenv("PATH")),
        };
        if (api.nvidia_runtime)
                log_msg("NVIDIA's container toolkit is installed: the wrapper will run GPU "
                        "containers with runtime runc, so that it adds no GPU beyond the "
                        "selection");
        log_msg("Provisioning volumes at %s", o.volumes);
        if (api.live.driver_version(api.live.context, &driver_version, &err) < 0) {
                rc = fatal(&err);
                goto out;
        }
        struct volume_api_config volume_config = {
            .volume_root = o.volumes,
            .driver_root = o.driver_root,
            .driver_version = driver_version,
            .path_env = getenv("PATH"),
            .bind_mounts = !o.copy && !private_mount_namespace(),
        };
        if (volume_api_init(&volumes, &volume_config, &err) < 0) {
                rc = fatal(&err);
                goto out;
        }
        volumes_ready = 1;

        log_msg("Serving plugin API at %s", o.socket_dir);
        log_msg("Serving remote API at %s", o.listen);
        mkdir(o.socket_dir, 0700); /* errors show up at bind */
        socket_path = xasprintf("%s/nvidia-docker.sock", o.socket_dir);
        plugin_server =
            http_server_start_unix(socket_path, volume_api_handle, &volumes, NULL, &err);
        if (plugin_server == NULL) {
                rc = fatal(&err);
                goto out;
        }
        remote_server = http_server_start_tcp(o.listen, rest_api_handle, &api, NULL, &err);
        if (remote_server == NULL) {
                rc = fatal(&err);
                goto out;
        }

        provision = (struct provision){&volumes, driver_version};
        if (pthread_create(&provision_thread, NULL, provision_main, &provision) == 0)
                provisioning = true;
        else
                log_warning("Driver volume %s_%s not provisioned at start-up: cannot start a "
                            "thread (a Create will build it)",
                            VOLUME_KIND_DRIVER, driver_version);

        int sig = 0;
        while (sigwait(&stop_signals, &sig) != 0)
                ;
        rc = 0;
out:
        /* A build in progress (eager or a Create's) ends soon and removes its directory. */
        if (volumes_ready)
                volume_store_stop(&volumes.store);
        http_server_stop(remote_server);
        http_server_stop(plugin_server);
        if (provisioning)
                pthread_join(provision_thread, NULL);
        if (rc == 0)
                log_msg("Successfully terminated");
        if (volumes_ready)
                volume_api_destroy(&volumes);
        gpu_inventory_destroy(&inventory);
        gpu_source_close(&source);
        return rc;
}
