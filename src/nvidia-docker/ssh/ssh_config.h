/*
 * ssh_config: the part of OpenSSH's client configuration (ssh_config(5)) that the SSH tunnel
 * honours, read the way ssh(1) reads it.
 *
 * Files are read in order (~/.ssh/config, then /etc/ssh/ssh_config); for each keyword the
 * first value obtained wins. `Host` lines hold whitespace-separated patterns (`*`, `?`,
 * negation with `!`): a block applies when one pattern matches the host as given and no
 * negated one does. `Match all`, `Match host P` and `Match originalhost P` are understood;
 * any other `Match` block is skipped. `Include` (globs; relative paths against ~/.ssh or
 * /etc/ssh) is followed up to 16 levels. Keywords are case-insensitive, `Key=value` and
 * double-quoted arguments are accepted, unknown keywords are ignored.
 *
 * Honoured: HostName, User, Port, IdentityFile (several), IdentitiesOnly, ConnectTimeout,
 * UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking, NumberOfPasswordPrompts,
 * PasswordAuthentication, KbdInteractiveAuthentication, PubkeyAuthentication.
 * ssh_config_expand() applies `~` and the tokens %% %d %h %n %p %r %u %l afterwards.
 *
 * The parser and the matcher are pure; ssh_config_read_file() does the file I/O.
 */
#ifndef NVD_SSH_CONFIG_H
#define NVD_SSH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

enum ssh_strict_host_key {
        SSH_STRICT_UNSET = -1,
        SSH_STRICT_NO = 0,         /* accept unknown and changed keys (with a warning) */
        SSH_STRICT_YES = 1,        /* unknown → error; changed → error */
        SSH_STRICT_ASK = 2,        /* OpenSSH asks; we never add keys: like yes */
        SSH_STRICT_ACCEPT_NEW = 3, /* OpenSSH adds unknown keys; we never write: like yes */
};

/* -1 in an int field means "not set by any file". */
struct ssh_config {
        char *hostname;
        char *user;
        char *port;
        struct strv identity_files; /* as written (expand them with ssh_config_expand) */
        bool identity_files_set;
        int identities_only;
        int connect_timeout; /* seconds */
        struct strv user_known_hosts_files;
        bool user_known_hosts_set;
        struct strv global_known_hosts_files;
        bool global_known_hosts_set;
        int strict_host_key_checking; /* enum ssh_strict_host_key */
        int number_of_password_prompts;
        int password_authentication;
        int kbd_interactive_authentication;
        int pubkey_authentication;
};

/* What the parser needs to know besides the text. */
struct ssh_config_context {
        const char *host;       /* as given by the user: what Host patterns match */
        const char *config_dir; /* base of relative Include paths (~/.ssh or /etc/ssh) */
        const char *home;       /* for ~ in Include paths */
        unsigned depth;         /* Include nesting (0 at the top) */
};

void ssh_config_init(struct ssh_config *cfg);
void ssh_config_destroy(struct ssh_config *cfg);

/* Applies the lines of `text` (`len` bytes, from `origin`, for messages) that concern ctx->host.
 * Lines end at '\n'; a NUL byte ends only its own line (as OpenSSH reads). A malformed value of
 * a keyword we honour is an error naming origin:line; an error in an included file is prefixed
 * with the Include line ("~/.ssh/config:3: Include x: ..."). */
int ssh_config_parse(struct ssh_config *cfg, const char *text, size_t len, const char *origin,
                     const struct ssh_config_context *ctx, struct error *err);
/* Reads and applies a file of at most 1 MiB; a missing file is not an error. */
int ssh_config_read_file(struct ssh_config *cfg, const char *path,
                         const struct ssh_config_context *ctx, struct error *err);

/* OpenSSH's wildcard match (`*`, `?`), ASCII case-insensitive. */
bool ssh_pattern_match(const char *pattern, const char *text);
/* A list of patterns separated by `separators`, each optionally negated with `!`: true when
 * one positive pattern matches and no negated one does. */
bool ssh_pattern_list_match(const char *list, const char *separators, const char *text);

struct ssh_expand_context {
        const char *home;          /* %d and ~ */
        const char *local_user;    /* %u */
        const char *remote_user;   /* %r */
        const char *host;          /* %h: the host name after HostName */
        const char *original_host; /* %n */
        const char *port;          /* %p */
        const char *local_host;    /* %l */
};
/* `~` or `~/` at the start and %-tokens; an unknown token is an error. */
char *ssh_config_expand(const char *text, const struct ssh_expand_context *ctx, struct error *err);

#endif
