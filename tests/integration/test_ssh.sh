#!/bin/bash
# The SSH transport to a remote plugin, against real OpenSSH servers started here: one on
# loopback (127.0.0.1 and ::1) and one in a network namespace of its own with its own address
# (the "remote GPU host"), each with a plugin stand-in on the remote 127.0.0.1. Drives
# build/tools/plugin_query (the plugin client with NV_HOST=ssh://..., as the wrapper asks) and,
# when the wrapper's run path is there, bin/nvidia-docker. Servers that misbehave on purpose
# (endless lines, silence after the banner) check the handshake's deadline.
. "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" = 0 ] || t_skip_all "needs root (sshd, useradd, ip netns)"
[ -x /usr/sbin/sshd ] || t_skip_all "openssh-server is not installed"
QUERY=$NVD_BUILD/tools/plugin_query
[ -x "$QUERY" ] || t_skip_all "$QUERY not built"
RESPONDER=$NVD_ROOT/tests/integration/ssh_plugin_responder.py
unset CI SSH_AUTH_SOCK SSH_AGENT_PID NV_HOST DOCKER_HOST NV_GPU NV_TIMEOUT

# A throwaway account with a random password, removed when the test ends, however it ends.
t_account nvdssh || { t_fail "test account created"; t_finish; }
TUSER=$T_ACCOUNT TPASS=$T_ACCOUNT_PASSWORD
mkdir -p /run/sshd && chmod 755 /run/sshd

S=$T_TMP/sshd
export HOME=$T_TMP/home
mkdir -p "$S" "$HOME/.ssh" && chmod 700 "$HOME/.ssh" && chmod 755 "$T_TMP" "$S"  # sshd reads authorized_keys as the user
ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519" -C host
ssh-keygen -q -t ecdsa -N '' -f "$S/host_ecdsa" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/other_host_key" -C other
ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/id_ed25519" -C user
ssh-keygen -q -t ecdsa -m PEM -N '' -f "$T_TMP/ecdsa_pem" -C pem
ssh-keygen -q -t ed25519 -N 'secret words' -f "$T_TMP/encrypted_key" -C enc
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/agent_key" -C agent
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/alias_key" -C alias
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T_TMP/rsa_key" -C rsa
cat "$HOME/.ssh/id_ed25519.pub" "$T_TMP/ecdsa_pem.pub" "$T_TMP/encrypted_key.pub" \
  "$T_TMP/agent_key.pub" "$T_TMP/alias_key.pub" "$T_TMP/rsa_key.pub" > "$S/authorized_keys"
chmod 644 "$S/authorized_keys"

# start_sshd NAME LISTEN... : writes $S/NAME.conf and starts sshd (in $NETNS_EXEC if set).
start_sshd() {
  local name=$1; shift
  {
    for l in "$@"; do echo "ListenAddress $l"; done
    echo "HostKey $S/host_ed25519"
    echo "HostKey $S/host_ecdsa"
    cat <<CFG
PidFile none
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $TUSER
AllowTcpForwarding yes
MaxStartups 200
MaxAuthTries 10
CFG
  } > "$S/$name.conf"
  $NETNS_EXEC /usr/sbin/sshd -f "$S/$name.conf" -D -e 2>>"$S/$name.log" &
  local pid=$!
  t_cleanup "kill $pid"
  for _ in $(seq 1 50); do grep -q 'Server listening' "$S/$name.log" 2>/dev/null && return 0; sleep 0.1; done
  echo "sshd $name did not start:"; cat "$S/$name.log"; return 1
}
accepted() { grep -c 'Accepted ' "$S/$1.log"; }

SSHPORT=$(free_port)
PLUGPORT=$(free_port)
NETNS_EXEC= start_sshd lo "127.0.0.1:$SSHPORT" "[::1]:$SSHPORT" || { t_fail "loopback sshd starts"; t_finish; }
python3 "$RESPONDER" 127.0.0.1 "$PLUGPORT" "$T_TMP/plugin-lo.log" &
t_cleanup "kill $!"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PLUGPORT/v1.0/gpu/info/json" >/dev/null && break; sleep 0.1; done
: > "$T_TMP/plugin-lo.log"

hostkey() { cut -d' ' -f1,2 "$S/host_ed25519.pub"; }
KH=$HOME/.ssh/known_hosts
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"

