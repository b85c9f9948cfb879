/*
 * libFuzzer target: volume_api_handle with fuzzed path, Accept and body. The first byte picks
 * the route, the second the Accept header, the rest is the body. The volume root is a fresh
 * temporary directory and the driver root has no ld.so.cache, so builds fail fast; a canary
 * file beside the volume root must survive (no name may reach outside).
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/volume_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct volume_api api;
static char *canary;
static char top[] = "/tmp/nvd-fuzz-volume.XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void remove_top(void)
{
        volume_api_destroy(&api);
        nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
        if (mkdtemp(top) == NULL)
                abort();
        const char *dir = top;
        char *volumes = xasprintf("%s/volumes", dir);
        char *root = xasprintf("%s/driver", dir);
        canary = xasprintf("%s/canary", dir);
        FILE *f = fopen(canary, "w");
        if (f == NULL)
                abort();
        fclose(f);
        mkdir(root, 0755);
        struct volume_api_config config = {
            .volume_root = volumes, .driver_root = root, .driver_version = "580.1.2"};
        struct error err = ERROR_INIT;
        if (volume_api_init(&api, &config, &err) < 0)
                abort();
        free(volumes);
        free(root);
        atexit(remove_top);
}

/* The handlers log every request: silence stderr around them only (libFuzzer reports there). */
static int quiet_begin(void)
{
        static int null_fd = -1;
        if (null_fd < 0)
                null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        fflush(stderr);
        int saved = dup(2);
        dup2(null_fd, 2);
        return saved;
}

static void quiet_end(int saved)
{
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const paths[] = {
            "/Plugin.Activate",      "/VolumeDriver.Create", "/VolumeDriver.Remove",
            "/VolumeDriver.Mount",   "/VolumeDriver.Path",   "/VolumeDriver.Unmount",
            "/VolumeDriver.Get",     "/VolumeDriver.List",   "/VolumeDriver.Capabilities",
            "/VolumeDriver.Unknown",
        };
        static const char *const accepts[] = {
            "application/vnd.docker.plugins.v1.2+json",    NULL, "text/html", "*/*",
            "application/vnd.docker.plugins.v1.1+json, x",
        };
        if (canary == NULL)
                setup();
        if (size < 2)
                return 0;
        struct http_request request = {
            .method = data[0] & 0x80 ? "GET" : "POST",
            .path = paths[(data[0] & 0x7f) % (sizeof(paths) / sizeof(paths[0]))],
            .accept = accepts[data[1] % (sizeof(accepts) / sizeof(accepts[0]))],
            .body = (const char *)data + 2,
            .body_len = size - 2,
        };
        struct http_response response = {0};
        int saved = quiet_begin();
        volume_api_handle(&api, &request, &response);
        quiet_end(saved);
        if (response.status == 0 || (response.body == NULL && response.body_len != 0))
                abort();
        http_response_destroy(&response);
        if (access(canary, F_OK) != 0)
                abort();
        return 0;
}
