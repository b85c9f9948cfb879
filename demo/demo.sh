#!/bin/bash
# demo/demo.sh: the main job of nvidia-docker, shown end to end (run by `make demo`, after
# `make deps` and the build).
#
# With an NVIDIA GPU (nvidia-smi works, or libnvidia-ml.so.1 is in the ldconfig cache and
# /dev/nvidiactl exists): starts nvidia-docker-plugin and a Docker engine of its own, builds a
# small local image (busybox + this host's glibc) and runs `nvidia-docker run --rm IMAGE
# nvidia-smi -L`.
# Without one: says so, and does the same with the SIMULATED GPUs of the test suite (the fake
# libnvidia-ml.so.1 of build/fakes, a JSON description of GPUs, a fake driver root made by
# tests/fakes/make-driver-root.sh, and simulated device nodes). The container shows the device
# nodes and the driver volume it got.
# If no engine can be started, it shows the docker command nvidia-docker would run instead.
#
# Nothing outside a temporary directory is changed: the plugin socket and the simulated device
# nodes live in private mount and network namespaces (unshare), where the engine of the demo
# runs too; the engine's data is in the temporary directory. Everything started is stopped at the
# end.
# Environment: NVD_BIN, NVD_BUILD (as in the tests), DEMO_KEEP=1 keeps the temporary directory,
# DEMO_SIMULATE=1 uses the simulated GPUs even on a GPU machine, DEMO_NO_NAMESPACE=1 runs without
# a mount namespace (then without an engine: only the docker command is shown).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$ROOT" && cd "${NVD_BIN:-bin}" && pwd)
BUILD=$(cd "$ROOT" && cd "${NVD_BUILD:-build}" && pwd)

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
say() { echo; bold "== $*"; }
note() { printf '   %s\n' "$*"; }
# show [VAR=value...] CMD...: prints the command as a shell line, then runs it (through env).
show() {
  local w line=""
  for w in "$@"; do
    if [[ $w =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then line+=" $w"
    elif [[ $w =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ && ${BASH_REMATCH[2]} != *\'* ]]; then
      line+=" ${BASH_REMATCH[1]}='${BASH_REMATCH[2]}'"
    elif [[ $w != *\'* ]]; then line+=" '$w'"
    else line+=" $(printf '%q' "$w")"; fi
  done
  bold "\$${line}"
  env "$@"
}
die() { echo "demo: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Outer part: make the temporary directory, run the rest in a private mount namespace, clean up.
if [ "${1:-}" != "--inside" ]; then
  for f in "$BIN/nvidia-docker" "$BIN/nvidia-docker-plugin"; do
    [ -x "$f" ] || die "$f is missing: build first (make)"
  done
  tmp=$(mktemp -d /tmp/nvd-demo.XXXXXX)
  export DEMO_TMP=$tmp
  rc=0
  # A network namespace too: a dockerd started with --bridge=none deletes the host's docker0
  # bridge, which would break the machine's own engine.
  # (Only with ip(8) at hand to bring the namespace's loopback up.)
  ns=(--mount)
  command -v ip >/dev/null && ns+=(--net)
  export DEMO_NET_NS=${ns[1]:-}
  if [ -z "${DEMO_NO_NAMESPACE:-}" ] && [ "$(id -u)" = 0 ] && unshare "${ns[@]}" --propagation private true 2>/dev/null; then
    unshare "${ns[@]}" --propagation private "$0" --inside || rc=$?
  else
    DEMO_NO_NAMESPACE=1 "$0" --inside || rc=$?
  fi
  # The namespace is gone with its mounts; what is left is plain files in $tmp.
  if [ -n "${DEMO_KEEP:-}" ]; then echo "demo: kept $tmp"; else rm -rf --one-file-system "$tmp"; fi
  exit "$rc"
fi

# ---------------------------------------------------------------------------------------------
# Inner part.
tmp=$DEMO_TMP
# In the demo's own network namespace only the loopback is needed (plugin, wrapper, engine).
[ -z "${DEMO_NO_NAMESPACE:-}" ] && [ -n "${DEMO_NET_NS:-}" ] && ip link set lo up
export PATH="$BIN:$PATH"
PIDS=()
DOCKERD_PID=""
cleanup() {
  set +e
  if [ -n "$DOCKERD_PID" ]; then
    kill -TERM "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DOCKERD_PID" 2>/dev/null
  fi
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_until() { # seconds command... (exit status 99 of the command: give up at once)
  local n=$(($1 * 10)) rc; shift
  while [ "$n" -gt 0 ]; do
    "$@" >/dev/null 2>&1 && return 0
    rc=$?; [ "$rc" = 99 ] && return 1
    sleep 0.1; n=$((n - 1))
  done
  return 1
}

# --- 1. Which GPUs: real ones, or the test suite's simulated ones.
real_gpu=0
smi=$(command -v nvidia-smi || true)
[ -z "$smi" ] && [ -x /usr/local/nvidia/bin/nvidia-smi ] && smi=/usr/local/nvidia/bin/nvidia-smi
if [ -z "${DEMO_SIMULATE:-}" ]; then
  if [ -n "$smi" ] && "$smi" -L >/dev/null 2>&1; then
    real_gpu=1
  elif /sbin/ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml\.so\.1 ' && [ -e /dev/nvidiactl ]; then
    real_gpu=1
  fi
fi

say "nvidia-docker demo ($(cat "$ROOT/VERSION"))"
if [ "$real_gpu" = 1 ]; then
  note "This machine has an NVIDIA GPU and driver:"
  [ -n "$smi" ] && "$smi" -L 2>/dev/null | sed 's/^/     /'
elif [ -n "${DEMO_SIMULATE:-}" ]; then
  note "DEMO_SIMULATE is set: the demo uses SIMULATED GPUs, whatever this machine has."
else
  note "This machine has NO NVIDIA GPU (nvidia-smi does not work, libnvidia-ml.so.1 is not usable)."
fi
if [ "$real_gpu" = 0 ]; then
  note "The demo therefore uses the SIMULATED GPUs of the test suite: a fake libnvidia-ml.so.1,"
  note "a fake driver installation and simulated device nodes. Everything GPU-related below is"
  note "SIMULATED; the programs doing the work (nvidia-docker, nvidia-docker-plugin, docker) are real."
fi

# --- 2. A place for the plugin socket that only this demo's engine sees.
if [ -z "${DEMO_NO_NAMESPACE:-}" ]; then
  mkdir -p "$tmp/plugins" /run/docker/plugins 2>/dev/null
  mount --bind "$tmp/plugins" /run/docker/plugins || die "cannot bind-mount $tmp/plugins on /run/docker/plugins"
  sockdir=/run/docker/plugins
else
  note "(not root, or no mount namespace: the demo cannot start a Docker engine of its own)"
  sockdir=$tmp/plugins
  mkdir -p "$sockdir"
fi

# --- 3. Simulated GPUs: fake NVML, fake driver root, simulated device nodes.
plugin_env=()
plugin_args=()
if [ "$real_gpu" = 0 ]; then
  fake_nvml=$BUILD/fakes/libnvidia-ml.so.1
  fake_json=${DEMO_GPUS_JSON:-}
  if [ -z "$fake_json" ]; then
    for f in "$ROOT"/demo/simulated-gpus.json "$ROOT"/tests/fakes/gpus-h200.json; do
      [ -f "$f" ] && { fake_json=$f; break; }
    done
  fi
  [ -f "$fake_nvml" ] && [ -f "$BUILD/fakes/libcuda.so.1" ] || die "the simulated GPUs are missing: $fake_nvml (built by: make fakes)"
  [ -n "$fake_json" ] || die "no GPU description (demo/simulated-gpus.json) for the simulated GPUs"
  [ -x "$ROOT/tests/fakes/make-driver-root.sh" ] || [ -f "$ROOT/tests/fakes/make-driver-root.sh" ] ||
    die "tests/fakes/make-driver-root.sh is missing"
  drv=$(jq -r '.driver_version // empty' "$fake_json")
  [ -n "$drv" ] || die "cannot read the driver version from $fake_json"
  say "Simulated driver $drv, GPUs described by ${fake_json#"$ROOT"/}"
  fake_no_32=""
  echo 'int x;' | gcc -m32 -c -x c - -o /dev/null 2>/dev/null || fake_no_32=1
  FAKE_NO_32=$fake_no_32 bash "$ROOT/tests/fakes/make-driver-root.sh" "$tmp/driver-root" "$drv" >"$tmp/driver-root.log" 2>&1 ||
    { cat "$tmp/driver-root.log"; die "could not make the simulated driver root"; }
  note "fake driver installation (libraries, nvidia-smi) in $tmp/driver-root"
  plugin_env=(LD_LIBRARY_PATH="$BUILD/fakes${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" FAKE_NVML_CONFIG="$fake_json")
  plugin_args=(-r "$tmp/driver-root")
  # Simulated device nodes (character devices with NVIDIA's numbers; no driver behind them).
  minors=$(jq -r '.gpus[].minor' "$fake_json")
  if [ -z "${DEMO_NO_NAMESPACE:-}" ]; then
    # /dev of this namespace only: an overlay on the real /dev, with the nodes added on top.
    mkdir -p "$tmp/dev-below" "$tmp/dev-upper" "$tmp/dev-work"
    mount --rbind /dev "$tmp/dev-below" &&
      mount -t overlay overlay -o "lowerdir=/dev,upperdir=$tmp/dev-upper,workdir=$tmp/dev-work" /dev ||
      die "cannot put an overlay on /dev for the simulated device nodes"
    for m in pts shm mqueue hugepages; do
      [ -d "$tmp/dev-below/$m" ] && mountpoint -q "$tmp/dev-below/$m" && mount --rbind "$tmp/dev-below/$m" "/dev/$m"
    done
    devdir=/dev
  else
    devdir=$tmp/dev
    mkdir -p "$devdir"
    plugin_env+=(NVD_DEV_ROOT="$devdir")
  fi
  mknod -m 666 "$devdir/nvidiactl" c 195 255
  mknod -m 666 "$devdir/nvidia-uvm" c 238 0
  mknod -m 666 "$devdir/nvidia-uvm-tools" c 238 1
  for m in $minors; do mknod -m 666 "$devdir/nvidia$m" c 195 "$m"; done
  note "simulated device nodes (private to this demo): $(cd "$devdir" && echo nvidia*)"
fi

# --- 4. The plugin.
port=3476
port_free "$port" || port=$(free_port)
say "Start nvidia-docker-plugin"
bold "\$ ${plugin_env[*]:+${plugin_env[*]} }nvidia-docker-plugin -l 127.0.0.1:$port -s $sockdir -d $tmp/volumes -cdi= ${plugin_args[*]}"
env "${plugin_env[@]}" nvidia-docker-plugin -l "127.0.0.1:$port" -s "$sockdir" -d "$tmp/volumes" -cdi= "${plugin_args[@]}" \
  >"$tmp/plugin.log" 2>&1 &
PIDS+=($!)
plugin_up() { kill -0 "${PIDS[0]}" 2>/dev/null || return 99; curl -sf "http://127.0.0.1:$port/v1.0/gpu/info/json"; }
wait_until 15 plugin_up
if ! plugin_up >/dev/null 2>&1; then
  cat "$tmp/plugin.log" >&2
  die "nvidia-docker-plugin did not answer on 127.0.0.1:$port (log above)"
fi
sed 's/^/   plugin: /' "$tmp/plugin.log"
[ "$port" = 3476 ] || { export NV_HOST="http://127.0.0.1:$port"; note "port 3476 is taken: NV_HOST=$NV_HOST"; }
say "What the plugin sees$([ "$real_gpu" = 0 ] && echo ' (SIMULATED GPUs)')"
bold "\$ curl -s http://127.0.0.1:$port/gpu/info | grep -E '^(Driver|CUDA|Device| +(Model|UUID|Path):)'"
curl -s "http://127.0.0.1:$port/gpu/info" | grep -E '^(Driver|CUDA|Device| +(Model|UUID|Path):)' ||
  die "the plugin's /gpu/info gave nothing"

# --- 5. A Docker engine of the demo's own.
engine=0
if [ -z "${DEMO_NO_NAMESPACE:-}" ] && command -v dockerd >/dev/null && command -v docker >/dev/null; then
  say "Start a Docker engine for the demo (data in $tmp/docker)"
  export DOCKER_HOST="unix://$tmp/docker.sock"
  # A system containerd (Debian's containerd.service) runs outside this mount namespace and
  # would not see the container file systems mounted in here: hide its socket, so that this
  # engine starts a containerd of its own, inside.
  if [ -d /run/containerd ]; then
    mkdir -p "$tmp/no-containerd" && mount --bind "$tmp/no-containerd" /run/containerd
  fi
  dockerd --host "$DOCKER_HOST" --data-root "$tmp/docker" --exec-root "$tmp/docker-exec" \
    --pidfile "$tmp/docker.pid" --bridge=none --iptables=false >"$tmp/dockerd.log" 2>&1 </dev/null &
  DOCKERD_PID=$!
  if wait_until 60 docker version; then
    engine=1
    note "engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) on $DOCKER_HOST"
  else
    note "the Docker engine did not start (last lines of its log):"
    tail -n 5 "$tmp/dockerd.log" | sed 's/^/     /'
    kill "$DOCKERD_PID" 2>/dev/null
    unset DOCKER_HOST
  fi
fi

image=nvd-demo/gpu-base
if [ "$engine" = 1 ]; then
  # busybox and this host's glibc (nvidia-smi and CUDA programs need it), PATH and
  # LD_LIBRARY_PATH looking in /usr/local/nvidia, and the label of 1.0-era CUDA images.
  busybox=$(command -v busybox || echo /tmp/gpu-host-docker/busybox)
  [ -x "$busybox" ] || die "busybox is missing (make deps installs busybox-static)"
  r=$tmp/image-root
  mkdir -p "$r/bin" "$r/lib/x86_64-linux-gnu" "$r/lib64" "$r/tmp" "$r/etc" "$r/dev"
  cp "$busybox" "$r/bin/busybox"
  for a in sh ls cat echo env grep readlink head; do ln -sf busybox "$r/bin/$a"; done
  for l in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1 libstdc++.so.6; do
    for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
      [ -e "$d/$l" ] && { cp -L "$d/$l" "$r/lib/x86_64-linux-gnu/"; break; }
    done
  done
  [ -e /lib64/ld-linux-x86-64.so.2 ] && cp -L /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
  tar -C "$r" -cf - . | docker import \
    -c 'ENV PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin' \
    -c 'ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64' \
    -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' - "$image" >/dev/null ||
    die "docker import of the demo image failed"
  note "local image $image: busybox + this host's glibc, label com.nvidia.volumes.needed=nvidia_driver"
fi

# --- 6. The main job.
# A stand-in for docker that prints the command it is given instead of running it. As a single
# word in NV_DOCKER it leaves the image inspection to the Engine API; without an engine it also
# answers `image inspect` for the demo image (labelled like the real one).
mkdir -p "$tmp/bin"
cat >"$tmp/bin/docker-print" <<'SH'
#!/bin/sh
if [ "$1" = image ] && [ "$2" = inspect ] && [ -n "${DEMO_IMAGE_JSON:-}" ]; then
  printf '%s\n' "$DEMO_IMAGE_JSON"
  exit 0
fi
echo "docker $*"
SH
chmod +x "$tmp/bin/docker-print"
print_env=(NV_DOCKER="$tmp/bin/docker-print")
if [ "$engine" = 0 ]; then
  # No engine: the image data comes from the stand-in (one `image inspect` call, as when docker
  # talks to a remote engine).
  print_env+=(DOCKER_HOST=tcp://127.0.0.1:2375 NV_HOST="http://127.0.0.1:$port"
    DEMO_IMAGE_JSON='[{"Config":{"Labels":{"com.nvidia.volumes.needed":"nvidia_driver"},"Env":["PATH=/usr/local/nvidia/bin:/bin"]}}]')
fi
status=0
say "The docker command nvidia-docker makes (NV_DOCKER=docker-print prints it instead of running it)"
show "${print_env[@]}" nvidia-docker run --rm --network none "$image" nvidia-smi -L || status=1
if [ "$engine" = 1 ]; then
  if [ "$real_gpu" = 1 ]; then
    say "Run it: the container gets the GPUs and the driver"
    show nvidia-docker run --rm --network none "$image" nvidia-smi -L || status=1
    say "Only GPU 0 (NV_GPU=0)"
    show NV_GPU=0 nvidia-docker run --rm --network none "$image" nvidia-smi -L || status=1
  else
    say "Run it: the container gets the SIMULATED device nodes and the driver volume"
    show nvidia-docker run --rm --network none "$image" \
      sh -c 'ls -l /dev/nvidia*; echo; ls /usr/local/nvidia/lib64 | head -n 12; echo; ls /usr/local/nvidia/bin; echo; nvidia-smi -L' ||
      status=1
    say "Only GPU 0 (NV_GPU=0): one GPU node"
    show NV_GPU=0 nvidia-docker run --rm --network none "$image" sh -c 'ls /dev/nvidia*' || status=1
  fi
  say "The driver volume, made by the plugin for Docker"
  show docker volume ls -f driver=nvidia-docker || status=1
fi

# --- 7. What was shown.
say "What this demo showed"
if [ "$real_gpu" = 1 ]; then kind="this machine's NVIDIA GPUs"; else kind="SIMULATED GPUs (there is no NVIDIA GPU here)"; fi
note "- nvidia-docker-plugin found $kind"
note "  and served them on 127.0.0.1:$port and as Docker's volume plugin 'nvidia-docker';"
note "- nvidia-docker turned 'docker run IMAGE ...' into a docker command with the GPU device"
note "  nodes and the driver volume (--mount ...,volume-driver=nvidia-docker), inserted"
note "  before the image;"
if [ "$engine" = 1 ] && [ "$status" = 0 ]; then
  note "- a real container ran with them: it saw the device nodes and the driver files in"
  note "  /usr/local/nvidia, and NV_GPU chose which GPUs it got."
elif [ "$engine" = 1 ]; then
  note "- running the container FAILED (see the errors above)."
else
  note "- no Docker engine could be started here, so only the command was shown."
fi
note "Everything the demo started is stopped now; its files go with $tmp."
[ "$status" = 0 ] || echo "demo: some step above failed" >&2
exit "$status"
