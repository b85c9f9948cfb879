/*
 * cdi_publish: keeps this host's CDI spec (cdi_spec) current, on disk and for the REST API
 * (docs/cdi.md, nvidia-docker-plugin(8) -cdi).
 *
 * The spec's driver files are a tree of their own, <store_root>/nvidia_driver/<version>, built
 * by volume_store like the driver volume but never touched by Docker; older versions' trees are
 * kept. The spec names only paths that exist when it is written (a GPU or MIG device whose
 * nodes are missing is left out, with a warning; MIG capability nodes are made when missing).
 * <spec_dir>/nvidia-docker.json is written atomically (cdi_file) and exists only while the
 * plugin runs: the first update removes a leftover one, cdi_publish_destroy removes it.
 * cdi_spec_update runs at start-up and after every change of the inventory or the driver, in
 * any thread (one at a time), while cdi_publish_current serves the REST API.
 */
#ifndef NVD_CDI_PUBLISH_H
#define NVD_CDI_PUBLISH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/error.h"
#include "nvidia-docker-plugin/driver_files.h"
#include "nvidia-docker-plugin/gpu_inventory.h"
#include "nvidia-docker-plugin/volume_store.h"

#define CDI_SPEC_FILE "nvidia-docker.json"

struct cdi_publish_config {
        const char *spec_dir;   /* -cdi; NULL or "": no file (the REST API still serves it) */
        const char *store_root; /* where the spec's driver trees are built, absolute */
        const char *dev_root;   /* where device nodes are looked up ("/dev") */
        struct driver_files_options files; /* as the driver volume's; version is set per update */
        bool bind_mounts;                  /* as the driver volume's (not -c) */
};

struct cdi_publish {
        char *spec_dir; /* NULL: no file */
        char *store_root;
        char *dev_root;
        struct driver_files_options files; /* owned strings, version NULL */
        bool bind_mounts;
        bool claimed; /* the spec file is ours: an update ran (under update_lock) */
        atomic_bool stopping;
        pthread_mutex_t update_lock; /* one update at a time */
        pthread_mutex_t store_lock;  /* store and store_version (cdi_publish_stop reads them) */
        struct volume_store store;   /* the trees of store_version */
        char *store_version;         /* NULL until the first update */
        pthread_mutex_t lock;        /* json and status */
        char *json;                  /* the current spec, NULL before the first update */
        char *status;                /* why there is none (when json is NULL) */
};

/* Copies the configuration. Touches no file. */
int cdi_publish_init(struct cdi_publish *publish, const struct cdi_publish_config *config,
                     struct error *err);
/* Builds the driver tree of `driver_version` if needed, then the spec of `inventory`, and
 * writes it. On failure there is no spec (file removed, REST answers why): what was published
 * before may name the old driver's files or nodes that are gone. Thread-safe. */
int cdi_spec_update(struct cdi_publish *publish, const struct gpu_inventory *inventory,
                    const char *driver_version, struct error *err);
/* No spec until the next successful update (file removed, REST answers `reason`): for a
 * driver that went away (a failed rediscovery). Thread-safe. */
void cdi_publish_withdraw(struct cdi_publish *publish, const char *reason);
/* The current spec (owned), or NULL with err saying why there is none. */
char *cdi_publish_current(struct cdi_publish *publish, struct error *err);
/* An update in progress fails soon; later ones too. For shutdown. */
void cdi_publish_stop(struct cdi_publish *publish);
/* Removes the spec file, frees everything. No-op on a zeroed or destroyed publisher. */
void cdi_publish_destroy(struct cdi_publish *publish);

#endif
