/*
 * ssh_auth: user authentication on an SSH session that has passed its host key check, in
 * OpenSSH's order: agent keys (SSH_AUTH_SOCK), identity files (an encrypted one asks for its
 * passphrase on the terminal), keyboard-interactive, password. Secrets are read from /dev/tty
 * with echo off, and only when ssh_auth_can_prompt() says a person is there: never in CI or
 * without a terminal, where the error lists what was tried and what to do instead.
 */
#ifndef NVD_SSH_AUTH_H
#define NVD_SSH_AUTH_H

#include <libssh2.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

struct ssh_auth_request {
        const char *user;
        const char *host;                  /* for messages and prompts: what the user typed */
        const char *home;                  /* to print paths as ~/... */
        const struct strv *identity_files; /* expanded paths, in order */
        bool use_agent;                    /* SSH_AUTH_SOCK is set (non-empty) */
        bool identities_only;              /* agent keys only if they are identity files */
        bool pubkey;                       /* PubkeyAuthentication */
        bool kbd_interactive;              /* KbdInteractiveAuthentication */
        bool password;                     /* PasswordAuthentication */
        int password_prompts;              /* NumberOfPasswordPrompts */
        bool can_prompt;                   /* ssh_auth_can_prompt() */
};

/* Whether secrets may be asked: stdin is a terminal, /dev/tty opens, and `ci` (the value of
 * CI) is NULL, empty, "false" or "0". */
bool ssh_auth_can_prompt(const char *ci);

/* Blocking session. 0 once authenticated. */
int ssh_auth_run(LIBSSH2_SESSION *session, const struct ssh_auth_request *req, struct error *err);

/* Pure: whether a private key file's text is passphrase-protected (PEM "ENCRYPTED" headers,
 * or an OpenSSH-format key whose cipher is not "none"). */
bool ssh_auth_key_is_encrypted(const char *text);

#endif
