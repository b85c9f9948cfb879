#include "nvidia-docker-plugin/plugin_service.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_nodes.h"
#include "nvidia-docker-plugin/nvidia_toolkit.h"
#include "nvidia-docker-plugin/service_probe.h"
#include "nvidia-docker-plugin/volume_name.h"
#include "nvidia-docker-plugin/service_routes.h"

/* Bind mounts made in a mount namespace of the plugin's own (systemd PrivateTmp=, ProtectSystem=,
 * unshare) are not seen by Docker: there the driver files are copied. Where PID 1's namespace
 * cannot be read, the plugin is taken to share it. */
static bool private_mount_namespace(const char *proc_root)
{
        char self[64] = "", init[64] = "";
        cleanup_free char *self_path = xasprintf("%s/self/ns/mnt", proc_root);
        cleanup_free char *init_path = xasprintf("%s/1/ns/mnt", proc_root);
        ssize_t a = readlink(self_path, self, sizeof(self) - 1);
        ssize_t b = readlink(init_path, init, sizeof(init) - 1);
        if (a <= 0 || b <= 0 || strcmp(self, init) == 0)
                return false;
        log_msg("The plugin has a mount namespace of its own (%s, PID 1 has %s): driver files that "
                "cannot be hard-linked are copied, since Docker would not see bind mounts",
                self, init);
        return true;
}

/* "3 GPUs (0: Tesla P100-PCIE-16GB, 1: ...), driver 375.39, CUDA 8.0": for STATUS= and logs. */
static char *describe(const struct gpu_snapshot *snapshot)
{
        struct strv gpus = STRV_INIT;
        for (size_t i = 0; i < snapshot->inventory.count; i++) {
                const struct gpu_device *d = &snapshot->inventory.devices[i];
                strv_pushf(&gpus, "%zu: %s", i, d->model ? d->model : d->uuid);
        }
        cleanup_free char *list = strv_join(&gpus, ", ");
        strv_destroy(&gpus);
        size_t n = snapshot->inventory.count;
        return xasprintf("%zu GPU%s (%s), driver %s, CUDA %s", n, n == 1 ? "" : "s", list,
                         snapshot->driver_version, snapshot->cuda_version);
}

/* ---- after each discovery ---- */

static int on_discovered(void *context, const struct gpu_snapshot *fresh,
                         const struct gpu_snapshot *previous, struct error *err)
{
        struct plugin_service *service = context;
        if (volume_api_set_driver(&service->volumes, fresh->driver_version, err) < 0)
                return -1;
        cleanup_free char *what = describe(fresh);
        if (previous == NULL)
                log_msg("Found %s", what);
        else if (strcmp(previous->driver_version, fresh->driver_version) != 0)
                log_msg("Driver changed from %s to %s: serving %s; volumes of older names are "
                        "served with the new driver",
                        previous->driver_version, fresh->driver_version, what);
        else
                log_msg("GPUs discovered again: %s", what);
        struct provisioner *p = &service->provisioner;
        pthread_mutex_lock(&p->lock);
        free(p->version);
        p->version = xstrdup(fresh->driver_version);
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        return 0;
}

static void on_failed(void *context, const struct error *err, bool first)
{
        struct plugin_service *service = context;
        systemd_notify_send(&service->notify, "STATUS=Cannot discover the GPUs: %s", err->message);
        if (!first) {
                if (service->cdi_ready)
                        cdi_publish_withdraw(&service->cdi, err->message);
                log_error("Cannot discover the GPUs again: %s; serving 503 until a driver change "
                          "or SIGHUP (systemctl reload nvidia-docker-plugin) succeeds",
                          err->message);
                return;
        }
        pthread_mutex_lock(&service->fatal_lock);
        free(service->fatal);
        service->fatal = xstrdup(err->message);
        pthread_mutex_unlock(&service->fatal_lock);
        kill(getpid(), SIGUSR1); /* plugin_service_run ends the service */
}

/* The CDI spec (cdi_publish) after each discovery, once the volume is built: it follows the
 * inventory and the driver. Never fatal: the spec is withdrawn with why. */
