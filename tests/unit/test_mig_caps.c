/* Unit tests of the MIG capability files (mig_caps: access files, mig-minors, /proc/devices, the
 * lookup in a scratch proc root) and of the capability nodes (device_nodes_ensure_cap in a
 * scratch dev root: made, kept, replaced, left to the administrator). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "fake_root.h"
#include "nvidia-docker-plugin/device_nodes.h"
#include "nvidia-docker-plugin/mig_caps.h"
#include "unit.h"

#define EXPECT_STR(expected, actual) CU_ASSERT_STRING_EQUAL(actual, expected)

static int parse_access(const char *text, struct mig_cap_access *a, char **message)
{
        struct error err = ERROR_INIT;
        int r = mig_caps_parse_access(text, strlen(text), a, &err);
        *message = err.message ? xstrdup(err.message) : NULL;
        error_clear(&err);
        return r;
}

#define EXPECT_ACCESS_ERROR(text, expected)                                                        \
        do {                                                                                       \
                struct mig_cap_access a_;                                                          \
                char *m_ = NULL;                                                                   \
                CU_ASSERT_EQUAL(parse_access(text, &a_, &m_), -1);                                 \
                CU_ASSERT_PTR_NOT_NULL(m_);                                                        \
                if (m_)                                                                            \
                        EXPECT_STR(expected, m_);                                                  \
                free(m_);                                                                          \
        } while (0)

static void test_parse_access(void)
{
        struct mig_cap_access a;
        char *m = NULL;
        /* As the driver writes them (292 = 0444). */
        CU_ASSERT_EQUAL(
            parse_access("DeviceFileMinor: 22\nDeviceFileMode: 292\nDeviceFileModify: 1\n", &a, &m),
            0);
        CU_ASSERT_EQUAL(a.minor, 22);
        CU_ASSERT_EQUAL(a.mode, 0444);
        CU_ASSERT(a.modify);
        CU_ASSERT_EQUAL(a.uid, 0);
        CU_ASSERT_EQUAL(a.gid, 0);
        /* Defaults of nvidia-modprobe; owner lines, blanks, CRs, unknown names, no final
         * newline. */
        CU_ASSERT_EQUAL(parse_access("\n  DeviceFileMinor:7 \r\nDeviceFileUID: 1000\n"
                                     "DeviceFileGID: 44\nSomethingNew: not a number\n"
                                     "DeviceFileModify: 0",
                                     &a, &m),
                        0);
        CU_ASSERT_EQUAL(a.minor, 7);
        CU_ASSERT_EQUAL(a.mode, 0666);
        CU_ASSERT(!a.modify);
        CU_ASSERT_EQUAL(a.uid, 1000);
        CU_ASSERT_EQUAL(a.gid, 44);
        CU_ASSERT_EQUAL(parse_access("DeviceFileMinor: 1048575\nDeviceFileMode: 511\n", &a, &m), 0);
        CU_ASSERT_EQUAL(a.minor, 1048575);
        CU_ASSERT_EQUAL(a.mode, 0777);

        EXPECT_ACCESS_ERROR("", "no DeviceFileMinor line");
        EXPECT_ACCESS_ERROR("DeviceFileMode: 292\n", "no DeviceFileMinor line");
        EXPECT_ACCESS_ERROR("DeviceFileMinor 22\n", "line 1 is not \"Name: value\"");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: 22\nDeviceFileMode: 512\n",
                            "line 2: invalid DeviceFileMode value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: 1048576\n", "line 1: invalid DeviceFileMinor value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: -1\n", "line 1: invalid DeviceFileMinor value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: 2 2\n", "line 1: invalid DeviceFileMinor value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor:\n", "line 1: invalid DeviceFileMinor value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: 99999999999999999999\n",
                            "line 1: invalid DeviceFileMinor value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: 3\nDeviceFileModify: 2\n",
                            "line 2: invalid DeviceFileModify value");
        EXPECT_ACCESS_ERROR("DeviceFileMinor: 3\nDeviceFileUID: 4294967296\n",
                            "line 2: invalid DeviceFileUID value");
        /* A NUL inside the text is data, not an end. */
        static const char with_nul[] = "DeviceFileMinor: 5\0\nDeviceFileMode: 292\n";
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(mig_caps_parse_access(with_nul, sizeof(with_nul) - 1, &a, &err), -1);
        EXPECT_STR("line 1: invalid DeviceFileMinor value", err.message);
        error_clear(&err);
}

