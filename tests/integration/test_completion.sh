#!/bin/bash
# Shell completions: installed where each shell looks, and each completes `nvidia-docker ru<TAB>`
# to `run` by reusing docker's own completion (bash, zsh, fish). Each shell also gets a negative
# control: without our file, nvidia-docker does not complete to `run`.
. "$(dirname "$0")/../lib/common.sh"

# The files as `make install` places them, for a package (/usr) and a local install (/usr/local).
stage=$T_TMP/stage
make -s -C "$NVD_ROOT" install-extras DESTDIR="$stage" PREFIX=/usr >"$T_TMP/install.log" 2>&1 ||
  { cat "$T_TMP/install.log"; t_fail "make install-extras PREFIX=/usr"; t_finish; }
bashdir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null || echo /usr/share/bash-completion/completions)
t_check "bash completion in bash-completion's completionsdir" test -f "$stage$bashdir/nvidia-docker"
zshdir=/usr/share/zsh/site-functions
[ -d /usr/share/zsh/vendor-completions ] && zshdir=/usr/share/zsh/vendor-completions
t_check "zsh completion in $zshdir" test -f "$stage$zshdir/_nvidia-docker"
t_check "fish completion in vendor_completions.d" test -f "$stage/usr/share/fish/vendor_completions.d/nvidia-docker.fish"
local_stage=$T_TMP/local
make -s -C "$NVD_ROOT" install-extras DESTDIR="$local_stage" PREFIX=/usr/local >/dev/null 2>&1
t_check "PREFIX=/usr/local: bash, zsh site-functions, fish under /usr/local" test -f \
  "$local_stage/usr/local/share/bash-completion/completions/nvidia-docker" -a -f \
  "$local_stage/usr/local/share/zsh/site-functions/_nvidia-docker" -a -f \
  "$local_stage/usr/local/share/fish/vendor_completions.d/nvidia-docker.fish"

export PATH="$NVD_BIN:$PATH"
# A clean home: no user configuration of any shell takes part.
export HOME=$T_TMP/home XDG_CONFIG_HOME=$T_TMP/home/.config XDG_DATA_HOME=$T_TMP/home/.local/share
mkdir -p "$HOME"

# --- bash: bash-completion loads our file on demand, which registers docker's function.
bash_complete() { # $1: BASH_COMPLETION_USER_DIR; prints the function and the candidates for `nvidia-docker ru`
  BASH_COMPLETION_USER_DIR=$1 timeout 30 bash --norc --noprofile -c '
    . /usr/share/bash-completion/bash_completion
    _completion_loader nvidia-docker >/dev/null 2>&1
    spec=$(complete -p nvidia-docker 2>/dev/null)
    fn=$(sed -nE "s/.* -F ([^ ]+) .*/\1/p" <<<"$spec")
    echo "function=$fn"
    [ -n "$fn" ] || exit 0
    COMP_WORDS=(nvidia-docker ru); COMP_CWORD=1; COMP_LINE="nvidia-docker ru"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" nvidia-docker ru nvidia-docker
    printf "%s\n" "${COMPREPLY[@]}"' 2>&1
}
if [ -r /usr/share/bash-completion/bash_completion ] && [ -r /usr/share/bash-completion/completions/docker ]; then
  out=$(bash_complete "$stage/usr/share/bash-completion")
  docker_fn=$(bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion; _completion_loader docker >/dev/null 2>&1; complete -p docker' |
    sed -nE 's/.* -F ([^ ]+) .*/\1/p')
  t_eq "bash: nvidia-docker uses docker's completion function" "function=$docker_fn" "$(head -n 1 <<<"$out")"
  t_match "bash: nvidia-docker ru<TAB> -> run" $'(^|\n)run($|\n)' "$(tail -n +2 <<<"$out")"
  # Control: an empty nvidia-docker file in the user directory (searched first) hides ours.
  mkdir -p "$T_TMP/empty/completions" && : >"$T_TMP/empty/completions/nvidia-docker"
  out=$(bash_complete "$T_TMP/empty")
  if grep -qx run <<<"$out"; then t_fail "bash control: no completion without our file"; else t_ok "bash control: no completion without our file"; fi
else
  echo "(bash-completion or docker's bash completion not installed: bash part skipped)"
fi

# --- zsh: an interactive zsh in a pseudo-terminal (zpty); compadd records what it is given.
cat >"$T_TMP/complete.zsh" <<'ZSH'
zmodload zsh/zpty || exit 2
dir=$1 line=$2 out=$3
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPS1=''"
zpty -w z "fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { local -a __m; builtin compadd -O __m \"\$@\"; print -rl -- \"\${__m[@]}\" >> $out; builtin compadd \"\$@\"; }"
zpty -w -n z "$line"$'\t'
sleep 2
zpty -w z $'\C-u'"print __done''__"
zpty -r z junk '*__done__*'
zpty -d z
ZSH
zsh_complete() { # $1: fpath directory; prints the candidates for `nvidia-docker ru`
  : >"$T_TMP/zsh.out"
  timeout 30 zsh -f "$T_TMP/complete.zsh" "$1" "nvidia-docker ru" "$T_TMP/zsh.out" >/dev/null 2>&1
  sort -u "$T_TMP/zsh.out"
}
if command -v zsh >/dev/null && [ -r /usr/share/zsh/vendor-completions/_docker ]; then
  t_match "zsh: nvidia-docker ru<TAB> -> run" $'(^|\n)run($|\n)' "$(zsh_complete "$stage$zshdir")"
  t_match "zsh: the file maps nvidia-docker to docker" 'compdef nvidia-docker=docker' "$(cat "$stage$zshdir/_nvidia-docker")"
  if zsh_complete "$T_TMP/nothing" | grep -qx run; then t_fail "zsh control: no completion without our file"; else t_ok "zsh control: no completion without our file"; fi
else
  echo "(zsh or docker's zsh completion not installed: zsh part skipped)"
fi

# --- fish: completions are looked up in $XDG_DATA_DIRS/fish/vendor_completions.d.
fish_complete() { # $1: XDG_DATA_DIRS head
  XDG_DATA_DIRS="$1:/usr/share" timeout 30 fish -c 'complete -C "nvidia-docker ru"' 2>&1 | cut -f1
}
if command -v fish >/dev/null && ls /usr/share/fish/*/docker.fish >/dev/null 2>&1; then
  t_match "fish: nvidia-docker ru<TAB> -> run" $'(^|\n)run($|\n)' "$(fish_complete "$stage/usr/share")"
  if fish_complete "$T_TMP/nothing" | grep -qx run; then t_fail "fish control: no completion without our file"; else t_ok "fish control: no completion without our file"; fi
else
  echo "(fish or docker's fish completion not installed: fish part skipped)"
fi
t_finish
