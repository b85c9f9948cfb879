/*
 * docker_args: reads a docker command line the way the docker CLI does, without running it.
 *
 * Input: the words after the program name (argv + 1). Output: where the global options end,
 * which subcommand it is, and for run/create where the options end and the IMAGE stands.
 * Pure: no I/O, no allocation that outlives the call except inside `struct docker_args`.
 * When the line cannot be read with certainty (unknown option, missing value, no image),
 * `certain` is false and `uncertain_reason` says why: the caller then passes the argv to
 * docker unchanged so that docker reports its own error.
 *
 * The syntax is docker's (spf13/pflag under cobra): `--flag value`, `--flag=value`,
 * `--bool=false`, short clusters (`-it`, `-dit`), attached values (`-p8080:80`, `-uroot`,
 * `-e=A=1`), a value flag ending a cluster takes the next word (`-itp 80:80`, and among the
 * global options `-Dl debug`, `-DH unix:///x.sock`), `--` ends the options (among the global
 * options the next word is the command; among run/create options the next word is IMAGE and
 * GPU options go before the `--`), and nothing after IMAGE is read. Which flags take a value
 * comes from docker_flags (the union over docker 1.12-28.x). Global options that cannot be read
 * (unknown option, missing value) make the line uncertain whatever the command, and the
 * command is then DOCKER_COMMAND_OTHER. Global --help/--version are ignored by docker when a
 * command follows, and so here. Lines docker accepts but that are read as uncertain here:
 * `container --help run IMG`, `run -test.v IMG` (tests/integration/test_args_vs_docker.sh
 * lists them).
 *
 * For run/create the options that GPU selection depends on are recorded as pointers into the
 * words: every `--gpus` (which the run path removes and serves itself), the last -e/--env of
 * NVIDIA_VISIBLE_DEVICES, NV_GPU, NVIDIA_DRIVER_CAPABILITIES and of each loader variable
 * (loader_env.h), the --env-file paths in
 * order, and --runtime. More than DOCKER_ARGS_MAX_REPEATS `--gpus` or `--env-file` options
 * make the line uncertain.
 */
#ifndef NVD_DOCKER_ARGS_H
#define NVD_DOCKER_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "nvidia-docker/loader_env.h"

#define DOCKER_ARGS_MAX_REPEATS 16

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
        /* Number of global option words before the command word (before `container` for
         * `container run`), not counting a `--` that ends them: the user's global options,
         * which the run path repeats on its own docker calls. */
        size_t global_count;
        /* Global options that choose another daemon or client configuration (-H/--host,
         * -c/--context, --config, --tls*): the engine must then be asked through the CLI. */
        bool daemon_options;
        /* Their values, pointing into the words (the last one given; NULL when absent): the
         * engine the command goes to (engine_endpoint). */
        const char *host_option;    /* -H/--host */
        const char *context_option; /* -c/--context */
        const char *config_option;  /* --config */

        /* For every command: the line was read to its end (run/create: to IMAGE). */
        bool certain;               /* false: pass through unchanged */
        char uncertain_reason[160]; /* for NV_DEBUG, when !certain; "" when certain */

        /* run/create only, when certain. */
        size_t image_index;   /* index of IMAGE */
        size_t insert_index;  /* where GPU options go: image_index, or the `--` before it */
        const char *pull;     /* value of --pull (points into the words), or NULL */
        const char *platform; /* value of --platform, or NULL */
        const char *runtime;  /* value of the last --runtime, or NULL */

        /* Every --gpus: where it stands (index of its first word, 1 or 2 words) and its value,
         * in order. */
        struct docker_args_option {
                size_t index;
                size_t words;
                const char *value;
        } gpus[DOCKER_ARGS_MAX_REPEATS];
        size_t gpus_count;
        /* The whole value (`NAME=value` or `NAME`) of the last -e/--env naming each. */
        const char *env_visible_devices;                /* NVIDIA_VISIBLE_DEVICES */
        const char *env_nv_gpu;                         /* NV_GPU */
        const char *env_capabilities;                   /* NVIDIA_DRIVER_CAPABILITIES */
        const char *env_loader[LOADER_ENV_COUNT];       /* loader_env_names[i] */
        const char *env_files[DOCKER_ARGS_MAX_REPEATS]; /* --env-file values, in order */
        size_t env_file_count;
        /* Podman: an option choosing the storage (--root, ...) after the command word, where
         * the wrapper cannot repeat it for `image inspect` (its name, static), or NULL. */
        const char *late_daemon_option;
};

/* Never fails: an unreadable line is reported through `certain`. */
void docker_args_parse(const char *const *words, size_t count, struct docker_args *out);
/* The same with another CLI's tables (podman's: docker_flags_tables). Podman's --rootfs makes
 * the line uncertain: its IMAGE word is a directory. */
struct docker_flag_tables;
void docker_args_parse_with(const char *const *words, size_t count,
                            const struct docker_flag_tables *tables, struct docker_args *out);

#endif
