/* known_hosts: parsing, hashed names (fixtures made by `ssh-keygen -H`), [host]:port,
 * patterns, changed / other-type / revoked keys, and the base64 helper it uses. */
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "nvidia-docker/ssh/known_hosts.h"
#include "unit.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAID09WqpYAW0DriMto9UG3Hn9IdEBcmgLbYRVR5T2BQU8"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIFEsINfW4fae+Air6KS1bVj0hgzJcwcsLL1F7Xhbb5Wc"
#define K3                                                                                         \
        "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAKG4+M3ufEoP34/"                     \
        "1ARY5rIDzXSu+M7AM3h45M"                                                                   \
        "WhZBIPGqlVD9xKx1nKz/Sip0uRdScowp/f9DXh+7By96wUvHA="
/* `gpu1` and `[10.0.0.1]:2222`, both with K1, hashed by ssh-keygen -H */
#define HASHED_GPU1 "|1|d9TNgkXb1jeBDRaZ5i1rUUHn5gU=|SqEaFFrOFr/jPBWBUKR7mqP/EFQ="
#define HASHED_PORT "|1|FjUO7z7RNX9F6wSJGDhHhBt4c84=|IS+TRe8jJJvI9eGxLHUYxk4m0pI="

struct blob {
        unsigned char *data;
        size_t len;
};

static struct blob key(const char *b64)
{
        struct blob b = {NULL, 0};
        b.data = base64_decode(b64, strlen(b64), &b.len);
        return b;
}

static enum known_hosts_result check(const char *text, const char *name, const char *b64)
{
        struct known_hosts kh;
        known_hosts_init(&kh);
        known_hosts_parse(&kh, text, strlen(text), "kh");
        struct blob b = key(b64);
        enum known_hosts_result r = known_hosts_check(&kh, name, b.data, b.len, NULL);
        free(b.data);
        known_hosts_destroy(&kh);
        return r;
}

static void test_name(void)
{
        char *s = known_hosts_name("gpu1", "22");
        CU_ASSERT_STRING_EQUAL(s, "gpu1");
        free(s);
        s = known_hosts_name("::1", "2222");
        CU_ASSERT_STRING_EQUAL(s, "[::1]:2222");
        free(s);
}

static void test_hashed(void)
{
        const char *text = HASHED_GPU1 " ssh-ed25519 " K1 "\n" HASHED_PORT " ssh-ed25519 " K1 "\n";
        CU_ASSERT_EQUAL(check(text, "gpu1", K1), KNOWN_HOSTS_MATCH);
        CU_ASSERT_EQUAL(check(text, "[10.0.0.1]:2222", K1), KNOWN_HOSTS_MATCH);
        CU_ASSERT_EQUAL(check(text, "gpu2", K1), KNOWN_HOSTS_UNKNOWN);
        CU_ASSERT_EQUAL(check(text, "10.0.0.1", K1), KNOWN_HOSTS_UNKNOWN); /* port 22: other name */
        CU_ASSERT_EQUAL(check(text, "[10.0.0.1]:2222", K2), KNOWN_HOSTS_CHANGED);
        CU_ASSERT_EQUAL(check(text, "gpu1", K3), KNOWN_HOSTS_OTHER_TYPE);
        /* damaged hashes never match */
        CU_ASSERT_EQUAL(check("|1|AAAA|BBBB ssh-ed25519 " K1 "\n", "gpu1", K1),
                        KNOWN_HOSTS_UNKNOWN);
        CU_ASSERT_EQUAL(check("|1|d9TNgkXb1jeBDRaZ5i1rUUHn5gU= ssh-ed25519 " K1 "\n", "gpu1", K1),
                        KNOWN_HOSTS_UNKNOWN);
}

