#!/bin/bash
# The front end (bin/nvidia-docker): every line that is not a certain run/create goes to docker
# unchanged by exec (same PID, same argv, exit status, stdin, no subprocess, no socket, no
# library beyond libc); `version` prints the banner first; certain run/create lines go to the
# run module (a fake here); a missing docker or module is one line and a shell-like status.
. "$(dirname "$0")/../lib/common.sh"

WRAPPER=$NVD_BIN/nvidia-docker
RECORDER=$NVD_BUILD/tools/recorder
FAKE_MODULE=$NVD_BUILD/fakes/fake_run_module.so
VERSION=$(cat "$NVD_ROOT/VERSION")
for f in "$WRAPPER" "$RECORDER" "$FAKE_MODULE"; do
  [ -e "$f" ] || { t_fail "$f built"; t_finish; }
done
unset NV_GPU NV_DEBUG NV_HOST NVD_RUN_MODULE NVD_RECORD

# A docker stand-in that writes its argv NUL-separated (words may hold newlines).
NULREC=$T_TMP/nulrec
printf '#!/bin/sh\nprintf "%%s\\0" "$0" "$@" > "$NVD_RECORD"\n' > "$NULREC"
chmod +x "$NULREC"

# passes "description" words...: the wrapper must exec $NULREC with exactly these words.
passes() {
  local what=$1; shift
  rm -f "$T_TMP/got"
  local out err status
  out=$(NV_DOCKER=$NULREC NVD_RECORD=$T_TMP/got "$WRAPPER" "$@" 2>"$T_TMP/err")
  status=$?
  printf '%s\0' "$NULREC" "$@" > "$T_TMP/want"
  if [ "$status" -eq 0 ] && cmp -s "$T_TMP/want" "$T_TMP/got" && [ -z "$out" ] && [ ! -s "$T_TMP/err" ]; then
    t_ok "pass-through unchanged: $what"
  else
    t_fail "pass-through unchanged: $what (status $status)"
    echo "       want: $(tr '\0' '|' < "$T_TMP/want")"
    echo "       got:  $(tr '\0' '|' < "$T_TMP/got" 2>/dev/null)"
    echo "       stdout: $out stderr: $(cat "$T_TMP/err")"
  fi
}

passes "no argument"
passes "ps" ps -a
passes "--help" --help
passes "empty first word (1.0 crashed)" ""
passes "container alone (1.0 crashed)" container
passes "container ls" container ls --format '{{json .}}'
passes "odd words" ps "" "a b" $'tab\there' $'new\nline' '*' '$HOME' 'é' '"q"' "'" '\' -- - '--x=y'
passes "global options" -D -H tcp://h:1 --config /dir -l debug images
passes "exec ... run (#581)" exec c run img
passes "network create (#867)" network create n
passes "unknown run flag (#431)" run -rm img nvidia-smi
passes "run with no image" run --rm
passes "run --help" run --help
passes "create -d" create -d img
passes "run alone" run
passes "container --help run" container --help run img
passes "run with empty image" run ""

# NV_DOCKER with leading words (tabs, newlines), and whitespace-only NV_DOCKER.
out=$(NV_DOCKER=$'  '"$RECORDER"$' -H\ttcp://h:1\n--tls ' "$WRAPPER" ps -q)
t_eq "NV_DOCKER words go before the user's" "$(printf '%s\n' "$RECORDER" -H tcp://h:1 --tls ps -q)" "$out"
mkdir -p "$T_TMP/path"
ln -s "$RECORDER" "$T_TMP/path/docker"
out=$(PATH=$T_TMP/path NV_DOCKER=$' \t\n' "$WRAPPER" info)
t_eq "blank NV_DOCKER means docker on PATH" "$(printf '%s\n' docker info)" "$out"

# version: the banner, exactly, then docker version with the words unchanged.
NV_DOCKER=$RECORDER "$WRAPPER" version --format '{{.Client.Version}}' > "$T_TMP/out"
printf 'NVIDIA Docker: %s\n\n%s\n%s\n%s\n%s\n' "$VERSION" "$RECORDER" version --format '{{.Client.Version}}' > "$T_TMP/want"
t_check "version banner, exact bytes, then docker version" cmp -s "$T_TMP/want" "$T_TMP/out"
NV_DOCKER=$RECORDER "$WRAPPER" -D version > "$T_TMP/out"
printf 'NVIDIA Docker: %s\n\n%s\n-D\nversion\n' "$VERSION" "$RECORDER" > "$T_TMP/want"
t_check "banner after global options too" cmp -s "$T_TMP/want" "$T_TMP/out"
out=$(NV_DOCKER=$RECORDER "$WRAPPER" --version)
t_eq "no banner for --version" "$(printf '%s\n' "$RECORDER" --version)" "$out"

