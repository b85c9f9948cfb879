#!/bin/bash
# plugin_client against the fake plugin (tests/fakes/fake_plugin.c), through build/tools/plugin_query:
# normal answers, NV_GPU order and URL escaping, plugin down, slow plugin, garbage, huge and
# truncated bodies, non-200 answers, invalid device listing the GPUs, one connection per run.
. "$(dirname "$0")/../lib/common.sh"

FAKE="$NVD_BUILD/fakes/fake-plugin"
QUERY="$NVD_BUILD/tools/plugin_query"
[ -x "$FAKE" ] && [ -x "$QUERY" ] || { t_fail "build $FAKE and $QUERY first (make check does)"; t_finish; }
unset NV_HOST DOCKER_HOST NV_GPU NV_TIMEOUT http_proxy HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

FAKE_N=0
# start_fake ARGS...: starts a fake plugin; sets FAKE_PORT, FAKE_LOG, FAKE_URL.
start_fake() {
  FAKE_N=$((FAKE_N + 1))
  local portfile="$T_TMP/port.$FAKE_N"
  FAKE_LOG="$T_TMP/log.$FAKE_N"
  : > "$FAKE_LOG"
  "$FAKE" --port-file "$portfile" --log "$FAKE_LOG" --max-seconds 120 "$@" &
  local pid=$!
  t_cleanup "kill $pid; wait $pid"
  FAKE_PID=$pid
  wait_for "fake plugin" test -s "$portfile" || return 1
  FAKE_PORT=$(cat "$portfile")
  FAKE_URL="http://127.0.0.1:$FAKE_PORT"
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }
# query ARGS...: runs plugin_query; sets OUT, ERR, RC.
query() {
  OUT=$("$QUERY" "$@" 2>"$T_TMP/err"); RC=$?
  ERR=$(cat "$T_TMP/err")
}
# connections in the fake's log (distinct client ports) and requests (lines).
log_connections() { cut -d' ' -f1 "$FAKE_LOG" | sort -u | wc -l; }
log_requests() { wc -l < "$FAKE_LOG"; }

# --- normal answers -------------------------------------------------------------------------
start_fake --gpus 3 --driver 375.39 --cuda 8.0 \
  --uuid GPU-b1028956-cfa2-0990-bf4a-5da9abb51763 --uuid GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10 \
  --uuid GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19 --model "Tesla P100-PCIE-16GB"

NV_HOST=$FAKE_URL query info cli
t_eq "info then cli: exit 0" 0 "$RC"
t_eq "info then cli: decoded answers" "target $FAKE_URL NV_HOST
driver 375.39
cuda 8.0
gpu 0 GPU-b1028956-cfa2-0990-bf4a-5da9abb51763 /dev/nvidia0 Tesla P100-PCIE-16GB
gpu 1 GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10 /dev/nvidia1 Tesla P100-PCIE-16GB
gpu 2 GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19 /dev/nvidia2 Tesla P100-PCIE-16GB
volume-driver nvidia-docker
volume nvidia_driver_375.39:/usr/local/nvidia:ro
device /dev/nvidiactl
device /dev/nvidia-uvm
device /dev/nvidia-uvm-tools
device /dev/nvidia0
device /dev/nvidia1
device /dev/nvidia2
connections 1" "$OUT"
t_eq "NV_GPU unset: no dev in the query" "GET /v1.0/gpu/info/json
GET /v1.0/docker/cli/json?vol=nvidia_driver" "$(cut -d' ' -f2- "$FAKE_LOG")"
t_eq "two requests: the fake saw 1 connection" 1 "$(log_connections)"
t_eq "two requests: the fake saw 2 requests" 2 "$(log_requests)"

: > "$FAKE_LOG"
NV_HOST=$FAKE_URL NV_GPU="2,0 GPU-2d1f" query cli
t_eq "NV_GPU=2,0 GPU-2d1f: devices in the typed order" "device /dev/nvidia2
device /dev/nvidia0
device /dev/nvidia1" "$(grep -E '^device /dev/nvidia[0-9]' <<<"$OUT")"
t_eq "NV_GPU joined with +" "GET /v1.0/docker/cli/json?vol=nvidia_driver&dev=2+0+GPU-2d1f" \
  "$(cut -d' ' -f2- "$FAKE_LOG")"

: > "$FAKE_LOG"
NV_HOST=$FAKE_URL NV_GPU="1,01 +1 1" query cli
t_eq "duplicates dropped" "GET /v1.0/docker/cli/json?vol=nvidia_driver&dev=1" "$(cut -d' ' -f2- "$FAKE_LOG")"

