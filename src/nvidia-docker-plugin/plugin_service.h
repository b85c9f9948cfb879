/*
 * plugin_service: the life of nvidia-docker-plugin as a service, between main's flag parsing
 * and its exit (man/nvidia-docker-plugin.8.in: DESCRIPTION, SYSTEMD, DRIVER UPGRADES, SIGNALS).
 *
 *   struct plugin_service service;
 *   if (plugin_service_start(&service, &config, &err) < 0) -> log err, exit 1
 *   rc = plugin_service_run(&service);  until SIGINT or SIGTERM (or a failed first discovery)
 *   plugin_service_stop(&service);
 *
 * Start-up: the volume store, then both servers, at once; GPU discovery runs on the NVML
 * thread (gpu_state) meanwhile, and requests that need the GPUs answer 503 / Err with why until
 * it is done. Then the service tells systemd READY=1 with a STATUS naming the GPUs and the
 * driver (once both sockets have answered a request of its own), and builds the running
 * driver's volume in the background. Before a request that depends on the driver, a cheap
 * check (driver_watch) notices a changed kernel module: the GPUs are discovered again
 * (RELOADING=1), the volume store switches to the new version and builds its volume, the CDI
 * spec is rewritten, and old volume names keep working with the new driver. SIGHUP asks for
 * the same by hand. A failed rediscovery withdraws the CDI spec. A failed first discovery ends the
 * service with exit status 1.
 *
 * plugin_service_start blocks SIGINT, SIGTERM, SIGHUP and SIGUSR1 in the calling thread (the
 * threads it starts inherit the mask; plugin_service_run takes them with sigwait) and ignores
 * SIGPIPE. On failure it undoes what it did.
 */
#ifndef NVD_PLUGIN_SERVICE_H
#define NVD_PLUGIN_SERVICE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "nvidia-docker-plugin/cdi_publish.h"
#include "nvidia-docker-plugin/dev_watch.h"
#include "nvidia-docker-plugin/driver_watch.h"
#include "nvidia-docker-plugin/gpu_state.h"
#include "nvidia-docker-plugin/http_server.h"
#include "nvidia-docker-plugin/systemd_notify.h"
#include "nvidia-docker-plugin/volume_api.h"

/* Everything main learnt from the flags and the environment, as values (borrowed strings). */
struct plugin_service_config {
        const char *listen;           /* -l */
        const char *socket_dir;       /* -s */
        const char *volume_root;      /* -d */
        const char *driver_root;      /* -r */
        bool copy;                    /* -c */
        const char *dev_root;         /* where device nodes are looked up ("/dev") */
        const char *sys_root;         /* where sysfs is read ("/sys") */
        const char *proc_root;        /* where /proc/driver/nvidia is read ("/proc") */
        const char *path_env;         /* PATH, for the driver's programs */
        size_t copy_threads;          /* 0: the default */
        const char *notify_socket;    /* $NOTIFY_SOCKET, or NULL */
        unsigned int max_connections; /* per server; 0: HTTP_SERVER_MAX_CONNECTIONS */
        const char *cdi_dir;          /* -cdi; NULL or "": no CDI spec (docs/cdi.md) */
};

/* A request for the volume builder thread: the version to build (NULL: none pending). */
struct provisioner {
        pthread_t thread;
        bool started;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        char *version;
        atomic_bool stopping;
};

struct plugin_service {
        struct plugin_service_config config;
        sigset_t signals;
        struct systemd_notify notify;
        struct driver_watch watch;
        bool watch_ready;
        struct gpu_state gpu;
        struct volume_api volumes;
        bool volumes_ready;
        struct cdi_publish cdi; /* the CDI spec, when cdi_ready */
        bool cdi_ready;
        char *socket_path;
        struct http_server *plugin_server, *remote_server;
        struct provisioner provisioner;
        atomic_bool servers_up;        /* both servers answer */
        bool nvidia_runtime;           /* NVIDIA's container toolkit is here (nvidia_toolkit.h) */
        struct dev_watch dev;          /* changes of the device directory */
        atomic_uint control_nodes;     /* service_routes.c: the control nodes last found */
        atomic_ulong control_nodes_at; /* ... at this dev_watch generation */
        atomic_bool announced;         /* READY=1 sent */
        pthread_mutex_t fatal_lock;
        char *fatal; /* a failed first discovery: the error to exit with */
};

int plugin_service_start(struct plugin_service *service, const struct plugin_service_config *config,
                         struct error *err);
/* Serves until SIGINT or SIGTERM (0), or until the first discovery failed (1, the error
 * logged); SIGHUP rediscovers the GPUs meanwhile. */
int plugin_service_run(struct plugin_service *service);
void plugin_service_stop(struct plugin_service *service);

/* How long a request may wait for a discovery in progress (ms): under the 1 s promise. */
#define SERVICE_WAIT_MS 800

#endif