# Exit status, signals, PID, stdin.
NV_DOCKER=false "$WRAPPER" ps; t_eq "exit status of docker (false)" 1 "$?"
printf '#!/bin/sh\nexit 3\n' > "$T_TMP/exit3"; chmod +x "$T_TMP/exit3"
NV_DOCKER=$T_TMP/exit3 "$WRAPPER" ps; t_eq "exit status of docker (3)" 3 "$?"
printf '#!/bin/sh\nkill -TERM $$\n' > "$T_TMP/killed"; chmod +x "$T_TMP/killed"
bash -c "NV_DOCKER=$T_TMP/killed '$WRAPPER' ps; echo \$?" > "$T_TMP/out" 2>/dev/null
t_eq "a signal ending docker ends the wrapper's process" 143 "$(cat "$T_TMP/out")"
printf '#!/bin/sh\necho $$\n' > "$T_TMP/pid"; chmod +x "$T_TMP/pid"
mapfile -t pids < <(NV_DOCKER=$T_TMP/pid bash -c 'echo $$; exec "$0" ps' "$WRAPPER")
t_check "docker runs in the wrapper's process (exec, same PID ${pids[0]:-?} = ${pids[1]:-?})" \
  test -n "${pids[0]}" -a "${pids[0]}" = "${pids[1]}"
out=$(printf 'line 1\nline 2\n' | NV_DOCKER=cat "$WRAPPER")
t_eq "stdin reaches docker" $'line 1\nline 2' "$out"
if command -v script >/dev/null; then
  printf '#!/bin/sh\n[ -t 0 ] && [ -t 1 ] && echo tty\n' > "$T_TMP/tty"; chmod +x "$T_TMP/tty"
  out=$(NV_DOCKER=$T_TMP/tty script -qec "$WRAPPER ps" /dev/null < /dev/null | tr -d '\r')
  t_eq "docker gets the terminal" tty "$out"
fi

# Nothing else happens on pass-through: no fork, no socket, no libcurl, no run module.
if command -v strace >/dev/null && [ -z "${NVD_SANITIZE:-}" ]; then
  NV_DOCKER=$RECORDER strace -f -qq -o "$T_TMP/trace" \
    -e trace=clone,clone3,fork,vfork,socket,connect,execve,openat "$WRAPPER" ps > /dev/null
  t_eq "pass-through: one execve of the wrapper, one of docker" 2 \
    "$(grep -c 'execve(.*= 0' "$T_TMP/trace")"
  t_eq "pass-through: no fork/clone" 0 "$(grep -cE '(clone3?|v?fork)\(' "$T_TMP/trace")"
  t_eq "pass-through: no socket" 0 "$(grep -cE '(socket|connect)\(' "$T_TMP/trace")"
  t_eq "pass-through: no libcurl, jansson, libssh2 or run module opened" 0 \
    "$(grep -cE 'libcurl|libjansson|libssh2|nvidia-docker-run' "$T_TMP/trace")"
fi
needed=$(readelf -d "$WRAPPER" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | grep -vE '^(libc|libdl|libm|libpthread|librt|libgcc_s|libstdc\+\+)\.so|^ld-linux|^lib(a|ub)san' || true)
t_eq "the front end links libc only" "" "$needed"

# Missing docker: one line, exit 127 like a shell, nothing started.
out=$(NV_DOCKER=/nonexistent/docker "$WRAPPER" ps 2>"$T_TMP/err"); status=$?
t_eq "missing docker: exit 127" 127 "$status"
t_eq "missing docker: nothing on stdout" "" "$out"
t_eq "missing docker: one line" 1 "$(wc -l < "$T_TMP/err")"
t_match "missing docker: says what and what to do" \
  'Error: cannot run docker \(`/nonexistent/docker`\): No such file or directory; install docker or set NV_DOCKER$' \
  "$(cat "$T_TMP/err")"
out=$(PATH=/nonexistent NV_DOCKER= "$WRAPPER" ps 2>&1); status=$?
t_match "docker not on PATH: exit 127, names docker" '127 .*cannot run docker \(`docker`\)' "$status $out"
out=$(NV_DOCKER=/dev/null "$WRAPPER" ps 2>&1); status=$?
t_match "docker not executable: exit 126" '^126 .*Permission denied' "$status $out"

