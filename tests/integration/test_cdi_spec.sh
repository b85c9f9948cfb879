#!/bin/bash
# The CDI spec of nvidia-docker-plugin (docs/cdi.md), without an engine: the real daemon (FAKE
# NVML, FAKE driver root, simulated nodes under a scratch dev root) writes
# <-cdi>/nvidia-docker.json; it validates against the CDI project's own JSON schema (Debian's
# package, python3-jsonschema), names only paths that exist, matches GET /v1.0/cdi/spec, keeps
# its driver files when Docker removes the driver volume, is removed when the plugin stops, and
# a second plugin that fails to start leaves the running one's spec alone, follows a driver
# upgrade and is withdrawn while the GPUs cannot be discovered. (Real podman using it:
# test_podman_cdi.sh.)
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
CHECK=$NVD_ROOT/tests/lib/cdi_schema_check.py
[ -x "$PLUGIN" ] && [ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "build first (make check)"
[ "$(id -u)" = 0 ] || t_skip_all "simulated device nodes need root (mknod)"

VERSION=580.159.04 # tests/fakes/gpus-h200.json
fake_gpu_env "$T_TMP" "$NVD_ROOT/tests/fakes/gpus-h200.json" 0 3
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root" "$VERSION" >/dev/null 2>&1 ||
  { t_fail "fake driver root made"; t_finish; }
SPECS=$T_TMP/cdi
SPEC=$SPECS/nvidia-docker.json
VOLS=$T_TMP/volumes

start() { # start SOCKDIR [FLAG...]: the plugin on a free port ($PORT, $PID)
  local sock=$1; shift
  PORT=$(free_port)
  PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin \
    "$PLUGIN" -l "127.0.0.1:$PORT" -s "$sock" -d "$VOLS" -r "$T_TMP/root" "$@" 2>>"$T_TMP/plugin.log" &
  PID=$!
  t_cleanup "kill $PID"
  wait_for "plugin REST" curl -sf "http://127.0.0.1:$PORT/v1.0/gpu/info/json"
}
# Every hostPath of a spec exists on this host.
host_paths_exist() {
  local missing
  missing=$(jq -r '[.. | objects | .hostPath? // empty] | .[]' "$1" | while read -r p; do [ -e "$p" ] || echo "$p"; done)
  [ -z "$missing" ] || { echo "       missing: $missing"; return 1; }
}

# A leftover spec of an earlier run: replaced.
mkdir -p "$SPECS" && echo '{"cdiVersion":"0.5.0","kind":"nvidia.com/gpu","devices":[]}' >"$SPEC"
start "$T_TMP/sock" -cdi "$SPECS" || { t_fail "plugin started"; cat "$T_TMP/plugin.log"; t_finish; }
wait_for "the CDI spec" grep -q '"name": "none"' "$SPEC" || t_fail "spec written"
t_match "log: spec written" "CDI spec $SPECS/nvidia-docker.json written" "$(cat "$T_TMP/plugin.log")"

# Checked by others' code: the CDI schema (and the check itself rejects a broken spec).
out=$(/usr/bin/python3 "$CHECK" "$SPEC" 2>&1)
t_eq "spec validates against the CDI JSON schema" "$SPEC: valid" "$out"
jq '.devices[0].containerEdits.deviceNodes[0] |= del(.path)' "$SPEC" >"$T_TMP/broken.json"
jq '.devices[1].containerEdits.deviceNodes[0].major = "195"' "$SPEC" >"$T_TMP/broken2.json"
out=$(/usr/bin/python3 "$CHECK" "$T_TMP/broken.json" "$T_TMP/broken2.json" 2>&1)
t_match "control: the schema check rejects a node without path and a string major" \
  "broken.json: INVALID: 'path' is a required property.*broken2.json: INVALID: '195' is not of type 'integer'" "$(echo $out)"

# Contents.
t_eq "kind and version" "nvidia.com/gpu 0.5.0" "$(jq -r '"\(.kind) \(.cdiVersion)"' "$SPEC")"
uuid0=$(curl -s "http://127.0.0.1:$PORT/v1.0/gpu/info/json" | jq -r '.Devices[0].UUID')
uuid1=$(curl -s "http://127.0.0.1:$PORT/v1.0/gpu/info/json" | jq -r '.Devices[1].UUID')
t_eq "devices: index and UUID per GPU, then all, none" "0 $uuid0 1 $uuid1 all none" "$(jq -r '[.devices[].name] | join(" ")' "$SPEC")"
t_eq "device 1: the control nodes and /dev/nvidia3 (its minor)" \
  "/dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools /dev/nvidia3" \
  "$(jq -r '[.devices[] | select(.name == "1") | .containerEdits.deviceNodes[].path] | join(" ")' "$SPEC")"
t_eq "device nodes: host path under the scratch dev root, type, numbers, permissions" \
  "$T_TMP/dev/nvidia3 c 195 3 rw" \
  "$(jq -r '.devices[] | select(.name == "1") | .containerEdits.deviceNodes[3] | "\(.hostPath) \(.type) \(.major) \(.minor) \(.permissions)"' "$SPEC")"
t_eq "all: every node once" "/dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools /dev/nvidia0 /dev/nvidia3" \
  "$(jq -r '[.devices[] | select(.name == "all") | .containerEdits.deviceNodes[].path] | join(" ")' "$SPEC")"
t_eq "none: control nodes only" "/dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools" \
  "$(jq -r '[.devices[] | select(.name == "none") | .containerEdits.deviceNodes[].path] | join(" ")' "$SPEC")"
TREE=$VOLS/cdi/nvidia_driver/$VERSION
t_eq "driver files: the spec's own tree, read-only at /usr/local/nvidia" \
  "$TREE /usr/local/nvidia ro,nosuid,nodev,rbind" \
  "$(jq -r '.containerEdits.mounts[] | "\(.hostPath) \(.containerPath) \(.options | join(","))"' "$SPEC")"
t_eq "env: NVIDIA_VISIBLE_DEVICES=void" "NVIDIA_VISIBLE_DEVICES=void" "$(jq -r '.containerEdits.env | join(" ")' "$SPEC")"
t_check "every hostPath exists" host_paths_exist "$SPEC"
t_eq "the tree has the driver volume's layout" \
  "$(cd "$VOLS/nvidia_driver/$VERSION" && find . | sort)" "$(cd "$TREE" && find . | sort)"
t_check "nvidia-smi in the tree" test -x "$TREE/bin/nvidia-smi"

# REST: the same text, under /v1.0/ only.
t_eq "GET /v1.0/cdi/spec is the file" "$(cat "$SPEC")" "$(curl -s "http://127.0.0.1:$PORT/v1.0/cdi/spec")"
t_eq "GET /v1.0/cdi/spec.json too" "$(cat "$SPEC")" "$(curl -s "http://127.0.0.1:$PORT/v1.0/cdi/spec.json")"
t_eq "content type" "application/json" "$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$PORT/v1.0/cdi/spec")"
t_eq "no /cdi/spec without /v1.0" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/cdi/spec")"

