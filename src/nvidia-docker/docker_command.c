#include "nvidia-docker/docker_command.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"

/* Length in bytes of the white-space character at `s` (Go's unicode.IsSpace, as 1.0's
 * strings.Fields used it, on UTF-8), or 0. */
static size_t space_length(const char *s)
{
        const unsigned char *u = (const unsigned char *)s;
        switch (u[0]) {
        case ' ':
        case '\t':
        case '\n':
        case '\v':
        case '\f':
        case '\r':
                return 1;
        case 0xc2: /* U+0085 NEL, U+00A0 NO-BREAK SPACE */
                return u[1] == 0x85 || u[1] == 0xa0 ? 2 : 0;
        case 0xe1: /* U+1680 OGHAM SPACE MARK */
                return u[1] == 0x9a && u[2] == 0x80 ? 3 : 0;
        case 0xe2: /* U+2000..U+200A, U+2028, U+2029, U+202F, U+205F */
                if (u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 ||
                                     u[2] == 0xa9 || u[2] == 0xaf))
                        return 3;
                return u[1] == 0x81 && u[2] == 0x9f ? 3 : 0;
        case 0xe3: /* U+3000 IDEOGRAPHIC SPACE */
                return u[1] == 0x80 && u[2] == 0x80 ? 3 : 0;
        default:
                return 0;
        }
}

void docker_command_from_env(const char *nv_docker, struct strv *out)
{
        const char *s = nv_docker != NULL ? nv_docker : "";
        while (*s != '\0') {
                size_t n;
                while ((n = space_length(s)) > 0)
                        s += n;
                if (*s == '\0')
                        break;
                const char *start = s;
                while (*s != '\0' && space_length(s) == 0)
                        s++;
                strv_push_owned(out, xstrndup(start, (size_t)(s - start)));
        }
        if (out->count == 0)
                strv_push(out, "docker");
}

/* The first word whose base name is podman or podman-remote, or NULL. */
static const char *podman_word(const struct strv *docker)
{
        for (size_t i = 0; i < docker->count; i++) {
                const char *word = docker->items[i];
                const char *slash = strrchr(word, '/');
                const char *base = slash != NULL ? slash + 1 : word;
                if (strcmp(base, "podman") == 0 || strcmp(base, "podman-remote") == 0)
                        return base;
        }
        return NULL;
}

bool docker_command_is_podman(const struct strv *docker)
{
        return podman_word(docker) != NULL;
}

bool docker_command_is_podman_remote(const struct strv *docker)
{
        const char *base = podman_word(docker);
        return base != NULL && strcmp(base, "podman-remote") == 0;
}

int docker_command_exec(const struct strv *prefix, const char *const *words, size_t count,
                        struct error *err)
{
        if (prefix->count == 0)
                return error_set(err, "cannot run docker: no program given; set NV_DOCKER");
        /* Pointers only: nothing is copied on the pass-through path. */
        cleanup_free const char **argv = xcalloc(prefix->count + count + 1, sizeof(*argv));
        size_t n = 0;
        for (size_t i = 0; i < prefix->count; i++)
                argv[n++] = prefix->items[i];
        for (size_t i = 0; i < count; i++)
                argv[n++] = words[i];
        argv[n] = NULL;
        execvp(argv[0], (char *const *)argv);
        int code = errno;
        error_set(err, "cannot run docker (`%s`): %s; install docker or set NV_DOCKER", argv[0],
                  strerror(code));
        err->code = code;
        return -1;
}
