/* engine_endpoint: docker's order (--context, -H, DOCKER_HOST, DOCKER_CONTEXT, config.json),
 * contexts' meta.json found by the SHA-256 of their name (as `docker context create` writes
 * them: tests/integration/test_engine_target.sh checks against the real CLI), and the plugin that
 * goes with each engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "nvidia-docker/engine_endpoint.h"
#include "unit.h"

static char dir[64];

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
}

/* A context NAME (DIGEST = sha256 of NAME) whose docker endpoint is HOST ("" for none). */
static void make_context(const char *digest, const char *name, const char *host)
{
        cleanup_free char *contexts = xasprintf("%s/contexts", dir);
        cleanup_free char *metas = xasprintf("%s/contexts/meta", dir);
        cleanup_free char *meta = xasprintf("%s/contexts/meta/%s", dir, digest);
        mkdir(contexts, 0700);
        mkdir(metas, 0700);
        CU_ASSERT_EQUAL_FATAL(mkdir(meta, 0700), 0);
        cleanup_free char *path = xasprintf("%s/meta.json", meta);
        cleanup_free char *json =
            host[0] ? xasprintf("{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{\"docker\":{"
                                "\"Host\":\"%s\",\"SkipTLSVerify\":false}}}",
                                name, host)
                    : xasprintf("{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{}}", name);
        write_file(path, json);
}

/* Resolves and describes: "HOST from ORIGIN[ named][ unreadable]" or "error: MESSAGE". */
static char *resolve(const struct engine_endpoint_input *in)
{
        struct engine_endpoint e;
        engine_endpoint_resolve(in, &e);
        char *out = error_is_set(&e.error)
                        ? xasprintf("error: %s", e.error.message)
                        : xasprintf("%s from %s%s%s%s", e.host, e.origin,
                                    e.chosen ? "" : " default", e.named_context ? " named" : "",
                                    e.config_unreadable ? " unreadable" : "");
        engine_endpoint_destroy(&e);
        return out;
}

#define EXPECT(in, expected)                                                                       \
        do {                                                                                       \
                cleanup_free char *got_ = resolve(in);                                             \
                if (strcmp(got_, expected) != 0)                                                   \
                        fprintf(stderr, "line %d: got %s\n", __LINE__, got_);                      \
                CU_ASSERT_STRING_EQUAL(got_, expected);                                            \
        } while (0)

/* `printf %s gpu9 | sha256sum`, and for "other" */
#define GPU9_DIGEST  "c2b013d3856f09bcd0d1d7bd42fd1bc48fdd20a02c99994492976c195a1201ec"
#define OTHER_DIGEST "d9298a10d1b0735837dc4bd85dac641b0f3cef27a47e5d53a54f2f3f5b2fcffa"

static void test_order(void)
{
        snprintf(dir, sizeof(dir), "/tmp/nvd-test-endpoint.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
        make_context(GPU9_DIGEST, "gpu9", "tcp://10.9.0.2:2375");

        struct engine_endpoint_input none = {.docker_config = dir};
        EXPECT(&none, "unix:///var/run/docker.sock from default default");
        struct engine_endpoint_input h = {.host_option = "ssh://me@h", .docker_host = "tcp://x:1"};
        EXPECT(&h, "ssh://me@h from -H");
        struct engine_endpoint_input dh = {
            .docker_host = "tcp://x:1", .docker_context = "gpu9", .docker_config = dir};
        EXPECT(&dh, "tcp://x:1 from DOCKER_HOST");
        struct engine_endpoint_input dc = {.docker_context = "gpu9", .docker_config = dir};
        EXPECT(&dc, "tcp://10.9.0.2:2375 from docker context 'gpu9' named");
        /* --context beats everything, even -H (docker refuses both; its error comes later) */
        struct engine_endpoint_input c = {.context_option = "gpu9",
                                          .host_option = "unix:///x",
                                          .docker_host = "tcp://y:1",
                                          .config_option = dir,
                                          .docker_config = "/nonexistent"};
        EXPECT(&c, "tcp://10.9.0.2:2375 from docker context 'gpu9' named");
        /* "default" is the default context: -H, DOCKER_HOST or the socket */
        struct engine_endpoint_input cd = {.context_option = "default", .docker_host = "tcp://y:1"};
        EXPECT(&cd, "tcp://y:1 from DOCKER_HOST");
        struct engine_endpoint_input dcd = {.docker_context = "default", .docker_config = dir};
        EXPECT(&dcd, "unix:///var/run/docker.sock from default default");

        /* config.json's currentContext, under --config, DOCKER_CONFIG or HOME/.docker */
        cleanup_free char *config = xasprintf("%s/config.json", dir);
        write_file(config, "{\"auths\":{},\"currentContext\":\"gpu9\"}");
        EXPECT(&none, "tcp://10.9.0.2:2375 from docker context 'gpu9' named");
        struct engine_endpoint_input opt = {.config_option = dir, .docker_config = "/nonexistent"};
        EXPECT(&opt, "tcp://10.9.0.2:2375 from docker context 'gpu9' named");
        cleanup_free char *home = xasprintf("%s/home", dir);
        cleanup_free char *dotdocker = xasprintf("%s/home/.docker", dir);
        mkdir(home, 0700);
        mkdir(dotdocker, 0700);
        cleanup_free char *homeconfig = xasprintf("%s/config.json", dotdocker);
        write_file(homeconfig, "{\"currentContext\":\"default\"}");
        struct engine_endpoint_input byhome = {.home = home};
        EXPECT(&byhome, "unix:///var/run/docker.sock from default default");
        /* DOCKER_HOST and DOCKER_CONTEXT come before the file */
        struct engine_endpoint_input over = {.docker_host = "unix:///run/d.sock",
                                             .docker_config = dir};
        EXPECT(&over, "unix:///run/d.sock from DOCKER_HOST");
        /* a file docker cannot read: it warns and uses the default context; so do we */
        write_file(config, "{\"currentContext\":");
        EXPECT(&none, "unix:///var/run/docker.sock from default default unreadable");
        write_file(config, "{\"currentContext\":7}");
        EXPECT(&none, "unix:///var/run/docker.sock from default default unreadable");
        write_file(config, "{\"currentContext\":\"\"}");
        EXPECT(&none, "unix:///var/run/docker.sock from default default");

        /* contexts that cannot be used: errors naming the context and what to do */
        struct engine_endpoint_input missing = {.docker_context = "nope", .docker_config = dir};
        cleanup_free char *got = resolve(&missing);
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "error: docker context 'nope' not found (no "));
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "/meta.json); see `docker context ls`"));
        make_context(OTHER_DIGEST, "other", "");
        struct engine_endpoint_input empty = {.docker_context = "other", .docker_config = dir};
        cleanup_free char *got2 = resolve(&empty);
        CU_ASSERT_PTR_NOT_NULL(
            strstr(got2, "error: docker context 'other' names no docker engine"));
        struct engine_endpoint_input nodir = {.docker_context = "gpu9"};
        EXPECT(&nodir, "error: cannot find docker context 'gpu9': no docker config directory (set "
                       "HOME or DOCKER_CONFIG)");
        const char *files[] = {"home/.docker/config.json",
                               "home/.docker",
                               "home",
                               "config.json",
                               "contexts/meta/" GPU9_DIGEST "/meta.json",
                               "contexts/meta/" GPU9_DIGEST,
                               "contexts/meta/" OTHER_DIGEST "/meta.json",
                               "contexts/meta/" OTHER_DIGEST,
                               "contexts/meta",
                               "contexts",
                               ""};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                cleanup_free char *path = xasprintf("%s/%s", dir, files[i]);
                CU_ASSERT_EQUAL(remove(path), 0);
        }
}

