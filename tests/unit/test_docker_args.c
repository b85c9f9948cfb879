/* Unit tests of docker_args (and the docker_flags tables it reads). */
#include <string.h>

#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/docker_flags.h"
#include "unit.h"

#define WORDS(...)  ((const char *const[]){__VA_ARGS__})
#define NWORDS(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
/* Parses the words into `a`. */
#define PARSE(a, ...) docker_args_parse(WORDS(__VA_ARGS__), NWORDS(__VA_ARGS__), &(a))

/* A certain run/create line: image at `image`, GPU options at `insert`. */
static void expect_image(const struct docker_args *a, enum docker_command command,
                         size_t command_index, size_t image, size_t insert)
{
        CU_ASSERT_EQUAL(a->command, command);
        CU_ASSERT_TRUE(a->certain);
        CU_ASSERT_STRING_EQUAL(a->uncertain_reason, "");
        CU_ASSERT_EQUAL(a->command_index, command_index);
        CU_ASSERT_EQUAL(a->image_index, image);
        CU_ASSERT_EQUAL(a->insert_index, insert);
}

static void expect_uncertain(const struct docker_args *a, enum docker_command command,
                             const char *reason_part)
{
        CU_ASSERT_EQUAL(a->command, command);
        CU_ASSERT_FALSE(a->certain);
        CU_ASSERT_PTR_NOT_NULL(strstr(a->uncertain_reason, reason_part));
        if (strstr(a->uncertain_reason, reason_part) == NULL)
                fprintf(stderr, "reason: %s (wanted %s)\n", a->uncertain_reason, reason_part);
}

static void test_plain_run_and_create(void)
{
        struct docker_args a;
        PARSE(a, "run", "busybox");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 1, 1);
        CU_ASSERT_EQUAL(a.global_count, 0);
        PARSE(a, "create", "--rm", "-it", "busybox", "nvidia-smi", "-L");
        expect_image(&a, DOCKER_COMMAND_CREATE, 0, 3, 3);
        PARSE(a, "run", "-v", "/a:/b", "--name", "x", "-it", "IMG", "sh");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 6, 6);
}

static void test_value_forms(void)
{
        struct docker_args a;
        PARSE(a, "run", "--name", "x", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 3, 3);
        PARSE(a, "run", "--name=x", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "--name=", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        /* A value may start with a dash: pflag takes the next word whatever it is. */
        PARSE(a, "run", "--memory-swap", "-1", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 3, 3);
        PARSE(a, "run", "-e", "--rm", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 3, 3);
        /* Values with `=` and spaces. */
        PARSE(a, "run", "-e", "A=b c=d", "--label=k=v w", "--env=X=1=2", "img", "x");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 5, 5);
        /* -h is --hostname for run and create. */
        PARSE(a, "create", "-h", "host", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 0, 3, 3);
        /* -c is --cpu-shares. */
        PARSE(a, "run", "-c", "512", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 3, 3);
}

static void test_booleans(void)
{
        struct docker_args a;
        const char *spellings[] = {"1", "t", "T", "TRUE",  "true",  "True",
                                   "0", "f", "F", "FALSE", "false", "False"};
        for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
                char word[32];
                snprintf(word, sizeof(word), "--rm=%s", spellings[i]);
                PARSE(a, "create", word, "img");
                expect_image(&a, DOCKER_COMMAND_CREATE, 0, 2, 2);
        }
        PARSE(a, "create", "--rm=yes", "img");
        expect_uncertain(&a, DOCKER_COMMAND_CREATE, "not a boolean");
        PARSE(a, "run", "-i=false", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "-i=no", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "not a boolean");
        /* `-i=`: the `=` is read as the next shorthand. */
        PARSE(a, "run", "-i=", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "unknown shorthand flag '='");
        /* Booleans never take the next word (#917: --rm on create, newer booleans). */
        PARSE(a, "create", "-it", "--rm", "--user", "1000:1000", "alpine");
        expect_image(&a, DOCKER_COMMAND_CREATE, 0, 5, 5);
        PARSE(a, "run", "-q", "--use-api-socket", "--init", "--no-healthcheck", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 5, 5);
        PARSE(a, "create", "--disable-content-trust", "--privileged", "--read-only", "-P", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 0, 5, 5);
}