static void service_update_cdi_spec(struct plugin_service *service,
                                    const struct gpu_snapshot *snapshot)
{
        if (!service->cdi_ready)
                return;
        long start = monotonic_ms();
        struct error err = ERROR_INIT;
        if (cdi_spec_update(&service->cdi, &snapshot->inventory, snapshot->driver_version, &err) <
            0)
                log_warning("%s", err.message);
        else
                log_msg("CDI spec %s/%s written (%ld ms)", service->cdi.spec_dir, CDI_SPEC_FILE,
                        monotonic_ms() - start);
        error_clear(&err);
}

/* Eager provisioning of one version: one log line, never fatal (a Create retries). */
static void provision(struct plugin_service *service, const char *version)
{
        long start = monotonic_ms();
        struct error err = ERROR_INIT;
        bool built = false;
        if (volume_store_ensure(&service->volumes.store, version, &built, &err) < 0)
                log_warning("Driver volume %s_%s not provisioned (a Create will retry): %s",
                            VOLUME_KIND_DRIVER, version, err.message);
        else if (built)
                log_msg("Driver volume %s_%s ready (built in %ld ms)", VOLUME_KIND_DRIVER, version,
                        monotonic_ms() - start);
        else
                log_msg("Driver volume %s_%s already provisioned", VOLUME_KIND_DRIVER, version);
        error_clear(&err);
}

