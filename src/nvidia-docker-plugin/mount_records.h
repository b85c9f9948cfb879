/*
 * mount_records: which driver volume directories containers have mounted, on disk, so that a
 * restarted plugin still never deletes a volume in use (man/nvidia-docker-plugin.8.in, VOLUME
 * PLUGIN PROTOCOL). One file per Mount, <dir>/<id>, holding the version directory it was
 * served and the boot it was made in (/proc/sys/kernel/random/boot_id); an Unmount removes it.
 * Records of an earlier boot are dropped at init: a reboot ended those mounts. A Mount without
 * an ID gets an anonymous record, of which an Unmount without an ID removes one. IDs that are
 * not plain file names are stored by a hash of them. Thread-safe.
 */
#ifndef NVD_MOUNT_RECORDS_H
#define NVD_MOUNT_RECORDS_H

#include <pthread.h>
#include <stddef.h>

#include "common/error.h"

struct mount_records {
        char *dir;
        char boot_id[64];
        pthread_mutex_t lock;
        unsigned long anonymous; /* counter for the names of anonymous records */
};

/* Creates dir (0700) if missing; boot_id_path: NULL for /proc/sys/kernel/random/boot_id. */
int mount_records_init(struct mount_records *records, const char *dir, const char *boot_id_path,
                       struct error *err);
void mount_records_destroy(struct mount_records *records);
int mount_records_add(struct mount_records *records, const char *id, const char *version,
                      struct error *err);
/* Removes the record of `id`, or with no ID one anonymous record. */
void mount_records_remove(struct mount_records *records, const char *id);
/* How many records name `version`. */
size_t mount_records_count(struct mount_records *records, const char *version);

#endif
