#include "nvidia-docker-plugin/device_nodes.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/subprocess.h"
#include "common/xalloc.h"

static pthread_mutex_t uvm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t caps_lock = PTHREAD_MUTEX_INITIALIZER;

/* 1 exists, 0 missing (ENOENT), -1 other error. */
static int node_exists(const char *dev_root, const char *name, struct error *err)
{
        cleanup_free char *path = xasprintf("%s/%s", dev_root, name);
        struct stat st;
        if (stat(path, &st) == 0)
                return 1;
        if (errno == ENOENT)
                return 0;
        return error_set_errno(err, errno, "stat /dev/%s", name);
}

int device_nodes_check(const char *dev_root, const char *name, struct error *err)
{
        int r = node_exists(dev_root, name, err);
        if (r < 0)
                return -1;
        if (r == 0) {
                if (strcmp(dev_root, "/dev") == 0)
                        return error_set(err,
                                         "device node /dev/%s is missing; is the NVIDIA kernel "
                                         "module loaded (nvidia-modprobe, or nvidia-smi as root, "
                                         "creates it)?",
                                         name);
                return error_set(err, "device node /dev/%s is missing (looked up as %s/%s)", name,
                                 dev_root, name);
        }
        return 0;
}

int device_nodes_load_uvm(struct error *err)
{
        static const char *const argv[] = {"nvidia-modprobe", "-u", "-c=0", NULL};
        struct subprocess_result res;
        struct error run_err = ERROR_INIT;
        if (subprocess_run(argv, SUBPROCESS_STDOUT_TO_ERR, 0, 1 << 20, &res, &run_err) < 0) {
                if (run_err.code == ENOENT)
                        error_set(err, "/dev/nvidia-uvm is missing and nvidia-modprobe was not "
                                       "found on PATH; load the module (modprobe nvidia-uvm) or "
                                       "install nvidia-modprobe");
                else
                        error_set(err, "%s", run_err.message);
                error_clear(&run_err);
                return -1;
        }
        cleanup_free char *text = subprocess_error_text(&res); /* its output, one line */
        int rc = 0;
        if (WIFEXITED(res.status) && WEXITSTATUS(res.status) != 0)
                rc = error_set(err, "nvidia-modprobe -u -c=0 failed with exit status %d%s%s",
                               WEXITSTATUS(res.status), text[0] ? ": " : "", text);
        else if (WIFSIGNALED(res.status))
                rc = error_set(err, "nvidia-modprobe -u -c=0 was killed by signal %d%s%s",
                               WTERMSIG(res.status), text[0] ? ": " : "", text);
        subprocess_result_destroy(&res);
        return rc;
}

/* nvidia-uvm loading: at most one nvidia-modprobe at a time, and at most once while the node
 * stays missing; its failure is remembered and answered until the node appears or
 * device_nodes_retry_uvm is called (SIGHUP). */
static bool uvm_loading, uvm_tried;
static char *uvm_failure;
static atomic_bool uvm_remembered; /* uvm_tried, readable without the lock */

static int remembered_failure(struct error *err)
{
        if (uvm_failure == NULL)
                return error_set(err, "/dev/nvidia-uvm is missing although nvidia-modprobe "
                                      "succeeded");
        return error_set(err,
                         "%s; after fixing that, reload nvidia-docker-plugin (systemctl reload "
                         "nvidia-docker-plugin) to try again",
                         uvm_failure);
}

int device_nodes_ensure_uvm(const char *dev_root, struct error *err)
{
        int r = node_exists(dev_root, "nvidia-uvm", err);
        if (r != 0) {
                if (r > 0 && atomic_load(&uvm_remembered))
                        device_nodes_retry_uvm(); /* it is back: a later loss runs it again */
                return r < 0 ? -1 : 0;
        }
        pthread_mutex_lock(&uvm_lock);
        if (uvm_loading) {
                pthread_mutex_unlock(&uvm_lock);
                return error_set(err, "/dev/nvidia-uvm is missing; nvidia-modprobe -u -c=0 is "
                                      "loading it, try again in a moment");
        }
        if (uvm_tried) {
                int rc = remembered_failure(err);
                pthread_mutex_unlock(&uvm_lock);
                return rc;
        }
        uvm_loading = true;
        pthread_mutex_unlock(&uvm_lock);
        struct error load = ERROR_INIT;
        int rc = device_nodes_load_uvm(&load);
        if (rc == 0 && node_exists(dev_root, "nvidia-uvm", &load) <= 0)
                rc = -1;
        pthread_mutex_lock(&uvm_lock);
        uvm_loading = false;
        uvm_tried = rc < 0;
        atomic_store(&uvm_remembered, uvm_tried);
        free(uvm_failure);
        uvm_failure = rc < 0 && load.message != NULL ? xstrdup(load.message) : NULL;
        pthread_mutex_unlock(&uvm_lock);
        if (rc < 0)
                error_set(err, "%s",
                          load.message ? load.message
                                       : "/dev/nvidia-uvm is missing although "
                                         "nvidia-modprobe succeeded");
        error_clear(&load);
        return rc;
}