static void test_patterns_and_ports(void)
{
        const char *text = "gpu*,!gpu9,10.0.0.5 ssh-ed25519 " K1 "\n"
                           "[gpu1]:2222 ssh-ed25519 " K2 "\n";
        CU_ASSERT_EQUAL(check(text, "gpu1", K1), KNOWN_HOSTS_MATCH);
        CU_ASSERT_EQUAL(check(text, "GPU1", K1), KNOWN_HOSTS_MATCH); /* case-insensitive */
        CU_ASSERT_EQUAL(check(text, "10.0.0.5", K1), KNOWN_HOSTS_MATCH);
        CU_ASSERT_EQUAL(check(text, "gpu9", K1), KNOWN_HOSTS_UNKNOWN);
        CU_ASSERT_EQUAL(check(text, "[gpu1]:2222", K2), KNOWN_HOSTS_MATCH);
        /* "gpu*" also matches the literal "[gpu1]:2222"? No: it starts with '[' */
        CU_ASSERT_EQUAL(check(text, "[gpu1]:2222", K1), KNOWN_HOSTS_CHANGED);
        CU_ASSERT_EQUAL(check(text, "[gpu1]:2223", K1), KNOWN_HOSTS_UNKNOWN);
}

static void test_markers_and_junk(void)
{
        const char *text = "# comment\n"
                           "\n"
                           "@cert-authority * ssh-ed25519 " K1 "\n"
                           "@unknown-marker gpu1 ssh-ed25519 " K1 "\n"
                           "gpu1 ssh-ed25519 not*base64\n"
                           "gpu1 ssh-rsa " K1 "\n" /* type does not match the blob */
                           "gpu1\n"
                           "gpu1 ssh-ed25519 " K2 " a comment\r\n";
        struct known_hosts kh;
        known_hosts_init(&kh);
        known_hosts_parse(&kh, text, strlen(text), "kh");
        CU_ASSERT_EQUAL(kh.count, 1);
        CU_ASSERT_EQUAL(kh.entries[0].line, 8);
        known_hosts_destroy(&kh);
        CU_ASSERT_EQUAL(check(text, "gpu1", K2), KNOWN_HOSTS_MATCH);
        CU_ASSERT_EQUAL(check(text, "gpu1", K1), KNOWN_HOSTS_CHANGED);
        /* revoked wins over a matching line, for any host */
        CU_ASSERT_EQUAL(
            check("gpu1 ssh-ed25519 " K1 "\n@revoked * ssh-ed25519 " K1 "\n", "gpu1", K1),
            KNOWN_HOSTS_REVOKED);
        CU_ASSERT_EQUAL(check("@revoked other ssh-ed25519 " K1 "\n", "gpu1", K1),
                        KNOWN_HOSTS_REVOKED);
}

static void test_entry_out_and_types(void)
{
        const char *text = "gpu1 ecdsa-sha2-nistp256 " K3 "\n"
                           "gpu1 ssh-ed25519 " K1 "\n"
                           "gpu1 ssh-ed25519 " K2 "\n"
                           "other ssh-ed25519 " K2 "\n";
        struct known_hosts kh;
        known_hosts_init(&kh);
        known_hosts_parse(&kh, text, strlen(text), "/x/known_hosts");
        struct blob b = key(K2);
        const struct known_host_entry *e = NULL;
        CU_ASSERT_EQUAL(known_hosts_check(&kh, "gpu1", b.data, b.len, &e), KNOWN_HOSTS_MATCH);
        CU_ASSERT_EQUAL_FATAL(e != NULL, 1);
        CU_ASSERT_EQUAL(e->line, 3);
        CU_ASSERT_STRING_EQUAL(e->file, "/x/known_hosts");
        struct strv types = STRV_INIT;
        strv_init(&types);
        known_hosts_types_for(&kh, "gpu1", &types);
        CU_ASSERT_EQUAL(types.count, 2);
        CU_ASSERT_STRING_EQUAL(types.items[0], "ecdsa-sha2-nistp256");
        CU_ASSERT_STRING_EQUAL(types.items[1], "ssh-ed25519");
        strv_destroy(&types);
        char *t = known_hosts_blob_type(b.data, b.len);
        CU_ASSERT_STRING_EQUAL(t, "ssh-ed25519");
        free(t);
        CU_ASSERT_PTR_NULL(known_hosts_blob_type(b.data, 3));
        free(b.data);
        known_hosts_destroy(&kh);
        struct error err = ERROR_INIT;
        known_hosts_init(&kh);
        CU_ASSERT_EQUAL(known_hosts_read_file(&kh, "/nonexistent/known_hosts", &err), 0);
        CU_ASSERT_EQUAL(kh.count, 0);
        known_hosts_destroy(&kh);
}

