/*
 * nvidia-docker: the front end. Reads the docker command line (docker_args); a run/create
 * line read with certainty goes to the run module, loaded with dlopen() only then; every other
 * line is handed to docker unchanged by exec, so pass-through costs no subprocess, no daemon
 * round-trip and no library beyond libc. Linked with libc (and libdl) only: see the Makefile.
 *
 * Environment: NV_DOCKER (the docker program and leading words), NV_DEBUG (say why a line is
 * passed through), NV_GPU (only read here to warn when a run/create line cannot be read),
 * NVD_RUN_MODULE (path of the run module, for tests; default: ../lib/nvidia-docker/ next to
 * the executable).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/text.h"
#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/docker_flags.h"
#include "nvidia-docker/run_module.h"

#define RUN_MODULE_FILE "nvidia-docker-run.so"

static void print_version_banner(void)
{
        static const char banner[] = "NVIDIA Docker: " NVD_VERSION "\n\n";
        size_t done = 0;
        while (done < sizeof(banner) - 1) {
                ssize_t n = write(STDOUT_FILENO, banner + done, sizeof(banner) - 1 - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return; /* a closed stdout (EBADF) does not stop docker */
                done += (size_t)n;
        }
}

/* The run module's path: NVD_RUN_MODULE, else ../lib/nvidia-docker/ next to the executable
 * (/proc/self/exe, as the loader's $ORIGIN), else the bare name for the loader's search. The
 * binary has no RUNPATH on purpose: one would cost every pass-through ~20 failed opens of
 * libc.so.6 in $ORIGIN/../lib/nvidia-docker/. */
static const char *run_module_path(char *buffer, size_t size)
{
        static const char suffix[] = "/../lib/nvidia-docker/" RUN_MODULE_FILE;
        const char *path = getenv("NVD_RUN_MODULE");
        if (text_is_set(path))
                return path;
        ssize_t n = readlink("/proc/self/exe", buffer, size);
        if (n <= 0 || (size_t)n >= size)
                return RUN_MODULE_FILE;
        while (n > 0 && buffer[n - 1] != '/')
                n--;
        if (n == 0 || (size_t)n - 1 + sizeof(suffix) > size)
                return RUN_MODULE_FILE;
        memcpy(buffer + n - 1, suffix, sizeof(suffix));
        return buffer;
}

/* Loads the run module and hands the line to it. Returns the exit status (the module only
 * returns on failure). */
static int run_module(const char *program, const char *const *words, size_t count,
                      const struct docker_args *args, const struct strv *docker)
{
        char buffer[PATH_MAX];
        const char *path = run_module_path(buffer, sizeof(buffer));
        /* RTLD_LAZY: binding libcurl's and OpenSSL's symbols up front costs ~3 M instructions. */
        void *handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
        if (handle == NULL) {
                /* dlerror() starts with the file name. */
                const char *why = dlerror();
                log_error("cannot load the run/create module: %s; reinstall nvidia-docker",
                          why != NULL ? why : path);
                return 1;
        }
        run_module_main_fn module_main;
        *(void **)&module_main = dlsym(handle, "run_module_main");
        if (module_main == NULL) {
                const char *why = dlerror();
                log_error("%s has no run_module_main: %s; reinstall nvidia-docker", path,
                          why != NULL ? why : "unknown error");
                return 1;
        }
        const struct run_request request = {
            .abi = RUN_MODULE_ABI,
            .program = program,
            .words = words,
            .count = count,
            .args = args,
            .docker = docker,
        };
        return module_main(&request);
}

/* NV_DEBUG: one line saying why docker gets the line unchanged. */
static void explain_pass_through(const char *const *words, const struct docker_args *args)
{
        if (args->uncertain_reason[0] != '\0')
                log_msg("passing through: %s", args->uncertain_reason);
        else if (args->command == DOCKER_COMMAND_NONE)
                log_msg("passing through: no docker command");
        else
                log_msg("passing through: `%.60s` is not run or create",
                        words[args->command_index]);
}

int main(int argc, char *argv[])
{
        const char *program = argc > 0 && argv[0] != NULL ? argv[0] : "nvidia-docker";
        const char *const *words = (const char *const *)argv + (argc > 0 ? 1 : 0);
        size_t count = argc > 0 ? (size_t)argc - 1 : 0;
        log_init(program);

        struct strv docker = STRV_INIT;
        docker_command_from_env(getenv("NV_DOCKER"), &docker);

        /* Podman's command line is read with podman's options (docs/cdi.md). */
        struct docker_flag_tables tables;
        docker_flags_tables(docker_command_is_podman(&docker), &tables);
        struct docker_args args;
        docker_args_parse_with(words, count, &tables, &args);
        bool run_or_create =
            args.command == DOCKER_COMMAND_RUN || args.command == DOCKER_COMMAND_CREATE;

        if (args.command == DOCKER_COMMAND_VERSION)
                print_version_banner();
        if (run_or_create && args.certain) {
                int status = run_module(program, words, count, &args, &docker);
                strv_destroy(&docker);
                return status;
        }
        if (run_or_create && getenv("NV_GPU") != NULL)
                log_warning("NV_GPU is ignored: %s; docker gets the line unchanged",
                            args.uncertain_reason);
        if (text_is_set(getenv("NV_DEBUG")))
                explain_pass_through(words, &args);

        struct error err = ERROR_INIT;
        docker_command_exec(&docker, words, count, &err);
        log_error("%s", err.message);
        int status = err.code == ENOENT ? 127 : 126; /* as a shell would */
        error_clear(&err);
        strv_destroy(&docker);
        return status;
}
