#!/bin/bash
# Packs what tests/gpu/e2e.sh needs on the GPU machine into .gpu/ (ignored by git, carried by
# the device tool): the built binaries and run module, and the few shared libraries that
# machine lacks (seen there: Ubuntu 24.04 with libcurl, jansson, libelf, zlib, gnutls and
# OpenSSL, but no libssh2). Run from the project root after `make`.
# There: LD_LIBRARY_PATH=$PWD/.gpu/syslib bash tests/gpu/e2e.sh .gpu/bin/nvidia-docker-plugin
# and     LD_LIBRARY_PATH=$PWD/.gpu/syslib bash tests/gpu/volume-speed.sh .gpu/bin/nvidia-docker-plugin .gpu/bin/volume_bench
# and     LD_LIBRARY_PATH=$PWD/.gpu/syslib bash tests/gpu/mig-files.sh .gpu/bin/nvidia-docker-plugin .gpu/bin/mig_probe
set -euo pipefail
rm -rf .gpu && mkdir -p .gpu/bin .gpu/lib .gpu/syslib
cp bin/nvidia-docker bin/nvidia-docker-plugin .gpu/bin/
cp -r lib/nvidia-docker .gpu/lib/
cp build/tools/volume_bench .gpu/bin/ # tests/gpu/volume-speed.sh
cp build/tools/mig_probe .gpu/bin/    # tests/gpu/mig-files.sh
strip -s .gpu/bin/* .gpu/lib/nvidia-docker/*.so 2>/dev/null || true
for lib in libssh2.so.1; do
  cp -L "$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')" .gpu/syslib/
done
if [ -d .git ] && ! grep -qx '/.gpu/' .git/info/exclude 2>/dev/null; then echo '/.gpu/' >> .git/info/exclude; fi
du -sh .gpu