# Docker removes the driver volume: the spec's files stay.
out=$(curl -s --unix-socket "$T_TMP/sock/nvidia-docker.sock" -X POST http://plugin/VolumeDriver.Remove \
  -d "{\"Name\":\"nvidia_driver_$VERSION\"}")
t_eq "VolumeDriver.Remove of the driver volume" '{"Err":null}' "$out"
t_check "the volume is gone" test ! -e "$VOLS/nvidia_driver/$VERSION"
t_check "every hostPath of the spec still exists" host_paths_exist "$SPEC"

# A second plugin that cannot start (same socket) leaves the spec alone.
PORT2=$(free_port)
timeout -k 2 20 "$PLUGIN" -l "127.0.0.1:$PORT2" -s "$T_TMP/sock" -d "$VOLS" -r "$T_TMP/root" -cdi "$SPECS" \
  2>"$T_TMP/second.log"
t_eq "second plugin on the same socket exits 1" 1 $?
t_check "the running plugin's spec is still there" test -s "$SPEC"

# Stop: no spec (a stopped plugin keeps nothing current); the tree stays for running containers.
kill "$PID"; wait "$PID"
t_check "stopped plugin: spec removed" test ! -e "$SPEC"
t_check "stopped plugin: its tree kept" test -x "$TREE/bin/nvidia-smi"
t_check "no temporary file left" test -z "$(ls -A "$SPECS")"

# -cdi= : no spec at all (no file, no driver tree), and the REST route says why.
VOLS=$T_TMP/volumes-off
start "$T_TMP/sock" -cdi= || t_fail "plugin started with -cdi="
wait_for "the driver volume" test -d "$VOLS/nvidia_driver/$VERSION"
t_eq "-cdi=: GET /v1.0/cdi/spec is 503" 503 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1.0/cdi/spec")"
t_eq "-cdi=: its one line says why" "this plugin publishes no CDI spec (started with -cdi=)" \
  "$(curl -s "http://127.0.0.1:$PORT/v1.0/cdi/spec")"
t_check "-cdi=: no file" test ! -e "$SPEC"
t_check "-cdi=: no driver tree for it" test ! -e "$VOLS/cdi"
t_match "-cdi=: log says so" "CDI spec: none \(-cdi=\)" "$(cat "$T_TMP/plugin.log")"
kill "$PID"; wait "$PID"
VOLS=$T_TMP/volumes

# The spec follows the driver: an upgrade under the running plugin (the fake driver's NVML
# answer, files and kernel-module file switched; the next request notices), then a driver that
# went away (a rediscovery that fails: the spec is withdrawn), then back.
B=590.4.5
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root-$B" "$B" >/dev/null 2>&1 ||
  { t_fail "fake driver root $B made"; t_finish; }
