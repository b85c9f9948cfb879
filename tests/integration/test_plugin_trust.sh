#!/bin/bash
# The wrapper against a hostile plugin: a real HTTP server (Python's, on loopback) that answers
# /gpu/info/json truthfully and /docker/cli/json with devices and mounts other than NVIDIA's.
# Each must be refused with a clear message and docker (build/tools/recorder, and then the real
# docker CLI) never started; a well-formed answer from the same server passes, so the refusals
# are the allow-list's doing.
. "$(dirname "$0")/../lib/common.sh"

NVD=$NVD_BIN/nvidia-docker REC=$NVD_BUILD/tools/recorder
for x in "$NVD" "$REC"; do [ -x "$x" ] || t_skip_all "$x not built (make check builds it)"; done
start_dockerd || t_skip_all "no docker engine"
unset NV_GPU NV_DEBUG NV_HOST DOCKER_HOST DOCKER_CONTEXT NVIDIA_DISABLE_REQUIRE

IMG=nvd-trust-t$$-labelled
t_cleanup "docker rmi -f $IMG"
make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'

# answer NAME JSON: a plugin whose /docker/cli/json answer is JSON; sets PORT.
cat > "$T_TMP/plugin.py" <<'PY'
import http.server, json, os, sys
INFO = {"Version": {"Driver": "580.1", "CUDA": "13.0"},
        "Devices": [{"UUID": "GPU-7777", "Path": "/dev/nvidia0", "Model": "Hostile"}]}
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = (json.dumps(INFO) if "/gpu/info" in self.path else sys.argv[2]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
N=0
answer() {
  N=$((N + 1))
  python3 "$T_TMP/plugin.py" "$T_TMP/$N.port" "$2" >/dev/null 2>&1 &
  t_cleanup "kill $!"
  wait_for "plugin $1" test -s "$T_TMP/$N.port" || return 1
  PORT=$(cat "$T_TMP/$N.port")
}
# run_with PORT [docker...]: the wrapper, docker = the recorder unless given; RC, ERR, RECORD.
run_with() {
  local port=$1; shift
  rm -f "$T_TMP/rec"
  NV_DOCKER=${1:-$REC} NVD_RECORD="$T_TMP/rec" NV_HOST="http://127.0.0.1:$port" \
    "$NVD" run --rm --network none "$IMG" true </dev/null >/dev/null 2>"$T_TMP/err"
  RC=$?; ERR=$(cat "$T_TMP/err")
  RECORD=$([ -e "$T_TMP/rec" ] && tr '\n' ' ' <"$T_TMP/rec")
}
GOOD_VOL='"nvidia_driver_580.1:/usr/local/nvidia:ro"'
GOOD_DEV='"/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia0"'
ALLOWED='\(/dev/nvidia<N>, /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia-uvm-tools, /dev/nvidia-modeset, /dev/nvidia-caps/nvidia-cap<N>\)'

answer good '{"VolumeDriver":"nvidia-docker","Volumes":['"$GOOD_VOL"'],"Devices":['"$GOOD_DEV"',"/dev/nvidia-caps/nvidia-cap21"]}'
run_with "$PORT"
t_eq "well-formed answer from the same kind of server: docker runs" 0 "$RC"
t_match "well-formed answer: NVIDIA nodes and the driver volume, read-only" \
  "--device=/dev/nvidia0 --device=/dev/nvidia-caps/nvidia-cap21 --mount=type=volume,source=nvidia_driver_580.1,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker" "$RECORD"

# hostile NAME JSON EXPECTED-MESSAGE-REGEX
hostile() {
  answer "$1" "$2" || { t_fail "$1: plugin started"; return; }
  run_with "$PORT"
  t_eq "$1: exit 1, docker never started" "1:" "$RC:$RECORD"
  t_match "$1: the message names what was refused" "Error: bad answer from nvidia-docker-plugin at http://127.0.0.1:$PORT: $3" "$ERR"
  t_eq "$1: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
}
hostile "a disk and the root directory as devices" \
  '{"VolumeDriver":"nvidia-docker","Volumes":['"$GOOD_VOL"'],"Devices":["/dev/nvidiactl","/dev/sda","/"]}' \
  "Devices\\[1\\] '/dev/sda' is not an NVIDIA device node $ALLOWED"
hostile "a writable mount on /etc" \
  '{"VolumeDriver":"nvidia-docker","Volumes":["xx:/etc:rw"],"Devices":['"$GOOD_DEV"']}' \
  "Volumes\\[0\\] 'xx:/etc:rw' is not the driver volume \\(nvidia_driver_<version>:/usr/local/nvidia:ro\\)"
hostile "the driver volume, writable" \
  '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_580.1:/usr/local/nvidia:rw"],"Devices":[]}' \
  "Volumes\\[0\\] 'nvidia_driver_580.1:/usr/local/nvidia:rw' is not the driver volume"
hostile "the driver volume's name climbing out" \
  '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_../..:/usr/local/nvidia:ro"],"Devices":[]}' \
  "Volumes\\[0\\] 'nvidia_driver_../..:/usr/local/nvidia:ro' is not the driver volume"
hostile "another volume driver" \
  '{"VolumeDriver":"local","Volumes":['"$GOOD_VOL"'],"Devices":[]}' \
  "VolumeDriver 'local' is not nvidia-docker"
hostile "a device path climbing out of /dev/nvidia-caps" \
  '{"VolumeDriver":"nvidia-docker","Volumes":[],"Devices":["/dev/nvidia-caps/../sda"]}' \
  "Devices\\[0\\] '/dev/nvidia-caps/../sda' is not an NVIDIA device node"

# The same refusal with the real docker CLI as NV_DOCKER: no container is created.
answer real '{"VolumeDriver":"","Volumes":["nvd-trust-t'$$':/etc:rw"],"Devices":["/dev/full"]}'
run_with "$PORT" docker
t_eq "real docker: exit 1" 1 "$RC"
t_match "real docker: refused before docker" "Devices\\[0\\] '/dev/full' is not an NVIDIA device node|Volumes\\[0\\] 'nvd-trust-t$$:/etc:rw'" "$ERR"
t_eq "real docker: no volume of that name was created" "" "$(docker volume ls -q -f name=nvd-trust-t$$)"
t_cleanup "docker volume rm -f nvd-trust-t$$"

t_finish
