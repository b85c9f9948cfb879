/* engine: image_info_decode on real engine output, and the local-daemon decision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "nvidia-docker/engine.h"
#include "unit.h"

/* Captured from dockerd 20.10 (API) and docker 28.2 (`docker image inspect`) for an image made
 * with LABEL com.nvidia.volumes.needed=nvidia_driver, com.nvidia.cuda.version=9.0.176 and
 * ENV NVIDIA_VISIBLE_DEVICES=all, NVIDIA_REQUIRE_CUDA=..., CUDA_VERSION=12.4.1. */
static char *read_fixture(const char *name, size_t *len)
{
        cleanup_free char *path = xasprintf("tests/unit/data/engine/%s", name);
        FILE *f = fopen(path, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        struct buf b = BUF_INIT;
        CU_ASSERT_EQUAL(buf_read_fd(&b, fileno(f), 1 << 20), 0);
        fclose(f);
        *len = b.len;
        return buf_steal(&b);
}

static void check_labelled(const char *fixture)
{
        size_t len;
        cleanup_free char *json = read_fixture(fixture, &len);
        struct image_info info;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(image_info_decode(json, len, &info, &err), 0);
        CU_ASSERT_TRUE(info.found);
        CU_ASSERT_STRING_EQUAL(info.volumes_label, "nvidia_driver");
        CU_ASSERT_STRING_EQUAL(info.cuda_version_label, "9.0.176");
        CU_ASSERT_STRING_EQUAL(info.visible_devices, "all");
        CU_ASSERT_STRING_EQUAL(info.require_cuda, "cuda>=12.4 brand=tesla,driver>=470,driver<471");
        CU_ASSERT_STRING_EQUAL(info.cuda_version_env, "12.4.1");
        image_info_destroy(&info);
        CU_ASSERT_FALSE(error_is_set(&err));
}

static void test_decode_api_object(void)
{
        check_labelled("api-labelled.json");
}

static void test_decode_cli_array(void)
{
        check_labelled("cli-array-labelled.json");
}

static void test_decode_cli_format(void)
{
        check_labelled("cli-format-labelled.json");
}

static void test_decode_plain_image(void)
{
        size_t len;
        cleanup_free char *json = read_fixture("api-plain.json", &len);
        struct image_info info;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(image_info_decode(json, len, &info, &err), 0);
        CU_ASSERT_TRUE(info.found);
        CU_ASSERT_PTR_NULL(info.volumes_label);
        CU_ASSERT_PTR_NULL(info.cuda_version_label);
        CU_ASSERT_PTR_NULL(info.visible_devices);
        CU_ASSERT_PTR_NULL(info.require_cuda);
        image_info_destroy(&info);
}

static void test_decode_empty_array_is_not_found(void)
{
        struct image_info info;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(image_info_decode("[]\n", 3, &info, &err), 0);
        CU_ASSERT_FALSE(info.found);
        image_info_destroy(&info);
}

static void test_decode_env_last_wins_and_odd_entries(void)
{
        const char *json = "{\"Config\":{\"Labels\":null,\"Env\":[\"NOEQUALS\","
                           "\"NVIDIA_VISIBLE_DEVICES=all\",\"NVIDIA_VISIBLE_DEVICES=\","
                           "\"NVIDIA_VISIBLE_DEVICES_X=1\",\"CUDA_VERSION=a=b\"]}}";
        struct image_info info;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(image_info_decode(json, strlen(json), &info, &err), 0);
        CU_ASSERT_TRUE(info.found);
        CU_ASSERT_STRING_EQUAL(info.visible_devices, "");
        CU_ASSERT_STRING_EQUAL(info.cuda_version_env, "a=b");
        image_info_destroy(&info);
}

static void expect_decode_error(const char *json, const char *fragment)
{
        struct image_info info;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(image_info_decode(json, strlen(json), &info, &err), -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        if (strstr(err.message, fragment) == NULL)
                fprintf(stderr, "message: %s\n", err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, fragment));
        CU_ASSERT_FALSE(info.found);
        CU_ASSERT_PTR_NULL(info.volumes_label);
        error_clear(&err);
}

static void test_decode_errors(void)
{
        expect_decode_error("", "cannot read the image data");
        expect_decode_error("{\"Config\":", "cannot read the image data");
        expect_decode_error("[{},{}]", "2 images");
        expect_decode_error("42", "cannot read the image data");
        expect_decode_error("[42]", "not an object");
        expect_decode_error("{\"Config\":[]}", "Config is not an object");
        expect_decode_error("{\"Config\":{\"Labels\":[]}}", "Labels is not an object");
        expect_decode_error("{\"Config\":{\"Labels\":{\"com.nvidia.volumes.needed\":1}}}",
                            "is not a string");
        expect_decode_error("{\"Config\":{\"Env\":{}}}", "Env is not an array");
        expect_decode_error("{\"Config\":{\"Env\":[\"A=1\",null]}}", "Env[1]");
}

/* ---- engine_target_init ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/nvd-test-engine.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
}

/* engine_target_init for the engine that `in` names. */
static void decide(struct engine_target *t, const struct strv *docker, bool daemon_options,
                   const struct engine_endpoint_input *in, struct engine_endpoint *e)
{
        engine_endpoint_destroy(e);
        engine_endpoint_resolve(in, e);
        engine_target_init(t, docker, NULL, 0, daemon_options, e);
}

static void test_target_decisions(void)
{
        make_tmpdir();
        /* A "socket" we can open: any file with rw access works for the access() check. */
        cleanup_free char *sock = xasprintf("%s/docker.sock", tmpdir);
        write_file(sock, "");
        cleanup_free char *unix_host = xasprintf("unix://%s", sock);
        cleanup_free char *config = xasprintf("%s/config.json", tmpdir);

        struct strv one = STRV_INIT, two = STRV_INIT;
        strv_push(&one, "docker");
        strv_push(&two, "docker");
        strv_push(&two, "--debug");
        struct engine_target t;
        struct engine_endpoint e = {0};

        struct engine_endpoint_input env = {.docker_host = unix_host, .docker_config = tmpdir};
        decide(&t, &one, false, &env, &e);
        CU_ASSERT_FALSE(t.use_cli);
        CU_ASSERT_STRING_EQUAL(t.socket_path, sock);

        decide(&t, &one, true, &env, &e);
        CU_ASSERT_TRUE(t.use_cli);
        decide(&t, &two, false, &env, &e);
        CU_ASSERT_TRUE(t.use_cli);

        struct engine_endpoint_input tcp = {.docker_host = "tcp://h:2375", .docker_config = tmpdir};
        decide(&t, &one, false, &tcp, &e);
        CU_ASSERT_TRUE(t.use_cli);
        CU_ASSERT_FALSE(t.local);
        /* A local engine asked through a multi-word NV_DOCKER is still local. */
        decide(&t, &two, false, &env, &e);
        CU_ASSERT_TRUE(t.local);
        /* Global options: the CLI; local or not as -H says (engine_endpoint read it). */
        struct engine_endpoint_input h_tcp = {.host_option = "tcp://h:2375",
                                              .docker_host = unix_host};
        decide(&t, &one, true, &h_tcp, &e);
        CU_ASSERT_TRUE(t.use_cli);
        CU_ASSERT_FALSE(t.local);
        struct engine_endpoint_input h_unix = {.host_option = unix_host,
                                               .docker_host = "tcp://h:1"};
        decide(&t, &one, true, &h_unix, &e);
        CU_ASSERT_TRUE(t.use_cli);
        CU_ASSERT_TRUE(t.local);

        /* DOCKER_HOST wins over DOCKER_CONTEXT, as in docker's resolveContextName; a context
         * alone: the CLI, and not known to be local (no such context here). */
        struct engine_endpoint_input ctx = {.docker_host = unix_host, .docker_context = "remote"};
        decide(&t, &one, false, &ctx, &e);
        CU_ASSERT_FALSE(t.use_cli);
        CU_ASSERT_TRUE(t.local);
        ctx.docker_host = NULL;
        ctx.docker_config = tmpdir;
        decide(&t, &one, false, &ctx, &e);
        CU_ASSERT_TRUE(t.use_cli);
        CU_ASSERT_FALSE(t.local);
        CU_ASSERT_STRING_EQUAL(t.cli_reason, "a docker context chooses the engine");
        ctx.docker_host = unix_host;
        ctx.docker_context = "default";
        decide(&t, &one, false, &ctx, &e);
        CU_ASSERT_FALSE(t.use_cli);
        CU_ASSERT_TRUE(t.local);

        /* Socket that cannot be opened: CLI. */
        struct engine_endpoint_input gone = {.docker_host = "unix:///nonexistent/docker.sock"};
        decide(&t, &one, false, &gone, &e);
        CU_ASSERT_TRUE(t.use_cli);
        CU_ASSERT_PTR_NOT_NULL(t.cli_reason);

        /* Config file contexts are read only without DOCKER_HOST (docker's precedence); the
         * default socket must be accessible for these, so only check when it is. */
        if (access(ENGINE_DEFAULT_SOCKET, R_OK | W_OK) == 0) {
                struct engine_endpoint_input cfg = {.docker_config = tmpdir};
                decide(&t, &one, false, &cfg, &e);
                CU_ASSERT_FALSE(t.use_cli); /* no config.json */
                write_file(config, "{\"currentContext\":\"default\",\"auths\":{}}");
                decide(&t, &one, false, &cfg, &e);
                CU_ASSERT_FALSE(t.use_cli);
                write_file(config, "{\"currentContext\":\"remote\"}");
                decide(&t, &one, false, &cfg, &e);
                CU_ASSERT_TRUE(t.use_cli);
                write_file(config, "{not json");
                decide(&t, &one, false, &cfg, &e);
                CU_ASSERT_TRUE(t.use_cli);
                CU_ASSERT_STRING_EQUAL(t.cli_reason, "the docker config file cannot be read");
                /* HOME/.docker/config.json when DOCKER_CONFIG is unset */
                cleanup_free char *dotdocker = xasprintf("%s/.docker", tmpdir);
                mkdir(dotdocker, 0700);
                cleanup_free char *homecfg = xasprintf("%s/config.json", dotdocker);
                write_file(homecfg, "{\"currentContext\":\"other\"}");
                struct engine_endpoint_input home = {.home = tmpdir};
                decide(&t, &one, false, &home, &e);
                CU_ASSERT_TRUE(t.use_cli);
                unlink(homecfg);
                rmdir(dotdocker);
        }
        engine_endpoint_destroy(&e);
        unlink(config);
        unlink(sock);
        rmdir(tmpdir);
        strv_destroy(&one);
        strv_destroy(&two);
}

UNIT_MAIN("engine", UNIT(test_decode_api_object), UNIT(test_decode_cli_array),
          UNIT(test_decode_cli_format), UNIT(test_decode_plain_image),
          UNIT(test_decode_empty_array_is_not_found),
          UNIT(test_decode_env_last_wins_and_odd_entries), UNIT(test_decode_errors),
          UNIT(test_target_decisions))
