/*
 * docker_flags: which docker CLI options exist and which of them take a value.
 *
 * Two tables: the global options (before the command word) and the options of `run`/`create`
 * (shared, plus the run-only ones). Each is the union over the docker clients 1.12 to 28.x,
 * hidden and deprecated options included, so that one table reads the command line of any of
 * those clients. No docker is asked for its version. Lookups are by long name (without the
 * dashes) or by one-letter shorthand.
 *
 * Podman (NV_DOCKER naming podman, docs/cdi.md) has two tables of its own, from podman 4.3
 * (Debian 12): its global options, and its run/create options, which include the aliases podman
 * accepts (--net, --dns-opt, --purge, ...) and its global options that may also follow the
 * command (--root, --log-level, ...: cobra persistent flags).
 */
#ifndef NVD_DOCKER_FLAGS_H
#define NVD_DOCKER_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

/* What an option means to the wrapper, beyond its syntax. */
enum docker_flag_role {
        DOCKER_FLAG_PLAIN,    /* nothing special */
        DOCKER_FLAG_HELP,     /* --help (-h among the global options): usage, if no command */
        DOCKER_FLAG_VERSION,  /* global -v/--version: version, if no command follows */
        DOCKER_FLAG_DAEMON,   /* global option choosing the daemon or client configuration */
        DOCKER_FLAG_PULL,     /* run/create --pull */
        DOCKER_FLAG_PLATFORM, /* run/create --platform */
        DOCKER_FLAG_GPUS,     /* run/create --gpus */
        DOCKER_FLAG_ENV,      /* run/create -e/--env */
        DOCKER_FLAG_ENV_FILE, /* run/create --env-file */
        DOCKER_FLAG_RUNTIME,  /* run/create --runtime */
        DOCKER_FLAG_NO_IMAGE, /* podman --rootfs: the IMAGE word is a directory */
};

/* Where a run/create option is accepted. */
enum docker_flag_scope {
        DOCKER_FLAG_RUN_CREATE,  /* both `run` and `create` */
        DOCKER_FLAG_RUN_ONLY,    /* `run` only (-d, --sig-proxy, --detach-keys) */
        DOCKER_FLAG_CREATE_ONLY, /* `create` only (podman --init-ctr) */
};

struct docker_flag {
        const char *name;             /* long name without the leading `--` */
        char shorthand;               /* one-letter form, or 0 */
        bool takes_value;             /* false: boolean (`--x`, `--x=false`) */
        enum docker_flag_scope scope; /* run/create table only */
        enum docker_flag_role role;
        bool current; /* accepted by the 28.x client (false: older clients only) */
};

/* The tables; `*count` receives the number of rows. */
const struct docker_flag *docker_flags_global(size_t *count);
const struct docker_flag *docker_flags_container(size_t *count);
const struct docker_flag *docker_flags_podman_global(size_t *count);
const struct docker_flag *docker_flags_podman_container(size_t *count);

/* The pair of tables one CLI is read with. */
struct docker_flag_tables {
        const struct docker_flag *global, *container;
        size_t global_count, container_count;
        const char *program;           /* "docker" or "podman", for messages */
        bool dash_dash_before_command; /* `docker -- run` is read; podman refuses it */
};
/* Docker's tables, or podman's. */
void docker_flags_tables(bool podman, struct docker_flag_tables *out);

/* Finds a row by long name (`name` need not be NUL-terminated: `length` bytes) or by
 * shorthand. NULL when unknown. */
const struct docker_flag *docker_flags_find_long(const struct docker_flag *table, size_t count,
                                                 const char *name, size_t length);
const struct docker_flag *docker_flags_find_short(const struct docker_flag *table, size_t count,
                                                  char shorthand);

/* Go's strconv.ParseBool, which pflag uses for `--rm=false`: true if `value` is a valid
 * boolean spelling ("1", "t", "T", "TRUE", "true", "True", "0", "f", ...). */
bool docker_flags_valid_bool(const char *value);
/* True for the spellings of true ("1", "t", "T", "TRUE", "true", "True"). */
bool docker_flags_bool_is_true(const char *value);

#endif
