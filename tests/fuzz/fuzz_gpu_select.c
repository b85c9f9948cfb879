/*
 * fuzz_gpu_select: the selection grammar (gpu_select.h: device lists, docker's --gpus, driver
 * capabilities) and --env-file text (env_file.h) on arbitrary bytes. The first byte picks the
 * parser; the rest is the value (a C string, cut at the first NUL, but for env files, which
 * take the bytes as they are). Invariants are checked and any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/env_file.h"
#include "nvidia-docker/gpu_select.h"

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "invariant failed: %s\n", #cond);                          \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

static void check_error(int rc, struct error *err)
{
        if (rc < 0) {
                CHECK(err->message != NULL && strchr(err->message, '\n') == NULL);
                error_clear(err);
        } else {
                CHECK(err->message == NULL);
        }
}

static void check_request(const struct gpu_request *r)
{
        if (r->kind == GPU_REQUEST_LIST) {
                CHECK(r->items.count > 0);
                for (size_t i = 0; i < r->items.count; i++) {
                        const char *item = r->items.items[i];
                        CHECK(item[0] != '\0' && strpbrk(item, " ,\t") == NULL);
                        for (size_t j = 0; j < i; j++)
                                CHECK(strcmp(item, r->items.items[j]) != 0);
                }
        } else {
                CHECK(r->items.count == 0);
        }
        if (r->kind == GPU_REQUEST_COUNT)
                CHECK(r->count > 0);
        char *d = gpu_request_describe(r);
        CHECK(d != NULL);
        free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size == 0)
                return 0;
        char *value = xstrndup((const char *)data + 1, size - 1);
        struct error err = ERROR_INIT;
        struct gpu_request r;
        switch (data[0] % 4) {
        case 0: {
                int rc = gpu_request_parse_list(value, "NV_GPU", &r, &err);
                check_error(rc, &err);
                if (rc == 0)
                        check_request(&r);
                gpu_request_destroy(&r);
                break;
        }
        case 1: {
                char *caps = NULL;
                int rc = gpu_request_parse_option(value, &r, &caps, &err);
                check_error(rc, &err);
                if (rc == 0) {
                        check_request(&r);
                        CHECK(r.kind != GPU_REQUEST_NONE);
                } else {
                        CHECK(caps == NULL);
                }
                gpu_request_destroy(&r);
                free(caps);
                break;
        }
        case 2: {
                char *caps = NULL;
                int rc =
                    driver_capabilities_parse(value, "NVIDIA_DRIVER_CAPABILITIES", &caps, &err);
                check_error(rc, &err);
                CHECK((rc == 0) == (caps != NULL));
                if (caps != NULL) {
                        CHECK(caps[0] != '\0' && strpbrk(caps, " \t") == NULL);
                        /* Normalised: parsing it again gives itself. */
                        char *again = NULL;
                        CHECK(driver_capabilities_parse(caps, "x", &again, &err) == 0);
                        CHECK(strcmp(again, caps) == 0);
                        free(again);
                }
                free(caps);
                break;
        }
        default: {
                struct strv entries = STRV_INIT;
                strv_init(&entries);
                int rc =
                    env_file_parse((const char *)data + 1, size - 1, "fuzz.env", &entries, &err);
                check_error(rc, &err);
                for (size_t i = 0; i < entries.count; i++) {
                        const char *e = entries.items[i];
                        CHECK(e[0] != '\0' && e[0] != '=' && e[0] != '#');
                        CHECK(env_entries_find(&entries, "NV_GPU") == NULL ||
                              strncmp(env_entries_find(&entries, "NV_GPU"), "NV_GPU", 6) == 0);
                }
                strv_destroy(&entries);
                break;
        }
        }
        free(value);
        return 0;
}
