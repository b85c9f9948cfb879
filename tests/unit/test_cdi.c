/* Unit tests of the CDI spec: the pure builder (cdi_spec: names, nodes, MIG entries, all/none,
 * the driver mount, bad input), the atomic file (cdi_file) and the publisher (cdi_publish:
 * driver tree, device nodes looked up under a scratch dev root, file written and removed, a
 * driver change, a failed update, the REST body). The driver files come from
 * tests/fakes/make-driver-root.sh; device nodes are made with mknod (root) or skipped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "fake_root.h"
#include "nvidia-docker-plugin/cdi_file.h"
#include "nvidia-docker-plugin/cdi_publish.h"
#include "nvidia-docker-plugin/cdi_spec.h"
#include "unit.h"

#define EXPECT_STR(expected, actual) CU_ASSERT_STRING_EQUAL(actual, expected)

static const struct cdi_node control[] = {
    {"/dev/nvidiactl", NULL, 'c', 195, 255},
    {"/dev/nvidia-uvm", "/dev/nvidia-uvm", 'c', 238, 0},
};

static char *read_file(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        struct buf b = BUF_INIT;
        buf_read_fd(&b, fd, 1 << 20);
        close(fd);
        return buf_steal(&b);
}

static bool exists(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0;
}

static size_t count_occurrences(const char *text, const char *needle)
{
        size_t n = 0;
        for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
                n++;
        return n;
}

/* ---- cdi_spec ---- */

static void test_valid_names(void)
{
        CU_ASSERT_TRUE(cdi_spec_valid_name("0"));
        CU_ASSERT_TRUE(cdi_spec_valid_name("all"));
        CU_ASSERT_TRUE(cdi_spec_valid_name("0:1"));
        CU_ASSERT_TRUE(cdi_spec_valid_name("GPU-b1028956-cfa2-0990-bf4a-5da9abb51763"));
        CU_ASSERT_TRUE(cdi_spec_valid_name("MIG-1d0c.a_b"));
        CU_ASSERT_FALSE(cdi_spec_valid_name(""));
        CU_ASSERT_FALSE(cdi_spec_valid_name(NULL));
        CU_ASSERT_FALSE(cdi_spec_valid_name("-0"));
        CU_ASSERT_FALSE(cdi_spec_valid_name("0:"));
        CU_ASSERT_FALSE(cdi_spec_valid_name("GPU-x/y"));
        CU_ASSERT_FALSE(cdi_spec_valid_name("a b"));
        CU_ASSERT_FALSE(cdi_spec_valid_name("gpu=0"));
}

/* One GPU: the exact text, so that a change of layout is a decision. */
static void test_build_one_gpu_exact(void)
{
        struct cdi_node gpu0 = {"/dev/nvidia0", "/scratch/dev/nvidia0", 'c', 195, 0};
        struct cdi_gpu gpus[] = {{"0", "GPU-aa", &gpu0, 1}};
        struct cdi_spec_input in = {gpus, 1, control, 1, "/var/lib/nvd/cdi/nvidia_driver/580.1"};
        struct buf out = BUF_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_spec_build(&in, &out, NULL, &err), 0);
        const char *ctl = "          {\"path\": \"/dev/nvidiactl\", \"type\": \"c\", \"major\": "
                          "195, \"minor\": 255, \"permissions\": \"rw\"}";
        const char *node0 = "          {\"path\": \"/dev/nvidia0\", \"hostPath\": "
                            "\"/scratch/dev/nvidia0\", \"type\": \"c\", \"major\": 195, "
                            "\"minor\": 0, \"permissions\": \"rw\"}";
        cleanup_free char *expected = xasprintf(
            "{\n"
            "  \"cdiVersion\": \"0.5.0\",\n"
            "  \"kind\": \"nvidia.com/gpu\",\n"
            "  \"devices\": [\n"
            "    {\n      \"name\": \"0\",\n      \"containerEdits\": {\n"
            "        \"deviceNodes\": [\n%s,\n%s\n        ]\n      }\n    },\n"
            "    {\n      \"name\": \"GPU-aa\",\n      \"containerEdits\": {\n"
            "        \"deviceNodes\": [\n%s,\n%s\n        ]\n      }\n    },\n"
            "    {\n      \"name\": \"all\",\n      \"containerEdits\": {\n"
            "        \"deviceNodes\": [\n%s,\n%s\n        ]\n      }\n    },\n"
            "    {\n      \"name\": \"none\",\n      \"containerEdits\": {\n"
            "        \"deviceNodes\": [\n%s\n        ]\n      }\n    }\n"
            "  ],\n"
            "  \"containerEdits\": {\n"
            "    \"env\": [\"NVIDIA_VISIBLE_DEVICES=void\"],\n"
            "    \"mounts\": [\n"
            "      {\"hostPath\": \"/var/lib/nvd/cdi/nvidia_driver/580.1\", \"containerPath\": "
            "\"/usr/local/nvidia\", \"options\": [\"ro\", \"nosuid\", \"nodev\", \"rbind\"]}\n"
            "    ]\n"
            "  }\n"
            "}\n",
            ctl, node0, ctl, node0, ctl, node0, ctl);
        EXPECT_STR(expected, out.data);
        buf_destroy(&out);
}