static const char minors[] = "config 1\n"
                             "monitor 2\n"
                             "gpu0/gi0/access 3\n"
                             "gpu0/gi0/ci0/access 4\n"
                             "gpu0/gi1/access 12\n"
                             "gpu0/gi1/ci0/access 13\n"
                             "gpu0/gi1/ci7/access 20\n"
                             "gpu1/gi1/access 147\n"
                             "gpu1/gi1/ci0/access 148\n"
                             "gpu1/gi11/access 237\n"
                             "gpu2/gi3/access x\n"
                             "gpu2/gi4/access\n"
                             "gpu2/gi5/accessory 9\n"
                             "  gpu3/gi0/access\t 409  \r\n"
                             "gpu31/gi14/ci7/access 4322";

static int find(unsigned int gpu, unsigned int gi, int ci)
{
        unsigned int minor = 0;
        if (!mig_caps_find_minor(minors, sizeof(minors) - 1, gpu, gi, ci, &minor))
                return -1;
        return (int)minor;
}

static void test_find_minor(void)
{
        CU_ASSERT_EQUAL(find(0, 1, -1), 12);
        CU_ASSERT_EQUAL(find(0, 1, 0), 13);
        CU_ASSERT_EQUAL(find(0, 1, 7), 20);
        CU_ASSERT_EQUAL(find(1, 1, -1), 147);
        CU_ASSERT_EQUAL(find(1, 1, 0), 148);
        CU_ASSERT_EQUAL(find(1, 11, -1), 237); /* not gpu1/gi1 + "1" */
        CU_ASSERT_EQUAL(find(3, 0, -1), 409);
        CU_ASSERT_EQUAL(find(31, 14, 7), 4322);
        CU_ASSERT_EQUAL(find(0, 2, -1), -1);
        CU_ASSERT_EQUAL(find(2, 3, -1), -1); /* not a number */
        CU_ASSERT_EQUAL(find(2, 4, -1), -1); /* no number */
        CU_ASSERT_EQUAL(find(2, 5, -1), -1); /* another name */
        CU_ASSERT_EQUAL(find(11, 1, -1), -1);
        unsigned int minor = 77;
        CU_ASSERT_EQUAL(mig_caps_find_minor("", 0, 0, 0, -1, &minor), 0);
        CU_ASSERT_EQUAL(minor, 77);
}

static const char devices[] = "Character devices:\n"
                              "  1 mem\n"
                              "195 nvidia-frontend\n"
                              "238 nvidia-uvm\n"
                              "242 nvidia-caps-imex-channels\n"
                              "241 nvidia-caps\n"
                              "\n"
                              "Block devices:\n"
                              "243 nvidia-caps-block\n"
                              "  8 sd\n";

static void test_find_major(void)
{
        unsigned int major = 0;
        CU_ASSERT_EQUAL(mig_caps_find_major(devices, sizeof(devices) - 1, "nvidia-caps", &major),
                        1);
        CU_ASSERT_EQUAL(major, 241);
        CU_ASSERT_EQUAL(mig_caps_find_major(devices, sizeof(devices) - 1, "nvidia-uvm", &major), 1);
        CU_ASSERT_EQUAL(major, 238);
        CU_ASSERT_EQUAL(mig_caps_find_major(devices, sizeof(devices) - 1, "mem", &major), 1);
        CU_ASSERT_EQUAL(major, 1);
        /* Block devices and partial names do not count. */
        CU_ASSERT_EQUAL(mig_caps_find_major(devices, sizeof(devices) - 1, "sd", &major), 0);
        CU_ASSERT_EQUAL(
            mig_caps_find_major(devices, sizeof(devices) - 1, "nvidia-caps-block", &major), 0);
        CU_ASSERT_EQUAL(mig_caps_find_major(devices, sizeof(devices) - 1, "nvidia", &major), 0);
        static const char no_header[] = "241 nvidia-caps\n";
        CU_ASSERT_EQUAL(
            mig_caps_find_major(no_header, sizeof(no_header) - 1, "nvidia-caps", &major), 0);
        static const char bad[] = "Character devices:\nx41 nvidia-caps\n99999 nvidia-caps\n"
                                  "7 nvidia-caps\n";
        CU_ASSERT_EQUAL(mig_caps_find_major(bad, sizeof(bad) - 1, "nvidia-caps", &major), 1);
        CU_ASSERT_EQUAL(major, 7);
}

/* Writes <dir>/<name>, making the directories of name on the way. */
static void write_file(const char *dir, const char *name, const char *text)
{
        char *path = xasprintf("%s/%s", dir, name);
        for (char *slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
                *slash = '\0';
                CU_ASSERT(mkdir(path, 0755) == 0 || errno == EEXIST);
                *slash = '/';
        }
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
        free(path);
}

