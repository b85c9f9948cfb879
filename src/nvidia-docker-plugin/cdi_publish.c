#include "nvidia-docker-plugin/cdi_publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/cdi_file.h"
#include "nvidia-docker-plugin/cdi_spec.h"
#include "nvidia-docker-plugin/device_nodes.h"

static char *dup_or_null(const char *s)
{
        return s != NULL ? xstrdup(s) : NULL;
}

int cdi_publish_init(struct cdi_publish *p, const struct cdi_publish_config *config,
                     struct error *err)
{
        memset(p, 0, sizeof(*p));
        if (config->spec_dir != NULL && config->spec_dir[0] != '\0' && config->spec_dir[0] != '/')
                return error_set(err,
                                 "the CDI spec directory must be an absolute path, or empty "
                                 "to write no spec (got '%s')",
                                 config->spec_dir);
        if (config->store_root == NULL || config->store_root[0] != '/')
                return error_set(err, "the CDI driver tree root must be an absolute path");
        p->spec_dir = config->spec_dir != NULL && config->spec_dir[0] != '\0'
                          ? xstrdup(config->spec_dir)
                          : NULL;
        p->store_root = xstrdup(config->store_root);
        p->dev_root = xstrdup(config->dev_root != NULL ? config->dev_root : "/dev");
        p->files = config->files;
        p->files.root = dup_or_null(config->files.root);
        p->files.version = NULL;
        p->files.path_env = dup_or_null(config->files.path_env);
        p->files.ldcache_path = dup_or_null(config->files.ldcache_path);
        p->bind_mounts = config->bind_mounts;
        atomic_init(&p->stopping, false);
        pthread_mutex_init(&p->update_lock, NULL);
        pthread_mutex_init(&p->store_lock, NULL);
        pthread_mutex_init(&p->lock, NULL);
        p->status = xstrdup("the driver files for it are being prepared");
        return 0;
}

/* Before the first update: a spec of an earlier run may name a tree that the store check is
 * about to remove (dead bind mounts after a reboot), so it goes first. Not at init: a second
 * plugin that fails to start (its socket taken) must not remove the running one's spec. */
static void claim_spec_file(struct cdi_publish *p)
{
        if (p->claimed || p->spec_dir == NULL)
                return;
        p->claimed = true;
        struct error rm = ERROR_INIT;
        if (cdi_file_remove(p->spec_dir, CDI_SPEC_FILE, &rm) < 0)
                log_warning("%s", rm.message);
        error_clear(&rm);
        cdi_file_clean(p->spec_dir, CDI_SPEC_FILE);
}

static void set_status(struct cdi_publish *p, char *json, const char *status)
{
        pthread_mutex_lock(&p->lock);
        if (json != NULL) {
                free(p->json);
                p->json = json;
        }
        free(p->status);
        p->status = dup_or_null(status);
        pthread_mutex_unlock(&p->lock);
}

/* No spec any more (under update_lock): what was published may name the old driver's files
 * or nodes that are gone. */
static void withdraw(struct cdi_publish *p, const char *reason)
{
        pthread_mutex_lock(&p->lock);
        free(p->json);
        p->json = NULL;
        pthread_mutex_unlock(&p->lock);
        set_status(p, NULL, reason);
        struct error rm = ERROR_INIT;
        if (p->claimed && cdi_file_remove(p->spec_dir, CDI_SPEC_FILE, &rm) < 0)
                log_warning("%s", rm.message);
        error_clear(&rm);
}

/* (Re)opens the store for `version` (its files are filtered by the version). */
static int store_open(struct cdi_publish *p, const char *version, struct error *err)
{
        if (p->store_version != NULL && strcmp(p->store_version, version) == 0)
                return 0;
        struct driver_files_options files = p->files;
        files.version = version;
        pthread_mutex_lock(&p->store_lock);
        if (p->store_version != NULL)
                volume_store_destroy(&p->store);
        free(p->store_version);
        p->store_version = NULL;
        int rc = volume_store_init(&p->store, p->store_root, &files, err);
        if (rc == 0) {
                p->store.bind_mounts = p->bind_mounts;
                p->store_version = xstrdup(version);
                if (atomic_load(&p->stopping))
                        volume_store_stop(&p->store);
        }
        pthread_mutex_unlock(&p->store_lock);
        return rc;
}

/* Facts of the node `path` ("/dev/<name>"), looked up under dev_root. Host path owned by
 * `owned`. 0, or -1 with err when it is missing or no device. */
