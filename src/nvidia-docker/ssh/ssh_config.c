#include "nvidia-docker/ssh/ssh_config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"

#define SSH_CONFIG_MAX_DEPTH 16
#define SSH_CONFIG_MAX_SIZE  (1024 * 1024)

void ssh_config_init(struct ssh_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        strv_init(&cfg->identity_files);
        strv_init(&cfg->user_known_hosts_files);
        strv_init(&cfg->global_known_hosts_files);
        cfg->identities_only = -1;
        cfg->connect_timeout = -1;
        cfg->strict_host_key_checking = SSH_STRICT_UNSET;
        cfg->number_of_password_prompts = -1;
        cfg->password_authentication = -1;
        cfg->kbd_interactive_authentication = -1;
        cfg->pubkey_authentication = -1;
}

void ssh_config_destroy(struct ssh_config *cfg)
{
        free(cfg->hostname);
        free(cfg->user);
        free(cfg->port);
        strv_destroy(&cfg->identity_files);
        strv_destroy(&cfg->user_known_hosts_files);
        strv_destroy(&cfg->global_known_hosts_files);
        memset(cfg, 0, sizeof(*cfg));
}

bool ssh_pattern_match(const char *pattern, const char *text)
{
        /* Iterative glob with one backtrack point: linear enough for host names. */
        const char *star = NULL, *resume = NULL;
        while (*text != '\0') {
                if (*pattern == '*') {
                        star = pattern++;
                        resume = text;
                } else if (*pattern == '?' ||
                           (*pattern != '\0' &&
                            tolower((unsigned char)*pattern) == tolower((unsigned char)*text))) {
                        pattern++;
                        text++;
                } else if (star != NULL) {
                        pattern = star + 1;
                        text = ++resume;
                } else {
                        return false;
                }
        }
        while (*pattern == '*')
                pattern++;
        return *pattern == '\0';
}

bool ssh_pattern_list_match(const char *list, const char *separators, const char *text)
{
        bool positive = false;
        const char *p = list;
        while (*p != '\0') {
                size_t len = strcspn(p, separators);
                if (len > 0) {
                        cleanup_free char *item = xstrndup(p, len);
                        bool negated = item[0] == '!';
                        if (ssh_pattern_match(item + (negated ? 1 : 0), text)) {
                                if (negated)
                                        return false;
                                positive = true;
                        }
                }
                p += len;
                p += strspn(p, separators);
        }
        return positive;
}

/* Splits the arguments of a line: whitespace-separated, double quotes group. */
static int split_arguments(const char *s, struct strv *out)
{
        while (*s != '\0') {
                s += strspn(s, " \t\r\n");
                if (*s == '\0')
                        break;
                struct buf word = BUF_INIT;
                buf_puts(&word, "");
                while (*s != '\0' && !strchr(" \t\r\n", *s)) {
                        if (*s == '"') {
                                const char *end = strchr(s + 1, '"');
                                if (end == NULL) {
                                        buf_destroy(&word);
                                        return -1;
                                }
                                buf_append(&word, s + 1, (size_t)(end - s - 1));
                                s = end + 1;
                        } else {
                                buf_append(&word, s++, 1);
                        }
                }
                strv_push_owned(out, buf_steal(&word));
        }
        return 0;
}

static int parse_flag(const char *value, int *out)
{
        if (!strcasecmp(value, "yes") || !strcasecmp(value, "true"))
                *out = 1;
        else if (!strcasecmp(value, "no") || !strcasecmp(value, "false"))
                *out = 0;
        else
                return -1;
        return 0;
}

/* Seconds, optionally with OpenSSH's s/m/h suffixes ("10", "10s", "1m30s"). */
static int parse_seconds(const char *value, int *out)
{
        long total = 0;
        const char *p = value;
        if (*p == '\0')
                return -1;
        while (*p != '\0') {
                if (!isdigit((unsigned char)*p))
                        return -1;
                char *end;
                long n = strtol(p, &end, 10);
                long unit = 1;
                if (*end == 's' || *end == 'S')
                        end++;
                else if (*end == 'm' || *end == 'M')
                        unit = 60, end++;
                else if (*end == 'h' || *end == 'H')
                        unit = 3600, end++;
                else if (*end != '\0')
                        return -1;
                total += n * unit;
                if (total > 86400 * 365)
                        return -1;
                p = end;
        }
        *out = (int)total;
        return 0;
}

