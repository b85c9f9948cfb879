# bash completion for nvidia-docker(1)                      -*- shell-script -*-
#
# nvidia-docker takes exactly docker's command line, so it completes exactly like docker: this
# file loads docker's own completion and registers the same function for nvidia-docker. Nothing
# of docker's completion is copied here, so it stays current with the installed docker.
# Installed as <bash-completion completionsdir>/nvidia-docker (loaded on first use).

_nvidia_docker_register()
{
    local spec f
    spec=$(complete -p docker 2>/dev/null)
    if [[ -z $spec || $spec == *" -F _minimal "* ]]; then
        # bash-completion loads completions lazily: ask it for docker's first.
        if declare -F _completion_loader >/dev/null; then
            _completion_loader docker >/dev/null 2>&1
            spec=$(complete -p docker 2>/dev/null)
        fi
    fi
    if [[ -z $spec || $spec == *" -F _minimal "* ]]; then
        for f in "${BASH_COMPLETION_USER_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/bash-completion}/completions/docker" \
            /usr/local/share/bash-completion/completions/docker \
            /usr/share/bash-completion/completions/docker \
            /etc/bash_completion.d/docker; do
            if [[ -r $f ]]; then
                . "$f"
                spec=$(complete -p docker 2>/dev/null)
                break
            fi
        done
    fi
    # `complete -p docker` prints e.g. "complete -F _docker docker": reuse its options.
    if [[ $spec == complete\ *\ docker ]]; then
        eval "${spec% docker} nvidia-docker"
    else
        # docker's completion is not installed: complete file names, as bash would.
        complete -o default -o bashdefault nvidia-docker
    fi
}
_nvidia_docker_register
unset -f _nvidia_docker_register
