/*
 * volume_populate: fills an empty directory with the driver files of a list, as the layout of a
 * driver volume: bin/, lib/ (32-bit), lib64/, and share/ and lib64/xorg/modules when a file goes
 * there (docs/capabilities.md).
 *
 * Phase 0 (work pool): every file's ELF facts, size and mode are read (reads of a cold,
 * compressed driver file system overlap instead of queueing). Phase 1 (list order): the
 * driver_policy rules leave files out; each file is hard-linked; when that fails with EXDEV
 * (another file system, e.g. a read-only squashfs) and `bind` is set, it is bind-mounted
 * read-only onto an empty file of the same name (no bytes copied; mount(2) refused means
 * copies from then on); otherwise (EXDEV, EPERM under protected_hardlinks, a read-only source)
 * its name is reserved with its final size; then its soname links are made. Phase 2
 * (parallel_copy): the reserved files are filled and get their mode.
 *
 * The error is the one of the first failing file in list order, as if the files were placed
 * one after the other. Two files with one basename: the first stays (with a warning). A
 * library that is no ELF file fails (1.0's "<path>: <error>"); a binary that is a script is
 * placed as it is. Not locked, not atomic: volume_store builds in a temporary directory.
 */
#ifndef NVD_VOLUME_POPULATE_H
#define NVD_VOLUME_POPULATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "nvidia-docker-plugin/driver_files.h"

struct volume_populate_options {
        bool bind;               /* bind-mount across file systems (not -c) */
        size_t copy_threads;     /* 0: work_pool's default */
        const atomic_bool *stop; /* NULL, or set to make the build fail soon */
};

/* What one build did, for its log line. */
struct volume_populate_stats {
        size_t files, linked, bound, copied, threads;
        uint64_t copied_bytes;
        long examine_ms, copy_ms;
};

/* "bin", "lib" or "lib64". */
const char *volume_populate_dir_name(enum driver_file_place place);
/* stats may be NULL. */
int volume_populate(const char *dir, const struct driver_files *files,
                    const struct volume_populate_options *options,
                    struct volume_populate_stats *stats, struct error *err);
/* One log line: files examined, linked, bound, copied (MiB, ms, threads). */
void volume_populate_log(const char *version, const struct volume_populate_stats *stats);

#endif
