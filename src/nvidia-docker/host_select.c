#include "nvidia-docker/host_select.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/text.h"
#include "common/xalloc.h"

#define DEFAULT_PLUGIN_PORT "3476"
#define DEFAULT_SSH_PORT    "22"
#define DEFAULT_HOST        "localhost"
#define LOCAL_URL           "http://127.0.0.1:" DEFAULT_PLUGIN_PORT

static const char NV_HOST_FORMS[] =
    "expected [http://|ssh://][user@][host][:sshport]:[port], e.g. http://gpu1:3476";
static const char DOCKER_HOST_FORMS[] =
    "expected unix://PATH, tcp://HOST[:PORT] or ssh://[user@]HOST[:SSHPORT], "
    "e.g. tcp://gpu1:2375";

/* What one variable says, split up (pointers into `copy`, NUL-terminated). */
struct host_value {
        const char *name;  /* "NV_HOST", or what names the engine's address ("DOCKER_HOST") */
        bool nv;           /* NV_HOST: 1.0's grammar; otherwise docker's address of the engine */
        const char *value; /* as given */
        char *shown;       /* value with any URL password masked, for messages */
        char *copy;        /* working copy */
        char *scheme;      /* lower-cased */
        char *userinfo;    /* NULL when no '@' */
        char *authority;   /* without user info */
        char *rest;        /* path, query and fragment (owned) */
};

static void host_value_destroy(struct host_value *v)
{
        free(v->shown);
        free(v->copy);
        free(v->rest);
}

static int value_error(const struct host_value *v, const char *reason, struct error *err)
{
        return error_set(err, "invalid %s '%s' (%s): %s", v->name, v->shown, reason,
                         v->nv ? NV_HOST_FORMS : DOCKER_HOST_FORMS);
}

/* Length of a leading `scheme://` (RFC 3986 scheme characters), or 0. */
static size_t scheme_length(const char *s)
{
        if (!isalpha((unsigned char)s[0]))
                return 0;
        size_t n = 1;
        while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '.' || s[n] == '-')
                n++;
        return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

/* Control characters as \xNN, so that a message stays on one line. */
static char *escape_controls(char *s)
{
        char *out = text_printable(s, strlen(s), SIZE_MAX);
        free(s);
        return out;
}

/* The value with the password of `user:password@` replaced by ***. */
static char *mask_password(const char *value)
{
        size_t slen = scheme_length(value);
        const char *auth = slen ? value + slen + 3 : value;
        size_t alen = strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < auth + alen; p++)
                if (*p == '@')
                        at = p;
        if (at == NULL)
                return xstrdup(value);
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon == NULL)
                return xstrdup(value);
        return xasprintf("%.*s:***%s", (int)(colon - value), value, at);
}

