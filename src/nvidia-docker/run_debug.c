/* run_debug: see run_debug.h. */
#include "nvidia-docker/run_debug.h"

#include <stdarg.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/xalloc.h"

void run_debug(const struct run_state *s, const char *fmt, ...)
{
        if (!s->debug)
                return;
        va_list ap;
        va_start(ap, fmt);
        cleanup_free char *text = xvasprintf(fmt, ap);
        va_end(ap);
        log_msg("Debug: %s", text);
}

static void append_quoted(struct buf *line, const char *word)
{
        bool plain = word[0] != '\0';
        for (const char *p = word; *p != '\0' && plain; p++)
                plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "-_./:=,+@%",
                               *p) != NULL;
        if (line->len > 0)
                buf_puts(line, " ");
        if (plain) {
                buf_puts(line, word);
                return;
        }
        buf_puts(line, "'");
        for (const char *p = word; *p != '\0'; p++) {
                if (*p == '\'')
                        buf_puts(line, "'\\''");
                else
                        buf_append(line, p, 1);
        }
        buf_puts(line, "'");
}

void run_debug_argv(const struct run_state *s, const char *what, const char *const *words,
                    size_t count)
{
        if (!s->debug)
                return;
        struct buf line = BUF_INIT;
        for (size_t i = 0; i < s->request->docker->count; i++)
                append_quoted(&line, s->request->docker->items[i]);
        for (size_t i = 0; i < count; i++)
                append_quoted(&line, words[i]);
        run_debug(s, "%s: %s", what, line.data != NULL ? line.data : "");
        buf_destroy(&line);
}

void run_debug_plugin_target(const struct run_state *s)
{
        if (s->plugin.docker_host_unset_warning)
                run_debug(s, "NV_HOST is set but DOCKER_HOST is not");
        if (s->plugin.transport == PLUGIN_TRANSPORT_SSH)
                run_debug(s, "plugin: ssh://%s@%s:%s, then 127.0.0.1:%s (from %s)",
                          s->plugin.ssh_user ? s->plugin.ssh_user : "", s->plugin.ssh_host,
                          s->plugin.ssh_port, s->plugin.plugin_port, s->plugin.source);
        else
                run_debug(s, "plugin: %s (from %s)", s->plugin.url, s->plugin.source);
}

void run_debug_answer(const struct run_state *s)
{
        if (!s->debug)
                return;
        cleanup_free char *asked = s->all_devices ? xstrdup("all") : strv_join(&s->devices, ",");
        cleanup_free char *devices = strv_join(&s->answer.devices, " ");
        cleanup_free char *volumes = strv_join(&s->answer.volumes, " ");
        run_debug(s, "GPUs asked for: %s; devices: %s; volumes: %s (driver %s)", asked, devices,
                  volumes, s->answer.volume_driver ? s->answer.volume_driver : "none");
}
