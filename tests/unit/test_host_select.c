/* host_select: every row of nvidia-docker 1.0's table of NV_HOST/DOCKER_HOST examples (the
 * plugin each combination chooses; ours in docs/remote.md), then edge cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/host_select.h"
#include "unit.h"

#define UNSET NULL

struct row {
        const char *nv_host;
        const char *docker_host;
        const char *user;
        /* "local URL", "http URL", "ssh USER@HOST:PORT plugin PORT", or "error: <substring>" */
        const char *expected;
        int warning; /* 1.0's "NV_HOST is set but DOCKER_HOST is not" */
};

static char *describe(const struct plugin_target *t)
{
        if (t->local)
                return xasprintf("local %s", t->url);
        if (t->transport == PLUGIN_TRANSPORT_HTTP)
                return xasprintf("http %s", t->url);
        return xasprintf("ssh %s@%s:%s plugin %s", t->ssh_user ? t->ssh_user : "(null)",
                         t->ssh_host, t->ssh_port, t->plugin_port);
}

static void check_rows(const struct row *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const struct row *r = &rows[i];
                struct plugin_target t;
                struct error err = ERROR_INIT;
                int ret = host_select(r->nv_host, r->docker_host, r->user, &t, &err);
                cleanup_free char *got =
                    ret == 0 ? describe(&t) : xasprintf("error: %s", err.message);
                bool ok;
                if (strncmp(r->expected, "error: ", 7) == 0)
                        ok = ret < 0 && strstr(got, r->expected + 7) != NULL &&
                             strchr(got, '\n') == NULL;
                else
                        ok = ret == 0 && strcmp(got, r->expected) == 0;
                ok = ok && t.docker_host_unset_warning == (r->warning != 0);
                if (!ok)
                        fprintf(stderr,
                                "row %zu: NV_HOST=%s DOCKER_HOST=%s\n  expected: %s%s\n  got:      "
                                "%s%s\n",
                                i, r->nv_host ? r->nv_host : "(unset)",
                                r->docker_host ? r->docker_host : "(unset)", r->expected,
                                r->warning ? " W" : "", got,
                                t.docker_host_unset_warning ? " W" : "");
                CU_ASSERT(ok);
                if (ret == 0)
                        CU_ASSERT_PTR_NOT_NULL(t.source);
                plugin_target_destroy(&t);
                error_clear(&err);
        }
}

#define CHECK(rows) check_rows(rows, sizeof(rows) / sizeof(rows[0]))

/* 1.0's examples table (USER=nvuser): one row per table row, in the table's order. */
static void test_reference_table(void)
{
        static const struct row rows[] = {
            {UNSET, UNSET, "nvuser", "local http://127.0.0.1:3476", 0},
            {UNSET, "unix:///var/run/docker.sock", "nvuser", "local http://127.0.0.1:3476", 0},
            {"unix:///var/run/docker.sock", "tcp://dhost:2375", "nvuser",
             "local http://127.0.0.1:3476", 0},
            {UNSET, "tcp://host:2375", "nvuser", "http http://host:3476", 0},
            {UNSET, "host:2375", "nvuser", "http http://host:3476", 0},
            /* 1.0: error (no colon). Here: docker's default port, documented in the header. */
            {UNSET, "tcp://host", "nvuser", "http http://host:3476", 0},
            {UNSET, "/var/run/docker.sock", "nvuser", "http http://localhost:3476", 0},
            /* 1.0: SSH port 22, plugin 2222. Here docker's reading (documented). */
            {UNSET, "ssh://user@host:2222", "nvuser", "ssh user@host:2222 plugin 3476", 0},
            {"http://host:1234", UNSET, "nvuser", "http http://host:1234", 1},
            {"localhost:", "unix:///var/run/docker.sock", "nvuser", "http http://localhost:3476",
             0},
            {"tcp://host:1:2", UNSET, "nvuser", "http http://host:2", 1},
            {"http://host", "tcp://dhost:2375", "nvuser",
             "error: invalid NV_HOST 'http://host' (no ':' before the plugin port): expected "
             "[http://|ssh://][user@][host][:sshport]:[port], e.g. http://gpu1:3476",
             0},
            {"https://host:443", UNSET, "nvuser",
             "error: invalid NV_HOST 'https://host:443' (unsupported scheme)", 1},
            {"ssh://host:2222:", UNSET, "nvuser", "ssh nvuser@host:2222 plugin 3476", 1},
            /* 1.0: the password is ignored. Here refused (documented). */
            {"ssh://user:pw@host:2222:5000", UNSET, "nvuser",
             "error: invalid NV_HOST 'ssh://user:***@host:2222:5000' (the password is not used: "
             "remove it; SSH asks for a password on the terminal)",
             1},
            {"[::1]:", UNSET, "nvuser", "http http://[::1]:3476", 1},
            {UNSET, "tcp://[2001:DB8::1]:2375", "nvuser", "error: lower-case hex", 0},
            /* 1.0: remote host "UNIX". Here schemes are case-insensitive (documented). */
            {UNSET, "UNIX:///var/run/docker.sock", "nvuser", "local http://127.0.0.1:3476", 0},
        };
        CHECK(rows);
}

