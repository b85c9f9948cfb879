/*
 * args_dump: prints how docker_args reads a docker command line, for the tests that compare
 * it with docker itself.
 *
 *   args_dump WORD...          one `key value` line each: command, command_index,
 *                              global_count, then either `uncertain <reason>` or
 *                              image_index, insert_index, image, one `cmd <word>` per
 *                              command word, and pull/platform/gpus/daemon_options
 *   args_dump --list-flags     one line per option of the tables:
 *                              `<global|run|create|create-only> <bool|value> --name [-x] [old]`
 *                              (`create` rows are accepted by run too; `run` rows by run only)
 *   args_dump --podman ...     the same with podman's tables (NV_DOCKER=podman)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/docker_flags.h"

static const char *command_name(enum docker_command command)
{
        switch (command) {
        case DOCKER_COMMAND_NONE:
                return "none";
        case DOCKER_COMMAND_OTHER:
                return "other";
        case DOCKER_COMMAND_VERSION:
                return "version";
        case DOCKER_COMMAND_RUN:
                return "run";
        case DOCKER_COMMAND_CREATE:
                return "create";
        }
        return "?";
}

static void list_table(const char *scope, const struct docker_flag *table, size_t count)
{
        for (size_t i = 0; i < count; i++) {
                const struct docker_flag *f = &table[i];
                const char *where = scope;
                if (where == NULL)
                        where = f->scope == DOCKER_FLAG_RUN_ONLY      ? "run"
                                : f->scope == DOCKER_FLAG_CREATE_ONLY ? "create-only"
                                                                      : "create";
                printf("%s %s --%s", where, f->takes_value ? "value" : "bool", f->name);
                if (f->shorthand != 0)
                        printf(" -%c", f->shorthand);
                printf("%s\n", f->current ? "" : " old");
        }
}

int main(int argc, char *argv[])
{
        bool podman = argc > 1 && strcmp(argv[1], "--podman") == 0;
        if (podman) {
                argv++;
                argc--;
        }
        struct docker_flag_tables tables;
        docker_flags_tables(podman, &tables);
        if (argc == 2 && strcmp(argv[1], "--list-flags") == 0) {
                list_table("global", tables.global, tables.global_count);
                list_table(NULL, tables.container, tables.container_count);
                return 0;
        }
        const char *const *words = (const char *const *)argv + 1;
        size_t count = (size_t)argc - 1;
        struct docker_args args;
        docker_args_parse_with(words, count, &tables, &args);
        printf("command %s\n", command_name(args.command));
        printf("command_index %zu\n", args.command_index);
        printf("global_count %zu\n", args.global_count);
        printf("daemon_options %s\n", args.daemon_options ? "yes" : "no");
        if (!args.certain) {
                printf("uncertain %s\n", args.uncertain_reason);
                return 0;
        }
        if (args.command != DOCKER_COMMAND_RUN && args.command != DOCKER_COMMAND_CREATE)
                return 0;
        printf("image_index %zu\n", args.image_index);
        printf("insert_index %zu\n", args.insert_index);
        printf("image %s\n", words[args.image_index]);
        for (size_t i = args.image_index + 1; i < count; i++)
                printf("cmd %s\n", words[i]);
        if (args.pull != NULL)
                printf("pull %s\n", args.pull);
        if (args.platform != NULL)
                printf("platform %s\n", args.platform);
        printf("gpus %s\n", args.gpus_count > 0 ? "yes" : "no");
        if (args.late_daemon_option != NULL)
                printf("late_daemon_option %s\n", args.late_daemon_option);
        return 0;
}
