/* Unit tests of volume_api: the Docker volume plugin protocol, exact replies
 * (docs/volume-plugin.md), hostile names, driver upgrades, malformed requests. */
#include <fcntl.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "fake_root.h"
#include "nvidia-docker-plugin/volume_api.h"
#include "unit.h"

#define VERSION "580.1.2"
#define V12     "application/vnd.docker.plugins.v1.2+json"
#define CT      "application/vnd.docker.plugins.v1+json"

static char *driver_root, *volumes;
static struct volume_api api;
static bool api_ready;

static void setup(void)
{
        if (api_ready)
                return;
        driver_root = fake_root_make(NULL, VERSION, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(driver_root);
        volumes = fake_tmpdir(NULL);
        struct volume_api_config config = {.volume_root = volumes,
                                           .driver_root = driver_root,
                                           .driver_version = VERSION,
                                           .path_env = "/usr/bin"};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_api_init(&api, &config, &err), 0);
        api_ready = true;
}

struct reply {
        int status;
        const char *content_type;
        char *body;
        char *log; /* what the handler wrote to stderr */
};

static struct reply call_full(const char *method, const char *path, const char *accept,
                              const char *body, size_t body_len)
{
        setup();
        struct http_request request = {
            .method = method, .path = path, .accept = accept, .body = body, .body_len = body_len};
        struct http_response response = {0};
        /* Capture stderr (the log) in a file. */
        fflush(stderr);
        char log_path[] = "/tmp/nvd-unit-log.XXXXXX";
        int log_fd = mkstemp(log_path);
        int saved = dup(2);
        dup2(log_fd, 2);
        volume_api_handle(&api, &request, &response);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        struct reply r = {response.status, response.content_type, NULL, NULL};
        r.body = response.body ? xstrndup(response.body, response.body_len) : NULL;
        if (response.body)
                CU_ASSERT_EQUAL(strlen(r.body), response.body_len);
        off_t size = lseek(log_fd, 0, SEEK_END);
        r.log = xcalloc(1, (size_t)size + 1);
        CU_ASSERT(pread(log_fd, r.log, (size_t)size, 0) == size);
        close(log_fd);
        unlink(log_path);
        http_response_destroy(&response);
        return r;
}

static struct reply call(const char *path, const char *body)
{
        return call_full("POST", path, V12, body, body ? strlen(body) : 0);
}

static void reply_free(struct reply *r)
{
        free(r->body);
        free(r->log);
}

static void expect(const char *path, const char *body, int status, const char *want)
{
        struct reply r = call(path, body);
        CU_ASSERT_EQUAL(r.status, status);
        if (status == 200)
                CU_ASSERT_STRING_EQUAL(r.content_type ? r.content_type : "", CT);
        if (r.body == NULL || strcmp(r.body, want) != 0)
                fprintf(stderr, "%s %s:\n  got  %s  want %s", path, body ? body : "",
                        r.body ? r.body : "(null)\n", want);
        CU_ASSERT_STRING_EQUAL(r.body ? r.body : "", want);
        reply_free(&r);
}

static bool volume_dir_exists(const char *version)
{
        cleanup_free char *p = xasprintf("%s/nvidia_driver/%s", volumes, version);
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_activate_capabilities(void)
{
        struct reply r = call("/Plugin.Activate", NULL);
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_STRING_EQUAL(r.content_type, CT);
        CU_ASSERT_STRING_EQUAL(r.body, "{\"Implements\":[\"VolumeDriver\"]}\n");
        CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Received activate request"));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Plugins activated [VolumeDriver]"));
        reply_free(&r);
        expect("/VolumeDriver.Capabilities", "{}", 200,
               "{\"Capabilities\":{\"Scope\":\"local\"}}\n");
        expect("/VolumeDriver.Capabilities", NULL, 200,
               "{\"Capabilities\":{\"Scope\":\"local\"}}\n");
}

