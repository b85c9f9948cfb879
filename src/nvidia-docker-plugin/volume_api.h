/*
 * volume_api: the Docker volume plugin protocol (docs/volume-plugin.md), served on the plugin's
 * unix socket. Pure with respect to HTTP: http_server hands each request to volume_api_handle().
 *
 * Contract for plugin_service:
 *   struct volume_api api;
 *   struct volume_api_config config = {
 *           .volume_root = "/var/lib/nvidia-docker/volumes",  -d
 *           .driver_root = "/",                               -r (driver files under it)
 *           .path_env = <PATH from main>,                       where binaries are looked for
 *           .ready = ..., .ready_context = ...,               see below
 *   };
 *   if (volume_api_init(&api, &config, &err) < 0) -> print err, exit 1
 *   http_server(..., volume_api_handle, &api)   (handler may run in several threads at once)
 *   volume_api_set_driver(&api, "580.159.04", &err)   once the driver is known, and after
 *                                                     every driver change
 *   volume_api_destroy(&api);
 * volume_api_init creates <volume_root>/nvidia_driver (0755) if missing and removes temporary
 * directories that an interrupted build left behind; it reads no driver file. The file list is
 * computed when a volume is first built (ld.so.cache of the driver root, PATH), not at init;
 * plugin_service builds the running driver's volume in a background thread once it is known
 * (volume_store_ensure on api.store; volume_store_stop at shutdown).
 *
 * Requests that depend on the driver (Create, Remove, Mount, Path, Get) first call `ready`:
 * NULL means go on with the current driver; a text (owned) is answered as the Err, e.g. while
 * the GPUs are being discovered. `ready` may wait when the request may (request->may_block).
 *
 * Calls (POST, exact paths; anything else is 404 `404 page not found\n`):
 *   /Plugin.Activate, /VolumeDriver.{Create,Remove,Mount,Path,Unmount,Get,List,Capabilities}.
 * Replies carry Content-Type application/vnd.docker.plugins.v1+json and 1.0's exact JSON shapes
 * (`"Err":null` on success). Accept: any `application/vnd.docker.plugins.v1*+json`, `*` / `*`,
 * or no header at all; anything else is 406 with an empty body (logged). Request keys are
 * matched case-insensitively; an empty or malformed body is 500 `internal error, check logs for
 * details\n` (text/plain); a body over VOLUME_API_MAX_BODY is 413.
 *
 * Names: nvidia_driver_<version> (every capability, 1.0's volume) and
 * nvidia_driver-<set>_<version> (the volume of a capability set: volume_name.h,
 * docs/capabilities.md), version = digit groups separated by single dots. Every name is checked
 * before the disk is touched (bad volume format / unsupported volume). What follows holds for
 * each kind on its own.
 *
 * Driver upgrades (decision): the process serves exactly one driver version, the running one
 * (volume_api_set_driver switches it without a restart).
 *   - Create of the current version builds its volume (once, atomically, under a lock).
 *   - Create of an OLDER version (a container or compose file from before an upgrade) is
 *     accepted and mapped to the current volume; a NEWER version than the running driver is
 *     `invalid volume version`.
 *   - Mount, Path and Get of the current or an older version build the current volume if
 *     needed and answer its mount point; for an older version one line is logged
 *     (`Serving volume '<name>' with driver <current> ...`). A newer version is `no such volume`.
 *   - Remove deletes <volume_root>/nvidia_driver/<version> if present (only that directory;
 *     a missing one is success), but never one that a Mount was served and no Unmount has
 *     ended (`volume ... is in use`): every Mount is recorded on disk with the directory it
 *     got (mount_records: across plugin restarts; a reboot clears them; a Mount without an
 *     ID counts too). Containers of older names share the running driver's directory.
 *   - List answers every provisioned version directory (sorted), `null` when none.
 */
#ifndef NVD_VOLUME_API_H
#define NVD_VOLUME_API_H

#include <pthread.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker-plugin/http.h"
#include "nvidia-docker-plugin/mount_records.h"
#include "nvidia-docker-plugin/volume_store.h"

/* Requests larger than this are refused (413); Docker's are under 1 KiB. */
#define VOLUME_API_MAX_BODY (64 * 1024)

struct volume_api_config {
        const char *volume_root;    /* -d; required */
        const char *driver_root;    /* -r; NULL means "/" */
        const char *driver_version; /* running driver, e.g. "580.159.04"; NULL: not known yet */
        const char *path_env;       /* PATH for binaries (colon list); NULL: a default list */
        unsigned capabilities;      /* DRIVER_CAP_* of driver_files.h; 0: DRIVER_CAP_DEFAULT */
        bool bind_mounts;           /* volume_store.h: bind-mount across file systems (not -c) */
        size_t copy_threads;        /* volume_store.h; 0: the default */
        /* NULL when driver-dependent requests may go on, else why not (owned). */
        char *(*ready)(void *context, bool may_block);
        void *ready_context;
        const char *boot_id_path; /* mount_records.h; NULL: the kernel's */
};

struct volume_api {
        struct volume_store store;
        pthread_mutex_t lock;        /* of driver */
        char *driver;                /* the running driver's version; NULL until known */
        struct mount_records mounts; /* <kind dir>/.mounts: Mounts not unmounted yet */
        bool mounts_ready;
        char *(*ready)(void *context, bool may_block);
        void *ready_context;
};

int volume_api_init(struct volume_api *api, const struct volume_api_config *config,
                    struct error *err);
void volume_api_destroy(struct volume_api *api);
/* Switches to the driver `version` (digit groups separated by dots, else an error). */
int volume_api_set_driver(struct volume_api *api, const char *version, struct error *err);
/* True for the requests that may wait (a volume build, the store's lock, `ready`); the others
 * (Activate, Capabilities, List, Unmount) answer at once. An http_slow_fn. */
bool volume_api_is_slow(void *context, const struct http_request *request);

/* An http_handler_fn; `context` is the struct volume_api. Thread-safe. */
void volume_api_handle(void *context, const struct http_request *request,
                       struct http_response *response);

#endif
