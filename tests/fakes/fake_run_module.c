/*
 * fake_run_module: stands in for lib/nvidia-docker/nvidia-docker-run.so in the front end's
 * tests (NVD_RUN_MODULE=build/fakes/fake_run_module.so). Writes the request it was given to
 * $NVD_MODULE_RECORD (or stderr), one `key value` line each, and returns
 * $NVD_MODULE_STATUS (default 42), as the real module does when it fails.
 */
#include <stdio.h>
#include <stdlib.h>

#include "nvidia-docker/run_module.h"

int run_module_main(const struct run_request *request)
{
        const char *path = getenv("NVD_MODULE_RECORD");
        FILE *out = path != NULL ? fopen(path, "w") : stderr;
        if (out == NULL)
                return 2;
        const struct docker_args *args = request->args;
        fprintf(out, "abi %d\n", request->abi);
        fprintf(out, "program %s\n", request->program);
        fprintf(out, "command %s\n",
                args->command == DOCKER_COMMAND_RUN      ? "run"
                : args->command == DOCKER_COMMAND_CREATE ? "create"
                                                         : "other");
        fprintf(out, "certain %d\n", args->certain);
        fprintf(out, "global_count %zu\n", args->global_count);
        fprintf(out, "command_index %zu\n", args->command_index);
        fprintf(out, "image_index %zu\n", args->image_index);
        fprintf(out, "insert_index %zu\n", args->insert_index);
        fprintf(out, "image %s\n", request->words[args->image_index]);
        for (size_t i = 0; i < request->docker->count; i++)
                fprintf(out, "docker %s\n", request->docker->items[i]);
        for (size_t i = 0; i < request->count; i++)
                fprintf(out, "word %s\n", request->words[i]);
        if (out != stderr)
                fclose(out);
        const char *status = getenv("NVD_MODULE_STATUS");
        return status != NULL ? atoi(status) : 42;
}