/* Other rules of 1.0's plugin choice, one by one. */
static void test_reference_rules(void)
{
        static const struct row rows[] = {
            /* empty counts as unset */
            {"", "", "nvuser", "local http://127.0.0.1:3476", 0},
            {"", "tcp://h:1", "nvuser", "http http://h:3476", 0},
            /* NV_HOST wins; DOCKER_HOST is not parsed at all */
            {"http://h:5", "::garbage::", "u", "http http://h:5", 0},
            {"tcp://h:", "https://x", "u", "http http://h:3476", 0},
            /* no fallback on a bad NV_HOST */
            {"garbage", "tcp://dhost:2375", "u", "error: invalid NV_HOST 'garbage'", 0},
            {"http://[::1]", UNSET, "u", "error: no ':'", 1},
            {"ssh://user@host", UNSET, "u", "error: no ':' before the plugin port", 1},
            /* default scheme */
            {"host:99", UNSET, "u", "http http://host:99", 1},
            /* empty authority: all defaults */
            {"tcp://", UNSET, "u", "http http://localhost:3476", 1},
            {"ssh://", UNSET, "u", "ssh u@localhost:22 plugin 3476", 1},
            {":", UNSET, "u", "http http://localhost:3476", 1},
            {":7", UNSET, "u", "http http://localhost:7", 1},
            {"ssh://:2200:", UNSET, "u", "ssh u@localhost:2200 plugin 3476", 1},
            /* empty SSH port cannot be written */
            {"host::5000", UNSET, "u", "error: empty SSH port", 1},
            {"ssh://host::5000", UNSET, "u", "error: empty SSH port", 1},
            /* ports: digits only, kept as written */
            {"http://host:01234", UNSET, "u", "http http://host:01234", 1},
            {"http://host:12a", UNSET, "u", "error: digits", 1},
            {"http://host:-1", UNSET, "u", "error: ", 1},
            /* host characters */
            {"http://my_host.example-1:5", UNSET, "u", "http http://my_host.example-1:5", 1},
            {"http://ho$t:5", UNSET, "u", "error: invalid character in the host name", 1},
            /* tcp: the SSH port is ignored; from DOCKER_HOST the plugin port is 3476 */
            {UNSET, "tcp://host:1:2", "u", "http http://host:3476", 0},
            {UNSET, "http://host:2376", "u", "http http://host:3476", 0},
            /* ssh from NV_HOST: 1.0's form */
            {"ssh://host:", UNSET, "u", "ssh u@host:22 plugin 3476", 1},
            {"ssh://host:5000", UNSET, "u", "ssh u@host:22 plugin 5000", 1},
            {"ssh://me@host:5000", "tcp://x:1", "u", "ssh me@host:22 plugin 5000", 0},
            {"ssh://[::1]:5000", UNSET, "u", "ssh u@::1:22 plugin 5000", 1},
            /* SSH user: URL user info wins, else $USER, else NULL */
            {"ssh://host:", UNSET, NULL, "ssh (null)@host:22 plugin 3476", 1},
            {"ssh://host:", UNSET, "", "ssh (null)@host:22 plugin 3476", 1},
            {"ssh://a%40b@host:", UNSET, "u", "ssh a@b@host:22 plugin 3476", 1},
            {"ssh://x@y@host:", UNSET, "u", "ssh x@y@host:22 plugin 3476", 1},
            /* NV_HOST: path, query, fragment refused (documented); a lone "/" is no path */
            {"http://host:5/some/path?q=1#f", UNSET, "u",
             "error: (the path, the query and the fragment are not used: remove them)", 1},
            {"http://host:5/", UNSET, "u", "http http://host:5", 1},
            {"http://host:5/x", UNSET, "u", "error: (the path is not used: remove it)", 1},
            {"http://host:5?", UNSET, "u", "error: (the query is not used: remove it)", 1},
            {"http://host:5/?a=b", UNSET, "u", "error: (the query is not used", 1},
            {"ssh://host:5#", UNSET, "u", "error: (the fragment is not used", 1},
            {"host:5/p", UNSET, "u", "error: the path is not used", 1},
            {"unix:///run/docker.sock", UNSET, "u", "local http://127.0.0.1:3476", 1},
            /* the engine's address may carry docker's base path: ignored */
            {UNSET, "tcp://host:2375/", "u", "http http://host:3476", 0},
            {UNSET, "tcp://host:2375/base?x#y", "u", "http http://host:3476", 0},
            /* unix:// from either variable is local */
            {"unix:///run/x.sock", UNSET, "u", "local http://127.0.0.1:3476", 1},
            /* other schemes: error naming the value and the forms */
            {UNSET, "npipe:////./pipe/docker_engine", "u",
             "error: invalid DOCKER_HOST 'npipe:////./pipe/docker_engine' (unsupported "
             "scheme): expected unix://PATH, tcp://HOST[:PORT] or ssh://[user@]HOST[:SSHPORT]",
             0},
            {"ftp://h:1", UNSET, "u", "error: unsupported scheme", 1},
            {UNSET, "https://h:2376", "u", "error: invalid DOCKER_HOST 'https://h:2376'", 0},
        };
        CHECK(rows);
}