static int node_fact(const char *dev_root, const char *path, struct cdi_node *node,
                     struct strv *owned, struct error *err)
{
        if (strncmp(path, "/dev/", 5) != 0)
                return error_set(err, "device node %s is not under /dev", path);
        char *host = xasprintf("%s%s", dev_root, path + 4);
        strv_push_owned(owned, host);
        struct stat st;
        if (stat(host, &st) < 0)
                return error_set_errno(err, errno, "device node %s (looked up as %s)", path, host);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return error_set(err, "%s (looked up as %s) is not a device node", path, host);
        *node = (struct cdi_node){
            .path = path,
            .host_path = host,
            .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
            .major = major(st.st_rdev),
            .minor = minor(st.st_rdev),
        };
        return 0;
}

/* The control nodes that exist (control, *count); nvidiactl is required. The nodes point into
 * `paths` (the caller's) and `owned`. */
static int control_facts(struct cdi_publish *p, struct strv *paths, struct cdi_node **control,
                         size_t *count, struct strv *owned, struct error *err)
{
        *count = 0;
        if (device_nodes_control(p->dev_root, paths, err) < 0)
                return -1;
        *control = xcalloc(paths->count ? paths->count : 1, sizeof(**control));
        for (size_t i = 0; i < paths->count; i++) {
                struct error node_err = ERROR_INIT;
                if (node_fact(p->dev_root, paths->items[i], &(*control)[*count], owned,
                              &node_err) == 0)
                        (*count)++;
                else if (i == 0) /* nvidiactl: no spec without it */
                        error_set(err, "CDI spec not written: %s", node_err.message);
                else
                        log_warning("CDI spec: %s; left out", node_err.message);
                error_clear(&node_err);
                if (error_is_set(err))
                        return -1;
        }
        return 0;
}

/* The MIG devices of GPU i after its entry gpus[*count - 1] (whose node is `node`): the
 * parent's node and the two capability nodes, made like nvidia-modprobe -f does when missing
 * (as for a /docker/cli request). A device whose nodes fail is left out (logged). */
static void mig_facts(struct cdi_publish *p, const struct gpu_inventory *inv, size_t i,
                      const struct cdi_node *node, struct cdi_node *nodes, struct cdi_gpu *gpus,
                      size_t *count, struct strv *owned)
{
        const struct gpu_device *d = &inv->devices[i];
        for (size_t m = 0; m < d->mig_count; m++) {
                const struct gpu_mig_device *mig = &d->migs[m];
                struct cdi_node *mnodes = &nodes[3 * *count];
                struct error node_err = ERROR_INIT;
                mnodes[0] = *node;
                if ((inv->caps_major > 0 &&
                     device_nodes_ensure_cap(p->dev_root, inv->caps_major, &mig->gi_cap, NULL,
                                             &node_err) < 0) ||
                    (inv->caps_major > 0 &&
                     device_nodes_ensure_cap(p->dev_root, inv->caps_major, &mig->ci_cap, NULL,
                                             &node_err) < 0) ||
                    node_fact(p->dev_root, mig->gi_cap.path, &mnodes[1], owned, &node_err) < 0 ||
                    node_fact(p->dev_root, mig->ci_cap.path, &mnodes[2], owned, &node_err) < 0) {
                        log_warning("CDI spec: MIG device %zu:%u (%s) left out: %s", i, mig->index,
                                    mig->uuid, node_err.message);
                        error_clear(&node_err);
                        continue;
                }
                strv_pushf(owned, "%zu:%u", i, mig->index);
                gpus[(*count)++] = (struct cdi_gpu){
                    .index = owned->items[owned->count - 1],
                    .uuid = mig->uuid,
                    .nodes = mnodes,
                    .node_count = 3,
                };
        }
}

/* Per GPU its node, then its MIG devices; nodes has room for 3 per entry. Returns the count. A
 * GPU whose node fails is left out (logged). */
static size_t gpu_facts(struct cdi_publish *p, const struct gpu_inventory *inv,
                        struct cdi_node *nodes, struct cdi_gpu *gpus, struct strv *owned)
{
        size_t count = 0;
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_device *d = &inv->devices[i];
                struct error node_err = ERROR_INIT;
                struct cdi_node *node = &nodes[3 * count];
                if (node_fact(p->dev_root, d->path, node, owned, &node_err) < 0) {
                        log_warning("CDI spec: GPU %zu (%s) left out: %s", i, d->uuid,
                                    node_err.message);
                        error_clear(&node_err);
                        continue;
                }
                strv_pushf(owned, "%zu", i);
                gpus[count++] = (struct cdi_gpu){
                    .index = owned->items[owned->count - 1],
                    .uuid = d->uuid,
                    .nodes = node,
                    .node_count = 1,
                };
                mig_facts(p, inv, i, node, nodes, gpus, &count, owned);
        }
        return count;
}

