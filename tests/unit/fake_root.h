/*
 * fake_root: temporary directories and FAKE driver roots (tests/fakes/make-driver-root.sh) for
 * the unit tests of the volume modules. Tests run from the repository root (tests/run.sh).
 */
#ifndef NVD_FAKE_ROOT_H
#define NVD_FAKE_ROOT_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static inline char *fake_tmpdir(const char *parent)
{
        char *dir = NULL;
        if (asprintf(&dir, "%s/nvd-unit.XXXXXX", parent ? parent : "/tmp") < 0)
                return NULL;
        if (mkdtemp(dir) == NULL) {
                free(dir);
                return NULL;
        }
        return dir;
}

static inline int fake_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
        return remove(path);
}

static inline void fake_rmtree(const char *dir)
{
        if (dir != NULL)
                nftw(dir, fake_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes a fake driver root of `version` in a new directory under `parent` ("/tmp" if NULL).
 * `layout` is NULL or "gpu-host"; `tls_abi` NULL or "old". Returns the directory or NULL. */
static inline char *fake_root_make(const char *parent, const char *version, const char *layout,
                                   const char *tls_abi)
{
        char *dir = fake_tmpdir(parent);
        if (dir == NULL)
                return NULL;
        pid_t pid = fork();
        if (pid == 0) {
                if (layout)
                        setenv("FAKE_LAYOUT", layout, 1);
                if (tls_abi)
                        setenv("FAKE_TLS_ABI", tls_abi, 1);
                execlp("bash", "bash", "tests/fakes/make-driver-root.sh", dir, version,
                       (char *)NULL);
                _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
                fprintf(stderr, "make-driver-root.sh %s %s failed\n", dir, version);
                fake_rmtree(dir);
                free(dir);
                return NULL;
        }
        return dir;
}

#endif
