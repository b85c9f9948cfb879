/*
 * plugin_service: the life of nvidia-docker-plugin as a service, between main's flag parsing
 * and its exit: start-up (nvidia-uvm, NVML, GPU discovery, the volume store, both servers), the
 * eager build of the running driver's volume, waiting for SIGINT/SIGTERM, and shutdown.
 * See man/nvidia-docker-plugin.8.in (DESCRIPTION, SIGNALS).
 *
 *   struct plugin_service service;
 *   if (plugin_service_start(&service, &config, &err) < 0) -> log err, exit 1
 *   plugin_service_wait(&service);      until SIGINT or SIGTERM
 *   plugin_service_stop(&service);
 *
 * plugin_service_start blocks SIGINT and SIGTERM in the calling thread (every thread it starts
 * inherits the mask; plugin_service_wait takes them with sigwait) and ignores SIGPIPE. On
 * failure it undoes what it did. plugin_service_stop stops a volume build in progress (its
 * temporary directory is removed), both servers (the socket file is removed), joins the
 * build's thread and frees everything.
 */
#ifndef NVD_PLUGIN_SERVICE_H
#define NVD_PLUGIN_SERVICE_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "nvidia-docker-plugin/gpu_discover.h"
#include "nvidia-docker-plugin/http_server.h"
#include "nvidia-docker-plugin/rest_api.h"
#include "nvidia-docker-plugin/volume_api.h"

/* Everything main learnt from the flags and the environment, as values (borrowed strings). */
struct plugin_service_config {
        const char *listen;      /* -l */
        const char *socket_dir;  /* -s */
        const char *volume_root; /* -d */
        const char *driver_root; /* -r */
        bool copy;               /* -c */
        const char *dev_root;    /* where device nodes are looked up ("/dev") */
        const char *sys_root;    /* where sysfs is read ("/sys") */
        const char *path_env;    /* PATH, for the driver's programs */
        size_t copy_threads;     /* 0: the default */
};

struct plugin_service {
        sigset_t stop_signals;
        struct gpu_source source;
        bool source_open;
        struct gpu_inventory inventory;
        struct rest_api api;
        char *driver_version;
        struct volume_api volumes;
        bool volumes_ready;
        char *socket_path;
        struct http_server *plugin_server, *remote_server;
        pthread_t provision_thread;
        bool provisioning;
};

int plugin_service_start(struct plugin_service *service, const struct plugin_service_config *config,
                         struct error *err);
/* Returns when SIGINT or SIGTERM arrives. */
void plugin_service_wait(struct plugin_service *service);
void plugin_service_stop(struct plugin_service *service);

#endif
