#include "nvidia-docker-plugin/root_path.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xalloc.h"

#define RESOLVE_MAX_LINKS 40

/* Appends `component` to the resolved path `out` (always starting with '/'). */
static void path_push(char **out, const char *component, size_t len)
{
        size_t out_len = strlen(*out);
        bool slash = out_len > 0 && (*out)[out_len - 1] == '/';
        char *joined = xasprintf("%s%s%.*s", *out, slash ? "" : "/", (int)len, component);
        free(*out);
        *out = joined;
}

void root_path_dirname(char *out)
{
        char *slash = strrchr(out, '/');
        if (slash == out)
                out[1] = '\0';
        else if (slash != NULL)
                *slash = '\0';
}

char *root_path_on_host(const char *root, const char *inner)
{
        if (strcmp(root, "/") == 0)
                return xstrdup(inner);
        size_t len = strlen(root);
        while (len > 1 && root[len - 1] == '/')
                len--;
        return xasprintf("%.*s%s", (int)len, root, inner);
}

char *root_path_resolve(const char *root, const char *path)
{
        if (root == NULL || root[0] == '\0')
                root = "/";
        if (path[0] != '/') {
                errno = EINVAL;
                return NULL;
        }
        cleanup_free char *out = xstrdup("/");
        cleanup_free char *rest = xstrdup(path);
        int links = 0;
        const char *p = rest;
        while (*p != '\0') {
                while (*p == '/')
                        p++;
                if (*p == '\0')
                        break;
                const char *end = strchrnul(p, '/');
                size_t len = (size_t)(end - p);
                if (len == 1 && p[0] == '.') {
                        p = end;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        root_path_dirname(out);
                        p = end;
                        continue;
                }
                cleanup_free char *candidate = xstrdup(out);
                path_push(&candidate, p, len);
                cleanup_free char *on_host = root_path_on_host(root, candidate);
                struct stat st;
                if (lstat(on_host, &st) < 0)
                        return NULL;
                if (S_ISLNK(st.st_mode)) {
                        if (++links > RESOLVE_MAX_LINKS) {
                                errno = ELOOP;
                                return NULL;
                        }
                        char target[PATH_MAX];
                        ssize_t n = readlink(on_host, target, sizeof(target) - 1);
                        if (n < 0)
                                return NULL;
                        if (n == 0) {
                                errno = ENOENT;
                                return NULL;
                        }
                        target[n] = '\0';
                        if (target[0] == '/') {
                                free(out);
                                out = xstrdup("/");
                        }
                        char *next = xasprintf("%s%s", target, end);
                        free(rest);
                        rest = next;
                        p = rest;
                        continue;
                }
                if (*end != '\0' && !S_ISDIR(st.st_mode)) {
                        /* More components follow; only "/" runs may remain. */
                        const char *q = end;
                        while (*q == '/')
                                q++;
                        if (*q != '\0') {
                                errno = ENOTDIR;
                                return NULL;
                        }
                }
                free(out);
                out = steal_pointer(&candidate);
                p = end;
        }
        return steal_pointer(&out);
}
