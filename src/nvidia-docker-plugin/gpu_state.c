#include "nvidia-docker-plugin/gpu_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/gpu_source_live.h"

/* A status query handed to the NVML thread. Freed by the requester, or by the NVML thread when
 * the requester gave up waiting (abandoned). */
struct status_job {
        struct status_job *next;
        unsigned long generation; /* of the snapshot whose GPU `index` names */
        size_t index;
        struct gpu_status out;
        struct error err;
        int rc;
        bool done, abandoned;
};

void gpu_snapshot_release(struct gpu_snapshot *snapshot)
{
        if (snapshot == NULL || atomic_fetch_sub(&snapshot->refs, 1) != 1)
                return;
        gpu_inventory_destroy(&snapshot->inventory);
        free(snapshot->driver_version);
        free(snapshot->cuda_version);
        free(snapshot);
}

/* The 503 text for now (the caller holds the lock). */
static char *waiting_text(const struct gpu_state *state, long now)
{
        if (state->failure != NULL && !state->discovering)
                return xstrdup(state->failure);
        long busy = state->busy_since != 0 ? (now - state->busy_since) / 1000 : 0;
        return xasprintf(GPU_STATE_WAITING_TEXT, busy);
}

static bool hung(const struct gpu_state *state, long now)
{
        return state->busy_since != 0 && now - state->busy_since > GPU_STATE_HUNG_MS;
}

/* Waits on `changed` until `deadline` (monotonic ms); false when the deadline passed. */
static bool wait_until(struct gpu_state *state, long deadline)
{
        struct timespec ts = {.tv_sec = deadline / 1000, .tv_nsec = (deadline % 1000) * 1000000};
        return pthread_cond_timedwait(&state->changed, &state->lock, &ts) != ETIMEDOUT;
}

/* ---- on the NVML thread ---- */

/* Opens NVML anew and takes a snapshot; the thread's source is left open on success. */
static struct gpu_snapshot *discover(struct gpu_state *state, struct error *err)
{
        if (state->source_open)
                gpu_source_close(&state->source);
        state->source_open = false;
        log_msg("Loading NVIDIA management library");
        if (gpu_source_open(&state->source, state->config.dev_root, state->config.sys_root,
                            state->config.proc_root, err) < 0)
                return NULL;
        state->source_open = true;
        log_msg("Discovering GPU devices");
        struct gpu_snapshot *snap = xcalloc(1, sizeof(*snap));
        atomic_init(&snap->refs, 1);
        struct gpu_live live = gpu_source_live(&state->source);
        if (gpu_discover(&state->source, &snap->inventory, err) < 0)
                goto fail;
        if (snap->inventory.count == 0) {
                error_set(err, "no NVIDIA GPU found: NVML reports 0 devices (driver loaded, but no "
                               "GPU visible to it)");
                goto fail;
        }
        if (gpu_check_device_nodes(&state->source, &snap->inventory, err) < 0 ||
            live.driver_version(live.context, &snap->driver_version, err) < 0 ||
            live.cuda_version(live.context, &snap->cuda_version, err) < 0)
                goto fail;
        return snap;
fail:
        gpu_snapshot_release(snap);
        return NULL;
}

static void discover_and_publish(struct gpu_state *state)
{
        struct error err = ERROR_INIT;
        struct gpu_snapshot *fresh = discover(state, &err);
        pthread_mutex_lock(&state->lock);
        struct gpu_snapshot *previous = state->current;
        if (previous != NULL)
                atomic_fetch_add(&previous->refs, 1);
        bool first = previous == NULL;
        if (fresh != NULL)
                fresh->generation = ++state->generation;
        pthread_mutex_unlock(&state->lock);
        if (fresh != NULL && state->config.discovered != NULL &&
            state->config.discovered(state->config.context, fresh, previous, &err) < 0) {
                gpu_snapshot_release(fresh);
                fresh = NULL;
        }
        pthread_mutex_lock(&state->lock);
        free(state->failure);
        state->failure = NULL;
        if (fresh != NULL) {
                state->current = fresh;
                if (previous != NULL)
                        atomic_fetch_sub(&previous->refs, 1); /* the state's own reference */
        } else {
                state->failure =
                    xasprintf("nvidia-docker-plugin cannot discover the GPUs: %s", err.message);
        }
        state->discovering = false;
        state->busy_since = 0;
        pthread_cond_broadcast(&state->changed);
        pthread_mutex_unlock(&state->lock);
        gpu_snapshot_release(previous);
        if (fresh == NULL && state->config.failed != NULL)
                state->config.failed(state->config.context, &err, first);
        error_clear(&err);
}

static void run_job(struct gpu_state *state, struct status_job *job)
{
        gpu_status_init(&job->out);
        if (job->generation != state->generation || !state->source_open) {
                /* A rediscovery came first: the index may name another GPU now. */
                job->rc = error_set(&job->err, "the GPU inventory changed; retry");
                job->err.code = EAGAIN;
                return;
        }
        struct gpu_live live = gpu_source_live(&state->source);
        job->rc = live.device_status(live.context, job->index, &job->out, &job->err);
}