static bool valid_port(const char *value)
{
        if (value[0] == '\0' || strlen(value) > 5 || strspn(value, "0123456789") != strlen(value))
                return false;
        long n = strtol(value, NULL, 10);
        return n >= 1 && n <= 65535;
}

static int apply_include(struct ssh_config *cfg, const struct strv *args, const char *origin,
                         unsigned line, const struct ssh_config_context *ctx, struct error *err)
{
        if (ctx->depth >= SSH_CONFIG_MAX_DEPTH)
                return error_set(err, "%s:%u: Include nested too deeply", origin, line);
        for (size_t i = 1; i < args->count; i++) {
                const char *arg = args->items[i];
                cleanup_free char *path = NULL;
                if ((arg[0] == '~' && arg[1] == '/') && ctx->home != NULL)
                        path = xasprintf("%s%s", ctx->home, arg + 1);
                else if (arg[0] == '/')
                        path = xstrdup(arg);
                else
                        path = xasprintf("%s/%s", ctx->config_dir ? ctx->config_dir : ".", arg);
                glob_t g;
                int rc = glob(path, 0, NULL, &g);
                if (rc == GLOB_NOMATCH)
                        continue;
                if (rc != 0)
                        return error_set(err, "%s:%u: cannot expand Include %s", origin, line, arg);
                struct ssh_config_context sub = *ctx;
                sub.depth = ctx->depth + 1;
                for (size_t j = 0; j < g.gl_pathc; j++) {
                        if (ssh_config_read_file(cfg, g.gl_pathv[j], &sub, err) < 0) {
                                globfree(&g);
                                return error_prefix(err, "%s:%u: Include %s", origin, line, arg);
                        }
                }
                globfree(&g);
        }
        return 0;
}

/* Match criteria: all, host, originalhost (ANDed); others make the block not apply. */
static bool match_applies(const struct ssh_config *cfg, const struct strv *args,
                          const struct ssh_config_context *ctx)
{
        if (args->count < 2)
                return false;
        for (size_t i = 1; i < args->count; i++) {
                const char *criterion = args->items[i];
                bool negate = criterion[0] == '!';
                if (negate)
                        criterion++;
                bool result;
                if (!strcasecmp(criterion, "all")) {
                        result = true;
                } else if ((!strcasecmp(criterion, "host") ||
                            !strcasecmp(criterion, "originalhost")) &&
                           i + 1 < args->count) {
                        const char *against = ctx->host;
                        if (!strcasecmp(criterion, "host") && cfg->hostname != NULL)
                                against = cfg->hostname;
                        result = ssh_pattern_list_match(args->items[++i], ",", against);
                } else {
                        return false;
                }
                if (result == negate)
                        return false;
        }
        return true;
}

static int set_string(char **field, const struct strv *args, const char *origin, unsigned line,
                      struct error *err)
{
        if (args->count != 2)
                return error_set(err, "%s:%u: %s takes one argument", origin, line, args->items[0]);
        if (*field == NULL)
                *field = xstrdup(args->items[1]);
        return 0;
}

static int set_flag(int *field, const struct strv *args, const char *origin, unsigned line,
                    struct error *err)
{
        int value;
        if (args->count != 2 || parse_flag(args->items[1], &value) < 0)
                return error_set(err, "%s:%u: %s takes yes or no", origin, line, args->items[0]);
        if (*field < 0)
                *field = value;
        return 0;
}

static void set_list(struct strv *field, bool *set, const struct strv *args)
{
        if (*set)
                return;
        *set = true;
        for (size_t i = 1; i < args->count; i++)
                if (strcasecmp(args->items[i], "none") != 0)
                        strv_push(field, args->items[i]);
}

static int set_connect_timeout(struct ssh_config *cfg, const struct strv *args, const char *origin,
                               unsigned line, struct error *err)
{
        const char *value = args->count > 1 ? args->items[1] : "";
        int seconds;
        if (args->count != 2)
                return error_set(err, "%s:%u: ConnectTimeout takes one argument", origin, line);
        if (!strcasecmp(value, "none"))
                seconds = 0;
        else if (parse_seconds(value, &seconds) < 0)
                return error_set(err, "%s:%u: bad ConnectTimeout '%s'", origin, line, value);
        if (cfg->connect_timeout < 0)
                cfg->connect_timeout = seconds;
        return 0;
}

