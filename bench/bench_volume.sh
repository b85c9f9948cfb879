#!/bin/bash
# Volume plugin timings on the FAKE driver root (tests/fakes/make-driver-root.sh: 16 libraries,
# 3 binaries of 760 KB), through the real unix socket, one connection per request like Docker:
#   cold build  = Create after Remove (driver list from ld.so.cache, ELF reads, links, bind mounts
#                 or copies, atomic rename): volume root on the driver's file system (hard links)
#                 and on a tmpfs (as root: read-only bind mounts; with -c: copies);
#   warm mount  = Mount of an existing volume.
# Request-level medians from build/tools/volume_bench, plus the whole `curl --unix-socket`
# process with hyperfine -N. Targets: warm mount <= 5 ms, cold build <= 1 s.
# FAKE_BIG=0 skips the big-root copy timings (parallel pool vs NVD_COPY_THREADS=1).
. "$(dirname "$0")/../tests/lib/common.sh"
set -u
VERSION=580.159.04
RUNS=${BENCH_RUNS:-200}
COLD_RUNS=${BENCH_COLD_RUNS:-50}
root=$T_TMP/driver
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$root" "$VERSION" >/dev/null
mkdir -p "$T_TMP/dev" "$T_TMP/sock"
for n in nvidia0 nvidia3 nvidiactl nvidia-uvm; do : >"$T_TMP/dev/$n"; done
SOCK=$T_TMP/sock/nvidia-docker.sock
PID=

start() { # start VOLUMES [FLAG...]: the daemon with the fake NVML and the fake driver root
  local vols=$1; shift
  LD_LIBRARY_PATH=$NVD_BUILD/fakes FAKE_NVML_CONFIG=$NVD_ROOT/tests/fakes/gpus-h200.json \
    NVD_DEV_ROOT=$T_TMP/dev "$NVD_BIN/nvidia-docker-plugin" -s "$T_TMP/sock" \
    -l "127.0.0.1:$(free_port)" -d "$vols" -r "$root" -cdi= "$@" 2>>"$T_TMP/log" &
  PID=$!
  wait_for socket test -S "$SOCK" || return 1
  echo "server: nvidia-docker-plugin"
}
t_cleanup stop_plugin
t_cleanup 'umount "$T_TMP/tmpfs" 2>/dev/null'

median_of() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' <<<"$1"; }

start "$T_TMP/volumes" || { echo "plugin did not start"; cat "$T_TMP/log"; exit 1; }
cold=$("$NVD_BUILD/tools/volume_bench" "$SOCK" cold "nvidia_driver_$VERSION" "$COLD_RUNS") || exit 1
echo "same file system (hard links): $cold"
warm=$("$NVD_BUILD/tools/volume_bench" "$SOCK" warm "nvidia_driver_$VERSION" "$RUNS") || exit 1
echo "$warm"
old=$("$NVD_BUILD/tools/volume_bench" "$SOCK" warm "nvidia_driver_375.39" "$RUNS") || exit 1
echo "old-version name (mapped to the current volume, one log line each): $old"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$T_TMP/h.json" \
    "curl -s --unix-socket $SOCK -H 'Accept: application/vnd.docker.plugins.v1.2+json' -d '{\"Name\":\"nvidia_driver_$VERSION\"}' http://p/VolumeDriver.Mount" >/dev/null 2>&1
  curl_ms=$(python3 -c "import json;print('%.3f'%(json.load(open('$T_TMP/h.json'))['results'][0]['median']*1000))")
  echo "warm mount as a whole curl process (hyperfine -N, $RUNS runs): median $curl_ms ms"
fi
stop_plugin

