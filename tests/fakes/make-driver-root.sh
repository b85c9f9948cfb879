#!/bin/bash
# make-driver-root.sh ROOT VERSION: builds a FAKE NVIDIA driver root for the volume tests.
#
# Nothing here is NVIDIA code: tiny ELF shared libraries compiled on the spot with the sonames
# and file names of a real driver (libcuda.so.<VERSION>, soname libcuda.so.1, ...), a fake
# nvidia-smi that prints a fake GPU list, and the driver root's own etc/ld.so.conf and
# etc/ld.so.cache written by `ldconfig -r ROOT` (which also makes the soname links).
# Layout (Debian multiarch, like a distribution package of the driver):
#   usr/lib/x86_64-linux-gnu/   64-bit libraries      usr/lib/i386-linux-gnu/  32-bit ones
#   usr/bin/                    nvidia-smi, nvidia-cuda-mps-control, nvidia-debugdump.real
#   usr/local/bin/nvidia-debugdump -> /usr/bin/nvidia-debugdump.real
# Video (libnvcuvid, libnvidia-encode, libnvidia-opticalflow), graphics (libEGL_nvidia,
# libGLESv2_nvidia, libnvidia-glsi, libnvidia-gpucomp, libnvoptix, libnvidia-egl-wayland with a
# version of its own) and utility (libnvidia-cfg) libraries are 64-bit only, like the 32-bit
# side of a real driver lacks some. The loaders' JSON files the way the driver installs them:
# glvnd/egl_vendor.d/10_nvidia.json, vulkan/icd.d/nvidia_icd.json,
# vulkan/implicit_layer.d/nvidia_layers.json, egl/egl_external_platform.d/10_nvidia_wayland.json
# and nvidia/nvoptix.bin under usr/share (Debian; usr/local/nvidia/share in the gpu-host
# layout), plus display files: usr/lib/xorg/modules/drivers/nvidia_drv.so,
# usr/lib/xorg/modules/extensions/libglxserver_nvidia.so.<VERSION> and
# usr/share/X11/xorg.conf.d/10-nvidia.conf (Debian layout only).
# Plus things the volume must NOT take: a Mesa-like libGL.so.1.7.0 and libEGL.so.1.1.0 (no
# version suffix, no NVIDIA core in DT_NEEDED), a GDK stub libnvidia-ml.so.1 in another
# directory, nvidia-modprobe (excluded binary), libnvidia-gtk3 (never taken), Mesa's
# 50_mesa.json (names libEGL_mesa), a Vulkan ICD file of another vendor, an unreadable JSON file.
# FAKE_LAYOUT=gpu-host: shaped like the project's GPU machine (driver 580 under /usr/local/nvidia): libraries in
# usr/local/nvidia/lib64 with usr/local/nvidia/lib -> lib64, binaries in usr/local/nvidia/bin,
# /lib -> usr/lib holding symlinks into /usr/local/nvidia/lib64 (duplicate cache keys), no
# 32-bit libraries, ld.so.conf naming /usr/local/nvidia/lib64 and /usr/local/nvidia/lib.
# Environment: FAKE_TLS_ABI=old makes libnvidia-tls carry ABI tag 2.2.5 (blacklisted);
# FAKE_NO_32=1 skips the 32-bit libraries. FAKE_BIG=1 pads five 64-bit libraries with random
# bytes to 16-48 MiB (176 MiB in all; the ELF headers stay valid) so that copies take long
# enough to time (bench_volume.sh) and to interrupt (test_volume_plugin.sh).
set -euo pipefail
root=${1:?usage: make-driver-root.sh ROOT VERSION}
version=${2:?usage: make-driver-root.sh ROOT VERSION}
lib64=$root/usr/lib/x86_64-linux-gnu
lib32=$root/usr/lib/i386-linux-gnu
bindir=$root/usr/bin
if [ "${FAKE_LAYOUT:-}" = gpu-host ]; then
  lib64=$root/usr/local/nvidia/lib64
  bindir=$root/usr/local/nvidia/bin
  FAKE_NO_32=1
  mkdir -p "$root/usr/lib"
  mkdir -p "$root/usr/local/nvidia"
  ln -sfn usr/lib "$root/lib"
  ln -sfn lib64 "$root/usr/local/nvidia/lib"
