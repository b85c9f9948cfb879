# FAKE GPU environment for tests that run nvidia-docker-plugin without a driver.
# Source it, then: fake_gpu_env DIR CONFIG_JSON [MINORS...]
# Creates DIR/dev (nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia<minor>: real character
# devices with NVIDIA's numbers when running as root, plain files otherwise) and DIR/sys (NUMA
# node 1 for bus 0000:82:00.0), and exports what the plugin needs to use the fake libraries:
# LD_LIBRARY_PATH (build/fakes first), FAKE_NVML_CONFIG, NVD_DEV_ROOT, NVD_SYS_ROOT.
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
  export LD_LIBRARY_PATH="$(cd "$fakes" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export FAKE_NVML_CONFIG=$config NVD_DEV_ROOT=$dir/dev NVD_SYS_ROOT=$dir/sys
}
fake_node() {
  rm -f "$1"
  if [ "$(id -u)" = 0 ]; then mknod -m 0666 "$1" c "$2" "$3" 2>/dev/null && return; fi
  : >"$1"
}
