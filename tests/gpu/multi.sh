#!/bin/bash
# Multi-GPU behaviour on a machine with several real GPUs (the same harness as tests/gpu/e2e.sh:
# a Docker engine carried to the GPU machine in .gpu-host/, our plugin on the real NVML). Every check is
# made against `nvidia-smi --query-gpu=index,uuid,pci.bus_id` and `nvidia-smi topo -m`:
#   - NV_GPU=1: the container has /dev/nvidia<minor of GPU 1> and no other GPU node,
#     `nvidia-smi -L` inside lists exactly GPU 1's UUID, and a CUDA kernel runs on it;
#   - NV_GPU=1,0: both; the --device order follows NV_GPU; CUDA's numbering inside is printed
#     (CUDA numbers the GPUs of a container itself, see docs/gpu-selection.md); NV_GPU=0,0 is one;
#   - NV_GPU=<UUID of the last GPU> and a unique prefix of it;
#   - --gpus device=1, --gpus 2, --gpus all, -e NVIDIA_VISIBLE_DEVICES=1: the same sets as the
#     equivalent NV_GPU;
#   - two containers started at once with disjoint GPUs each see only their own and compute;
#   - /v1.0/gpu/info/json and /gpu/info: the P2P topology of every pair and each GPU's CPU (NUMA)
#     affinity agree with `nvidia-smi topo -m`.
# Usage (on the GPU machine, after `bash .gpu-host/start-docker.sh`):
#   LD_LIBRARY_PATH=$PWD/.gpu/syslib PATH=/tmp/gpu-host-docker:$PATH bash tests/gpu/multi.sh .gpu/bin/nvidia-docker-plugin
# Prints "multi: N passed, N failed"; exit status 1 on any failure (or fewer than 2 GPUs).
set -u
plugin=${1:-$(dirname "$0")/../../bin/nvidia-docker-plugin}
wrapper=$(dirname "$plugin")/nvidia-docker
image=${NVD_E2E_IMAGE:-gpu-host/base}
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
eq() { if [ "$2" == "$3" ]; then ok "$1"; else fail "$1"; echo "       expected: $2"; echo "       actual:   $3"; fi; }
finish() { echo "multi: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

command -v nvidia-smi >/dev/null || { fail "nvidia-smi found (a GPU machine?)"; finish; }
mapfile -t GPUS < <(nvidia-smi --query-gpu=index,uuid,pci.bus_id --format=csv,noheader | tr -d ' ')
echo "--- nvidia-smi --query-gpu=index,uuid,pci.bus_id"; printf '%s\n' "${GPUS[@]}"
N=${#GPUS[@]}
[ "$N" -ge 2 ] || { fail "at least 2 GPUs (this machine has $N)"; finish; }
docker info >/dev/null 2>&1 || { fail "a Docker engine answers (start .gpu-host/start-docker.sh)"; finish; }
uuid() { cut -d, -f2 <<<"${GPUS[$1]}"; }
bus() { cut -d, -f3 <<<"${GPUS[$1]}"; }

tmp=$(mktemp -d)
port=$(((RANDOM % 20000) + 30000))
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# http_get PATH: body on stdout (bash /dev/tcp: the GPU machine may have no curl).
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: plugin\r\n\r\n' "$1" >&3
  local reply
  reply=$(cat <&3; printf x)
  exec 3<&-
  reply=${reply%x}
  printf '%s' "${reply#*$'\r\n\r\n'}"
}
# json EXPR: evaluates a Python expression over the gpu/info JSON `d` (no jq there either).
json() { python3 -c "import json, sys; d = json.loads(sys.argv[1]); $1" "$info_json"; }
"$plugin" -l "127.0.0.1:$port" -s /run/docker/plugins -d "$tmp/volumes" -cdi= 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 100); do http_get /v1.0/gpu/info/json >/dev/null 2>&1 && break; sleep 0.1; done
info_json=$(http_get /v1.0/gpu/info/json) || { cat "$tmp/log"; fail "plugin answers"; finish; }
info_text=$(http_get /gpu/info)
echo "--- /v1.0/gpu/info/json"; echo "$info_json"
echo "--- /gpu/info"; echo "$info_text"
export NV_HOST="http://127.0.0.1:$port"
unset NV_GPU NVIDIA_VISIBLE_DEVICES CUDA_VISIBLE_DEVICES

