#!/bin/bash
# Builds build/nvidia-docker_<version>_<arch>.deb with dpkg-deb from a staged `make install`.
# Called by `make deb` (MAKE and VERSION come from the Makefile). Run from the repository root.
#
# The binaries are built apart (build/deb/obj) with Debian's hardening flags (dpkg-buildflags),
# installed with PREFIX=/usr into build/deb/root, stripped; man pages and the changelog are
# gzipped; Depends is computed with dpkg-shlibdeps from the ELF files; docker is Recommended
# (docker.io, docker-ce and docker-ee all provide it; a Depends would pull an engine onto
# machines that use a remote one).
set -euo pipefail
cd "$(dirname "$0")/../.."
MAKE=${MAKE:-make}
VERSION=${VERSION:-$(cat VERSION)}
ARCH=$(dpkg --print-architecture)
PKG=nvidia-docker
OUT=build/${PKG}_${VERSION}_${ARCH}.deb
work=build/deb
root=$work/root
# Maintainer: DEBFULLNAME/DEBEMAIL (Debian's convention), else the git identity, else the project.
maint_name=${DEBFULLNAME:-$(git config user.name 2>/dev/null || true)}
maint_mail=${DEBEMAIL:-$(git config user.email 2>/dev/null || true)}
if [ -z "$maint_name" ] || [ -z "$maint_mail" ]; then
  maint_name="nvidia-docker developers" maint_mail="nvidia-docker@example.org"
fi
MAINTAINER="$maint_name <$maint_mail>"
rm -rf "$root" "$work/shlibs"
mkdir -p "$root"

# Build and stage. dpkg-buildflags: -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2, relro/now.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS)"
"$MAKE" --no-print-directory BUILD="$work/obj" OUT_BIN="$work/bin" OUT_LIB="$work/lib" \
  CFLAGS="$cflags" LDFLAGS="$ldflags" all >"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log"; echo "make deb: build failed (log: $work/build.log)" >&2; exit 1; }
"$MAKE" --no-print-directory BUILD="$work/obj" OUT_BIN="$work/bin" OUT_LIB="$work/lib" \
  CFLAGS="$cflags" LDFLAGS="$ldflags" install DESTDIR="$PWD/$root" PREFIX=/usr SYSCONFDIR=/etc \
  BASHCOMPDIR=/usr/share/bash-completion/completions ZSHCOMPDIR=/usr/share/zsh/vendor-completions \
  FISHCOMPDIR=/usr/share/fish/vendor_completions.d UNITDIR=/lib/systemd/system >>"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log"; echo "make deb: staged install failed (log: $work/build.log)" >&2; exit 1; }

# Debian policy: stripped ELF files, gzipped man pages, docs in /usr/share/doc/<package>.
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
  "$root/usr/lib/nvidia-docker/nvidia-docker-run.so"
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/nvidia-docker" "$root/usr/bin/nvidia-docker-plugin"
find "$root/usr/share/man" -type f -exec gzip -9n {} +
doc=$root/usr/share/doc/$PKG
install -d "$doc"
install -m 0644 packaging/debian/copyright "$doc/copyright"
install -m 0644 README.md "$doc/README.md"
# The pages the README links to, at the same relative place.
install -d "$doc/docs"
install -m 0644 docs/*.md "$doc/docs/"
# The changelog entry is made from VERSION (the one place the version lives) and the date of the
# last commit, so that the same tree always gives the same package.
date=$(git log -1 --format=%cD 2>/dev/null || date -R)
{
  echo "$PKG ($VERSION) unstable; urgency=medium"
  echo
  echo "  * Package of nvidia-docker $VERSION, built from the source tree with make deb."
  echo "    Changes are described in the git history and in README.md."
  echo
  echo " -- $MAINTAINER  $date"
} >"$work/changelog"
# A native package (the version has no Debian revision): its changelog is changelog.gz.
gzip -9n -c "$work/changelog" >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Dependencies of the ELF files (dpkg-shlibdeps reads debian/control of the current directory).
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O \
  "$OLDPWD/$root/usr/bin/nvidia-docker" "$OLDPWD/$root/usr/bin/nvidia-docker-plugin" \
  "$OLDPWD/$root/usr/lib/nvidia-docker/nvidia-docker-run.so" 2>"$OLDPWD/$work/shlibdeps.log" |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { cat "$work/shlibdeps.log" >&2; echo "make deb: dpkg-shlibdeps gave no dependencies" >&2; exit 1; }

install -d -m 0755 "$root/DEBIAN"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
echo /etc/default/nvidia-docker-plugin >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $size
Depends: $depends
Recommends: docker.io | docker-ce | docker-ee
Suggests: nvidia-modprobe
Section: utils
Priority: optional
Description: run Docker containers with NVIDIA GPUs
 nvidia-docker is a drop-in wrapper of the docker command: for docker run and
 docker create of images that need a GPU, it adds the NVIDIA device nodes and
 a volume with the host's NVIDIA driver files; every other command goes to
 docker unchanged. nvidia-docker-plugin is the daemon it asks: a Docker volume
 plugin that builds the driver volume, and a REST API describing the GPUs.
 .
 This package needs the NVIDIA driver (libnvidia-ml.so.1) on the GPU machine;
 the systemd unit is skipped on machines without one.
CONTROL
find "$root" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$OUT" >/dev/null
echo "$OUT"
