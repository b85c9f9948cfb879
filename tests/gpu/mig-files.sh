#!/bin/bash
# MIG on a machine with a real NVIDIA driver, without touching the GPU's MIG mode (no reset, no
# instance created): checks that the plugin's readers of the driver's MIG files agree with the
# real files and nodes, and that a MIG-capable GPU whose MIG mode is off is served as before.
#   1. mig_probe (the plugin's parsers) on the real /proc: the nvidia-caps major equals the one
#      in /proc/devices and the major of /dev/nvidia-caps/nvidia-cap1 and -cap2; the config and
#      monitor access files give the minors and modes of those two nodes.
#   2. Every line of /proc/driver/nvidia-caps/mig-minors: the plugin's lookup gives the same minor
#      as the line (and the driver's numbering in docs/mig.md holds: 3 + 135 gpu + 9 gi [+ 1 + ci]).
#   3. The plugin on the real NVML: per GPU, the "MIG" field is there exactly when nvidia-smi
#      says the current MIG mode is Enabled, with as many MIG devices as nvidia-smi -L lists;
#      with MIG off, dev=0:0 is refused with "(GPU 0 is not in MIG mode)".
# Usage: tests/gpu/mig-files.sh PLUGIN_BINARY MIG_PROBE_BINARY
# (tests/gpu/pack.sh puts both in .gpu/bin). Prints "mig-files: N passed, N failed".
# PROC_ROOT=DIR (with a fake nvidia-smi on PATH and the fake NVML): a dry run on a fake proc
# root such as tests/fakes/fake_env.sh writes.
set -u
plugin=$1 probe=$2 proc=${PROC_ROOT:-/proc}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
eq() { if [ "$2" == "$3" ]; then ok "$1"; else fail "$1"; printf '       expected: %q\n       actual:   %q\n' "$2" "$3"; fi; }
finish() { echo "mig-files: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }
command -v nvidia-smi >/dev/null || { fail "nvidia-smi not found; not a GPU machine?"; finish; }

# ---- 1. major, config and monitor -------------------------------------------------------------
out=$("$probe" "$proc")
echo "$out"
major=$(awk '/^Character devices:/ { c = 1; next } /^$/ { c = 0 } c && $2 == "nvidia-caps" { print $1 }' "$proc/devices")
if [ -z "$major" ]; then
  echo "# no nvidia-caps in /proc/devices: this driver has no MIG capability device"
  eq "mig_probe: no nvidia-caps major either" 1 "$(grep -c '^major error:' <<<"$out")"
else
  eq "nvidia-caps major as /proc/devices says" "major $major" "$(grep '^major' <<<"$out")"
  for cap in config:1 monitor:2; do
    name=${cap%:*} node=/dev/nvidia-caps/nvidia-cap${cap#*:}
    line=$(grep "^access $name " <<<"$out")
    if [ ! -e "$proc/driver/nvidia/capabilities/mig/$name" ]; then
      echo "# no $name access file"; continue
    fi
    if [ -c "$node" ]; then
      eq "$name: minor and mode of $node" \
        "access $name minor=$((0x$(stat -c %T "$node"))) mode=0$(stat -c %a "$node")" \
        "$(sed 's/ modify=.*//' <<<"$line")"
      eq "$name: $node has the nvidia-caps major" "$major" "$((0x$(stat -c %t "$node")))"
    else
      echo "# $node absent; mig_probe: $line"
      [[ "$line" == "access $name minor="* ]] && ok "$name access file parsed" || fail "$name access file parsed"
    fi
  done
fi

# ---- 2. mig-minors ----------------------------------------------------------------------------
minors=$proc/driver/nvidia-caps/mig-minors
if [ -r "$minors" ]; then
  lines=0 sampled=0 same=0 formula=0
  while read -r name minor; do
    case $name in gpu*/gi*/access | gpu*/gi*/ci*/access) ;; *) continue ;; esac
    IFS=/ read -r g i c _ <<<"$name"
    g=${g#gpu} i=${i#gi}
    if [ "$c" = access ]; then args=("$g" "$i"); want=$((3 + g * 135 + i * 9)); else
      c=${c#ci}; args=("$g" "$i" "$c"); want=$((3 + g * 135 + i * 9 + 1 + c)); fi
    lines=$((lines + 1))
    [ "$minor" = "$want" ] && formula=$((formula + 1))
    # A sample goes through the probe (a process per line would take long): the first GPU's
    # lines and every 97th line. Where an access file exists, the probe reads that first.
    if [ "$g" = 0 ] || [ $((lines % 97)) = 0 ]; then
      sampled=$((sampled + 1))
      got=$("$probe" "$proc" "${args[@]}")
      [[ "$got" == *" minor=$minor "* ]] && same=$((same + 1)) || echo "# differs: $name $minor: $got"
    fi
  done <"$minors"
  echo "# $lines gpu/gi[/ci] lines in $minors, $sampled looked up"
  eq "mig-minors: the plugin's lookup gives each sampled line's minor" "$sampled" "$same"
  eq "mig-minors: the driver's numbering (docs/mig.md) holds on every line" "$lines" "$formula"
else
  echo "# $minors not readable: skipped"
fi

# ---- 3. the plugin on the real NVML ---------------------------------------------------------
tmp=$(mktemp -d)
. "$(dirname "$0")/../lib/mounts.sh"
port=$(( (RANDOM % 20000) + 30000 ))
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  unmount_under "$tmp" # the volume's read-only bind mounts
  rm -rf "$tmp"
}
trap cleanup EXIT
http_get() { # http_get PATH: "<status> <body>"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: plugin\r\n\r\n' "$1" >&3
  local reply
  reply=$(cat <&3; printf x)
  exec 3<&-
  reply=${reply%x}
  local status=${reply#HTTP/1.? }
  printf '%s %s' "${status%% *}" "${reply#*$'\r\n\r\n'}"
}
NVD_PROC_ROOT=$proc "$plugin" -l "127.0.0.1:$port" -s "$tmp/sock" -d "$tmp/volumes" -cdi= 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 100); do
  http_get /v1.0/gpu/info/json >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
cat "$tmp/log"
info=$(http_get /v1.0/gpu/info)
[ "${info%% *}" = 200 ] || { fail "the plugin answers /gpu/info"; finish; }
ok "the plugin started on the real NVML"
info=${info#* }
json=$(http_get /v1.0/gpu/info/json)
eq "/gpu/info/json has a MIG field only if /gpu/info has a MIG block" \
  "$(grep -c '^  MIG Devices' <<<"$info")" "$(grep -o '"MIG":\[' <<<"$json" | wc -l)"
i=0
while IFS=, read -r mode; do
  mode=$(echo $mode)
  # In the text answer: "none" without a MIG block, else the number of "Device G:M" lines.
  has=$(awk -v gpu="$i" '/^Device #/ { on = ($2 == "#" gpu) } on && /^  MIG Devices/ { mig = 1 }
    on && /^    Device [0-9]+:[0-9]+$/ { n++ } END { print mig ? n + 0 : "none" }' <<<"$info")
  if [ "$mode" = Enabled ]; then
    want=$(nvidia-smi -i "$i" -L | grep -c '^  MIG ')
    eq "GPU $i in MIG mode: the MIG devices nvidia-smi -L lists" "$want" "$has"
  else
    eq "GPU $i MIG mode '$mode': no MIG field, the 1.0 answer" none "$has"
    if [ "$i" = 0 ]; then
      eq "GPU 0 not in MIG mode: dev=0:0 refused" "400 invalid device: 0:0 (GPU 0 is not in MIG mode)" \
        "$(http_get '/v1.0/docker/cli?dev=0:0' | head -1)"
    fi
  fi
  i=$((i + 1))
done < <(nvidia-smi --query-gpu=mig.mode.current --format=csv,noheader)
eq "the plugin logged no error" "" "$(grep -E 'Error|Warning' "$tmp/log")"
finish