fi
mkdir -p "$lib64" "$lib32" "$bindir" "$root/etc" "$root/usr/local/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# lib ARCH DIR FILE SONAME [extra gcc args...]
lib() {
  local arch=$1 dir=$2 file=$3 soname=$4; shift 4
  local sym=${file%%.so*}
  sym=${sym//[^A-Za-z0-9]/_}
  echo "int fake_${sym}_entry(void) { return 42; }" >"$work/$file.c"
  if [ "$arch" = 32 ]; then
    gcc -m32 -nostdlib -shared -fPIC -Wl,-soname,"$soname" -o "$dir/$file" "$work/$file.c" "$@"
  else
    gcc -shared -fPIC -Wl,-soname,"$soname" -o "$dir/$file" "$work/$file.c" "$@"
  fi
}

v=$version
for arch in 64 32; do
  if [ "$arch" = 32 ]; then d=$lib32; [ -n "${FAKE_NO_32:-}" ] && continue; else d=$lib64; fi
  lib $arch "$d" "libcuda.so.$v" libcuda.so.1
  lib $arch "$d" "libnvidia-ml.so.$v" libnvidia-ml.so.1
  lib $arch "$d" "libnvidia-ptxjitcompiler.so.$v" libnvidia-ptxjitcompiler.so.1
  lib $arch "$d" "libnvidia-glcore.so.$v" "libnvidia-glcore.so.$v"
  lib $arch "$d" "libnvidia-eglcore.so.$v" "libnvidia-eglcore.so.$v"
  lib $arch "$d" "libGLX_nvidia.so.$v" libGLX_nvidia.so.0
  # Legacy (non-GLVND) NVIDIA libEGL: kept by the blacklist because it needs libnvidia-eglcore.
  lib $arch "$d" "libEGL.so.$v" libEGL.so.1 -Wl,--no-as-needed "$d/libnvidia-eglcore.so.$v"
  # libnvidia-tls with the ABI tag note (2.3.99 = the new TLS variant, or 2.2.5 = old).
  if [ "${FAKE_TLS_ABI:-new}" = old ]; then minor=2 sub=5; else minor=3 sub=99; fi
  cat >"$work/tls-src.c" <<C
__asm__(".section .note.ABI-tag,\\"a\\",@note\\n.balign 4\\n.long 4\\n.long 16\\n.long 1\\n"
        ".asciz \\"GNU\\"\\n.long 0\\n.long 2\\n.long $minor\\n.long $sub\\n.previous\\n");
C
  echo 'int fake_tls_entry(void) { return 7; }' >>"$work/tls-src.c"
  if [ "$arch" = 32 ]; then
    gcc -m32 -nostdlib -shared -fPIC -Wl,-soname,"libnvidia-tls.so.$v" -o "$d/libnvidia-tls.so.$v" "$work/tls-src.c"
  else
    gcc -shared -fPIC -Wl,-soname,"libnvidia-tls.so.$v" -o "$d/libnvidia-tls.so.$v" "$work/tls-src.c"
  fi
done
# 64-bit only: video, more graphics and utility libraries.
lib 64 "$lib64" "libnvcuvid.so.$v" libnvcuvid.so.1
lib 64 "$lib64" "libnvidia-encode.so.$v" libnvidia-encode.so.1
lib 64 "$lib64" "libnvidia-opticalflow.so.$v" libnvidia-opticalflow.so.1
lib 64 "$lib64" "libEGL_nvidia.so.$v" libEGL_nvidia.so.0
lib 64 "$lib64" "libGLESv2_nvidia.so.$v" libGLESv2_nvidia.so.2
lib 64 "$lib64" "libnvidia-glsi.so.$v" "libnvidia-glsi.so.$v"
lib 64 "$lib64" "libnvidia-gpucomp.so.$v" "libnvidia-gpucomp.so.$v"
lib 64 "$lib64" "libnvoptix.so.$v" libnvoptix.so.1
lib 64 "$lib64" libnvidia-egl-wayland.so.1.1.13 libnvidia-egl-wayland.so.1 # own version
lib 64 "$lib64" "libnvidia-cfg.so.$v" libnvidia-cfg.so.1
# Things the volume must leave out.
lib 64 "$lib64" libGL.so.1.7.0 libGL.so.1             # Mesa/GLVND loader: no version suffix
lib 64 "$lib64" libEGL_mesa.so.0.0.0 libEGL_mesa.so.0 # another vendor
mkdir -p "$root/usr/local/gdk/lib64"                  # a GDK stub: same soname, elsewhere
lib 64 "$root/usr/local/gdk/lib64" libnvidia-ml.so.1 libnvidia-ml.so.1
lib 64 "$lib64" "libnvidia-gtk3.so.$v" "libnvidia-gtk3.so.$v" # never taken
# Development links, like the driver installer makes them.
ln -sf "libcuda.so.1" "$lib64/libcuda.so"

# A fake nvidia-smi: prints a fake GPU list (static, so it also runs in a busybox container).
cat >"$work/nvidia-smi.c" <<'C'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], "-L") == 0) {
                puts("GPU 0: FAKE NVIDIA GPU (UUID: GPU-00000000-fake-fake-fake-000000000000)");
                return 0;
        }
        printf("FAKE nvidia-smi of a fake driver %s (test double, not NVIDIA code)\n", FAKE_VERSION);
        return 0;
}
C
gcc -static -O1 -DFAKE_VERSION="\"$v\"" -o "$bindir/nvidia-smi" "$work/nvidia-smi.c" 2>/dev/null ||
  gcc -O1 -DFAKE_VERSION="\"$v\"" -o "$bindir/nvidia-smi" "$work/nvidia-smi.c"