static void test_short_clusters(void)
{
        struct docker_args a;
        PARSE(a, "run", "-it", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "-dit", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        /* A value flag ending a cluster takes the next word. */
        PARSE(a, "run", "-itp", "80:80", "img", "cmd");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 3, 3);
        /* Attached values: the rest of the word. */
        PARSE(a, "run", "-p8080:80", "img", "cmd");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "-eA=1", "-uroot", "-w/tmp", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 4, 4);
        PARSE(a, "run", "-e=A=1", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "-ite=A=1", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "-itpe", "x", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2); /* p takes "e" */
        /* `-e=` is the value "=" (pflag needs a character after the `=`). */
        PARSE(a, "run", "-e=", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        /* #431: a typo is docker's to report. */
        PARSE(a, "run", "-rm", "img", "nvidia-smi");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "unknown shorthand flag 'r'");
        PARSE(a, "run", "-iZ", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "'Z'");
        PARSE(a, "run", "-test.v", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "ignored");
}

static void test_double_dash(void)
{
        struct docker_args a;
        PARSE(a, "run", "-it", "--rm", "--", "IMG");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 4, 3);
        PARSE(a, "run", "--rm", "--", "IMG", "cmd", "--", "x");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 3, 2);
        PARSE(a, "run", "--", "run");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 1);
        PARSE(a, "run", "--");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "no IMAGE");
        PARSE(a, "run", "--", "--", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "starts with '-'");
        PARSE(a, "run", "--", "-x");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "starts with '-'");
        /* After IMAGE nothing is read. */
        PARSE(a, "run", "img", "--rm", "-it", "--frob");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 1, 1);
}

static void test_images_named_like_commands(void)
{
        struct docker_args a;
        PARSE(a, "run", "run");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 1, 1);
        PARSE(a, "create", "create", "create");
        expect_image(&a, DOCKER_COMMAND_CREATE, 0, 1, 1);
        PARSE(a, "container", "run", "create");
        expect_image(&a, DOCKER_COMMAND_RUN, 1, 2, 2);
        CU_ASSERT_EQUAL(a.global_count, 0);
        PARSE(a, "container", "create", "--rm", "container");
        expect_image(&a, DOCKER_COMMAND_CREATE, 1, 3, 3);
        PARSE(a, "run", "version");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 1, 1);
}