static void test_lookup(void)
{
        char *proc = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(proc);
        struct mig_cap_access a;
        struct error err = ERROR_INIT;

        /* Nothing there: both files named. */
        CU_ASSERT_EQUAL(mig_caps_lookup(proc, 0, 1, -1, &a, &err), -1);
        char *expected = xasprintf("cannot open %s/driver/nvidia/capabilities/gpu0/mig/gi1/access: "
                                   "No such file or directory; and %s/driver/nvidia-caps/"
                                   "mig-minors has no minor for it",
                                   proc, proc);
        EXPECT_STR(expected, err.message);
        free(expected);
        error_clear(&err);
        CU_ASSERT_EQUAL(mig_caps_read_major(proc, &a.minor, &err), -1);
        error_clear(&err);

        write_file(proc, "driver/nvidia/capabilities/gpu0/mig/gi1/access",
                   "DeviceFileMinor: 12\nDeviceFileMode: 256\nDeviceFileModify: 1\n");
        write_file(proc, "driver/nvidia/capabilities/gpu0/mig/gi1/ci0/access",
                   "DeviceFileMinor: 13\nDeviceFileMode: 292\nDeviceFileModify: 1\n");
        write_file(proc, "driver/nvidia/capabilities/gpu0/mig/gi2/ci0/access", "garbage\n");
        write_file(proc, "driver/nvidia-caps/mig-minors",
                   "config 1\nmonitor 2\ngpu0/gi1/access 99\ngpu0/gi2/access 21\n"
                   "gpu0/gi2/ci0/access 22\n");
        write_file(proc, "devices", "Character devices:\n195 nvidia-frontend\n509 nvidia-caps\n");

        CU_ASSERT_EQUAL(mig_caps_lookup(proc, 0, 1, -1, &a, &err), 0);
        CU_ASSERT_EQUAL(a.minor, 12); /* the access file wins over mig-minors */
        CU_ASSERT_EQUAL(a.mode, 0400);
        CU_ASSERT_EQUAL(mig_caps_lookup(proc, 0, 1, 0, &a, &err), 0);
        CU_ASSERT_EQUAL(a.minor, 13);
        CU_ASSERT_EQUAL(a.mode, 0444);
        /* No access file: mig-minors, read-only. */
        CU_ASSERT_EQUAL(mig_caps_lookup(proc, 0, 2, -1, &a, &err), 0);
        CU_ASSERT_EQUAL(a.minor, 21);
        CU_ASSERT_EQUAL(a.mode, 0444);
        CU_ASSERT(a.modify);
        /* A broken access file is an error, not a reason to guess. */
        CU_ASSERT_EQUAL(mig_caps_lookup(proc, 0, 2, 0, &a, &err), -1);
        expected = xasprintf("%s/driver/nvidia/capabilities/gpu0/mig/gi2/ci0/access: line 1 is "
                             "not \"Name: value\"",
                             proc);
        EXPECT_STR(expected, err.message);
        free(expected);
        error_clear(&err);
        CU_ASSERT_EQUAL(mig_caps_lookup(proc, 1, 2, -1, &a, &err), -1);
        error_clear(&err);

        unsigned int major = 0;
        CU_ASSERT_EQUAL(mig_caps_read_major(proc, &major, &err), 0);
        CU_ASSERT_EQUAL(major, 509);
        write_file(proc, "devices", "Character devices:\n195 nvidia-frontend\n\n");
        CU_ASSERT_EQUAL(mig_caps_read_major(proc, &major, &err), -1);
        expected = xasprintf("%s/devices lists no nvidia-caps character device; is the NVIDIA "
                             "kernel module loaded with MIG support?",
                             proc);
        EXPECT_STR(expected, err.message);
        free(expected);
        error_clear(&err);

        char *path = mig_caps_access_path("/proc", 3, 14, 7);
        EXPECT_STR("/proc/driver/nvidia/capabilities/gpu3/mig/gi14/ci7/access", path);
        free(path);
        fake_rmtree(proc);
        free(proc);
}

/* ---- capability nodes ---- */

static bool can_mknod(const char *dir)
{
        if (dir == NULL)
                return false;
        char *path = xasprintf("%s/probe", dir);
        bool ok = mknod(path, S_IFCHR | 0600, makedev(1, 3)) == 0;
        unlink(path);
        free(path);
        return ok;
}

static void stat_node(const char *dev, unsigned int minor, struct stat *st)
{
        char *path = xasprintf("%s/nvidia-caps/nvidia-cap%u", dev, minor);
        CU_ASSERT_EQUAL(stat(path, st), 0);
        free(path);
}

