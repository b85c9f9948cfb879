#include "nvidia-docker-plugin/driver_lists.h"

/* Binaries by capability. Left out on purpose: nvidia-modprobe,
 * nvidia-settings, nvidia-xconfig (host set-up and X tools). */
const struct driver_binary driver_binaries[] = {
    {"nvidia-smi", DRIVER_CAP_UTILITY},              /* GPU status tool */
    {"nvidia-debugdump", DRIVER_CAP_UTILITY},        /* bug-report dumps */
    {"nvidia-persistenced", DRIVER_CAP_UTILITY},     /* persistence daemon */
    {"nv-fabricmanager", DRIVER_CAP_UTILITY},        /* NVSwitch fabric manager */
    {"nvidia-cuda-mps-control", DRIVER_CAP_COMPUTE}, /* MPS control daemon */
    {"nvidia-cuda-mps-server", DRIVER_CAP_COMPUTE},  /* MPS server */
};

/* Libraries by capability, as ld.so.cache key prefixes (docs/capabilities.md).
 * Prefix matching: "libGL.so" matches libGL.so.1 but not libGLX_nvidia.so.0. A library may
 * serve several capabilities. Left out on purpose: libnvidia-gtk2/3 (nvidia-settings),
 * libnvidia-wfb and libglx (old X server), libOpenCL (ICD loader), libnvidia-ngx (DLSS), the GLVND
 * loaders libGLX, libOpenGL, libGLdispatch, libEGL.so.1 of GLVND (the image's: the blacklist of the
 * volume builder drops them when an old cache lists them under the compat names below). */
#define G DRIVER_CAP_GRAPHICS
#define C DRIVER_CAP_COMPUTE
const struct driver_library driver_libraries[] = {
    {"libnvidia-ml.so", DRIVER_CAP_UTILITY, false},        /* NVML */
    {"libnvidia-cfg.so", DRIVER_CAP_UTILITY, false},       /* GPU configuration */
    {"libnvidia-nscq.so", DRIVER_CAP_UTILITY, false},      /* NVSwitch queries */
    {"libcuda.so", C, false},                              /* CUDA driver API */
    {"libcudadebugger.so", C, false},                      /* CUDA debugger back end */
    {"libnvidia-opencl.so", C, false},                     /* OpenCL ICD */
    {"libnvidia-gpucomp.so", C | G, false},                /* shader/kernel compiler (GL too) */
    {"libnvidia-ptxjitcompiler.so", C, false},             /* PTX JIT */
    {"libnvidia-fatbinaryloader.so", C, false},            /* fatbin loader (old drivers) */
    {"libnvidia-allocator.so", C | G, false},              /* allocator, GBM back end */
    {"libnvidia-compiler.so", C, false},                   /* OpenCL compiler (old) */
    {"libnvidia-pkcs11.so", C, false},                     /* confidential computing */
    {"libnvidia-pkcs11-openssl3.so", C, false},            /* same, OpenSSL 3 */
    {"libnvidia-nvvm.so", C, false},                       /* NVVM JIT */
    {"libnvidia-tileiras.so", C, false},                   /* tile IR compiler */
    {"libvdpau_nvidia.so", DRIVER_CAP_VIDEO, false},       /* VDPAU */
    {"libnvidia-encode.so", DRIVER_CAP_VIDEO, false},      /* NVENC */
    {"libnvidia-opticalflow.so", DRIVER_CAP_VIDEO, false}, /* optical flow */
    {"libnvcuvid.so", DRIVER_CAP_VIDEO, false},            /* NVDEC */
    {"libnvidia-eglcore.so", G, false},                    /* EGL core */
    {"libnvidia-glcore.so", G, false},                     /* OpenGL core */
    {"libnvidia-tls.so", G, false},                        /* TLS helper (ABI-checked) */
    {"libnvidia-glsi.so", G, false},                       /* OpenGL system interface */
    {"libnvidia-fbc.so", G, false},                        /* frame buffer capture */
    {"libnvidia-ifr.so", G, false},                        /* in-band frame readback (old) */
    {"libnvidia-rtcore.so", G, false},                     /* ray tracing core */
    {"libnvoptix.so", G, false},                           /* OptiX */
    {"libGLX_nvidia.so", G, false},                        /* GLVND GLX vendor, Vulkan ICD */
    {"libEGL_nvidia.so", G, false},                        /* GLVND EGL vendor */
    {"libGLESv2_nvidia.so", G, false},                     /* GLVND GLES 2/3 vendor */
    {"libGLESv1_CM_nvidia.so", G, false},                  /* GLVND GLES 1 vendor */
    {"libnvidia-glvkspirv.so", G, false},                  /* Vulkan/GL SPIR-V compiler */
    {"libnvidia-cbl.so", G, false},                        /* Vulkan ray tracing (old) */
    {"libnvidia-vulkan-producer.so", G, false},            /* Vulkan WSI (old) */
    {"libnvidia-present.so", G, false},                    /* Vulkan presentation */
    {"libnvidia-vksc-core.so", G, false},                  /* Vulkan SC */
    {"libnvidia-api.so", G, false},                        /* NVAPI (DXVK-NVAPI) */
    {"libnvidia-egl-wayland.so", G, true},                 /* EGL platform: Wayland */
    {"libnvidia-egl-gbm.so", G, true},                     /* EGL platform: GBM */
    {"libnvidia-egl-xcb.so", G, true},                     /* EGL platform: X11 (xcb) */
    {"libnvidia-egl-xlib.so", G, true},                    /* EGL platform: X11 (Xlib) */
    {"libGL.so", G, false},                                /* compat (no-glvnd) OpenGL */
    {"libEGL.so", G, false},                               /* compat EGL */
    {"libGLESv1_CM.so", G, false},                         /* compat GLES 1 */
    {"libGLESv2.so", G, false},                            /* compat GLES 2/3 */
};
#undef G
#undef C

/* Directories (below a configuration directory) of the loaders' JSON files. */
const char *const driver_json_dirs[] = {
    "glvnd/egl_vendor.d",          /* GLVND: EGL vendors */
    "egl/egl_external_platform.d", /* libEGL_nvidia: external platforms */
    "vulkan/icd.d",                /* Vulkan drivers */
    "vulkan/implicit_layer.d",     /* Vulkan layers loaded by default */
    "vulkan/explicit_layer.d",     /* Vulkan layers loaded on request */
    "vulkansc/icd.d",              /* Vulkan SC drivers */
};

/* The X server's modules (display): file to look for, name in the volume. */
const struct driver_xorg_module driver_xorg_modules[] = {
    {"nvidia_drv.so", "drivers/nvidia_drv.so", false},                     /* X driver */
    {"libglxserver_nvidia.so", "extensions/libglxserver_nvidia.so", true}, /* GLX module */
};

/* Where the X modules are looked for; "@" stands for the driver's 64-bit library directory. */
const char *const driver_xorg_dirs[] = {
    "@/xorg/modules/drivers",
    "@/xorg/modules/extensions",
    "@/nvidia/xorg",
    "/usr/lib/xorg/modules/drivers",
    "/usr/lib/xorg/modules/extensions",
    "/usr/lib64/xorg/modules/drivers",
    "/usr/lib64/xorg/modules/extensions",
    "/usr/lib/nvidia/xorg",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
const size_t driver_binary_count = COUNT(driver_binaries);
const size_t driver_library_count = COUNT(driver_libraries);
const size_t driver_json_dir_count = COUNT(driver_json_dirs);
const size_t driver_xorg_module_count = COUNT(driver_xorg_modules);
const size_t driver_xorg_dir_count = COUNT(driver_xorg_dirs);
