#!/bin/bash
# The Debian package: `make deb` builds it; lintian finds no error; dpkg installs it with every
# file in place and the unit enabled; nvidia-docker runs from /usr/bin with the version of the
# VERSION file (as do the plugin, the man pages and the package); remove and purge leave nothing
# behind, with no plugin running and no systemd (like this machine).
. "$(dirname "$0")/../lib/common.sh"
for c in dpkg-deb dpkg-shlibdeps lintian; do
  command -v "$c" >/dev/null || t_skip_all "$c not installed (make deps)"
done
version=$(cat "$NVD_ROOT/VERSION")

# One package test at a time on this machine (dpkg has one database).
t_lock deb

# A make of its own: not the variables of a `make sanitize` that may have started this test.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$NVD_ROOT" deb \
  >"$T_TMP/deb.out" 2>"$T_TMP/deb.err"
deb=$(tail -n 1 "$T_TMP/deb.out")
if [ ! -f "$NVD_ROOT/$deb" ]; then
  cat "$T_TMP/deb.out" "$T_TMP/deb.err"; tail -n 20 "$NVD_ROOT/build/deb/build.log" 2>/dev/null
  t_fail "make deb builds a package"; t_finish
fi
deb=$NVD_ROOT/$deb
arch=$(dpkg --print-architecture)
t_eq "package file name" "nvidia-docker_${version}_${arch}.deb" "$(basename "$deb")"
t_eq "package version = VERSION" "$version" "$(dpkg-deb -f "$deb" Version)"
t_match "Depends computed from the ELF files (libc6 at least)" 'libc6 \(>= ' "$(dpkg-deb -f "$deb" Depends)"
t_eq "docker is recommended, not required" "docker.io | docker-ce | docker-ee" "$(dpkg-deb -f "$deb" Recommends)"
t_eq "the defaults file is a conffile" "/etc/default/nvidia-docker-plugin" "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)"

lintian --tag-display-limit 0 "$deb" >"$T_TMP/lintian.out" 2>&1
grep -E '^[EW]:' "$T_TMP/lintian.out" | sed 's/^/       lintian: /'
t_eq "lintian: no errors" "" "$(grep -E '^E:' "$T_TMP/lintian.out")"

# Installing touches the machine: only when nothing of ours is there already.
if dpkg-query -W -f='${Status}' nvidia-docker 2>/dev/null | grep -q installed ||
  [ -e /var/lib/nvidia-docker ] || [ -e /etc/default/nvidia-docker-plugin ] || [ -e /usr/bin/nvidia-docker ]; then
  echo "(nvidia-docker is already installed or its directories exist: install part skipped)"
  t_finish
fi
t_cleanup "dpkg --purge nvidia-docker"
out=$(dpkg -i "$deb" 2>&1); rc=$?
t_eq "dpkg -i: exit 0" 0 "$rc"
[ "$rc" = 0 ] || echo "$out"
files=$(dpkg -L nvidia-docker)
for f in /usr/bin/nvidia-docker /usr/bin/nvidia-docker-plugin /usr/lib/nvidia-docker/nvidia-docker-run.so \
  /usr/lib/nvidia-docker/nvidia-docker-plugin-check /lib/systemd/system/nvidia-docker-plugin.service \
  /etc/default/nvidia-docker-plugin /usr/share/man/man1/nvidia-docker.1.gz \
  /usr/share/man/man8/nvidia-docker-plugin.8.gz /usr/share/bash-completion/completions/nvidia-docker \
  /usr/share/zsh/vendor-completions/_nvidia-docker /usr/share/fish/vendor_completions.d/nvidia-docker.fish \
  /usr/share/doc/nvidia-docker/README.md /usr/share/doc/nvidia-docker/copyright \
  /usr/share/doc/nvidia-docker/docs/troubleshooting.md /usr/share/doc/nvidia-docker/docs/rest-api.md \
  /usr/share/doc/nvidia-docker/changelog.gz; do
  if grep -qxF "$f" <<<"$files" && [ -e "$f" ]; then t_ok "installed: $f"; else t_fail "installed: $f"; fi
done
t_check "unit enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/nvidia-docker-plugin.service
t_check "unit enabled (docker.service.wants)" test -L /etc/systemd/system/docker.service.wants/nvidia-docker-plugin.service