/* Two GPUs and a MIG device of GPU 1: names, per-device nodes, `all` without repeats. */
static void test_build_gpus_and_mig(void)
{
        struct cdi_node n0 = {"/dev/nvidia0", NULL, 'c', 195, 0};
        struct cdi_node n1 = {"/dev/nvidia1", NULL, 'c', 195, 1};
        struct cdi_node mig[] = {
            {"/dev/nvidia1", NULL, 'c', 195, 1},
            {"/dev/nvidia-caps/nvidia-cap21", NULL, 'c', 511, 21},
            {"/dev/nvidia-caps/nvidia-cap22", NULL, 'c', 511, 22},
        };
        struct cdi_gpu gpus[] = {
            {"0", "GPU-aa", &n0, 1},
            {"1", "GPU-bb", &n1, 1},
            {"1:0", "MIG-cc", mig, 3},
        };
        struct cdi_spec_input in = {gpus, 3, control, 2, "/t"};
        struct buf out = BUF_INIT;
        struct strv skipped = STRV_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_spec_build(&in, &out, &skipped, &err), 0);
        CU_ASSERT_EQUAL(skipped.count, 0);
        const char *names[] = {"\"0\"",   "\"GPU-aa\"", "\"1\"",   "\"GPU-bb\"",
                               "\"1:0\"", "\"MIG-cc\"", "\"all\"", "\"none\""};
        const char *prev = out.data;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                cleanup_free char *field = xasprintf("\"name\": %s", names[i]);
                const char *at = strstr(out.data, field);
                CU_ASSERT_PTR_NOT_NULL(at);
                CU_ASSERT_TRUE(at != NULL && at >= prev); /* in this order */
                if (at != NULL)
                        prev = at;
        }
        /* 8 devices x control nodes (2 each) */
        CU_ASSERT_EQUAL(count_occurrences(out.data, "\"/dev/nvidiactl\""), 8);
        /* nvidia1: GPU 1 twice (index, UUID), MIG twice, all once */
        CU_ASSERT_EQUAL(count_occurrences(out.data, "\"/dev/nvidia1\""), 5);
        CU_ASSERT_EQUAL(count_occurrences(out.data, "nvidia-cap21\""), 3);
        CU_ASSERT_EQUAL(count_occurrences(out.data, "\"hostPath\""), 1); /* only the mount */
        const char *none = strstr(out.data, "\"name\": \"none\"");
        CU_ASSERT_PTR_NULL(none != NULL ? strstr(none, "/dev/nvidia0") : "x");
        CU_ASSERT_PTR_NULL(none != NULL ? strstr(none, "nvidia-cap") : "x");
        const char *all = strstr(out.data, "\"name\": \"all\"");
        CU_ASSERT_EQUAL(all != NULL ? count_occurrences(all, "\"/dev/nvidia1\"") : 0, 1);
        CU_ASSERT_EQUAL(all != NULL ? count_occurrences(all, "nvidia-cap22\"") : 0, 1);
        buf_destroy(&out);
        strv_destroy(&skipped);
}

