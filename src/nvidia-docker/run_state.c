/* run_state: see run_state.h. */
#include "nvidia-docker/run_state.h"

#include "nvidia-docker/argv_rewrite.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/run_debug.h"

void run_state_destroy(struct run_state *s)
{
        engine_endpoint_destroy(&s->engine);
        plugin_target_destroy(&s->plugin);
        error_clear(&s->plugin_target_error);
        image_info_destroy(&s->image);
        strv_destroy(&s->env_entries);
        gpu_plan_destroy(&s->plan);
        strv_destroy(&s->devices);
        plugin_client_free(s->client);
        docker_cli_answer_destroy(&s->answer);
        gpu_info_answer_destroy(&s->info);
        strv_destroy(&s->options);
        strv_destroy(&s->final_words);
        podman_target_destroy(&s->podman_target);
}

int run_exec_words(struct run_state *s, const struct strv *options, struct error *err)
{
        const struct run_request *r = s->request;
        const struct docker_args *a = r->args;
        struct strv no_prefix = STRV_INIT;
        strv_init(&s->final_words);
        argv_rewrite(&no_prefix, r->words, r->count, a->insert_index, options, a->gpus,
                     a->gpus_count, &s->final_words);
        run_debug_argv(s, "exec", (const char *const *)s->final_words.items, s->final_words.count);
        return docker_command_exec(r->docker, (const char *const *)s->final_words.items,
                                   s->final_words.count, err);
}
