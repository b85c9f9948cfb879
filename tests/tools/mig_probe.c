/*
 * mig_probe: runs the plugin's readers of the NVIDIA driver's MIG files (mig_caps) on a proc
 * root and prints what they find, so that tests/gpu/mig-files.sh can compare it with the real
 * driver's files and device nodes.
 *
 * Usage: mig_probe PROC_ROOT [GPU_MINOR GI [CI]]
 *   without GPU_MINOR: "major <N>" (or "major error: <why>"), then for the config and monitor
 *   capabilities "access <name> minor=<N> mode=<octal> modify=<0|1>" (or "... error: <why>");
 *   with GPU_MINOR GI [CI]: "lookup gpu<M>/gi<G>[/ci<C>] minor=<N> mode=<octal>" or "... error:".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/mig_caps.h"

static void print_access(const char *proc, const char *name)
{
        cleanup_free char *path = xasprintf("%s/driver/nvidia/capabilities/mig/%s", proc, name);
        FILE *f = fopen(path, "re");
        if (f == NULL) {
                printf("access %s error: cannot open %s\n", name, path);
                return;
        }
        char text[4096];
        size_t len = fread(text, 1, sizeof(text), f);
        fclose(f);
        struct mig_cap_access a;
        struct error err = ERROR_INIT;
        if (mig_caps_parse_access(text, len, &a, &err) < 0)
                printf("access %s error: %s\n", name, err.message);
        else
                printf("access %s minor=%u mode=%04o modify=%d\n", name, a.minor, a.mode, a.modify);
        error_clear(&err);
}

int main(int argc, char *argv[])
{
        if (argc != 2 && argc != 4 && argc != 5) {
                fprintf(stderr, "usage: mig_probe PROC_ROOT [GPU_MINOR GI [CI]]\n");
                return 2;
        }
        const char *proc = argv[1];
        struct error err = ERROR_INIT;
        if (argc == 2) {
                unsigned int major = 0;
                if (mig_caps_read_major(proc, &major, &err) < 0)
                        printf("major error: %s\n", err.message);
                else
                        printf("major %u\n", major);
                error_clear(&err);
                print_access(proc, "config");
                print_access(proc, "monitor");
                return 0;
        }
        unsigned int gpu = (unsigned int)strtoul(argv[2], NULL, 10);
        unsigned int gi = (unsigned int)strtoul(argv[3], NULL, 10);
        int ci = argc == 5 ? atoi(argv[4]) : -1;
        struct mig_cap_access a;
        char name[64];
        if (ci < 0)
                snprintf(name, sizeof(name), "gpu%u/gi%u", gpu, gi);
        else
                snprintf(name, sizeof(name), "gpu%u/gi%u/ci%d", gpu, gi, ci);
        if (mig_caps_lookup(proc, gpu, gi, ci, &a, &err) < 0)
                printf("lookup %s error: %s\n", name, err.message);
        else
                printf("lookup %s minor=%u mode=%04o\n", name, a.minor, a.mode);
        error_clear(&err);
        return 0;
}
