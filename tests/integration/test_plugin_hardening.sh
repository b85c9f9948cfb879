#!/bin/bash
# nvidia-docker-plugin against hostile or careless clients (FAKE NVML, tests/fakes), one check
# per finding of the hardening review:
#  - ~480+ query parameters: answered 414 at once (it was held 5 s and leaked ~28 KB each), and
#    thousands of them leave the memory flat; the wrapper's message for a huge NV_GPU;
#  - slow clients (slowloris): 1,100 connections sending a byte a second leave a normal client
#    answered at once; heads that never end get 408 after the head deadline; with fewer
#    connections allowed (NVD_MAX_CONNECTIONS), slow ones are closed to make room;
#  - slow handlers: a slow nvidia-modprobe runs once, not per request, and cheap requests do not
#    wait for it; Plugin.Activate does not wait behind a volume build.
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make fakes)"
fake_gpu_env "$T_TMP/gpus3" "$NVD_ROOT/tests/fakes/gpus-3.json" 0 1 2
ulimit -n "$(ulimit -Hn)" 2>/dev/null # the slow clients hold 1,100 sockets

# start NAME [ENV...]: the plugin on a free port; PID, PORT, SOCK, LOG.
start() {
  local name=$1; shift
  PORT=$(free_port) SOCK=$T_TMP/$name/nvidia-docker.sock LOG=$T_TMP/$name.log
  mkdir -p "$T_TMP/$name"
  env "$@" "$PLUGIN" -l "127.0.0.1:$PORT" -s "$T_TMP/$name" -d "$T_TMP/volumes-$name" -cdi= "${FLAGS[@]}" 2>"$LOG" &
  PID=$!
  t_cleanup "kill $PID 2>/dev/null"
  wait_for "plugin $name" curl -sf "http://127.0.0.1:$PORT/v1.0/gpu/info/json"
}
FLAGS=()
# timed URL: CODE, BODY, MS (one request; at most 5 s)
timed() {
  local t0 out
  t0=$(date +%s%N)
  out=$(curl -s -m 5 -w '\n%{http_code}' "$1")
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  CODE=${out##*$'\n'} BODY=${out%$'\n'*}
  BODY=${BODY%$'\n'}
}
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# ---- 480+ query parameters ----------------------------------------------------------------------
start params
many=$(python3 -c "print('&'.join(['a=1'] * 500))")
timed "http://127.0.0.1:$PORT/gpu/info?$many"
t_eq "500 query parameters: 414 with a one-line reason" "414 too many query parameters" "$CODE $BODY"
echo "#   answered in $MS ms"
flood() { # flood N: N such requests, each on its own connection
  python3 - "$PORT" "$1" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
req = ("GET /gpu/info?" + "&".join(["a=1"] * 500) + " HTTP/1.1\r\nHost: x\r\n\r\n").encode()
bad = 0
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    bad += not s.recv(64).startswith(b"HTTP/1.1 414")
    s.close()
print(bad)
PY
}
t_eq "200 more: all answered 414" 0 "$(flood 200)"
before=$(rss_kb "$PID")
t_eq "3,000 more: all answered 414" 0 "$(flood 3000)"
after=$(rss_kb "$PID")
echo "#   resident memory: $before kB before, $after kB after 3,000 of them"
if [ -n "${NVD_SANITIZE:-}" ]; then
  echo "# (ASan keeps freed memory in quarantine: the leak check is LeakSanitizer's, at exit)"
else
  t_check "memory stays flat (grew under 4 MiB; it leaked ~28 KB a request)" test $((after - before)) -lt 4096
fi
timed "http://127.0.0.1:$PORT/v1.0/docker/cli/json"
t_eq "still serving" 200 "$CODE"
NV_HOST="http://127.0.0.1:$PORT" NV_GPU=$(seq -s, 0 9999) "$NVD_BUILD/tools/plugin_query" cli \
  >/dev/null 2>"$T_TMP/err"
t_match "NV_GPU with 10,000 items: one clear line, no HTML page" \
  "^error: nvidia-docker-plugin at http://127.0.0.1:$PORT refused the request as too long \(HTTP 414: request line too long\); select fewer GPUs" \
  "$(cat "$T_TMP/err")"
t_eq "... exactly one line" 1 "$(wc -l <"$T_TMP/err")"
kill "$PID"; wait "$PID"

# ---- slow clients -------------------------------------------------------------------------------
start slowloris
SLOW_PORT=$PORT SLOW_PID=$PID
start evict NVD_MAX_CONNECTIONS=100
EVICT_PORT=$PORT EVICT_PID=$PID
python3 "$NVD_ROOT/tests/integration/slow_clients.py" "$SLOW_PORT" 1100 13 "$T_TMP/ready1" >"$T_TMP/slow1" &
s1=$!
python3 "$NVD_ROOT/tests/integration/slow_clients.py" "$EVICT_PORT" 300 4 "$T_TMP/ready2" >"$T_TMP/slow2" &
s2=$!
t_cleanup "kill $s1 $s2 2>/dev/null"
wait_for "1,100 slow clients" test -s "$T_TMP/ready1"
wait_for "300 slow clients" test -s "$T_TMP/ready2"
for i in 1 2 3; do
  timed "http://127.0.0.1:$SLOW_PORT/v1.0/docker/cli/json"
  t_eq "under 1,100 slow connections: a normal request answered ($i)" 200 "$CODE"
  echo "#   in $MS ms"
  t_check "... within 1 s ($i)" test "$MS" -lt 1000
done
timed "http://127.0.0.1:$EVICT_PORT/v1.0/docker/cli/json"
t_eq "at the connection limit (100, 300 slow ones): a normal request answered" 200 "$CODE"
echo "#   in $MS ms"
wait "$s2"
t_match "... slow connections were closed to make room" "open=([0-9]|[1-9][0-9]) " "$(cat "$T_TMP/slow2")"
echo "#   evict: $(cat "$T_TMP/slow2")"
wait "$s1"
t_match "heads still incomplete after 10 s: answered 408 and closed" "open=0 answered408=1100 closed=0 refused=0" "$(cat "$T_TMP/slow1")"
kill "$SLOW_PID" "$EVICT_PID"; wait "$SLOW_PID" "$EVICT_PID" 2>/dev/null

# ---- slow handlers ------------------------------------------------------------------------------
# A slow nvidia-modprobe (2 s) with /dev/nvidia-uvm missing: run once, not per request.
mkdir -p "$T_TMP/bin"
cat >"$T_TMP/bin/nvidia-modprobe" <<SCRIPT
#!/bin/sh
echo run >>"$T_TMP/modprobe.runs"
sleep 2
echo "modprobe: FATAL: Module nvidia-uvm not found" >&2
exit 1
SCRIPT
chmod +x "$T_TMP/bin/nvidia-modprobe"
start modprobe PATH="$T_TMP/bin:$PATH"
rm -f "$T_TMP/modprobe.runs"
mv "$NVD_DEV_ROOT/nvidia-uvm" "$T_TMP/uvm"
t_cleanup "mv '$T_TMP/uvm' '$NVD_DEV_ROOT/nvidia-uvm' 2>/dev/null"
curls=()
for i in 1 2 3 4; do
  curl -s -o "$T_TMP/cli.$i" -w '%{http_code}\n' "http://127.0.0.1:$PORT/docker/cli" >"$T_TMP/code.$i" &
  curls+=($!)
done
sleep 0.3
timed "http://127.0.0.1:$PORT/gpu/info/json"
t_eq "while nvidia-modprobe runs, /gpu/info/json answers" 200 "$CODE"
echo "#   in $MS ms"
t_check "... at once (within 1 s)" test "$MS" -lt 1000
wait "${curls[@]}"
t_eq "4 concurrent /docker/cli: all refused with a reason" "400 400 400 400" "$(cat "$T_TMP"/code.* | tr '\n' ' ' | sed 's/ $//')"
t_eq "nvidia-modprobe ran once for 4 requests" 1 "$(wc -l <"$T_TMP/modprobe.runs")"
timed "http://127.0.0.1:$PORT/docker/cli"
t_match "a later request: the remembered failure, at once" "^400 nvidia-modprobe -u -c=0 failed with exit status 1: modprobe: FATAL" "$CODE $BODY"
t_eq "... without running it again" 1 "$(wc -l <"$T_TMP/modprobe.runs")"
mv "$T_TMP/uvm" "$NVD_DEV_ROOT/nvidia-uvm"
timed "http://127.0.0.1:$PORT/docker/cli"
t_eq "the node back: served again" 200 "$CODE"
kill "$PID"; wait "$PID"

# Plugin.Activate while a volume is being built: 176 MiB copied on one thread (-c, into a tmpfs,
# so that nothing can be hard-linked); Activates are sent until the build has ended.
FAKE_BIG=1 bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/bigroot" 375.39 >/dev/null 2>&1 ||
  { t_fail "big fake driver root"; t_finish; }
shm=$(mktemp -d /dev/shm/nvd-hardening.XXXXXX)
t_cleanup "rm -rf '$shm'"
FLAGS=(-r "$T_TMP/bigroot" -c)
PORT=$(free_port) SOCK=$T_TMP/build/nvidia-docker.sock LOG=$T_TMP/build.log
mkdir -p "$T_TMP/build"
NVD_COPY_THREADS=1 "$PLUGIN" -l "127.0.0.1:$PORT" -s "$T_TMP/build" -d "$shm" -cdi= "${FLAGS[@]}" 2>"$LOG" &
PID=$!
t_cleanup "kill $PID 2>/dev/null"
wait_for "socket" test -S "$SOCK"
during=0 slowest=0
while ! grep -q "Driver volume nvidia_driver_375.39 ready" "$LOG"; do
  t0=$(date +%s%N)
  out=$(curl -s -m 5 --unix-socket "$SOCK" -X POST http://plugin/Plugin.Activate)
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$out" = '{"Implements":["VolumeDriver"]}' ] || { t_fail "Plugin.Activate during the build: $out"; break; }
  grep -q "Driver volume nvidia_driver_375.39 ready" "$LOG" && break
  during=$((during + 1)); [ "$ms" -gt "$slowest" ] && slowest=$ms
done
echo "# $during Activates answered during the build ($(grep -o 'ready (built in [0-9]* ms)' "$LOG")), the slowest in $slowest ms"
if [ "$during" = 0 ]; then
  echo "# (the build ended before the first Activate: nothing could wait behind it)"
else
  t_check "Plugin.Activate answered during the build, each within 1 s" test "$slowest" -lt 1000
fi
kill "$PID"; wait "$PID"
t_check "no sanitizer report in the plugin logs" bash -c "! grep -lE 'Sanitizer|runtime error' '$T_TMP'/*.log"
t_finish
