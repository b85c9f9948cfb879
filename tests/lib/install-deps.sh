#!/bin/sh
# Installs what building, testing, fuzzing, benchmarking and packaging need, on Debian 12 (root).
# Idempotent: a machine that already has everything only pays for the dpkg query.
set -eu
PACKAGES="build-essential pkg-config clang libclang-rt-14-dev
 libcurl4-openssl-dev libjansson-dev libssh2-1-dev libelf-dev zlib1g-dev libcunit1-dev
 docker.io busybox-static openssh-server openssh-client iproute2 socat expect
 wrk hyperfine valgrind nginx docker-compose bash-completion zsh fish lintian dpkg-dev fakeroot systemd mandoc
 procps psmisc curl jq
 podman python3-jsonschema golang-github-container-orchestrated-devices-container-device-interface-dev
 docker-registry sudo rootlesskit uidmap"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing; run as root (sudo make deps)" >&2
    exit 1
  fi
  echo "install-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # nginx is for `make bench` only (started there on a free loopback port with a config of its
  # own): its package must not start a web server for the machine. policy-rc.d (see
  # invoke-rc.d(8)) keeps the install from starting services, when none is in place already.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
