/*
 * work_pool: runs work(ctx, i) for every i < count on a few threads, the caller being one of
 * them, and returns when all are done. Items are handed out one at a time from an atomic
 * counter, so a slow item does not hold back the others. No state survives a call.
 *
 * Threads: min(max_threads, count); max_threads 0 means min(WORK_POOL_MAX_THREADS, online
 * CPUs). When a thread cannot be started, the threads that did start take its share.
 */
#ifndef NVD_WORK_POOL_H
#define NVD_WORK_POOL_H

#include <stddef.h>

#define WORK_POOL_MAX_THREADS 16

/* The number of threads work_pool_run would use for `count` items (0 for none). */
size_t work_pool_threads(size_t count, size_t max_threads);
/* Runs every item; returns the number of threads that ran (0 when count is 0). */
size_t work_pool_run(size_t count, size_t max_threads, void (*work)(void *ctx, size_t i),
                     void *ctx);

#endif