static void test_accept_and_routing(void)
{
        const char *ok[] = {V12,
                            "application/vnd.docker.plugins.v1.1+json",
                            "application/vnd.docker.plugins.v1+json",
                            NULL,
                            "*/*",
                            "text/html, application/vnd.docker.plugins.v1.2+json; q=1"};
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                struct reply r = call_full("POST", "/Plugin.Activate", ok[i], NULL, 0);
                CU_ASSERT_EQUAL(r.status, 200);
                reply_free(&r);
        }
        struct reply r = call_full("POST", "/Plugin.Activate", "text/html", NULL, 0);
        CU_ASSERT_EQUAL(r.status, 406);
        CU_ASSERT_PTR_NULL(r.body);
        CU_ASSERT_PTR_NULL(r.content_type);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Unsupported plugin API text/html"));
        reply_free(&r);
        r = call_full("POST", "/Plugin.Activate", "application/vnd.docker.plugins.v2+json", NULL,
                      0);
        CU_ASSERT_EQUAL(r.status, 406);
        reply_free(&r);
        r = call_full("GET", "/Plugin.Activate", V12, NULL, 0);
        CU_ASSERT_EQUAL(r.status, 404);
        CU_ASSERT_STRING_EQUAL(r.body, "404 page not found\n");
        reply_free(&r);
        expect("/NetworkDriver.GetCapabilities", "{}", 404, "404 page not found\n");
        expect("/VolumeDriver.Create/", "{}", 404, "404 page not found\n");
        expect("/volumedriver.create", "{}", 404, "404 page not found\n");
}

static void test_list_empty(void)
{
        expect("/VolumeDriver.List", "{}", 200, "{\"Volumes\":null,\"Err\":null}\n");
}

static void test_create_mount_get_list(void)
{
        struct reply r =
            call("/VolumeDriver.Create", "{\"Name\":\"nvidia_driver_" VERSION "\",\"Opts\":{}}");
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_STRING_EQUAL(r.body, "{\"Err\":null}\n");
        CU_ASSERT_PTR_NOT_NULL(
            strstr(r.log, "Received create request for volume 'nvidia_driver_" VERSION "'"));
        reply_free(&r);
        CU_ASSERT_TRUE(volume_dir_exists(VERSION));
        cleanup_free char *mount =
            xasprintf("{\"Mountpoint\":\"%s/nvidia_driver/" VERSION "\",\"Err\":null}\n", volumes);
        expect("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"abc\"}",
               200, mount);
        expect("/VolumeDriver.Path", "{\"Name\":\"nvidia_driver_" VERSION "\"}", 200, mount);
        cleanup_free char *get =
            xasprintf("{\"Volume\":{\"Name\":\"nvidia_driver_" VERSION
                      "\",\"Mountpoint\":\"%s/nvidia_driver/" VERSION "\"},\"Err\":null}\n",
                      volumes);
        expect("/VolumeDriver.Get", "{\"Name\":\"nvidia_driver_" VERSION "\"}", 200, get);
        cleanup_free char *list =
            xasprintf("{\"Volumes\":[{\"Name\":\"nvidia_driver_" VERSION
                      "\",\"Mountpoint\":\"%s/nvidia_driver/" VERSION "\"}],\"Err\":null}\n",
                      volumes);
        expect("/VolumeDriver.List", "{}", 200, list);
        expect("/VolumeDriver.Unmount", "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"abc\"}",
               200, "{\"Err\":null}\n");
        /* Keys are case-insensitive. */
        expect("/VolumeDriver.Path", "{\"name\":\"nvidia_driver_" VERSION "\"}", 200, mount);
        expect("/VolumeDriver.Path", "{\"NAME\":\"nvidia_driver_" VERSION "\"}", 200, mount);
}

