#include "nvidia-docker/ssh/ssh_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/text.h"
#include "common/xalloc.h"

#define SECRET_MAX   1024
#define KEY_FILE_MAX (1024 * 1024)

bool ssh_auth_can_prompt(const char *ci)
{
        if (text_is_set(ci) && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0)
                return false;
        if (!isatty(STDIN_FILENO))
                return false;
        int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

static const char openssh_key_begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
static const char openssh_key_end[] = "-----END OPENSSH PRIVATE KEY-----";

bool ssh_auth_key_is_encrypted(const char *text)
{
        if (strstr(text, "Proc-Type: 4,ENCRYPTED") != NULL ||
            strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL)
                return true;
        const char *begin = strstr(text, openssh_key_begin);
        if (begin == NULL)
                return false;
        begin += sizeof(openssh_key_begin) - 1;
        const char *end = strstr(begin, openssh_key_end);
        if (end == NULL)
                return false;
        struct buf b64 = BUF_INIT;
        buf_puts(&b64, "");
        for (const char *p = begin; p < end; p++)
                if (!strchr(" \t\r\n", *p))
                        buf_append(&b64, p, 1);
        size_t len = 0;
        unsigned char *blob = base64_decode(b64.data, b64.len, &len);
        buf_destroy(&b64);
        if (blob == NULL)
                return false;
        /* "openssh-key-v1\0" then string ciphername */
        static const char magic[] = "openssh-key-v1";
        bool encrypted = false;
        if (len >= sizeof(magic) + 4 && memcmp(blob, magic, sizeof(magic)) == 0) {
                const unsigned char *p = blob + sizeof(magic);
                size_t n = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
                if (n <= len - sizeof(magic) - 4)
                        encrypted = !(n == 4 && memcmp(p + 4, "none", 4) == 0);
        }
        free(blob);
        return encrypted;
}

/* Set by the handler while a secret is being read, so that the terminal is restored before
 * the signal takes its usual effect. */
static volatile sig_atomic_t prompt_signal;

static void prompt_on_signal(int sig)
{
        prompt_signal = sig;
}

/* Asks on /dev/tty without echo. *out is NULL on end of input. */
static int tty_read_secret(const char *prompt, char **out, struct error *err)
{
        *out = NULL;
        cleanup_close int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, errno, "cannot open the terminal to ask for a secret");
        struct termios saved, quiet;
        if (tcgetattr(fd, &saved) < 0)
                return error_set_errno(err, errno, "cannot use the terminal to ask for a secret");
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
        static const int signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP};
        struct sigaction handler = {.sa_handler = prompt_on_signal}, previous[5];
        sigemptyset(&handler.sa_mask);
        prompt_signal = 0;
        for (size_t i = 0; i < 5; i++)
                sigaction(signals[i], &handler, &previous[i]);
        tcsetattr(fd, TCSAFLUSH, &quiet);
        if (write(fd, prompt, strlen(prompt)) < 0) {
                /* the read below fails the same way */
        }
        char secret[SECRET_MAX];
        size_t len = 0;
        bool got_line = false;
        while (prompt_signal == 0) {
                char c;
                ssize_t n = read(fd, &c, 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (c == '\n' || c == '\r') {
                        got_line = true;
                        break;
                }
                if (len < sizeof(secret) - 1)
                        secret[len++] = c;
        }
        secret[len] = '\0';
        tcsetattr(fd, TCSAFLUSH, &saved);
        if (write(fd, "\n", 1) < 0) {
                /* nothing more to say on a terminal that cannot be written */
        }
        for (size_t i = 0; i < 5; i++)
                sigaction(signals[i], &previous[i], NULL);
        if (prompt_signal != 0) {
                explicit_bzero(secret, sizeof(secret));
                raise(prompt_signal);
                return error_set(err, "interrupted while asking for a secret");
        }
        if (got_line || len > 0)
                *out = xstrdup(secret);
        explicit_bzero(secret, sizeof(secret));
        return 0;
}

static void free_secret(char *secret)
{
        if (secret != NULL) {
                explicit_bzero(secret, strlen(secret));
                free(secret);
        }
}

