/* ssh_plan: see ssh_plan.h. */
#include "nvidia-docker/ssh/ssh_plan.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "common/xalloc.h"

void ssh_plan_destroy(struct ssh_plan *plan)
{
        free(plan->original_host);
        free(plan->host);
        free(plan->port);
        free(plan->user);
        free(plan->home);
        free(plan->local_user);
        ssh_config_destroy(&plan->cfg);
        strv_destroy(&plan->identity_files);
        strv_destroy(&plan->known_hosts_files);
}

static int expand_all(const struct strv *in, const struct ssh_expand_context *ctx, struct strv *out,
                      struct error *err)
{
        for (size_t i = 0; i < in->count; i++) {
                char *path = ssh_config_expand(in->items[i], ctx, err);
                if (path == NULL)
                        return -1;
                strv_push_owned(out, path);
        }
        return 0;
}

/* Host, user, port, ConnectTimeout and StrictHostKeyChecking, from the destination and the
 * configuration already read. */
static int choose_endpoint(const struct ssh_destination *dest, struct ssh_plan *plan,
                           struct ssh_expand_context *ctx, struct error *err)
{
        if (plan->cfg.hostname != NULL) {
                plan->host = ssh_config_expand(plan->cfg.hostname, ctx, err);
                if (plan->host == NULL)
                        return error_prefix(err, "HostName for %s", plan->original_host);
        } else {
                plan->host = xstrdup(plan->original_host);
        }
        if (dest->user != NULL)
                plan->user = xstrdup(dest->user);
        else if (plan->cfg.user != NULL)
                plan->user = xstrdup(plan->cfg.user);
        else if (text_is_set(dest->local_user))
                plan->user = xstrdup(dest->local_user);
        else
                plan->user = xstrdup(plan->local_user);
        if (dest->port != NULL)
                plan->port = xstrdup(dest->port);
        else if (plan->cfg.port != NULL)
                plan->port = xstrdup(plan->cfg.port);
        else
                plan->port = xstrdup("22");
        plan->timeout_s =
            plan->cfg.connect_timeout > 0 ? plan->cfg.connect_timeout : SSH_DEFAULT_TIMEOUT_S;
        plan->strict = plan->cfg.strict_host_key_checking;
        ctx->host = plan->host;
        ctx->remote_user = plan->user;
        ctx->port = plan->port;
        return 0;
}

/* `files` as configured (taken from the configuration), or else the two defaults. */
static void take_files(struct strv *files, bool set, struct strv *configured, const char *first,
                       const char *second)
{
        if (set) {
                *files = *configured;
                *configured = (struct strv)STRV_INIT;
        } else {
                strv_init(files);
                strv_push(files, first);
                strv_push(files, second);
        }
}

/* Identity files and known_hosts files, expanded. */
static int choose_files(struct ssh_plan *plan, const char *ssh_dir,
                        const struct ssh_expand_context *ctx, struct error *err)
{
        if (plan->cfg.identity_files_set) {
                if (expand_all(&plan->cfg.identity_files, ctx, &plan->identity_files, err) < 0)
                        return -1;
        } else {
                /* OpenSSH's defaults, in its order (no DSA: OpenSSH disabled it). */
                static const char *defaults[] = {"id_rsa", "id_ecdsa", "id_ed25519"};
                for (size_t i = 0; i < 3; i++)
                        strv_pushf(&plan->identity_files, "%s/%s", ssh_dir, defaults[i]);
        }
        struct strv user_files, global_files;
        take_files(&user_files, plan->cfg.user_known_hosts_set, &plan->cfg.user_known_hosts_files,
                   "~/.ssh/known_hosts", "~/.ssh/known_hosts2");
        take_files(&global_files, plan->cfg.global_known_hosts_set,
                   &plan->cfg.global_known_hosts_files, "/etc/ssh/ssh_known_hosts",
                   "/etc/ssh/ssh_known_hosts2");
        int rc = expand_all(&user_files, ctx, &plan->known_hosts_files, err);
        if (rc == 0)
                rc = expand_all(&global_files, ctx, &plan->known_hosts_files, err);
        strv_destroy(&user_files);
        strv_destroy(&global_files);
        return rc;
}

int ssh_plan_make(const struct ssh_destination *dest, struct ssh_plan *plan, struct error *err)
{
        memset(plan, 0, sizeof(*plan));
        ssh_config_init(&plan->cfg);
        strv_init(&plan->identity_files);
        strv_init(&plan->known_hosts_files);
        if (!text_is_set(dest->host))
                return error_set(err, "no SSH host given");
        plan->original_host = xstrdup(dest->host);

        struct passwd *pw = getpwuid(getuid());
        const char *home = text_is_set(dest->env.home) ? dest->env.home : NULL;
        if (home == NULL)
                home = pw ? pw->pw_dir : NULL;
        if (home == NULL)
                return error_set(err, "cannot find your home directory (set HOME) for ~/.ssh");
        plan->home = xstrdup(home);
        plan->local_user =
            xstrdup(pw ? pw->pw_name : (dest->env.user != NULL ? dest->env.user : ""));

        cleanup_free char *ssh_dir = xasprintf("%s/.ssh", home);
        cleanup_free char *user_config = xasprintf("%s/config", ssh_dir);
        struct ssh_config_context user_ctx = {plan->original_host, ssh_dir, home, 0};
        if (ssh_config_read_file(&plan->cfg, user_config, &user_ctx, err) < 0)
                return -1;
        struct ssh_config_context system_ctx = {plan->original_host, "/etc/ssh", home, 0};
        if (ssh_config_read_file(&plan->cfg, "/etc/ssh/ssh_config", &system_ctx, err) < 0)
                return -1;

        char local_host[256] = "";
        gethostname(local_host, sizeof(local_host) - 1);
        struct ssh_expand_context ctx = {
            .home = home,
            .local_user = plan->local_user,
            .host = plan->original_host,
            .original_host = plan->original_host,
            .local_host = local_host,
        };
        if (choose_endpoint(dest, plan, &ctx, err) < 0)
                return -1;
        return choose_files(plan, ssh_dir, &ctx, err);
}