/* A container created before a driver upgrade names the old version. */
static void test_driver_upgrade(void)
{
        cleanup_free char *mount =
            xasprintf("{\"Mountpoint\":\"%s/nvidia_driver/" VERSION "\",\"Err\":null}\n", volumes);
        struct reply r = call("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_375.39\"}");
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_STRING_EQUAL(r.body, mount);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Serving volume 'nvidia_driver_375.39'"));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "from 375.39 to " VERSION));
        reply_free(&r);
        expect("/VolumeDriver.Create", "{\"Name\":\"nvidia_driver_375.39\"}", 200,
               "{\"Err\":null}\n");
        CU_ASSERT_FALSE(volume_dir_exists("375.39"));
        cleanup_free char *get =
            xasprintf("{\"Volume\":{\"Name\":\"nvidia_driver_375.39\","
                      "\"Mountpoint\":\"%s/nvidia_driver/" VERSION "\"},\"Err\":null}\n",
                      volumes);
        expect("/VolumeDriver.Get", "{\"Name\":\"nvidia_driver_375.39\"}", 200, get);
        /* A newer version than the running driver: refused. */
        expect("/VolumeDriver.Create", "{\"Name\":\"nvidia_driver_999.1\"}", 200,
               "{\"Err\":\"invalid volume version: nvidia_driver_999.1\"}\n");
        expect("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_999.1\"}", 200,
               "{\"Mountpoint\":null,\"Err\":\"no such volume: nvidia_driver_999.1\"}\n");
        expect("/VolumeDriver.Get", "{\"Name\":\"nvidia_driver_999.1\"}", 200,
               "{\"Volume\":null,\"Err\":\"no such volume: nvidia_driver_999.1\"}\n");
        CU_ASSERT_FALSE(volume_dir_exists("999.1"));
        /* A Mount without an ID counts until an Unmount without one. */
        r = call("/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}");
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "is in use by 1 mount(s)"));
        reply_free(&r);
        expect("/VolumeDriver.Unmount", "{\"Name\":\"nvidia_driver_375.39\"}", 200,
               "{\"Err\":null}\n");
        /* Mount builds the current volume when it is missing (e.g. removed, tmpfs -d). */
        expect("/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}", 200,
               "{\"Err\":null}\n");
        CU_ASSERT_FALSE(volume_dir_exists(VERSION));
        expect("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_375.39\"}", 200, mount);
        CU_ASSERT_TRUE(volume_dir_exists(VERSION));
        expect("/VolumeDriver.Unmount", "{\"Name\":\"nvidia_driver_375.39\"}", 200,
               "{\"Err\":null}\n");
}

/* Containers of an older name share the current directory: Remove of the current version waits
 * for their Unmounts. */
static void test_remove_while_mounted(void)
{
        expect("/VolumeDriver.Create", "{\"Name\":\"nvidia_driver_" VERSION "\"}", 200,
               "{\"Err\":null}\n");
        struct reply r =
            call("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_375.39\",\"ID\":\"c1\"}");
        CU_ASSERT_EQUAL(r.status, 200);
        reply_free(&r);
        r = call("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_" VERSION "\",\"id\":\"c2\"}");
        reply_free(&r);
        r = call("/VolumeDriver.Path", "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"p\"}");
        reply_free(&r);
        r = call("/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}");
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "is in use by 2 mount(s)"));
        reply_free(&r);
        CU_ASSERT_TRUE(volume_dir_exists(VERSION));
        /* Removing an old name's own (stale) directory is not blocked. */
        expect("/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_375.39\"}", 200,
               "{\"Err\":null}\n");
        expect("/VolumeDriver.Unmount", "{\"Name\":\"nvidia_driver_375.39\",\"ID\":\"c1\"}", 200,
               "{\"Err\":null}\n");
        r = call("/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}");
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "is in use by 1 mount(s)"));
        reply_free(&r);
        expect("/VolumeDriver.Unmount", "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"c2\"}",
               200, "{\"Err\":null}\n");
        expect("/VolumeDriver.Unmount",
               "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"unknown\"}", 200,
               "{\"Err\":null}\n");
        expect("/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}", 200,
               "{\"Err\":null}\n");
        CU_ASSERT_FALSE(volume_dir_exists(VERSION));
        /* A non-string ID is a decoding error, like a non-string Name. */
        r = call("/VolumeDriver.Mount", "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":7}");
        CU_ASSERT_EQUAL(r.status, 500);
        reply_free(&r);
}

