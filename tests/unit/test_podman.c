/* Unit tests of the podman side of the wrapper: which NV_DOCKER is podman (docker_command),
 * podman's command line (docker_args with podman's tables), where images are asked and which
 * plugin serves which podman (podman_engine), and the CDI device options (cdi_devices). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker/cdi_devices.h"
#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/docker_flags.h"
#include "nvidia-docker/podman_engine.h"
#include "unit.h"

#define EXPECT_STR(expected, actual) CU_ASSERT_STRING_EQUAL(actual, expected)

static bool is_podman(const char *nv_docker)
{
        struct strv v = STRV_INIT;
        docker_command_from_env(nv_docker, &v);
        bool podman = docker_command_is_podman(&v);
        strv_destroy(&v);
        return podman;
}

static void test_which_is_podman(void)
{
        CU_ASSERT_TRUE(is_podman("podman"));
        CU_ASSERT_TRUE(is_podman("/usr/bin/podman"));
        CU_ASSERT_TRUE(is_podman("sudo podman"));
        CU_ASSERT_TRUE(is_podman("sudo -E /usr/bin/podman --log-level=debug"));
        CU_ASSERT_TRUE(is_podman("podman-remote"));
        CU_ASSERT_FALSE(is_podman(NULL));
        CU_ASSERT_FALSE(is_podman("docker"));
        CU_ASSERT_FALSE(is_podman("/opt/podman/docker")); /* a directory named podman */
        CU_ASSERT_FALSE(is_podman("podman2"));
        CU_ASSERT_FALSE(is_podman("docker -H unix:///run/podman/podman.sock"));
        struct strv v = STRV_INIT;
        docker_command_from_env("sudo podman-remote", &v);
        CU_ASSERT_TRUE(docker_command_is_podman_remote(&v));
        strv_destroy(&v);
        docker_command_from_env("podman", &v);
        CU_ASSERT_FALSE(docker_command_is_podman_remote(&v));
        strv_destroy(&v);
}

static void parse(struct docker_args *args, const char *const *words, size_t count)
{
        struct docker_flag_tables tables;
        docker_flags_tables(true, &tables);
        docker_args_parse_with(words, count, &tables, args);
}

#define PARSE(args, ...)                                                                           \
        do {                                                                                       \
                static const char *const w_[] = {__VA_ARGS__};                                     \
                parse(args, w_, sizeof(w_) / sizeof(w_[0]));                                       \
        } while (0)

static void test_podman_command_lines(void)
{
        struct docker_args a;
        /* -c is --connection among podman's global options, --cpu-shares after run. */
        PARSE(&a, "-c", "gpu1", "run", "-c", "512", "--rm", "img", "cmd");
        CU_ASSERT_TRUE(a.certain);
        CU_ASSERT_EQUAL(a.global_count, 2);
        CU_ASSERT_EQUAL(a.image_index, 6);
        CU_ASSERT_TRUE(a.daemon_options);
        CU_ASSERT_PTR_NULL(a.late_daemon_option);
        /* Podman-only options and aliases. */
        PARSE(&a, "run", "--pod", "p", "--net", "none", "--purge", "--env-host", "--tz", "UTC",
              "img");
        CU_ASSERT_TRUE(a.certain);
        CU_ASSERT_EQUAL(a.image_index, 9);
        /* A docker-only option is unknown to podman. */
        PARSE(&a, "run", "--use-api-socket", "img");
        CU_ASSERT_FALSE(a.certain);
        /* run-only and create-only rows. */
        PARSE(&a, "create", "--init-ctr", "always", "img");
        CU_ASSERT_TRUE(a.certain);
        PARSE(&a, "run", "--init-ctr", "always", "img");
        CU_ASSERT_FALSE(a.certain);
        PARSE(&a, "create", "--rmi", "img");
        CU_ASSERT_FALSE(a.certain);
        PARSE(&a, "run", "--gpus", "all", "img");
        CU_ASSERT_TRUE(a.certain);
        CU_ASSERT_EQUAL(a.gpus_count, 1);
        /* Global options accepted after the command; a storage one is noted. */
        PARSE(&a, "run", "--log-level", "debug", "--root", "/x", "--runroot=/y", "img");
        CU_ASSERT_TRUE(a.certain);
        CU_ASSERT_EQUAL(a.image_index, 6);
        EXPECT_STR("root", a.late_daemon_option);
        /* --rootfs: no image to read. */
        PARSE(&a, "run", "--rootfs", "/srv/root", "sh");
        CU_ASSERT_FALSE(a.certain);
        CU_ASSERT_PTR_NOT_NULL(strstr(a.uncertain_reason, "root file system"));
        PARSE(&a, "run", "--rootfs=false", "img");
        CU_ASSERT_TRUE(a.certain);
        /* --pull newer is recorded like any value. */
        PARSE(&a, "--remote", "create", "--pull=newer", "img");
        CU_ASSERT_TRUE(a.certain);
        EXPECT_STR("newer", a.pull);
        /* docker's reading of the same line differs: -c is docker's --context. */
        static const char *const w[] = {"-c", "gpu1", "run", "-l", "a=b", "img"};
        struct docker_args d;
        docker_args_parse(w, 6, &d);
        CU_ASSERT_TRUE(d.certain);
        PARSE(&a, "-l", "debug", "run", "img"); /* podman has no global -l */
        CU_ASSERT_FALSE(a.certain);
        PARSE(&a, "--", "run", "img"); /* podman: "unrecognized command" (docker reads it) */
        CU_ASSERT_FALSE(a.certain);
        docker_args_parse((const char *const[]){"--", "run", "img"}, 3, &d);
        CU_ASSERT_TRUE(d.certain);
}

