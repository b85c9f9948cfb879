# fish completion for nvidia-docker(1).
#
# nvidia-docker takes exactly docker's command line, so it completes exactly like docker: fish
# uses docker's own completions for it. Nothing of them is copied here.
complete -c nvidia-docker --wraps docker
