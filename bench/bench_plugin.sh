#!/bin/bash
# Throughput and latency of nvidia-docker-plugin's REST API: wrk, 64 keep-alive connections,
# 2 threads, 10 s, on GET /v1.0/docker/cli/json (the wrapper's hot request) against the plugin
# running on the FAKE NVML (tests/fakes) on loopback. Prints req/s and p99 latency.
# Target (issue 3): >= 20000 req/s and p99 <= 5 ms on 2 cores. No assertion: figures only.
# BENCH_SECONDS (default 10), BENCH_PATH (default /v1.0/docker/cli/json).
set -u
. "$(dirname "$0")/../tests/lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"
command -v wrk >/dev/null || { echo "bench_plugin: wrk not installed (make deps)"; exit 1; }
seconds=${BENCH_SECONDS:-10}
path=${BENCH_PATH:-/v1.0/docker/cli/json}
fake_gpu_env "$T_TMP/gpus" "$NVD_ROOT/tests/fakes/gpus-3.json" 0 1 2
port=$(free_port)
"$NVD_BIN/nvidia-docker-plugin" -l "127.0.0.1:$port" -s "$T_TMP/sock" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/log" &
pid=$!
t_cleanup "kill $pid"
wait_for plugin curl -sf "http://127.0.0.1:$port/gpu/info/json" || { cat "$T_TMP/log"; exit 1; }
curl -sf "http://127.0.0.1:$port$path" >/dev/null || { echo "bench_plugin: $path fails"; exit 1; }
echo "bench_plugin: wrk -t2 -c64 -d${seconds}s --latency http://127.0.0.1:$port$path ($(nproc) CPUs)"
wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port$path" >"$T_TMP/wrk" 2>&1
cat "$T_TMP/wrk"
rps=$(awk '/^Requests\/sec:/{print $2}' "$T_TMP/wrk")
p99=$(awk '$1=="99%"{print $2}' "$T_TMP/wrk")
errors=$(grep -E 'Non-2xx|Socket errors' "$T_TMP/wrk" || true)
echo "bench_plugin: $path: ${rps:-?} req/s, p99 ${p99:-?} (target >= 20000 req/s, p99 <= 5ms)${errors:+; $errors}"
kill "$pid"; wait "$pid" 2>/dev/null
