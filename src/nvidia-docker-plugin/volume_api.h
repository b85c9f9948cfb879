/*
 * volume_api: the Docker volume plugin protocol (docs/volume-plugin.md) on the plugin's unix
 * socket, for the volumes nvidia_driver_<version> (every capability, 1.0's volume) and
 * nvidia_driver-<set>_<version> (a capability set, volume_name.h). Pure with respect to HTTP:
 * http_server hands each request to volume_api_handle, from several threads at once.
 *
 * Use: volume_api_init (creates <volume_root>/nvidia_driver, removes what an interrupted build
 * left; reads no driver file), volume_api_set_driver once the driver is known and after every
 * change, volume_api_destroy. Requests that depend on the driver first call `ready`: NULL to go
 * on, else a text (owned) answered as the Err (e.g. while the GPUs are being discovered).
 *
 * One driver is served, the running one: Create/Mount/Path/Get of an older version map to the
 * current volume (built once, atomically, when first needed), a newer one is refused; Remove
 * deletes that version's directory unless a Mount recorded on disk (mount_records) has no
 * Unmount yet. Replies are 1.0's exact JSON shapes; bad input gets 1.0's messages, a body
 * over VOLUME_API_MAX_BODY is 413, an unacceptable Accept header 406.
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