# query HOST [REQUEST...]: the plugin client over SSH as $TUSER to HOST:$SSHPORT, plugin port
# $PLUGPORT there (requests: cli, info; default cli); `nv USER@HOST:SSHPORT:PLUGINPORT REQ...`
# for other addresses. Output and errors on stdout.
nv() { local addr=$1; shift; NV_HOST="ssh://$addr" "$QUERY" "${@:-cli}" </dev/null 2>&1; }
query() { local host=$1; shift; nv "$TUSER@$host:$SSHPORT:$PLUGPORT" "$@"; }

# --- key file (default ~/.ssh/id_ed25519: libssh2 1.10 + OpenSSL 3 reads OpenSSH-format ed25519)
out=$(query 127.0.0.1)
t_match "default identity file ~/.ssh/id_ed25519 authenticates, answer comes back" 'device /dev/nvidia0' "$out"

# --- one SSH connection, one channel, one plugin connection for several requests
before=$(accepted lo)
: > "$T_TMP/plugin-lo.log"
out=$(query 127.0.0.1 cli info cli)
t_eq "three requests answered" "2 1" "$(grep -c volume-driver <<<"$out") $(grep -c '^cuda ' <<<"$out")"
t_eq "one SSH handshake for three requests" $((before + 1)) "$(accepted lo)"
t_match "one connection as the client counts it" 'connections 1' "$out"
t_eq "one connection at the plugin (one channel over one socket)" 1 "$(grep -c connection "$T_TMP/plugin-lo.log")"

# --- hashed known_hosts name
cp "$KH" "$T_TMP/kh.plain"
ssh-keygen -q -H -f "$KH" >/dev/null 2>&1; rm -f "$KH.old"
t_check "known_hosts is hashed now" grep -q '^|1|' "$KH"
out=$(query 127.0.0.1)
t_match "hashed [host]:port entry verifies the host key" 'volume-driver' "$out"
cp "$T_TMP/kh.plain" "$KH"

# --- a NUL byte in known_hosts hides nothing after it (read line by line, as OpenSSH does)
{ printf 'garbage\0line\n'; echo "[127.0.0.1]:$SSHPORT $(hostkey)"; } > "$KH"
out=$(query 127.0.0.1)
t_match "known_hosts line after a NUL byte is still read" 'volume-driver' "$out"
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"

# --- a plain "host" line does not vouch for another port (as ssh)
echo "127.0.0.1 $(hostkey)" > "$KH"
out=$(query 127.0.0.1); rc=$?
t_eq "127.0.0.1 entry does not cover port $SSHPORT: fails" 1 "$rc"
t_match "unknown host: says how to accept it" "host key of \\[127.0.0.1\\]:$SSHPORT is not known .*connect once with \`ssh -p $SSHPORT $TUSER@127.0.0.1\` to verify and add it" "$out"

# --- unknown host (empty known_hosts), global file counts
: > "$KH"
out=$(query 127.0.0.1); rc=$?
t_eq "unknown host key: exit 1" 1 "$rc"
t_match "unknown host key: message" "is not known" "$out"
t_eq "unknown host key: no answer printed" "" "$(grep volume-driver <<<"$out")"
t_check "known_hosts was not written" test ! -s "$KH"

# --- changed host key: never accepted, even with StrictHostKeyChecking no
echo "[127.0.0.1]:$SSHPORT $(cut -d' ' -f1,2 "$T_TMP/other_host_key.pub")" > "$KH"
out=$(query 127.0.0.1); rc=$?
t_eq "changed host key: exit 1" 1 "$rc"
t_match "changed host key: loud message" "HOST KEY OF \\[127.0.0.1\\]:$SSHPORT HAS CHANGED.*man-in-the-middle.*ssh-keygen -R" "$out"
printf 'Host *\n  StrictHostKeyChecking no\n' > "$HOME/.ssh/config"
out=$(query 127.0.0.1); rc=$?
t_eq "changed host key with StrictHostKeyChecking no: still refused" 1 "$rc"

# --- StrictHostKeyChecking no: unknown host accepted with a warning
: > "$KH"
out=$(query 127.0.0.1); rc=$?
t_eq "StrictHostKeyChecking no: unknown host accepted" 0 "$rc"
t_match "StrictHostKeyChecking no: warning on stderr" "Warning: host key of .* is not known and is accepted because of StrictHostKeyChecking no" "$out"
rm -f "$HOME/.ssh/config"

# --- revoked key
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"
echo "@revoked * $(hostkey)" >> "$KH"
out=$(query 127.0.0.1); rc=$?
t_eq "@revoked host key: refused" 1 "$rc"
t_match "@revoked host key: message" "REVOKED" "$out"