# The plugin's Path of each GPU, by nvidia-smi index (the UUIDs must agree).
minor() { json "print(''.join(x['Path'][len('/dev/nvidia'):] for x in d['Devices'] if x['UUID'] == '$(uuid "$1")'))"; }
for ((i = 0; i < N; i++)); do
  m=$(minor "$i")
  [ -n "$m" ] && ok "GPU $i ($(uuid "$i")) is /dev/nvidia$m in the plugin" || fail "GPU $i: UUID not in the plugin's answer"
done
nvcc -O2 -o "$tmp/cuda_ids" "$here/cuda_ids.cu" 2>"$tmp/nvcc.log" || { cat "$tmp/nvcc.log"; fail "nvcc builds cuda_ids.cu"; finish; }

# inside [VAR=value...] -- [run options]: runs the probe in a container; sets NODES (GPU nodes,
# sorted minors), SMI (nvidia-smi -L UUIDs in order), CUDA (CUDA numbering: "n:uuid" words),
# KERNELS (count of OK kernels), DEVARGS (the --device order of the docker command).
inside() {
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local out
  out=$(env "${envs[@]}" NV_DEBUG=1 "$wrapper" run --rm --network none -v "$tmp:/w:ro" "$@" "$image" sh -c \
    'for f in /dev/nvidia*; do echo "node $f"; done; nvidia-smi -L; /w/cuda_ids' 2>"$tmp/err")
  RC=$?
  NODES=$(grep -oE '^node /dev/nvidia[0-9]+$' <<<"$out" | sed 's|.*nvidia||' | sort -n | paste -sd,)
  SMI=$(grep -oE 'UUID: GPU-[0-9a-f-]+' <<<"$out" | cut -d' ' -f2 | paste -sd,)
  CUDA=$(awk '$1 == "cuda" {print $2 ":" $3}' <<<"$out" | paste -sd' ')
  KERNELS=$(grep -c '^kernel [0-9]* OK$' <<<"$out")
  DEVARGS=$(grep -o 'Debug: exec: .*' "$tmp/err" | grep -oE -- '--device=/dev/nvidia[0-9]+' | sed 's|.*nvidia||' | paste -sd,)
  [ "$RC" = 0 ] || { echo "$out"; cat "$tmp/err"; }
}
# set_of INDEX...: the sorted minors and the UUIDs (in the given order) of nvidia-smi's GPUs.
minors_of() { for i in "$@"; do minor "$i"; done | sort -n | paste -sd,; }

inside NV_GPU=1 --
eq "NV_GPU=1: exit 0" 0 "$RC"
eq "NV_GPU=1: only /dev/nvidia$(minor 1)" "$(minor 1)" "$NODES"
eq "NV_GPU=1: nvidia-smi -L lists GPU 1 only" "$(uuid 1)" "$SMI"
eq "NV_GPU=1: CUDA sees GPU 1 only" "0:$(uuid 1)" "$CUDA"
eq "NV_GPU=1: a kernel ran" 1 "$KERNELS"

inside NV_GPU=1,0 --
eq "NV_GPU=1,0: both GPUs" "$(minors_of 0 1)" "$NODES"
eq "NV_GPU=1,0: --device order follows NV_GPU" "$(minor 1),$(minor 0)" "$DEVARGS"
eq "NV_GPU=1,0: kernels on both" 2 "$KERNELS"
echo "       CUDA's numbering inside (its own order, PCI bus for identical GPUs): $CUDA"
inside NV_GPU=0,0 --
eq "NV_GPU=0,0: one GPU" "$(minor 0)" "$NODES"

