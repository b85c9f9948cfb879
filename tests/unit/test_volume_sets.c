/* Unit tests of the capability-set volumes (volume_store, volume_api): each set's volume holds
 * exactly its files, the loaders' JSON copies name their library inside the volume, the X
 * modules sit in lib64/xorg/modules, and the volume plugin protocol serves, lists and removes
 * them by name. The driver files come from tests/fakes/make-driver-root.sh. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "fake_root.h"
#include "nvidia-docker-plugin/vendor_json.h"
#include "nvidia-docker-plugin/volume_api.h"
#include "nvidia-docker-plugin/volume_store.h"
#include "unit.h"

#define VERSION "580.1.2"

static char *driver_root;

static void ensure_root(void)
{
        if (driver_root == NULL)
                driver_root = fake_root_make(NULL, VERSION, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(driver_root);
}

static bool exists(const char *dir, const char *name)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, name);
        struct stat st;
        return lstat(p, &st) == 0;
}

static char *read_all(const char *path)
{
        int fd = open(path, O_RDONLY);
        if (fd < 0)
                return NULL;
        char *buf = xcalloc(65536, 1);
        ssize_t n = read(fd, buf, 65535);
        close(fd);
        if (n < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* The library named by the volume's copy of a JSON file. */
static char *json_library(const char *vol, const char *rel)
{
        cleanup_free char *path = xasprintf("%s/share/%s", vol, rel);
        cleanup_free char *text = read_all(path);
        if (text == NULL)
                return NULL;
        struct strv libs = STRV_INIT;
        struct error err = ERROR_INIT;
        char *lib = NULL;
        if (vendor_json_libraries(text, strlen(text), &libs, &err) == 0 && libs.count == 1)
                lib = xstrdup(libs.items[0]);
        error_clear(&err);
        strv_destroy(&libs);
        return lib;
}