# --- GlobalKnownHostsFile / UserKnownHostsFile from the config, other odd lines skipped
: > "$KH"
{ echo "@cert-authority *.example.com $(hostkey)"; echo "garbage line"; echo "[127.0.0.1]:$SSHPORT $(hostkey)"; } > "$T_TMP/custom_known"
printf 'Host 127.0.0.1\n  UserKnownHostsFile %s\n' "$T_TMP/custom_known" > "$HOME/.ssh/config"
out=$(query 127.0.0.1)
t_match "UserKnownHostsFile from ~/.ssh/config is used; odd lines skipped" 'volume-driver' "$out"

# --- files that are no such files: the message names the file and the limit
printf 'Host 127.0.0.1\n  UserKnownHostsFile /dev/zero\n' > "$HOME/.ssh/config"
out=$(query 127.0.0.1); rc=$?
t_match "UserKnownHostsFile /dev/zero: named, with its limit" "known hosts file /dev/zero is larger than 16 MiB" "$out"
t_eq "UserKnownHostsFile /dev/zero: exit 1, nothing about argument lists" "1:" "$rc:$(grep -i 'argument list' <<<"$out")"
printf 'Include /dev/zero\n' > "$HOME/.ssh/config"
out=$(query 127.0.0.1); rc=$?
t_match "Include /dev/zero: named, with its limit and where it was included" "$HOME/.ssh/config:1: Include /dev/zero: SSH configuration file /dev/zero is larger than 1 MiB" "$out"
t_eq "Include /dev/zero: exit 1" 1 "$rc"
printf 'Host 127.0.0.1\n  IdentityFile /dev/zero\n  IdentitiesOnly yes\n' > "$HOME/.ssh/config"
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"
out=$(NV_HOST="ssh://$TUSER@127.0.0.1:$SSHPORT:$PLUGPORT" setsid "$QUERY" cli </dev/null 2>&1); rc=$?
t_match "IdentityFile /dev/zero: named in the tried list, with its limit" "tried: /dev/zero \\(larger than 1 MiB: not a private key file\\)" "$out"
rm -f "$HOME/.ssh/config"
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"

# --- only the ecdsa host key known: negotiated first (the server would prefer another)
echo "[127.0.0.1]:$SSHPORT $(cut -d' ' -f1,2 "$S/host_ecdsa.pub")" > "$KH"
out=$(query 127.0.0.1)
t_match "host key algorithm follows the known key type (ecdsa)" 'volume-driver' "$out"
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"

# --- only a key of a type the server does not have (RSA) is known: unknown, and says why
echo "[127.0.0.1]:$SSHPORT $(cut -d' ' -f1,2 "$T_TMP/rsa_key.pub")" > "$KH"
out=$(query 127.0.0.1); rc=$?
t_eq "only an RSA key known, server has none: refused" 1 "$rc"
t_match "only an RSA key known: message names it" "holds a key of type ssh-rsa for it, which the server did not offer" "$out"
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"

# --- plugin not running on the remote host
DEADPORT=$(free_port)
out=$(nv "$TUSER@127.0.0.1:$SSHPORT:$DEADPORT"); rc=$?
t_eq "plugin absent: exit 1" 1 "$rc"
t_match "plugin absent: names the step" "the plugin is not listening on 127.0.0.1:$DEADPORT on 127.0.0.1 \\(channel open refused\\); is nvidia-docker-plugin running there\\?" "$out"

# --- sshd not running / wrong port
out=$(nv "$TUSER@127.0.0.1:$DEADPORT:$PLUGPORT"); rc=$?
t_eq "no sshd on the port: exit 1" 1 "$rc"
t_match "no sshd on the port: names the step" "cannot connect to the SSH server 127.0.0.1 port $DEADPORT \\(127.0.0.1\\): Connection refused" "$out"
out=$(nv "$TUSER@127.0.0.1:$PLUGPORT:$PLUGPORT"); rc=$?
t_eq "wrong port (an HTTP server): exit 1" 1 "$rc"
t_match "wrong port (an HTTP server): handshake step named" "SSH handshake with 127.0.0.1 port $PLUGPORT failed" "$out"