# Versions: one number, from VERSION, everywhere.
t_eq "/usr/bin/nvidia-docker version banner" "NVIDIA Docker: $version" "$(NV_DOCKER=true /usr/bin/nvidia-docker version 2>&1 | head -n 1)"
t_eq "/usr/bin/nvidia-docker-plugin -v" "NVIDIA Docker plugin: $version" "$(/usr/bin/nvidia-docker-plugin -v 2>&1 | head -n 1)"
t_eq "built nvidia-docker version banner" "NVIDIA Docker: $version" "$(NV_DOCKER=true "$NVD_BIN/nvidia-docker" version 2>&1 | head -n 1)"
t_eq "built nvidia-docker-plugin -v" "NVIDIA Docker plugin: $version" "$("$NVD_BIN/nvidia-docker-plugin" -v 2>&1 | head -n 1)"
t_match "man page nvidia-docker(1) shows the version" "^\.Os nvidia-docker $version\$" "$(zcat /usr/share/man/man1/nvidia-docker.1.gz | grep '^\.Os')"
t_match "man page nvidia-docker-plugin(8) shows the version" "^\.Os nvidia-docker $version\$" "$(zcat /usr/share/man/man8/nvidia-docker-plugin.8.gz | grep '^\.Os')"
t_match "changelog names the version" "^nvidia-docker \($version\) " "$(zcat /usr/share/doc/nvidia-docker/changelog.gz | head -n 1)"
t_eq "installed package version" "$version" "$(dpkg-query -W -f='${Version}' nvidia-docker)"
if command -v mandoc >/dev/null; then
  t_eq "mandoc -T lint: no warnings (1)" "" "$(mandoc -T lint -W warning /usr/share/man/man1/nvidia-docker.1.gz 2>&1)"
  t_eq "mandoc -T lint: no warnings (8)" "" "$(mandoc -T lint -W warning /usr/share/man/man8/nvidia-docker-plugin.8.gz 2>&1)"
fi
t_eq "groff -ww: no warnings" "" "$(zcat /usr/share/man/man1/nvidia-docker.1.gz /usr/share/man/man8/nvidia-docker-plugin.8.gz | groff -mandoc -ww -z 2>&1)"

# The installed wrapper finds its run/create module (../lib/nvidia-docker next to /usr/bin) and
# gets as far as asking a plugin (none listens on port 1).
if start_dockerd 2>/dev/null && make_image nvd-deb/gpu -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'; then
  t_cleanup "docker rmi nvd-deb/gpu"
  out=$(NV_HOST=http://127.0.0.1:1 NV_TIMEOUT=5 /usr/bin/nvidia-docker run --rm nvd-deb/gpu true 2>&1); rc=$?
  t_eq "installed run path: exit 1 without a plugin" 1 "$rc"
  t_match "installed run path: module loaded, plugin asked" 'plugin not reachable at http://127\.0\.0\.1:1' "$out"
else
  echo "(no Docker engine: installed run path not checked)"
fi

# Remove with the plugin stopped (never started) and without systemd: must succeed.
echo 'NVIDIA_DOCKER_PLUGIN_OPTS="-l 127.0.0.1:3999"' >>/etc/default/nvidia-docker-plugin
out=$(dpkg -r nvidia-docker 2>&1); rc=$?
t_eq "dpkg -r with no plugin running: exit 0" 0 "$rc"
t_match "remove prints how to delete the driver volumes" 'docker volume ls -q -f driver=nvidia-docker' "$out"
t_check "binaries gone after remove" test ! -e /usr/bin/nvidia-docker -a ! -e /usr/bin/nvidia-docker-plugin -a ! -e /usr/lib/nvidia-docker
t_check "changed conffile kept after remove" grep -q 3999 /etc/default/nvidia-docker-plugin
# Purge: configuration, enablement state and the plugin's volume files go.
mkdir -p /var/lib/nvidia-docker/volumes/nvidia_driver/1.0/lib64 && touch /var/lib/nvidia-docker/volumes/nvidia_driver/1.0/lib64/x
out=$(dpkg --purge nvidia-docker 2>&1); rc=$?
t_eq "dpkg --purge: exit 0" 0 "$rc"
t_check "purge removes /etc/default/nvidia-docker-plugin" test ! -e /etc/default/nvidia-docker-plugin
t_check "purge removes /var/lib/nvidia-docker" test ! -e /var/lib/nvidia-docker
left=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
  -name 'nvidia-docker-plugin*' 2>/dev/null)
t_eq "no unit links or enablement state left" "" "$left"
t_eq "dpkg knows nothing of it" "" "$(dpkg-query -W -f='${Status}' nvidia-docker 2>/dev/null | grep -v 'not-installed')"
t_finish