static void test_sets_on_disk(void)
{
        ensure_root();
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_store store;
        struct driver_files_options files = {
            .root = driver_root, .version = VERSION, .path_env = "/usr/local/bin:/usr/bin"};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_store_init(&store, volumes, &files, &err), 0);
        unsigned compute = DRIVER_CAP_COMPUTE | DRIVER_CAP_UTILITY;
        unsigned graphics = DRIVER_CAP_GRAPHICS | DRIVER_CAP_UTILITY;
        bool built = false;
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure_set(&store, compute, VERSION, &built, &err), 0);
        CU_ASSERT_TRUE(built);
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure_set(&store, graphics, VERSION, &built, &err), 0);
        CU_ASSERT_TRUE(built);
        CU_ASSERT_EQUAL_FATAL(
            volume_store_ensure_set(&store, DRIVER_CAP_DISPLAY, VERSION, NULL, &err), 0);
        CU_ASSERT_EQUAL(volume_store_ensure_set(&store, 0, VERSION, NULL, &err), -1);
        error_clear(&err);

        /* compute,utility: CUDA and NVML, nothing of graphics. */
        cleanup_free char *cvol = volume_store_set_path(&store, compute, VERSION);
        cleanup_free char *want = xasprintf("%s/nvidia_driver-compute-utility/" VERSION, volumes);
        CU_ASSERT_STRING_EQUAL(cvol, want);
        cleanup_free char *c64 = xasprintf("%s/lib64", cvol);
        CU_ASSERT_TRUE(exists(c64, "libcuda.so.1"));
        CU_ASSERT_TRUE(exists(c64, "libnvidia-ml.so.1"));
        CU_ASSERT_TRUE(exists(cvol, "bin/nvidia-smi"));
        CU_ASSERT_FALSE(exists(c64, "libGLX_nvidia.so.0"));
        CU_ASSERT_FALSE(exists(c64, "libnvcuvid.so.1"));
        CU_ASSERT_FALSE(exists(cvol, "share"));
        CU_ASSERT_FALSE(exists(cvol, "lib/libcuda.so.1")); /* no compat32 */

        /* graphics,utility: the vendor libraries and JSON files, no CUDA. */
        cleanup_free char *gvol = volume_store_set_path(&store, graphics, VERSION);
        cleanup_free char *g64 = xasprintf("%s/lib64", gvol);
        CU_ASSERT_TRUE(exists(g64, "libEGL_nvidia.so.0"));
        CU_ASSERT_TRUE(exists(g64, "libGLX_nvidia.so.0"));
        CU_ASSERT_TRUE(exists(g64, "libnvidia-egl-wayland.so.1"));
        CU_ASSERT_FALSE(exists(g64, "libcuda.so.1"));
        CU_ASSERT_FALSE(exists(gvol, "lib64/xorg"));
        cleanup_free char *egl = json_library(gvol, "glvnd/egl_vendor.d/10_nvidia.json");
        CU_ASSERT_STRING_EQUAL(egl ? egl : "", "/usr/local/nvidia/lib64/libEGL_nvidia.so." VERSION);
        cleanup_free char *icd = json_library(gvol, "vulkan/icd.d/nvidia_icd.json");
        CU_ASSERT_STRING_EQUAL(icd ? icd : "", "/usr/local/nvidia/lib64/libGLX_nvidia.so." VERSION);
        CU_ASSERT_TRUE(exists(gvol, "share/vulkan/implicit_layer.d/nvidia_layers.json"));
        CU_ASSERT_TRUE(exists(gvol, "share/egl/egl_external_platform.d/10_nvidia_wayland.json"));
        CU_ASSERT_TRUE(exists(gvol, "share/nvidia/nvoptix.bin"));
        CU_ASSERT_FALSE(exists(gvol, "share/glvnd/egl_vendor.d/50_mesa.json"));
        CU_ASSERT_FALSE(exists(gvol, "share/vulkan/icd.d/lvp_icd.x86_64.json"));
        CU_ASSERT_FALSE(exists(gvol, "share/vulkan/icd.d/broken.json"));
        /* Each library the JSON copies name exists in the volume (at its target path). */
        cleanup_free char *egl_file = xasprintf("%s/libEGL_nvidia.so." VERSION, g64);
        struct stat st;
        CU_ASSERT_EQUAL(stat(egl_file, &st), 0);
        cleanup_free char *json = xasprintf("%s/share/glvnd/egl_vendor.d/10_nvidia.json", gvol);
        CU_ASSERT_EQUAL(stat(json, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);
        cleanup_free char *share_dir = xasprintf("%s/share/glvnd", gvol);
        CU_ASSERT_EQUAL(stat(share_dir, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0755);

        /* display: graphics plus the X modules and the configuration snippet. */
        cleanup_free char *dvol = volume_store_set_path(&store, DRIVER_CAP_DISPLAY, VERSION);
        cleanup_free char *want_d =
            xasprintf("%s/nvidia_driver-display-graphics/" VERSION, volumes);
        CU_ASSERT_STRING_EQUAL(dvol, want_d);
        CU_ASSERT_TRUE(exists(dvol, "lib64/xorg/modules/drivers/nvidia_drv.so"));
        CU_ASSERT_TRUE(exists(dvol, "lib64/xorg/modules/extensions/libglxserver_nvidia.so"));
        CU_ASSERT_TRUE(exists(dvol, "share/X11/xorg.conf.d/10-nvidia.conf"));
        CU_ASSERT_TRUE(exists(dvol, "lib64/libGLX_nvidia.so.0"));

        /* The full volume (1.0's name) has everything, JSON files too. */
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, NULL, &err), 0);
        cleanup_free char *full = volume_store_path(&store, VERSION);
        CU_ASSERT_TRUE(exists(full, "lib64/libcuda.so.1"));
        CU_ASSERT_TRUE(exists(full, "lib/libcuda.so.1"));
        CU_ASSERT_TRUE(exists(full, "share/glvnd/egl_vendor.d/10_nvidia.json"));
        CU_ASSERT_TRUE(exists(full, "lib64/xorg/modules/drivers/nvidia_drv.so"));
        /* libGLX_nvidia has a 32-bit copy there: the ICD file keeps the bare name. */
        cleanup_free char *full_icd = json_library(full, "vulkan/icd.d/nvidia_icd.json");
        CU_ASSERT_STRING_EQUAL(full_icd ? full_icd : "", "libGLX_nvidia.so.0");

        /* Listing names every kind; removing one set leaves the others. */
        struct strv names = STRV_INIT;
        CU_ASSERT_EQUAL(volume_store_list_names(&store, &names, &err), 0);
        cleanup_free char *joined = strv_join(&names, " ");
        CU_ASSERT_STRING_EQUAL(joined, "nvidia_driver-compute-utility_" VERSION
                                       " nvidia_driver-display-graphics_" VERSION
                                       " nvidia_driver-graphics-utility_" VERSION
                                       " nvidia_driver_" VERSION);
        strv_destroy(&names);
        CU_ASSERT_EQUAL(volume_store_remove_set(&store, graphics, VERSION, &err), 0);
        CU_ASSERT_FALSE(exists(gvol, "."));
        CU_ASSERT_TRUE(exists(cvol, "."));
        CU_ASSERT_TRUE(exists(full, "."));

        /* A crashed build of a set is cleaned at the next start. */
        cleanup_free char *stale =
            xasprintf("%s/nvidia_driver-compute-utility/.tmp-1.2-abcdef", volumes);
        CU_ASSERT_EQUAL(mkdir(stale, 0755), 0);
        volume_store_destroy(&store);
        CU_ASSERT_EQUAL_FATAL(volume_store_init(&store, volumes, &files, &err), 0);
        CU_ASSERT_FALSE(exists(stale, "."));
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