last=$((N - 1))
inside NV_GPU="$(uuid "$last")" --
eq "NV_GPU=<UUID of the last GPU>" "$(uuid "$last")" "$SMI"
prefix=$(uuid "$last")
for ((k = 5; k <= ${#prefix}; k++)); do
  p=${prefix:0:k}
  [ "$(printf '%s\n' "${GPUS[@]}" | cut -d, -f2 | grep -c "^$p")" = 1 ] && break
done
inside NV_GPU="$p" --
eq "NV_GPU=$p (unique prefix)" "$(uuid "$last")" "$SMI"

inside -- --gpus device=1
eq "--gpus device=1 = NV_GPU=1" "$(minor 1)" "$NODES"
inside -- --gpus 2
eq "--gpus 2 = NV_GPU=0,1" "$(minors_of 0 1)" "$NODES"
inside -- --gpus all
eq "--gpus all = every GPU" "$(minors_of $(seq 0 $last))" "$NODES"
inside -- -e NVIDIA_VISIBLE_DEVICES=1
eq "-e NVIDIA_VISIBLE_DEVICES=1 = NV_GPU=1" "$(minor 1)" "$NODES"

# Two containers at once, disjoint GPUs, each computing for a few seconds.
for g in 0 1; do
  NV_GPU=$g "$wrapper" run --rm --network none -v "$tmp:/w:ro" "$image" sh -c \
    'n=0; end=$(( $(date +%s) + 5 )); while [ $(date +%s) -lt $end ]; do /w/cuda_ids >/dev/null 2>&1 || exit 1; n=$((n+1)); done;
     /w/cuda_ids; echo "runs $n"' >"$tmp/par$g" 2>&1 &
done
wait
for g in 0 1; do
  cuda=$(awk '$1 == "cuda" {print $3}' "$tmp/par$g" | paste -sd,)
  eq "two at once: container $g sees only GPU $g" "$(uuid "$g")" "$cuda"
  check "two at once: container $g computed ($(grep -o 'runs [0-9]*' "$tmp/par$g"))" grep -q '^kernel 0 OK$' "$tmp/par$g"
done

# Topology: nvidia-smi topo -m against the plugin's Topology (P2P pairs and their link) and
# CPUAffinity (1.0's NUMA node).
topo=$(nvidia-smi topo -m)
echo "--- nvidia-smi topo -m"; echo "$topo"
link_of() { # topo legend -> the plugin's Link number (gpu_link_text)
  case $1 in SYS) echo 1 ;; NODE) echo 2 ;; PHB) echo 3 ;; PXB) echo 4 ;; PIX) echo 5 ;; *) echo ? ;; esac
}
header=$(grep -m1 'GPU0' <<<"$topo")
numa_col=$(awk '{for (i = 1; i <= NF; i++) if ($i == "NUMA") print i - 1}' <<<"$header")
for ((i = 0; i < N; i++)); do
  row=$(grep -E "^GPU$i[[:space:]]" <<<"$topo")
  for ((j = 0; j < N; j++)); do
    [ "$i" = "$j" ] && continue
    cell=$(awk -v c=$((j + 2)) '{print $c}' <<<"$row")
    b=$(bus "$j" | tr a-f A-F | sed 's/^0000//')
    got=$(json "print(''.join(str(t['Link']) for x in d['Devices'] if x['UUID'] == '$(uuid "$i")' for t in (x['Topology'] or []) if t['BusID'].upper().endswith('$b')))")
    case $cell in
      NV*) [ -n "$got" ] && ok "GPU$i-GPU$j: $cell (NVLink): P2P listed by the plugin (link $got, its PCIe level)" ||
             fail "GPU$i-GPU$j: $cell, but the plugin lists no P2P" ;;
      *) want=$(link_of "$cell")
         if [ -z "$got" ]; then echo "       GPU$i-GPU$j: $cell; the plugin lists no P2P (CUDA says no peer access)"
           p2p=$(nvidia-smi topo -p2p r | awk -v r="GPU$i" -v c=$((j + 2)) '$1 == r {print $c}')
           [ "$p2p" != OK ] && ok "GPU$i-GPU$j: no P2P in the plugin, nvidia-smi topo -p2p r says $p2p" ||
             fail "GPU$i-GPU$j: nvidia-smi says P2P OK, the plugin lists none"
         else eq "GPU$i-GPU$j: link $cell" "$want" "$got"; fi ;;
    esac
  done
  affinity=$(json "print(''.join(str(x['CPUAffinity']) for x in d['Devices'] if x['UUID'] == '$(uuid "$i")'))")
  if [ -n "$numa_col" ]; then
    numa=$(awk -v c=$((numa_col + 1)) '{print $c}' <<<"$row")
    [ "$numa" = "N/A" ] && numa=0
    eq "GPU$i: CPU affinity (NUMA node) as topo -m" "$numa" "$affinity"
  fi
  cpus=$(awk -v c=$((N + 2)) '{print $c}' <<<"$row")
  node_cpus=$(cat "/sys/devices/system/node/node$affinity/cpulist" 2>/dev/null || echo "?")
  eq "GPU$i: topo -m's CPU Affinity column is the CPUs of NUMA node $affinity" "$node_cpus" "$cpus"
  grep -q "Device #$i" <<<"$info_text" && ok "/gpu/info lists GPU $i" || fail "/gpu/info lists GPU $i"
done
echo "--- plugin log"; cat "$tmp/log"
finish