static void test_flag_tables_sorted_and_unique(void)
{
        struct docker_flag_tables t;
        docker_flags_tables(true, &t);
        EXPECT_STR("podman", t.program);
        const struct docker_flag *tables[] = {t.global, t.container};
        size_t counts[] = {t.global_count, t.container_count};
        for (int k = 0; k < 2; k++)
                for (size_t i = 1; i < counts[k]; i++) {
                        CU_ASSERT_TRUE(strcmp(tables[k][i - 1].name, tables[k][i].name) < 0);
                        for (size_t j = 0; j < i; j++)
                                if (tables[k][i].shorthand != 0)
                                        CU_ASSERT_NOT_EQUAL(tables[k][i].shorthand,
                                                            tables[k][j].shorthand);
                }
        CU_ASSERT_TRUE(t.container_count > 150);
        const struct docker_flag *gpus =
            docker_flags_find_long(t.container, t.container_count, "gpus", 4);
        CU_ASSERT_PTR_NOT_NULL_FATAL(gpus);
        CU_ASSERT_EQUAL(gpus->role, DOCKER_FLAG_GPUS);
        CU_ASSERT_EQUAL(gpus->scope, DOCKER_FLAG_RUN_ONLY);
}

/* ---- podman_engine ---- */

struct target_case {
        const char *nv_docker;
        const char *const *global;
        size_t global_count;
        struct podman_env env;
};

static void target_open(struct podman_target *t, struct strv *docker, const char *nv_docker,
                        const char *const *global, size_t count, const struct podman_env *env)
{
        strv_init(docker);
        docker_command_from_env(nv_docker, docker);
        podman_target_init(t, docker, global, count, env);
}