static void test_build_skips_bad_names(void)
{
        struct cdi_node n0 = {"/dev/nvidia0", NULL, 'c', 195, 0};
        struct cdi_node n1 = {"/dev/nvidia1", NULL, 'c', 195, 1};
        struct cdi_gpu gpus[] = {
            {"0", "GPU-odd/uuid", &n0, 1}, /* '/' is not allowed: only the index */
            {"all", "GPU-aa", &n1, 1},     /* `all` is ours */
            {"2", "GPU-aa", &n1, 1},       /* a name twice: the first wins */
            {NULL, NULL, &n1, 1},          /* no names: only in `all` */
        };
        struct cdi_spec_input in = {gpus, 4, control, 1, "/t"};
        struct buf out = BUF_INIT;
        struct strv skipped = STRV_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_spec_build(&in, &out, &skipped, &err), 0);
        CU_ASSERT_EQUAL_FATAL(skipped.count, 3);
        EXPECT_STR("GPU-odd/uuid", skipped.items[0]);
        EXPECT_STR("all", skipped.items[1]);
        EXPECT_STR("GPU-aa", skipped.items[2]);
        CU_ASSERT_EQUAL(count_occurrences(out.data, "\"name\": \"all\""), 1);
        CU_ASSERT_EQUAL(count_occurrences(out.data, "\"name\": \"GPU-aa\""), 1);
        CU_ASSERT_EQUAL(count_occurrences(out.data, "\"name\": "), 5); /* 0 GPU-aa 2 all none */
        buf_destroy(&out);
        strv_destroy(&skipped);
}

static void test_build_rejects_bad_input(void)
{
        struct cdi_node rel = {"dev/nvidia0", NULL, 'c', 195, 0};
        struct cdi_node pipe_node = {"/dev/nvidia0", NULL, 'p', 0, 0};
        struct cdi_node host_rel = {"/dev/nvidia0", "x/nvidia0", 'c', 195, 0};
        const struct cdi_node *bad[] = {&rel, &pipe_node, &host_rel};
        for (size_t i = 0; i < 3; i++) {
                struct cdi_gpu gpu = {"0", NULL, bad[i], 1};
                struct cdi_spec_input in = {&gpu, 1, control, 1, "/t"};
                struct buf out = BUF_INIT;
                struct error err = ERROR_INIT;
                CU_ASSERT_EQUAL(cdi_spec_build(&in, &out, NULL, &err), -1);
                CU_ASSERT_PTR_NOT_NULL(err.message);
                error_clear(&err);
                buf_destroy(&out);
        }
        struct cdi_spec_input no_dir = {NULL, 0, control, 1, "relative"};
        struct cdi_spec_input no_control = {NULL, 0, control, 0, "/t"};
        struct buf out = BUF_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_spec_build(&no_dir, &out, NULL, &err), -1);
        error_clear(&err);
        CU_ASSERT_EQUAL(cdi_spec_build(&no_control, &out, NULL, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nvidiactl"));
        error_clear(&err);
        buf_destroy(&out);
}

/* A path with characters JSON must escape stays one valid string. */
static void test_build_escapes(void)
{
        struct cdi_node n0 = {"/dev/nvidia0", "/tmp/a \"q\"\\b/nvidia0", 'c', 195, 0};
        struct cdi_gpu gpu = {"0", NULL, &n0, 1};
        struct cdi_spec_input in = {&gpu, 1, control, 1, "/tmp/dir \"x\""};
        struct buf out = BUF_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_spec_build(&in, &out, NULL, &err), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "\"/tmp/a \\\"q\\\"\\\\b/nvidia0\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "\"/tmp/dir \\\"x\\\"\""));
        buf_destroy(&out);
}

/* ---- cdi_file ---- */

static void test_file_write_atomic(void)
{
        cleanup_free char *tmp = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
        cleanup_free char *dir = xasprintf("%s/run/cdi", tmp); /* parents made too */
        cleanup_free char *path = xasprintf("%s/spec.json", dir);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_file_write(dir, "spec.json", "one\n", 4, &err), 0);
        cleanup_free char *one = read_file(path);
        EXPECT_STR("one\n", one);
        struct stat st;
        CU_ASSERT_EQUAL(stat(path, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);
        ino_t first = st.st_ino;
        /* A reader that opened the old file keeps reading it whole; the name gets the new. */
        int reader = open(path, O_RDONLY | O_CLOEXEC);
        CU_ASSERT_EQUAL(cdi_file_write(dir, "spec.json", "second\n", 7, &err), 0);
        char old[8] = "";
        CU_ASSERT_EQUAL(read(reader, old, sizeof(old) - 1), 4);
        EXPECT_STR("one\n", old);
        close(reader);
        cleanup_free char *two = read_file(path);
        EXPECT_STR("second\n", two);
        CU_ASSERT_EQUAL(stat(path, &st), 0);
        CU_ASSERT_NOT_EQUAL(st.st_ino, first); /* replaced by rename, not rewritten */
        /* Nothing else in the directory: no temporary file left. */
        DIR *d = opendir(dir);
        size_t entries = 0;
        for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
                entries += e->d_name[0] != '.' || strlen(e->d_name) > 2;
        if (d != NULL)
                closedir(d);
        CU_ASSERT_EQUAL(entries, 1);
        CU_ASSERT_EQUAL(cdi_file_remove(dir, "spec.json", &err), 0);
        CU_ASSERT_FALSE(exists(path));
        CU_ASSERT_EQUAL(cdi_file_remove(dir, "spec.json", &err), 0); /* missing: fine */
        CU_ASSERT_PTR_NULL(err.message);
        fake_rmtree(tmp);
}

