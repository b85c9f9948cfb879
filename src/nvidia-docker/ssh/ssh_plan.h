/*
 * ssh_plan: what an SSH connection will use, decided from the destination's plain values and the
 * SSH configuration (~/.ssh/config, then /etc/ssh/ssh_config, as ssh reads them): the real host
 * (HostName), user (the destination's, else User, else $USER, else the login name), port,
 * ConnectTimeout (default 10 s), StrictHostKeyChecking, identity files (IdentityFile expanded,
 * else OpenSSH's defaults) and known_hosts files (UserKnownHostsFile, GlobalKnownHostsFile, else
 * OpenSSH's defaults). Internal to the ssh folder; reads files, no network.
 */
#ifndef NVD_SSH_PLAN_H
#define NVD_SSH_PLAN_H

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/ssh/ssh_config.h"
#include "nvidia-docker/ssh/ssh_tunnel.h"

#define SSH_DEFAULT_TIMEOUT_S 10

struct ssh_plan {
        char *original_host; /* as given: Host patterns and messages */
        char *host;          /* after HostName */
        char *port;
        char *user;
        char *home;
        char *local_user;
        int timeout_s;
        int strict;
        struct ssh_config cfg;
        struct strv identity_files;
        struct strv known_hosts_files;
};

/* Fills *plan (destroy it with ssh_plan_destroy, also after a failure). */
int ssh_plan_make(const struct ssh_destination *dest, struct ssh_plan *plan, struct error *err);
void ssh_plan_destroy(struct ssh_plan *plan);

#endif
