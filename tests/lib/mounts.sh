# unmount_under DIR: lazily unmounts every mount point below DIR, deepest first (the driver
# volume's read-only bind mounts, a test's tmpfs), so that DIR can then be removed. Sourced by
# tests/lib/common.sh (at each test's exit) and by the scripts of tests/gpu.
unmount_under() {
  awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
}
