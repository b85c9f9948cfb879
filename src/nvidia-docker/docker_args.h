/*
 * docker_args: reads a docker command line the way the docker CLI does, without running it.
 *
 * Input: the words after the program name (argv + 1). Output: where the global options end,
 * which subcommand it is, and for run/create where the options end and the IMAGE stands.
 * Pure: no I/O, no allocation that outlives the call except inside `struct docker_args`.
 * When the line cannot be read with certainty (unknown option, missing value, no image),
 * `certain` is false and `uncertain_reason` says why: the caller then passes the argv to
 * docker unchanged so that docker reports its own error.
 */
#ifndef NVD_DOCKER_ARGS_H
#define NVD_DOCKER_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum docker_command {
        DOCKER_COMMAND_NONE,    /* no subcommand at all (`docker`, `docker --help`) */
        DOCKER_COMMAND_OTHER,   /* anything that is passed through */
        DOCKER_COMMAND_VERSION, /* `version` as the command word: print our banner first */
        DOCKER_COMMAND_RUN,     /* `run` or `container run` */
        DOCKER_COMMAND_CREATE,  /* `create` or `container create` */
};

struct docker_args {
        enum docker_command command;
        size_t command_index; /* index of the subcommand word (`run`, not `container`) */
        /* Global options that choose another daemon or client configuration (-H/--host,
         * -c/--context, --config, --tls*): the engine must then be asked through the CLI. */
        bool daemon_options;

        /* run/create only. */
        bool certain;                 /* false: pass through unchanged */
        char uncertain_reason[160];   /* for NV_DEBUG, when !certain */
        size_t image_index;           /* index of IMAGE */
        size_t insert_index;          /* where GPU options go: image_index, or the `--` before it */
        const char *pull;             /* value of --pull (points into the words), or NULL */
        const char *platform;         /* value of --platform, or NULL */
        bool gpus_option;             /* the user gave --gpus themselves */
};

/* Never fails: an unreadable line is reported through `certain`. */
void docker_args_parse(const char *const *words, size_t count, struct docker_args *out);

#endif
