# Shared helpers for the black-box tests in tests/integration and the benchmarks in bench/.
# Source it from bash:  . "$(dirname "$0")/../lib/common.sh"
# Paths: NVD_BIN (binaries, default bin), NVD_BUILD (objects and helpers, default build).
# Results are TAP (prove -e bash tests/integration/test_x.sh runs one): t_ok / t_fail / t_check
# print "ok N - ..." / "not ok N - ...", details as "# " comments; t_finish prints the plan
# "1..N" and "# <name>: N passed, N failed" (what tests/run.sh adds up), and exits.

NVD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$NVD_ROOT/tests/lib/mounts.sh"
NVD_BIN=$(cd "$NVD_ROOT" && cd "${NVD_BIN:-bin}" && pwd)
NVD_BUILD=$(cd "$NVD_ROOT" && mkdir -p "${NVD_BUILD:-build}" && cd "${NVD_BUILD:-build}" && pwd)
T_NAME=$(basename "$0" .sh)
T_PASSED=0
T_FAILED=0
T_TMP=$(mktemp -d "/tmp/nvd-$T_NAME.XXXXXX")
T_CLEANUPS=()

t_on_exit() {
  local i
  for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1 || true; done
  unmount_under "$T_TMP" 2>/dev/null
  rm -rf "$T_TMP"
}
trap t_on_exit EXIT
# Registers a command to run when the test exits (last registered runs first).
t_cleanup() { T_CLEANUPS+=("$*"); }

t_ok() { T_PASSED=$((T_PASSED + 1)); echo "ok $((T_PASSED + T_FAILED)) - $*"; }
t_fail() { T_FAILED=$((T_FAILED + 1)); echo "not ok $((T_PASSED + T_FAILED)) - $*"; }
# t_check "description" command...: passes when the command exits 0.
t_check() {
  local what=$1; shift
  if "$@"; then t_ok "$what"; else t_fail "$what"; fi
}
# t_eq "description" expected actual
t_eq() {
  if [ "$2" == "$3" ]; then t_ok "$1"; else
    t_fail "$1"; printf '#      expected: %q\n#      actual:   %q\n' "$2" "$3"; fi
}
# t_match "description" extended-regex actual
t_match() {
  if [[ "$3" =~ $2 ]]; then t_ok "$1"; else
    t_fail "$1"; printf '#      pattern: %s\n#      actual:  %q\n' "$2" "$3"; fi
}
t_finish() {
  echo "1..$((T_PASSED + T_FAILED))"
  echo "# $T_NAME: $T_PASSED passed, $T_FAILED failed"
  [ "$T_FAILED" -eq 0 ]
  exit
}
# Skips the whole test (counts as neither passed nor failed) with a reason.
t_skip_all() { echo "1..0 # SKIP $*"; echo "# $T_NAME: 0 passed, 0 failed"; exit 0; }

# t_lock NAME: one test at a time holds /tmp/nvd-NAME.lock (kept on an fd until the test exits).
# Waits at most 10 minutes, then fails the test with the holders' PIDs instead of hanging.
t_lock() {
  local fd
  exec {fd}>"/tmp/nvd-$1.lock"
  flock -w 600 "$fd" && return 0
  t_fail "lock /tmp/nvd-$1.lock taken (held by PIDs:$(fuser /tmp/nvd-"$1".lock 2>/dev/null))"
  t_finish
}

# spawn_detached LOG COMMAND...: starts COMMAND in a session of its own, stdin from /dev/null,
# output to LOG, and with none of this shell's other descriptors: a daemon that outlives the test
# (dockerd) must not inherit, and so hold forever, a lock that a test took with flock.
spawn_detached() {
  local log=$1; shift
  (
    local f
    for f in /proc/"$BASHPID"/fd/*; do
      f=${f##*/}
      [ "$f" -gt 2 ] && eval "exec $f>&-"
    done 2>/dev/null
    exec setsid "$@" >"$log" 2>&1 </dev/null
  ) &
}

# Starts the machine's Docker engine on /var/run/docker.sock unless one answers already.
# Serialised with a lock so that concurrent tests start one engine.
start_dockerd() {
  command -v dockerd >/dev/null || { echo "dockerd not installed (make deps)" >&2; return 1; }
  (
    flock -w 120 9 || { echo "start_dockerd: /tmp/nvd-dockerd.lock held for 2 minutes by PIDs:$(fuser /tmp/nvd-dockerd.lock 2>/dev/null)" >&2; exit 1; }
    if docker version >/dev/null 2>&1; then exit 0; fi
    spawn_detached /tmp/nvd-dockerd.log dockerd
    for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && exit 0; sleep 0.25; done
    echo "dockerd did not start; see /tmp/nvd-dockerd.log" >&2
    exit 1
  ) 9>/tmp/nvd-dockerd.lock
}

# stop_plugin: stops the daemon a test or benchmark started in the background (its PID in $PID)
# and removes its socket ($SOCK); nothing when $PID is empty.
stop_plugin() {
  [ -n "$PID" ] || return 0
  kill "$PID" 2>/dev/null
  wait "$PID" 2>/dev/null
  PID=
  rm -f "$SOCK"
}

# make_image NAME [docker import --change ...]: a busybox image built locally (nothing is pulled).
# Example: make_image nvd-test/cuda -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'
make_image() {
  local name=$1; shift
  if docker image inspect "$name" >/dev/null 2>&1; then return 0; fi
  local root
  root=$(mktemp -d "$T_TMP/rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/dev"
  cp /bin/busybox "$root/bin/busybox"
  local a
  for a in sh ls cat echo env true false sleep test grep readlink stat; do ln -sf busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  tar -C "$root" -cf - . | docker import "$@" - "$name" >/dev/null
}

# t_account PREFIX: a throwaway local account for this run (root only): name PREFIX<pid>, no home,
# shell /bin/sh, a random password; sets T_ACCOUNT and T_ACCOUNT_PASSWORD. It is removed, with
# its group and any file it owns under /tmp, /var/tmp and /dev/shm, when the test exits (bash
# runs the EXIT trap on INT, TERM and HUP too). Accounts of runs that were killed outright
# (SIGKILL) are removed first: they carry the comment "nvidia-docker test PREFIX" and a pid that
# no longer runs.
t_account() {
  local prefix=$1 name pid
  while IFS=: read -r name _ _ _ comment _; do
    [ "$comment" = "nvidia-docker test $prefix" ] || continue
    pid=${name#"$prefix"}
    [[ "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null && userdel -f "$name" >/dev/null 2>&1
  done < <(getent passwd)
  T_ACCOUNT=$prefix$$
  T_ACCOUNT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  local try
  for try in 1 2 3 4 5 6 7 8 9 10; do # useradd fails while another one holds /etc/passwd's lock
    useradd -M -d /nonexistent -s /bin/sh -c "nvidia-docker test $prefix" "$T_ACCOUNT" 2>/dev/null && break
    sleep 0.$((RANDOM % 9 + 1))
  done
  id "$T_ACCOUNT" >/dev/null 2>&1 || { echo "t_account: cannot create $T_ACCOUNT" >&2; return 1; }
  t_cleanup "find /tmp /var/tmp /dev/shm -xdev -user $T_ACCOUNT -delete; userdel -f $T_ACCOUNT"
  echo "$T_ACCOUNT:$T_ACCOUNT_PASSWORD" | chpasswd
}

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for "description" command...: retries for up to 10 s (WAIT_SECONDS: another limit).
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 $((${WAIT_SECONDS:-10} * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for $what" >&2
  return 1
}
