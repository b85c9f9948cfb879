#include "nvidia-docker-plugin/device_nodes.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"

static pthread_mutex_t uvm_lock = PTHREAD_MUTEX_INITIALIZER;

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
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_set_errno(err, errno, "nvidia-modprobe: pipe");
        pid_t pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return error_set_errno(err, errno, "nvidia-modprobe: fork");
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDONLY);
                if (devnull >= 0)
                        dup2(devnull, 0);
                dup2(pipefd[1], 1);
                dup2(pipefd[1], 2);
                char *const argv[] = {"nvidia-modprobe", "-u", "-c=0", NULL};
                execvp(argv[0], argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(pipefd[1]);
        struct buf out = BUF_INIT;
        buf_read_fd(&out, pipefd[0], 1 << 20);
        close(pipefd[0]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        int rc = -1;
        /* Output as one line: newlines become "; ". */
        cleanup_free char *text = buf_steal(&out);
        size_t len = strlen(text);
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
                text[--len] = '\0';
        for (char *p = text; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && text[0] == '\0')
                error_set(err, "/dev/nvidia-uvm is missing and nvidia-modprobe was not found on "
                               "PATH; load the module (modprobe nvidia-uvm) or install "
                               "nvidia-modprobe");
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                error_set(err, "nvidia-modprobe -u -c=0 failed with exit status %d%s%s",
                          WEXITSTATUS(status), text[0] ? ": " : "", text);
        else if (WIFSIGNALED(status))
                error_set(err, "nvidia-modprobe -u -c=0 was killed by signal %d%s%s",
                          WTERMSIG(status), text[0] ? ": " : "", text);
        else
                rc = 0;
        return rc;
}

int device_nodes_control(const char *dev_root, struct strv *out, struct error *err)
{
        if (device_nodes_check(dev_root, "nvidiactl", err) < 0)
                return -1;
        strv_push(out, "/dev/nvidiactl");
        int r = node_exists(dev_root, "nvidia-uvm", err);
        if (r < 0)
                return -1;
        if (r == 0) {
                pthread_mutex_lock(&uvm_lock);
                r = node_exists(dev_root, "nvidia-uvm", err);
                if (r == 0 && device_nodes_load_uvm(err) == 0)
                        r = device_nodes_check(dev_root, "nvidia-uvm", err) == 0 ? 1 : -1;
                pthread_mutex_unlock(&uvm_lock);
                if (r <= 0)
                        return -1;
        }
        strv_push(out, "/dev/nvidia-uvm");
        r = node_exists(dev_root, "nvidia-uvm-tools", err);
        if (r < 0)
                return -1;
        if (r)
                strv_push(out, "/dev/nvidia-uvm-tools");
        return 0;
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
