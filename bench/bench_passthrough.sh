#!/bin/bash
# What nvidia-docker adds to a pass-through command: `nvidia-docker version`, `nvidia-docker ps`
# and an unreadable run line with NV_DOCKER=/bin/true, against /bin/true alone (whole
# processes, hyperfine -N, medians over >= 300 runs each). 1.0 added 16-20 ms here (a
# `docker version` query each time); the target is at most 1 ms.
. "$(dirname "$0")/../tests/lib/common.sh"
. "$(dirname "$0")/lib.sh"

command -v hyperfine >/dev/null || { echo "hyperfine not installed (make deps)"; exit 1; }
WRAPPER=$NVD_BIN/nvidia-docker
export BENCH_ROUNDS=${BENCH_ROUNDS:-5} BENCH_RUNS_PER_ROUND=${BENCH_RUNS_PER_ROUND:-60} BENCH_WARMUP=20
ROUNDS=$BENCH_ROUNDS PER_ROUND=$BENCH_RUNS_PER_ROUND
export NV_DOCKER=/bin/true

echo "(hyperfine -N, $ROUNDS alternating rounds of $PER_ROUND runs, NV_DOCKER=/bin/true;" \
  "$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
bench_compare "passthrough version" "$WRAPPER version" "/bin/true version" /bin/true
bench_compare "passthrough ps" "$WRAPPER ps -a" "/bin/true ps -a" /bin/true
bench_compare "passthrough of an unreadable run line" "$WRAPPER run --frob img" "/bin/true run --frob img" /bin/true
# The floor of any exec-based wrapper: env(1), a small dynamically linked program, exec'ing
# /bin/true. What nvidia-docker costs beyond it is its own work (NV_DOCKER, the argv reader).
bench_compare "passthrough ps against env(1) exec'ing /bin/true" "$WRAPPER ps -a" \
  "/usr/bin/env /bin/true ps -a" "env /bin/true"

# Instructions up to the exec of docker, load-independent (what hardening flags such as
# -z now change shows here first; wall times of a few microseconds drown in the noise).
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo "instructions executed before the exec (callgrind, dynamic loader included):"
  echo "  nvidia-docker version                  $(instructions "$WRAPPER" version)"
  echo "  nvidia-docker ps -a                    $(instructions "$WRAPPER" ps -a)"
  echo "  nvidia-docker run --frob img           $(instructions "$WRAPPER" run --frob img)"
  echo "  env /bin/true ps -a                    $(instructions /usr/bin/env /bin/true ps -a)"
fi
