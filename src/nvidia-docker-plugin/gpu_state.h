/*
 * gpu_state: the GPU inventory as the plugin serves it, replaceable at run time, and the one
 * thread that talks to NVML (man/nvidia-docker-plugin.8.in, DESCRIPTION and SIGNALS).
 *
 * A thread of its own opens NVML and CUDA, discovers the GPUs and publishes a `struct
 * gpu_snapshot` (inventory, driver and CUDA versions); it does it again when asked
 * (gpu_state_rediscover: a driver change, SIGHUP), first closing NVML and CUDA, so that a new
 * driver's libraries are loaded. Request threads never call NVML: they take the current
 * snapshot (a reference), and the live status queries go to the NVML thread with a deadline.
 * So a slow or hung NVML (a GPU fallen off the bus, a driver being reloaded) makes requests
 * answer at once with why (GPU_STATE_WAITING_TEXT), never hang them.
 *
 * Discovery failing is reported to the `failed` callback (the plugin exits on a failed first
 * discovery; a failed rediscovery is kept as the reason until the next one succeeds). A
 * successful one calls `discovered` on the NVML thread before the snapshot is published, so
 * that what depends on the driver version is switched first.
 */
#ifndef NVD_GPU_STATE_H
#define NVD_GPU_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/error.h"
#include "nvidia-docker-plugin/gpu_discover.h"
#include "nvidia-docker-plugin/gpu_inventory.h"

/* The 503 text while there is no inventory to serve (%ld: seconds NVML has been busy). */
#define GPU_STATE_WAITING_TEXT                                                                     \
        "nvidia-docker-plugin is still discovering GPUs: NVML has not answered for %ld s"
/* NVML busy for longer than this: requests fail at once instead of queueing (ms). */
#define GPU_STATE_HUNG_MS 1000

struct gpu_snapshot {
        struct gpu_inventory inventory;
        char *driver_version;
        char *cuda_version;
        unsigned long generation; /* 1 for the first discovery, then +1 each */
        atomic_int refs;
};

struct gpu_state_config {
        const char *dev_root; /* device nodes are checked there */
        const char *sys_root;
        const char *proc_root; /* the driver's MIG capability files (docs/mig.md) */
        void *context;
        /* On the NVML thread, before `fresh` is published (previous: NULL the first time); -1
         * with err makes the discovery a failed one. */
        int (*discovered)(void *context, const struct gpu_snapshot *fresh,
                          const struct gpu_snapshot *previous, struct error *err);
        /* On the NVML thread, after a discovery failed (first: no snapshot was ever made). */
        void (*failed)(void *context, const struct error *err, bool first);
};

struct status_job;

struct gpu_state {
        struct gpu_state_config config;
        pthread_t thread;
        bool started;
        pthread_mutex_t lock;
        pthread_cond_t changed;       /* a snapshot, a failure, a finished job, a request */
        struct gpu_snapshot *current; /* NULL until the first discovery */
        char *failure;                /* why the last discovery failed, or NULL */
        unsigned long generation;
        bool want_discovery;
        bool discovering;
        long busy_since; /* ms: when the NVML call in progress began; 0 when idle */
        bool stopping;
        struct status_job *jobs, *jobs_tail;
        struct gpu_source source; /* the NVML thread's alone */
        bool source_open;
};

/* Starts the NVML thread, which discovers the GPUs at once. */
int gpu_state_start(struct gpu_state *state, const struct gpu_state_config *config,
                    struct error *err);
/* Stops the NVML thread; false when it is stuck in NVML: it is left behind (the process is
 * about to exit) and nothing it may still use is freed, by this call or (so) by the caller. */
bool gpu_state_stop(struct gpu_state *state);

/* The current snapshot (release it), or NULL with *reason (owned, one line) when there is none
 * to serve: discovering, rediscovering, or the last discovery failed. With may_wait, waits up
 * to `deadline` (monotonic ms) for a discovery in progress that has not hung. */
struct gpu_snapshot *gpu_state_acquire(struct gpu_state *state, bool may_wait, long deadline,
                                       char **reason);
void gpu_snapshot_release(struct gpu_snapshot *snapshot);
/* For the code that runs after a discovery: waits (until `deadline`, monotonic ms) for the
 * discovery in progress to end, however long it has taken, then acquires; NULL when none. */
struct gpu_snapshot *gpu_state_wait_discovered(struct gpu_state *state, long deadline);
/* True while a discovery runs that has not hung yet: an acquire would wait for it. */
bool gpu_state_busy(struct gpu_state *state);
/* Asks for a new discovery (one at a time; a pending request is merged). */
void gpu_state_rediscover(struct gpu_state *state);

/* The live status of GPU `index` of `snapshot`, from the NVML thread, waiting until `deadline`.
 * -1 with err set; err->code EAGAIN means "unavailable for now" (NVML busy or hung, or the
 * inventory changed): the message is then a one-line 503 text. */
int gpu_state_device_status(struct gpu_state *state, const struct gpu_snapshot *snapshot,
                            size_t index, long deadline, struct gpu_status *out, struct error *err);

#endif