static int set_strict(struct ssh_config *cfg, const char *value, const char *origin, unsigned line,
                      struct error *err)
{
        int mode;
        if (!strcasecmp(value, "yes") || !strcasecmp(value, "true"))
                mode = SSH_STRICT_YES;
        else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
                 !strcasecmp(value, "off"))
                mode = SSH_STRICT_NO;
        else if (!strcasecmp(value, "ask"))
                mode = SSH_STRICT_ASK;
        else if (!strcasecmp(value, "accept-new"))
                mode = SSH_STRICT_ACCEPT_NEW;
        else
                return error_set(err,
                                 "%s:%u: bad StrictHostKeyChecking '%s' (yes, ask, accept-new "
                                 "or no)",
                                 origin, line, value);
        if (cfg->strict_host_key_checking == SSH_STRICT_UNSET)
                cfg->strict_host_key_checking = mode;
        return 0;
}

static int set_password_prompts(struct ssh_config *cfg, const struct strv *args, const char *origin,
                                unsigned line, struct error *err)
{
        const char *value = args->count > 1 ? args->items[1] : "";
        if (args->count != 2 || value[0] == '\0' || strlen(value) > 3 ||
            strspn(value, "0123456789") != strlen(value))
                return error_set(err, "%s:%u: bad NumberOfPasswordPrompts '%s'", origin, line,
                                 value);
        if (cfg->number_of_password_prompts < 0)
                cfg->number_of_password_prompts = (int)strtol(value, NULL, 10);
        return 0;
}

static int apply_line(struct ssh_config *cfg, const struct strv *args, const char *origin,
                      unsigned line, const struct ssh_config_context *ctx, struct error *err)
{
        const char *key = args->items[0];
        const char *value = args->count > 1 ? args->items[1] : "";
        if (!strcasecmp(key, "hostname"))
                return set_string(&cfg->hostname, args, origin, line, err);
        if (!strcasecmp(key, "user"))
                return set_string(&cfg->user, args, origin, line, err);
        if (!strcasecmp(key, "port")) {
                if (args->count != 2 || !valid_port(value))
                        return error_set(err, "%s:%u: bad Port '%s' (1 to 65535)", origin, line,
                                         value);
                return set_string(&cfg->port, args, origin, line, err);
        }
        if (!strcasecmp(key, "identityfile")) {
                if (args->count != 2)
                        return error_set(err, "%s:%u: IdentityFile takes one argument", origin,
                                         line);
                cfg->identity_files_set = true;
                strv_push(&cfg->identity_files, value);
                return 0;
        }
        if (!strcasecmp(key, "identitiesonly"))
                return set_flag(&cfg->identities_only, args, origin, line, err);
        if (!strcasecmp(key, "connecttimeout"))
                return set_connect_timeout(cfg, args, origin, line, err);
        if (!strcasecmp(key, "userknownhostsfile")) {
                set_list(&cfg->user_known_hosts_files, &cfg->user_known_hosts_set, args);
                return 0;
        }
        if (!strcasecmp(key, "globalknownhostsfile")) {
                set_list(&cfg->global_known_hosts_files, &cfg->global_known_hosts_set, args);
                return 0;
        }
        if (!strcasecmp(key, "stricthostkeychecking"))
                return set_strict(cfg, value, origin, line, err);
        if (!strcasecmp(key, "numberofpasswordprompts"))
                return set_password_prompts(cfg, args, origin, line, err);
        if (!strcasecmp(key, "passwordauthentication"))
                return set_flag(&cfg->password_authentication, args, origin, line, err);
        if (!strcasecmp(key, "kbdinteractiveauthentication") ||
            !strcasecmp(key, "challengeresponseauthentication"))
                return set_flag(&cfg->kbd_interactive_authentication, args, origin, line, err);
        if (!strcasecmp(key, "pubkeyauthentication"))
                return set_flag(&cfg->pubkey_authentication, args, origin, line, err);
        if (!strcasecmp(key, "include"))
                return apply_include(cfg, args, origin, line, ctx, err);
        return 0; /* every other keyword: not ours */
}

