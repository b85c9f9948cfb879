/*
 * known_hosts: OpenSSH's known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), read
 * only: this program never adds or changes a line.
 *
 * A line is `[@marker] hostpatterns keytype base64key [comment]`. Host patterns are a comma
 * list with `*`, `?` and `!` negation, or one hashed name `|1|base64(salt)|base64(HMAC-SHA1
 * (salt, name))`. A host on a port other than 22 is looked up as `[host]:port` only (as ssh
 * does; a plain `host` line does not vouch for another port). `@revoked` keys are refused;
 * `@cert-authority` lines are skipped (no certificates here); lines that do not parse
 * (unknown markers, bad base64) are skipped so that one odd line never hides the rest.
 *
 * Why not libssh2's knownhost API: libssh2_knownhost_readfile() gives up on the whole file at
 * the first line it cannot parse (markers, key types it does not know), reads lines into a
 * 4 KiB buffer, needs a live session, and checkp() falls back from `[host]:port` to a plain
 * `host` entry, which OpenSSH never does. HMAC-SHA1 comes from libcrypto, which libssh2
 * already pulls in. Parsing and matching are pure; known_hosts_read_file() does the I/O.
 */
#ifndef NVD_KNOWN_HOSTS_H
#define NVD_KNOWN_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

struct known_host_entry {
        char *file; /* origin, for messages */
        unsigned line;
        bool revoked;   /* @revoked */
        char *hosts;    /* the pattern list, or the hashed name */
        char *key_type; /* "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ... */
        unsigned char *key;
        size_t key_len; /* the decoded key blob */
};

struct known_hosts {
        struct known_host_entry *entries;
        size_t count;
        size_t capacity;
};

enum known_hosts_result {
        KNOWN_HOSTS_MATCH,      /* a line for this name holds this very key */
        KNOWN_HOSTS_CHANGED,    /* lines for this name hold another key of the same type */
        KNOWN_HOSTS_OTHER_TYPE, /* only keys of other types are known for this name */
        KNOWN_HOSTS_UNKNOWN,    /* nothing for this name */
        KNOWN_HOSTS_REVOKED,    /* the key is marked @revoked */
};

void known_hosts_init(struct known_hosts *kh);
void known_hosts_destroy(struct known_hosts *kh);

/* Adds the usable lines of `text` (`len` bytes, named `origin` in messages). Never fails. As in
 * OpenSSH, lines end at '\n' and a NUL byte ends only its own line. */
void known_hosts_parse(struct known_hosts *kh, const char *text, size_t len, const char *origin);
/* Reads a file of at most 16 MiB; a missing file is not an error. */
int known_hosts_read_file(struct known_hosts *kh, const char *path, struct error *err);

/* The name ssh looks up: "host" for port 22, "[host]:port" otherwise. */
char *known_hosts_name(const char *host, const char *port);
/* Whether an entry's host field (patterns or hashed) names `name`. */
bool known_hosts_entry_matches(const struct known_host_entry *entry, const char *name);

/* Checks a server key blob (SSH wire format; its type is read from the blob). *entry_out, if
 * given, points at the deciding line (matching, revoked or conflicting), NULL when none. */
enum known_hosts_result known_hosts_check(const struct known_hosts *kh, const char *name,
                                          const unsigned char *key, size_t key_len,
                                          const struct known_host_entry **entry_out);
/* The key types known for `name`, in file order without repeats (for the host key
 * algorithm preference: negotiate a type we can verify, as ssh does). */
void known_hosts_types_for(const struct known_hosts *kh, const char *name, struct strv *out);
/* The type string at the start of a key blob, or NULL. */
char *known_hosts_blob_type(const unsigned char *key, size_t key_len);

#endif