/* The spec for the tree `driver_dir`; NULL with err when nvidiactl is missing. */
static char *spec_text(struct cdi_publish *p, const struct gpu_inventory *inv,
                       const char *driver_dir, struct error *err)
{
        struct strv owned = STRV_INIT, control_paths = STRV_INIT, skipped = STRV_INIT;
        struct cdi_node *control = NULL, *nodes = NULL;
        struct cdi_gpu *gpus = NULL;
        size_t control_count = 0;
        char *text = NULL;
        if (control_facts(p, &control_paths, &control, &control_count, &owned, err) < 0)
                goto out;
        size_t entries = inv->count;
        for (size_t i = 0; i < inv->count; i++)
                entries += inv->devices[i].mig_count;
        nodes = xcalloc(entries ? 3 * entries : 1, sizeof(*nodes));
        gpus = xcalloc(entries ? entries : 1, sizeof(*gpus));
        struct cdi_spec_input in = {
            .gpus = gpus,
            .gpu_count = gpu_facts(p, inv, nodes, gpus, &owned),
            .control = control,
            .control_count = control_count,
            .driver_dir = driver_dir,
        };
        struct buf json = BUF_INIT;
        if (cdi_spec_build(&in, &json, &skipped, err) < 0) {
                buf_destroy(&json);
                goto out;
        }
        for (size_t i = 0; i < skipped.count; i++)
                log_warning("CDI spec: no device named '%s' (not a valid CDI device name, or "
                            "taken)",
                            skipped.items[i]);
        text = buf_steal(&json);
out:
        free(gpus);
        free(nodes);
        free(control);
        strv_destroy(&skipped);
        strv_destroy(&control_paths);
        strv_destroy(&owned);
        return text;
}

int cdi_spec_update(struct cdi_publish *p, const struct gpu_inventory *inventory,
                    const char *driver_version, struct error *err)
{
        pthread_mutex_lock(&p->update_lock);
        int rc = -1;
        cleanup_free char *tree = NULL;
        cleanup_free char *text = NULL;
        if (atomic_load(&p->stopping)) {
                error_set(err, "CDI spec not written: the plugin is stopping");
                goto out;
        }
        claim_spec_file(p);
        {
                /* No control node, no spec: checked before the driver tree is built for nothing. */
                struct strv owned = STRV_INIT;
                struct cdi_node ctl;
                int ok = node_fact(p->dev_root, "/dev/nvidiactl", &ctl, &owned, err);
                strv_destroy(&owned);
                if (ok < 0) {
                        error_prefix(err, "CDI spec not written");
                        goto out;
                }
        }
        if (store_open(p, driver_version, err) < 0 ||
            volume_store_ensure(&p->store, driver_version, NULL, err) < 0) {
                error_prefix(err, "CDI spec not written");
                goto out;
        }
        tree = volume_store_path(&p->store, driver_version);
        text = spec_text(p, inventory, tree, err);
        if (text == NULL)
                goto out;
        if (p->spec_dir != NULL &&
            cdi_file_write(p->spec_dir, CDI_SPEC_FILE, text, strlen(text), err) < 0) {
                error_prefix(err, "CDI spec not written");
                goto out;
        }
        set_status(p, steal_pointer(&text), NULL);
        rc = 0;
out:
        if (rc < 0)
                withdraw(p, err->message);
        pthread_mutex_unlock(&p->update_lock);
        return rc;
}

void cdi_publish_withdraw(struct cdi_publish *p, const char *reason)
{
        pthread_mutex_lock(&p->update_lock);
        withdraw(p, reason);
        pthread_mutex_unlock(&p->update_lock);
}

char *cdi_publish_current(struct cdi_publish *p, struct error *err)
{
        pthread_mutex_lock(&p->lock);
        char *text = p->json != NULL ? xstrdup(p->json) : NULL;
        if (text == NULL)
                error_set(err, "no CDI spec yet: %s", p->status != NULL ? p->status : "not built");
        pthread_mutex_unlock(&p->lock);
        return text;
}

void cdi_publish_stop(struct cdi_publish *p)
{
        atomic_store(&p->stopping, true);
        pthread_mutex_lock(&p->store_lock);
        if (p->store_version != NULL)
                volume_store_stop(&p->store);
        pthread_mutex_unlock(&p->store_lock);
}

void cdi_publish_destroy(struct cdi_publish *p)
{
        if (p == NULL || p->store_root == NULL)
                return;
        if (p->claimed) {
                struct error err = ERROR_INIT;
                if (cdi_file_remove(p->spec_dir, CDI_SPEC_FILE, &err) < 0)
                        log_warning("%s", err.message);
                error_clear(&err);
        }
        if (p->store_version != NULL)
                volume_store_destroy(&p->store);
        free(p->store_version);
        free(p->spec_dir);
        free(p->store_root);
        free(p->dev_root);
        free((char *)p->files.root);
        free((char *)p->files.path_env);
        free((char *)p->files.ldcache_path);
        free(p->json);
        free(p->status);
        pthread_mutex_destroy(&p->update_lock);
        pthread_mutex_destroy(&p->store_lock);
        pthread_mutex_destroy(&p->lock);
        memset(p, 0, sizeof(*p));
}
