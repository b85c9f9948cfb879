/*
 * parallel_copy: fills files that were reserved beforehand (created empty with their final
 * size) with the bytes of their sources, in chunks of PARALLEL_COPY_CHUNK bytes, all files'
 * chunks at once on a work pool, largest files first: a 100 MB library is copied by several
 * threads, so the largest file does not set the build time. copy_file_range(2) where the
 * kernel can; across file systems, pread/pwrite.
 *
 * Errors stay per file: each job gets the error of its first failing chunk (by offset), and the
 * chunks of files after the lowest failing file index are skipped, since they cannot change
 * which error the caller reports (the first failing file in list order). A set `stop` flag
 * makes every chunk fail soon with "the plugin is stopping". Modes are the caller's business.
 */
#ifndef NVD_PARALLEL_COPY_H
#define NVD_PARALLEL_COPY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define PARALLEL_COPY_CHUNK ((off_t)8 << 20)

struct copy_job {
        size_t index;     /* the file's index in the caller's list: lower fails first */
        const char *src;  /* source file (borrowed) */
        int dirfd;        /* directory of the reserved file (borrowed) */
        const char *name; /* reserved file's name in dirfd (borrowed) */
        char *shown;      /* its path for messages (owned by the caller) */
        off_t size;
        mode_t mode;
        /* Results: */
        bool failed;
        struct error err; /* the first failing chunk's error; cleared by the caller */
};

/* Copies every job on up to max_threads threads (0: work_pool's default); returns the number
 * of threads that ran. Jobs must start with failed false and err ERROR_INIT. */
size_t parallel_copy_run(struct copy_job *jobs, size_t count, size_t max_threads,
                         const atomic_bool *stop);

#endif