static void test_engine_socket_or_cli(void)
{
        struct strv docker;
        struct podman_target t;
        /* Root, nothing else: the service socket, if it could be opened (not here: the CLI,
         * and the reason says so). */
        struct podman_env root = {.root = true};
        target_open(&t, &docker, "podman", NULL, 0, &root);
        EXPECT_STR(PODMAN_ROOT_SOCKET, t.engine.socket_path);
        CU_ASSERT_FALSE(t.remote);
        CU_ASSERT_TRUE(t.engine.local);
        CU_ASSERT_TRUE(t.engine.pull_progress_on_stderr);
        if (t.engine.use_cli)
                EXPECT_STR("no podman service socket this user can open", t.engine.cli_reason);
        podman_target_destroy(&t);
        strv_destroy(&docker);
        /* A user: their own socket under XDG_RUNTIME_DIR; none without it. */
        struct podman_env user = {.xdg_runtime_dir = "/run/user/1000"};
        target_open(&t, &docker, "podman", NULL, 0, &user);
        EXPECT_STR("/run/user/1000/podman/podman.sock", t.engine.socket_path);
        podman_target_destroy(&t);
        strv_destroy(&docker);
        /* Everything that may point the CLI elsewhere means the CLI. */
        static const char *const root_opt[] = {"--root", "/srv/c"};
        const struct {
                const char *nv_docker;
                const char *const *global;
                size_t count;
                struct podman_env env;
                const char *reason;
        } cli[] = {
            {"sudo podman", NULL, 0, {.root = true}, "NV_DOCKER has several words"},
            {"podman", root_opt, 2, {.root = true}, "podman's global options may choose"},
            {"podman", NULL, 0, {.root = true, .containers_conf = "/x"}, "CONTAINERS_CONF"},
            {"podman", NULL, 0, {.root = true, .storage_conf = "/x"}, "CONTAINERS_CONF"},
            {"podman", NULL, 0, {.root = true, .container_host = "unix:///x"}, "a service"},
            {"podman-remote", NULL, 0, {.root = true}, "a service"},
        };
        for (size_t i = 0; i < sizeof(cli) / sizeof(cli[0]); i++) {
                target_open(&t, &docker, cli[i].nv_docker, cli[i].global, cli[i].count,
                            &cli[i].env);
                CU_ASSERT_TRUE(t.engine.use_cli);
                /* Only podman-remote without a URL is on an unknown machine here. */
                CU_ASSERT_EQUAL(t.engine.local, strcmp(cli[i].nv_docker, "podman-remote") != 0);
                CU_ASSERT_PTR_NOT_NULL(strstr(t.engine.cli_reason, cli[i].reason));
                podman_target_destroy(&t);
                strv_destroy(&docker);
        }
}

/* The plugin asked for a podman line: `expected` is the plugin's URL or SSH target, or the
 * start of the error. */
static void expect_plugin(const char *nv_docker, const char *const *global, size_t count,
                          const struct podman_env *env, const char *nv_host, const char *expected)
{
        struct strv docker;
        struct podman_target t;
        target_open(&t, &docker, nv_docker, global, count, env);
        struct plugin_target p;
        struct error err = ERROR_INIT;
        cleanup_free char *got = NULL;
        if (podman_engine_plugin(&t, nv_host, "me", &p, &err) < 0)
                got = xstrdup(err.message);
        else if (p.transport == PLUGIN_TRANSPORT_SSH)
                got = xasprintf("ssh %s@%s:%s plugin %s (%s)", p.ssh_user, p.ssh_host, p.ssh_port,
                                p.plugin_port, p.source);
        else
                got = xasprintf("%s (%s)", p.url, p.source);
        if (strncmp(got, expected, strlen(expected)) != 0)
                fprintf(stderr, "got '%s', want '%s'\n", got, expected);
        CU_ASSERT_EQUAL(strncmp(got, expected, strlen(expected)), 0);
        error_clear(&err);
        plugin_target_destroy(&p);
        podman_target_destroy(&t);
        strv_destroy(&docker);
}