/* Decisions for values 1.0 rejected or mis-read (see host_select.h). */
static void test_documented_differences(void)
{
        static const struct row rows[] = {
            {UNSET, "fd://", "u", "local http://127.0.0.1:3476", 0},
            {"FD://", "x", "u", "local http://127.0.0.1:3476", 0},
            {"HTTP://h:1", UNSET, "u", "http http://h:1", 1},
            {"Ssh://h:2:3", UNSET, "u", "ssh u@h:2 plugin 3", 1},
            {UNSET, "TCP://h:2375", "u", "http http://h:3476", 0},
            /* DOCKER_HOST http/tcp without port */
            {UNSET, "http://gpu1", "u", "http http://gpu1:3476", 0},
            {UNSET, "tcp://[::1]", "u", "http http://[::1]:3476", 0},
            {UNSET, "tcp://[::1]:2375", "u", "http http://[::1]:3476", 0},
            /* DOCKER_HOST ssh: docker's form, 1.0's two-number form still read */
            {UNSET, "ssh://host", "u", "ssh u@host:22 plugin 3476", 0},
            {UNSET, "ssh://me@host", "u", "ssh me@host:22 plugin 3476", 0},
            {UNSET, "ssh://host:", "u", "ssh u@host:22 plugin 3476", 0},
            {UNSET, "ssh://host:2200:5000", "u", "ssh u@host:2200 plugin 5000", 0},
            {UNSET, "ssh://[fe80::1]:2200", "u", "ssh u@fe80::1:2200 plugin 3476", 0},
            {UNSET, "ssh://:22", "u", "error: no host name", 0},
            {UNSET, "ssh://host::5000", "u", "error: empty SSH port", 0},
            /* port range */
            {"http://host:99999", UNSET, "u", "error: port out of range 1-65535", 1},
            {"http://host:0", UNSET, "u", "error: port out of range", 1},
            {"http://host:00000000000000000080", UNSET, "u",
             "http http://host:00000000000000000080", 1},
            {"http://host:65535", UNSET, "u", "http http://host:65535", 1},
            {"http://host:65536", UNSET, "u", "error: port out of range", 1},
            {"ssh://host:99999:", UNSET, "u", "error: port out of range", 1},
            /* IPv6 */
            {"http://[::1]:2222:3476", UNSET, "u", "error: an IPv6 host takes no SSH port", 1},
            {"ssh://[::1]:2222:3476", UNSET, "u", "error: an IPv6 host takes no SSH port", 1},
            {"http://[1:2:3]:", UNSET, "u", "error: invalid IPv6 address", 1},
            {"http://[fe80::1%25eth0]:", UNSET, "u", "error: invalid IPv6 address", 1},
            {"http://[::1:", UNSET, "u", "error: missing ']'", 1},
            {"http://[::1]x:5", UNSET, "u", "error: unexpected text after the IPv6 address", 1},
            {"http://[::ffff:127.0.0.1]:9", UNSET, "u", "http http://[::ffff:127.0.0.1]:9", 1},
            /* user names */
            {"ssh://@host:", UNSET, "u", "error: empty user name before '@'", 1},
            {"ssh://a%0Ab@host:", UNSET, "u", "error: invalid user name", 1},
            {"ssh://a%00b@host:", UNSET, "u", "error: invalid user name", 1},
            {"ssh://a%zzb@host:", UNSET, "u", "error: bad %-escape", 1},
            {"ssh://a%4@host:", UNSET, "u", "error: bad %-escape", 1},
            /* control characters */
            {"http://host:5\n", UNSET, "u", "error: 'http://host:5\\x0a' (control character)", 1},
            {"http://ho\tst:5", UNSET, "u", "error: control character", 1},
            /* too many colons */
            {"http://host:1:2:3", UNSET, "u", "error: too many ':'", 1},
            /* NV_HOST: an HTTP user is refused, with the way to log in; all parts at once */
            {"http://me@host:5", UNSET, "u",
             "error: (the user is not used: remove it; the plugin's API has no log-in "
             "(ssh://user@host: logs in over SSH))",
             1},
            {"http://user:pw@host:5/path?x", UNSET, "u",
             "error: invalid NV_HOST 'http://user:***@host:5/path?x' (the user, the path and the "
             "query are not used: remove them;",
             1},
            {"me@host:5", UNSET, "u", "error: the user is not used", 1},
            /* an engine address's user info over tcp is docker's business */
            {UNSET, "tcp://me@host:2375", "u", "http http://host:3476", 0},
        };
        CHECK(rows);
}

