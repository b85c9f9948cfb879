/* ssh:// plugin targets: not built yet (issue 4). */
#include "nvidia-docker/ssh_tunnel.h"

int ssh_tunnel_open(const struct plugin_target *target, struct ssh_tunnel **out, struct error *err)
{
        (void)out;
        return error_set(err, "ssh:// plugin hosts (%s) are not supported yet; use http://HOST:PORT",
                         target->source);
}

int ssh_tunnel_fd(const struct ssh_tunnel *tunnel)
{
        (void)tunnel;
        return -1;
}

void ssh_tunnel_close(struct ssh_tunnel *tunnel)
{
        (void)tunnel;
}
