# Real rootful podman for the tests, isolated from the machine and from other tests.
#
# podman (Debian 12: 4.3) reads CDI specs only from /etc/cdi and /var/run/cdi and its
# configuration from /etc/containers: a test that used them as they are would see, and
# disturb, whatever else runs on the machine. So the test runs in a mount namespace of its own
# (unshare -m, private propagation) where /run is a fresh tmpfs (hence /var/run/cdi, podman's
# runtime state and its API socket /run/podman/podman.sock are the test's own), /etc/cdi an
# empty directory, and /etc/containers the test's configuration: storage under the test's
# scratch directory (vfs on a tmpfs: works everywhere, and fast), runc, cgroupfs, no network needed (containers run
# with --network none), and rlimits within this machine's hard limits (podman's defaults exceed
# them on sandboxed machines). Nothing is pulled: images are imported from a busybox rootfs.
#
# Use, before sourcing common.sh (the re-executed test starts afresh in the namespace):
#   . "$(dirname "$0")/../lib/podman.sh"; podman_sandbox_enter "$@"
#   . "$(dirname "$0")/../lib/common.sh"; podman_sandbox_setup "$T_TMP/podman"

# Re-executes the test in a private mount namespace, or says why it cannot (exit 0 = skipped).
podman_sandbox_enter() {
  [ -n "${NVD_PODMAN_SANDBOX:-}" ] && return 0
  local why=
  if [ "$(id -u)" != 0 ]; then why="rootful podman needs root"
  elif ! command -v podman >/dev/null; then why="podman not installed (make deps)"
  elif ! unshare -m --propagation private true 2>/dev/null; then why="cannot make a mount namespace (unshare -m)"
  fi
  if [ -n "$why" ]; then
    local name; name=$(basename "$0" .sh)
    echo "1..0 # SKIP $why"; echo "# $name: 0 passed, 0 failed"; exit 0
  fi
  exec env NVD_PODMAN_SANDBOX=1 unshare -m --propagation private bash "$0" "$@"
}

# podman_sandbox_setup DIR: the mounts and configuration described above (DIR: scratch).
podman_sandbox_setup() {
  local dir=$1 nofile nproc
  mkdir -p "$dir/etc" "$dir/storage" "$dir/runroot" "$dir/empty-cdi" "$dir/tmp"
  mount -t tmpfs -o mode=0755 nvd-run /run || return 1
  # Podman's database syncs every write: on a tmpfs a container is made several times faster.
  mount -t tmpfs -o mode=0700 nvd-podman-storage "$dir/storage" || return 1
  t_cleanup "umount -l '$dir/storage'"
  mkdir -p /run/lock
  [ -d /etc/cdi ] && { mount --bind "$dir/empty-cdi" /etc/cdi || return 1; }
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=65536
  [ "$nofile" -gt 65536 ] && nofile=65536
  nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
  cat >"$dir/etc/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:$nofile", "nproc=$nproc:$nproc"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
tmp_dir = "$dir/tmp"
CONF
  cat >"$dir/etc/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/runroot"
CONF
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$dir/etc/policy.json"
  : >"$dir/etc/registries.conf"
  mkdir -p /etc/containers && mount --bind "$dir/etc" /etc/containers || return 1
  unset CONTAINERS_CONF CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF CONTAINER_HOST \
    CONTAINER_CONNECTION
  export PODMAN_SANDBOX_DIR=$dir
}

# podman_make_image NAME [podman import -c ...]: a busybox image, imported (nothing is pulled).
podman_make_image() {
  local name=$1 root; shift
  root=$(mktemp -d "$PODMAN_SANDBOX_DIR/rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/dev"
  cp /bin/busybox "$root/bin/busybox"
  local a
  for a in sh ls cat echo env true false sleep test grep readlink stat touch id; do
    ln -sf busybox "$root/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  local rc=0
  tar -C "$root" -cf - . | podman import "$@" - "$name" >/dev/null 2>"$root.log" || rc=$?
  [ "$rc" = 0 ] || cat "$root.log" >&2
  rm -rf "$root" "$root.log"
  return $rc
}

# podman_sandbox_dev MINOR...: a /dev of the sandbox's own (tmpfs) holding the usual nodes and
# the simulated NVIDIA nodes (nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia<MINOR>: real
# character devices with NVIDIA's numbers), so that the plugin, podman and the wrapper's access
# checks all see these GPUs at their real paths, and nothing else of this machine's /dev.
podman_sandbox_dev() {
  mount -t tmpfs -o mode=0755,nosuid nvd-dev /dev || return 1
  local node
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0 \
              nvidiactl:195:255 nvidia-uvm:238:0 nvidia-uvm-tools:238:1; do
    IFS=: read -r name major minor <<<"$node"
    mknod -m 0666 "/dev/$name" c "$major" "$minor" || return 1
  done
  local m
  for m in "$@"; do mknod -m 0666 "/dev/nvidia$m" c 195 "$m" || return 1; done
  mkdir -p /dev/pts /dev/shm
  mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts && ln -s pts/ptmx /dev/ptmx
  mount -t tmpfs -o mode=1777 shm /dev/shm
  ln -s /proc/self/fd /dev/fd
  ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
}
