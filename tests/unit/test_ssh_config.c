/* ssh_config: patterns, Host/Match blocks, first value wins, Include, token expansion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvidia-docker/ssh/ssh_config.h"
#include "unit.h"

static int parse(struct ssh_config *cfg, const char *host, const char *text, struct error *err)
{
        struct ssh_config_context ctx = {host, "/nonexistent", "/home/me", 0};
        return ssh_config_parse(cfg, text, strlen(text), "config", &ctx, err);
}

static void test_pattern_match(void)
{
        CU_ASSERT(ssh_pattern_match("*", "gpu1"));
        CU_ASSERT(ssh_pattern_match("gpu?", "gpu1"));
        CU_ASSERT(!ssh_pattern_match("gpu?", "gpu12"));
        CU_ASSERT(ssh_pattern_match("*.example.com", "a.b.example.com"));
        CU_ASSERT(!ssh_pattern_match("*.example.com", "example.com"));
        CU_ASSERT(ssh_pattern_match("GPU*", "gpu-node"));
        CU_ASSERT(ssh_pattern_match("a*b*c", "axxbyyc"));
        CU_ASSERT(!ssh_pattern_match("a*b*c", "axxbyy"));
        CU_ASSERT(ssh_pattern_match("", "") && !ssh_pattern_match("", "x"));
        CU_ASSERT(ssh_pattern_list_match("gpu*,!gpu3", ",", "gpu1"));
        CU_ASSERT(!ssh_pattern_list_match("gpu*,!gpu3", ",", "gpu3"));
        CU_ASSERT(!ssh_pattern_list_match("!gpu3", ",", "gpu1")); /* negation alone: no match */
}

static void test_first_value_wins(void)
{
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(parse(&cfg, "gpu1",
                              "# comment\n"
                              "Host gpu1\n"
                              "  HostName 10.0.0.1\n"
                              "  User alice\n"
                              "  Port=2222\n"
                              "  IdentityFile ~/.ssh/gpu_key\n"
                              "Host gpu*\n"
                              "  HostName wrong\n"
                              "  User bob\n"
                              "  IdentityFile \"~/.ssh/with space\"\n"
                              "  ConnectTimeout 1m5s\n"
                              "Host *\n"
                              "  StrictHostKeyChecking accept-new\n"
                              "  UserKnownHostsFile ~/a ~/b\n"
                              "  UserKnownHostsFile ~/c\n"
                              "  IdentitiesOnly yes\n",
                              &err),
                        0);
        CU_ASSERT_STRING_EQUAL(cfg.hostname, "10.0.0.1");
        CU_ASSERT_STRING_EQUAL(cfg.user, "alice");
        CU_ASSERT_STRING_EQUAL(cfg.port, "2222");
        CU_ASSERT_EQUAL(cfg.identity_files.count, 2); /* IdentityFile accumulates */
        CU_ASSERT_STRING_EQUAL(cfg.identity_files.items[1], "~/.ssh/with space");
        CU_ASSERT_EQUAL(cfg.connect_timeout, 65);
        CU_ASSERT_EQUAL(cfg.strict_host_key_checking, SSH_STRICT_ACCEPT_NEW);
        CU_ASSERT_EQUAL(cfg.user_known_hosts_files.count, 2);
        CU_ASSERT_STRING_EQUAL(cfg.user_known_hosts_files.items[1], "~/b");
        CU_ASSERT_EQUAL(cfg.identities_only, 1);
        ssh_config_destroy(&cfg);
}

static void test_host_negation_and_multiple(void)
{
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        const char *text = "Host a b !c *.lab\n  User matched\nHost *\n  User fallback\n";
        const char *hosts[] = {"a", "b", "x.lab", "c", "d"};
        const char *users[] = {"matched", "matched", "matched", "fallback", "fallback"};
        for (size_t i = 0; i < 5; i++) {
                ssh_config_init(&cfg);
                CU_ASSERT_EQUAL(parse(&cfg, hosts[i], text, &err), 0);
                CU_ASSERT_STRING_EQUAL(cfg.user, users[i]);
                ssh_config_destroy(&cfg);
        }
        /* "!c" excludes even when another pattern of the line matches */
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(parse(&cfg, "c", "Host * !c\n  Port 1\n", &err), 0);
        CU_ASSERT_PTR_NULL(cfg.port);
        ssh_config_destroy(&cfg);
}

static void test_match_blocks(void)
{
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(parse(&cfg, "gpu1",
                              "Match exec \"true\"\n  User exec\n"
                              "Match originalhost gpu1\n  Port 2200\n"
                              "Host gpu1\n  HostName real.example\n"
                              "Match host real.*\n  User real\n"
                              "Match all\n  ConnectTimeout 3\n",
                              &err),
                        0);
        CU_ASSERT_STRING_EQUAL(cfg.user, "real"); /* exec is not run: block skipped */
        CU_ASSERT_STRING_EQUAL(cfg.port, "2200");
        CU_ASSERT_EQUAL(cfg.connect_timeout, 3);
        ssh_config_destroy(&cfg);
}