static void test_global_options(void)
{
        struct docker_args a;
        PARSE(a, "-D", "run", "--rm", "IMG");
        expect_image(&a, DOCKER_COMMAND_RUN, 1, 3, 3);
        CU_ASSERT_EQUAL(a.global_count, 1);
        CU_ASSERT_FALSE(a.daemon_options);
        PARSE(a, "-l", "debug", "--log-level=info", "--debug", "create", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 4, 5, 5);
        CU_ASSERT_EQUAL(a.global_count, 4);
        CU_ASSERT_FALSE(a.daemon_options);
        PARSE(a, "-H", "tcp://h:2375", "container", "run", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 3, 4, 4);
        CU_ASSERT_EQUAL(a.global_count, 2);
        CU_ASSERT_TRUE(a.daemon_options);
        /* Every option that picks the daemon or the client configuration. */
        const char *daemon_words[] = {
            "-Hx",   "--host=x",          "-c=ctx",        "--context=c", "--config=/d",
            "--tls", "--tlsverify=false", "--tlscacert=x", "--tlscert=y", "--tlskey=z"};
        for (size_t i = 0; i < sizeof(daemon_words) / sizeof(daemon_words[0]); i++) {
                PARSE(a, daemon_words[i], "run", "img");
                expect_image(&a, DOCKER_COMMAND_RUN, 1, 2, 2);
                CU_ASSERT_TRUE(a.daemon_options);
        }
        PARSE(a, "--config", "/dir", "-c", "ctx", "ps");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        CU_ASSERT_EQUAL(a.command_index, 4);
        CU_ASSERT_TRUE(a.daemon_options);
        CU_ASSERT_STRING_EQUAL(a.config_option, "/dir");
        CU_ASSERT_STRING_EQUAL(a.context_option, "ctx");
        CU_ASSERT_PTR_NULL(a.host_option);
        /* The values that choose the engine, in every form; the last one given. */
        PARSE(a, "-Htcp://a:1", "--context=c1", "--config=/d", "run", "img");
        CU_ASSERT_STRING_EQUAL(a.host_option, "tcp://a:1");
        CU_ASSERT_STRING_EQUAL(a.context_option, "c1");
        CU_ASSERT_STRING_EQUAL(a.config_option, "/d");
        PARSE(a, "--host", "unix:///x", "-H=ssh://me@h", "-c=c2", "-c", "c3", "run", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 6, 7, 7);
        CU_ASSERT_STRING_EQUAL(a.host_option, "ssh://me@h");
        CU_ASSERT_STRING_EQUAL(a.context_option, "c3");
        PARSE(a, "-D", "run", "-h", "host", "img");
        CU_ASSERT_PTR_NULL(a.host_option);
        CU_ASSERT_PTR_NULL(a.context_option);
        CU_ASSERT_PTR_NULL(a.config_option);
        /* A value option naming a command is its value. */
        PARSE(a, "-l", "run", "create", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 2, 3, 3);
        /* docker ignores global --help/--version when a command follows. */
        PARSE(a, "-v", "run", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 1, 2, 2);
        PARSE(a, "--help", "create", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 1, 2, 2);
        /* Run options are not global options and the other way round. */
        PARSE(a, "--rm", "run", "img");
        expect_uncertain(&a, DOCKER_COMMAND_OTHER, "unknown flag --rm");
        PARSE(a, "run", "-D", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "'D'");
        PARSE(a, "-l");
        expect_uncertain(&a, DOCKER_COMMAND_OTHER, "no value");
        /* `--` ends the global options; a cluster's last flag takes the next word (docker
         * 20.10 and 28.x read these lines so). */
        PARSE(a, "--", "run", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 1, 2, 2);
        CU_ASSERT_EQUAL(a.global_count, 0);
        PARSE(a, "-D", "--", "container", "create", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 3, 4, 4);
        CU_ASSERT_EQUAL(a.global_count, 1);
        PARSE(a, "--", "--", "run", "img");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "-Dl", "debug", "run", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 2, 3, 3);
        CU_ASSERT_EQUAL(a.global_count, 2);
        PARSE(a, "-DH", "unix:///x.sock", "create", "img");
        expect_image(&a, DOCKER_COMMAND_CREATE, 2, 3, 3);
        CU_ASSERT_TRUE(a.daemon_options);
        PARSE(a, "-Dc", "ctx", "run", "--rm", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 2, 4, 4);
        CU_ASSERT_TRUE(a.daemon_options);
        PARSE(a, "-Dldebug", "run", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 1, 2, 2);
}

static void test_other_commands(void)
{
        struct docker_args a;
        docker_args_parse(NULL, 0, &a);
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_NONE);
        PARSE(a, "--help");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_NONE);
        PARSE(a, "ps", "-a");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        CU_ASSERT_EQUAL(a.command_index, 0);
        PARSE(a, "-D", "version", "--format", "{{.Client.Version}}");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_VERSION);
        CU_ASSERT_EQUAL(a.command_index, 1);
        PARSE(a, "container");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "container", "ls");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        CU_ASSERT_EQUAL(a.command_index, 1);
        PARSE(a, "container", "version");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "container", "--help", "run", "img");
        expect_uncertain(&a, DOCKER_COMMAND_OTHER, "between `container`");
        PARSE(a, "");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "", "run", "img");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "-", "run");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        /* #581, #867: run/create only by position. */
        PARSE(a, "exec", "c", "run");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "network", "create", "n");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
        PARSE(a, "Run", "img");
        CU_ASSERT_EQUAL(a.command, DOCKER_COMMAND_OTHER);
}

