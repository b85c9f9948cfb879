#!/bin/bash
# Packs what tests/gpu/graphics.sh needs on the GPU machine into .gl/ (ignored by git, carried):
# Debian's generic loaders (libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 libvulkan1,
# and libglx0's X11 client libraries, downloaded with apt-get download: no NVIDIA file), and the probes egl_probe, vk_probe and
# video_probe compiled here against Debian's -dev headers, linked dynamically against the
# loaders only (libEGL, libOpenGL, libvulkan; video_probe uses dlopen). Run from the project root
# after `make` and tests/gpu/pack.sh (needs libegl-dev libopengl-dev libvulkan-dev).
set -euo pipefail
rm -rf .gl && mkdir -p .gl/bin .gl/deb
exclude=$(git rev-parse --git-path info/exclude); mkdir -p "$(dirname "$exclude")"
grep -qx '/.gl/' "$exclude" 2>/dev/null || echo '/.gl/' >>"$exclude"
# libGLX_nvidia, NVIDIA's Vulkan ICD, links the X11 client libraries even when headless: a
# Vulkan image has them (libx11-6 and what it needs), as libglx0's dependencies.
(cd .gl/deb && apt-get download libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 libvulkan1 \
  libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 >/dev/null)
cc -O2 -o .gl/bin/egl_probe tests/gpu/egl_probe.c -lEGL -lOpenGL
cc -O2 -o .gl/bin/vk_probe tests/gpu/vk_probe.c -lvulkan
cc -O2 -o .gl/bin/video_probe tests/gpu/video_probe.c -ldl
for b in .gl/bin/*; do
  if readelf -d "$b" | grep NEEDED | grep -qvE 'libEGL\.so|libOpenGL\.so|libvulkan\.so|libc\.so|libdl\.so'; then
    echo "$b links more than the loaders:"; readelf -d "$b" | grep NEEDED; exit 1
  fi
done
ls -la .gl/deb .gl/bin; du -sh .gl