static void test_engine_plugin_choice(void)
{
        struct podman_env none = {0};
        expect_plugin("podman", NULL, 0, &none, NULL, "http://127.0.0.1:3476 (default)");
        expect_plugin("podman", NULL, 0, &none, "http://127.0.0.1:3477",
                      "http://127.0.0.1:3477 (NV_HOST)");
        expect_plugin("podman", NULL, 0, &none, "localhost:", "http://localhost:3476 (NV_HOST)");
        /* Local podman, another machine's plugin: refused. */
        expect_plugin("podman", NULL, 0, &none, "ssh://alice@gpu1:",
                      "NV_HOST names the nvidia-docker-plugin of another machine");
        expect_plugin("podman", NULL, 0, &none,
                      "http://gpu1:", "NV_HOST names the nvidia-docker-plugin of another machine");
        /* The service's URL names the machine. */
        static const char *const url_ssh[] = {"--remote", "--url",
                                              "ssh://alice@gpu1:2222/run/podman/podman.sock"};
        expect_plugin("podman", url_ssh, 3, &none, NULL, "ssh alice@gpu1:2222 plugin 3476 (--url)");
        static const char *const url_attached[] = {"-r", "--url=ssh://gpu2/run/podman.sock"};
        expect_plugin("podman", url_attached, 2, &none, NULL, "ssh me@gpu2:22 plugin 3476 (--url)");
        static const char *const host[] = {"-H", "tcp://gpu3:8888"};
        expect_plugin("podman", host, 2, &none, NULL, "http://gpu3:3476 (-H/--host)");
        static const char *const local_url[] = {"--url", "unix:///run/podman/podman.sock"};
        expect_plugin("podman", local_url, 2, &none, NULL, "http://127.0.0.1:3476 (default)");
        struct podman_env ch = {.container_host = "ssh://bob@gpu4/run/user/1000/podman.sock"};
        expect_plugin("podman", NULL, 0, &ch, NULL, "ssh bob@gpu4:22 plugin 3476 (CONTAINER_HOST)");
        /* --url wins over CONTAINER_HOST, as in podman. */
        expect_plugin("podman", host, 2, &ch, NULL, "http://gpu3:3476 (-H/--host)");
        /* With a remote machine, NV_HOST is taken as given. */
        expect_plugin("podman", url_ssh, 3, &none, "ssh://carol@gpu1:2222:3477",
                      "ssh carol@gpu1:2222 plugin 3477 (NV_HOST)");
        /* A remote podman on an unknown machine needs NV_HOST. */
        static const char *const conn[] = {"-rc", "gpu5"};
        expect_plugin("podman", conn, 2, &none, NULL,
                      "podman runs the containers through the connection 'gpu5', and "
                      "nvidia-docker cannot tell on which machine: set NV_HOST");
        struct podman_env cc = {.container_connection = "gpu6"};
        expect_plugin("podman", NULL, 0, &cc, NULL,
                      "podman runs the containers through the "
                      "connection 'gpu6'");
        expect_plugin("podman-remote", NULL, 0, &none, NULL,
                      "podman runs the containers through podman-remote, and");
        static const char *const remote_only[] = {"--remote"};
        expect_plugin("podman", remote_only, 1, &none, NULL,
                      "podman runs the containers through --remote, and");
        expect_plugin("podman", conn, 2, &none, "ssh://dave@gpu5:", "ssh dave@gpu5:22");
        /* --remote=false is local again. */
        static const char *const not_remote[] = {"--remote=false"};
        expect_plugin("podman", not_remote, 1, &none, NULL, "http://127.0.0.1:3476 (default)");
        /* A URL nvidia-docker cannot read. */
        static const char *const bad_url[] = {"--url", "npipe:////./pipe/podman"};
        expect_plugin("podman", bad_url, 2, &none, NULL,
                      "cannot tell which nvidia-docker-plugin to ask from podman's --url");
}

/* ---- cdi_devices ---- */

static void info_make(struct gpu_info_answer *info)
{
        memset(info, 0, sizeof(*info));
        strv_push(&info->uuids, "GPU-aaaa1111-0000-0000-0000-000000000000");
        strv_push(&info->uuids, "GPU-aaaa2222-0000-0000-0000-000000000000");
        strv_push(&info->uuids, "GPU-bbbb0000-0000-0000-0000-000000000000");
        strv_push(&info->models, "NVIDIA H200");
        strv_push(&info->models, "NVIDIA H200");
        strv_push(&info->models, "");
        strv_push(&info->paths, "/dev/nvidia0");
        strv_push(&info->paths, "/dev/nvidia1");
        strv_push(&info->paths, "/dev/nvidia4");
        /* GPU 2 in MIG mode with two MIG devices. */
        strv_push(&info->mig_uuids, "MIG-5a1c0000-0000-0000-0000-000000000000");
        strv_push(&info->mig_uuids, "MIG-5b9d0000-0000-0000-0000-000000000000");
        strv_push(&info->mig_indexes, "2:0");
        strv_push(&info->mig_indexes, "2:1");
        strv_push(&info->mig_paths, "/dev/nvidia4");
        strv_push(&info->mig_paths, "/dev/nvidia4");
}

static char *devices(bool all, const char *items, struct error *err)
{
        struct gpu_info_answer info;
        info_make(&info);
        struct strv sel = STRV_INIT, out = STRV_INIT;
        if (items != NULL)
                strv_split(&sel, items, ",");
        char *joined = NULL;
        if (cdi_devices_options(all, &sel, &info, "NV_GPU", &out, NULL, err) == 0)
                joined = strv_join(&out, " ");
        strv_destroy(&sel);
        strv_destroy(&out);
        gpu_info_answer_destroy(&info);
        return joined;
}