static void test_uncertain_lines(void)
{
        struct docker_args a;
        PARSE(a, "run");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "no IMAGE");
        PARSE(a, "run", "--rm");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "no IMAGE");
        PARSE(a, "run", "--name");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "--name in run has no value");
        PARSE(a, "run", "-it", "-e");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "-e in run has no value");
        PARSE(a, "run", "--frob", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "unknown flag --frob in run");
        PARSE(a, "run", "--frob=1", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "unknown flag --frob in run");
        PARSE(a, "run", "---x", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "bad flag syntax");
        PARSE(a, "run", "--=x", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "bad flag syntax");
        PARSE(a, "run", "--help", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "usage");
        PARSE(a, "run", "--help=true", "img");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "usage");
        PARSE(a, "run", "--help=false", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 2, 2);
        PARSE(a, "run", "");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "empty");
        PARSE(a, "run", "-");
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "starts with '-'");
        /* Run-only options on create. */
        PARSE(a, "create", "-d", "img");
        expect_uncertain(&a, DOCKER_COMMAND_CREATE, "'d'");
        PARSE(a, "create", "--sig-proxy=false", "img");
        expect_uncertain(&a, DOCKER_COMMAND_CREATE, "--sig-proxy");
        PARSE(a, "create", "--detach-keys", "x", "img");
        expect_uncertain(&a, DOCKER_COMMAND_CREATE, "--detach-keys");
        PARSE(a, "run", "-d", "--sig-proxy=false", "--detach-keys", "x", "img");
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 5, 5);
}

static void test_recorded_values(void)
{
        struct docker_args a;
        const char *const words[] = {"run",    "--pull", "always", "--platform=linux/arm64",
                                     "--gpus", "all",    "img"};
        docker_args_parse(words, 7, &a);
        expect_image(&a, DOCKER_COMMAND_RUN, 0, 6, 6);
        CU_ASSERT_PTR_EQUAL(a.pull, words[2]);
        CU_ASSERT_STRING_EQUAL(a.platform, "linux/arm64");
        CU_ASSERT_PTR_EQUAL(a.platform, words[3] + strlen("--platform="));
        CU_ASSERT_EQUAL_FATAL(a.gpus_count, 1);
        CU_ASSERT_EQUAL(a.gpus[0].index, 4);
        CU_ASSERT_EQUAL(a.gpus[0].words, 2);
        CU_ASSERT_PTR_EQUAL(a.gpus[0].value, words[5]);
        PARSE(a, "run", "--pull=never", "--pull", "missing", "img");
        CU_ASSERT_STRING_EQUAL(a.pull, "missing"); /* the last one wins, as in pflag */
        CU_ASSERT_PTR_NULL(a.platform);
        CU_ASSERT_EQUAL(a.gpus_count, 0);
        PARSE(a, "run", "--gpus=0", "img", "--pull", "x");
        CU_ASSERT_EQUAL_FATAL(a.gpus_count, 1);
        CU_ASSERT_EQUAL(a.gpus[0].index, 1);
        CU_ASSERT_EQUAL(a.gpus[0].words, 1);
        CU_ASSERT_STRING_EQUAL(a.gpus[0].value, "0");
        CU_ASSERT_PTR_NULL(a.pull);
}

/* What GPU selection reads from the options: every --gpus, the last -e of each variable
 * that matters (in clusters too), the --env-file paths, --runtime. */
