/*
 * nvidia-docker-plugin: the GPU daemon. main() parses 1.0's flags, reads the environment (the
 * test hooks below), and hands both as values to plugin_service, which runs the service until
 * SIGINT or SIGTERM. Test hooks (not flags, so the usage stays 1.0's): NVD_DEV_ROOT (where device
 * nodes are looked up, default /dev), NVD_SYS_ROOT (sysfs, default /sys), NVD_PROC_ROOT (procfs,
 * default /proc: the driver's version file and MIG capability files), NVD_COPY_THREADS (1-99:
 * threads of a volume build, for the benchmarks; default min(16, CPUs)), NVD_MAX_CONNECTIONS
 * (1-99999: connections per server, lower than the default 4096, to test the limit). NOTIFY_SOCKET
 * is systemd's. -cdi DIR is where the CDI spec goes (docs/cdi.md; -cdi= turns it off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/plugin_service.h"

struct options {
        const char *listen;
        const char *socket_dir;
        const char *volumes;
        const char *driver_root;
        const char *cdi_dir; /* -cdi; "" writes no CDI spec */
        int version;
        int copy; /* -c */
};

static void usage(FILE *out)
{
        fprintf(out, "Usage of nvidia-docker-plugin:\n"
                     "  -c\tCopy the driver files that cannot be hard-linked (default: bind-mount "
                     "them read-only when allowed)\n"
                     "  -cdi string\n"
                     "    \tDirectory of the CDI spec nvidia-docker.json, \"\" for no CDI spec "
                     "(default \"/var/run/cdi\")\n"
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
                else if (strcmp(key, "cdi") == 0)
                        slot = &o->cdi_dir;
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

/* NVD_MAX_CONNECTIONS: 1 to 99999, else 0 (the default). */
static unsigned int max_connections(const char *value)
{
        if (value == NULL || value[0] < '1' || value[0] > '9' || strlen(value) > 5 ||
            strspn(value, "0123456789") != strlen(value))
                return 0;
        return (unsigned int)strtoul(value, NULL, 10);
}

/* NVD_COPY_THREADS: 1 to 99, else 0 (the default). */
static size_t copy_threads(const char *value)
{
        if (value == NULL || value[0] < '1' || value[0] > '9')
                return 0;
        if (value[1] == '\0')
                return (size_t)(value[0] - '0');
        if (value[1] >= '0' && value[1] <= '9' && value[2] == '\0')
                return (size_t)((value[0] - '0') * 10 + (value[1] - '0'));
        return 0;
}

static const char *env_or(const char *name, const char *fallback)
{
        const char *value = getenv(name);
        return value != NULL && value[0] != '\0' ? value : fallback;
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
            .cdi_dir = "/var/run/cdi",
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
        struct plugin_service_config config = {
            .listen = o.listen,
            .socket_dir = o.socket_dir,
            .volume_root = o.volumes,
            .driver_root = o.driver_root,
            .copy = o.copy,
            .cdi_dir = o.cdi_dir,
            .dev_root = env_or("NVD_DEV_ROOT", "/dev"),
            .sys_root = env_or("NVD_SYS_ROOT", "/sys"),
            .proc_root = env_or("NVD_PROC_ROOT", "/proc"),
            .path_env = getenv("PATH"),
            .copy_threads = copy_threads(getenv("NVD_COPY_THREADS")),
            .notify_socket = getenv("NOTIFY_SOCKET"),
            .max_connections = max_connections(getenv("NVD_MAX_CONNECTIONS")),
        };
        /* Read once: nvidia-modprobe and other children must not talk to systemd for us. */
        cleanup_free char *notify_socket =
            config.notify_socket != NULL ? xstrdup(config.notify_socket) : NULL;
        config.notify_socket = notify_socket;
        unsetenv("NOTIFY_SOCKET");
        struct error err = ERROR_INIT;
        /* Static: a service stopped with NVML hung keeps what that thread may still use. */
        static struct plugin_service service;
        if (plugin_service_start(&service, &config, &err) < 0)
                return fatal(&err);
        rc = plugin_service_run(&service);
        plugin_service_stop(&service);
        if (rc == 0)
                log_msg("Successfully terminated");
        return rc;
}
