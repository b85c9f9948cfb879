#!/bin/bash
# Docker volume plugin end to end: the real engine, nvidia-docker-plugin (fake NVML, FAKE
# driver root from tests/fakes/make-driver-root.sh via -r) on /run/docker/plugins.
# The socket path is machine-global: the whole test runs under /tmp/nvd-plugin-socket.lock.
. "$(dirname "$0")/../lib/common.sh"

VERSION=580.159.04 # the fake NVML's driver (tests/fakes/gpus-h200.json)
OLD=375.39
VOL=nvidia_driver_$VERSION
IMAGE=nvd-volume-busybox
SOCK_DIR=/run/docker/plugins
SOCK=$SOCK_DIR/nvidia-docker.sock
H='Accept: application/vnd.docker.plugins.v1.2+json'

command -v docker >/dev/null || t_skip_all "docker not installed"
start_dockerd || t_skip_all "no Docker engine"
command -v curl >/dev/null || t_skip_all "curl not installed"

t_lock plugin-socket

root=$T_TMP/driver
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$root" "$VERSION" || { t_fail "fake driver root"; t_finish; }
mkdir -p "$T_TMP/dev" "$SOCK_DIR"
for n in nvidia0 nvidia3 nvidiactl nvidia-uvm; do : >"$T_TMP/dev/$n"; done

PID=
LOG=
# start_plugin VOLUME_DIR LOG [FLAG...]: the real daemon (fake NVML, fake driver root).
start_plugin() {
  local vols=$1; LOG=$2; shift 2
  rm -f "$SOCK"
  LD_LIBRARY_PATH=$NVD_BUILD/fakes FAKE_NVML_CONFIG=$NVD_ROOT/tests/fakes/gpus-h200.json \
    NVD_DEV_ROOT=$T_TMP/dev PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin \
    "$NVD_BIN/nvidia-docker-plugin" -s "$SOCK_DIR" -l "127.0.0.1:$(free_port)" -d "$vols" \
    -r "$root" -cdi= "$@" 2>"$LOG" &
  PID=$!
  wait_for "plugin socket" test -S "$SOCK" || return 1
}
post() { # post CALL JSON: the reply body
  curl -s --unix-socket "$SOCK" -H "$H" -d "$2" "http://plugin/VolumeDriver.$1"
}
cleanup_docker() {
  docker ps -aq --filter "name=nvd-volume-" | xargs -r docker rm -f >/dev/null 2>&1
  docker volume rm -f "$VOL" "nvidia_driver_$OLD" >/dev/null 2>&1
}
# Last of all: whatever is still mounted below T_TMP (bind mounts of an interrupted run).
t_cleanup stop_plugin
t_cleanup cleanup_docker
t_cleanup 'umount "$T_TMP/tmpfs" 2>/dev/null'
t_cleanup 'umount "$T_TMP/gpu-host-ro" 2>/dev/null'
t_cleanup 'umount "$T_TMP/bigfs" 2>/dev/null'
cleanup_docker # leftovers of an interrupted run

vols=$T_TMP/volumes
start_plugin "$vols" "$T_TMP/plugin.log" || { t_fail "plugin did not start"; cat "$LOG"; t_finish; }

t_eq "Activate over the socket" '{"Implements":["VolumeDriver"]}' \
  "$(curl -s --unix-socket "$SOCK" -H "$H" -X POST http://plugin/Plugin.Activate)"

# Eager provisioning: the daemon builds the running driver's volume once its servers are up.
wait_for "eager build" grep -q "Driver volume $VOL ready (built in [0-9]* ms)" "$LOG"
t_match "eager build logged with its duration" "Driver volume $VOL ready \(built in [0-9]+ ms\)" "$(cat "$LOG")"
t_check "eager build made the volume" test -L "$vols/nvidia_driver/$VERSION/lib64/libcuda.so.1"
# docker volume create finds (or would build) the volume.
out=$(docker volume create -d nvidia-docker "$VOL" 2>&1)
t_eq "docker volume create -d nvidia-docker $VOL" "$VOL" "$out"
t_eq "volume built with the soname link" "libcuda.so.$VERSION" \
  "$(readlink "$vols/nvidia_driver/$VERSION/lib64/libcuda.so.1")"

