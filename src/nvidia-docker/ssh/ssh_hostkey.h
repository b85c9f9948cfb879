/*
 * ssh_hostkey: the server's host key, checked as ssh checks it, against the known_hosts files of
 * the plan (docs/remote.md, "Host keys"): a matching key passes; a revoked or changed key is
 * refused whatever the configuration says; an unknown key is refused unless
 * StrictHostKeyChecking is no (then a warning). Messages name the file and line and the ssh
 * command to verify and add the key. Nothing is ever written to known_hosts.
 */
#ifndef NVD_SSH_HOSTKEY_H
#define NVD_SSH_HOSTKEY_H

#include <libssh2.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/ssh/known_hosts.h"
#include "nvidia-docker/ssh/ssh_plan.h"

/* Before the handshake: the host key algorithms of the types known for the host go first, so
 * that a key that can be verified is negotiated (as ssh does). */
void ssh_hostkey_prefer_known_types(LIBSSH2_SESSION *session, const struct strv *known);
/* After the handshake: `name` is known_hosts_name(host, port). */
int ssh_hostkey_check(LIBSSH2_SESSION *session, const struct ssh_plan *plan,
                      const struct known_hosts *kh, const char *name, struct error *err);

#endif