copy_cold= bind_cold=
mkdir -p "$T_TMP/tmpfs"
if mount -t tmpfs -o size=256m nvd-bench-tmpfs "$T_TMP/tmpfs" 2>/dev/null; then
  start "$T_TMP/tmpfs/volumes" >/dev/null || exit 1
  bind_cold=$("$NVD_BUILD/tools/volume_bench" "$SOCK" cold "nvidia_driver_$VERSION" "$COLD_RUNS") || exit 1
  echo "volume root on tmpfs (EXDEV; as root: read-only bind mounts): $bind_cold"
  # Remove through the plugin: it unmounts the bind mounts.
  curl -s --unix-socket "$SOCK" -d "{\"Name\":\"nvidia_driver_$VERSION\"}" http://p/VolumeDriver.Remove >/dev/null
  stop_plugin
  rm -rf "$T_TMP/tmpfs/volumes"
  start "$T_TMP/tmpfs/volumes" -c >/dev/null || exit 1
  copy_cold=$("$NVD_BUILD/tools/volume_bench" "$SOCK" cold "nvidia_driver_$VERSION" "$COLD_RUNS") || exit 1
  echo "volume root on tmpfs (EXDEV, -c: copies): $copy_cold"
  stop_plugin
  umount -l "$T_TMP/tmpfs"
fi

# A larger driver root (FAKE_BIG=1: five libraries padded to 16-48 MiB, 164 MiB in all) copied
# to a tmpfs with -c: the copy pool (8 MiB pieces on min(16, CPUs) threads) against one thread
# (NVD_COPY_THREADS=1).
# The page cache is warm here (no cold squashfs reads as on the GPU host): the ratio shows
# parallel memory copying on this machine's $(nproc) CPUs, not decompression.
big_par= big_ser=
if [ "${FAKE_BIG:-1}" != 0 ] && mount -t tmpfs -o size=512m nvd-bench-tmpfs "$T_TMP/tmpfs" 2>/dev/null; then
  small_root=$root
  root=$T_TMP/big
  FAKE_BIG=1 bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$root" "$VERSION" >/dev/null
  BIG_RUNS=${BENCH_BIG_RUNS:-20}
  start "$T_TMP/tmpfs/volumes" -c >/dev/null || exit 1
  big_par=$("$NVD_BUILD/tools/volume_bench" "$SOCK" cold "nvidia_driver_$VERSION" "$BIG_RUNS") || exit 1
  echo "big root ($(du -sh "$root/usr/lib/x86_64-linux-gnu" | cut -f1)) to tmpfs, $(nproc) CPUs, copy pool: $big_par"
  stop_plugin
  NVD_COPY_THREADS=1 start "$T_TMP/tmpfs/volumes" -c >/dev/null || exit 1
  big_ser=$("$NVD_BUILD/tools/volume_bench" "$SOCK" cold "nvidia_driver_$VERSION" "$BIG_RUNS") || exit 1
  echo "big root to tmpfs, one copy thread (NVD_COPY_THREADS=1): $big_ser"
  stop_plugin
  umount "$T_TMP/tmpfs"
  rm -rf "$root"
  root=$small_root
fi

w=$(median_of "$warm"); c=$(median_of "$cold")
cc=${copy_cold:+$(median_of "$copy_cold")}
bc=${bind_cold:+$(median_of "$bind_cold")}
bp=${big_par:+$(median_of "$big_par")}; bs=${big_ser:+$(median_of "$big_ser")}
python3 - "$w" "$c" "${cc:-}" "${bp:-}" "${bs:-}" "${bc:-}" <<'PY'
import sys
w, c = float(sys.argv[1]), float(sys.argv[2])
cc = float(sys.argv[3]) if sys.argv[3] else None
bp = float(sys.argv[4]) if sys.argv[4] else None
bs = float(sys.argv[5]) if sys.argv[5] else None
bc = float(sys.argv[6]) if sys.argv[6] else None
print("summary: warm mount %.3f ms (target <= 5 ms: %s, %.0fx under)" % (w, "met" if w <= 5 else "MISSED", 5 / w))
print("summary: cold build %.3f ms (target <= 1000 ms: %s, %.0fx under)" % (c, "met" if c <= 1000 else "MISSED", 1000 / c))
if bc is not None:
    print("summary: cold build with bind mounts %.3f ms (target <= 1000 ms: %s)" % (bc, "met" if bc <= 1000 else "MISSED"))
if cc is not None:
    print("summary: cold build with copies %.3f ms (target <= 1000 ms: %s); copy/link ratio %.1f" % (cc, "met" if cc <= 1000 else "MISSED", cc / c))
if bp is not None and bs is not None:
    print("summary: cold build of the big root with copies %.1f ms in parallel vs %.1f ms serial (%.2fx)" % (bp, bs, bs / bp))
PY