# A container sees the driver at /usr/local/nvidia, read-only.
make_image "$IMAGE"
MOUNT="type=volume,source=$VOL,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker"
out=$(docker run --rm --network none --name nvd-volume-run --mount "$MOUNT" "$IMAGE" \
  sh -c 'readlink /usr/local/nvidia/lib64/libcuda.so.1; ls /usr/local/nvidia/bin; ls /usr/local/nvidia/lib/libcuda.so.1' 2>&1)
t_match "container sees lib64/libcuda.so.1 -> libcuda.so.$VERSION" "^libcuda\.so\.$VERSION" "$out"
t_match "container sees bin/nvidia-smi" "nvidia-smi" "$out"
t_match "container sees the 32-bit lib/libcuda.so.1" "/usr/local/nvidia/lib/libcuda.so.1" "$out"
out=$(docker run --rm --network none --name nvd-volume-smi --mount "$MOUNT" "$IMAGE" /usr/local/nvidia/bin/nvidia-smi -L 2>&1)
t_match "the fake nvidia-smi runs in the container" "FAKE NVIDIA GPU" "$out"
out=$(docker run --rm --network none --name nvd-volume-ro --mount "$MOUNT" "$IMAGE" sh -c 'echo x > /usr/local/nvidia/x' 2>&1)
t_match "the volume is read-only in the container" "Read-only file system" "$out"

# docker volume ls / inspect
t_match "docker volume ls lists it with driver nvidia-docker" "nvidia-docker +$VOL" \
  "$(docker volume ls 2>&1)"
t_eq "docker volume inspect: Mountpoint" "$vols/nvidia_driver/$VERSION" \
  "$(docker volume inspect -f '{{.Mountpoint}}' "$VOL" 2>&1)"
t_eq "docker volume inspect: Driver" "nvidia-docker" "$(docker volume inspect -f '{{.Driver}}' "$VOL" 2>&1)"

# Hostile names straight to the socket: refused, nothing touched.
touch "$vols/canary"
for name in 'nvidia_driver_..' 'nvidia_driver_.' 'nvidia_driver_../..' 'nvidia_driver_1/../../..' 'nvidia_driver_'; do
  for call in Create Remove Unmount; do
    t_eq "$call '$name' refused" "{\"Err\":\"bad volume format: $name\"}" "$(post $call "{\"Name\":\"$name\"}")"
  done
  t_eq "Mount '$name' refused" "{\"Mountpoint\":null,\"Err\":\"bad volume format: $name\"}" \
    "$(post Mount "{\"Name\":\"$name\"}")"
  t_eq "Get '$name' refused" "{\"Volume\":null,\"Err\":\"bad volume format: $name\"}" \
    "$(post Get "{\"Name\":\"$name\"}")"
done
t_check "volume root intact after hostile Removes" test -e "$vols/canary" -a -d "$vols/nvidia_driver/$VERSION/lib64"
out=$(docker volume create -d nvidia-docker 'nvidia_driver_..' 2>&1)
t_match "docker volume create nvidia_driver_.. fails" "bad volume format" "$out"
t_eq "malformed JSON is a 500" "500" \
  "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -H "$H" -d '{' http://plugin/VolumeDriver.Create)"

# docker volume rm deletes the directory.
t_eq "docker volume rm" "$VOL" "$(docker volume rm "$VOL" 2>&1)"
t_check "volume directory removed" test ! -e "$vols/nvidia_driver/$VERSION"
t_check "docker volume ls no longer lists it" bash -c "! docker volume ls -q | grep -qx '$VOL'"

# Concurrent Creates build once.
before=$(grep -c "Provisioned volume" "$LOG")
for i in 1 2 3 4 5 6 7 8; do
  post Create "{\"Name\":\"$VOL\"}" >"$T_TMP/create.$i" &
done
wait_jobs=$(jobs -p | grep -vx "$PID")
for j in $wait_jobs; do wait "$j"; done
after=$(grep -c "Provisioned volume" "$LOG")
t_eq "8 concurrent Creates: one build" 1 $((after - before))
t_eq "8 concurrent Creates: all succeed" 8 "$(cat "$T_TMP"/create.* | grep -c '^{"Err":null}$')"
t_check "no temporary directory left" bash -c "! ls -A '$vols/nvidia_driver' | grep -q '^\.tmp-'"