static void *nvml_main(void *arg)
{
        struct gpu_state *state = arg;
        pthread_mutex_lock(&state->lock);
        while (!state->stopping) {
                if (state->want_discovery) {
                        state->want_discovery = false;
                        state->discovering = true;
                        state->busy_since = monotonic_ms();
                        pthread_mutex_unlock(&state->lock);
                        discover_and_publish(state);
                        pthread_mutex_lock(&state->lock);
                } else if (state->jobs != NULL) {
                        struct status_job *job = state->jobs;
                        state->jobs = job->next;
                        if (state->jobs == NULL)
                                state->jobs_tail = NULL;
                        state->busy_since = monotonic_ms();
                        pthread_mutex_unlock(&state->lock);
                        run_job(state, job);
                        pthread_mutex_lock(&state->lock);
                        state->busy_since = 0;
                        job->done = true;
                        if (job->abandoned) {
                                gpu_status_destroy(&job->out);
                                error_clear(&job->err);
                                free(job);
                        }
                        pthread_cond_broadcast(&state->changed);
                } else {
                        pthread_cond_wait(&state->changed, &state->lock);
                }
        }
        pthread_mutex_unlock(&state->lock);
        return NULL;
}

/* ---- for the request threads ---- */

int gpu_state_start(struct gpu_state *state, const struct gpu_state_config *config,
                    struct error *err)
{
        memset(state, 0, sizeof(*state));
        state->config = *config;
        pthread_mutex_init(&state->lock, NULL);
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&state->changed, &attr);
        pthread_condattr_destroy(&attr);
        state->want_discovery = true;
        state->discovering = true;
        state->busy_since = monotonic_ms();
        int rc = pthread_create(&state->thread, NULL, nvml_main, state);
        if (rc != 0)
                return error_set_errno(err, rc, "cannot start the NVML thread");
        state->started = true;
        return 0;
}

bool gpu_state_stop(struct gpu_state *state)
{
        if (!state->started)
                return true;
        pthread_mutex_lock(&state->lock);
        state->stopping = true;
        pthread_cond_broadcast(&state->changed);
        long since = state->busy_since;
        pthread_mutex_unlock(&state->lock);
        /* A thread inside NVML cannot be interrupted; one that does not come back within 2 s is
         * left to the exit of the process. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 2;
        if (pthread_timedjoin_np(state->thread, NULL, &ts) != 0) {
                log_warning("NVML has not answered for %ld s; exiting without waiting for it",
                            (monotonic_ms() - since) / 1000);
                return false;
        }
        state->started = false;
        for (struct status_job *job = state->jobs, *next; job != NULL; job = next) {
                next = job->next;
                job->done = true; /* requesters are gone: the servers stopped first */
                gpu_status_destroy(&job->out);
                error_clear(&job->err);
                free(job);
        }
        gpu_snapshot_release(state->current);
        free(state->failure);
        if (state->source_open)
                gpu_source_close(&state->source);
        pthread_cond_destroy(&state->changed);
        pthread_mutex_destroy(&state->lock);
        return true;
}

struct gpu_snapshot *gpu_state_acquire(struct gpu_state *state, bool may_wait, long deadline,
                                       char **reason)
{
        pthread_mutex_lock(&state->lock);
        while (may_wait && state->discovering && !hung(state, monotonic_ms()) &&
               wait_until(state, deadline))
                ;
        struct gpu_snapshot *snap = NULL;
        if (state->current != NULL && !state->discovering && state->failure == NULL) {
                snap = state->current;
                atomic_fetch_add(&snap->refs, 1);
        } else {
                *reason = waiting_text(state, monotonic_ms());
        }
        pthread_mutex_unlock(&state->lock);
        return snap;
}

struct gpu_snapshot *gpu_state_wait_discovered(struct gpu_state *state, long deadline)
{
        pthread_mutex_lock(&state->lock);
        while (state->discovering && !state->stopping && wait_until(state, deadline))
                ;
        struct gpu_snapshot *snap = NULL;
        if (state->current != NULL && !state->discovering && state->failure == NULL) {
                snap = state->current;
                atomic_fetch_add(&snap->refs, 1);
        }
        pthread_mutex_unlock(&state->lock);
        return snap;
}

bool gpu_state_busy(struct gpu_state *state)
{
        pthread_mutex_lock(&state->lock);
        bool busy = state->discovering && !hung(state, monotonic_ms());
        pthread_mutex_unlock(&state->lock);
        return busy;
}

void gpu_state_rediscover(struct gpu_state *state)
{
        pthread_mutex_lock(&state->lock);
        if (!state->want_discovery) {
                state->want_discovery = true;
                if (!state->discovering) {
                        state->discovering = true;
                        state->busy_since = monotonic_ms();
                }
                pthread_cond_broadcast(&state->changed);
        }
        pthread_mutex_unlock(&state->lock);
}

int gpu_state_device_status(struct gpu_state *state, const struct gpu_snapshot *snapshot,
                            size_t index, long deadline, struct gpu_status *out, struct error *err)
{
        pthread_mutex_lock(&state->lock);
        long now = monotonic_ms();
        if (hung(state, now) || snapshot->generation != state->generation || state->discovering) {
                cleanup_free char *text = waiting_text(state, now);
                pthread_mutex_unlock(&state->lock);
                error_set(err, "%s", text);
                err->code = EAGAIN;
                return -1;
        }
        struct status_job *job = xcalloc(1, sizeof(*job));
        job->index = index;
        job->generation = snapshot->generation;
        if (state->jobs_tail != NULL)
                state->jobs_tail->next = job;
        else
                state->jobs = job;
        state->jobs_tail = job;
        pthread_cond_broadcast(&state->changed);
        while (!job->done && wait_until(state, deadline))
                ;
        if (!job->done) {
                job->abandoned = true;
                cleanup_free char *text = waiting_text(state, monotonic_ms());
                pthread_mutex_unlock(&state->lock);
                error_set(err, "%s", text);
                err->code = EAGAIN;
                return -1;
        }
        pthread_mutex_unlock(&state->lock);
        int rc = job->rc;
        if (rc == 0)
                *out = job->out;
        else
                *err = job->err;
        free(job);
        return rc;
}