static void test_selection_options(void)
{
        struct docker_args a;
        PARSE(a, "create", "--gpus", "all", "-e", "NVIDIA_VISIBLE_DEVICES=0", "-ite", "NV_GPU=1",
              "--env=NVIDIA_VISIBLE_DEVICES", "-eNVIDIA_DRIVER_CAPABILITIES=video", "--env-file",
              "a.env", "--gpus=2", "--env-file=b.env", "--runtime", "runc", "-e",
              "NVIDIA_VISIBLE_DEVICES_X=9", "img", "-e", "NV_GPU=5");
        expect_image(&a, DOCKER_COMMAND_CREATE, 0, 17, 17);
        CU_ASSERT_EQUAL_FATAL(a.gpus_count, 2);
        CU_ASSERT_EQUAL(a.gpus[0].index, 1);
        CU_ASSERT_EQUAL(a.gpus[0].words, 2);
        CU_ASSERT_EQUAL(a.gpus[1].index, 11);
        CU_ASSERT_EQUAL(a.gpus[1].words, 1);
        CU_ASSERT_STRING_EQUAL(a.gpus[1].value, "2");
        CU_ASSERT_STRING_EQUAL(a.env_visible_devices, "NVIDIA_VISIBLE_DEVICES");
        CU_ASSERT_STRING_EQUAL(a.env_nv_gpu, "NV_GPU=1");
        CU_ASSERT_STRING_EQUAL(a.env_capabilities, "NVIDIA_DRIVER_CAPABILITIES=video");
        CU_ASSERT_EQUAL_FATAL(a.env_file_count, 2);
        CU_ASSERT_STRING_EQUAL(a.env_files[0], "a.env");
        CU_ASSERT_STRING_EQUAL(a.env_files[1], "b.env");
        CU_ASSERT_STRING_EQUAL(a.runtime, "runc");
        for (int i = 0; i < LOADER_ENV_COUNT; i++)
                CU_ASSERT_PTR_NULL(a.env_loader[i]);
        /* The loader variables: the last -e of each, in any form; not a longer name. */
        PARSE(a, "run", "-eLD_LIBRARY_PATH=/a", "--env", "XDG_DATA_DIRS", "-ite",
              "LD_LIBRARY_PATH=/b", "--env=__EGL_VENDOR_LIBRARY_DIRSX=1", "img", "-e",
              "__EGL_VENDOR_LIBRARY_DIRS=/c");
        CU_ASSERT_STRING_EQUAL(a.env_loader[0], "LD_LIBRARY_PATH=/b");
        CU_ASSERT_PTR_NULL(a.env_loader[1]);
        CU_ASSERT_PTR_NULL(a.env_loader[2]);
        CU_ASSERT_STRING_EQUAL(a.env_loader[3], "XDG_DATA_DIRS");
        /* Too many repeats: docker takes them, we pass the line through unchanged. */
        const char *many[2 * DOCKER_ARGS_MAX_REPEATS + 4];
        size_t n = 0;
        many[n++] = "run";
        for (int i = 0; i <= DOCKER_ARGS_MAX_REPEATS; i++) {
                many[n++] = "--gpus";
                many[n++] = "all";
        }
        many[n++] = "img";
        docker_args_parse(many, n, &a);
        expect_uncertain(&a, DOCKER_COMMAND_RUN, "more than 16 --gpus options");
}

static void test_flag_tables(void)
{
        size_t count;
        const struct docker_flag *table = docker_flags_container(&count);
        CU_ASSERT_TRUE(count > 90);
        /* Names and shorthands are unique. */
        for (size_t i = 0; i < count; i++)
                for (size_t j = i + 1; j < count; j++) {
                        CU_ASSERT_NOT_EQUAL(strcmp(table[i].name, table[j].name), 0);
                        if (table[i].shorthand != 0)
                                CU_ASSERT_NOT_EQUAL(table[i].shorthand, table[j].shorthand);
                }
        const struct docker_flag *f = docker_flags_find_long(table, count, "rm=false", 2);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_FALSE(f->takes_value);
        CU_ASSERT_PTR_NULL(docker_flags_find_long(table, count, "r", 1));
        CU_ASSERT_PTR_NULL(docker_flags_find_short(table, count, 0));
        f = docker_flags_find_short(table, count, 'p');
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_STRING_EQUAL(f->name, "publish");
        CU_ASSERT_TRUE(docker_flags_valid_bool("True"));
        CU_ASSERT_FALSE(docker_flags_valid_bool("yes"));
        CU_ASSERT_FALSE(docker_flags_valid_bool(""));
        CU_ASSERT_TRUE(docker_flags_bool_is_true("1"));
        CU_ASSERT_FALSE(docker_flags_bool_is_true("0"));
}

UNIT_MAIN("docker_args", UNIT(test_plain_run_and_create), UNIT(test_value_forms),
          UNIT(test_booleans), UNIT(test_short_clusters), UNIT(test_double_dash),
          UNIT(test_images_named_like_commands), UNIT(test_global_options),
          UNIT(test_other_commands), UNIT(test_uncertain_lines), UNIT(test_recorded_values),
          UNIT(test_selection_options), UNIT(test_flag_tables))