/* After each discovery: READY=1 with the new inventory, then the volume, then the CDI spec. */
static void *provisioner_main(void *arg)
{
        struct plugin_service *service = arg;
        struct provisioner *p = &service->provisioner;
        pthread_mutex_lock(&p->lock);
        for (;;) {
                while (p->version == NULL && !p->stopping)
                        pthread_cond_wait(&p->wake, &p->lock);
                if (p->stopping)
                        break;
                char *version = steal_pointer(&p->version);
                pthread_mutex_unlock(&p->lock);
                /* The snapshot is published right after `discovered` returned. */
                struct gpu_snapshot *snapshot =
                    gpu_state_wait_discovered(&service->gpu, monotonic_ms() + 5000);
                if (snapshot != NULL) {
                        cleanup_free char *what = describe(snapshot);
                        systemd_notify_send(&service->notify, "READY=1\nSTATUS=Serving %s", what);
                        atomic_store(&service->announced, true);
                }
                provision(service, version);
                if (snapshot != NULL)
                        service_update_cdi_spec(service, snapshot);
                gpu_snapshot_release(snapshot);
                free(version);
                pthread_mutex_lock(&p->lock);
        }
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

/* ---- start, run, stop ---- */

static int open_volumes(struct plugin_service *service, struct error *err)
{
        const struct plugin_service_config *config = &service->config;
        log_msg("Provisioning volumes at %s", config->volume_root);
        struct volume_api_config volume_config = {
            .volume_root = config->volume_root,
            .driver_root = config->driver_root,
            .path_env = config->path_env,
            .bind_mounts = !config->copy && !private_mount_namespace(config->proc_root),
            .copy_threads = config->copy_threads,
            .ready = service_volume_ready,
            .ready_context = service,
        };
        if (volume_api_init(&service->volumes, &volume_config, err) < 0)
                return -1;
        service->volumes_ready = true;
        if (config->cdi_dir == NULL || config->cdi_dir[0] == '\0') {
                log_msg("CDI spec: none (-cdi=)");
                return 0;
        }
        /* The spec's driver files: a tree of its own, built like the volume (cdi_publish.h). */
        cleanup_free char *cdi_store = xasprintf("%s/cdi", config->volume_root);
        struct cdi_publish_config cdi_config = {
            .spec_dir = config->cdi_dir,
            .store_root = cdi_store,
            .dev_root = config->dev_root,
            .files = {.root = config->driver_root, .path_env = config->path_env},
            .bind_mounts = volume_config.bind_mounts,
        };
        if (cdi_publish_init(&service->cdi, &cdi_config, err) < 0)
                return -1;
        service->cdi_ready = true;
        return 0;
}

/* Descriptors kept for what is not a connection: listeners, epoll, NVML, driver files. */
#define SPARE_DESCRIPTORS 256

/* The soft descriptor limit raised as far as needed (up to the hard one) for both servers'
 * connection limits; returns the connections each server may take. */
static unsigned int connection_limit(void)
{
        struct rlimit limit;
        rlim_t want = 2 * (rlim_t)HTTP_SERVER_MAX_CONNECTIONS + SPARE_DESCRIPTORS;
        if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
                return HTTP_SERVER_MAX_CONNECTIONS;
        if (limit.rlim_cur < want) {
                limit.rlim_cur = limit.rlim_max < want ? limit.rlim_max : want;
                setrlimit(RLIMIT_NOFILE, &limit);
                getrlimit(RLIMIT_NOFILE, &limit);
        }
        if (limit.rlim_cur >= want)
                return HTTP_SERVER_MAX_CONNECTIONS;
        unsigned int each = limit.rlim_cur > 2 * SPARE_DESCRIPTORS
                                ? (unsigned int)((limit.rlim_cur - SPARE_DESCRIPTORS) / 2)
                                : 64;
        log_warning("Only %llu file descriptors (ulimit -n): at most %u connections per server "
                    "instead of %d",
                    (unsigned long long)limit.rlim_cur, each, HTTP_SERVER_MAX_CONNECTIONS);
        return each;
}

static int start_servers(struct plugin_service *service, struct error *err)
{
        const struct plugin_service_config *config = &service->config;
        unsigned int connections = connection_limit();
        if (config->max_connections != 0 && config->max_connections < connections)
                connections = config->max_connections;
        log_msg("Serving plugin API at %s", config->socket_dir);
        log_msg("Serving remote API at %s", config->listen);
        mkdir(config->socket_dir, 0700); /* errors show up at bind */
        service->socket_path = xasprintf("%s/nvidia-docker.sock", config->socket_dir);
        struct http_server_options volume_options = {
            .max_body = VOLUME_API_MAX_BODY,
            .max_connections = connections,
            .slow = volume_api_is_slow,
        };
        service->plugin_server = http_server_start_unix(service->socket_path, volume_api_handle,
                                                        &service->volumes, &volume_options, err);
        if (service->plugin_server == NULL)
                return -1;
        struct http_server_options rest_options = {
            .max_connections = connections,
            .slow = service_rest_is_slow,
        };
        service->remote_server =
            http_server_start_tcp(config->listen, service_rest_handle, service, &rest_options, err);
        if (service->remote_server == NULL)
                return -1;
        /* Both sockets must answer before systemd is told READY=1. */
        if (service_probe_unix(service->socket_path, err) < 0 ||
            service_probe_tcp(config->listen, err) < 0)
                return -1;
        atomic_store(&service->servers_up, true);
        return 0;
}

static int start_provisioner(struct plugin_service *service, struct error *err)
{
        struct provisioner *p = &service->provisioner;
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->wake, NULL);
        int rc = pthread_create(&p->thread, NULL, provisioner_main, service);
        if (rc != 0)
                return error_set_errno(err, rc, "cannot start the volume thread");
        p->started = true;
        return 0;
}

