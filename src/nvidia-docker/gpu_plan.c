#include "nvidia-docker/gpu_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

#define DISABLE_HINT "set NVIDIA_DISABLE_REQUIRE=1 to skip the check"

void gpu_plan_destroy(struct gpu_plan *plan)
{
        if (plan == NULL)
                return;
        strv_destroy(&plan->volume_kinds);
        gpu_request_destroy(&plan->request);
        free(plan->required_cuda);
        plan->required_cuda = NULL;
        free(plan->capabilities);
        plan->capabilities = NULL;
}

/* Reads "MAJOR[.MINOR]" from the start of s; what follows a second dot (9.0.176) or after
 * the numbers is ignored only when it starts with '.', '-', '+', ' ' or ends the string. */
static int version_parse(const char *s, unsigned *major, unsigned *minor)
{
        unsigned values[2] = {0, 0};
        const char *p = s;
        for (int part = 0; part < 2; part++) {
                if (*p < '0' || *p > '9')
                        return -1;
                unsigned v = 0;
                int digits = 0;
                while (*p >= '0' && *p <= '9') {
                        if (++digits > 6)
                                return -1;
                        v = v * 10 + (unsigned)(*p++ - '0');
                }
                values[part] = v;
                if (part == 0 && *p == '.')
                        p++;
                else
                        break;
        }
        if (*p != '\0' && strchr(".-+ ", *p) == NULL)
                return -1;
        *major = values[0];
        *minor = values[1];
        return 0;
}

static char *version_normalize(const char *s)
{
        unsigned major, minor;
        if (version_parse(s, &major, &minor) < 0)
                return NULL;
        return xasprintf("%u.%u", major, minor);
}

/* The first `cuda>=X.Y` constraint of an NVIDIA_REQUIRE_CUDA value ("cuda>=12.4 brand=tesla,
 * driver>=470,driver<471 ..."): constraints are separated by spaces and commas. */
static int require_cuda_find(const char *value, char **out, struct error *err)
{
        *out = NULL;
        for (const char *p = value; *p != '\0';) {
                p += strspn(p, " ,\t");
                size_t n = strcspn(p, " ,\t");
                if (n == 0)
                        break;
                if (n >= 6 && strncmp(p, "cuda>=", 6) == 0) {
                        cleanup_free char *version = xstrndup(p + 6, n - 6);
                        *out = version_normalize(version);
                        if (*out == NULL)
                                return error_set(
                                    err,
                                    "cannot read the image's CUDA requirement "
                                    "NVIDIA_REQUIRE_CUDA=\"%s\": '%.*s' is not "
                                    "cuda>=MAJOR.MINOR; fix the image or " DISABLE_HINT,
                                    value, (int)n, p);
                        return 0;
                }
                p += n;
        }
        return 0;
}