switch() { # switch VERSION ROOT
  jq --arg v "$1" '.driver_version = $v' "$NVD_ROOT/tests/fakes/gpus-h200.json" >"$T_TMP/driver.json.new" &&
    mv "$T_TMP/driver.json.new" "$T_TMP/driver.json"
  ln -sfn "$2" "$T_TMP/uroot"
  echo "NVRM version: NVIDIA UNIX x86_64 Kernel Module  $1  Release Build  (FAKE)" >"$T_TMP/proc/driver/nvidia/version.new"
  mv "$T_TMP/proc/driver/nvidia/version.new" "$T_TMP/proc/driver/nvidia/version"
}
mkdir -p "$T_TMP/proc/driver/nvidia"
switch "$VERSION" "$T_TMP/root"
VOLS=$T_TMP/volumes-up
: >"$T_TMP/plugin.log"
PORT=$(free_port)
FAKE_NVML_CONFIG=$T_TMP/driver.json PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin \
  "$PLUGIN" -l "127.0.0.1:$PORT" -s "$T_TMP/sock" -d "$VOLS" -r "$T_TMP/uroot" -cdi "$SPECS" 2>>"$T_TMP/plugin.log" &
PID=$!
t_cleanup "kill $PID"
mount_of() { jq -r '.containerEdits.mounts[0].hostPath' "$SPEC" 2>/dev/null; }
spec_of() { test "$(mount_of)" = "$VOLS/cdi/nvidia_driver/$1"; } # (evaluated at each try)
wait_for "the spec of driver $VERSION" spec_of "$VERSION" ||
  { t_fail "spec of the first driver"; cat "$T_TMP/plugin.log"; }
switch "$B" "$T_TMP/root-$B"
curl -s -o /dev/null "http://127.0.0.1:$PORT/v1.0/gpu/info/json" # the next request notices
wait_for "the spec of driver $B" spec_of "$B"
t_eq "driver upgrade: the spec names the new driver's tree" "$VOLS/cdi/nvidia_driver/$B" "$(mount_of)"
t_match "... after the plugin saw the change" "Driver changed from $VERSION to $B" "$(cat "$T_TMP/plugin.log")"
t_check "... the new tree has the new driver's files" test -e "$VOLS/cdi/nvidia_driver/$B/lib64/libcuda.so.$B"
t_check "... every hostPath exists" host_paths_exist "$SPEC"
t_eq "... it validates" "$SPEC: valid" "$(/usr/bin/python3 "$CHECK" "$SPEC" 2>&1)"
t_eq "... GET /v1.0/cdi/spec is the new file" "$(cat "$SPEC")" "$(curl -s "http://127.0.0.1:$PORT/v1.0/cdi/spec")"
t_check "... the old driver's tree is kept (containers started before may use it)" \
  test -d "$VOLS/cdi/nvidia_driver/$VERSION"
mv "$T_TMP/dev/nvidia3" "$T_TMP/nvidia3.away" # the next discovery fails: a GPU's node is missing
kill -HUP "$PID"
wait_for "the spec withdrawn" test ! -e "$SPEC"
t_check "a failed rediscovery: no spec" test ! -e "$SPEC"
t_match "... the plugin said why" "Cannot discover the GPUs again" "$(cat "$T_TMP/plugin.log")"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$PORT/v1.0/cdi/spec")
t_match "... GET /v1.0/cdi/spec is 503" " 503\$" "$out"
mv "$T_TMP/nvidia3.away" "$T_TMP/dev/nvidia3"
kill -HUP "$PID"
wait_for "the spec back" test -s "$SPEC"
t_eq "the node back, SIGHUP: the spec is back" "$VOLS/cdi/nvidia_driver/$B" "$(mount_of)"
kill "$PID"; wait "$PID"
t_check "stopped: spec removed" test ! -e "$SPEC"
VOLS=$T_TMP/volumes

# Stopped while an NVML call hangs (the plugin leaves its NVML thread behind): no spec either.
jq '.sleep = {"nvmlDeviceGetTemperature": 30}' "$NVD_ROOT/tests/fakes/gpus-h200.json" >"$T_TMP/hung.json"
FAKE_NVML_CONFIG=$T_TMP/hung.json start "$T_TMP/sock" -cdi "$SPECS" || t_fail "plugin started (hung status)"
wait_for "the spec" test -s "$SPEC"
curl -s -m 3 -o /dev/null "http://127.0.0.1:$PORT/gpu/status/json" # NVML hangs in it
kill "$PID"; wait "$PID"
t_check "stopped with NVML hung: spec removed" test ! -e "$SPEC"

# A relative directory is refused at start.
"$PLUGIN" -l "127.0.0.1:$(free_port)" -s "$T_TMP/sock3" -d "$VOLS" -r "$T_TMP/root" -cdi run/cdi 2>"$T_TMP/rel.log"
t_eq "-cdi relative: exit 1" 1 $?
t_match "-cdi relative: says why" "CDI spec directory must be an absolute path" "$(cat "$T_TMP/rel.log")"

t_finish