static void test_bad_values(void)
{
        const char *bad[] = {"Port 0\n",
                             "Port 70000\n",
                             "Port x\n",
                             "ConnectTimeout soon\n",
                             "StrictHostKeyChecking maybe\n",
                             "IdentitiesOnly perhaps\n",
                             "User \"unbalanced\n"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct ssh_config cfg;
                struct error err = ERROR_INIT;
                ssh_config_init(&cfg);
                CU_ASSERT_EQUAL(parse(&cfg, "h", bad[i], &err), -1);
                CU_ASSERT_PTR_NOT_NULL(err.message);
                if (err.message)
                        CU_ASSERT(strncmp(err.message, "config:1: ", 10) == 0);
                error_clear(&err);
                ssh_config_destroy(&cfg);
        }
        /* a bad value in a block that does not apply is not looked at (as ssh) */
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(parse(&cfg, "h", "Host other\n  Port x\n  FancyUnknownKey 1\n", &err), 0);
        ssh_config_destroy(&cfg);
}

static void test_include(void)
{
        char dir[] = "/tmp/nvd-unit-sshcfg.XXXXXX";
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
        char path[256];
        snprintf(path, sizeof(path), "%s/extra.conf", dir);
        FILE *f = fopen(path, "w");
        fputs("Host gpu1\n  User included\n", f);
        fclose(f);
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        ssh_config_init(&cfg);
        struct ssh_config_context ctx = {"gpu1", dir, "/home/me", 0};
        static const char include_text[] = "Include *.conf nothing-here\nUser later\n";
        CU_ASSERT_EQUAL(
            ssh_config_parse(&cfg, include_text, sizeof(include_text) - 1, "config", &ctx, &err),
            0);
        CU_ASSERT_STRING_EQUAL(cfg.user, "included");
        ssh_config_destroy(&cfg);
        /* an Include that includes itself stops at the depth limit with an error */
        f = fopen(path, "w");
        fputs("Include extra.conf\n", f);
        fclose(f);
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(ssh_config_read_file(&cfg, path, &ctx, &err), -1);
        CU_ASSERT(err.message != NULL && strstr(err.message, "Include nested too deeply") != NULL);
        error_clear(&err);
        ssh_config_destroy(&cfg);
        unlink(path);
        rmdir(dir);
        /* a missing file is no error */
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(ssh_config_read_file(&cfg, "/nonexistent/config", &ctx, &err), 0);
        ssh_config_destroy(&cfg);
        /* a file that never ends: named with the limit, and where it was included */
        ssh_config_init(&cfg);
        static const char zero_text[] = "Host *\n  Include /dev/zero\n";
        CU_ASSERT_EQUAL(
            ssh_config_parse(&cfg, zero_text, sizeof(zero_text) - 1, "config", &ctx, &err), -1);
        CU_ASSERT_STRING_EQUAL(err.message, "config:2: Include /dev/zero: SSH configuration file "
                                            "/dev/zero is larger than 1 MiB");
        error_clear(&err);
        ssh_config_destroy(&cfg);
}

/* As OpenSSH reads: a NUL byte ends its own line; later lines still apply. */
static void test_nul_byte(void)
{
        static const char text[] = "User first\0ignored\nPort 2222\0 9\n\0\nHostName h\n";
        struct ssh_config_context ctx = {"gpu1", "/nonexistent", "/home/me", 0};
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        ssh_config_init(&cfg);
        CU_ASSERT_EQUAL(ssh_config_parse(&cfg, text, sizeof(text) - 1, "config", &ctx, &err), 0);
        CU_ASSERT_STRING_EQUAL(cfg.user, "first");
        CU_ASSERT_STRING_EQUAL(cfg.port, "2222");
        CU_ASSERT_STRING_EQUAL(cfg.hostname, "h");
        ssh_config_destroy(&cfg);
}

static void test_expand(void)
{
        struct ssh_expand_context ctx = {"/home/me", "me", "root", "10.0.0.1", "gpu1", "22", "ws"};
        struct error err = ERROR_INIT;
        char *s = ssh_config_expand("~/.ssh/id_%h_%r@%n:%p %u %l %% %d", &ctx, &err);
        CU_ASSERT_STRING_EQUAL(s, "/home/me/.ssh/id_10.0.0.1_root@gpu1:22 me ws % /home/me");
        free(s);
        s = ssh_config_expand("~", &ctx, &err);
        CU_ASSERT_STRING_EQUAL(s, "/home/me");
        free(s);
        s = ssh_config_expand("~other/x", &ctx, &err); /* only ~ and ~/ */
        CU_ASSERT_STRING_EQUAL(s, "~other/x");
        free(s);
        CU_ASSERT_PTR_NULL(ssh_config_expand("%z", &ctx, &err));
        CU_ASSERT_PTR_NOT_NULL(err.message);
        error_clear(&err);
        CU_ASSERT_PTR_NULL(ssh_config_expand("trailing %", &ctx, &err));
        error_clear(&err);
}

UNIT_MAIN("ssh_config", UNIT(test_pattern_match), UNIT(test_first_value_wins),
          UNIT(test_host_negation_and_multiple), UNIT(test_match_blocks), UNIT(test_bad_values),
          UNIT(test_include), UNIT(test_nul_byte), UNIT(test_expand))