# NV_DEBUG says why; nothing is said without it; NV_GPU on an unreadable run line warns.
out=$(NV_DEBUG=1 NV_DOCKER=$RECORDER NVD_RECORD=/dev/null "$WRAPPER" ps 2>&1)
t_match "NV_DEBUG: says ps is passed through" 'passing through: `ps` is not run or create' "$out"
out=$(NV_DEBUG=1 NV_DOCKER=$RECORDER NVD_RECORD=/dev/null "$WRAPPER" run --foo img 2>&1)
t_match "NV_DEBUG: says which flag is unknown" 'passing through: unknown flag --foo in run' "$out"
out=$(NV_DOCKER=$RECORDER NVD_RECORD=/dev/null "$WRAPPER" run --foo img 2>&1)
t_eq "no NV_DEBUG: nothing said" "" "$out"
out=$(NV_GPU=0,1 NV_DOCKER=$RECORDER NVD_RECORD=/dev/null "$WRAPPER" run -it 2>&1)
t_match "NV_GPU with an unreadable run line: one warning" \
  '^[^ ]* \| [0-9/]+ [0-9:]+ Warning: NV_GPU is ignored: no IMAGE after the run options; docker gets the line unchanged$' "$out"
out=$(NV_GPU=0 NV_DOCKER=$RECORDER NVD_RECORD=/dev/null "$WRAPPER" ps 2>&1)
t_eq "NV_GPU with ps: nothing said" "" "$out"

# Certain run/create lines go to the run module with the parsed request.
module() { NVD_RUN_MODULE=$FAKE_MODULE NVD_MODULE_RECORD=$T_TMP/module NV_DOCKER=$NULREC NVD_RECORD=$T_TMP/got "$@"; }
rm -f "$T_TMP/got" "$T_TMP/module"
module "$WRAPPER" -D container run -it --rm -- img cmd; status=$?
t_eq "run: the module's status is the wrapper's" 42 "$status"
t_check "run: docker not started by the front end" test ! -e "$T_TMP/got"
t_eq "run: the module gets the request" \
  "abi 2|command run|certain 1|global_count 1|command_index 2|image_index 6|insert_index 5|image img|docker $NULREC|word -D|word container|word run|word -it|word --rm|word --|word img|word cmd" \
  "$(grep -v '^program' "$T_TMP/module" | paste -sd'|')"
# `--` ends the global options (docker reads `docker -D -- run IMG` so): a run line.
rm -f "$T_TMP/module"
module "$WRAPPER" -D -- run img
t_eq "-- before the command: the module gets a run line" \
  "command run|certain 1|global_count 1|command_index 2|image_index 3" \
  "$(grep -E '^(command|certain|global_count|command_index|image_index) ' "$T_TMP/module" | paste -sd'|')"
NVD_MODULE_STATUS=7 module "$WRAPPER" create img; t_eq "create: module status" 7 "$?"
rm -f "$T_TMP/module"
module "$WRAPPER" run --frob img
t_check "uncertain run: module not loaded, docker gets the line" \
  test ! -e "$T_TMP/module" -a -e "$T_TMP/got"
# Found next to the binary: ../lib/nvidia-docker/ (from /proc/self/exe, as $ORIGIN).
mkdir -p "$T_TMP/inst/bin" "$T_TMP/inst/lib/nvidia-docker"
cp "$WRAPPER" "$T_TMP/inst/bin/nvidia-docker"
cp "$FAKE_MODULE" "$T_TMP/inst/lib/nvidia-docker/nvidia-docker-run.so"
NVD_MODULE_RECORD=$T_TMP/module "$T_TMP/inst/bin/nvidia-docker" run img; status=$?
t_eq "module found in ../lib/nvidia-docker next to the binary" "42 abi 2" "$status $(head -n 1 "$T_TMP/module")"
ln -s "$T_TMP/inst/bin/nvidia-docker" "$T_TMP/nvd-link"
NVD_MODULE_RECORD=$T_TMP/module "$T_TMP/nvd-link" run img; status=$?
t_eq "module found through a symlinked binary (next to its target)" 42 "$status"
# A missing module is an error, never a run without GPUs.
rm -f "$T_TMP/got"
out=$(NVD_RUN_MODULE=$T_TMP/none.so NV_DOCKER=$NULREC NVD_RECORD=$T_TMP/got "$WRAPPER" run img 2>&1); status=$?
t_eq "missing module: exit 1" 1 "$status"
t_check "missing module: docker not run" test ! -e "$T_TMP/got"
t_match "missing module: one line naming the file and the fix" \
  "^[^|]*\| [0-9/]+ [0-9:]+ Error: cannot load the run/create module: $T_TMP/none.so: .*; reinstall nvidia-docker\$" "$out"
rm "$T_TMP/inst/lib/nvidia-docker/nvidia-docker-run.so"
out=$("$T_TMP/inst/bin/nvidia-docker" create img 2>&1); status=$?
t_match "module missing from the installation" "^1 .*nvidia-docker-run.so.*reinstall nvidia-docker" "$status $out"

t_finish