cp "$bindir/nvidia-smi" "$bindir/nvidia-cuda-mps-control"
cp "$bindir/nvidia-smi" "$bindir/nvidia-modprobe"
# nvidia-debugdump through a symlink from another PATH directory (resolved inside the root).
cp "$bindir/nvidia-smi" "$bindir/nvidia-debugdump.real"
ln -sf "${bindir#"$root"}/nvidia-debugdump.real" "$root/usr/local/bin/nvidia-debugdump"

if [ -n "${FAKE_BIG:-}" ]; then
  for pad in libcuda:48 libnvidia-ptxjitcompiler:40 libnvidia-glcore:32 libnvidia-eglcore:24 \
             libnvidia-ml:16; do
    head -c $((${pad#*:} << 20)) /dev/urandom >>"$lib64/${pad%:*}.so.$v"
  done
fi

# The loaders' JSON files, where the driver installs them.
if [ "${FAKE_LAYOUT:-}" = gpu-host ]; then share=$root/usr/local/nvidia/share; else share=$root/usr/share; fi
mkdir -p "$share/glvnd/egl_vendor.d" "$share/vulkan/icd.d" "$share/vulkan/implicit_layer.d" \
  "$share/egl/egl_external_platform.d" "$share/nvidia"
cat >"$share/glvnd/egl_vendor.d/10_nvidia.json" <<'J'
{
    "file_format_version" : "1.0.0",
    "ICD" : {
        "library_path" : "libEGL_nvidia.so.0"
    }
}
J
cat >"$share/vulkan/icd.d/nvidia_icd.json" <<J
{
    "file_format_version" : "1.0.1",
    "ICD": {
        "library_path": "libGLX_nvidia.so.0",
        "api_version" : "1.4.312"
    }
}
J
cat >"$share/vulkan/implicit_layer.d/nvidia_layers.json" <<J
{
    "file_format_version" : "1.0.0",
    "layer": {
        "name": "VK_LAYER_NV_optimus",
        "type": "INSTANCE",
        "library_path": "libGLX_nvidia.so.0",
        "api_version" : "1.4.312",
        "implementation_version" : "1",
        "description" : "NVIDIA Optimus layer",
        "functions": {
            "vkGetInstanceProcAddr": "vk_optimusGetInstanceProcAddr",
            "vkGetDeviceProcAddr": "vk_optimusGetDeviceProcAddr"
        },
        "enable_environment": {
            "__NV_PRIME_RENDER_OFFLOAD": "1"
        },
        "disable_environment": {
            "DISABLE_LAYER_NV_OPTIMUS_1": ""
        }
    }
}
J
cat >"$share/egl/egl_external_platform.d/10_nvidia_wayland.json" <<'J'
{
    "file_format_version" : "1.0.0",
    "ICD" : {
        "library_path" : "libnvidia-egl-wayland.so.1"
    }
}
J
printf 'FAKE OptiX data (test double)\n' >"$share/nvidia/nvoptix.bin"
# Not NVIDIA's: Mesa's vendor file, another vendor's Vulkan driver, a broken file.
printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libEGL_mesa.so.0"}}\n' \
  >"$share/glvnd/egl_vendor.d/50_mesa.json"
printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libvulkan_lvp.so","api_version":"1.3.0"}}\n' \
  >"$share/vulkan/icd.d/lvp_icd.x86_64.json"
printf '{"ICD": ' >"$share/vulkan/icd.d/broken.json"
if [ "${FAKE_LAYOUT:-}" != gpu-host ]; then
  # Display: the X server's driver and GLX module, and its configuration snippet.
  mkdir -p "$root/usr/lib/xorg/modules/drivers" "$root/usr/lib/xorg/modules/extensions" \
    "$root/usr/share/X11/xorg.conf.d"
  lib 64 "$root/usr/lib/xorg/modules/drivers" nvidia_drv.so nvidia_drv.so
  lib 64 "$root/usr/lib/xorg/modules/extensions" "libglxserver_nvidia.so.$v" libglxserver_nvidia.so
  ln -sf "libglxserver_nvidia.so.$v" "$root/usr/lib/xorg/modules/extensions/libglxserver_nvidia.so"
  printf 'Section "OutputClass"\n    Identifier "nvidia"\n    Driver "nvidia"\nEndSection\n' \
    >"$root/usr/share/X11/xorg.conf.d/10-nvidia.conf"
fi

if [ "${FAKE_LAYOUT:-}" = gpu-host ]; then
  # Soname and development links, and the /lib duplicates pointing into the driver directory.
  for f in "$lib64"/*.so.*; do
    [ -L "$f" ] && continue
    base=${f##*/}
    soname=$(readelf -d "$f" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$soname" != "$base" ] && ln -sfn "$base" "$lib64/$soname"
    ln -sfn "$soname" "$lib64/${base%%.so*}.so"
    ln -sfn "/usr/local/nvidia/lib64/$soname" "$root/usr/lib/$soname"
  done
  printf '%s\n' /usr/local/nvidia/lib64 /usr/local/nvidia/lib >"$root/etc/ld.so.conf"
else
  printf '%s\n' /usr/lib/x86_64-linux-gnu /usr/lib/i386-linux-gnu /usr/local/gdk/lib64 >"$root/etc/ld.so.conf"
fi
ldconfig -r "$root"