/* As OpenSSH reads: a NUL ends its own line only, and line numbers keep counting. */
static void test_nul_byte(void)
{
        static const char text[] = "junk\0gpu1 ssh-ed25519 " K2 "\n"
                                   "gpu1 ssh-ed25519 " K1 "\0 trailing\n"
                                   "\0\n"
                                   "gpu2 ssh-ed25519 " K1;
        struct known_hosts kh;
        known_hosts_init(&kh);
        known_hosts_parse(&kh, text, sizeof(text) - 1, "kh");
        CU_ASSERT_EQUAL_FATAL(kh.count, 2);
        CU_ASSERT_STRING_EQUAL(kh.entries[0].hosts, "gpu1");
        CU_ASSERT_EQUAL(kh.entries[0].line, 2);
        CU_ASSERT_STRING_EQUAL(kh.entries[1].hosts, "gpu2");
        CU_ASSERT_EQUAL(kh.entries[1].line, 4);
        struct blob b = key(K1);
        CU_ASSERT_EQUAL(known_hosts_check(&kh, "gpu1", b.data, b.len, NULL), KNOWN_HOSTS_MATCH);
        free(b.data);
        known_hosts_destroy(&kh);
}

/* A file over the limit is named, with the limit; /dev/zero never ends. */
static void test_too_large(void)
{
        struct known_hosts kh;
        struct error err = ERROR_INIT;
        known_hosts_init(&kh);
        CU_ASSERT_EQUAL(known_hosts_read_file(&kh, "/dev/zero", &err), -1);
        CU_ASSERT_STRING_EQUAL(err.message,
                               "known hosts file /dev/zero is larger than 16 MiB; is it a "
                               "known_hosts file? (UserKnownHostsFile, GlobalKnownHostsFile)");
        error_clear(&err);
        known_hosts_destroy(&kh);
}

static void test_base64(void)
{
        const char *cases[][2] = {{"", ""},        {"f", "Zg=="},        {"fo", "Zm8="},
                                  {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}};
        for (size_t i = 0; i < 6; i++) {
                char *enc =
                    base64_encode((const unsigned char *)cases[i][0], strlen(cases[i][0]), true);
                CU_ASSERT_STRING_EQUAL(enc, cases[i][1]);
                free(enc);
                size_t len = 99;
                unsigned char *dec = base64_decode(cases[i][1], strlen(cases[i][1]), &len);
                CU_ASSERT_EQUAL_FATAL(dec != NULL, 1);
                CU_ASSERT_EQUAL(len, strlen(cases[i][0]));
                CU_ASSERT(memcmp(dec, cases[i][0], len) == 0);
                free(dec);
        }
        char *enc = base64_encode((const unsigned char *)"f", 1, false);
        CU_ASSERT_STRING_EQUAL(enc, "Zg");
        free(enc);
        size_t len;
        CU_ASSERT_PTR_NULL(base64_decode("Zm9v!", 5, &len));
        CU_ASSERT_PTR_NULL(base64_decode("Z", 1, &len));
}

UNIT_MAIN("known_hosts", UNIT(test_name), UNIT(test_hashed), UNIT(test_patterns_and_ports),
          UNIT(test_markers_and_junk), UNIT(test_entry_out_and_types), UNIT(test_nul_byte),
          UNIT(test_too_large), UNIT(test_base64))