struct reply {
        int status;
        char *body;
};

static struct reply post(struct volume_api *api, const char *path, const char *body)
{
        struct http_request request = {.method = "POST",
                                       .path = path,
                                       .body = body,
                                       .body_len = strlen(body),
                                       .accept = "application/vnd.docker.plugins.v1.2+json"};
        struct http_response response;
        memset(&response, 0, sizeof(response));
        volume_api_handle(api, &request, &response);
        struct reply r = {response.status,
                          response.body ? xstrndup(response.body, response.body_len) : NULL};
        http_response_destroy(&response);
        return r;
}

static void test_protocol(void)
{
        ensure_root();
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_api api;
        struct volume_api_config config = {.volume_root = volumes,
                                           .driver_root = driver_root,
                                           .driver_version = VERSION,
                                           .path_env = "/usr/bin"};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_api_init(&api, &config, &err), 0);
        struct reply r = post(&api, "/VolumeDriver.Create",
                              "{\"Name\":\"nvidia_driver-compute-utility_" VERSION "\"}");
        CU_ASSERT_STRING_EQUAL(r.body, "{\"Err\":null}\n");
        free(r.body);
        r = post(&api, "/VolumeDriver.Mount",
                 "{\"Name\":\"nvidia_driver-compute-utility_" VERSION "\",\"ID\":\"c1\"}");
        cleanup_free char *want = xasprintf(
            "{\"Mountpoint\":\"%s/nvidia_driver-compute-utility/" VERSION "\",\"Err\":null}\n",
            volumes);
        CU_ASSERT_STRING_EQUAL(r.body, want);
        free(r.body);
        /* An older driver's name of a set is served by the running driver's volume of that set. */
        r = post(&api, "/VolumeDriver.Path", "{\"Name\":\"nvidia_driver-compute-utility_375.39\"}");
        CU_ASSERT_STRING_EQUAL(r.body, want);
        free(r.body);
        /* Non-canonical spelling: refused like any unknown kind. */
        r = post(&api, "/VolumeDriver.Create",
                 "{\"Name\":\"nvidia_driver-utility-compute_" VERSION "\"}");
        CU_ASSERT_STRING_EQUAL(
            r.body,
            "{\"Err\":\"unsupported volume: nvidia_driver-utility-compute_" VERSION "\"}\n");
        free(r.body);
        /* In use: the set cannot be removed; another set can. */
        r = post(&api, "/VolumeDriver.Remove",
                 "{\"Name\":\"nvidia_driver-compute-utility_" VERSION "\"}");
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "is in use by 1 mount(s)"));
        free(r.body);
        r = post(&api, "/VolumeDriver.Remove", "{\"Name\":\"nvidia_driver_" VERSION "\"}");
        CU_ASSERT_STRING_EQUAL(r.body, "{\"Err\":null}\n");
        free(r.body);
        r = post(&api, "/VolumeDriver.List", "{}");
        cleanup_free char *list = xasprintf(
            "{\"Volumes\":[{\"Name\":\"nvidia_driver-compute-utility_" VERSION
            "\",\"Mountpoint\":\"%s/nvidia_driver-compute-utility/" VERSION "\"}],\"Err\":null}\n",
            volumes);
        CU_ASSERT_STRING_EQUAL(r.body, list);
        free(r.body);
        r = post(&api, "/VolumeDriver.Unmount",
                 "{\"Name\":\"nvidia_driver-compute-utility_" VERSION "\",\"ID\":\"c1\"}");
        free(r.body);
        r = post(&api, "/VolumeDriver.Remove",
                 "{\"Name\":\"nvidia_driver-compute-utility_" VERSION "\"}");
        CU_ASSERT_STRING_EQUAL(r.body, "{\"Err\":null}\n");
        free(r.body);
        volume_api_destroy(&api);
        fake_rmtree(volumes);
}

static void test_cleanup(void)
{
        fake_rmtree(driver_root);
        free(driver_root);
        driver_root = NULL;
}

UNIT_MAIN("volume_sets", UNIT(test_sets_on_disk), UNIT(test_protocol), UNIT(test_cleanup))
