#include "nvidia-docker-plugin/driver_policy.h"

#include <stdint.h>
#include <string.h>

#include "common/xalloc.h"

/* .note.ABI-tag value of the libnvidia-tls flavour for glibc's TLS ABI (OS 0, 2.3.99). */
#define TLS_ABI_2_3_99 0x0000006300000003ull

/* The NAME of "lib<NAME>.so[.digits.dots]", or NULL. */
static char *library_name(const char *file)
{
        if (strncmp(file, "lib", 3) != 0)
                return NULL;
        const char *so = strstr(file + 3, ".so");
        if (so == NULL || so == file + 3)
                return NULL;
        for (const char *p = so + 3; *p != '\0'; p++)
                if (!(*p == '.' || (*p >= '0' && *p <= '9')))
                        return NULL;
        return xstrndup(file + 3, (size_t)(so - (file + 3)));
}

static bool needs_any(const struct elf_file *elf, const char *const *names)
{
        for (size_t i = 0; i < elf->needed.count; i++)
                for (const char *const *n = names; *n != NULL; n++)
                        if (strstr(elf->needed.items[i], *n) != NULL)
                                return true;
        return false;
}

bool driver_policy_excludes(const char *file, const struct elf_file *elf)
{
        static const char *const gl_cores[] = {"libnvidia-glcore.so", "libnvidia-eglcore.so",
                                               "libGLdispatch.so", NULL};
        cleanup_free char *name = library_name(file);
        if (name == NULL)
                return false;
        if (strcmp(name, "EGL") == 0 || strcmp(name, "GLESv1_CM") == 0 ||
            strcmp(name, "GLESv2") == 0 || strcmp(name, "GL") == 0)
                return !needs_any(elf, gl_cores);
        if (strcmp(name, "nvidia-tls") == 0)
                return !elf->has_abi_tag || elf->abi_tag != TLS_ABI_2_3_99;
        return false;
}

void driver_policy_links(const char *soname, struct strv *out)
{
        strv_push(out, soname);
        if (strncmp(soname, "libcuda", 7) == 0) {
                cleanup_free char *plain = xstrdup(soname);
                size_t len = strlen(plain);
                while (len > 0 &&
                       (plain[len - 1] == '.' || (plain[len - 1] >= '0' && plain[len - 1] <= '9')))
                        plain[--len] = '\0';
                strv_push(out, plain);
        }
        const char *glx = strstr(soname, "GLX_nvidia");
        if (strncmp(soname, "libGLX_nvidia", 13) == 0 && glx != NULL)
                strv_pushf(out, "%.*sGLX_indirect%s", (int)(glx - soname), soname,
                           glx + strlen("GLX_nvidia"));
}