static void tty_say(const char *text)
{
        int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        if (write(fd, text, strlen(text)) < 0) {
                /* best effort */
        }
        close(fd);
}

/* "/root/.ssh/id_rsa" → "~/.ssh/id_rsa" for messages. */
static char *display_path(const char *path, const char *home)
{
        size_t n = home ? strlen(home) : 0;
        if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/')
                return xasprintf("~%s", path + n);
        return xstrdup(path);
}

static bool session_lost(int rc)
{
        return rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_SEND ||
               rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_TIMEOUT ||
               rc == LIBSSH2_ERROR_SOCKET_TIMEOUT;
}

static const char *session_message(LIBSSH2_SESSION *session)
{
        char *msg = NULL;
        libssh2_session_last_error(session, &msg, NULL, 0);
        return msg != NULL ? msg : "unknown error";
}

/* The public key blob of an identity file, from its .pub companion (for IdentitiesOnly). */
static unsigned char *identity_public_blob(const char *path, size_t *len)
{
        cleanup_free char *pub_path = xasprintf("%s.pub", path);
        cleanup_close int fd = open(pub_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        struct buf text = BUF_INIT;
        if (buf_read_fd(&text, fd, 64 * 1024) < 0 || text.data == NULL) {
                buf_destroy(&text);
                return NULL;
        }
        unsigned char *blob = NULL;
        char *p = text.data + strcspn(text.data, " \t");
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t\r\n");
        if (n > 0)
                blob = base64_decode(p, n, len);
        buf_destroy(&text);
        return blob;
}

static bool agent_key_allowed(const struct libssh2_agent_publickey *identity,
                              const struct ssh_auth_request *req)
{
        if (!req->identities_only)
                return true;
        for (size_t i = 0; i < req->identity_files->count; i++) {
                size_t len = 0;
                cleanup_free unsigned char *blob =
                    identity_public_blob(req->identity_files->items[i], &len);
                if (blob != NULL && len == identity->blob_len &&
                    memcmp(blob, identity->blob, len) == 0)
                        return true;
        }
        return false;
}

/* 1: authenticated; 0: not; -1: fatal (session lost). */
static int try_agent(LIBSSH2_SESSION *session, const struct ssh_auth_request *req,
                     struct strv *tried, struct error *err)
{
        LIBSSH2_AGENT *agent = libssh2_agent_init(session);
        if (agent == NULL) {
                strv_push(tried, "agent (unavailable)");
                return 0;
        }
        int result = 0;
        if (libssh2_agent_connect(agent) != 0) {
                strv_push(tried, "agent (cannot contact the agent at $SSH_AUTH_SOCK)");
                goto out;
        }
        if (libssh2_agent_list_identities(agent) != 0) {
                strv_push(tried, "agent (cannot list its keys)");
                goto disconnect;
        }
        struct libssh2_agent_publickey *identity = NULL, *previous = NULL;
        unsigned offered = 0;
        while (libssh2_agent_get_identity(agent, &identity, previous) == 0) {
                previous = identity;
                if (!agent_key_allowed(identity, req))
                        continue;
                offered++;
                int rc = libssh2_agent_userauth(agent, req->user, identity);
                if (rc == 0) {
                        result = 1;
                        goto disconnect;
                }
                if (session_lost(rc)) {
                        result = error_set(err,
                                           "authentication on %s failed: the server closed the "
                                           "connection while agent keys were tried (%s)",
                                           req->host, session_message(session));
                        goto disconnect;
                }
        }
        strv_push(tried, offered ? "agent" : "agent (no usable keys)");
disconnect:
        libssh2_agent_disconnect(agent);
out:
        libssh2_agent_free(agent);
        return result;
}

static int try_identity_file(LIBSSH2_SESSION *session, const struct ssh_auth_request *req,
                             const char *path, struct strv *tried, struct error *err)
{
        cleanup_free char *shown = display_path(path, req->home);
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                if (errno != ENOENT)
                        strv_pushf(tried, "%s (unreadable: %s)", shown, strerror(errno));
                return 0;
        }
        struct buf text = BUF_INIT;
        if (buf_read_fd(&text, fd, KEY_FILE_MAX) < 0) {
                if (errno == E2BIG)
                        strv_pushf(tried, "%s (larger than %d MiB: not a private key file)", shown,
                                   KEY_FILE_MAX >> 20);
                else
                        strv_pushf(tried, "%s (unreadable: %s)", shown, strerror(errno));
                buf_destroy(&text);
                return 0;
        }
        bool encrypted = ssh_auth_key_is_encrypted(text.data ? text.data : "");
        buf_destroy(&text);

        unsigned ulen = (unsigned)strlen(req->user);
        if (!encrypted) {
                int rc = libssh2_userauth_publickey_fromfile_ex(session, req->user, ulen, NULL,
                                                                path, NULL);
                if (rc == 0)
                        return 1;
                if (session_lost(rc))
                        return error_set(err, "authentication on %s failed: connection lost (%s)",
                                         req->host, session_message(session));
                if (rc == LIBSSH2_ERROR_FILE)
                        strv_pushf(tried, "%s (cannot load: %s)", shown, session_message(session));
                else
                        strv_push(tried, shown);
                return 0;
        }
        if (!req->can_prompt || req->password_prompts == 0) {
                strv_pushf(tried, "%s (encrypted; %s)", shown,
                           req->can_prompt ? "NumberOfPasswordPrompts 0"
                                           : "no terminal for its passphrase");
                return 0;
        }
        int attempts = req->password_prompts > 0 ? req->password_prompts : 3;
        for (int i = 0; i < attempts; i++) {
                cleanup_free char *prompt = xasprintf("Enter passphrase for key '%s': ", path);
                char *passphrase = NULL;
                if (tty_read_secret(prompt, &passphrase, err) < 0)
                        return -1;
                if (passphrase == NULL || passphrase[0] == '\0') {
                        free_secret(passphrase);
                        strv_pushf(tried, "%s (no passphrase given)", shown);
                        return 0;
                }
                int rc = libssh2_userauth_publickey_fromfile_ex(session, req->user, ulen, NULL,
                                                                path, passphrase);
                free_secret(passphrase);
                if (rc == 0)
                        return 1;
                if (session_lost(rc))
                        return error_set(err, "authentication on %s failed: connection lost (%s)",
                                         req->host, session_message(session));
                if (rc != LIBSSH2_ERROR_FILE) {
                        strv_push(tried, shown);
                        return 0;
                }
                tty_say("Bad passphrase, try again.\n");
        }
        strv_pushf(tried, "%s (bad passphrase)", shown);
        return 0;
}

