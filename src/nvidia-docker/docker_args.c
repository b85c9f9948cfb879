#include "nvidia-docker/docker_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nvidia-docker/docker_flags.h"

/* Which options a stretch of words is read against. */
struct option_context {
        const struct docker_flag *table;
        size_t table_count;
        bool global;                 /* the global options, before the command word */
        enum docker_command command; /* RUN or CREATE for their options */
        const char *command_name;    /* "run", "create", for messages */
};

__attribute__((format(printf, 2, 3))) static void set_uncertain(struct docker_args *out,
                                                                const char *fmt, ...)
{
        out->certain = false;
        if (out->uncertain_reason[0] != '\0')
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out->uncertain_reason, sizeof(out->uncertain_reason), fmt, ap);
        va_end(ap);
}

/* pflag: a word is an option if it starts with `-` and is not `-` alone (nor empty). */
static bool is_option_word(const char *word)
{
        return word[0] == '-' && word[1] != '\0';
}

/* A run-only option is unknown to create, a create-only one to run. */
static bool in_scope(const struct option_context *ctx, const struct docker_flag *flag)
{
        if (flag == NULL || ctx->global)
                return flag != NULL;
        if (flag->scope == DOCKER_FLAG_RUN_ONLY)
                return ctx->command == DOCKER_COMMAND_RUN;
        if (flag->scope == DOCKER_FLAG_CREATE_ONLY)
                return ctx->command == DOCKER_COMMAND_CREATE;
        return true;
}

static const struct docker_flag *context_find_long(const struct option_context *ctx,
                                                   const char *name, size_t length)
{
        const struct docker_flag *flag =
            docker_flags_find_long(ctx->table, ctx->table_count, name, length);
        return in_scope(ctx, flag) ? flag : NULL;
}

static const struct docker_flag *context_find_short(const struct option_context *ctx, char c)
{
        const struct docker_flag *flag = docker_flags_find_short(ctx->table, ctx->table_count, c);
        return in_scope(ctx, flag) ? flag : NULL;
}

static const char *context_where(const struct option_context *ctx)
{
        return ctx->global ? "the global options" : ctx->command_name;
}

/* True when an -e value `NAME=...` or `NAME` names `name`. */
static bool env_names(const char *value, const char *name)
{
        size_t n = strlen(name);
        return strncmp(value, name, n) == 0 && (value[n] == '=' || value[n] == '\0');
}

static void note_env(const char *value, struct docker_args *out)
{
        if (env_names(value, "NVIDIA_VISIBLE_DEVICES"))
                out->env_visible_devices = value;
        else if (env_names(value, "NV_GPU"))
                out->env_nv_gpu = value;
        else if (env_names(value, "NVIDIA_DRIVER_CAPABILITIES"))
                out->env_capabilities = value;
        int loader = loader_env_index(value, strcspn(value, "="));
        if (loader >= 0)
                out->env_loader[loader] = value;
}

/* Records what an option means to the wrapper. `index` and `words`: where the option stands
 * (only known for long options; 0 words for short ones). -1: the line is uncertain. */
static int note_option(const struct option_context *ctx, const struct docker_flag *flag,
                       const char *value, size_t index, size_t words, struct docker_args *out)
{
        switch (flag->role) {
        case DOCKER_FLAG_HELP:
                /* Among the global options (and as --help=false) docker ignores it when a
                 * command follows; for run/create it prints the usage and runs nothing. */
                if (ctx->global || (value != NULL && !docker_flags_bool_is_true(value)))
                        break;
                set_uncertain(out, "--help in the %s options: docker prints its usage",
                              ctx->command_name);
                return -1;
        case DOCKER_FLAG_VERSION:
                /* docker ignores --version when a command follows. */
                break;
        case DOCKER_FLAG_DAEMON:
                out->daemon_options = true;
                if (strcmp(flag->name, "host") == 0)
                        out->host_option = value;
                else if (strcmp(flag->name, "context") == 0)
                        out->context_option = value;
                else if (strcmp(flag->name, "config") == 0)
                        out->config_option = value;
                if (!ctx->global && out->late_daemon_option == NULL)
                        out->late_daemon_option = flag->name;
                break;
        case DOCKER_FLAG_NO_IMAGE:
                if (value != NULL && !docker_flags_bool_is_true(value))
                        break;
                set_uncertain(out, "--%s: the IMAGE word is a root file system, not an image",
                              flag->name);
                return -1;
        case DOCKER_FLAG_PULL:
                out->pull = value;
                break;
        case DOCKER_FLAG_PLATFORM:
                out->platform = value;
                break;
        case DOCKER_FLAG_GPUS:
                if (out->gpus_count == DOCKER_ARGS_MAX_REPEATS) {
                        set_uncertain(out, "more than %d --gpus options", DOCKER_ARGS_MAX_REPEATS);
                        return -1;
                }
                out->gpus[out->gpus_count++] =
                    (struct docker_args_option){.index = index, .words = words, .value = value};
                break;
        case DOCKER_FLAG_ENV:
                note_env(value, out);
                break;
        case DOCKER_FLAG_ENV_FILE:
                if (out->env_file_count == DOCKER_ARGS_MAX_REPEATS) {
                        set_uncertain(out, "more than %d --env-file options",
                                      DOCKER_ARGS_MAX_REPEATS);
                        return -1;
                }
                out->env_files[out->env_file_count++] = value;
                break;
        case DOCKER_FLAG_RUNTIME:
                out->runtime = value;
                break;
        case DOCKER_FLAG_PLAIN:
                break;
        }
        return 0;
}

