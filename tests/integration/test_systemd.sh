#!/bin/bash
# The systemd unit: `systemd-analyze verify` passes on it as installed (paths rewritten to a
# temporary prefix, so that the programs it names exist), it has the ordering, readiness
# (Type=notify; the protocol itself is driven for real in test_plugin_service.sh), reload,
# restart and options the design needs, and its no-GPU check skips the unit with a logged reason.
. "$(dirname "$0")/../lib/common.sh"
command -v systemd-analyze >/dev/null || t_skip_all "systemd-analyze not installed (make deps)"

root=$T_TMP/root
make -s -C "$NVD_ROOT" install-extras PREFIX="$root/usr" SYSCONFDIR="$root/etc" \
  UNITDIR="$root/lib/systemd/system" >"$T_TMP/install.log" 2>&1 ||
  { cat "$T_TMP/install.log"; t_fail "make install-extras into a temporary prefix"; t_finish; }
install -D -m 0755 "$NVD_BIN/nvidia-docker-plugin" "$root/usr/bin/nvidia-docker-plugin"
unit=$root/lib/systemd/system/nvidia-docker-plugin.service
t_check "unit installed" test -f "$unit"
t_check "defaults file installed" test -f "$root/etc/default/nvidia-docker-plugin"

# verify: man pages are found through MANPATH (Documentation=man:...), programs at their paths.
out=$(MANPATH="$root/usr/share/man" systemd-analyze verify "$unit" 2>&1); rc=$?
t_eq "systemd-analyze verify: exit 0" 0 "$rc"
t_eq "systemd-analyze verify: no complaint" "" "$out"
# Control: verify does catch a broken unit (missing program, unknown key).
sed -e "s|$root/usr/bin/nvidia-docker-plugin|$root/usr/bin/missing-plugin|" -e 's|^Restart=|Restrat=|' \
  "$unit" >"$T_TMP/broken.service"
out=$(MANPATH="$root/usr/share/man" systemd-analyze verify "$T_TMP/broken.service" 2>&1); rc=$?
t_match "control: verify rejects a missing ExecStart program" 'missing-plugin' "$out"
t_match "control: verify reports an unknown key" 'Restrat' "$out"

has_line() { grep -qxF -- "$2" "$1"; } # file, exact line
t_check "ordered before docker" has_line "$unit" "Before=docker.service"
t_check "wanted by multi-user and docker" has_line "$unit" "WantedBy=multi-user.target docker.service"
t_check "restarted on failure" has_line "$unit" "Restart=on-failure"
t_check "readiness: Type=notify (READY=1 once both sockets answer)" has_line "$unit" "Type=notify"
t_check "readiness: only the main process notifies" has_line "$unit" "NotifyAccess=main"
t_check "reload: SIGHUP rediscovers the GPUs" has_line "$unit" 'ExecReload=/bin/kill -HUP $MAINPID'
t_check "descriptor limit for 2 x 4096 connections" has_line "$unit" "LimitNOFILE=16384"
t_check "restart loop bounded (StartLimitBurst)" has_line "$unit" "StartLimitBurst=5"
t_check "nvidia-modprobe first, absence tolerated" has_line "$unit" "ExecStartPre=-/usr/bin/nvidia-modprobe -u -c=0"
t_check "options from the defaults file (optional)" has_line "$unit" "EnvironmentFile=-$root/etc/default/nvidia-docker-plugin"
t_check "ExecStart passes NVIDIA_DOCKER_PLUGIN_OPTS" has_line "$unit" "ExecStart=$root/usr/bin/nvidia-docker-plugin \$NVIDIA_DOCKER_PLUGIN_OPTS"
t_check "no-GPU check is an ExecCondition (skips, does not fail)" has_line "$unit" "ExecCondition=$root/usr/lib/nvidia-docker/nvidia-docker-plugin-check"
# The packaged unit (not rewritten) names the /usr paths.
t_check "packaged unit uses /usr/bin" has_line "$NVD_ROOT/contrib/systemd/nvidia-docker-plugin.service" \
  "ExecStart=/usr/bin/nvidia-docker-plugin \$NVIDIA_DOCKER_PLUGIN_OPTS"

# The defaults file is valid shell with the variable the unit reads.
opts=$(env -i sh -c ". '$root/etc/default/nvidia-docker-plugin' && echo \"set:\${NVIDIA_DOCKER_PLUGIN_OPTS+yes}\"")
t_eq "defaults file sets NVIDIA_DOCKER_PLUGIN_OPTS" "set:yes" "$opts"

# The ExecCondition: exit 1 with a reason when there is no driver, 0 when there is one.
check=$root/usr/lib/nvidia-docker/nvidia-docker-plugin-check
printf '\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6\n' >"$T_TMP/cache.none"
printf '\tlibnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n' >"$T_TMP/cache.nvml"
touch "$T_TMP/proc-version"
out=$(env -i PATH=/usr/bin:/bin "$check" "$T_TMP/cache.none" 2>&1); rc=$?
t_eq "check: no driver -> exit 1 (unit skipped)" 1 "$rc"
t_match "check: says why" 'no NVIDIA GPU/driver on this machine' "$out"
out=$(env -i PATH=/usr/bin:/bin NVD_PROC_DRIVER="$T_TMP/proc-version" "$check" "$T_TMP/cache.nvml" 2>&1); rc=$?
t_eq "check: driver and module -> exit 0" "0:" "$rc:$out"
out=$(env -i PATH="$T_TMP/nopath" NVD_PROC_DRIVER=/nonexistent NVD_DEV_CTL=/nonexistent "$check" "$T_TMP/cache.nvml" 2>&1); rc=$?
t_eq "check: libraries but no module and no nvidia-modprobe -> exit 1" 1 "$rc"
t_match "check: names nvidia-modprobe" 'nvidia-modprobe' "$out"
mkdir -p "$T_TMP/modprobe" && printf '#!/bin/sh\nexit 0\n' >"$T_TMP/modprobe/nvidia-modprobe" && chmod +x "$T_TMP/modprobe/nvidia-modprobe"
out=$(env -i PATH="$T_TMP/modprobe" NVD_PROC_DRIVER=/nonexistent NVD_DEV_CTL=/nonexistent "$check" "$T_TMP/cache.nvml" 2>&1); rc=$?
t_eq "check: module not loaded but nvidia-modprobe present -> exit 0" 0 "$rc"
out=$(env -i PATH=/usr/bin:/bin NVIDIA_DOCKER_PLUGIN_SKIP_CHECK=1 "$check" "$T_TMP/cache.none" 2>&1); rc=$?
t_eq "check: NVIDIA_DOCKER_PLUGIN_SKIP_CHECK=1 -> exit 0" 0 "$rc"
# On this machine, the real ldconfig cache decides; the answer must be 0 or 1, never a crash.
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$check" >/dev/null 2>&1; rc=$?
t_match "check: runs on this machine (0 or 1)" '^[01]$' "$rc"
t_finish