# A container created before a driver upgrade: its volume names the old version.
out=$(docker volume create -d nvidia-docker "nvidia_driver_$OLD" 2>&1)
t_eq "create of the old version accepted" "nvidia_driver_$OLD" "$out"
MOUNT_OLD="type=volume,source=nvidia_driver_$OLD,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker"
out=$(docker run --rm --network none --name nvd-volume-old --mount "$MOUNT_OLD" "$IMAGE" readlink /usr/local/nvidia/lib64/libcuda.so.1 2>&1)
t_eq "old-version volume serves the current driver" "libcuda.so.$VERSION" "$out"
t_match "the plugin logged the mapping" "Serving volume 'nvidia_driver_$OLD' with the running driver's volume" "$(cat "$LOG")"
t_check "no directory for the old version" test ! -e "$vols/nvidia_driver/$OLD"
t_match "newer version refused" "invalid volume version" "$(post Create '{"Name":"nvidia_driver_999.1"}')"
# While a container of the old name runs, the shared current volume cannot be removed.
docker run -d --network none --name nvd-volume-sleeper --mount "$MOUNT_OLD" "$IMAGE" sleep 120 >/dev/null 2>&1
docker volume create -d nvidia-docker "$VOL" >/dev/null 2>&1
t_match "rm of the current volume refused while an old-name container runs" "is in use by 1 mount" \
  "$(docker volume rm "$VOL" 2>&1)"
t_check "current volume kept" test -d "$vols/nvidia_driver/$VERSION/lib64"
docker rm -f nvd-volume-sleeper >/dev/null 2>&1
t_eq "rm works after the container stopped (Unmount)" "$VOL" "$(docker volume rm "$VOL" 2>&1)"
docker volume rm "nvidia_driver_$OLD" >/dev/null 2>&1
docker volume rm "$VOL" >/dev/null 2>&1
stop_plugin

