/*
 * fuzz_docker_args: docker_args_parse on arbitrary command lines. The input is split into
 * words on NUL and newline bytes (at most 64 words); the invariants of the reading are checked
 * and any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvidia-docker/docker_args.h"

#define MAX_WORDS 64

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "invariant failed: %s\n", #cond);                          \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

static bool points_into_words(const char *p, const char *const *words, size_t count)
{
        for (size_t i = 0; i < count; i++)
                if (p >= words[i] && p <= words[i] + strlen(words[i]))
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        memcpy(text, data, size);
        text[size] = '\0';
        const char *words[MAX_WORDS];
        size_t count = 0;
        size_t start = 0;
        for (size_t i = 0; i <= size && count < MAX_WORDS; i++) {
                if (i == size || text[i] == '\n' || text[i] == '\0') {
                        text[i] = '\0';
                        if (i < size || start < size)
                                words[count++] = text + start;
                        start = i + 1;
                }
        }

        struct docker_args a;
        docker_args_parse(words, count, &a);

        CHECK(memchr(a.uncertain_reason, '\0', sizeof(a.uncertain_reason)) != NULL);
        CHECK(a.certain == (a.uncertain_reason[0] == '\0'));
        CHECK(a.global_count <= count);
        bool run_or_create = a.command == DOCKER_COMMAND_RUN || a.command == DOCKER_COMMAND_CREATE;
        if (a.command == DOCKER_COMMAND_NONE) {
                CHECK(a.certain);
                /* every word a global option, or those and a `--` that ends them */
                CHECK(a.global_count == count ||
                      (a.global_count + 1 == count && strcmp(words[count - 1], "--") == 0));
        }
        /* Where the command word may stand: after the global options and a `--` ending them. */
        size_t first = a.global_count;
        if (first < count && strcmp(words[first], "--") == 0)
                first++;
        if (a.command == DOCKER_COMMAND_VERSION) {
                CHECK(a.command_index < count);
                CHECK(strcmp(words[a.command_index], "version") == 0);
                CHECK(a.command_index == first);
        }
        if (run_or_create) {
                CHECK(a.command_index < count);
                CHECK(first <= a.command_index);
                CHECK(a.command_index <= first + 1);
                const char *name = a.command == DOCKER_COMMAND_RUN ? "run" : "create";
                CHECK(strcmp(words[a.command_index], name) == 0);
                if (a.command_index == first + 1)
                        CHECK(strcmp(words[first], "container") == 0);
                for (size_t i = 0; i < a.global_count; i++)
                        CHECK((words[i][0] == '-' && words[i][1] != '\0') ||
                              (i > 0 && words[i - 1][0] == '-'));
        }
        if (run_or_create && a.certain) {
                CHECK(a.image_index < count);
                CHECK(a.insert_index <= a.image_index);
                CHECK(a.insert_index > a.command_index);
                CHECK(a.image_index == a.insert_index || a.image_index == a.insert_index + 1);
                if (a.image_index != a.insert_index)
                        CHECK(strcmp(words[a.insert_index], "--") == 0);
                const char *image = words[a.image_index];
                CHECK(image[0] != '\0' && image[0] != '-');
                if (a.pull != NULL)
                        CHECK(points_into_words(a.pull, words, count));
                if (a.platform != NULL)
                        CHECK(points_into_words(a.platform, words, count));
        }

        /* Deterministic, and blind to what follows IMAGE. */
        struct docker_args again;
        docker_args_parse(words, count, &again);
        CHECK(memcmp(&a, &again, sizeof(a)) == 0);
        if (run_or_create && a.certain && a.image_index + 1 < count) {
                docker_args_parse(words, a.image_index + 1, &again);
                CHECK(again.certain && again.image_index == a.image_index &&
                      again.insert_index == a.insert_index);
        }
        free(text);
        return 0;
}