struct kbd_state {
        const struct ssh_auth_request *req;
        struct error *err;
        bool failed;
};

static void kbd_callback(const char *name, int name_len, const char *instruction,
                         int instruction_len, int num_prompts,
                         const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
                         LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
        struct kbd_state *state = *abstract;
        if (instruction_len > 0) {
                cleanup_free char *text = xasprintf("%.*s\n", instruction_len, instruction);
                tty_say(text);
        }
        for (int i = 0; i < num_prompts; i++) {
                cleanup_free char *prompt =
                    xasprintf("(%s@%s) %.*s", state->req->user, state->req->host,
                              (int)prompts[i].length, (const char *)prompts[i].text);
                char *answer = NULL;
                if (state->failed || tty_read_secret(prompt, &answer, state->err) < 0 ||
                    answer == NULL) {
                        state->failed = true;
                        answer = xstrdup("");
                }
                /* libssh2 frees the responses with free() */
                responses[i].text = answer;
                responses[i].length = (unsigned)strlen(answer);
        }
}

static int try_kbd_interactive(LIBSSH2_SESSION *session, const struct ssh_auth_request *req,
                               struct strv *tried, struct error *err)
{
        struct kbd_state state = {req, err, false};
        void **abstract = libssh2_session_abstract(session);
        void *saved = *abstract;
        *abstract = &state;
        int attempts = req->password_prompts > 0 ? req->password_prompts : 3;
        int result = 0;
        for (int i = 0; i < attempts && !state.failed; i++) {
                int rc = libssh2_userauth_keyboard_interactive_ex(
                    session, req->user, (unsigned)strlen(req->user), kbd_callback);
                if (rc == 0) {
                        result = 1;
                        break;
                }
                if (session_lost(rc)) {
                        result = error_set(err, "authentication on %s failed: connection lost (%s)",
                                           req->host, session_message(session));
                        break;
                }
        }
        *abstract = saved;
        if (result == 0 && error_is_set(err))
                result = -1;
        if (result == 0)
                strv_push(tried, "keyboard-interactive");
        return result;
}

