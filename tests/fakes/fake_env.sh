# FAKE GPU environment for tests that run nvidia-docker-plugin without a driver.
# Source it, then: fake_gpu_env DIR CONFIG_JSON [MINORS...]
# Creates DIR/dev (nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia<minor>: real character
# devices with NVIDIA's numbers when running as root, plain files otherwise), DIR/sys (NUMA
# node 1 for bus 0000:82:00.0) and DIR/proc (the driver's MIG files for the MIG devices of
# CONFIG_JSON, see fake_mig_proc, with their capability nodes in DIR/dev/nvidia-caps), and
# exports what the plugin needs to use the fake libraries: LD_LIBRARY_PATH (build/fakes first),
# FAKE_NVML_CONFIG, NVD_DEV_ROOT, NVD_SYS_ROOT, NVD_PROC_ROOT.
FAKE_CAPS_MAJOR=${FAKE_CAPS_MAJOR:-241} # nvidia-caps is a dynamic major; 241 as on the GPU host
fake_gpu_env() {
  local dir=$1 config=$2; shift 2
  local fakes=${NVD_BUILD:-build}/fakes
  mkdir -p "$dir/dev" "$dir/sys/bus/pci/devices/0000:82:00.0"
  echo 1 >"$dir/sys/bus/pci/devices/0000:82:00.0/numa_node"
  fake_node "$dir/dev/nvidiactl" 195 255
  fake_node "$dir/dev/nvidia-uvm" 238 0
  fake_node "$dir/dev/nvidia-uvm-tools" 238 1
  local m
  for m in "${@:-0 1 2}"; do for m in $m; do fake_node "$dir/dev/nvidia$m" 195 "$m"; done; done
  local migs minor
  migs=$(fake_mig_devices "$config")
  fake_mig_proc "$dir/proc" "$config" "$migs"
  for minor in $(fake_mig_cap_minors "$migs"); do
    mkdir -p "$dir/dev/nvidia-caps"
    fake_node "$dir/dev/nvidia-caps/nvidia-cap$minor" "$FAKE_CAPS_MAJOR" "$minor" 0444
  done
  export LD_LIBRARY_PATH="$(cd "$fakes" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export FAKE_NVML_CONFIG=$config NVD_DEV_ROOT=$dir/dev NVD_SYS_ROOT=$dir/sys \
    NVD_PROC_ROOT=$dir/proc
}
# fake_node PATH MAJOR MINOR [MODE]: a character device (root), else a plain file.
fake_node() {
  rm -f "$1"
  if [ "$(id -u)" = 0 ]; then mknod -m "${4:-0666}" "$1" c "$2" "$3" 2>/dev/null && return; fi
  : >"$1"
}
# fake_mig_devices CONFIG_JSON: one line per MIG device of a GPU in MIG mode: "<gpu minor>
# <gpu instance> <compute instance> <gi minor> <ci minor>", the capability minors numbered as the
# driver numbers them (config 1, monitor 2, then per GPU 15 GPU instances of 1 + 8 minors).
fake_mig_devices() {
  jq -r '.gpus[] | select((.mig_mode | if type == "array" then .[0] else . end) == 1)
    | .minor as $m | (.mig_devices // [])[] | (3 + $m * 135 + .gpu_instance * 9) as $g
    | "\($m) \(.gpu_instance) \(.compute_instance) \($g) \($g + 1 + .compute_instance)"' "$1"
}
# fake_mig_cap_minors "$(fake_mig_devices CONFIG_JSON)": the capability minors the MIG devices
# use (GPU instance, then compute instance; a GPU instance shared by two MIG devices once).
fake_mig_cap_minors() {
  [ -n "$1" ] && awk '{ print $4; print $5 }' <<<"$1" | awk '!seen[$0]++'
}
# fake_mig_proc DIR CONFIG_JSON [MIG_DEVICES]: a FAKE proc root as the NVIDIA driver with MIG support fills
# it: DIR/devices (nvidia-caps = $FAKE_CAPS_MAJOR), DIR/driver/nvidia-caps/mig-minors (every
# possible minor of 8 GPUs), and DIR/driver/nvidia/capabilities/... access files for the config
# and monitor capabilities and for the GPU and compute instance of each MIG device of CONFIG_JSON.
fake_mig_proc() {
  local dir=$1 config=$2 caps=$1/driver/nvidia/capabilities migs=${3-$(fake_mig_devices "$2")}
  mkdir -p "$dir/driver/nvidia-caps" "$caps/mig"
  cat >"$dir/devices" <<EOF
Character devices:
  1 mem
  4 /dev/vc/0
  5 /dev/tty
195 nvidia-frontend
238 nvidia-uvm
239 nvidia-nvswitch
240 nvidia-nvlink
$FAKE_CAPS_MAJOR nvidia-caps
$((FAKE_CAPS_MAJOR + 1)) nvidia-caps-imex-channels

Block devices:
  7 loop
  8 sd
EOF
  awk 'BEGIN { print "config 1"; print "monitor 2"
    for (g = 0; g < 8; g++) for (i = 0; i < 15; i++) {
      base = 3 + g * 135 + i * 9; printf "gpu%d/gi%d/access %d\n", g, i, base
      for (c = 0; c < 8; c++) printf "gpu%d/gi%d/ci%d/access %d\n", g, i, c, base + 1 + c } }' \
    >"$dir/driver/nvidia-caps/mig-minors"
  printf 'DeviceFileMinor: 1\nDeviceFileMode: 256\nDeviceFileModify: 1\n' >"$caps/mig/config"
  printf 'DeviceFileMinor: 2\nDeviceFileMode: 292\nDeviceFileModify: 1\n' >"$caps/mig/monitor"
  local gpu gi ci gi_minor ci_minor
  [ -n "$migs" ] && while read -r gpu gi ci gi_minor ci_minor; do
    mkdir -p "$caps/gpu$gpu/mig/gi$gi/ci$ci"
    printf 'DeviceFileMinor: %s\nDeviceFileMode: 292\nDeviceFileModify: 1\n' "$gi_minor" \
      >"$caps/gpu$gpu/mig/gi$gi/access"
    printf 'DeviceFileMinor: %s\nDeviceFileMode: 292\nDeviceFileModify: 1\n' "$ci_minor" \
      >"$caps/gpu$gpu/mig/gi$gi/ci$ci/access"
  done <<<"$migs"
  return 0
}