static bool blank(const char *s)
{
        return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

static int requirement_decide(const struct image_info *image, struct gpu_plan *out,
                              struct error *err)
{
        if (!blank(image->cuda_version_label)) {
                out->required_cuda = version_normalize(image->cuda_version_label);
                out->required_from = "label com.nvidia.cuda.version";
                if (out->required_cuda == NULL)
                        return error_set(err,
                                         "cannot read the image's CUDA version: label "
                                         "com.nvidia.cuda.version=\"%s\" is not "
                                         "MAJOR.MINOR; fix the image or " DISABLE_HINT,
                                         image->cuda_version_label);
                return 0;
        }
        if (!blank(image->require_cuda)) {
                if (require_cuda_find(image->require_cuda, &out->required_cuda, err) < 0)
                        return -1;
                out->required_from = out->required_cuda ? "NVIDIA_REQUIRE_CUDA" : NULL;
                return 0;
        }
        if (!blank(image->cuda_version_env)) {
                out->required_cuda = version_normalize(image->cuda_version_env);
                out->required_from = "CUDA_VERSION";
                if (out->required_cuda == NULL)
                        return error_set(err,
                                         "cannot read the image's CUDA version: "
                                         "CUDA_VERSION=\"%s\" is not MAJOR.MINOR; fix the "
                                         "image or " DISABLE_HINT,
                                         image->cuda_version_env);
        }
        return 0;
}

/* Which source chooses the GPUs; fills out->request, out->source, out->from_image. 0 with
 * out->source NULL when none does. */
static int selection_decide(const struct gpu_plan_input *in, struct gpu_plan *out,
                            char **gpus_capabilities, struct error *err)
{
        const struct image_info *image = in->image;
        if (in->nv_gpu != NULL) {
                out->source = "NV_GPU";
                return gpu_request_parse_list(in->nv_gpu, "NV_GPU", &out->request, err);
        }
        if (in->gpus_option != NULL) {
                out->source = "--gpus";
                return gpu_request_parse_option(in->gpus_option, &out->request, gpus_capabilities,
                                                err);
        }
        if (in->cmdline_visible_devices != NULL) {
                out->source = "NVIDIA_VISIBLE_DEVICES on the command line";
                return gpu_request_parse_list(in->cmdline_visible_devices,
                                              "NVIDIA_VISIBLE_DEVICES (command line)",
                                              &out->request, err);
        }
        if (in->cmdline_nv_gpu != NULL) {
                out->source = "NV_GPU on the command line";
                return gpu_request_parse_list(in->cmdline_nv_gpu, "NV_GPU (command line)",
                                              &out->request, err);
        }
        out->from_image = true;
        if (image->visible_devices != NULL) {
                out->source = "the image's NVIDIA_VISIBLE_DEVICES";
                return gpu_request_parse_list(image->visible_devices,
                                              "NVIDIA_VISIBLE_DEVICES (image)", &out->request, err);
        }
        if (!blank(image->volumes_label)) {
                out->source = "the host default (the image has label com.nvidia.volumes.needed)";
                out->request.kind = GPU_REQUEST_ALL;
                strv_init(&out->request.items);
        }
        return 0;
}

/* The driver capabilities; `gpus_capabilities` (owned, may be NULL) came from --gpus. */
static int capabilities_decide(const struct gpu_plan_input *in, char *gpus_capabilities,
                               struct gpu_plan *out, struct error *err)
{
        if (in->nv_driver_capabilities != NULL) {
                out->capabilities_source = "NV_DRIVER_CAPABILITIES";
                out->capabilities_to_env = true;
                return driver_capabilities_parse(in->nv_driver_capabilities,
                                                 "NV_DRIVER_CAPABILITIES", &out->capabilities, err);
        }
        if (gpus_capabilities != NULL) {
                out->capabilities_source = "--gpus capabilities=";
                out->capabilities_to_env = true;
                out->capabilities = xstrdup(gpus_capabilities);
                return 0;
        }
        if (in->cmdline_capabilities != NULL) {
                out->capabilities_source = "NVIDIA_DRIVER_CAPABILITIES on the command line";
                return driver_capabilities_parse(in->cmdline_capabilities,
                                                 "NVIDIA_DRIVER_CAPABILITIES (command line)",
                                                 &out->capabilities, err);
        }
        if (in->image->driver_capabilities != NULL) {
                out->capabilities_source = "the image's NVIDIA_DRIVER_CAPABILITIES";
                return driver_capabilities_parse(in->image->driver_capabilities,
                                                 "NVIDIA_DRIVER_CAPABILITIES (image)",
                                                 &out->capabilities, err);
        }
        out->capabilities_source = "the default";
        out->capabilities = xstrdup(DRIVER_CAPABILITIES_DEFAULT);
        return 0;
}

/* The decision once a source chose: reason, volume kinds, CUDA requirement. */
static int injection_decide(const struct gpu_plan_input *in, struct gpu_plan *out,
                            struct error *err)
{
        const struct image_info *image = in->image;
        cleanup_free char *chosen = gpu_request_describe(&out->request);
        if (out->request.kind == GPU_REQUEST_VOID) {
                snprintf(out->reason, sizeof(out->reason),
                         "GPUs not added: %s says void (a plain container)", out->source);
                return 0;
        }
        out->inject = true;
        snprintf(out->reason, sizeof(out->reason),
                 "GPUs added: %s chooses %s; capabilities %s (%s)", out->source, chosen,
                 out->capabilities, out->capabilities_source);
        if (!blank(image->volumes_label))
                strv_split(&out->volume_kinds, image->volumes_label, " \t\r\n");
        else
                strv_push(&out->volume_kinds, "nvidia_driver");
        if (in->disable_require) {
                out->check_disabled = true;
                return 0;
        }
        return requirement_decide(image, out, err);
}

int gpu_plan_decide(const struct gpu_plan_input *in, struct gpu_plan *out, struct error *err)
{
        memset(out, 0, sizeof(*out));
        strv_init(&out->volume_kinds);
        cleanup_free char *gpus_capabilities = NULL; /* selection_decide fills out->request */
        int ret = selection_decide(in, out, &gpus_capabilities, err);
        if (ret == 0)
                ret = capabilities_decide(in, gpus_capabilities, out, err);
        if (ret == 0 && out->source == NULL)
                snprintf(out->reason, sizeof(out->reason),
                         "GPUs not added: the image has no com.nvidia.volumes.needed label and no "
                         "NVIDIA_VISIBLE_DEVICES, and neither NV_GPU, --gpus nor -e "
                         "NVIDIA_VISIBLE_DEVICES chooses GPUs");
        else if (ret == 0)
                ret = injection_decide(in, out, err);
        if (ret < 0) {
                gpu_plan_destroy(out);
                memset(out, 0, sizeof(*out));
        }
        return ret;
}

int cuda_version_check(const char *driver_cuda, const char *required, struct error *err)
{
        unsigned need_major, need_minor, have_major, have_minor;
        if (version_parse(required, &need_major, &need_minor) < 0)
                return error_set(err, "cannot read the image's CUDA version '%s'; " DISABLE_HINT,
                                 required);
        if (blank(driver_cuda))
                return error_set(err, "cannot check the CUDA version: nvidia-docker-plugin did "
                                      "not report the driver's CUDA version; check the plugin's "
                                      "log, or " DISABLE_HINT);
        if (version_parse(driver_cuda, &have_major, &have_minor) < 0)
                return error_set(err,
                                 "cannot check the CUDA version: nvidia-docker-plugin "
                                 "reported the driver's CUDA version as '%s', not "
                                 "MAJOR.MINOR; " DISABLE_HINT,
                                 driver_cuda);
        if (need_major > have_major || (need_major == have_major && need_minor > have_minor))
                return error_set(err,
                                 "unsupported CUDA version: driver %s < image %s; upgrade "
                                 "the NVIDIA driver, or " DISABLE_HINT " (e.g. with "
                                 "cuda-compat)",
                                 driver_cuda, required);
        return 0;
}