int plugin_service_start(struct plugin_service *service, const struct plugin_service_config *config,
                         struct error *err)
{
        memset(service, 0, sizeof(*service));
        service->config = *config;
        service->notify.fd = -1;
        pthread_mutex_init(&service->fatal_lock, NULL);
        /* Signals are taken by sigwait() in plugin_service_run; threads inherit the mask. */
        sigemptyset(&service->signals);
        sigaddset(&service->signals, SIGINT);
        sigaddset(&service->signals, SIGTERM);
        sigaddset(&service->signals, SIGHUP);
        sigaddset(&service->signals, SIGUSR1);
        pthread_sigmask(SIG_BLOCK, &service->signals, NULL);
        signal(SIGPIPE, SIG_IGN);
        /* CUDA is opened for device properties only: no unified memory, no JIT cache. */
        setenv("CUDA_DISABLE_UNIFIED_MEMORY", "1", 1);
        setenv("CUDA_CACHE_DISABLE", "1", 1);
        unsetenv("CUDA_VISIBLE_DEVICES");
        if (systemd_notify_open(&service->notify, config->notify_socket, err) < 0)
                goto fail;
        service->nvidia_runtime = nvidia_toolkit_present(config->path_env);
        if (service->nvidia_runtime)
                log_msg("NVIDIA's container toolkit is installed: the wrapper will run GPU "
                        "containers with runtime runc, so that it adds no GPU beyond the "
                        "selection");
        driver_watch_init(&service->watch, config->proc_root);
        service->watch_ready = true;
        dev_watch_start(&service->dev, config->dev_root);
        if (open_volumes(service, err) < 0 || start_provisioner(service, err) < 0 ||
            start_servers(service, err) < 0)
                goto fail;
        systemd_notify_send(&service->notify, "STATUS=Discovering the GPUs");
        log_msg("Loading NVIDIA unified memory");
        struct error uvm = ERROR_INIT; /* not fatal: /docker/cli reports it to the caller */
        if (device_nodes_ensure_uvm(config->dev_root, &uvm) < 0)
                log_warning("%s", uvm.message);
        error_clear(&uvm);
        struct gpu_state_config gpu_config = {
            .dev_root = config->dev_root,
            .sys_root = config->sys_root,
            .proc_root = config->proc_root,
            .context = service,
            .discovered = on_discovered,
            .failed = on_failed,
        };
        if (gpu_state_start(&service->gpu, &gpu_config, err) < 0)
                goto fail;
        return 0;
fail:
        plugin_service_stop(service);
        return -1;
}

int plugin_service_run(struct plugin_service *service)
{
        for (;;) {
                int sig = 0;
                if (sigwait(&service->signals, &sig) != 0)
                        continue;
                if (sig == SIGINT || sig == SIGTERM)
                        return 0;
                if (sig == SIGHUP) {
                        device_nodes_retry_uvm();
                        log_msg("Reload asked for (SIGHUP): discovering the GPUs again");
                        systemd_notify_send(&service->notify,
                                            "RELOADING=1\nSTATUS=Discovering the GPUs again");
                        gpu_state_rediscover(&service->gpu);
                        continue;
                }
                pthread_mutex_lock(&service->fatal_lock);
                cleanup_free char *fatal = steal_pointer(&service->fatal);
                pthread_mutex_unlock(&service->fatal_lock);
                if (fatal != NULL) {
                        log_error("%s", fatal);
                        return 1;
                }
        }
}

static void provisioner_stop(struct provisioner *p)
{
        if (!p->started)
                return;
        pthread_mutex_lock(&p->lock);
        atomic_store(&p->stopping, true);
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        free(p->version);
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        p->started = false;
}

void plugin_service_stop(struct plugin_service *service)
{
        systemd_notify_send(&service->notify, "STOPPING=1\nSTATUS=Stopping");
        /* A build in progress (eager or a Create's) ends soon and removes its directory. */
        if (service->volumes_ready)
                volume_store_stop(&service->volumes.store);
        if (service->cdi_ready)
                cdi_publish_stop(&service->cdi);
        http_server_stop(service->remote_server);
        http_server_stop(service->plugin_server);
        service->remote_server = service->plugin_server = NULL;
        provisioner_stop(&service->provisioner);
        /* No spec once stopped, even when NVML hangs below (the publisher is kept then). */
        if (service->cdi_ready)
                cdi_publish_withdraw(&service->cdi, "the plugin is stopping");
        if (!gpu_state_stop(&service->gpu))
                return; /* NVML hung: its thread may still call back into what follows */
        if (service->cdi_ready)
                cdi_publish_destroy(&service->cdi); /* a stopped plugin publishes no spec */
        service->cdi_ready = false;
        if (service->volumes_ready)
                volume_api_destroy(&service->volumes);
        service->volumes_ready = false;
        if (service->watch_ready) {
                driver_watch_destroy(&service->watch);
                dev_watch_stop(&service->dev);
        }
        service->watch_ready = false;
        systemd_notify_close(&service->notify);
        free(service->socket_path);
        service->socket_path = NULL;
        free(service->fatal);
        service->fatal = NULL;
}
