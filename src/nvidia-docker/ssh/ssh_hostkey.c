/* ssh_hostkey: see ssh_hostkey.h. */
#include "nvidia-docker/ssh/ssh_hostkey.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/log.h"
#include "common/xalloc.h"

void ssh_hostkey_prefer_known_types(LIBSSH2_SESSION *session, const struct strv *known)
{
        if (known->count == 0)
                return;
        const char **supported = NULL;
        int n = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &supported);
        if (n <= 0)
                return;
        struct strv first = STRV_INIT, rest = STRV_INIT;
        strv_init(&first);
        strv_init(&rest);
        for (size_t k = 0; k < known->count; k++) {
                const char *type = known->items[k];
                for (int i = 0; i < n; i++) {
                        const char *alg = supported[i];
                        bool fits = strcmp(alg, type) == 0 || (strcmp(type, "ssh-rsa") == 0 &&
                                                               strncmp(alg, "rsa-sha2-", 9) == 0);
                        if (fits)
                                strv_push(&first, alg);
                }
        }
        for (int i = 0; i < n; i++) {
                bool listed = false;
                for (size_t j = 0; j < first.count && !listed; j++)
                        listed = strcmp(first.items[j], supported[i]) == 0;
                if (!listed)
                        strv_push(&rest, supported[i]);
        }
        for (size_t j = 0; j < rest.count; j++)
                strv_push(&first, rest.items[j]);
        cleanup_free char *pref = strv_join(&first, ",");
        libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, pref);
        strv_destroy(&first);
        strv_destroy(&rest);
        libssh2_free(session, supported);
}

static char *ssh_command_hint(const struct ssh_plan *plan)
{
        bool v6 = strchr(plan->host, ':') != NULL;
        return xasprintf("ssh %s%s%s%s@%s%s%s", strcmp(plan->port, "22") ? "-p " : "",
                         strcmp(plan->port, "22") ? plan->port : "",
                         strcmp(plan->port, "22") ? " " : "", plan->user, v6 ? "[" : "", plan->host,
                         v6 ? "]" : "");
}

int ssh_hostkey_check(LIBSSH2_SESSION *session, const struct ssh_plan *plan,
                      const struct known_hosts *kh, const char *name, struct error *err)
{
        size_t key_len = 0;
        int key_kind = 0;
        const char *key = libssh2_session_hostkey(session, &key_len, &key_kind);
        if (key == NULL)
                return error_set(err, "SSH handshake with %s gave no host key",
                                 plan->original_host);
        cleanup_free char *type = known_hosts_blob_type((const unsigned char *)key, key_len);
        const char *sha256 = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256);
        cleanup_free char *fingerprint =
            sha256 ? base64_encode((const unsigned char *)sha256, 32, false) : xstrdup("?");
        const struct known_host_entry *entry = NULL;
        enum known_hosts_result result =
            known_hosts_check(kh, name, (const unsigned char *)key, key_len, &entry);
        cleanup_free char *hint = ssh_command_hint(plan);
        switch (result) {
        case KNOWN_HOSTS_MATCH:
                return 0;
        case KNOWN_HOSTS_REVOKED:
                return error_set(err,
                                 "host key of %s (%s SHA256:%s) is REVOKED in %s:%u; refusing to "
                                 "connect",
                                 name, type ? type : "?", fingerprint, entry->file, entry->line);
        case KNOWN_HOSTS_CHANGED:
                return error_set(err,
                                 "WARNING: HOST KEY OF %s HAS CHANGED: it offers %s SHA256:%s but "
                                 "%s:%u holds another key; someone may be intercepting the "
                                 "connection (man-in-the-middle), or the host was reinstalled; "
                                 "refusing to connect; if the change is expected, remove the old "
                                 "key with `ssh-keygen -R '%s'` and connect once with `%s`",
                                 name, type ? type : "?", fingerprint, entry->file, entry->line,
                                 name, hint);
        case KNOWN_HOSTS_OTHER_TYPE:
        case KNOWN_HOSTS_UNKNOWN:
                break;
        }
        if (plan->strict == SSH_STRICT_NO) {
                log_warning("host key of %s (%s SHA256:%s) is not known and is accepted because "
                            "of StrictHostKeyChecking no in the SSH configuration",
                            name, type ? type : "?", fingerprint);
                return 0;
        }
        if (result == KNOWN_HOSTS_OTHER_TYPE)
                return error_set(err,
                                 "host key of %s (%s SHA256:%s) is not known: %s:%u holds a key of "
                                 "type %s for it, which the server did not offer; connect once "
                                 "with `%s` to verify and add it",
                                 name, type ? type : "?", fingerprint, entry->file, entry->line,
                                 entry->key_type, hint);
        return error_set(err,
                         "host key of %s is not known (%s SHA256:%s); connect once with `%s` to "
                         "verify and add it",
                         name, type ? type : "?", fingerprint, hint);
}