static void test_hostile_names(void)
{
        expect("/VolumeDriver.Create", "{\"Name\":\"nvidia_driver_" VERSION "\"}", 200,
               "{\"Err\":null}\n");
        static const char *const names[][2] = {
            {"nvidia_driver_..", "bad volume format: nvidia_driver_.."},
            {"nvidia_driver_.", "bad volume format: nvidia_driver_."},
            {"nvidia_driver_../..", "bad volume format: nvidia_driver_../.."},
            {"nvidia_driver_1/../../..", "bad volume format: nvidia_driver_1/../../.."},
            {"nvidia_driver_", "bad volume format: nvidia_driver_"},
            {"", "bad volume format: "},
            {"foo", "bad volume format: foo"},
            {"cuda_8.0", "unsupported volume: cuda_8.0"},
            {"nvidia_driver_1.", "bad volume format: nvidia_driver_1."},
        };
        const char *calls[] = {"/VolumeDriver.Create", "/VolumeDriver.Remove",
                               "/VolumeDriver.Unmount"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                cleanup_free char *body = xasprintf("{\"Name\":\"%s\"}", names[i][0]);
                cleanup_free char *err = xasprintf("{\"Err\":\"%s\"}\n", names[i][1]);
                for (int c = 0; c < 3; c++)
                        expect(calls[c], body, 200, err);
                cleanup_free char *mount_err =
                    xasprintf("{\"Mountpoint\":null,\"Err\":\"%s\"}\n", names[i][1]);
                expect("/VolumeDriver.Mount", body, 200, mount_err);
                expect("/VolumeDriver.Path", body, 200, mount_err);
                cleanup_free char *get_err =
                    xasprintf("{\"Volume\":null,\"Err\":\"%s\"}\n", names[i][1]);
                expect("/VolumeDriver.Get", body, 200, get_err);
        }
        /* The volume root and its contents survived every Remove above. */
        struct stat st;
        CU_ASSERT_EQUAL(stat(volumes, &st), 0);
        CU_ASSERT_TRUE(volume_dir_exists(VERSION));
        /* Escaping: quotes, backslashes, <>&, control characters. */
        expect("/VolumeDriver.Create", "{\"Name\":\"a<b>&\\\"\\\\\"}", 200,
               "{\"Err\":\"bad volume format: a\\u003cb\\u003e\\u0026\\\"\\\\\"}\n");
        expect("/VolumeDriver.Create", "{\"Name\":\"nvidia_driver_1\\n\"}", 200,
               "{\"Err\":\"bad volume format: nvidia_driver_1?\"}\n");
        expect("/VolumeDriver.Create", "{\"Name\":\"\\u2028x\"}", 200,
               "{\"Err\":\"bad volume format: \\u2028x\"}\n");
        /* The log line cannot be split by a newline in the name. */
        struct reply r = call("/VolumeDriver.Create", "{\"Name\":\"x\\nFAKE LOG\"}");
        CU_ASSERT_PTR_NULL(strstr(r.log, "\nFAKE LOG"));
        reply_free(&r);
}