void device_nodes_retry_uvm(void)
{
        pthread_mutex_lock(&uvm_lock);
        uvm_tried = false;
        atomic_store(&uvm_remembered, false);
        free(uvm_failure);
        uvm_failure = NULL;
        pthread_mutex_unlock(&uvm_lock);
}

bool device_nodes_uvm_missing(const char *dev_root)
{
        struct error err = ERROR_INIT;
        int r = node_exists(dev_root, "nvidia-uvm", &err);
        error_clear(&err);
        return r == 0;
}

int device_nodes_control(const char *dev_root, struct strv *out, struct error *err)
{
        if (device_nodes_check(dev_root, "nvidiactl", err) < 0)
                return -1;
        strv_push(out, "/dev/nvidiactl");
        if (device_nodes_ensure_uvm(dev_root, err) < 0)
                return -1;
        strv_push(out, "/dev/nvidia-uvm");
        int r = node_exists(dev_root, "nvidia-uvm-tools", err);
        if (r < 0)
                return -1;
        if (r)
                strv_push(out, "/dev/nvidia-uvm-tools");
        return 0;
}

/* "(looked up as <dev_root>/<name>)" when dev_root is not /dev, for messages. */
static char *where(const char *dev_root, const char *name)
{
        if (strcmp(dev_root, "/dev") == 0)
                return xstrdup("");
        return xasprintf(" (looked up as %s/%s)", dev_root, name);
}

static int ensure_cap_locked(const char *dev_root, unsigned int major,
                             const struct gpu_cap_node *cap, bool *created, struct error *err)
{
        cleanup_free char *name = xasprintf("nvidia-caps/nvidia-cap%u", cap->minor);
        cleanup_free char *path = xasprintf("%s/%s", dev_root, name);
        cleanup_free char *shown = where(dev_root, name);
        dev_t dev = makedev(major, cap->minor);
        struct stat st;
        bool exists = stat(path, &st) == 0;
        if (!exists && errno != ENOENT)
                return error_set_errno(err, errno, "stat /dev/%s%s", name, shown);
        bool right_node = exists && S_ISCHR(st.st_mode) && st.st_rdev == dev;
        if (!cap->modify) {
                if (right_node)
                        return 0;
                return error_set(err,
                                 "/dev/%s%s is %s, and the NVIDIA driver leaves its device files "
                                 "to the administrator (DeviceFileModify: 0); create it: mknod "
                                 "-m %o /dev/%s c %u %u",
                                 name, shown,
                                 exists ? "not the character device it should be" : "missing",
                                 cap->mode, name, major, cap->minor);
        }
        if (right_node) {
                /* Permissions as the driver wants them, where this process may set them; the
                 * node works either way. */
                if ((st.st_mode & 0777) != cap->mode)
                        (void)chmod(path, cap->mode);
                if ((st.st_uid != cap->uid || st.st_gid != cap->gid) &&
                    chown(path, cap->uid, cap->gid) < 0) {
                        /* best effort, as chmod above: the node works as it is */
                }
                return 0;
        }
        cleanup_free char *dir = xasprintf("%s/nvidia-caps", dev_root);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return error_set_errno(err, errno, "cannot create /dev/nvidia-caps%s", shown);
        if (exists && unlink(path) < 0)
                return error_set_errno(err, errno,
                                       "/dev/%s%s is not the character device %u:%u and cannot "
                                       "be replaced",
                                       name, shown, major, cap->minor);
        if (mknod(path, S_IFCHR | cap->mode, dev) < 0)
                return error_set(err,
                                 "cannot create the MIG capability node /dev/%s%s (c %u:%u): %s; "
                                 "run the plugin as root, or create the node with nvidia-modprobe "
                                 "-f on its access file under /proc/driver/nvidia/capabilities",
                                 name, shown, major, cap->minor, strerror(errno));
        if (chmod(path, cap->mode) < 0 || chown(path, cap->uid, cap->gid) < 0) {
                int saved = errno;
                unlink(path);
                return error_set_errno(err, saved, "cannot set the mode and owner of /dev/%s%s",
                                       name, shown);
        }
        if (created != NULL)
                *created = true;
        return 0;
}

int device_nodes_ensure_cap(const char *dev_root, unsigned int major,
                            const struct gpu_cap_node *cap, bool *created, struct error *err)
{
        if (created != NULL)
                *created = false;
        pthread_mutex_lock(&caps_lock);
        int r = ensure_cap_locked(dev_root, major, cap, created, err);
        pthread_mutex_unlock(&caps_lock);
        return r;
}
int device_nodes_modeset(const char *dev_root, struct strv *out, struct error *err)
{
        int r = node_exists(dev_root, "nvidia-modeset", err);
        if (r < 0)
                return -1;
        if (r)
                strv_push(out, "/dev/nvidia-modeset");
        return 0;
}
