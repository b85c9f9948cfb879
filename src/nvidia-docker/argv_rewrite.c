#include "nvidia-docker/argv_rewrite.h"

#include <stdbool.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"

/* "name:target[:ro|rw]" -> --mount=type=volume,source=name,target=target[,readonly][,...] */
static int volume_option(const char *volume, const char *driver, struct strv *out,
                         struct error *err)
{
        cleanup_free char *copy = xstrdup(volume);
        char *name = copy, *target = strchr(copy, ':'), *mode = NULL;
        if (target == NULL || target == name)
                return error_set(err,
                                 "nvidia-docker-plugin answered a volume '%s' without a "
                                 "name or target (want NAME:TARGET[:ro]); is the plugin up "
                                 "to date?",
                                 volume);
        *target++ = '\0';
        if ((mode = strchr(target, ':')) != NULL)
                *mode++ = '\0';
        if (target[0] != '/')
                return error_set(err,
                                 "nvidia-docker-plugin answered a volume '%s' whose target "
                                 "is not an absolute path",
                                 volume);
        if (mode != NULL && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
                return error_set(err,
                                 "nvidia-docker-plugin answered a volume '%s' with mode "
                                 "'%s' (want ro or rw)",
                                 volume, mode);
        /* --mount is CSV: a comma or quote would split the value. */
        if (strpbrk(volume, ",\"") != NULL || (driver != NULL && strpbrk(driver, ",\"") != NULL))
                return error_set(err,
                                 "nvidia-docker-plugin answered a volume '%s' that cannot be "
                                 "written as a --mount option (comma or quote)",
                                 volume);
        struct buf line = BUF_INIT;
        buf_printf(&line, "--mount=type=volume,source=%s,target=%s", name, target);
        if (mode != NULL && strcmp(mode, "ro") == 0)
                buf_puts(&line, ",readonly");
        if (driver != NULL && driver[0] != '\0')
                buf_printf(&line, ",volume-driver=%s", driver);
        strv_push_owned(out, buf_steal(&line));
        return 0;
}

int argv_gpu_options(const struct docker_cli_answer *answer, const struct argv_extras *extras,
                     struct strv *out, struct error *err)
{
        struct strv options = STRV_INIT;
        strv_init(&options);
        for (size_t i = 0; answer != NULL && i < answer->devices.count; i++) {
                const char *device = answer->devices.items[i];
                if (device[0] != '/') {
                        strv_destroy(&options);
                        return error_set(err,
                                         "nvidia-docker-plugin answered a device '%s' that "
                                         "is not an absolute path",
                                         device);
                }
                strv_pushf(&options, "--device=%s", device);
        }
        for (size_t i = 0; answer != NULL && i < answer->volumes.count; i++) {
                if (volume_option(answer->volumes.items[i], answer->volume_driver, &options, err) <
                    0) {
                        strv_destroy(&options);
                        return -1;
                }
        }
        if (extras != NULL && extras->runtime != NULL)
                strv_pushf(&options, "--runtime=%s", extras->runtime);
        if (extras != NULL && extras->capabilities != NULL)
                strv_pushf(&options, "--env=NVIDIA_DRIVER_CAPABILITIES=%s", extras->capabilities);
        for (size_t i = 0;
             extras != NULL && extras->environment != NULL && i < extras->environment->count; i++)
                strv_pushf(&options, "--env=%s", extras->environment->items[i]);
        for (size_t i = 0; i < options.count; i++)
                strv_push(out, options.items[i]);
        strv_destroy(&options);
        return 0;
}

static bool removed_word(size_t i, const struct docker_args_option *removed, size_t count)
{
        for (size_t k = 0; k < count; k++)
                if (i >= removed[k].index && i < removed[k].index + removed[k].words)
                        return true;
        return false;
}

void argv_rewrite(const struct strv *docker, const char *const *words, size_t count,
                  size_t insert_index, const struct strv *options,
                  const struct docker_args_option *removed, size_t removed_count, struct strv *out)
{
        if (insert_index > count)
                insert_index = count;
        for (size_t i = 0; i < docker->count; i++)
                strv_push(out, docker->items[i]);
        for (size_t i = 0; i < insert_index; i++)
                if (!removed_word(i, removed, removed_count))
                        strv_push(out, words[i]);
        for (size_t i = 0; options != NULL && i < options->count; i++)
                strv_push(out, options->items[i]);
        for (size_t i = insert_index; i < count; i++)
                strv_push(out, words[i]);
}

char *argv_env_merge(const char *entry, const char *current)
{
        const char *eq = strchr(entry, '=');
        if (eq == NULL)
                return xstrdup(entry);
        if (current == NULL || current[0] == '\0')
                return xstrdup(entry);
        struct strv have = STRV_INIT, add = STRV_INIT;
        strv_split(&have, current, ":");
        strv_split(&add, eq + 1, ":");
        struct buf out = BUF_INIT;
        buf_printf(&out, "%.*s=%s", (int)(eq - entry), entry, current);
        for (size_t i = 0; i < add.count; i++) {
                bool present = false;
                for (size_t j = 0; j < have.count && !present; j++)
                        present = strcmp(have.items[j], add.items[i]) == 0;
                if (!present)
                        buf_printf(&out, ":%s", add.items[i]);
        }
        strv_destroy(&have);
        strv_destroy(&add);
        return buf_steal(&out);
}