static void test_malformed_requests(void)
{
        const char *bodies[] = {"",
                                "{",
                                "[]",
                                "\"str\"",
                                "{\"Name\":5}",
                                "{\"Name\":{}}",
                                "{\"Name\":\"a\"} trailing",
                                "\xff\xfe"};
        for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
                struct reply r = call("/VolumeDriver.Create", bodies[i]);
                CU_ASSERT_EQUAL(r.status, 500);
                CU_ASSERT_STRING_EQUAL(r.body, "internal error, check logs for details\n");
                CU_ASSERT_STRING_EQUAL(r.content_type, "text/plain; charset=utf-8");
                CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Error: "));
                reply_free(&r);
        }
        struct reply r = call_full("POST", "/VolumeDriver.Mount", V12, NULL, 0);
        CU_ASSERT_EQUAL(r.status, 500);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Error: EOF"));
        reply_free(&r);
        /* null and a missing Name decode like Go's: an empty name. */
        expect("/VolumeDriver.Create", "null", 200, "{\"Err\":\"bad volume format: \"}\n");
        expect("/VolumeDriver.Create", "{\"Opts\":{}}", 200, "{\"Err\":\"bad volume format: \"}\n");
        expect("/VolumeDriver.Create", "{\"Name\":null}", 200,
               "{\"Err\":\"bad volume format: \"}\n");
        /* Oversized. */
        size_t big = VOLUME_API_MAX_BODY + 1;
        char *body = xmalloc(big);
        memset(body, ' ', big);
        r = call_full("POST", "/VolumeDriver.Create", V12, body, big);
        CU_ASSERT_EQUAL(r.status, 413);
        reply_free(&r);
        free(body);
        /* Embedded NUL in the body: not a valid JSON text for jansson. */
        r = call_full("POST", "/VolumeDriver.Create", V12, "{\"Name\":\"a\0b\"}", 14);
        CU_ASSERT_EQUAL(r.status, 500);
        reply_free(&r);
}

/* Before the driver is known, and while `ready` says why not, driver-dependent calls answer
 * that reason as their Err (with 1.0's null fields); the others answer as usual. Switching the
 * driver at run time serves old names with the new driver's volume. */
static const char *not_ready;

static char *ready_answer(void *context, bool may_block)
{
        CU_ASSERT_PTR_EQUAL(context, &not_ready);
        return not_ready ? xstrdup(not_ready) : NULL;
}

static char *answer(struct volume_api *other, const char *path, const char *body)
{
        struct http_request request = {
            .method = "POST", .path = path, .accept = V12, .body = body, .body_len = strlen(body)};
        struct http_response response = {0};
        volume_api_handle(other, &request, &response);
        char *text = xstrndup(response.body ? response.body : "", response.body_len);
        http_response_destroy(&response);
        return text;
}

