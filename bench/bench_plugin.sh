#!/bin/bash
# Throughput and tail latency of nvidia-docker-plugin's REST API next to nginx serving the same
# body from a file, in the same run: wrk, 64 keep-alive connections, 2 threads, BENCH_SECONDS
# (default 10) per round, on GET /v1.0/docker/cli/json (the wrapper's hot request), the plugin on
# the FAKE NVML (tests/fakes), both on loopback. Rounds alternate (plugin, nginx, ...) so that a
# change of load on a shared machine hits both alike; BENCH_ROUNDS (default 3). nginx (Debian's)
# runs with a config and prefix of its own under the test's temporary directory, on a free port,
# 2 worker processes (the plugin has 2 I/O threads), no access log (the plugin logs no request).
# Prints each round and the medians side by side. No assertion: figures only.
set -u
. "$(dirname "$0")/../tests/lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"
command -v wrk >/dev/null || { echo "bench_plugin: wrk not installed (make deps)"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench_plugin: nginx not installed (make deps)"; exit 1; }
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
path=${BENCH_PATH:-/v1.0/docker/cli/json}
fake_gpu_env "$T_TMP/gpus" "$NVD_ROOT/tests/fakes/gpus-3.json" 0 1 2
port=$(free_port)
"$NVD_BIN/nvidia-docker-plugin" -l "127.0.0.1:$port" -s "$T_TMP/sock" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/log" &
pid=$!
t_cleanup "kill $pid"
wait_for plugin curl -sf "http://127.0.0.1:$port/gpu/info/json" || { cat "$T_TMP/log"; exit 1; }

# nginx: the plugin's own answer as a file, under its own prefix.
ngx=$T_TMP/nginx ngx_port=$(free_port)
mkdir -p "$ngx/logs" "$ngx/tmp" "$ngx/www"
curl -sf -o "$ngx/www/body" "http://127.0.0.1:$port$path" || { echo "bench_plugin: $path fails"; exit 1; }
# As root, nginx's workers would switch to nobody, who may not read the temporary directory.
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$ngx/nginx.conf" <<CONF
$user_line
worker_processes 2;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ngx/tmp; proxy_temp_path $ngx/tmp; fastcgi_temp_path $ngx/tmp;
  uwsgi_temp_path $ngx/tmp; scgi_temp_path $ngx/tmp;
  server {
    listen 127.0.0.1:$ngx_port;
    location = $path { default_type application/json; alias $ngx/www/body; }
  }
}
CONF
"$NGINX" -p "$ngx" -c "$ngx/nginx.conf" 2>"$ngx/logs/stderr" &
ngx_pid=$!
t_cleanup "kill $ngx_pid"
wait_for nginx curl -sf -o /dev/null "http://127.0.0.1:$ngx_port$path" || { cat "$ngx/logs/"*; exit 1; }
cmp -s "$ngx/www/body" <(curl -s "http://127.0.0.1:$ngx_port$path") || { echo "bench_plugin: nginx body differs"; exit 1; }

# round NAME PORT: one wrk run; appends "p99_ms req_per_s" to $T_TMP/result.NAME.
round() {
  wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$2$path" >"$T_TMP/wrk" 2>&1
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/{print $2}' "$T_TMP/wrk")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms$/,"",v); else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$T_TMP/wrk")
  errors=$(grep -E 'Non-2xx|Socket errors' "$T_TMP/wrk" | tr '\n' ' ')
  echo "${p99:-nan} ${rps:-0}" >>"$T_TMP/result.$1"
  printf '  round %-6s p99 %8.2f ms  %10.0f req/s %s\n' "$1" "${p99:-0}" "${rps:-0}" "$errors"
}
echo "bench_plugin: wrk -t2 -c64 -d${seconds}s --latency $path, $rounds alternating rounds ($(nproc) CPUs)"
for ((r = 0; r < rounds; r++)); do
  round plugin "$port"
  round nginx "$ngx_port"
done
python3 - "$T_TMP/result.plugin" "$T_TMP/result.nginx" <<'PY'
import statistics, sys
def load(f):
    rows = [tuple(map(float, l.split())) for l in open(f)]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
(pp, pr), (np_, nr) = load(sys.argv[1]), load(sys.argv[2])
print(f"bench_plugin: median p99: plugin {pp:.2f} ms vs nginx {np_:.2f} ms (x{pp / np_:.2f}); "
      f"median throughput: plugin {pr:.0f} vs nginx {nr:.0f} req/s (x{pr / nr:.2f})")
PY
kill "$pid" "$ngx_pid"; wait "$pid" "$ngx_pid" 2>/dev/null
