#include "nvidia-docker-plugin/plugin_service.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_nodes.h"
#include "nvidia-docker-plugin/volume_name.h"

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

/* Only when missing: existing nodes are accepted as they are. A failure is not fatal:
 * /docker/cli retries and reports it to the caller. */
static void load_uvm(const char *dev_root)
{
        log_msg("Loading NVIDIA unified memory");
        struct error uvm = ERROR_INIT;
        cleanup_free char *node = xasprintf("%s/nvidia-uvm", dev_root);
        struct stat st;
        if (stat(node, &st) < 0 && device_nodes_load_uvm(&uvm) < 0)
                log_warning("%s", uvm.message);
        error_clear(&uvm);
}

/* NVML, the GPU snapshot and its device nodes; no GPU at all is fatal. */
static int discover(struct plugin_service *service, const struct plugin_service_config *config,
                    struct error *err)
{
        log_msg("Loading NVIDIA management library");
        setenv("CUDA_DISABLE_UNIFIED_MEMORY", "1", 1);
        setenv("CUDA_CACHE_DISABLE", "1", 1);
        unsetenv("CUDA_VISIBLE_DEVICES");
        if (gpu_source_open(&service->source, config->dev_root, config->sys_root, err) < 0)
                return -1;
        service->source_open = true;
        log_msg("Discovering GPU devices");
        if (gpu_discover(&service->source, &service->inventory, err) < 0)
                return -1;
        if (service->inventory.count == 0)
                return error_set(err, "no NVIDIA GPU found: NVML reports 0 devices (driver "
                                      "loaded, but no GPU visible to it)");
        return gpu_check_device_nodes(&service->source, &service->inventory, err);
}

static int open_volumes(struct plugin_service *service, const struct plugin_service_config *config,
                        struct error *err)
{
        log_msg("Provisioning volumes at %s", config->volume_root);
        if (service->api.live.driver_version(service->api.live.context, &service->driver_version,
                                             err) < 0)
                return -1;
        struct volume_api_config volume_config = {
            .volume_root = config->volume_root,
            .driver_root = config->driver_root,
            .driver_version = service->driver_version,
            .path_env = config->path_env,
            .bind_mounts = !config->copy && !private_mount_namespace(),
            .copy_threads = config->copy_threads,
        };
        if (volume_api_init(&service->volumes, &volume_config, err) < 0)
                return -1;
        service->volumes_ready = true;
        return 0;
}

static int start_servers(struct plugin_service *service, const struct plugin_service_config *config,
                         struct error *err)
{
        log_msg("Serving plugin API at %s", config->socket_dir);
        log_msg("Serving remote API at %s", config->listen);
        mkdir(config->socket_dir, 0700); /* errors show up at bind */
        service->socket_path = xasprintf("%s/nvidia-docker.sock", config->socket_dir);
        service->plugin_server = http_server_start_unix(service->socket_path, volume_api_handle,
                                                        &service->volumes, NULL, err);
        if (service->plugin_server == NULL)
                return -1;
        service->remote_server =
            http_server_start_tcp(config->listen, rest_api_handle, &service->api, NULL, err);
        return service->remote_server == NULL ? -1 : 0;
}

/* Eager provisioning: one log line, never fatal (a Create retries and reports). */
static void *provision_main(void *arg)
{
        struct plugin_service *service = arg;
        const char *version = service->driver_version;
        long start = monotonic_ms();
        struct error err = ERROR_INIT;
        bool built = false;
        if (volume_store_ensure(&service->volumes.store, version, &built, &err) < 0)
                log_warning("Driver volume %s_%s not provisioned at start-up (a Create will "
                            "retry): %s",
                            VOLUME_KIND_DRIVER, version, err.message);
        else if (built)
                log_msg("Driver volume %s_%s ready (built in %ld ms)", VOLUME_KIND_DRIVER, version,
                        monotonic_ms() - start);
        else
                log_msg("Driver volume %s_%s already provisioned", VOLUME_KIND_DRIVER, version);
        error_clear(&err);
        return NULL;
}

static void start_provisioning(struct plugin_service *service)
{
        if (pthread_create(&service->provision_thread, NULL, provision_main, service) == 0)
                service->provisioning = true;
        else
                log_warning("Driver volume %s_%s not provisioned at start-up: cannot start a "
                            "thread (a Create will build it)",
                            VOLUME_KIND_DRIVER, service->driver_version);
}

int plugin_service_start(struct plugin_service *service, const struct plugin_service_config *config,
                         struct error *err)
{
        memset(service, 0, sizeof(*service));
        /* Signals are taken by sigwait() in plugin_service_wait; threads inherit the mask. */
        sigemptyset(&service->stop_signals);
        sigaddset(&service->stop_signals, SIGINT);
        sigaddset(&service->stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &service->stop_signals, NULL);
        signal(SIGPIPE, SIG_IGN);

        load_uvm(config->dev_root);
        if (discover(service, config, err) < 0)
                goto fail;
        service->api = (struct rest_api){
            .inventory = &service->inventory,
            .live = gpu_source_live(&service->source),
        };
        if (open_volumes(service, config, err) < 0 || start_servers(service, config, err) < 0)
                goto fail;
        start_provisioning(service);
        return 0;
fail:
        plugin_service_stop(service);
        return -1;
}

void plugin_service_wait(struct plugin_service *service)
{
        int sig = 0;
        while (sigwait(&service->stop_signals, &sig) != 0)
                ;
}

void plugin_service_stop(struct plugin_service *service)
{
        /* A build in progress (eager or a Create's) ends soon and removes its directory. */
        if (service->volumes_ready)
                volume_store_stop(&service->volumes.store);
        http_server_stop(service->remote_server);
        http_server_stop(service->plugin_server);
        service->remote_server = service->plugin_server = NULL;
        if (service->provisioning)
                pthread_join(service->provision_thread, NULL);
        service->provisioning = false;
        if (service->volumes_ready)
                volume_api_destroy(&service->volumes);
        service->volumes_ready = false;
        gpu_inventory_destroy(&service->inventory);
        if (service->source_open)
                gpu_source_close(&service->source);
        service->source_open = false;
        free(service->socket_path);
        free(service->driver_version);
        service->socket_path = service->driver_version = NULL;
}
