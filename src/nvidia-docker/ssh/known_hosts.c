#include "nvidia-docker/ssh/known_hosts.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/xalloc.h"
#include "nvidia-docker/ssh/ssh_config.h"

#define KNOWN_HOSTS_MAX_SIZE (16 * 1024 * 1024)
#define SHA1_LEN             20

void known_hosts_init(struct known_hosts *kh)
{
        memset(kh, 0, sizeof(*kh));
}

void known_hosts_destroy(struct known_hosts *kh)
{
        for (size_t i = 0; i < kh->count; i++) {
                free(kh->entries[i].file);
                free(kh->entries[i].hosts);
                free(kh->entries[i].key_type);
                free(kh->entries[i].key);
        }
        free(kh->entries);
        memset(kh, 0, sizeof(*kh));
}

char *known_hosts_blob_type(const unsigned char *key, size_t key_len)
{
        if (key_len < 4)
                return NULL;
        size_t n = ((size_t)key[0] << 24) | ((size_t)key[1] << 16) | ((size_t)key[2] << 8) | key[3];
        if (n == 0 || n > key_len - 4 || n > 64)
                return NULL;
        return xstrndup((const char *)key + 4, n);
}

/* Next whitespace-separated field of a line; NULL at the end. */
static char *next_field(char **cursor)
{
        char *p = *cursor + strspn(*cursor, " \t\r");
        if (*p == '\0')
                return NULL;
        char *end = p + strcspn(p, " \t\r");
        if (*end != '\0')
                *end++ = '\0';
        *cursor = end;
        return p;
}

static void parse_line(struct known_hosts *kh, char *line, const char *origin, unsigned number)
{
        char *cursor = line;
        char *first = next_field(&cursor);
        if (first == NULL || first[0] == '#')
                return;
        bool revoked = false;
        if (first[0] == '@') {
                if (strcmp(first, "@revoked") != 0)
                        return; /* @cert-authority and unknown markers */
                revoked = true;
                first = next_field(&cursor);
                if (first == NULL)
                        return;
        }
        char *type = next_field(&cursor);
        char *key_text = next_field(&cursor);
        if (type == NULL || key_text == NULL)
                return;
        size_t key_len;
        unsigned char *key = base64_decode(key_text, strlen(key_text), &key_len);
        if (key == NULL)
                return;
        cleanup_free char *blob_type = known_hosts_blob_type(key, key_len);
        if (blob_type == NULL || strcmp(blob_type, type) != 0) {
                free(key);
                return;
        }
        if (kh->count == kh->capacity) {
                kh->capacity = kh->capacity ? kh->capacity * 2 : 16;
                kh->entries = xrealloc(kh->entries, kh->capacity * sizeof(*kh->entries));
        }
        kh->entries[kh->count++] = (struct known_host_entry){
            .file = xstrdup(origin),
            .line = number,
            .revoked = revoked,
            .hosts = xstrdup(first),
            .key_type = xstrdup(type),
            .key = key,
            .key_len = key_len,
        };
}

void known_hosts_parse(struct known_hosts *kh, const char *text, size_t len, const char *origin)
{
        unsigned number = 0;
        const char *p = text, *end = text + len;
        while (p < end) {
                const char *newline = memchr(p, '\n', (size_t)(end - p));
                size_t line_len = newline != NULL ? (size_t)(newline - p) : (size_t)(end - p);
                /* xstrndup stops at a NUL: the line ends there, the next line still counts. */
                cleanup_free char *line = xstrndup(p, line_len);
                p += line_len + (newline != NULL ? 1 : 0);
                parse_line(kh, line, origin, ++number);
        }
}

