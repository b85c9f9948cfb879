/*
 * load_module: dlopen()s a shared object and exits: the floor of what loading the run module
 * (and libcurl, jansson, libssh2 and their dependencies) costs, for bench/bench_run.sh.
 * Usage: load_module PATH [now|lazy] [init]   (init: also curl_global_init, as the module does)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[])
{
        if (argc < 2)
                return 2;
        int mode = (argc > 2 && strcmp(argv[2], "lazy") == 0) ? RTLD_LAZY : RTLD_NOW;
        void *handle = dlopen(argv[1], mode | RTLD_LOCAL);
        if (handle == NULL) {
                fprintf(stderr, "load_module: %s\n", dlerror());
                return 1;
        }
        if (argc > 3 && strcmp(argv[3], "init") == 0) {
                void *curl = dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD);
                int (*global_init)(long) =
                    curl ? (int (*)(long))dlsym(curl, "curl_global_init") : NULL;
                if (global_init == NULL || global_init(0) != 0)
                        return 1;
        }
        return 0;
}
