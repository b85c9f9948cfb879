#include "nvidia-docker-plugin/parallel_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/work_pool.h"
#include "common/xalloc.h"

#define COPY_BUF ((size_t)256 << 10)

struct copy_chunk {
        struct copy_job *job;
        off_t offset, length;
        struct error err; /* this chunk's own error: no error object is shared by threads */
        int rc;
};

struct copy_run {
        struct copy_chunk *chunks;
        atomic_size_t first_error; /* lowest failing file index so far (SIZE_MAX: none) */
        const atomic_bool *stop;
};

static bool stopping(const atomic_bool *stop)
{
        return stop != NULL && atomic_load(stop);
}

/* Writes all n bytes at offset; -1 with errno on failure. */
static int write_all(int fd, const char *data, size_t n, off_t offset)
{
        for (size_t w = 0; w < n;) {
                ssize_t m = pwrite(fd, data + w, n - w, offset + (off_t)w);
                if (m < 0 && errno == EINTR)
                        continue;
                if (m < 0)
                        return -1;
                w += (size_t)m;
        }
        return 0;
}

/* Copies [offset, offset + length) of src into the reserved file at the same offset. */
static int copy_range(const struct copy_job *job, off_t offset, off_t length,
                      const atomic_bool *stop, struct error *err)
{
        cleanup_close int in = open(job->src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return error_set_errno(err, errno, "open %s", job->src);
        cleanup_close int out = openat(job->dirfd, job->name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (out < 0)
                return error_set_errno(err, errno, "open %s", job->shown);
        cleanup_free char *buffer = NULL;
        off_t in_off = offset, out_off = offset, end = offset + length;
        while (in_off < end) {
                if (stopping(stop))
                        return error_set(err, "copy %s to %s: the plugin is stopping", job->src,
                                         job->shown);
                ssize_t n;
                size_t want = (size_t)(end - in_off);
                if (buffer == NULL) {
                        n = copy_file_range(in, &in_off, out, &out_off, want, 0);
                        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                                      errno == EOPNOTSUPP)) {
                                buffer = xmalloc(COPY_BUF); /* across file systems: by hand */
                                continue;
                        }
                } else {
                        n = pread(in, buffer, want < COPY_BUF ? want : COPY_BUF, in_off);
                        if (n > 0 && write_all(out, buffer, (size_t)n, out_off) < 0)
                                return error_set_errno(err, errno, "write %s", job->shown);
                        if (n > 0) {
                                in_off += n;
                                out_off += n;
                        }
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set_errno(err, errno, "copy %s to %s", job->src, job->shown);
                if (n == 0)
                        return error_set(err, "copy %s to %s: the file shrank while it was copied",
                                         job->src, job->shown);
        }
        int fd = out;
        out = -1;
        if (close(fd) < 0)
                return error_set_errno(err, errno, "write %s", job->shown);
        return 0;
}

static void copy_chunk_work(void *ctx, size_t i)
{
        struct copy_run *run = ctx;
        struct copy_chunk *chunk = &run->chunks[i];
        /* Chunks of files after a failed file cannot change the outcome: skip them. */
        if (chunk->job->index > atomic_load(&run->first_error))
                return;
        chunk->rc = copy_range(chunk->job, chunk->offset, chunk->length, run->stop, &chunk->err);
        if (chunk->rc < 0) {
                size_t seen = atomic_load(&run->first_error);
                while (chunk->job->index < seen &&
                       !atomic_compare_exchange_weak(&run->first_error, &seen, chunk->job->index))
                        ;
        }
}

static int compare_jobs(const void *a, const void *b)
{
        const struct copy_job *x = *(struct copy_job *const *)a, *y = *(struct copy_job *const *)b;
        if (x->size != y->size)
                return x->size > y->size ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

static size_t chunks_of(const struct copy_job *job)
{
        return job->size > 0 ? (size_t)((job->size - 1) / PARALLEL_COPY_CHUNK + 1) : 0;
}

/* The chunks of every job, largest files first, each file's chunks in offset order. */
static struct copy_chunk *make_chunks(struct copy_job *jobs, size_t count, size_t *nchunks)
{
        struct copy_job **order = xmalloc((count ? count : 1) * sizeof(*order));
        size_t n = 0;
        for (size_t i = 0; i < count; i++) {
                order[i] = &jobs[i];
                n += chunks_of(&jobs[i]);
        }
        qsort(order, count, sizeof(*order), compare_jobs);
        struct copy_chunk *chunks = xcalloc(n ? n : 1, sizeof(*chunks));
        size_t c = 0;
        for (size_t i = 0; i < count; i++) {
                struct copy_job *job = order[i];
                for (off_t off = 0; off < job->size; off += PARALLEL_COPY_CHUNK, c++)
                        chunks[c] = (struct copy_chunk){
                            .job = job,
                            .offset = off,
                            .length = job->size - off < PARALLEL_COPY_CHUNK ? job->size - off
                                                                            : PARALLEL_COPY_CHUNK,
                            .err = ERROR_INIT,
                        };
        }
        free(order);
        *nchunks = n;
        return chunks;
}

size_t parallel_copy_run(struct copy_job *jobs, size_t count, size_t max_threads,
                         const atomic_bool *stop)
{
        size_t nchunks = 0;
        struct copy_chunk *chunks = make_chunks(jobs, count, &nchunks);
        struct copy_run run = {.chunks = chunks, .stop = stop};
        atomic_init(&run.first_error, SIZE_MAX);
        size_t threads = work_pool_run(nchunks, max_threads, copy_chunk_work, &run);
        /* A file's chunks are adjacent and in offset order: its first failure is its error. */
        for (size_t c = 0; c < nchunks; c++) {
                struct copy_job *job = chunks[c].job;
                if (chunks[c].rc < 0 && !job->failed) {
                        job->failed = true;
                        job->err = chunks[c].err;
                        chunks[c].err = (struct error)ERROR_INIT;
                }
                error_clear(&chunks[c].err);
        }
        free(chunks);
        return threads;
}