/* A `--name[=value]` word at words[i]. Returns how many words it took (1 or 2), 0 if the
 * line is uncertain. */
static size_t read_long_option(const struct option_context *ctx, const char *const *words,
                               size_t count, size_t i, struct docker_args *out)
{
        const char *word = words[i];
        const char *name = word + 2;
        if (name[0] == '-' || name[0] == '=') {
                set_uncertain(out, "bad flag syntax %.60s in %s", word, context_where(ctx));
                return 0;
        }
        const char *equals = strchr(name, '=');
        size_t length = equals != NULL ? (size_t)(equals - name) : strlen(name);
        const struct docker_flag *flag = context_find_long(ctx, name, length);
        if (flag == NULL) {
                set_uncertain(out, "unknown flag --%.*s in %s", (int)(length > 60 ? 60 : length),
                              name, context_where(ctx));
                return 0;
        }
        const char *value = NULL;
        size_t used = 1;
        if (equals != NULL) {
                value = equals + 1;
                if (!flag->takes_value && !docker_flags_valid_bool(value)) {
                        set_uncertain(out, "--%s=%.40s in %s is not a boolean", flag->name, value,
                                      context_where(ctx));
                        return 0;
                }
        } else if (flag->takes_value) {
                if (i + 1 >= count) {
                        set_uncertain(out, "--%s in %s has no value", flag->name,
                                      context_where(ctx));
                        return 0;
                }
                value = words[i + 1];
                used = 2;
        }
        return note_option(ctx, flag, value, i, used, out) < 0 ? 0 : used;
}

/* A `-abc` cluster at words[i], read letter by letter as pflag does. Returns how many words
 * it took (1 or 2), 0 if the line is uncertain. */
static size_t read_short_options(const struct option_context *ctx, const char *const *words,
                                 size_t count, size_t i, struct docker_args *out)
{
        const char *word = words[i];
        const char *letters = word + 1;
        if (strncmp(letters, "test.", 5) == 0) {
                /* pflag silently skips these (Go test flags). */
                set_uncertain(out, "%.60s in %s is ignored by docker's flag parser", word,
                              context_where(ctx));
                return 0;
        }
        for (size_t k = 0; letters[k] != '\0'; k++) {
                char c = letters[k];
                const struct docker_flag *flag = context_find_short(ctx, c);
                if (flag == NULL) {
                        if ((unsigned char)c >= 0x21 && (unsigned char)c < 0x7f)
                                set_uncertain(out, "unknown shorthand flag '%c' in %.60s in %s", c,
                                              word, context_where(ctx));
                        else
                                set_uncertain(out, "unknown shorthand flag (byte 0x%02x) in %s",
                                              (unsigned char)c, context_where(ctx));
                        return 0;
                }
                const char *rest = letters + k + 1;
                if (rest[0] == '=' && rest[1] != '\0') {
                        /* `-e=A=1`: the value is what follows the first `=`. */
                        if (!flag->takes_value && !docker_flags_valid_bool(rest + 1)) {
                                set_uncertain(out, "-%c=%.40s in %s is not a boolean", c, rest + 1,
                                              context_where(ctx));
                                return 0;
                        }
                        return note_option(ctx, flag, rest + 1, i, 0, out) < 0 ? 0 : 1;
                }
                if (!flag->takes_value) {
                        if (note_option(ctx, flag, NULL, i, 0, out) < 0)
                                return 0;
                        continue;
                }
                if (rest[0] != '\0') /* `-p8080:80`: the rest of the word is the value */
                        return note_option(ctx, flag, rest, i, 0, out) < 0 ? 0 : 1;
                if (i + 1 >= count) {
                        set_uncertain(out, "-%c in %s has no value", c, context_where(ctx));
                        return 0;
                }
                return note_option(ctx, flag, words[i + 1], i, 0, out) < 0 ? 0 : 2;
        }
        return 1;
}