# --- servers that never finish the handshake: given up within ConnectTimeout, whatever they
# send (libssh2 alone would read non-banner lines forever, at full CPU)
misbehave() { # PORT MODE: lines (hello\r\n as fast as possible), trickle (one line a second),
              # silent (a valid banner, then nothing)
  python3 - "$1" "$2" <<'PYSRV' &
import socket, sys, threading, time
port, mode = int(sys.argv[1]), sys.argv[2]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(16)
def serve(c):
    try:
        if mode == "lines":
            chunk = b"hello\r\n" * 4096
            while True: c.sendall(chunk)
        elif mode == "trickle":
            while True: c.sendall(b"hello\r\n"); time.sleep(1)
        else:
            c.sendall(b"SSH-2.0-OpenSSH_9.2\r\n"); time.sleep(3600)
    except OSError:
        pass
    finally:
        c.close()
deadline = time.time() + 300
while time.time() < deadline:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYSRV
  t_cleanup "kill $!"
  for _ in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $1)).close()" 2>/dev/null && return 0; sleep 0.1; done
}
FLOOD=$(free_port); misbehave "$FLOOD" lines
TRICKLE=$(free_port); misbehave "$TRICKLE" trickle
SILENT=$(free_port); misbehave "$SILENT" silent
printf 'Host 127.0.0.1\n  ConnectTimeout 2\n' > "$HOME/.ssh/config"
out=$(timeout 60 bash -c 'NV_HOST=ssh://'"$TUSER"'@127.0.0.1:'"$FLOOD"':1 exec "$0" cli </dev/null 2>&1' "$QUERY"); rc=$?
t_eq "endless non-SSH lines: exit 1 (not killed by the test's timeout)" 1 "$rc"
t_match "endless non-SSH lines: given up after OpenSSH's 1024 lines" "SSH handshake with 127.0.0.1 port $FLOOD failed: the server sent more than 1024 lines without an SSH version line" "$out"
out=$(timeout 60 bash -c 'NV_HOST=ssh://'"$TUSER"'@127.0.0.1:'"$TRICKLE"':1 exec "$0" cli </dev/null 2>&1' "$QUERY"); rc=$?
t_eq "a line a second, never a version line: exit 1" 1 "$rc"
t_match "a line a second: given up at ConnectTimeout" "SSH handshake with 127.0.0.1 port $TRICKLE failed: not done within 2 s \\(ConnectTimeout; the server sent no SSH version line\\)" "$out"
out=$(timeout 60 bash -c 'NV_HOST=ssh://'"$TUSER"'@127.0.0.1:'"$SILENT"':1 exec "$0" cli </dev/null 2>&1' "$QUERY"); rc=$?
t_eq "a version line, then silence: exit 1" 1 "$rc"
t_match "a version line, then silence: given up at ConnectTimeout" "SSH handshake with 127.0.0.1 port $SILENT failed: not done within 2 s \\(ConnectTimeout\\)" "$out"
rm -f "$HOME/.ssh/config"

# --- name resolution
out=$(nv "$TUSER@nvd-no-such-host.invalid:"); rc=$?
t_eq "unresolvable host: exit 1" 1 "$rc"
t_match "unresolvable host: names the step" "cannot resolve the SSH host nvd-no-such-host.invalid" "$out"

# --- IPv6 literal (DOCKER_HOST's form takes an SSH port with an IPv6 host; 1.0's two numbers)
echo "[::1]:$SSHPORT $(hostkey)" >> "$KH"
out=$(DOCKER_HOST="ssh://$TUSER@[::1]:$SSHPORT:$PLUGPORT" "$QUERY" cli </dev/null 2>&1)
t_match "IPv6 ::1 works, checked as [::1]:port" 'volume-driver' "$out"

# --- other key formats: PEM ecdsa as IdentityFile, IdentitiesOnly
mv "$HOME/.ssh/id_ed25519" "$T_TMP/id_ed25519.away"
printf 'Host 127.0.0.1\n  IdentityFile %s\n  IdentitiesOnly yes\n' "$T_TMP/ecdsa_pem" > "$HOME/.ssh/config"
out=$(query 127.0.0.1)
t_match "PEM ecdsa key from IdentityFile" 'volume-driver' "$out"
# libssh2 1.10 signs with ssh-rsa (SHA-1) only, which OpenSSH >= 8.8 refuses (docs/remote.md)
printf 'Host 127.0.0.1\n  IdentityFile %s\n' "$T_TMP/rsa_key" > "$HOME/.ssh/config"
out=$(query 127.0.0.1); rc=$?
if [ "$rc" = 0 ]; then t_ok "RSA key (libssh2 signs with rsa-sha2 here)"; else
  t_match "RSA key refused by OpenSSH 9: failure names the key" "tried: .*rsa_key" "$out"; fi
rm -f "$HOME/.ssh/config"

