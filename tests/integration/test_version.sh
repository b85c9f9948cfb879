#!/bin/bash
# One version number, in the file VERSION: the wrapper's banner, the plugin's -v, the man pages
# (substituted at build time) all show it; the man pages are valid mdoc. (The package's version
# and changelog are checked by test_deb.sh.)
. "$(dirname "$0")/../lib/common.sh"
version=$(cat "$NVD_ROOT/VERSION")
t_match "VERSION holds one version number" '^[0-9]+\.[0-9]+\.[0-9]+$' "$version"
t_eq "VERSION is one line" 1 "$(wc -l <"$NVD_ROOT/VERSION")"

banner=$(NV_DOCKER=true "$NVD_BIN/nvidia-docker" version 2>&1)
t_eq "nvidia-docker version: banner then an empty line" "NVIDIA Docker: $version" "$banner"
t_eq "nvidia-docker version: the banner is followed by docker version" \
  "NVIDIA Docker: $version|version --format x" \
  "$(NV_DOCKER=echo "$NVD_BIN/nvidia-docker" version --format x | tr '\n' '|' | sed 's/||/|/; s/|$//')"
t_eq "nvidia-docker-plugin -v" "NVIDIA Docker plugin: $version" "$("$NVD_BIN/nvidia-docker-plugin" -v 2>&1)"

make -s -C "$NVD_ROOT" man >/dev/null 2>&1 || t_fail "make man"
for m in "$NVD_ROOT"/build/man/nvidia-docker.1 "$NVD_ROOT"/build/man/nvidia-docker-plugin.8; do
  name=$(basename "$m")
  t_eq "$name: .Os carries the version" ".Os nvidia-docker $version" "$(grep '^\.Os' "$m")"
  t_eq "$name: no @...@ left" "" "$(grep -o '@[A-Z]*@' "$m")"
  if command -v mandoc >/dev/null; then
    t_eq "$name: mandoc -T lint, no warning" "" "$(mandoc -T lint -W warning "$m" 2>&1)"
  fi
  t_eq "$name: groff -ww, no warning" "" "$(groff -mandoc -ww -z "$m" 2>&1)"
  for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qx "\.Sh $s" "$m" || t_fail "$name: section $s missing"
  done
done
# Every variable the wrapper reads is documented in its man page, with an example.
page=$NVD_ROOT/build/man/nvidia-docker.1
for v in NV_GPU NV_DOCKER NV_HOST DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG NV_TIMEOUT NV_DEBUG \
  NVIDIA_DISABLE_REQUIRE; do
  block=$(sed -n "/^\.It Ev $v\$/,/^\.It Ev /p" "$page")
  if [ -n "$block" ] && grep -q "$v=" <<<"$block"; then t_ok "man nvidia-docker: $v with an example"; else t_fail "man nvidia-docker: $v with an example"; fi
done
for f in -l -s -d -r -c -v; do
  grep -q "^\.It Fl ${f#-}" "$NVD_ROOT/build/man/nvidia-docker-plugin.8" && t_ok "man nvidia-docker-plugin: $f" || t_fail "man nvidia-docker-plugin: $f"
done
t_finish