/* The plugin that goes with each engine; NV_HOST first; a broken context only when needed. */
static void test_plugin(void)
{
        struct engine_endpoint e;
        struct plugin_target t;
        struct error err = ERROR_INIT;
        struct engine_endpoint_input h = {.host_option = "tcp://gpu9:2376"};
        engine_endpoint_resolve(&h, &e);
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, NULL, "u", &t, &err), 0);
        CU_ASSERT_STRING_EQUAL(t.url, "http://gpu9:3476");
        CU_ASSERT_STRING_EQUAL(t.source, "-H");
        plugin_target_destroy(&t);
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, "ssh://me@gpu1:", "u", &t, &err), 0);
        CU_ASSERT_EQUAL(t.transport, PLUGIN_TRANSPORT_SSH);
        CU_ASSERT_FALSE(t.docker_host_unset_warning);
        plugin_target_destroy(&t);
        engine_endpoint_destroy(&e);

        struct engine_endpoint_input none = {.docker_config = "/nonexistent"};
        engine_endpoint_resolve(&none, &e);
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, NULL, "u", &t, &err), 0);
        CU_ASSERT_TRUE(t.local);
        plugin_target_destroy(&t);
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, "http://h:1", "u", &t, &err), 0);
        CU_ASSERT_TRUE(t.docker_host_unset_warning); /* 1.0's warning: NV_HOST, local engine */
        plugin_target_destroy(&t);
        engine_endpoint_destroy(&e);

        struct engine_endpoint_input broken = {.docker_context = "nope",
                                               .docker_config = "/nonexistent"};
        engine_endpoint_resolve(&broken, &e);
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, NULL, "u", &t, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "docker context 'nope' not found"));
        error_clear(&err);
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, "http://h:1", "u", &t, &err), 0);
        plugin_target_destroy(&t);
        engine_endpoint_destroy(&e);

        struct engine_endpoint_input bad = {.docker_host = "npipe:////./pipe/docker"};
        engine_endpoint_resolve(&bad, &e);
        CU_ASSERT_PTR_NULL(engine_endpoint_socket(&e));
        CU_ASSERT_EQUAL(engine_endpoint_plugin(&e, NULL, "u", &t, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(
            strstr(err.message, "invalid DOCKER_HOST 'npipe:////./pipe/docker'"));
        error_clear(&err);
        engine_endpoint_destroy(&e);

        struct engine_endpoint_input sock = {.docker_host = "unix:///run/user/1000/docker.sock"};
        engine_endpoint_resolve(&sock, &e);
        CU_ASSERT_STRING_EQUAL(engine_endpoint_socket(&e), "/run/user/1000/docker.sock");
        engine_endpoint_destroy(&e);
        engine_endpoint_destroy(&e); /* twice is harmless */
}

UNIT_MAIN("engine_endpoint", UNIT(test_order), UNIT(test_plugin))
