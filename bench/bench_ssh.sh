#!/bin/bash
# What SSH adds to `nvidia-docker run` of a labelled image: the same run with the plugin reached
# through the SSH tunnel (NV_HOST=ssh://user@127.0.0.1:SSHPORT:PLUGINPORT, a real sshd on
# loopback, key authentication) and with plain HTTP (NV_HOST=http://127.0.0.1:PLUGINPORT).
# docker is build/tools/recorder; the plugin is build/fakes/fake-plugin. Also the plugin client
# alone over SSH (build/tools/plugin_query: handshake, host key, auth, channel, one GET).
# Medians, hyperfine -N.
# Target: SSH adds <= 50 ms on loopback. RUNS (default 60) sets the number of timed runs.
. "$(dirname "$0")/../tests/lib/common.sh"
set -u
RUNS=${RUNS:-60}
NVD=$NVD_BIN/nvidia-docker REC=$NVD_BUILD/tools/recorder FAKE=$NVD_BUILD/fakes/fake-plugin
QUERY=$NVD_BUILD/tools/plugin_query
for x in "$NVD" "$REC" "$FAKE" "$QUERY" /usr/sbin/sshd; do
  [ -x "$x" ] || { echo "bench_ssh: skipped: $x missing (make all check deps)"; exit 0; }
done
command -v hyperfine >/dev/null || { echo "bench_ssh: skipped: no hyperfine"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "bench_ssh: skipped: needs root (sshd, useradd)"; exit 0; }
start_dockerd || { echo "bench_ssh: skipped: no docker engine"; exit 0; }
unset SSH_AUTH_SOCK CI

t_account nvdsshb || exit 1 # a throwaway account, removed on exit
TUSER=$T_ACCOUNT
mkdir -p /run/sshd
S=$T_TMP/sshd
export HOME=$T_TMP/home
mkdir -p "$S" "$HOME/.ssh" && chmod 755 "$T_TMP" "$S" && chmod 700 "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/id_ed25519"
cp "$HOME/.ssh/id_ed25519.pub" "$S/authorized_keys" && chmod 644 "$S/authorized_keys"
SSHPORT=$(free_port)
cat > "$S/sshd.conf" <<CFG
ListenAddress 127.0.0.1:$SSHPORT
HostKey $S/host_ed25519
PidFile none
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $TUSER
AllowTcpForwarding yes
MaxStartups 500
CFG
/usr/sbin/sshd -f "$S/sshd.conf" -D -e 2>"$S/sshd.log" &
t_cleanup "kill $!"
echo "[127.0.0.1]:$SSHPORT $(cut -d' ' -f1,2 "$S/host_ed25519.pub")" > "$HOME/.ssh/known_hosts"
"$FAKE" --port-file "$T_TMP/port" --max-seconds 1200 >/dev/null 2>&1 &
t_cleanup "kill $!"
for _ in $(seq 1 100); do [ -s "$T_TMP/port" ] && grep -q 'Server listening' "$S/sshd.log" && break; sleep 0.1; done
PORT=$(cat "$T_TMP/port")
IMG=nvd-ssh-bench-labelled
make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed="nvidia_driver"'

COMMON="env NV_DOCKER=$REC NVD_RECORD=/dev/null DOCKER_HOST=unix:///var/run/docker.sock HOME=$HOME"
HTTP_CMD="$COMMON NV_HOST=http://127.0.0.1:$PORT $NVD run --rm $IMG true"
SSH_CMD="$COMMON NV_HOST=ssh://$TUSER@127.0.0.1:$SSHPORT:$PORT $NVD run --rm $IMG true"
PROBE_CMD="env HOME=$HOME NV_HOST=ssh://$TUSER@127.0.0.1:$SSHPORT:$PORT $QUERY info"
# For scale: OpenSSH's own client doing the same login and channel (-W, stdin empty), with the
# key exchange libssh2 negotiates (curve25519; its default sntrup761 costs ~150 ms more here).
OPENSSH_CMD="ssh -F none -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 -o UserKnownHostsFile=$HOME/.ssh/known_hosts -i $HOME/.ssh/id_ed25519 -p $SSHPORT -W 127.0.0.1:$PORT $TUSER@127.0.0.1"
# sanity: both work and give the same argv
for c in "$HTTP_CMD" "$SSH_CMD"; do
  $c </dev/null >/dev/null 2>"$T_TMP/err" || { echo "bench_ssh: failed: $c"; cat "$T_TMP/err"; exit 1; }
done
$PROBE_CMD </dev/null >/dev/null 2>&1 || { echo "bench_ssh: plugin_query over SSH failed"; exit 1; }
before=$(grep -c 'Accepted ' "$S/sshd.log")

hyperfine -N -w 5 -r "$RUNS" --export-json "$T_TMP/h.json" \
  -n "run via HTTP" "$HTTP_CMD" -n "run via SSH" "$SSH_CMD" -n "plugin_query (SSH + 1 GET)" "$PROBE_CMD" \
  -n "OpenSSH ssh -W (login + channel)" "$OPENSSH_CMD" \
  </dev/null >"$T_TMP/hyperfine.out" 2>&1 || { cat "$T_TMP/hyperfine.out"; exit 1; }
after=$(grep -c 'Accepted ' "$S/sshd.log")
python3 - "$T_TMP/h.json" "$RUNS" "$((after - before))" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in r.items()}
http, ssh, probe = med["run via HTTP"], med["run via SSH"], med["plugin_query (SSH + 1 GET)"]
for k, v in r.items():
    print(f"{k:28s} median {v['median']*1000:7.2f} ms  mean {v['mean']*1000:7.2f} ± {v['stddev']*1000:5.2f} ms  min {v['min']*1000:7.2f} ms")
print(f"SSH adds {ssh - http:.2f} ms per run (median, loopback; target <= 50 ms): "
      f"{'OK' if ssh - http <= 50 else 'OVER TARGET'}; ratio {ssh / http:.2f}x")
print(f"for scale: OpenSSH's own client needs {med['OpenSSH ssh -W (login + channel)']:.2f} ms for the same login and channel "
      f"(sshd forks and re-executes itself per connection: most of the SSH cost is on the server side)")
runs = 3 * (5 + int(sys.argv[2]))
print(f"sshd accepted {sys.argv[3]} logins for {runs} SSH runs (wrapper, probe, ssh -W; warm-ups included): one handshake per run")
PY