static void test_ensure_cap(void)
{
        char *dev = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
        if (!can_mknod(dev)) {
                fprintf(stderr, "(skipped: this process may not create device nodes) ");
                fake_rmtree(dev);
                free(dev);
                return;
        }
        struct gpu_cap_node cap = {.path = "/dev/nvidia-caps/nvidia-cap21",
                                   .minor = 21,
                                   .mode = 0444,
                                   .uid = 0,
                                   .gid = 0,
                                   .modify = true};
        struct error err = ERROR_INIT;
        bool created = false;
        struct stat st;

        /* Missing: the directory (0755) and the node are made. */
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(dev, 241, &cap, &created, &err), 0);
        CU_ASSERT(created);
        stat_node(dev, 21, &st);
        CU_ASSERT(S_ISCHR(st.st_mode));
        CU_ASSERT_EQUAL(major(st.st_rdev), 241);
        CU_ASSERT_EQUAL(minor(st.st_rdev), 21);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0444);
        char *dir = xasprintf("%s/nvidia-caps", dev);
        CU_ASSERT_EQUAL(stat(dir, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0755);

        /* Present and right: kept; a wrong mode is set right. */
        char *path = xasprintf("%s/nvidia-caps/nvidia-cap21", dev);
        CU_ASSERT_EQUAL(chmod(path, 0600), 0);
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(dev, 241, &cap, &created, &err), 0);
        CU_ASSERT(!created);
        stat_node(dev, 21, &st);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0444);

        /* A node of other numbers, or a plain file, is replaced. */
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(dev, 240, &cap, &created, &err), 0);
        CU_ASSERT(created);
        stat_node(dev, 21, &st);
        CU_ASSERT_EQUAL(major(st.st_rdev), 240);
        unlink(path);
        close(open(path, O_CREAT | O_WRONLY, 0644));
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(dev, 241, &cap, &created, &err), 0);
        CU_ASSERT(created);
        stat_node(dev, 21, &st);
        CU_ASSERT(S_ISCHR(st.st_mode));

        /* DeviceFileModify: 0: an existing node is accepted, a missing one is an error with the
         * command to run; nothing is created. */
        cap.modify = false;
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(dev, 241, &cap, &created, &err), 0);
        unlink(path);
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(dev, 241, &cap, &created, &err), -1);
        CU_ASSERT(!created);
        char *expected =
            xasprintf("/dev/nvidia-caps/nvidia-cap21 (looked up as %s/nvidia-caps/nvidia-cap21) "
                      "is missing, and the NVIDIA driver leaves its device files to the "
                      "administrator (DeviceFileModify: 0); create it: mknod -m 444 "
                      "/dev/nvidia-caps/nvidia-cap21 c 241 21",
                      dev);
        EXPECT_STR(expected, err.message);
        free(expected);
        error_clear(&err);
        CU_ASSERT_EQUAL(access(path, F_OK), -1);

        /* /dev/nvidia-caps leads nowhere (a dangling link): the node cannot be made; the
         * message says why and what to do. */
        cap.modify = true;
        char *caps_dir = xasprintf("%s/caps-link", dev);
        CU_ASSERT_EQUAL(mkdir(caps_dir, 0755), 0);
        char *caps_file = xasprintf("%s/nvidia-caps", caps_dir);
        CU_ASSERT_EQUAL(symlink("nowhere", caps_file), 0);
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(caps_dir, 241, &cap, &created, &err), -1);
        expected = xasprintf("cannot create the MIG capability node /dev/nvidia-caps/nvidia-cap21 "
                             "(looked up as %s/nvidia-caps/nvidia-cap21) (c 241:21): No such "
                             "file or directory; run the plugin as root, or create the node with "
                             "nvidia-modprobe -f on its access file under "
                             "/proc/driver/nvidia/capabilities",
                             caps_dir);
        EXPECT_STR(expected, err.message);
        free(expected);
        error_clear(&err);
        free(caps_file);
        free(caps_dir);

        /* A dev root where nothing can be made. */
        cap.modify = true;
        char *missing = xasprintf("%s/none/dev", dev);
        CU_ASSERT_EQUAL(device_nodes_ensure_cap(missing, 241, &cap, &created, &err), -1);
        CU_ASSERT(err.message != NULL &&
                  strstr(err.message, "cannot create /dev/nvidia-caps") != NULL);
        error_clear(&err);
        free(missing);
        free(path);
        free(dir);
        fake_rmtree(dev);
        free(dev);
}

UNIT_MAIN("mig_caps", UNIT(test_parse_access), UNIT(test_find_minor), UNIT(test_find_major),
          UNIT(test_lookup), UNIT(test_ensure_cap))