# mounts_under DIR: how many mount points the machine has below DIR.
mounts_under() { awk -v d="$1/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l; }

# Volume root on another file system (tmpfs) than the driver root, with -c: copies, not links.
mkdir -p "$T_TMP/tmpfs"
if mount -t tmpfs -o size=64m nvd-volume-tmpfs "$T_TMP/tmpfs" 2>/dev/null; then
  tvols=$T_TMP/tmpfs/volumes
  start_plugin "$tvols" "$T_TMP/plugin2.log" -c || t_fail "plugin restart"
  t_eq "create with -d on tmpfs" "$VOL" "$(docker volume create -d nvidia-docker "$VOL" 2>&1)"
  f=$tvols/nvidia_driver/$VERSION/lib64/libcuda.so.$VERSION
  t_eq "libcuda copied (one link, own inode)" "1" "$(stat -c %h "$f" 2>&1)"
  t_check "copy has the same contents" cmp -s "$f" "$root/usr/lib/x86_64-linux-gnu/libcuda.so.$VERSION"
  t_eq "copy keeps the mode" "$(stat -c %a "$root/usr/bin/nvidia-smi")" \
    "$(stat -c %a "$tvols/nvidia_driver/$VERSION/bin/nvidia-smi" 2>&1)"
  out=$(docker run --rm --network none --name nvd-volume-xdev --mount "$MOUNT" "$IMAGE" \
    sh -c 'readlink /usr/local/nvidia/lib64/libcuda.so.1 && /usr/local/nvidia/bin/nvidia-smi -L' 2>&1)
  t_match "container uses the copied volume" "^libcuda\.so\.$VERSION.*FAKE NVIDIA GPU" "$(echo $out)"
  t_eq "-c: no bind mounts" 0 "$(mounts_under "$tvols")"
  docker volume rm "$VOL" >/dev/null 2>&1
  stop_plugin
  # Without -c (the default, as root): the driver's own files, bind-mounted read-only.
  rm -rf "$tvols"
  start_plugin "$tvols" "$T_TMP/plugin2b.log" || t_fail "plugin restart (binds)"
  t_eq "binds: create" "$VOL" "$(docker volume create -d nvidia-docker "$VOL" 2>&1)"
  f=$tvols/nvidia_driver/$VERSION/lib64/libcuda.so.$VERSION
  src=$root/usr/lib/x86_64-linux-gnu/libcuda.so.$VERSION
  t_eq "binds: libcuda is the driver's own file (device:inode)" "$(stat -c %d:%i "$src")" "$(stat -c %d:%i "$f" 2>&1)"
  t_match "binds: one read-only bind mount per file" "^[1-9][0-9]*$" "$(mounts_under "$tvols")"
  t_check "binds: writes through the volume refused" bash -c "! echo x 2>/dev/null >> '$f'"
  t_match "binds: the build line counts them" "0 hard-linked, [1-9][0-9]* bind-mounted read-only, 0 copied" "$(cat "$LOG")"
  out=$(docker run --rm --network none --name nvd-volume-bind --mount "$MOUNT" "$IMAGE" \
    sh -c 'readlink /usr/local/nvidia/lib64/libcuda.so.1 && test -s /usr/local/nvidia/lib64/libcuda.so.'"$VERSION"' && /usr/local/nvidia/bin/nvidia-smi -L' 2>&1)
  t_match "binds: the container sees the driver's files" "^libcuda\.so\.$VERSION.*FAKE NVIDIA GPU" "$(echo $out)"
  # A restart of the plugin keeps the live volume; Remove unmounts every file, then deletes.
  stop_plugin
  start_plugin "$tvols" "$T_TMP/plugin2c.log" || t_fail "plugin restart (binds kept)"
  t_eq "binds: kept across a plugin restart" "$(stat -c %d:%i "$src")" "$(stat -c %d:%i "$f" 2>&1)"
  t_eq "binds: docker volume rm" "$VOL" "$(docker volume rm "$VOL" 2>&1)"
  t_eq "binds: Remove leaves no mount behind" 0 "$(mounts_under "$tvols")"
  t_check "binds: Remove deletes the volume" test ! -e "$tvols/nvidia_driver/$VERSION"
  stop_plugin
  umount "$T_TMP/tmpfs"
else
  echo "# (no tmpfs mount possible: cross-filesystem case covered by test_volume_store)"
fi
# A larger driver root (FAKE_BIG: 176 MiB of libraries) copied to a tmpfs: the eager build takes
# long enough for Creates to arrive during it and for SIGTERM to interrupt it.
big=$T_TMP/big
FAKE_BIG=1 bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$big" "$VERSION" >/dev/null
mkdir -p "$T_TMP/bigfs"
if mount -t tmpfs -o size=512m nvd-volume-bigfs "$T_TMP/bigfs" 2>/dev/null; then
  small_root=$root
  root=$big
  bvols=$T_TMP/bigfs/volumes
  # 8 Creates as soon as the socket answers: they wait for the eager build; one build in all.
  start_plugin "$bvols" "$T_TMP/plugin-big1.log" -c || t_fail "plugin restart (big root)"
  for i in 1 2 3 4 5 6 7 8; do
    post Create "{\"Name\":\"$VOL\"}" >"$T_TMP/bigcreate.$i" &
  done
  wait_jobs=$(jobs -p | grep -vx "$PID")
  for j in $wait_jobs; do wait "$j"; done
  wait_for "eager build line" grep -q "Driver volume $VOL \(ready\|not provisioned\)" "$LOG"
  eager=$(grep -c "Driver volume $VOL ready (built in" "$LOG")
  lazy=$(grep -c "Provisioned volume" "$LOG")
  echo "# big root: $(grep -o 'ready (built in [0-9]* ms)' "$LOG"); builds by Create: $lazy"
  t_eq "Creates during the eager build: exactly one build" 1 $((eager + lazy))
  t_eq "Creates during the eager build: all succeed" 8 "$(cat "$T_TMP"/bigcreate.* | grep -c '^{"Err":null}$')"
  t_check "big volume complete" cmp -s "$big/usr/lib/x86_64-linux-gnu/libcuda.so.$VERSION" \
    "$bvols/nvidia_driver/$VERSION/lib64/libcuda.so.$VERSION"
  stop_plugin
  # SIGTERM while the eager build copies: clean exit, no temporary directory left behind.
  rm -rf "$bvols"
  LOG=$T_TMP/plugin-big2.log
  LD_LIBRARY_PATH=$NVD_BUILD/fakes FAKE_NVML_CONFIG=$NVD_ROOT/tests/fakes/gpus-h200.json \
    NVD_DEV_ROOT=$T_TMP/dev PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin \
    "$NVD_BIN/nvidia-docker-plugin" -s "$SOCK_DIR" -l "127.0.0.1:$(free_port)" -d "$bvols" \
    -r "$root" -cdi= -c 2>"$LOG" &
  PID=$!
  # Signal as soon as the build's temporary directory exists (a tight loop of builtins).
  for ((n = 0; n < 2000000; n++)); do
    compgen -G "$bvols/nvidia_driver/.tmp-*" >/dev/null && break
    [ -e "$bvols/nvidia_driver/$VERSION" ] && break
    kill -0 "$PID" 2>/dev/null || break
  done
  kill -TERM "$PID"
  timeout 20 tail --pid="$PID" -f /dev/null
  wait "$PID"; rc=$?
  PID=
  rm -f "$SOCK"
  t_eq "SIGTERM during the eager build: exit status 0" 0 "$rc"
  t_match "SIGTERM during the eager build: terminated" "Successfully terminated" "$(cat "$LOG")"
  if grep -q "not provisioned at start-up.*the plugin is stopping" "$LOG"; then
    echo "# SIGTERM arrived during the build (interrupted)"
  else
    echo "# SIGTERM arrived after the build: $(grep -o 'Driver volume.*' "$LOG" | head -n 1)"
  fi
  t_check "SIGTERM during the eager build: no temporary directory left" \
    bash -c "! ls -A '$bvols/nvidia_driver' | grep -q '^\.tmp-'"
  t_check "SIGTERM during the eager build: no half volume" \
    bash -c "[ ! -e '$bvols/nvidia_driver/$VERSION' ] || cmp -s '$big/usr/lib/x86_64-linux-gnu/libcuda.so.$VERSION' '$bvols/nvidia_driver/$VERSION/lib64/libcuda.so.$VERSION'"
  root=$small_root
  umount "$T_TMP/bigfs"
else
  echo "# (no tmpfs mount possible: eager build under load covered by the unit tests)"
fi
rm -rf "$big"

# Shaped like a real GPU host (driver 580): the driver under /usr/local/nvidia with lib -> lib64,
# /lib duplicates in the new-format cache, on a read-only file system of its own (here a
# read-only bind mount: hard links fail with EXDEV, as from the host's squashfs).
groot=$T_TMP/gpu-host
FAKE_LAYOUT=gpu-host bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$groot" "$VERSION"
mkdir -p "$T_TMP/gpu-host-ro"
if mount --bind "$groot" "$T_TMP/gpu-host-ro" 2>/dev/null &&
   mount -o remount,bind,ro "$T_TMP/gpu-host-ro" 2>/dev/null; then
  root=$T_TMP/gpu-host-ro
  gvols=$T_TMP/gpu-volumes
  start_plugin "$gvols" "$T_TMP/plugin3.log" || t_fail "plugin restart"
  t_eq "GPU-host shape: create" "$VOL" "$(docker volume create -d nvidia-docker "$VOL" 2>&1)"
  g=$gvols/nvidia_driver/$VERSION
  t_eq "GPU-host shape: libcuda bind-mounted from the read-only mount" \
    "$(stat -c %d:%i "$root/usr/local/nvidia/lib64/libcuda.so.$VERSION")" "$(stat -c %d:%i "$g/lib64/libcuda.so.$VERSION" 2>&1)"
  t_eq "GPU-host shape: each library once despite /lib duplicates" "1" \
    "$(ls "$g/lib64" | grep -c "^libnvidia-ml.so.$VERSION\$")"
  t_eq "GPU-host shape: no 32-bit libraries" "" "$(ls -A "$g/lib" 2>&1)"
  t_eq "GPU-host shape: binaries from /usr/local/nvidia/bin" "nvidia-cuda-mps-control nvidia-debugdump nvidia-smi" \
    "$(ls "$g/bin" | tr '\n' ' ' | sed 's/ $//')"
  out=$(docker run --rm --network none --name nvd-volume-gpuhost --mount "$MOUNT" "$IMAGE" \
    sh -c 'readlink /usr/local/nvidia/lib64/libcuda.so.1 && /usr/local/nvidia/bin/nvidia-smi -L' 2>&1)
  t_match "GPU-host shape: container sees the driver" "^libcuda\.so\.$VERSION.*FAKE NVIDIA GPU" "$(echo $out)"
  t_eq "GPU-host shape: docker volume rm" "$VOL" "$(docker volume rm "$VOL" 2>&1)"
  t_eq "GPU-host shape: no mount left after Remove" 0 "$(mounts_under "$gvols")"
  [ "$(mounts_under "$gvols")" = 0 ] || { grep -E "Remove|remove|Error|Warn" "$LOG"; grep "$gvols" /proc/self/mountinfo | head -3; }
  stop_plugin
  umount "$T_TMP/gpu-host-ro"
else
  echo "# (no read-only bind mount possible: GPU-host shape covered by the unit tests)"
fi
t_check "socket removed at the end" test ! -e "$SOCK"
t_check "no sanitizer report in the plugin logs" \
  bash -c "! grep -lE 'Sanitizer|runtime error' '$T_TMP'/plugin*.log"
t_finish