# --- config alias: HostName, User, Port, IdentityFile with ~ and %d, negation, first value wins
cat > "$HOME/.ssh/config" <<CFG
Host gpu1 !gpu1-not
  HostName 127.0.0.1
  User $TUSER
  Port $SSHPORT
  IdentityFile %d/alias_key_copy
  ConnectTimeout 5
Host gpu*
  User somebody-else
  Port 1
CFG
cp "$T_TMP/alias_key" "$HOME/alias_key_copy"; chmod 600 "$HOME/alias_key_copy"
out=$(USER=root nv "gpu1:$PLUGPORT")
t_match "config alias gpu1 (HostName, User, Port, IdentityFile %d) behaves like ssh gpu1" 'volume-driver' "$out"
out=$(USER=root nv "gpu2:$PLUGPORT"); rc=$?
t_match "gpu2 gets the second block only (no HostName)" "cannot resolve the SSH host gpu2" "$out"
rm -f "$HOME/.ssh/config"

# --- no terminal: no keys usable, password would be needed
out=$(NV_HOST="ssh://$TUSER@127.0.0.1:$SSHPORT:$PLUGPORT" setsid "$QUERY" cli </dev/null 2>&1); rc=$?
t_eq "no terminal: exit 1" 1 "$rc"
t_match "no terminal: never prompts, says what was tried and what to do" "authentication failed for $TUSER@127.0.0.1 \\(tried: .*\\); no terminal to ask for a password; load your key into ssh-agent" "$out"
out=$(CI=true script -qec "NV_HOST=ssh://$TUSER@127.0.0.1:$SSHPORT:$PLUGPORT '$QUERY' cli" /dev/null </dev/null 2>&1); rc=$?
t_match "CI=true with a terminal: still no prompt" "no terminal to ask for a password" "$out"

# --- agent
eval "$(ssh-agent -s -a "$T_TMP/agent.sock")" >/dev/null
t_cleanup "kill $SSH_AGENT_PID"
ssh-add -q "$T_TMP/agent_key" 2>/dev/null
out=$(query 127.0.0.1)
t_match "agent key (SSH_AUTH_SOCK) authenticates" 'volume-driver' "$out"
kill "$SSH_AGENT_PID"; unset SSH_AGENT_PID
out=$(NV_HOST="ssh://$TUSER@127.0.0.1:$SSHPORT:$PLUGPORT" setsid "$QUERY" cli </dev/null 2>&1)
t_match "dead agent: named in the tried list" "agent \\(cannot contact the agent" "$out"
unset SSH_AUTH_SOCK