static void expect_devices(bool all, const char *items, const char *expected)
{
        struct error err = ERROR_INIT;
        cleanup_free char *got = devices(all, items, &err);
        const char *text = got != NULL ? got : err.message;
        if (strcmp(text, expected) != 0)
                fprintf(stderr, "items %s: got '%s', want '%s'\n", items ? items : "(all)", text,
                        expected);
        CU_ASSERT_STRING_EQUAL(text, expected);
        error_clear(&err);
}

#define HOST_GPUS                                                                                  \
        "this host has GPUs 0 (GPU-aaaa1111-0000-0000-0000-000000000000, NVIDIA H200), 1 "         \
        "(GPU-aaaa2222-0000-0000-0000-000000000000, NVIDIA H200), 2 "                              \
        "(GPU-bbbb0000-0000-0000-0000-000000000000); MIG devices 2:0 "                             \
        "(MIG-5a1c0000-0000-0000-0000-000000000000), 2:1 "                                         \
        "(MIG-5b9d0000-0000-0000-0000-000000000000)"

static void test_cdi_devices(void)
{
        expect_devices(true, NULL, "--device=nvidia.com/gpu=all");
        expect_devices(false, NULL, "--device=nvidia.com/gpu=all");
        expect_devices(false, "1", "--device=nvidia.com/gpu=1");
        expect_devices(false, "2,0", "--device=nvidia.com/gpu=2 --device=nvidia.com/gpu=0");
        expect_devices(false, "GPU-bbbb",
                       "--device=nvidia.com/gpu=GPU-bbbb0000-0000-0000-0000-000000000000");
        expect_devices(false, "0,GPU-aaaa1111",
                       "--device=nvidia.com/gpu=0 "
                       "--device=nvidia.com/gpu=GPU-aaaa1111-0000-0000-0000-000000000000");
        expect_devices(false, "1,1", "--device=nvidia.com/gpu=1");
        expect_devices(false, "none", "--device=nvidia.com/gpu=none");
        expect_devices(false, "MIG-5b,2:0",
                       "--device=nvidia.com/gpu=MIG-5b9d0000-0000-0000-0000-000000000000 "
                       "--device=nvidia.com/gpu=2:0");
        expect_devices(false, "MIG-5",
                       "NV_GPU: invalid device: MIG-5 (ambiguous: "
                       "MIG-5a1c0000-0000-0000-0000-000000000000, "
                       "MIG-5b9d0000-0000-0000-0000-000000000000)");
        expect_devices(false, "2:2", "NV_GPU: invalid device: 2:2; " HOST_GPUS);
        expect_devices(false, "MIG-ffff", "NV_GPU: invalid device: MIG-ffff; " HOST_GPUS);
        expect_devices(false, "3", "NV_GPU: invalid device: 3; " HOST_GPUS);
        expect_devices(false, "GPU-aaaa",
                       "NV_GPU: invalid device: GPU-aaaa (ambiguous: "
                       "GPU-aaaa1111-0000-0000-0000-000000000000, "
                       "GPU-aaaa2222-0000-0000-0000-000000000000)");
        expect_devices(false, "GPU-cccc", "NV_GPU: invalid device: GPU-cccc; " HOST_GPUS);
        expect_devices(false, "x", "NV_GPU: invalid device: x; " HOST_GPUS);
        expect_devices(false, "99999999999999999999",
                       "NV_GPU: invalid device: 99999999999999999999; " HOST_GPUS);
        /* The nodes for the access check: a MIG device's is its parent's. */
        struct gpu_info_answer info;
        info_make(&info);
        struct strv sel = STRV_INIT, out = STRV_INIT, nodes = STRV_INIT;
        strv_split(&sel, "1,2:1,GPU-aaaa1", ",");
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(cdi_devices_options(false, &sel, &info, "NV_GPU", &out, &nodes, &err), 0);
        cleanup_free char *joined = strv_join(&nodes, " ");
        CU_ASSERT_STRING_EQUAL(joined, "/dev/nvidia1 /dev/nvidia4 /dev/nvidia0");
        strv_destroy(&sel);
        strv_destroy(&out);
        strv_destroy(&nodes);
        gpu_info_answer_destroy(&info);
}

UNIT_MAIN("podman", UNIT(test_which_is_podman), UNIT(test_podman_command_lines),
          UNIT(test_flag_tables_sorted_and_unique), UNIT(test_engine_socket_or_cli),
          UNIT(test_engine_plugin_choice), UNIT(test_cdi_devices))