: > "$FAKE_LOG"
NV_HOST=$FAKE_URL NV_GPU="MIG-GPU-b1028956/1/0" query cli
t_eq "items URL-escaped" "GET /v1.0/docker/cli/json?vol=nvidia_driver&dev=MIG-GPU-b1028956%2F1%2F0" \
  "$(head -n1 "$FAKE_LOG" | cut -d' ' -f2-)"
t_match "unknown MIG item: the plugin's refusal, with the GPU list" \
  "^error: NV_GPU: invalid device: MIG-GPU-b1028956/1/0; this host has GPUs 0 \(GPU-b1028956" "$ERR"

: > "$FAKE_LOG"
NV_HOST=$FAKE_URL query --vol 'nvidia_driver,a/b&c' cli
t_eq "vol kinds joined with + and escaped" "GET /v1.0/docker/cli/json?vol=nvidia_driver+a%2Fb%26c" \
  "$(cut -d' ' -f2- "$FAKE_LOG")"
t_eq "invalid volume: the plugin's text" \
  "error: nvidia-docker-plugin at $FAKE_URL refused the request: invalid volume: a/b&c" "$ERR"

# A name that resolves to ::1 and 127.0.0.1: the refused ::1 attempt is not a connection.
: > "$FAKE_LOG"
NV_HOST="localhost:$FAKE_PORT" query info cli info
t_eq "localhost: three requests, one connection" "0 connections 1 1 3" \
  "$RC $(tail -n1 <<<"$OUT") $(log_connections) $(log_requests)"

# DOCKER_HOST forces 3476 and NV_HOST with a bad value does not fall back: the fake is never asked.
: > "$FAKE_LOG"
NV_HOST="http://127.0.0.1" DOCKER_HOST="tcp://127.0.0.1:$FAKE_PORT" query cli
t_eq "bad NV_HOST: exit 1" 1 "$RC"
t_match "bad NV_HOST: one-line error naming the value" "^error: invalid NV_HOST 'http://127.0.0.1' \(no ':' before the plugin port\): expected" "$ERR"
t_eq "bad NV_HOST: no request made" 0 "$(log_requests)"

# --- invalid device lists the valid GPUs --------------------------------------------------------
: > "$FAKE_LOG"
NV_HOST=$FAKE_URL NV_GPU=5 query cli
t_eq "NV_GPU=5: exit 1" 1 "$RC"
t_eq "NV_GPU=5: lists the GPUs" "error: NV_GPU: invalid device: 5; this host has GPUs 0 (GPU-b1028956-cfa2-0990-bf4a-5da9abb51763, Tesla P100-PCIE-16GB), 1 (GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10, Tesla P100-PCIE-16GB), 2 (GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19, Tesla P100-PCIE-16GB)" "$ERR"
t_eq "NV_GPU=5: second request on the same connection" "1 2" "$(log_connections) $(log_requests)"
NV_HOST=$FAKE_URL NV_GPU=-1 query cli
t_match "NV_GPU=-1: refused before asking" "^error: invalid NV_GPU item '-1' \(GPU indexes are not negative\)" "$ERR"
stop_fake

start_fake --gpus 1 --model null
NV_HOST=$FAKE_URL NV_GPU=1 query cli
t_eq "model null: GPU listed without model" \
  "error: NV_GPU: invalid device: 1; this host has GPUs 0 (GPU-fa4e0000-0000-0000-0000-000000000000)" "$ERR"
stop_fake

# --- plugin down ---------------------------------------------------------------------------
port=$(free_port)
NV_HOST="http://127.0.0.1:$port" query cli
t_eq "plugin down: exit 1" 1 "$RC"
t_eq "plugin down: connection refused message" "error: plugin not reachable at http://127.0.0.1:$port: Connection refused; is nvidia-docker-plugin running there and listening on that address? (check NV_HOST/DOCKER_HOST)" "$ERR"
if ! (exec 3<>/dev/tcp/127.0.0.1/3476) 2>/dev/null; then
  query cli
  t_eq "local plugin down: says how to start it" "error: plugin not reachable at http://127.0.0.1:3476: Connection refused; is nvidia-docker-plugin running? (systemctl start nvidia-docker-plugin)" "$ERR"
else
  echo "(something listens on 127.0.0.1:3476: local-down message not checked)"
fi

# --- slow plugin ---------------------------------------------------------------------------
start_fake --delay-ms 5000
start=$(date +%s%N)
NV_HOST=$FAKE_URL NV_TIMEOUT=1 query cli
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "slow plugin: exit 1" 1 "$RC"
t_eq "slow plugin: timeout message" "error: nvidia-docker-plugin at $FAKE_URL did not answer within 1 s; set NV_TIMEOUT (seconds) to wait longer" "$ERR"
t_check "slow plugin: gave up before the answer came (${elapsed_ms} ms)" test "$elapsed_ms" -lt 4500
NV_HOST=$FAKE_URL NV_TIMEOUT=abc query cli
t_match "bad NV_TIMEOUT: one-line error" "^error: invalid NV_TIMEOUT 'abc': expected the plugin timeout in seconds" "$ERR"
stop_fake
start_fake --delay-ms 300
NV_HOST=$FAKE_URL NV_TIMEOUT=20 query cli
t_eq "delay within NV_TIMEOUT: answered" 0 "$RC"
stop_fake

