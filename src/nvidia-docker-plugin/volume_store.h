/*
 * volume_store: the driver volumes on disk (man/nvidia-docker-plugin.8.in, VOLUME PLUGIN
 * PROTOCOL; docs/capabilities.md), and who may change them when:
 *   <volume root>/nvidia_driver/<version>/{bin,lib,lib64[,share][,lib64/xorg/modules]}
 *   <volume root>/nvidia_driver-<set>/<version>/...   the volume of a capability set
 * (the set's canonical suffix, driver_caps.h); every kind is built under the one lock below.
 *
 * A version directory is built once: under an in-process mutex and an flock on
 * <volume root>/nvidia_driver/.lock (other plugin processes), in a temporary directory
 * .tmp-<version>-XXXXXX beside it (filled by volume_populate with the files driver_files finds
 * now), then renamed into place, so a reader sees a complete volume or none. volume_store_init
 * removes the temporary directories of a crashed build, and the volumes whose bind-mounted
 * driver files are gone (a reboot leaves empty placeholder files): those are built again on
 * demand. Removing a volume unmounts its bind mounts (file_tree) before deleting. Versions
 * passed in must be valid (volume_version_is_valid).
 */
#ifndef NVD_VOLUME_STORE_H
#define NVD_VOLUME_STORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker-plugin/driver_files.h"

struct volume_store {
        char *root;     /* -d */
        char *kind_dir; /* <root>/nvidia_driver */
        char *lock_path;
        int lock_fd;                       /* open on lock_path, for flock */
        struct driver_files_options files; /* owned copies of the strings */
        pthread_mutex_t mutex;
        atomic_bool stopping; /* set by volume_store_stop */
        bool bind_mounts;     /* bind-mount what cannot be hard-linked across file systems
                               * (false after init; the plugin sets it unless -c) */
        size_t copy_threads;  /* threads of a build's reads and copies; 0: work_pool's default */
};

/* Copies the options; creates kind_dir (and root) 0755; removes stale temporary directories. */
int volume_store_init(struct volume_store *store, const char *root,
                      const struct driver_files_options *files, struct error *err);
void volume_store_destroy(struct volume_store *store);

/* <kind_dir>/<version>, owned. */
char *volume_store_path(const struct volume_store *store, const char *version);
/* Builds the volume of `version` with the current driver files unless it exists; sets *built
 * (may be NULL) when this call built it. */
int volume_store_ensure(struct volume_store *store, const char *version, bool *built,
                        struct error *err);
/* Deletes <kind_dir>/<version> recursively if it exists (a symlink is only unlinked). */
int volume_store_remove(struct volume_store *store, const char *version, struct error *err);
/* Valid version directories under kind_dir, sorted by name. */
int volume_store_list(struct volume_store *store, struct strv *versions, struct error *err);
/* The same for the volume of a capability set (closed first; DRIVER_CAP_ALL is the above;
 * an empty set fails). */
char *volume_store_set_path(const struct volume_store *store, unsigned caps, const char *version);
int volume_store_ensure_set(struct volume_store *store, unsigned caps, const char *version,
                            bool *built, struct error *err);
int volume_store_remove_set(struct volume_store *store, unsigned caps, const char *version,
                            struct error *err);
/* Every provisioned volume's name (<kind>_<version>), of every kind, sorted. */
int volume_store_list_names(struct volume_store *store, struct strv *names, struct error *err);
/* The driver version whose files later builds take (driver_files' basename filter); waits for a
 * build in progress. */
void volume_store_set_version(struct volume_store *store, const char *version);
/* Makes a build in progress (in any thread) and every later one fail soon with "the plugin is
 * stopping" (checked between files and every 8 MiB copied); its temporary directory is removed.
 * Async-signal-safe; for shutdown. */
void volume_store_stop(struct volume_store *store);

#endif
