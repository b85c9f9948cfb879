#!/bin/bash
# The build's promises (README, Development; docs/architecture.md, Build): the shipped programs
# are hardened (full RELRO, stack protector, _FORTIFY_SOURCE), a library that pkg-config does
# not find stops make with its name and `make deps`, and `make format-check` names the files
# that clang-format would change.
. "$(dirname "$0")/../lib/common.sh"
MODULE=${NVD_LIB:-lib}/nvidia-docker/nvidia-docker-run.so
[[ $MODULE = /* ]] || MODULE=$NVD_ROOT/$MODULE
for f in "$NVD_BIN/nvidia-docker" "$NVD_BIN/nvidia-docker-plugin" "$MODULE"; do
  name=${f#"$NVD_ROOT"/}
  [ -e "$f" ] || { t_fail "$name: built"; continue; }
  t_check "$name: RELRO segment" sh -c "readelf -lW '$f' | grep -q GNU_RELRO"
  t_check "$name: bound at start-up (-z now)" sh -c "readelf -dW '$f' | grep -q 'BIND_NOW'"
done
# The stack protector leaves calls to __stack_chk_fail in functions with arrays on the stack;
# _FORTIFY_SOURCE turns some libc calls into their __*_chk forms. The sanitizer build leaves
# FORTIFY out (it would bypass ASan's interceptors).
t_check "nvidia-docker-plugin: stack protector" \
  sh -c "nm -D '$NVD_BIN/nvidia-docker-plugin' | grep -q __stack_chk_fail"
if [ -z "${NVD_SANITIZE:-}" ]; then
  t_check "nvidia-docker-plugin: _FORTIFY_SOURCE" \
    sh -c "nm -D '$NVD_BIN/nvidia-docker-plugin' | grep -qE ' __[a-z_]+_chk(@|$)'"
fi

out=$(make -s -C "$NVD_ROOT" -n PKGS="jansson nvd-no-such-package" all 2>&1)
rc=$?
t_check "a missing pkg-config package stops make" test "$rc" != 0
t_match "... naming the package and make deps" "does not find the package\(s\) nvd-no-such-package; install them with .sudo make deps." "$out"

if command -v clang-format >/dev/null; then
  cp "$NVD_ROOT/.clang-format" "$T_TMP/"
  printf 'int main(void)\n{\n        return 0;\n}\n' >"$T_TMP/good.c"
  printf 'int  main( void ){return 0;}\n' >"$T_TMP/bad.c"
  make -s -C "$NVD_ROOT" format-check FORMAT_FILES="$T_TMP/good.c" >"$T_TMP/good.log" 2>&1
  t_eq "format-check: a formatted file passes" 0 "$?"
  out=$(make -s -C "$NVD_ROOT" format-check FORMAT_FILES="$T_TMP/good.c $T_TMP/bad.c" 2>&1)
  rc=$?
  t_check "format-check: a badly formatted file fails" test "$rc" != 0
  t_match "format-check: ... and is named, alone" "^not formatted.*"$'\n'"  $T_TMP/bad.c$" \
    "$(grep -v '^make' <<<"$out")"
fi
t_finish