int known_hosts_read_file(struct known_hosts *kh, const char *path, struct error *err)
{
        struct buf text = BUF_INIT;
        if (buf_read_path(&text, path, KNOWN_HOSTS_MAX_SIZE) < 0) {
                int saved = errno;
                buf_destroy(&text);
                if (saved == ENOENT || saved == ENOTDIR)
                        return 0;
                if (saved == E2BIG)
                        return error_set(err,
                                         "known hosts file %s is larger than %d MiB; is it a "
                                         "known_hosts file? (UserKnownHostsFile, "
                                         "GlobalKnownHostsFile)",
                                         path, KNOWN_HOSTS_MAX_SIZE >> 20);
                return error_set_errno(err, saved, "cannot read known hosts file %s", path);
        }
        known_hosts_parse(kh, text.data ? text.data : "", text.len, path);
        buf_destroy(&text);
        return 0;
}

char *known_hosts_name(const char *host, const char *port)
{
        if (port == NULL || strcmp(port, "22") == 0)
                return xstrdup(host);
        return xasprintf("[%s]:%s", host, port);
}

static bool hashed_name_matches(const char *field, const char *name)
{
        /* |1|salt|hash */
        const char *salt_text = field + 3;
        const char *bar = strchr(salt_text, '|');
        if (bar == NULL)
                return false;
        size_t salt_len, hash_len;
        cleanup_free unsigned char *salt =
            base64_decode(salt_text, (size_t)(bar - salt_text), &salt_len);
        cleanup_free unsigned char *hash = base64_decode(bar + 1, strlen(bar + 1), &hash_len);
        if (salt == NULL || hash == NULL || salt_len != SHA1_LEN || hash_len != SHA1_LEN)
                return false;
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned digest_len = 0;
        if (HMAC(EVP_sha1(), salt, (int)salt_len, (const unsigned char *)name, strlen(name), digest,
                 &digest_len) == NULL ||
            digest_len != SHA1_LEN)
                return false;
        return memcmp(digest, hash, SHA1_LEN) == 0;
}

bool known_hosts_entry_matches(const struct known_host_entry *entry, const char *name)
{
        if (strncmp(entry->hosts, "|1|", 3) == 0)
                return hashed_name_matches(entry->hosts, name);
        return ssh_pattern_list_match(entry->hosts, ",", name);
}

enum known_hosts_result known_hosts_check(const struct known_hosts *kh, const char *name,
                                          const unsigned char *key, size_t key_len,
                                          const struct known_host_entry **entry_out)
{
        cleanup_free char *type = known_hosts_blob_type(key, key_len);
        const struct known_host_entry *match = NULL, *changed = NULL, *other = NULL;
        for (size_t i = 0; i < kh->count; i++) {
                const struct known_host_entry *e = &kh->entries[i];
                bool same_key = e->key_len == key_len && memcmp(e->key, key, key_len) == 0;
                if (e->revoked) {
                        /* A revoked key is refused whatever host it is listed for. */
                        if (same_key) {
                                if (entry_out)
                                        *entry_out = e;
                                return KNOWN_HOSTS_REVOKED;
                        }
                        continue;
                }
                if (!known_hosts_entry_matches(e, name))
                        continue;
                if (same_key) {
                        if (match == NULL)
                                match = e;
                } else if (type != NULL && strcmp(e->key_type, type) == 0) {
                        if (changed == NULL)
                                changed = e;
                } else if (other == NULL) {
                        other = e;
                }
        }
        const struct known_host_entry *deciding = match ? match : changed ? changed : other;
        if (entry_out)
                *entry_out = deciding;
        if (match)
                return KNOWN_HOSTS_MATCH;
        if (changed)
                return KNOWN_HOSTS_CHANGED;
        if (other)
                return KNOWN_HOSTS_OTHER_TYPE;
        return KNOWN_HOSTS_UNKNOWN;
}

void known_hosts_types_for(const struct known_hosts *kh, const char *name, struct strv *out)
{
        for (size_t i = 0; i < kh->count; i++) {
                const struct known_host_entry *e = &kh->entries[i];
                if (e->revoked || !known_hosts_entry_matches(e, name))
                        continue;
                bool seen = false;
                for (size_t j = 0; j < out->count && !seen; j++)
                        seen = strcmp(out->items[j], e->key_type) == 0;
                if (!seen)
                        strv_push(out, e->key_type);
        }
}