int ssh_config_parse(struct ssh_config *cfg, const char *text, size_t len, const char *origin,
                     const struct ssh_config_context *ctx, struct error *err)
{
        bool active = true;
        unsigned line_number = 0;
        const char *p = text, *end = text + len;
        while (p < end) {
                const char *newline = memchr(p, '\n', (size_t)(end - p));
                size_t line_len = newline != NULL ? (size_t)(newline - p) : (size_t)(end - p);
                /* xstrndup stops at a NUL: the line ends there, the next line still counts. */
                cleanup_free char *line = xstrndup(p, line_len);
                p += line_len + (newline != NULL ? 1 : 0);
                line_number++;

                char *s = line + strspn(line, " \t\r");
                if (*s == '\0' || *s == '#')
                        continue;
                /* "Keyword value", "Keyword=value", "Keyword = value" */
                size_t key_len = strcspn(s, " \t\r=");
                cleanup_free char *key = xstrndup(s, key_len);
                char *rest = s + key_len;
                rest += strspn(rest, " \t\r");
                if (*rest == '=')
                        rest++;
                struct strv args = STRV_INIT;
                strv_push(&args, key);
                if (split_arguments(rest, &args) < 0) {
                        strv_destroy(&args);
                        return error_set(err, "%s:%u: unbalanced quote", origin, line_number);
                }
                int rc = 0;
                if (!strcasecmp(key, "host")) {
                        active = false;
                        bool positive = false;
                        for (size_t i = 1; i < args.count; i++) {
                                const char *pat = args.items[i];
                                bool negated = pat[0] == '!';
                                if (ssh_pattern_match(pat + (negated ? 1 : 0), ctx->host)) {
                                        if (negated) {
                                                positive = false;
                                                break;
                                        }
                                        positive = true;
                                }
                        }
                        active = positive;
                } else if (!strcasecmp(key, "match")) {
                        active = match_applies(cfg, &args, ctx);
                } else if (active) {
                        rc = apply_line(cfg, &args, origin, line_number, ctx, err);
                }
                strv_destroy(&args);
                if (rc < 0)
                        return -1;
        }
        return 0;
}

int ssh_config_read_file(struct ssh_config *cfg, const char *path,
                         const struct ssh_config_context *ctx, struct error *err)
{
        struct buf text = BUF_INIT;
        if (buf_read_path(&text, path, SSH_CONFIG_MAX_SIZE) < 0) {
                int saved = errno;
                buf_destroy(&text);
                if (saved == ENOENT || saved == ENOTDIR)
                        return 0;
                if (saved == E2BIG)
                        return error_set(err, "SSH configuration file %s is larger than %d MiB",
                                         path, SSH_CONFIG_MAX_SIZE >> 20);
                return error_set_errno(err, saved, "cannot read SSH configuration %s", path);
        }
        int rc = ssh_config_parse(cfg, text.data ? text.data : "", text.len, path, ctx, err);
        buf_destroy(&text);
        return rc;
}

char *ssh_config_expand(const char *text, const struct ssh_expand_context *ctx, struct error *err)
{
        struct buf out = BUF_INIT;
        buf_puts(&out, "");
        const char *p = text;
        if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
                if (ctx->home == NULL) {
                        buf_destroy(&out);
                        error_set(err, "cannot expand ~ in %s: no home directory", text);
                        return NULL;
                }
                buf_puts(&out, ctx->home);
                p++;
        }
        for (; *p != '\0'; p++) {
                if (*p != '%') {
                        buf_append(&out, p, 1);
                        continue;
                }
                const char *value = NULL;
                switch (p[1]) {
                case '%':
                        value = "%";
                        break;
                case 'd':
                        value = ctx->home;
                        break;
                case 'h':
                        value = ctx->host;
                        break;
                case 'n':
                        value = ctx->original_host;
                        break;
                case 'p':
                        value = ctx->port;
                        break;
                case 'r':
                        value = ctx->remote_user;
                        break;
                case 'u':
                        value = ctx->local_user;
                        break;
                case 'l':
                        value = ctx->local_host;
                        break;
                default:
                        break;
                }
                if (value == NULL) {
                        buf_destroy(&out);
                        error_set(
                            err,
                            "cannot expand %%%c in %s (known: %%%% %%d %%h %%n %%p %%r %%u %%l)",
                            p[1] ? p[1] : '?', text);
                        return NULL;
                }
                buf_puts(&out, value);
                p++;
        }
        return buf_steal(&out);
}