static void expect_answer(struct volume_api *other, const char *path, const char *body,
                          const char *want)
{
        cleanup_free char *got = answer(other, path, body);
        if (strcmp(got, want) != 0)
                fprintf(stderr, "%s: got %s want %s", path, got, want);
        CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_driver_unknown_then_switched(void)
{
        setup();
        cleanup_free char *vols = fake_tmpdir(NULL);
        struct volume_api other;
        struct error err = ERROR_INIT;
        struct volume_api_config config = {.volume_root = vols,
                                           .driver_root = driver_root,
                                           .path_env = "/usr/bin",
                                           .ready = ready_answer,
                                           .ready_context = &not_ready};
        CU_ASSERT_EQUAL_FATAL(volume_api_init(&other, &config, &err), 0);
        const char *name = "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"c1\"}";
        not_ready = "nvidia-docker-plugin is still discovering GPUs: NVML has not answered for 3 s";
        expect_answer(&other, "/VolumeDriver.Mount", name,
                      "{\"Mountpoint\":null,\"Err\":\"nvidia-docker-plugin is still discovering "
                      "GPUs: NVML has not answered for 3 s\"}\n");
        expect_answer(&other, "/VolumeDriver.Get", name,
                      "{\"Volume\":null,\"Err\":\"nvidia-docker-plugin is still discovering GPUs: "
                      "NVML has not answered for 3 s\"}\n");
        expect_answer(&other, "/VolumeDriver.Create", name,
                      "{\"Err\":\"nvidia-docker-plugin is still discovering GPUs: NVML has not "
                      "answered for 3 s\"}\n");
        expect_answer(&other, "/Plugin.Activate", "{}", "{\"Implements\":[\"VolumeDriver\"]}\n");
        expect_answer(&other, "/VolumeDriver.List", "{}", "{\"Volumes\":null,\"Err\":null}\n");
        not_ready = NULL; /* ready, but no driver set yet */
        expect_answer(&other, "/VolumeDriver.Path", name,
                      "{\"Mountpoint\":null,\"Err\":\"the NVIDIA driver is not known yet\"}\n");
        CU_ASSERT_EQUAL(volume_api_set_driver(&other, VERSION, &err), 0);
        cleanup_free char *v1 =
            xasprintf("{\"Mountpoint\":\"%s/nvidia_driver/" VERSION "\",\"Err\":null}\n", vols);
        expect_answer(&other, "/VolumeDriver.Mount", name, v1);
        /* A driver upgrade under the running plugin: the old name gets the new volume. */
        CU_ASSERT_EQUAL(volume_api_set_driver(&other, "580.2.0", &err), 0);
        cleanup_free char *v2 =
            xasprintf("{\"Mountpoint\":\"%s/nvidia_driver/580.2.0\",\"Err\":null}\n", vols);
        expect_answer(&other, "/VolumeDriver.Mount", name, v2);
        CU_ASSERT_EQUAL(volume_api_set_driver(&other, "../2", &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message);
        error_clear(&err);
        volume_api_destroy(&other);
        fake_rmtree(vols);
}

/* Mounts are recorded on disk: a restarted plugin (a new volume_api on the same root) still
 * refuses to remove a mounted volume; a record of an earlier boot is dropped at init. */
static void test_mounts_survive_restart(void)
{
        setup();
        cleanup_free char *vols = fake_tmpdir(NULL);
        cleanup_free char *boot = xasprintf("%s/boot_id", vols);
        FILE *f = fopen(boot, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs("11111111-2222\n", f);
        fclose(f);
        struct volume_api_config config = {.volume_root = vols,
                                           .driver_root = driver_root,
                                           .driver_version = VERSION,
                                           .path_env = "/usr/bin",
                                           .boot_id_path = boot};
        struct volume_api a;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_api_init(&a, &config, &err), 0);
        const char *name = "{\"Name\":\"nvidia_driver_" VERSION "\",\"ID\":\"../x/\\u0001\"}";
        cleanup_free char *mounted = answer(&a, "/VolumeDriver.Mount", name);
        CU_ASSERT_PTR_NOT_NULL(strstr(mounted, "\"Err\":null"));
        volume_api_destroy(&a);
        CU_ASSERT_EQUAL_FATAL(volume_api_init(&a, &config, &err), 0); /* a restart */
        cleanup_free char *refused =
            answer(&a, "/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}");
        CU_ASSERT_PTR_NOT_NULL(strstr(refused, "is in use by 1 mount(s)"));
        volume_api_destroy(&a);
        f = fopen(boot, "w");
        fputs("33333333-4444\n", f); /* a reboot: the container is gone */
        fclose(f);
        CU_ASSERT_EQUAL_FATAL(volume_api_init(&a, &config, &err), 0);
        expect_answer(&a, "/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}",
                      "{\"Err\":null}\n");
        volume_api_destroy(&a);
        fake_rmtree(vols);
}

static void test_init_errors(void)
{
        struct volume_api other;
        struct error err = ERROR_INIT;
        struct volume_api_config config = {.volume_root = "/tmp", .driver_version = "../1"};
        CU_ASSERT_EQUAL(volume_api_init(&other, &config, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message);
        error_clear(&err);
        config.driver_version = "1.2";
        config.volume_root = "relative";
        CU_ASSERT_EQUAL(volume_api_init(&other, &config, &err), -1);
        error_clear(&err);
}

static void test_cleanup(void)
{
        volume_api_destroy(&api);
        api_ready = false;
        fake_rmtree(volumes);
        fake_rmtree(driver_root);
        free(volumes);
        free(driver_root);
}

UNIT_MAIN("volume_api", UNIT(test_activate_capabilities), UNIT(test_accept_and_routing),
          UNIT(test_list_empty), UNIT(test_create_mount_get_list), UNIT(test_driver_upgrade),
          UNIT(test_remove_while_mounted), UNIT(test_hostile_names), UNIT(test_malformed_requests),
          UNIT(test_driver_unknown_then_switched), UNIT(test_mounts_survive_restart),
          UNIT(test_init_errors), UNIT(test_cleanup))