static int try_password(LIBSSH2_SESSION *session, const struct ssh_auth_request *req,
                        struct strv *tried, struct error *err)
{
        int attempts = req->password_prompts > 0 ? req->password_prompts : 3;
        for (int i = 0; i < attempts; i++) {
                cleanup_free char *prompt = xasprintf("%s@%s's password: ", req->user, req->host);
                char *password = NULL;
                if (tty_read_secret(prompt, &password, err) < 0)
                        return -1;
                if (password == NULL)
                        break;
                int rc =
                    libssh2_userauth_password_ex(session, req->user, (unsigned)strlen(req->user),
                                                 password, (unsigned)strlen(password), NULL);
                free_secret(password);
                if (rc == 0)
                        return 1;
                if (session_lost(rc))
                        return error_set(err, "authentication on %s failed: connection lost (%s)",
                                         req->host, session_message(session));
                if (i + 1 < attempts)
                        tty_say("Permission denied, please try again.\n");
        }
        strv_push(tried, "password");
        return 0;
}

static bool method_offered(const char *methods, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = methods; p != NULL && *p != '\0';) {
                size_t len = strcspn(p, ",");
                if (len == n && strncmp(p, name, n) == 0)
                        return true;
                p += len + (p[len] == ',' ? 1 : 0);
        }
        return false;
}

int ssh_auth_run(LIBSSH2_SESSION *session, const struct ssh_auth_request *req, struct error *err)
{
        const char *listed = libssh2_userauth_list(session, req->user, (unsigned)strlen(req->user));
        if (listed == NULL) {
                if (libssh2_userauth_authenticated(session))
                        return 0; /* "none" was enough */
                return error_set(err,
                                 "authentication on %s failed: cannot ask the server for its "
                                 "methods (%s)",
                                 req->host, session_message(session));
        }
        cleanup_free char *methods = xstrdup(listed);
        struct strv tried = STRV_INIT;
        strv_init(&tried);
        int rc = 0;
        if (req->pubkey && method_offered(methods, "publickey")) {
                if (req->use_agent)
                        rc = try_agent(session, req, &tried, err);
                for (size_t i = 0; rc == 0 && i < req->identity_files->count; i++)
                        rc = try_identity_file(session, req, req->identity_files->items[i], &tried,
                                               err);
        }
        bool wants_terminal = false;
        if (rc == 0 && req->kbd_interactive && method_offered(methods, "keyboard-interactive")) {
                if (req->can_prompt)
                        rc = try_kbd_interactive(session, req, &tried, err);
                else
                        wants_terminal = true;
        }
        if (rc == 0 && req->password && method_offered(methods, "password")) {
                if (req->can_prompt)
                        rc = try_password(session, req, &tried, err);
                else
                        wants_terminal = true;
        }
        if (rc != 0) {
                strv_destroy(&tried);
                return rc > 0 ? 0 : -1;
        }
        cleanup_free char *list = tried.count ? strv_join(&tried, ", ") : xstrdup("nothing");
        strv_destroy(&tried);
        if (wants_terminal)
                return error_set(err,
                                 "authentication failed for %s@%s (tried: %s); no terminal to ask "
                                 "for a password; load your key into ssh-agent (ssh-add) or name "
                                 "it with IdentityFile in ~/.ssh/config",
                                 req->user, req->host, list);
        return error_set(err,
                         "authentication failed for %s@%s (tried: %s; the server accepts: %s); "
                         "check the user name, your keys (ssh-add -l) and authorized_keys there",
                         req->user, req->host, list, methods);
}