# --- broken answers ------------------------------------------------------------------------
start_fake --garbage
NV_HOST=$FAKE_URL query cli
t_match "garbage: bad answer" "^error: bad answer from nvidia-docker-plugin at $FAKE_URL: not JSON \(" "$ERR"
NV_HOST=$FAKE_URL query info
t_match "garbage (gpu info): bad answer" "^error: bad answer from nvidia-docker-plugin at $FAKE_URL: not JSON" "$ERR"
stop_fake

start_fake --huge
start=$(date +%s%N)
NV_HOST=$FAKE_URL query cli
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "huge body: too large" "error: bad answer from nvidia-docker-plugin at $FAKE_URL: plugin answer too large (over 1024 KiB)" "$ERR"
t_check "huge body: stopped early (${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
stop_fake

start_fake --truncate
NV_HOST=$FAKE_URL query cli
t_match "truncated body: bad answer" "^error: bad answer from nvidia-docker-plugin at $FAKE_URL: .*(transfer closed|bytes remaining)" "$ERR"
stop_fake

start_fake --status 500 --body $'internal error, check logs for details\nsecond line\n'
NV_HOST=$FAKE_URL query cli
t_eq "HTTP 500: first line of the text" "error: nvidia-docker-plugin at $FAKE_URL answered HTTP 500: internal error, check logs for details" "$ERR"
stop_fake

start_fake --status 404 --body $'404 page not found\n'
NV_HOST=$FAKE_URL query info
t_eq "HTTP 404 on gpu info" "error: nvidia-docker-plugin at $FAKE_URL answered HTTP 404: 404 page not found" "$ERR"
stop_fake

start_fake --status 400 --body "$(printf 'x%.0s' $(seq 1 500))"
NV_HOST=$FAKE_URL query cli
t_check "long error text bounded" test "${#ERR}" -lt 320
t_match "long error text cut with ..." "refused the request: x+\.\.\.$" "$ERR"
stop_fake

# --- IPv6 loopback, if available -------------------------------------------------------------
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
  start_fake --listen ::1
  NV_HOST="[::1]:$FAKE_PORT" query cli
  t_eq "IPv6 NV_HOST: answered" "0 target http://[::1]:$FAKE_PORT NV_HOST" "$RC $(head -n1 <<<"$OUT")"
  stop_fake
fi

# --- proxies are never used ----------------------------------------------------------------
start_fake
port=$(free_port)
NV_HOST=$FAKE_URL http_proxy="http://127.0.0.1:$port" HTTP_PROXY="http://127.0.0.1:$port" \
  all_proxy="http://127.0.0.1:$port" query cli
t_eq "proxy variables ignored" 0 "$RC"
stop_fake

# --- the fake itself: routes with and without /v1.0, text form, 404 (its interface is shared) ---
if command -v curl >/dev/null; then
  start_fake --gpus 2 --driver 375.39
  t_eq "fake: /docker/cli text form" "--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia0 --device=/dev/nvidia1" \
    "$(curl -s --noproxy '*' "$FAKE_URL/docker/cli")"
  t_eq "fake: /v1.0/docker/cli?dev=1 text form" "--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia1" \
    "$(curl -s --noproxy '*' "$FAKE_URL/v1.0/docker/cli?dev=1")"
  t_eq "fake: /docker/cli/json?dev=9 is 400" "400 invalid device: 9" \
    "$(curl -s --noproxy '*' -w '%{http_code} ' -o "$T_TMP/body" "$FAKE_URL/docker/cli/json?dev=9"; cat "$T_TMP/body")"
  t_match "fake: /gpu/info/json without /v1.0" '^\{"Version":\{"Driver":"375.39","CUDA":"13.0"\},"Devices":\[\{"UUID":"GPU-' \
    "$(curl -s --noproxy '*' "$FAKE_URL/gpu/info/json")"
  t_eq "fake: unknown path is 404" "404 404 page not found" \
    "$(curl -s --noproxy '*' -w '%{http_code} ' -o "$T_TMP/body" "$FAKE_URL/gpu/info/json/"; cat "$T_TMP/body")"
  stop_fake
fi

# --- ssh:// goes to the tunnel (no SSH server on port 1: one line of error) ---------------------
NV_HOST="ssh://nobody@127.0.0.1:1:3476" query cli
t_eq "ssh target: tunnel error, one line" "1 1" "$RC $(wc -l <<<"$ERR")"

t_finish