static void test_file_write_errors(void)
{
        cleanup_free char *tmp = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
        cleanup_free char *file = xasprintf("%s/plain", tmp);
        close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_file_write(file, "spec.json", "x", 1, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not a directory"));
        error_clear(&err);
        CU_ASSERT_EQUAL(cdi_file_write("relative/dir", "spec.json", "x", 1, &err), -1);
        error_clear(&err);
        /* The spec's own name is a directory: the rename fails, the temporary file goes. */
        cleanup_free char *taken = xasprintf("%s/spec.json", tmp);
        CU_ASSERT_EQUAL(mkdir(taken, 0755), 0);
        cleanup_free char *inside = xasprintf("%s/keep", taken);
        close(open(inside, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        CU_ASSERT_EQUAL(cdi_file_write(tmp, "spec.json", "x", 1, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rename"));
        error_clear(&err);
        cleanup_free char *leftover = xasprintf("%s/.spec.json.Ab12Cd", tmp);
        close(open(leftover, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        cleanup_free char *other = xasprintf("%s/.spec.json.keep-me", tmp);
        close(open(other, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        cdi_file_clean(tmp, "spec.json");
        CU_ASSERT_FALSE(exists(leftover));
        CU_ASSERT_TRUE(exists(other)); /* not a temporary name of ours */
        DIR *d = opendir(tmp);
        size_t temps = 0;
        for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
                temps += strncmp(e->d_name, ".spec.json.", 11) == 0;
        if (d != NULL)
                closedir(d);
        CU_ASSERT_EQUAL(temps, 1);
        fake_rmtree(tmp);
}

/* ---- cdi_publish ---- */

#define VERSION  "580.1.2"
#define VERSION2 "580.9.9"

static char *driver_root;

/* Installs a driver of `version` into an existing fake root. */
static int driver_root_add_version(const char *root, const char *version)
{
        pid_t pid = fork();
        if (pid == 0) {
                execlp("bash", "bash", "tests/fakes/make-driver-root.sh", root, version,
                       (char *)NULL);
                _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A scratch dev root with real character nodes (mknod needs root: NULL otherwise). */
static char *make_dev_root(const char *parent, int gpus)
{
        if (geteuid() != 0)
                return NULL;
        char *dev = xasprintf("%s/dev", parent);
        mkdir(dev, 0755);
        struct {
                const char *name;
                int major, minor;
        } nodes[] = {{"nvidiactl", 195, 255},
                     {"nvidia-uvm", 238, 0},
                     {"nvidia-uvm-tools", 238, 1},
                     {"nvidia0", 195, 0},
                     {"nvidia1", 195, 1}};
        for (size_t i = 0; i < 3 + (size_t)gpus; i++) {
                cleanup_free char *path = xasprintf("%s/%s", dev, nodes[i].name);
                if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0) {
                        free(dev);
                        return NULL;
                }
        }
        return dev;
}

static struct gpu_inventory two_gpus(void)
{
        struct gpu_inventory inv = {xcalloc(2, sizeof(struct gpu_device)), 2, 0};
        inv.devices[0].uuid = xstrdup("GPU-11111111-2222-3333-4444-555555555555");
        inv.devices[0].path = xstrdup("/dev/nvidia0");
        inv.devices[1].uuid = xstrdup("GPU-66666666-7777-8888-9999-000000000000");
        inv.devices[1].path = xstrdup("/dev/nvidia1");
        inv.devices[1].minor = 1;
        return inv;
}

struct publish_env {
        char *tmp, *dev, *spec_dir, *store;
        struct cdi_publish publish;
};

static bool publish_env_open(struct publish_env *e)
{
        if (driver_root == NULL)
                driver_root = fake_root_make(NULL, VERSION, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(driver_root);
        memset(e, 0, sizeof(*e));
        e->tmp = fake_tmpdir(NULL);
        e->dev = make_dev_root(e->tmp, 2);
        if (e->dev == NULL) {
                fprintf(stderr, "(skipped: device nodes need root)\n");
                fake_rmtree(e->tmp);
                free(e->tmp);
                return false;
        }
        e->spec_dir = xasprintf("%s/cdi", e->tmp);
        e->store = xasprintf("%s/volumes/cdi", e->tmp);
        struct cdi_publish_config config = {
            .spec_dir = e->spec_dir,
            .store_root = e->store,
            .dev_root = e->dev,
            .files = {.root = driver_root, .path_env = "/usr/bin"},
        };
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(cdi_publish_init(&e->publish, &config, &err), 0);
        return true;
}

static void publish_env_close(struct publish_env *e)
{
        cdi_publish_destroy(&e->publish);
        fake_rmtree(e->tmp);
        free(e->tmp);
        free(e->dev);
        free(e->spec_dir);
        free(e->store);
}

/* Every "hostPath" of the spec exists. */
static void expect_host_paths_exist(const char *json)
{
        for (const char *p = json; (p = strstr(p, "\"hostPath\": \"")) != NULL;) {
                p += strlen("\"hostPath\": \"");
                const char *end = strchr(p, '"');
                CU_ASSERT_PTR_NOT_NULL_FATAL(end);
                cleanup_free char *path = xstrndup(p, (size_t)(end - p));
                if (!exists(path))
                        fprintf(stderr, "spec names a missing path: %s\n", path);
                CU_ASSERT_TRUE(exists(path));
        }
}

static void test_publish_writes_and_removes(void)
{
        struct publish_env e;
        if (!publish_env_open(&e))
                return;
        cleanup_free char *file = xasprintf("%s/%s", e.spec_dir, CDI_SPEC_FILE);
        struct error err = ERROR_INIT;
        char *none = cdi_publish_current(&e.publish, &err);
        CU_ASSERT_PTR_NULL(none);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no CDI spec yet"));
        error_clear(&err);

        struct gpu_inventory inv = two_gpus();
        CU_ASSERT_EQUAL_FATAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), 0);
        cleanup_free char *text = read_file(file);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        cleanup_free char *served = cdi_publish_current(&e.publish, &err);
        EXPECT_STR(text, served);
        cleanup_free char *tree = xasprintf("%s/nvidia_driver/%s", e.store, VERSION);
        cleanup_free char *mount = xasprintf("{\"hostPath\": \"%s\", \"containerPath\": "
                                             "\"/usr/local/nvidia\"",
                                             tree);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, mount));
        cleanup_free char *node1 = xasprintf("{\"path\": \"/dev/nvidia1\", \"hostPath\": "
                                             "\"%s/nvidia1\", \"type\": \"c\", \"major\": 195, "
                                             "\"minor\": 1",
                                             e.dev);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, node1));
        CU_ASSERT_PTR_NOT_NULL(
            strstr(text, "\"name\": \"GPU-66666666-7777-8888-9999-000000000000\""));
        CU_ASSERT_EQUAL(count_occurrences(text, "\"name\": "), 6);
        expect_host_paths_exist(text);
        /* The tree is the driver volume's layout: the binary, the library, its soname link. */
        cleanup_free char *smi = xasprintf("%s/bin/nvidia-smi", tree);
        cleanup_free char *cuda = xasprintf("%s/lib64/libcuda.so." VERSION, tree);
        cleanup_free char *soname = xasprintf("%s/lib64/libcuda.so.1", tree);
        CU_ASSERT_TRUE(exists(smi));
        CU_ASSERT_TRUE(exists(cuda));
        CU_ASSERT_TRUE(exists(soname));

        /* A stopped plugin publishes nothing. */
        cdi_publish_destroy(&e.publish);
        CU_ASSERT_FALSE(exists(file));
        CU_ASSERT_TRUE(exists(tree)); /* containers may still use it */
        gpu_inventory_destroy(&inv);
        publish_env_close(&e);
}

/* A spec left by an earlier run stays through init (a second plugin that fails to start must
 * not remove it) and goes at the first update, before the trees are checked or built. */
static void test_publish_init_removes_leftover(void)
{
        cleanup_free char *tmp = fake_tmpdir(NULL);
        cleanup_free char *dir = xasprintf("%s/cdi", tmp);
        cleanup_free char *store = xasprintf("%s/store", tmp);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_file_write(dir, CDI_SPEC_FILE, "{}", 2, &err), 0);
        cleanup_free char *file = xasprintf("%s/%s", dir, CDI_SPEC_FILE);
        cleanup_free char *temp = xasprintf("%s/.%s.zZ9yX8", dir, CDI_SPEC_FILE);
        close(open(temp, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        struct cdi_publish publish;
        /* No ld.so.cache, no device node there: every update fails. */
        struct cdi_publish_config config = {
            .spec_dir = dir, .store_root = store, .dev_root = tmp, .files = {.root = tmp}};
        CU_ASSERT_EQUAL(cdi_publish_init(&publish, &config, &err), 0);
        cdi_publish_destroy(&publish);
        CU_ASSERT_TRUE(exists(file));
        CU_ASSERT_TRUE(exists(temp));
        /* The first update claims the file, even when it fails. */
        CU_ASSERT_EQUAL(cdi_publish_init(&publish, &config, &err), 0);
        struct gpu_inventory empty = {NULL, 0, 0};
        CU_ASSERT_EQUAL(cdi_spec_update(&publish, &empty, "1.0", &err), -1);
        error_clear(&err);
        CU_ASSERT_FALSE(exists(file));
        CU_ASSERT_FALSE(exists(temp));
        cdi_publish_destroy(&publish);
        cdi_publish_destroy(&publish); /* twice: no-op */
        /* Bad configurations. */
        struct cdi_publish_config relative = {.spec_dir = "run/cdi", .store_root = store};
        CU_ASSERT_EQUAL(cdi_publish_init(&publish, &relative, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "absolute"));
        error_clear(&err);
        struct cdi_publish_config off = {.spec_dir = "", .store_root = store};
        CU_ASSERT_EQUAL(cdi_publish_init(&publish, &off, &err), 0);
        CU_ASSERT_PTR_NULL(publish.spec_dir);
        cdi_publish_destroy(&publish);
        fake_rmtree(tmp);
}

/* A GPU whose node is missing is left out; no nvidiactl: no spec at all, the old one goes. */
static void test_publish_missing_nodes(void)
{
        struct publish_env e;
        if (!publish_env_open(&e))
                return;
        cleanup_free char *file = xasprintf("%s/%s", e.spec_dir, CDI_SPEC_FILE);
        cleanup_free char *node1 = xasprintf("%s/nvidia1", e.dev);
        cleanup_free char *ctl = xasprintf("%s/nvidiactl", e.dev);
        struct gpu_inventory inv = two_gpus();
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(unlink(node1), 0);
        CU_ASSERT_EQUAL_FATAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), 0);
        cleanup_free char *text = read_file(file);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        CU_ASSERT_PTR_NULL(strstr(text, "nvidia1"));
        CU_ASSERT_PTR_NULL(strstr(text, "GPU-6666"));
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"name\": \"0\""));
        expect_host_paths_exist(text);

        CU_ASSERT_EQUAL(unlink(ctl), 0);
        CU_ASSERT_EQUAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nvidiactl"));
        error_clear(&err);
        CU_ASSERT_FALSE(exists(file));
        char *served = cdi_publish_current(&e.publish, &err);
        CU_ASSERT_PTR_NULL(served);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nvidiactl"));
        error_clear(&err);
        gpu_inventory_destroy(&inv);
        publish_env_close(&e);
}

/* A driver change: the new version's tree, the old one kept; a version without driver files
 * there is still a spec (nodes and an empty tree), a build failure is no spec, nor is a
 * withdrawn one. */
static void test_publish_driver_change(void)
{
        struct publish_env e;
        if (!publish_env_open(&e))
                return;
        struct gpu_inventory inv = two_gpus();
        struct error err = ERROR_INIT;
        cleanup_free char *file = xasprintf("%s/%s", e.spec_dir, CDI_SPEC_FILE);
        CU_ASSERT_EQUAL_FATAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), 0);
        /* A new driver installed in the same root (the old files stay, as after an upgrade
         * whose old libraries were not deleted yet): the version picks the new ones. */
        CU_ASSERT_EQUAL_FATAL(driver_root_add_version(driver_root, VERSION2), 0);
        CU_ASSERT_EQUAL_FATAL(cdi_spec_update(&e.publish, &inv, VERSION2, &err), 0);
        cleanup_free char *text = read_file(file);
        cleanup_free char *old_tree = xasprintf("%s/nvidia_driver/%s", e.store, VERSION);
        cleanup_free char *new_tree = xasprintf("%s/nvidia_driver/%s", e.store, VERSION2);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, new_tree));
        CU_ASSERT_PTR_NULL(strstr(text, old_tree));
        CU_ASSERT_TRUE(exists(old_tree));
        cleanup_free char *lib = xasprintf("%s/lib64/libcuda.so." VERSION2, new_tree);
        CU_ASSERT_TRUE(exists(lib));
        expect_host_paths_exist(text);
        /* A tree that cannot be built (its place is a file): no spec. */
        cleanup_free char *blocker = xasprintf("%s/nvidia_driver/1.2.3", e.store);
        close(open(blocker, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        CU_ASSERT_EQUAL(cdi_spec_update(&e.publish, &inv, "1.2.3", &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "CDI spec not written"));
        error_clear(&err);
        CU_ASSERT_FALSE(exists(file));
        /* The next good update publishes again. */
        CU_ASSERT_EQUAL(cdi_spec_update(&e.publish, &inv, VERSION2, &err), 0);
        CU_ASSERT_TRUE(exists(file));
        /* Withdrawn (a failed rediscovery): no file, the REST answer says why; then back. */
        cdi_publish_withdraw(&e.publish, "NVML gone");
        CU_ASSERT_FALSE(exists(file));
        CU_ASSERT_PTR_NULL(cdi_publish_current(&e.publish, &err));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NVML gone"));
        error_clear(&err);
        CU_ASSERT_EQUAL(cdi_spec_update(&e.publish, &inv, VERSION2, &err), 0);
        CU_ASSERT_TRUE(exists(file));
        /* Stopping: updates fail soon. */
        cdi_publish_stop(&e.publish);
        CU_ASSERT_EQUAL(cdi_spec_update(&e.publish, &inv, VERSION2, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "stopping"));
        error_clear(&err);
        gpu_inventory_destroy(&inv);
        publish_env_close(&e);
}

/* Without a spec directory the spec is only served. */
static void test_publish_without_file(void)
{
        struct publish_env e;
        if (!publish_env_open(&e))
                return;
        cdi_publish_destroy(&e.publish);
        struct cdi_publish_config config = {
            .spec_dir = NULL,
            .store_root = e.store,
            .dev_root = e.dev,
            .files = {.root = driver_root, .path_env = "/usr/bin"},
        };
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(cdi_publish_init(&e.publish, &config, &err), 0);
        struct gpu_inventory inv = two_gpus();
        CU_ASSERT_EQUAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), 0);
        cleanup_free char *served = cdi_publish_current(&e.publish, &err);
        CU_ASSERT_PTR_NOT_NULL(served);
        CU_ASSERT_FALSE(exists(e.spec_dir));
        gpu_inventory_destroy(&inv);
        publish_env_close(&e);
}