static void test_password_masked(void)
{
        struct plugin_target t;
        struct error err = ERROR_INIT;
        CU_ASSERT(host_select("ssh://me:secret@host", NULL, "u", &t, &err) < 0);
        CU_ASSERT_PTR_NULL(strstr(err.message, "secret"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'ssh://me:***@host'"));
        CU_ASSERT_STRING_EQUAL(t.source, "NV_HOST");
        plugin_target_destroy(&t);
        error_clear(&err);
}

static void test_fields(void)
{
        struct plugin_target t;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(host_select("ssh://me@gpu1:2222:5000", "tcp://x:1", "u", &t, &err), 0);
        CU_ASSERT_EQUAL(t.transport, PLUGIN_TRANSPORT_SSH);
        CU_ASSERT_FALSE(t.local);
        CU_ASSERT_STRING_EQUAL(t.source, "NV_HOST");
        CU_ASSERT_STRING_EQUAL(t.url, "http://127.0.0.1:5000");
        CU_ASSERT_STRING_EQUAL(t.ssh_user, "me");
        CU_ASSERT_TRUE(t.ssh_user_explicit);
        CU_ASSERT_STRING_EQUAL(t.ssh_host, "gpu1");
        CU_ASSERT_STRING_EQUAL(t.ssh_port, "2222");
        CU_ASSERT_TRUE(t.ssh_port_explicit);
        CU_ASSERT_STRING_EQUAL(t.plugin_port, "5000");
        CU_ASSERT_FALSE(t.docker_host_unset_warning);
        plugin_target_destroy(&t);

        CU_ASSERT_EQUAL(host_select(NULL, "ssh://gpu1", "u", &t, &err), 0);
        CU_ASSERT_STRING_EQUAL(t.source, "DOCKER_HOST");
        CU_ASSERT_FALSE(t.ssh_user_explicit);
        CU_ASSERT_FALSE(t.ssh_port_explicit);
        CU_ASSERT_STRING_EQUAL(t.ssh_port, "22");
        plugin_target_destroy(&t);

        CU_ASSERT_EQUAL(host_select(NULL, NULL, NULL, &t, &err), 0);
        CU_ASSERT_STRING_EQUAL(t.source, "default");
        CU_ASSERT_TRUE(t.local);
        CU_ASSERT_EQUAL(t.transport, PLUGIN_TRANSPORT_HTTP);
        CU_ASSERT_STRING_EQUAL(t.plugin_port, "3476");
        CU_ASSERT_PTR_NULL(t.ssh_host);
        plugin_target_destroy(&t);
        plugin_target_destroy(&t); /* twice is harmless */
        CU_ASSERT_FALSE(error_is_set(&err));
}

/* The plugin follows the engine: its address from -H or a context, named in messages. */
static void test_engine_address(void)
{
        struct plugin_target t;
        struct error err = ERROR_INIT;
        static const char context[] = "docker context 'gpu9'";
        CU_ASSERT_EQUAL(host_select_engine(NULL, "ssh://me@gpu9", context, "u", &t, &err), 0);
        CU_ASSERT_EQUAL(t.transport, PLUGIN_TRANSPORT_SSH);
        CU_ASSERT_STRING_EQUAL(t.ssh_host, "gpu9");
        CU_ASSERT_STRING_EQUAL(t.plugin_port, "3476");
        CU_ASSERT_PTR_EQUAL(t.source, context);
        plugin_target_destroy(&t);
        CU_ASSERT_EQUAL(host_select_engine(NULL, "tcp://10.0.0.9:2376", "-H", "u", &t, &err), 0);
        CU_ASSERT_STRING_EQUAL(t.url, "http://10.0.0.9:3476");
        CU_ASSERT_STRING_EQUAL(t.source, "-H");
        plugin_target_destroy(&t);
        CU_ASSERT_EQUAL(
            host_select_engine(NULL, "unix:///run/user/1000/docker.sock", "-H", "u", &t, &err), 0);
        CU_ASSERT_TRUE(t.local);
        plugin_target_destroy(&t);
        /* NV_HOST still wins, and the engine's address is then not read */
        CU_ASSERT_EQUAL(host_select_engine("http://h:5", "bogus://", context, "u", &t, &err), 0);
        CU_ASSERT_STRING_EQUAL(t.url, "http://h:5");
        CU_ASSERT_FALSE(t.docker_host_unset_warning);
        plugin_target_destroy(&t);
        CU_ASSERT_EQUAL(host_select_engine(NULL, "npipe:////./pipe/x", context, "u", &t, &err), -1);
        CU_ASSERT_STRING_EQUAL(err.message,
                               "invalid docker context 'gpu9' 'npipe:////./pipe/x' (unsupported "
                               "scheme): expected unix://PATH, tcp://HOST[:PORT] or "
                               "ssh://[user@]HOST[:SSHPORT], e.g. tcp://gpu1:2375");
        error_clear(&err);
}

UNIT_MAIN("host_select", UNIT(test_reference_table), UNIT(test_reference_rules),
          UNIT(test_documented_differences), UNIT(test_password_masked), UNIT(test_fields),
          UNIT(test_engine_address))
