#include "common/work_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/xalloc.h"

struct pool_run {
        size_t count;
        atomic_size_t next;
        void (*work)(void *ctx, size_t i);
        void *ctx;
};

static void *pool_worker(void *arg)
{
        struct pool_run *run = arg;
        for (size_t i; (i = atomic_fetch_add(&run->next, 1)) < run->count;)
                run->work(run->ctx, i);
        return NULL;
}

size_t work_pool_threads(size_t count, size_t max_threads)
{
        size_t want = max_threads;
        if (want == 0) {
                long online = sysconf(_SC_NPROCESSORS_ONLN);
                want = online < 1 ? 1 : (size_t)online;
                if (want > WORK_POOL_MAX_THREADS)
                        want = WORK_POOL_MAX_THREADS;
        }
        return want < count ? want : count;
}

size_t work_pool_run(size_t count, size_t max_threads, void (*work)(void *ctx, size_t i), void *ctx)
{
        if (count == 0)
                return 0;
        struct pool_run run = {.count = count, .work = work, .ctx = ctx};
        atomic_init(&run.next, 0);
        size_t want = work_pool_threads(count, max_threads);
        pthread_t *threads = xmalloc(want * sizeof(*threads));
        size_t started = 0;
        for (size_t t = 1; t < want; t++) {
                if (pthread_create(&threads[started], NULL, pool_worker, &run) != 0)
                        break; /* fewer threads: the others take the work */
                started++;
        }
        pool_worker(&run);
        for (size_t t = 0; t < started; t++)
                pthread_join(threads[t], NULL);
        free(threads);
        return started + 1;
}