# --- terminal prompts (expect): encrypted key passphrase, password, wrong password
export NV_HOST="ssh://$TUSER@127.0.0.1:$SSHPORT:$PLUGPORT"
cp "$T_TMP/encrypted_key" "$HOME/.ssh/id_ecdsa"   # any default name; the file is ed25519
out=$(expect -c "
  set timeout 20
  spawn $QUERY cli
  expect \"Enter passphrase for key '$HOME/.ssh/id_ecdsa': \" { send \"secret words\r\" } timeout { exit 3 }
  expect eof {} timeout { exit 4 }
  catch wait r; exit [lindex \$r 3]" 2>&1); rc=$?
t_eq "encrypted key: passphrase asked on the terminal, exit 0" 0 "$rc"
t_match "encrypted key: answer comes back" 'volume-driver' "$out"
t_eq "encrypted key: passphrase not echoed" "" "$(grep 'secret words' <<<"$out")"
out=$(setsid "$QUERY" cli </dev/null 2>&1)
t_match "encrypted key without a terminal: skipped with a reason" "id_ecdsa \\(encrypted; no terminal for its passphrase\\)" "$out"
rm -f "$HOME/.ssh/id_ecdsa"

out=$(expect -c "
  set timeout 20
  spawn $QUERY cli
  expect \"$TUSER@127.0.0.1's password: \" { send \"$TPASS\r\" } timeout { exit 3 }
  expect eof {} timeout { exit 4 }
  catch wait r; exit [lindex \$r 3]" 2>&1); rc=$?
t_eq "password on the terminal: exit 0" 0 "$rc"
t_match "password on the terminal: answer comes back" 'volume-driver' "$out"
t_eq "password not echoed" "" "$(grep -F "$TPASS" <<<"$out")"

out=$(expect -c "
  set timeout 20
  spawn $QUERY cli
  expect \"password: \" { send \"wrong\r\" } timeout { exit 3 }
  expect \"password: \" { send \"wrong\r\" } timeout { exit 3 }
  expect \"password: \" { send \"wrong\r\" } timeout { exit 3 }
  expect eof {} timeout { exit 4 }
  catch wait r; exit [lindex \$r 3]" 2>&1); rc=$?
t_eq "wrong password three times: exit 1" 1 "$rc"
t_match "wrong password: message lists password" "authentication failed for $TUSER@127.0.0.1 \\(tried: .*password; the server accepts: publickey,password\\)" "$out"

# --- keyboard-interactive (sshd with PAM, no plain password method)
KIPORT=$(free_port)
{ sed -e 's/^UsePAM no/UsePAM yes/' -e 's/^PasswordAuthentication yes/PasswordAuthentication no/' \
      -e 's/^KbdInteractiveAuthentication no/KbdInteractiveAuthentication yes/' "$S/lo.conf" |
    grep -v '^ListenAddress'; echo "ListenAddress 127.0.0.1:$KIPORT"; } > "$S/ki.conf.in"
cp "$S/ki.conf.in" "$S/ki.conf"
/usr/sbin/sshd -f "$S/ki.conf" -D -e 2>>"$S/ki.log" &
t_cleanup "kill $!"
for _ in $(seq 1 50); do grep -q 'Server listening' "$S/ki.log" 2>/dev/null && break; sleep 0.1; done
echo "[127.0.0.1]:$KIPORT $(hostkey)" >> "$KH"
out=$(NV_HOST="ssh://$TUSER@127.0.0.1:$KIPORT:$PLUGPORT" expect -c "
  set timeout 20
  spawn $QUERY cli
  expect \"($TUSER@127.0.0.1) Password: \" { send \"$TPASS\r\" } timeout { exit 3 }
  expect eof {} timeout { exit 4 }
  catch wait r; exit [lindex \$r 3]" 2>&1); rc=$?
t_eq "keyboard-interactive (PAM) on the terminal: exit 0" 0 "$rc"
t_match "keyboard-interactive: answer comes back" 'volume-driver' "$out"
[[ "$out" =~ volume-driver ]] || tail -n 5 "$S/ki.log"
unset NV_HOST
mv "$T_TMP/id_ed25519.away" "$HOME/.ssh/id_ed25519"

# --- the remote host in its own network namespace
NS=nvd-ssh-$$
SUB=$(( $$ % 250 + 1 ))
HOSTIP=10.231.$SUB.1 NSIP=10.231.$SUB.2
if ip netns add "$NS" 2>/dev/null; then
  t_cleanup "ip netns delete $NS"
  ip link add "nvdsa$SUB" type veth peer name "nvdsb$SUB"
  t_cleanup "ip link delete nvdsa$SUB"
  ip link set "nvdsb$SUB" netns "$NS"
  ip addr add "$HOSTIP/30" dev "nvdsa$SUB"; ip link set "nvdsa$SUB" up
  ip netns exec "$NS" ip addr add "$NSIP/30" dev "nvdsb$SUB"
  ip netns exec "$NS" ip link set "nvdsb$SUB" up
  ip netns exec "$NS" ip link set lo up
  NETNS_EXEC="ip netns exec $NS" start_sshd ns "$NSIP:22" "[::1]:22" || t_fail "sshd in the namespace starts"
  ip netns exec "$NS" python3 "$RESPONDER" 127.0.0.1 3476 "$T_TMP/plugin-ns.log" &
  t_cleanup "kill $!"
  for _ in $(seq 1 50); do ip netns exec "$NS" curl -sf http://127.0.0.1:3476/v1.0/gpu/info/json >/dev/null && break; sleep 0.1; done
  t_check "plugin stand-in is not reachable from outside the namespace" \
    bash -c "! curl -sf -m 2 http://$NSIP:3476/v1.0/gpu/info/json"
  echo "$NSIP $(hostkey)" >> "$KH"
  out=$(nv "$TUSER@$NSIP:" info)
  t_match "remote host $NSIP: defaults (SSH port 22, plugin 127.0.0.1:3476 there)" 'GPU-remote-0000' "$out"
  printf 'Host gpu-ns\n  HostName %s\n  User %s\n' "$NSIP" "$TUSER" > "$HOME/.ssh/config"
  out=$(nv "gpu-ns:" info)
  t_match "remote host through a config alias" 'GPU-remote-0000' "$out"
  rm -f "$HOME/.ssh/config"
  out=$(nv "$TUSER@$NSIP:3477" info); rc=$?
  t_match "remote host: no plugin on 3477 there → channel step named" "not listening on 127.0.0.1:3477 on $NSIP" "$out"

  # --- ConnectTimeout: an address behind a link whose far end never answers (a veth pair
  # inside the namespace, a permanent neighbour entry: the SYN goes out and is dropped)
  ip link add "nvdva$SUB" netns "$NS" type veth peer name "nvdvb$SUB" netns "$NS"
  ip netns exec "$NS" ip addr add "10.232.$SUB.1/24" dev "nvdva$SUB"
  ip netns exec "$NS" ip link set "nvdva$SUB" up; ip netns exec "$NS" ip link set "nvdvb$SUB" up
  ip netns exec "$NS" ip neigh add "10.232.$SUB.9" lladdr 02:00:00:00:00:09 dev "nvdva$SUB" nud permanent
  printf 'Host blackhole\n  HostName 10.232.%s.9\n  ConnectTimeout 1\n' "$SUB" > "$HOME/.ssh/config"
  start=$(date +%s%N)
  out=$(ip netns exec "$NS" env HOME="$HOME" NV_HOST="ssh://$TUSER@blackhole:" "$QUERY" cli </dev/null 2>&1); rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  t_match "ConnectTimeout 1: TCP connect step named" "cannot connect to the SSH server blackhole port 22 \\(10.232.$SUB.9\\): no answer within 1 s \\(ConnectTimeout\\)" "$out"
  t_check "ConnectTimeout 1: gave up after about 1 s ($ms ms)" test "$ms" -ge 900 -a "$ms" -lt 5000
  rm -f "$HOME/.ssh/config"

  # --- the wrapper end to end: NV_HOST=ssh://... nvidia-docker run, docker = the recorder
  NVD=$NVD_BIN/nvidia-docker REC=$NVD_BUILD/tools/recorder FAKE=$NVD_BUILD/fakes/fake-plugin
  if [ -x "$NVD" ] && [ -x "$REC" ] && [ -x "$FAKE" ] && start_dockerd; then
    IMG=nvd-ssh-t$$-labelled
    t_cleanup "docker rmi -f $IMG"
    make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed="nvidia_driver"'
    ip netns exec "$NS" "$FAKE" --port 3478 --path /dev/nvidia7 --uuid GPU-55a00000-0000-0000-0000-000000000007 \
      --driver 535.9 --log "$T_TMP/fake-ns.log" --max-seconds 300 >/dev/null 2>&1 &
    t_cleanup "kill $!"
    for _ in $(seq 1 50); do ip netns exec "$NS" curl -sf http://127.0.0.1:3478/v1.0/gpu/info/json >/dev/null && break; sleep 0.1; done
    # wrap [VAR=value...] -- args: the wrapper with the recorder as docker; RC, ERR, RECORD
    wrap() {
      local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
      rm -f "$T_TMP/rec"
      env -u NV_GPU -u NV_DEBUG NV_DOCKER="$REC" NVD_RECORD="$T_TMP/rec" \
        DOCKER_HOST=unix:///var/run/docker.sock "${envs[@]}" "$NVD" "$@" </dev/null >/dev/null 2>"$T_TMP/err"
      RC=$?; ERR=$(cat "$T_TMP/err")
      RECORD=$([ -e "$T_TMP/rec" ] && tr '\n' ' ' <"$T_TMP/rec")
    }
    before=$(accepted ns)
    : > "$T_TMP/fake-ns.log"
    wrap NV_HOST="ssh://$TUSER@$NSIP:3478" -- run --rm "$IMG" true
    t_eq "e2e NV_HOST=ssh://$TUSER@$NSIP:3478 run: exit 0" 0 "$RC"
    t_match "e2e: the final argv has the remote plugin's device" "--device=/dev/nvidia7 .*$IMG true" "$RECORD"
    t_match "e2e: the remote plugin's volume (driver 535.9)" "nvidia_driver_535.9" "$RECORD"
    t_eq "e2e: one SSH handshake for the run" $((before + 1)) "$(accepted ns)"
    t_check "e2e: the plugin was asked" test -s "$T_TMP/fake-ns.log"
    t_eq "e2e: every request of the run over one channel (one client port at the plugin)" 1 \
      "$(awk '{print $1}' "$T_TMP/fake-ns.log" | sort -u | wc -l)"
    printf 'Host gpu1\n  HostName %s\n  User %s\n' "$NSIP" "$TUSER" > "$HOME/.ssh/config"
    before=$(accepted ns)
    wrap NV_HOST="ssh://gpu1:3478" USER=root -- run --rm "$IMG" true
    t_match "e2e NV_HOST=ssh://gpu1:3478 (alias from ~/.ssh/config) like ssh gpu1" "--device=/dev/nvidia7" "$RECORD"
    t_eq "e2e alias: one SSH handshake" $((before + 1)) "$(accepted ns)"
    rm -f "$HOME/.ssh/config"
    wrap NV_HOST="ssh://$TUSER@$NSIP:3479" -- run --rm "$IMG" true
    t_eq "e2e plugin absent remotely: exit 1, docker never started" "1:" "$RC:$RECORD"
    t_match "e2e plugin absent remotely: the step is named" "not listening on 127.0.0.1:3479 on $NSIP" "$ERR"
    : > "$KH"
    wrap NV_HOST="ssh://$TUSER@$NSIP:3478" -- run --rm "$IMG" true
    t_eq "e2e unknown host key: exit 1, docker never started" "1:" "$RC:$RECORD"
    t_match "e2e unknown host key: how to accept it" "host key of $NSIP is not known .*ssh $TUSER@$NSIP" "$ERR"
    # DOCKER_HOST=ssh://user@host (docker's form: SSH port 22, plugin 3476 there); the image
    # query then goes through the docker CLI, here the real one on the local engine.
    cat > "$T_TMP/forwarding" <<EOS
#!/bin/bash
for a in "\$@"; do case \$a in image|pull) DOCKER_HOST=unix:///var/run/docker.sock exec docker "\$@";; run|create) break;; esac; done
exec "$REC" "\$@"
EOS
    chmod +x "$T_TMP/forwarding"
    echo "$NSIP $(hostkey)" > "$KH"
    : > "$T_TMP/plugin-ns.log"
    before=$(accepted ns)
    wrap NV_DOCKER="$T_TMP/forwarding" DOCKER_HOST="ssh://$TUSER@$NSIP" -- run --rm "$IMG" true
    t_eq "e2e DOCKER_HOST=ssh://$TUSER@$NSIP run: exit 0" 0 "$RC"
    t_match "e2e DOCKER_HOST=ssh://: devices of the plugin on 127.0.0.1:3476 there" "--device=/dev/nvidia0 .*$IMG true" "$RECORD"
    t_eq "e2e DOCKER_HOST=ssh://: one SSH handshake" $((before + 1)) "$(accepted ns)"
    t_check "e2e DOCKER_HOST=ssh://: the stand-in on 3476 was asked" test -s "$T_TMP/plugin-ns.log"
    # IPv6 literal in brackets: the wrapper runs inside the namespace, whose ::1 has sshd on 22
    echo "::1 $(hostkey)" > "$KH"
    if ip netns exec "$NS" python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.connect(("::1",22))' 2>/dev/null; then
      rm -f "$T_TMP/rec"
      ip netns exec "$NS" env -u NV_GPU NV_DOCKER="$REC" NVD_RECORD="$T_TMP/rec" HOME="$HOME" \
        DOCKER_HOST=unix:///var/run/docker.sock NV_HOST="ssh://$TUSER@[::1]:3478" "$NVD" run --rm "$IMG" true </dev/null 2>"$T_TMP/err"
      t_match "e2e NV_HOST=ssh://$TUSER@[::1]:3478 (IPv6 literal)" "--device=/dev/nvidia7" "$([ -e "$T_TMP/rec" ] && tr '\n' ' ' <"$T_TMP/rec") $(cat "$T_TMP/err")"
    else
      t_fail "sshd in the namespace does not listen on [::1]:22"
    fi
    echo "$NSIP $(hostkey)" > "$KH"
  else
    echo "(wrapper end-to-end cases skipped: needs bin/nvidia-docker, fake-plugin and dockerd)"
  fi
else
  t_fail "cannot create network namespace $NS"
fi

# --- no leaks (valgrind) on one tunnel with three requests
echo "[127.0.0.1]:$SSHPORT $(hostkey)" > "$KH"
if [ -z "${NVD_SANITIZE:-}" ] && command -v valgrind >/dev/null; then
  NV_HOST="ssh://$TUSER@127.0.0.1:$SSHPORT:$PLUGPORT" valgrind -q --leak-check=full \
    --errors-for-leak-kinds=definite --error-exitcode=9 "$QUERY" cli info cli </dev/null >"$T_TMP/vg.out" 2>&1
  rc=$?
  t_eq "valgrind --leak-check=full: no errors, no definite leaks" 0 "$rc"
  [ "$rc" = 0 ] || tail -n 30 "$T_TMP/vg.out"
fi

t_finish