/* Reads options from words[start]. Returns the index of the first word that is not an option
 * (or of `--`), or `count`; (size_t)-1 if the line is uncertain. */
static size_t read_options(const struct option_context *ctx, const char *const *words, size_t count,
                           size_t start, struct docker_args *out)
{
        size_t i = start;
        while (i < count && is_option_word(words[i]) && strcmp(words[i], "--") != 0) {
                size_t used = words[i][1] == '-' ? read_long_option(ctx, words, count, i, out)
                                                 : read_short_options(ctx, words, count, i, out);
                if (used == 0)
                        return (size_t)-1;
                i += used;
        }
        return i;
}

static void read_container_options(const char *const *words, size_t count,
                                   const struct docker_flag_tables *tables, struct docker_args *out)
{
        const struct option_context ctx = {
            .table = tables->container,
            .table_count = tables->container_count,
            .global = false,
            .command = out->command,
            .command_name = out->command == DOCKER_COMMAND_RUN ? "run" : "create",
        };
        size_t i = read_options(&ctx, words, count, out->command_index + 1, out);
        if (i == (size_t)-1)
                return;
        size_t image = i;
        if (i < count && strcmp(words[i], "--") == 0) {
                /* `--` ends the options: the next word is IMAGE whatever it looks like, and GPU
                 * options must go before the `--`. */
                image = i + 1;
        }
        if (image >= count) {
                set_uncertain(out, "no IMAGE after the %s options", ctx.command_name);
                return;
        }
        if (words[image][0] == '\0') {
                set_uncertain(out, "the IMAGE word of %s is empty", ctx.command_name);
                return;
        }
        if (words[image][0] == '-') {
                set_uncertain(out, "IMAGE %.60s of %s starts with '-'", words[image],
                              ctx.command_name);
                return;
        }
        out->insert_index = i;
        out->image_index = image;
        out->certain = true;
}

void docker_args_parse(const char *const *words, size_t count, struct docker_args *out)
{
        struct docker_flag_tables tables;
        docker_flags_tables(false, &tables);
        docker_args_parse_with(words, count, &tables, out);
}

void docker_args_parse_with(const char *const *words, size_t count,
                            const struct docker_flag_tables *tables, struct docker_args *out)
{
        memset(out, 0, sizeof(*out));
        out->command = DOCKER_COMMAND_NONE;
        out->certain = false;

        const struct option_context global = {
            .table = tables->global,
            .table_count = tables->global_count,
            .global = true,
            .command = DOCKER_COMMAND_NONE,
            .command_name = "docker",
        };
        size_t i = read_options(&global, words, count, 0, out);
        if (i == (size_t)-1) {
                out->command = DOCKER_COMMAND_OTHER;
                return;
        }
        out->global_count = i;
        if (i < count && strcmp(words[i], "--") == 0) {
                if (!tables->dash_dash_before_command) {
                        /* podman: "unrecognized command `podman run`" */
                        set_uncertain(out, "`--` before the %s command", tables->program);
                        out->command = DOCKER_COMMAND_OTHER;
                        return;
                }
                i++; /* `--` ends the global options: the next word is the command */
        }
        out->command_index = i;
        if (i == count) {
                out->certain = true;
                return;
        }

        const char *command = words[i];
        if (strcmp(command, "container") == 0) {
                if (i + 1 == count) { /* `container` alone: docker prints its usage */
                        out->command = DOCKER_COMMAND_OTHER;
                        out->certain = true;
                        return;
                }
                if (is_option_word(words[i + 1])) {
                        out->command = DOCKER_COMMAND_OTHER;
                        set_uncertain(out, "option %.60s between `container` and its command",
                                      words[i + 1]);
                        return;
                }
                i++;
                out->command_index = i;
                command = words[i];
                if (strcmp(command, "version") == 0) {
                        /* No `container version`: only the top-level word gets the banner. */
                        out->command = DOCKER_COMMAND_OTHER;
                        out->certain = true;
                        return;
                }
        }

        if (strcmp(command, "run") == 0) {
                out->command = DOCKER_COMMAND_RUN;
        } else if (strcmp(command, "create") == 0) {
                out->command = DOCKER_COMMAND_CREATE;
        } else if (strcmp(command, "version") == 0) {
                out->command = DOCKER_COMMAND_VERSION;
                out->certain = true;
                return;
        } else {
                out->command = DOCKER_COMMAND_OTHER;
                out->certain = true;
                return;
        }
        read_container_options(words, count, tables, out);
}