static int split_value(struct host_value *v, struct error *err)
{
        v->shown = escape_controls(mask_password(v->value));
        if (text_has_control(v->value, strlen(v->value)))
                return value_error(v, "control character", err);
        size_t slen = scheme_length(v->value);
        v->copy = slen ? xstrdup(v->value) : xasprintf("tcp://%s", v->value);
        if (slen == 0)
                slen = 3;
        v->copy[slen] = '\0';
        v->scheme = v->copy;
        for (char *p = v->scheme; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        char *auth = v->copy + slen + 3;
        char *rest = auth + strcspn(auth, "/?#");
        v->rest = xstrdup(rest); /* path, query and fragment: see refuse_unused_parts() */
        *rest = '\0';
        char *at = strrchr(auth, '@');
        if (at != NULL) {
                *at = '\0';
                v->userinfo = auth;
                auth = at + 1;
        }
        v->authority = auth;
        return 0;
}

static bool all_digits(const char *s, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                        return false;
        return true;
}

/* A port as written: digits, 1..65535 (leading zeros allowed and kept). */
static int check_port(const struct host_value *v, const char *port, struct error *err)
{
        size_t n = strlen(port);
        if (!all_digits(port, n))
                return value_error(v, "a port must be digits", err);
        const char *p = port;
        while (*p == '0' && p[1] != '\0')
                p++;
        if (strlen(p) > 5 || atoi(p) < 1 || atoi(p) > 65535)
                return value_error(v, "port out of range 1-65535", err);
        return 0;
}

static bool host_char(char c)
{
        return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_';
}

/* The parts of an authority `[HOST][:N1][:N2]` (each NULL when absent). */
struct authority {
        char *host; /* without brackets; "" when empty */
        bool ipv6;
        int colons;  /* number of ':' after the host */
        char *port1; /* text after the first colon */
        char *port2; /* text after the second colon */
};

static int split_authority(const struct host_value *v, char *auth, struct authority *a,
                           struct error *err)
{
        memset(a, 0, sizeof *a);
        char *rest;
        if (auth[0] == '[') {
                char *close = strchr(auth, ']');
                if (close == NULL)
                        return value_error(v, "missing ']' after the IPv6 address", err);
                *close = '\0';
                a->host = auth + 1;
                a->ipv6 = true;
                for (const char *p = a->host; *p; p++) {
                        if (isxdigit((unsigned char)*p) && !isdigit((unsigned char)*p) &&
                            isupper((unsigned char)*p))
                                return value_error(
                                    v, "write the IPv6 address in lower-case hex digits", err);
                        if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                                return value_error(v, "invalid IPv6 address", err);
                }
                struct in6_addr addr;
                if (inet_pton(AF_INET6, a->host, &addr) != 1)
                        return value_error(v, "invalid IPv6 address", err);
                rest = close + 1;
                if (*rest != '\0' && *rest != ':')
                        return value_error(v, "unexpected text after the IPv6 address", err);
        } else {
                size_t n = 0;
                while (host_char(auth[n]))
                        n++;
                if (auth[n] != '\0' && auth[n] != ':')
                        return value_error(v, "invalid character in the host name", err);
                rest = auth + n;
                a->host = auth;
        }
        if (*rest == ':') {
                *rest++ = '\0';
                a->colons = 1;
                a->port1 = rest;
                char *c2 = strchr(rest, ':');
                if (c2 != NULL) {
                        *c2++ = '\0';
                        a->colons = 2;
                        a->port2 = c2;
                        if (strchr(c2, ':') != NULL)
                                return value_error(v, "too many ':'", err);
                }
        }
        return 0;
}

static char *format_url(const char *host, bool ipv6, const char *port)
{
        return ipv6 ? xasprintf("http://[%s]:%s", host, port)
                    : xasprintf("http://%s:%s", host, port);
}

/* SSH user: any user info wins (the part before ':' if any, %-decoded), else $USER. */
static int ssh_user(const struct host_value *v, const char *user, struct plugin_target *out,
                    struct error *err)
{
        if (v->userinfo == NULL) {
                out->ssh_user = text_is_set(user) ? xstrdup(user) : NULL;
                return 0;
        }

        size_t n = strcspn(v->userinfo, ":");
        char *name = xmalloc(n + 1), *q = name;
        for (size_t i = 0; i < n; i++) {
                const char *p = v->userinfo + i;
                if (*p == '%') {
                        if (i + 2 >= n || !isxdigit((unsigned char)p[1]) ||
                            !isxdigit((unsigned char)p[2])) {
                                free(name);
                                return value_error(v, "bad %-escape in the user name", err);
                        }
                        char hex[3] = {p[1], p[2], '\0'};
                        *q++ = (char)strtol(hex, NULL, 16);
                        i += 2;
                } else {
                        *q++ = *p;
                }
        }
        *q = '\0';
        size_t len = (size_t)(q - name);
        if (len == 0 || text_has_control(name, len)) { /* NUL included: %00 */
                free(name);
                return value_error(v, len == 0 ? "empty user name before '@'" : "invalid user name",
                                   err);
        }
        out->ssh_user = name;
        out->ssh_user_explicit = true;
        return 0;
}

/*
 * NV_HOST names the plugin, whose requests go to fixed paths without any log-in: a user (HTTP),
 * a password (SSH), a path other than "/", a query or a fragment would be silently dropped, so
 * they are refused, all named in one message. (The engine's address may carry a base path for
 * the engine's own API: docker's business, ignored here.)
 */
static int refuse_unused_parts(const struct host_value *v, bool ssh, struct error *err)
{
        const char *parts[5];
        size_t n = 0;
        bool user = v->userinfo != NULL && !ssh;
        bool password = v->userinfo != NULL && ssh && strchr(v->userinfo, ':') != NULL;
        size_t path_len = strcspn(v->rest, "?#");
        if (user)
                parts[n++] = "the user";
        if (password)
                parts[n++] = "the password";
        if (path_len > 1 || (path_len == 1 && v->rest[0] != '/'))
                parts[n++] = "the path";
        if (strchr(v->rest, '?') != NULL)
                parts[n++] = "the query";
        if (strchr(v->rest, '#') != NULL)
                parts[n++] = "the fragment";
        if (n == 0)
                return 0;
        struct buf reason = BUF_INIT;
        for (size_t i = 0; i < n; i++)
                buf_printf(&reason, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", parts[i]);
        buf_printf(&reason, " %s not used: remove %s", n > 1 ? "are" : "is", n > 1 ? "them" : "it");
        if (user)
                buf_puts(&reason, "; the plugin's API has no log-in (ssh://user@host: logs in "
                                  "over SSH)");
        if (password)
                buf_puts(&reason, "; SSH asks for a password on the terminal");
        cleanup_free char *text = buf_steal(&reason);
        return value_error(v, text, err);
}

static int select_http(const struct host_value *v, bool from_docker_host, struct plugin_target *out,
                       struct error *err)
{
        struct authority a;
        if (split_authority(v, v->authority, &a, err) < 0)
                return -1;
        bool empty = a.host[0] == '\0' && a.colons == 0 && !a.ipv6;
        if (a.colons == 0 && !empty && !from_docker_host)
                return value_error(v, "no ':' before the plugin port", err);
        const char *plugin_port = a.colons == 2 ? a.port2 : a.port1;
        const char *ssh_port = a.colons == 2 ? a.port1 : NULL;
        if (a.colons == 2 && a.ipv6 && !from_docker_host)
                return value_error(v, "an IPv6 host takes no SSH port", err);
        if (ssh_port != NULL && ssh_port[0] == '\0')
                return value_error(v, "empty SSH port", err);
        if (ssh_port != NULL && check_port(v, ssh_port, err) < 0)
                return -1;
        if (plugin_port != NULL && plugin_port[0] != '\0' && check_port(v, plugin_port, err) < 0)
                return -1;
        if (from_docker_host || plugin_port == NULL || plugin_port[0] == '\0')
                plugin_port = DEFAULT_PLUGIN_PORT; /* docker's port is never the plugin's */
        const char *host = a.host[0] ? a.host : DEFAULT_HOST;
        out->transport = PLUGIN_TRANSPORT_HTTP;
        out->url = format_url(host, a.ipv6, plugin_port);
        out->plugin_port = xstrdup(plugin_port);
        return 0;
}

static int select_ssh(const struct host_value *v, bool from_docker_host, const char *user,
                      struct plugin_target *out, struct error *err)
{
        struct authority a;
        if (split_authority(v, v->authority, &a, err) < 0)
                return -1;
        const char *ssh_port = NULL, *plugin_port = NULL;
        bool empty = a.host[0] == '\0' && a.colons == 0 && !a.ipv6;
        if (from_docker_host) {
                /* docker's form ssh://[user@]host[:sshport]; 1.0's host:sshport:port also read */
                if (a.host[0] == '\0')
                        return value_error(v, "no host name", err);
                ssh_port = a.colons >= 1 ? a.port1 : NULL;
                plugin_port = a.colons == 2 ? a.port2 : NULL;
                if (a.colons == 2 && a.port1[0] == '\0')
                        return value_error(v, "empty SSH port", err);
        } else {
                if (a.colons == 0 && !empty)
                        return value_error(
                            v, "no ':' before the plugin port; end with ':' for port 3476", err);
                if (a.ipv6 && a.colons == 2)
                        return value_error(v, "an IPv6 host takes no SSH port", err);
                ssh_port = a.colons == 2 ? a.port1 : NULL;
                plugin_port = a.colons == 2 ? a.port2 : a.port1;
                if (a.colons == 2 && a.port1[0] == '\0')
                        return value_error(v, "empty SSH port", err);
        }
        if (ssh_port != NULL && ssh_port[0] != '\0' && check_port(v, ssh_port, err) < 0)
                return -1;
        if (plugin_port != NULL && plugin_port[0] != '\0' && check_port(v, plugin_port, err) < 0)
                return -1;
        if (ssh_user(v, user, out, err) < 0)
                return -1;
        out->transport = PLUGIN_TRANSPORT_SSH;
        out->ssh_host = xstrdup(a.host[0] ? a.host : DEFAULT_HOST);
        out->ssh_port_explicit = ssh_port != NULL && ssh_port[0] != '\0';
        out->ssh_port = xstrdup(out->ssh_port_explicit ? ssh_port : DEFAULT_SSH_PORT);
        out->plugin_port = xstrdup(
            plugin_port != NULL && plugin_port[0] != '\0' ? plugin_port : DEFAULT_PLUGIN_PORT);
        out->url = xasprintf("http://127.0.0.1:%s", out->plugin_port);
        return 0;
}

static void select_local(struct plugin_target *out)
{
        out->transport = PLUGIN_TRANSPORT_HTTP;
        out->local = true;
        out->url = xstrdup(LOCAL_URL);
        out->plugin_port = xstrdup(DEFAULT_PLUGIN_PORT);
}

int host_select_engine(const char *nv_host, const char *engine_host, const char *engine_name,
                       const char *user, struct plugin_target *out, struct error *err)
{
        memset(out, 0, sizeof *out);
        bool nv_set = text_is_set(nv_host);
        bool engine_set = text_is_set(engine_host);
        out->docker_host_unset_warning = nv_set && !engine_set;
        if (!nv_set && !engine_set) {
                out->source = "default";
                select_local(out);
                return 0;
        }
        struct host_value v = {.name = nv_set ? "NV_HOST" : engine_name,
                               .nv = nv_set,
                               .value = nv_set ? nv_host : engine_host};
        out->source = v.name;
        int ret = split_value(&v, err);
        if (ret == 0 && v.nv &&
            (strcmp(v.scheme, "tcp") == 0 || strcmp(v.scheme, "http") == 0 ||
             strcmp(v.scheme, "ssh") == 0))
                ret = refuse_unused_parts(&v, strcmp(v.scheme, "ssh") == 0, err);
        if (ret == 0) {
                if (strcmp(v.scheme, "unix") == 0 || strcmp(v.scheme, "fd") == 0)
                        select_local(out);
                else if (strcmp(v.scheme, "tcp") == 0 || strcmp(v.scheme, "http") == 0)
                        ret = select_http(&v, !nv_set, out, err);
                else if (strcmp(v.scheme, "ssh") == 0)
                        ret = select_ssh(&v, !nv_set, user, out, err);
                else
                        ret = value_error(&v, "unsupported scheme", err);
        }
        host_value_destroy(&v);
        if (ret < 0) {
                bool warning = out->docker_host_unset_warning;
                plugin_target_destroy(out);
                out->docker_host_unset_warning = warning;
                out->source = v.name;
        }
        return ret;
}

int host_select(const char *nv_host, const char *docker_host, const char *user,
                struct plugin_target *out, struct error *err)
{
        return host_select_engine(nv_host, docker_host, "DOCKER_HOST", user, out, err);
}

void plugin_target_destroy(struct plugin_target *target)
{
        if (target == NULL)
                return;
        free(target->url);
        free(target->ssh_user);
        free(target->ssh_host);
        free(target->ssh_port);
        free(target->plugin_port);
        memset(target, 0, sizeof *target);
}