/* MIG: GPU 0 in MIG mode with two MIG devices; their capability nodes are made when missing
 * (one that the administrator manages and is missing: that MIG device is left out). */
static void test_publish_mig(void)
{
        struct publish_env e;
        if (!publish_env_open(&e))
                return;
        struct gpu_inventory inv = two_gpus();
        inv.caps_major = 509;
        struct gpu_device *d = &inv.devices[0];
        d->mig_enabled = true;
        d->mig_count = 2;
        d->migs = xcalloc(2, sizeof(*d->migs));
        d->migs[0] = (struct gpu_mig_device){
            .uuid = xstrdup("MIG-5a1c3e7f-2b4d-5e6f-8a9b-0c1d2e3f4a5b"),
            .index = 1,
            .gpu_instance = 2,
            .gi_cap = {xstrdup("/dev/nvidia-caps/nvidia-cap21"), 21, 0444, 0, 0, true},
            .ci_cap = {xstrdup("/dev/nvidia-caps/nvidia-cap22"), 22, 0444, 0, 0, true},
        };
        d->migs[1] = (struct gpu_mig_device){
            .uuid = xstrdup("MIG-GPU-11111111-2222-3333-4444-555555555555/3/0"), /* pre-R470 */
            .index = 2,
            .gpu_instance = 3,
            .gi_cap = {xstrdup("/dev/nvidia-caps/nvidia-cap30"), 30, 0444, 0, 0, false},
            .ci_cap = {xstrdup("/dev/nvidia-caps/nvidia-cap31"), 31, 0444, 0, 0, false},
        };
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), 0);
        cleanup_free char *file = xasprintf("%s/%s", e.spec_dir, CDI_SPEC_FILE);
        cleanup_free char *text = read_file(file);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        /* Device 0:1 and its UUID: nvidia0 and the two capability nodes, made now. */
        const char *mig = strstr(text, "\"name\": \"0:1\"");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mig);
        const char *next = strstr(mig + 1, "\"name\": ");
        cleanup_free char *block = xstrndup(mig, next ? (size_t)(next - mig) : strlen(mig));
        CU_ASSERT_PTR_NOT_NULL(strstr(block, "\"path\": \"/dev/nvidia0\""));
        cleanup_free char *cap21 = xasprintf("{\"path\": \"/dev/nvidia-caps/nvidia-cap21\", "
                                             "\"hostPath\": \"%s/nvidia-caps/nvidia-cap21\", "
                                             "\"type\": \"c\", \"major\": 509, \"minor\": 21",
                                             e.dev);
        CU_ASSERT_PTR_NOT_NULL(strstr(block, cap21));
        CU_ASSERT_PTR_NOT_NULL(strstr(block, "nvidia-cap22\""));
        CU_ASSERT_PTR_NULL(strstr(block, "/dev/nvidia1\""));
        CU_ASSERT_PTR_NOT_NULL(
            strstr(text, "\"name\": \"MIG-5a1c3e7f-2b4d-5e6f-8a9b-0c1d2e3f4a5b\""));
        cleanup_free char *made = xasprintf("%s/nvidia-caps/nvidia-cap22", e.dev);
        struct stat st;
        CU_ASSERT_EQUAL(stat(made, &st), 0);
        CU_ASSERT_TRUE(S_ISCHR(st.st_mode) && major(st.st_rdev) == 509 && minor(st.st_rdev) == 22);
        /* The MIG device whose nodes the administrator manages, missing: left out. */
        CU_ASSERT_PTR_NULL(strstr(text, "\"0:2\""));
        CU_ASSERT_PTR_NULL(strstr(text, "nvidia-cap30"));
        /* `all` has the capability nodes once, the GPUs' nodes once. */
        const char *all = strstr(text, "\"name\": \"all\"");
        CU_ASSERT_PTR_NOT_NULL_FATAL(all);
        CU_ASSERT_EQUAL(count_occurrences(all, "\"/dev/nvidia-caps/nvidia-cap21\""), 1);
        CU_ASSERT_EQUAL(count_occurrences(all, "\"/dev/nvidia0\""), 1);
        expect_host_paths_exist(text);
        /* Now the administrator makes the nodes: the pre-R470 UUID has a '/', so only 0:2. */
        cleanup_free char *n30 = xasprintf("%s/nvidia-caps/nvidia-cap30", e.dev);
        cleanup_free char *n31 = xasprintf("%s/nvidia-caps/nvidia-cap31", e.dev);
        CU_ASSERT_EQUAL(mknod(n30, S_IFCHR | 0444, makedev(509, 30)), 0);
        CU_ASSERT_EQUAL(mknod(n31, S_IFCHR | 0444, makedev(509, 31)), 0);
        CU_ASSERT_EQUAL_FATAL(cdi_spec_update(&e.publish, &inv, VERSION, &err), 0);
        cleanup_free char *again = read_file(file);
        CU_ASSERT_PTR_NOT_NULL(strstr(again, "\"name\": \"0:2\""));
        CU_ASSERT_PTR_NULL(strstr(again, "MIG-GPU-1111"));
        gpu_inventory_destroy(&inv);
        publish_env_close(&e);
}

static void cleanup_roots(void)
{
        fake_rmtree(driver_root);
        free(driver_root);
        driver_root = NULL;
}

UNIT_MAIN("cdi", UNIT(test_valid_names), UNIT(test_build_one_gpu_exact),
          UNIT(test_build_gpus_and_mig), UNIT(test_build_skips_bad_names),
          UNIT(test_build_rejects_bad_input), UNIT(test_build_escapes),
          UNIT(test_file_write_atomic), UNIT(test_file_write_errors),
          UNIT(test_publish_writes_and_removes), UNIT(test_publish_init_removes_leftover),
          UNIT(test_publish_missing_nodes), UNIT(test_publish_driver_change),
          UNIT(test_publish_without_file), UNIT(test_publish_mig), UNIT(cleanup_roots))
