#!/bin/bash
# nvidia-docker-plugin REST API v1.0 against the FAKE NVML/CUDA (tests/fakes): exact bodies of
# the routes of docs/rest-api.md, errors, redirects, limits, start-up failures, clean stop.
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make fakes)"
fake_gpu_env "$T_TMP/gpus3" "$NVD_ROOT/tests/fakes/gpus-3.json" 0 1 2

# start_plugin NAME [ARGS...]: starts the plugin on a free port with socket dir $T_TMP/NAME.
start_plugin() {
  local name=$1; shift
  PORT=$(free_port)
  SOCK_DIR=$T_TMP/$name
  "$PLUGIN" -l "127.0.0.1:$PORT" -s "$SOCK_DIR" -d "$T_TMP/volumes" -cdi= "$@" 2>"$T_TMP/$name.log" &
  PID=$!
  t_cleanup "kill $PID"
  wait_for "plugin $name" curl -sf "http://127.0.0.1:$PORT/gpu/info/json"
}
# get PATH [CURL ARGS...]: sets CODE, TYPE, BODY (exact, trailing newlines kept).
get() {
  local path=$1; shift
  local meta
  meta=$(curl -s -o "$T_TMP/body" -w '%{http_code} %{content_type}' "$@" "http://127.0.0.1:$PORT$path")
  CODE=${meta%% *}; TYPE=${meta#* }
  BODY=$(cat "$T_TMP/body"; printf x); BODY=${BODY%x}
}

# ---- flags ----
out=$("$PLUGIN" -v); t_eq "-v prints the version" "NVIDIA Docker plugin: $(cat "$NVD_ROOT/VERSION")" "$out"
out=$("$PLUGIN" --v=true); t_eq "--v=true" "NVIDIA Docker plugin: $(cat "$NVD_ROOT/VERSION")" "$out"
"$PLUGIN" -x 2>"$T_TMP/err"; t_eq "unknown flag exits 2" 2 $?
t_match "unknown flag message" "flag provided but not defined: -x" "$(cat "$T_TMP/err")"
"$PLUGIN" -l 2>/dev/null; t_eq "flag without value exits 2" 2 $?
"$PLUGIN" -h 2>"$T_TMP/err"; t_eq "-h exits 2" 2 $?
t_match "-h prints the usage on stderr" "^Usage of nvidia-docker-plugin:" "$(cat "$T_TMP/err")"
out=$("$PLUGIN" -s=/nonexistent --d /x -v extra args); t_eq "-x=v, --x v, positional arguments ignored" "NVIDIA Docker plugin: $(cat "$NVD_ROOT/VERSION")" "$out"

# ---- the reference bodies ----
start_plugin main
INFO_JSON='{"Version":{"Driver":"375.39","CUDA":"8.0"},"Devices":[{"UUID":"GPU-b1028956-cfa2-0990-bf4a-5da9abb51763","Path":"/dev/nvidia0","Model":"Tesla P100-PCIE-16GB","Power":250,"CPUAffinity":0,"PCI":{"BusID":"0000:04:00.0","BAR1":16384,"Bandwidth":15760},"Clocks":{"Cores":1328,"Memory":715},"Topology":[{"BusID":"0000:05:00.0","Link":5}],"Family":"Pascal","Arch":"6.0","Cores":3584,"Memory":{"ECC":true,"Global":16276,"Shared":64,"Constant":64,"L2Cache":4096,"Bandwidth":732160}},{"UUID":"GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10","Path":"/dev/nvidia1","Model":"Tesla P100-PCIE-16GB","Power":250,"CPUAffinity":0,"PCI":{"BusID":"0000:05:00.0","BAR1":16384,"Bandwidth":15760},"Clocks":{"Cores":1328,"Memory":715},"Topology":[{"BusID":"0000:04:00.0","Link":5}],"Family":"Pascal","Arch":"6.0","Cores":3584,"Memory":{"ECC":true,"Global":16276,"Shared":64,"Constant":64,"L2Cache":4096,"Bandwidth":732160}},{"UUID":"GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19","Path":"/dev/nvidia2","Model":null,"Power":null,"CPUAffinity":1,"PCI":{"BusID":"0000:82:00.0","BAR1":256,"Bandwidth":15760},"Clocks":{"Cores":1911,"Memory":5005},"Topology":null,"Family":"Pascal","Arch":"6.1","Cores":2560,"Memory":{"ECC":false,"Global":8113,"Shared":96,"Constant":64,"L2Cache":2048,"Bandwidth":320320}}]}'
STATUS_JSON='{"Devices":[{"Power":31,"Temperature":34,"Utilization":{"GPU":0,"Memory":0,"Encoder":0,"Decoder":0},"Memory":{"GlobalUsed":0,"ECCErrors":{"L1Cache":0,"L2Cache":0,"Global":0}},"Clocks":{"Cores":405,"Memory":715},"PCI":{"BAR1Used":2,"Throughput":{"RX":0,"TX":0}},"Processes":null},{"Power":130,"Temperature":61,"Utilization":{"GPU":97,"Memory":42,"Encoder":0,"Decoder":0},"Memory":{"GlobalUsed":15603,"ECCErrors":{"L1Cache":0,"L2Cache":0,"Global":0}},"Clocks":{"Cores":1328,"Memory":715},"PCI":{"BAR1Used":5,"Throughput":{"RX":1234,"TX":87}},"Processes":[{"PID":23041,"Name":"python","MemoryUsed":15593}]},{"Power":9,"Temperature":40,"Utilization":{"GPU":0,"Memory":0,"Encoder":0,"Decoder":0},"Memory":{"GlobalUsed":1,"ECCErrors":{"L1Cache":null,"L2Cache":null,"Global":null}},"Clocks":{"Cores":139,"Memory":405},"PCI":{"BAR1Used":2,"Throughput":{"RX":0,"TX":0}},"Processes":null}]}'
device_block() { # the reference's Device #0 block, for P100 number $1
  local uuid=$2 path=$3 bus=$4 peer=$5
  cat <<EOF
Device #$1
  Model:         Tesla P100-PCIE-16GB
  UUID:          $uuid
  Path:          $path
  Family:        Pascal
  Arch:          6.0
  Cores:         3584
  Power:         250 W
  CPU Affinity:  NUMA node0
  PCI
    Bus ID:     $bus
    BAR1:       16384 MiB
    Bandwidth:  15760 MB/s
  Memory
    ECC:        true
    Global:     16276 MiB
    Constant:   64 KiB
    Shared:     64 KiB
    L2 Cache:   4096 KiB
    Bandwidth:  732160 MB/s
  Clocks
    Cores:   1328 MHz
    Memory:  715 MHz
  P2P Available
    $peer - Single PCI switch

EOF
}
INFO_TEXT=$(printf '\nDriver version:          375.39\nSupported CUDA version:  8.0\n\n'
  device_block 0 GPU-b1028956-cfa2-0990-bf4a-5da9abb51763 /dev/nvidia0 0000:04:00.0 0000:05:00.0
  device_block 1 GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10 /dev/nvidia1 0000:05:00.0 0000:04:00.0
  cat <<'EOF'
Device #2
  Model:         N/A
  UUID:          GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19
  Path:          /dev/nvidia2
  Family:        Pascal
  Arch:          6.1
  Cores:         2560
  Power:         N/A
  CPU Affinity:  NUMA node1
  PCI
    Bus ID:     0000:82:00.0
    BAR1:       256 MiB
    Bandwidth:  15760 MB/s
  Memory
    ECC:        false
    Global:     8113 MiB
    Constant:   64 KiB
    Shared:     96 KiB
    L2 Cache:   2048 KiB
    Bandwidth:  320320 MB/s
  Clocks
    Cores:        1911 MHz
    Memory:       5005 MHz
  P2P Available:  None

EOF
printf x); INFO_TEXT=${INFO_TEXT%x}
STATUS_BLOCK1='Device #1
  Power:        130 / 250 W
  Temperature:  61 °C
  Utilization
    GPU:      97 %
    Memory:   42 %
    Encoder:  0 %
    Decoder:  0 %
  Memory
    Global:  15603 / 16276 MiB
    ECC Errors
      L1 Cache:  0
      L2 Cache:  0
      Global:    0
  PCI
    BAR1:  5 / 16384 MiB
    Throughput
      RX:  1234 MB/s
      TX:  87 MB/s
  Clocks
    Cores:   1328 MHz
    Memory:  715 MHz
  Processes
    - PID:     23041
      Name:    python
      Memory:  15593 MiB
'
CLI_ALL='--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia0 --device=/dev/nvidia1 --device=/dev/nvidia2'

for prefix in "" /v1.0; do
  p=${prefix:-(bare)}
  get "$prefix/gpu/info/json"
  t_eq "$p /gpu/info/json status" 200 "$CODE"; t_eq "$p /gpu/info/json type" application/json "$TYPE"
  t_eq "$p /gpu/info/json body" "$INFO_JSON"$'\n' "$BODY"
  get "$prefix/gpu/info"
  t_eq "$p /gpu/info type" "text/plain; charset=utf-8" "$TYPE"
  t_eq "$p /gpu/info body" "$INFO_TEXT" "$BODY"
  get "$prefix/gpu/status/json"
  t_eq "$p /gpu/status/json body" "$STATUS_JSON"$'\n' "$BODY"; t_eq "$p /gpu/status/json type" application/json "$TYPE"
  get "$prefix/gpu/status"
  t_eq "$p /gpu/status type" "text/plain; charset=utf-8" "$TYPE"
  [[ "$BODY" == *$'\n\n'"$STATUS_BLOCK1"$'\n'* ]] && t_ok "$p /gpu/status device 1 block" || { t_fail "$p /gpu/status device 1 block"; printf '%s' "$BODY"; }
  [[ "$BODY" == $'\nDevice #0\n  Power:        31 / 250 W\n'* ]] && t_ok "$p /gpu/status starts with a newline" || t_fail "$p /gpu/status start"
  [[ "$BODY" == *$'\n  Power:        N/A\n'*$'      L1 Cache:  N/A\n'*$'    Cores:    139 MHz\n    Memory:   405 MHz\n  Processes:  None\n\n' ]] && t_ok "$p /gpu/status nulls and last block" || t_fail "$p /gpu/status nulls"
  get "$prefix/docker/cli"
  t_eq "$p /docker/cli" "$CLI_ALL" "$BODY"; t_eq "$p /docker/cli type" "text/plain; charset=utf-8" "$TYPE"
  get "$prefix/docker/cli/json"
  t_eq "$p /docker/cli/json" '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_375.39:/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia-uvm-tools","/dev/nvidia0","/dev/nvidia1","/dev/nvidia2"]}'$'\n' "$BODY"
  get "$prefix/mesos/cli"
  t_eq "$p /mesos/cli status" 200 "$CODE"
  decoded=$(python3 - "$BODY" <<'EOF'
import base64, sys, zlib, re
m = re.fullmatch(r'--attributes=gpus:([A-Za-z0-9_-]+) --resources=gpus:\{(.*)\}', sys.argv[1])
a = m.group(1)
sys.stdout.write(zlib.decompress(base64.urlsafe_b64decode(a + '=' * (-len(a) % 4))).decode() + '|' + m.group(2))
EOF
)
  t_eq "$p /mesos/cli decodes to the inventory" "$INFO_JSON"$'\n'"|GPU-b1028956-cfa2-0990-bf4a-5da9abb51763,GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10,GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19" "$decoded"
done

# ---- dev and vol ----
get '/v1.0/docker/cli?dev=0+2&vol=nvidia_driver'
t_eq "dev=0+2" '--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia0 --device=/dev/nvidia2' "$BODY"
get '/docker/cli?dev=GPU-2d1f'
t_eq "dev=GPU-2d1f" '--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia1' "$BODY"
get '/docker/cli/json?dev=2%200+GPU-b1028956+1&vol=nvidia_driver%20nvidia_driver'
t_eq "order kept, duplicate GPU dropped, a volume named twice mounted once" '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_375.39:/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia-uvm-tools","/dev/nvidia2","/dev/nvidia0","/dev/nvidia1"]}'$'\n' "$BODY"
get '/docker/cli?vol=nvidia_driver+nvidia_driver&dev=0'
t_eq "vol=nvidia_driver+nvidia_driver: one --volume (docker refuses a duplicate mount point)" \
  '--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia0' "$BODY"
# Malformed query decoding fails closed, naming the pair (it used to select every GPU).
for case in "dev=0%00xyz|dev=0%00xyz (NUL byte)" "dev=%zz|dev=%zz (bad %-escape)" "dev=%|dev=% (bad %-escape)" \
            "dev=%4|dev=%4 (bad %-escape)" "vol=nvidia_driver%00junk|vol=nvidia_driver%00junk (NUL byte)"; do
  q=${case%%|*}; want=${case#*|}
  get "/v1.0/docker/cli/json?$q"
  t_eq "$q → 400 naming it" "400|invalid query parameter: $want"$'\n' "$CODE|$BODY"
done
get '/docker/cli/json?dev=*'; t_eq "dev=* is all" 200 "$CODE"
get '/docker/cli/json?dev=%2B01'; t_match "dev=+01 is GPU 1" '"/dev/nvidia1"\]' "$BODY"
get '/docker/cli?dev=0&dev=5'; t_eq "first dev wins" 200 "$CODE"
for case in "dev=5|invalid device: 5" "dev=9|invalid device: 9" "dev=0,1|invalid device: 0,1" "dev=0++1|invalid device: " \
            "dev=-1|invalid device: -1" "dev=GPU-ffff|invalid device: GPU-ffff" "dev=nvidia0|invalid device: nvidia0" \
            "vol=foo|invalid volume: foo" "vol=nvidia_driver+|invalid volume: " \
            "dev=GPU-|invalid device: GPU- (ambiguous: GPU-b1028956-cfa2-0990-bf4a-5da9abb51763, GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10, GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19)"; do
  q=${case%%|*}; want=${case#*|}
  get "/docker/cli?$q"
  t_eq "$q → 400" 400 "$CODE"; t_eq "$q body" "$want"$'\n' "$BODY"
  get "/docker/cli/json?$q"
  t_eq "json $q → 400 text" "400 text/plain; charset=utf-8" "$CODE $TYPE"
done

# ---- 404, 301 ----
for path in /gpu/info/ /v2.0/gpu/info /gpu /v1.0 / /gpu/INFO /v1.0/v1.0/gpu/info /docker/cli/json/x; do
  get "$path"
  t_eq "404 $path" "404 text/plain; charset=utf-8|404 page not found"$'\n' "$CODE $TYPE|$BODY"
done
get /gpu/info -X POST; t_eq "POST /gpu/info → 404" "404|404 page not found"$'\n' "$CODE|$BODY"
get /gpu/info -X DELETE; t_eq "DELETE /gpu/info → 404" 404 "$CODE"
for case in "//gpu/info|/gpu/info" "/gpu/./info|/gpu/info" "/v1.0/../gpu/info/json|/gpu/info/json" "/gpu//status/|/gpu/status/" "/docker/cli/..?dev=0|/docker?dev=0"; do
  path=${case%%|*}; want=${case#*|}
  loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --path-as-is "http://127.0.0.1:$PORT$path")
  t_eq "301 $path" "301 http://127.0.0.1:$PORT$want" "$loc"
done
get '/gpu/%69nfo/json'; t_eq "escaped path is decoded" 200 "$CODE"
get '/gpu/info%2Fjson'; t_eq "%2F decodes to / (Go routes the decoded path)" "200 application/json" "$CODE $TYPE"

# ---- limits ----
head -c 2000000 /dev/zero >"$T_TMP/big"
get /gpu/info -X POST --data-binary @"$T_TMP/big"; t_eq "2 MB body → 413" 413 "$CODE"
get /gpu/info -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/big"; t_eq "2 MB chunked body → 413" 413 "$CODE"
long=$(head -c 70000 /dev/zero | tr '\0' a)
get "/gpu/info?x=$long"; t_match "70 kB URL refused" '^4(14|31)$' "$CODE"
get /gpu/info/json; t_eq "still serving after oversized requests" 200 "$CODE"
# An idle connection is closed after the 5 s timeout.
start=$(date +%s)
python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$PORT)); s.settimeout(20); print(len(s.recv(10)))" >"$T_TMP/idle"
t_eq "idle connection closed" 0 "$(cat "$T_TMP/idle")"
t_check "closed within 5-9 s" test $(( $(date +%s) - start )) -le 9

# ---- control devices at request time ----
# The plugin learns of a change in /dev through inotify (dev_watch), a moment later: each check
# waits up to 5 s for the answer to change (get_when CONDITION PATH).
get_when() {
  local cond=$1 path=$2
  for _ in $(seq 1 50); do get "$path"; eval "$cond" && return 0; sleep 0.1; done
}
UVM_ABSENT_CLI='{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_375.39:/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia0"]}'$'\n'
mv "$NVD_DEV_ROOT/nvidia-uvm-tools" "$T_TMP/uvm-tools"
get_when '[ "$BODY" = "$UVM_ABSENT_CLI" ]' /docker/cli/json?dev=0; t_eq "no nvidia-uvm-tools → not listed" '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_375.39:/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia0"]}'$'\n' "$BODY"
mv "$T_TMP/uvm-tools" "$NVD_DEV_ROOT/nvidia-uvm-tools"
mv "$NVD_DEV_ROOT/nvidia-uvm" "$T_TMP/uvm"
get_when '[ "$CODE" = 400 ]' /docker/cli; t_eq "missing nvidia-uvm and no nvidia-modprobe → 400" 400 "$CODE"
t_match "names the missing tool" "nvidia-modprobe was not found on PATH" "$BODY"
mv "$T_TMP/uvm" "$NVD_DEV_ROOT/nvidia-uvm"
get_when '[ "$CODE" = 200 ]' /docker/cli; t_eq "nvidia-uvm back: 200" 200 "$CODE"

# ---- the volume plugin protocol on the socket (volume_api; its own tests cover the rest) ----
vol() { curl -s --unix-socket "$SOCK_DIR/nvidia-docker.sock" -H 'Accept: application/vnd.docker.plugins.v1.2+json' -X POST "http://plugin/$1" -d "${2:-}"; }
t_eq "Plugin.Activate on the socket" '{"Implements":["VolumeDriver"]}' "$(vol Plugin.Activate)"
t_eq "VolumeDriver.Capabilities" '{"Capabilities":{"Scope":"local"}}' "$(vol VolumeDriver.Capabilities '{}')"
t_eq "VolumeDriver.Get of a bad name" '{"Volume":null,"Err":"bad volume format: foo"}' "$(vol VolumeDriver.Get '{"Name":"foo"}')"
t_match "log: activate lines" "Received activate request.*Plugins activated \[VolumeDriver\]" "$(tr '\n' ' ' <"$T_TMP/main.log")"

# ---- second instance ----
timeout -k 2 20 "$PLUGIN" -l "127.0.0.1:$(free_port)" -s "$SOCK_DIR" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/second.log"; rc=$?
t_eq "second instance on the same socket exits 1" 1 $rc
t_match "second instance says why" "another nvidia-docker-plugin is already serving" "$(cat "$T_TMP/second.log")"
t_check "first instance's socket still there" test -S "$SOCK_DIR/nvidia-docker.sock"
timeout -k 2 20 "$PLUGIN" -l "127.0.0.1:$PORT" -s "$T_TMP/other" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/second.log"; rc=$?
t_eq "second instance on the same port exits 1" 1 $rc
t_match "port in use message" "listen tcp 127.0.0.1:$PORT: address already in use" "$(cat "$T_TMP/second.log")"
t_check "port clash leaves no socket behind" test ! -e "$T_TMP/other/nvidia-docker.sock"
get /gpu/info/json; t_eq "first instance still serves" 200 "$CODE"

# ---- clean stop ----
kill -TERM "$PID"; wait "$PID"; rc=$?
t_eq "SIGTERM → exit 0" 0 $rc
t_check "socket removed" test ! -e "$SOCK_DIR/nvidia-docker.sock"
t_match "log: Successfully terminated" "Successfully terminated" "$(tail -n 1 "$T_TMP/main.log")"
t_match "log format" "^$PLUGIN \| [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} Provisioning volumes at " "$(head -n 1 "$T_TMP/main.log")"
t_match "log: nvidia-uvm, then NVML" "Loading NVIDIA unified memory.*Loading NVIDIA management library.*Found 3 GPUs" "$(tr '\n' ' ' <"$T_TMP/main.log")"
t_match "log: serving lines" "Serving plugin API at $SOCK_DIR.*Serving remote API at 127.0.0.1:$PORT" "$(tr '\n' ' ' <"$T_TMP/main.log")"

# A stale socket file (nobody listening) is replaced; SIGINT stops too.
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('$T_TMP/stale/nvidia-docker.sock')" 2>/dev/null ||
  { mkdir -p "$T_TMP/stale"; python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('$T_TMP/stale/nvidia-docker.sock')"; }
start_plugin stale
t_check "stale socket replaced" curl -sf --unix-socket "$SOCK_DIR/nvidia-docker.sock" -X POST http://plugin/Plugin.Activate -o /dev/null
kill -INT "$PID"; wait "$PID"; t_eq "SIGINT → exit 0" 0 $?

# ---- start-up failures ----
fails() { # fails NAME REGEX ENV... : the plugin must exit 1 with a message matching REGEX
  local name=$1 re=$2; shift 2
  env "$@" "$PLUGIN" -l "127.0.0.1:$(free_port)" -s "$T_TMP/fail-$name" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/fail.log" </dev/null; local rc=$?
  t_eq "$name: exit 1" 1 $rc
  t_match "$name: message" "$re" "$(cat "$T_TMP/fail.log")"
  t_check "$name: no socket left" test ! -e "$T_TMP/fail-$name/nvidia-docker.sock"
}
mkdir -p "$T_TMP/empty"
fails no-nvml "Error: could not load NVML library: libnvidia-ml.so.1: cannot open shared object file" LD_LIBRARY_PATH="$T_TMP/empty"
echo '{"driver_version":"375.39","cuda_version":8000,"gpus":[]}' >"$T_TMP/zero.json"
fails zero-gpus "Error: no NVIDIA GPU found: NVML reports 0 devices" FAKE_NVML_CONFIG="$T_TMP/zero.json"
echo '{"init":"ERROR:9","driver_version":"375.39","gpus":[]}' >"$T_TMP/noinit.json"
fails driver-not-loaded "Error: could not initialise NVML \(nvmlInit_v2\): nvml: Driver Not Loaded" FAKE_NVML_CONFIG="$T_TMP/noinit.json"
mkdir -p "$T_TMP/nodev"; : >"$T_TMP/nodev/nvidiactl"
fails missing-node "Error: device node /dev/nvidia0 is missing" NVD_DEV_ROOT="$T_TMP/nodev"
python3 -c "
import json; c=json.load(open('$FAKE_NVML_CONFIG')); c['gpus'][1]['uuid']='NOT_SUPPORTED'; json.dump(c, open('$T_TMP/nouuid.json','w'))"
fails unsupported-gpu "unsupported GPU device #1: nvmlDeviceGetUUID is not supported" FAKE_NVML_CONFIG="$T_TMP/nouuid.json"
python3 -c "
import json; c=json.load(open('$FAKE_NVML_CONFIG')); c['gpus'][0]['name']='ERROR:999'; json.dump(c, open('$T_TMP/err.json','w'))"
fails nvml-error "nvmlDeviceGetName: nvml: Unknown Error" FAKE_NVML_CONFIG="$T_TMP/err.json"
"$PLUGIN" -l "example.com:3476" -s "$T_TMP/fail-dns" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/fail.log"; t_match "-l with a host name: no DNS" "not a literal IP address" "$(cat "$T_TMP/fail.log")"

# ---- listen addresses: ":PORT" is every interface (IPv4 and IPv6), "localhost" needs no DNS ----
port=$(free_port)
"$PLUGIN" -l ":$port" -s "$T_TMP/any" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/any.log" & any=$!
t_cleanup "kill $any"
wait_for "plugin on :$port" curl -sf "http://127.0.0.1:$port/gpu/info/json"
t_check "-l :PORT answers on 127.0.0.1" curl -sf -o /dev/null "http://127.0.0.1:$port/docker/cli"
if [ -e /proc/net/if_inet6 ]; then t_check "-l :PORT answers on ::1" curl -sf -o /dev/null "http://[::1]:$port/docker/cli"; fi
kill "$any"; wait "$any"
port=$(free_port)
"$PLUGIN" -l "localhost:$port" -s "$T_TMP/lh" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/lh.log" & lh=$!
t_cleanup "kill $lh"
wait_for "plugin on localhost:$port" curl -sf "http://127.0.0.1:$port/gpu/info/json"
t_check "-l localhost:PORT is 127.0.0.1" curl -sf -o /dev/null "http://127.0.0.1:$port/docker/cli"
kill "$lh"; wait "$lh"
"$PLUGIN" -l "127.0.0.1:99999" -s "$T_TMP/badport" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/fail.log"
t_match "-l with a bad port" "invalid listen address 127.0.0.1:99999: bad port" "$(cat "$T_TMP/fail.log")"

# ---- H200-like GPUs: per-field null rules, escaping ----
fake_gpu_env "$T_TMP/h200" "$NVD_ROOT/tests/fakes/gpus-h200.json" 0 3
# A fake nvidia-modprobe: fails unless $T_TMP/modprobe-ok exists, then creates the node.
mkdir -p "$T_TMP/bin"
cat >"$T_TMP/bin/nvidia-modprobe" <<SCRIPT
#!/bin/sh
[ "\$*" = "-u -c=0" ] || { echo "bad arguments: \$*"; exit 9; }
if [ -e "$T_TMP/modprobe-ok" ]; then : >"\$NVD_DEV_ROOT/nvidia-uvm"; exit 0; fi
echo "modprobe: FATAL: Module nvidia-uvm not found" >&2
exit 3
SCRIPT
chmod +x "$T_TMP/bin/nvidia-modprobe"
rm "$NVD_DEV_ROOT/nvidia-uvm"
PATH="$T_TMP/bin:$PATH" start_plugin h200
t_match "start-up: nvidia-modprobe failure is a warning" "Warning: nvidia-modprobe -u -c=0 failed with exit status 3: modprobe: FATAL: Module nvidia-uvm not found" "$(cat "$T_TMP/h200.log")"
get /docker/cli
t_eq "request: nvidia-modprobe's real status and output, not run again" "400|nvidia-modprobe -u -c=0 failed with exit status 3: modprobe: FATAL: Module nvidia-uvm not found; after fixing that, reload nvidia-docker-plugin (systemctl reload nvidia-docker-plugin) to try again"$'\n' "$CODE|$BODY"
: >"$T_TMP/modprobe-ok"
kill -HUP "$PID" # what `systemctl reload` does: nvidia-modprobe runs again when next needed
wait_for "reload" grep -q "Reload asked for" "$T_TMP/h200.log"
get /docker/cli/json?dev=0
t_eq "nvidia-modprobe creates the node, request succeeds" '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_580.159.04:/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia-uvm-tools","/dev/nvidia0"]}'$'\n' "$BODY"
get /gpu/info/json
t_eq "H200 inventory" '{"Version":{"Driver":"580.159.04","CUDA":"13.0"},"Devices":[{"UUID":"GPU-1a2b3c4d-0000-1111-2222-333344445555","Path":"/dev/nvidia0","Model":"NVIDIA H200","Power":700,"CPUAffinity":0,"PCI":{"BusID":"0000:00:06.0","BAR1":262144,"Bandwidth":0},"Clocks":{"Cores":1980,"Memory":3201},"Topology":[{"BusID":"0000:00:07.0","Link":6}],"Family":null,"Arch":"9.0","Cores":null,"Memory":{"ECC":true,"Global":143771,"Shared":228,"Constant":64,"L2Cache":61440,"Bandwidth":4916736}},{"UUID":"GPU-1a2b9999-0000-1111-2222-333344445555","Path":"/dev/nvidia3","Model":"NVIDIA H200 \u003ctest\u0026escape\u003e","Power":700,"CPUAffinity":0,"PCI":{"BusID":"0000:00:07.0","BAR1":null,"Bandwidth":null},"Clocks":{"Cores":null,"Memory":3201},"Topology":[{"BusID":"0000:00:06.0","Link":6}],"Family":null,"Arch":"9.0","Cores":null,"Memory":{"ECC":true,"Global":143771,"Shared":228,"Constant":64,"L2Cache":61440,"Bandwidth":4916736}}]}'$'\n' "$BODY"
get /gpu/status/json
t_eq "H200 status: each query on its own" '{"Devices":[{"Power":75,"Temperature":29,"Utilization":{"GPU":0,"Memory":0,"Encoder":0,"Decoder":0},"Memory":{"GlobalUsed":0,"ECCErrors":{"L1Cache":null,"L2Cache":null,"Global":0}},"Clocks":{"Cores":345,"Memory":3201},"PCI":{"BAR1Used":1,"Throughput":{"RX":1,"TX":2}},"Processes":null},{"Power":null,"Temperature":null,"Utilization":{"GPU":null,"Memory":null,"Encoder":null,"Decoder":0},"Memory":{"GlobalUsed":null,"ECCErrors":{"L1Cache":0,"L2Cache":null,"Global":null}},"Clocks":{"Cores":null,"Memory":3201},"PCI":{"BAR1Used":null,"Throughput":{"RX":null,"TX":5}},"Processes":[{"PID":4242,"Name":"bad\ufffdname\u0001\u2028","MemoryUsed":null}]}]}'$'\n' "$BODY"
get /gpu/info
[[ "$BODY" == *$'  Family:        N/A\n  Arch:          9.0\n  Cores:         N/A\n'* ]] && t_ok "H200 text: Family/Cores N/A" || t_fail "H200 text: Family/Cores N/A"
[[ "$BODY" == *$'    Bandwidth:  0 MB/s\n'* ]] && t_ok "H200 text: PCIe gen5 bandwidth 0" || t_fail "H200 text: bandwidth 0"
[[ "$BODY" == *$'  P2P Available\n    0000:00:07.0 - Same board\n'* ]] && t_ok "H200 text: peer link" || t_fail "H200 text: peer link"
get /gpu/status
[[ "$BODY" == *$'  Power:        N/A\n  Temperature:  N/A\n'* ]] && t_ok "H200 status text nulls" || t_fail "H200 status text nulls"
[[ "$BODY" == *$'      Memory:  N/A\n'* ]] && t_ok "process memory not available → N/A" || t_fail "process memory N/A"
get '/docker/cli?dev=GPU-1a2b'
t_eq "ambiguous UUID prefix" "400|invalid device: GPU-1a2b (ambiguous: GPU-1a2b3c4d-0000-1111-2222-333344445555, GPU-1a2b9999-0000-1111-2222-333344445555)"$'\n' "$CODE|$BODY"
get '/docker/cli?dev=1+GPU-1a2b3'
t_eq "minor ≠ index" '--volume-driver=nvidia-docker --volume=nvidia_driver_580.159.04:/usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia3 --device=/dev/nvidia0' "$BODY"
kill -TERM "$PID"; wait "$PID"
t_finish
