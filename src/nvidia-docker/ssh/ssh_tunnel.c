/*
 * ssh_tunnel: see ssh_tunnel.h. ssh_tunnel_open() runs the steps in order on the calling thread:
 * the plan (ssh_plan.h), resolve, TCP connect and SSH handshake (non-blocking, against one
 * deadline: libssh2 checks its own timeout only when a read would block, so a server that keeps
 * sending never trips it), the host key check (ssh_hostkey.h), authentication (ssh_auth.h) and
 * the channel (blocking, ConnectTimeout per exchange), then the socket pair and the bridge
 * thread. From then on only the bridge thread touches the session (non-blocking, one
 * poll loop on the SSH socket, its end of the pair and a wake-up pipe; ssh_bridge.h moves the
 * bytes), until ssh_tunnel_close() has joined it.
 *
 * Why a socket pair and a thread rather than handing the SSH socket to the HTTP client: the
 * bytes on the SSH socket are encrypted SSH packets; only libssh2 can turn them into the
 * channel's byte stream, and libcurl needs a file descriptor it can poll.
 */
#include "nvidia-docker/ssh/ssh_tunnel.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/text.h"
#include "common/xalloc.h"
#include "nvidia-docker/ssh/known_hosts.h"
#include "nvidia-docker/ssh/ssh_bridge.h"
#include "nvidia-docker/ssh/ssh_auth.h"
#include "nvidia-docker/ssh/ssh_hostkey.h"
#include "nvidia-docker/ssh/ssh_plan.h"

/* OpenSSH's client gives up after this many lines before the server's version line. */
#define PRE_BANNER_LINES_MAX 1024

/* What the receive hook has seen of the server's first bytes (RFC 4253 4.2: lines before the
 * version line "SSH-..." are allowed; libssh2 skips any number of them). */
struct banner_watch {
        bool done; /* the version line has started */
        char start[4];
        size_t start_len;
        size_t lines; /* complete lines before it */
        size_t bytes; /* bytes received before the handshake ended */
};

struct ssh_tunnel {
        LIBSSH2_SESSION *session;
        LIBSSH2_CHANNEL *channel;
        int sock;         /* TCP to sshd */
        int pair[2];      /* [0]: ssh_tunnel_fd(); [1]: the bridge's end */
        int wake[2];      /* ssh_tunnel_close() -> bridge thread */
        long deadline_ms; /* of the handshake, for its receive hook */
        struct banner_watch banner;
        pthread_t thread;
        bool thread_started;
        bool session_broken; /* the SSH connection failed: free, do not say goodbye */
        bool libssh2_ready;
};

/* Connects to the first address that answers before the deadline. */
static int tcp_connect(const struct ssh_plan *plan, long deadline, struct error *err)
{
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        struct addrinfo *addrs = NULL;
        int rc = getaddrinfo(plan->host, plan->port, &hints, &addrs);
        if (rc != 0)
                return error_set(err, "cannot resolve the SSH host %s%s%s: %s", plan->host,
                                 strcmp(plan->host, plan->original_host) ? " (HostName of " : "",
                                 strcmp(plan->host, plan->original_host) ? plan->original_host : "",
                                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        int last_errno = ETIMEDOUT;
        char last_address[NI_MAXHOST] = "";
        int fd = -1;
        for (struct addrinfo *ai = addrs; ai != NULL && fd < 0; ai = ai->ai_next) {
                getnameinfo(ai->ai_addr, ai->ai_addrlen, last_address, sizeof(last_address), NULL,
                            0, NI_NUMERICHOST);
                int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                               ai->ai_protocol);
                if (s < 0) {
                        last_errno = errno;
                        continue;
                }
                if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
                        last_errno = errno;
                        close(s);
                        continue;
                }
                struct pollfd p = {.fd = s, .events = POLLOUT};
                long left = deadline - monotonic_ms();
                int n = left > 0 ? poll(&p, 1, (int)left) : 0;
                int so_error = ETIMEDOUT;
                socklen_t len = sizeof(so_error);
                if (n > 0)
                        getsockopt(s, SOL_SOCKET, SO_ERROR, &so_error, &len);
                if (n > 0 && so_error == 0) {
                        /* SSH packets are small and often written in two pieces: without
                         * this, Nagle + delayed ACKs add 40 ms per exchange. */
                        int one = 1;
                        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                        fd = s;
                        break;
                }
                last_errno = n < 0 ? errno : so_error;
                close(s);
                if (monotonic_ms() >= deadline)
                        break;
        }
        freeaddrinfo(addrs);
        if (fd >= 0)
                return fd;
        if (last_errno == ETIMEDOUT)
                return error_set(err,
                                 "cannot connect to the SSH server %s port %s (%s): no answer "
                                 "within %d s (ConnectTimeout); is the host up and the port right?",
                                 plan->original_host, plan->port, last_address, plan->timeout_s);
        return error_set(err,
                         "cannot connect to the SSH server %s port %s (%s): %s; is sshd running "
                         "there and is the port right?",
                         plan->original_host, plan->port, last_address, strerror(last_errno));
}

static void banner_watch_feed(struct banner_watch *w, const char *data, size_t len)
{
        w->bytes += len;
        for (size_t i = 0; i < len && !w->done; i++) {
                if (data[i] == '\n') {
                        w->lines++;
                        w->start_len = 0;
                } else if (w->start_len < sizeof(w->start)) {
                        w->start[w->start_len++] = data[i];
                        w->done = w->start_len == 4 && memcmp(w->start, "SSH-", 4) == 0;
                }
        }
}

/* recv(), then re-arm TCP_QUICKACK: sshd writes some replies in two small pieces; with Nagle
 * on its side and delayed ACKs on ours, the second piece waited 40 ms for our ACK, twice per
 * login (measured on loopback). libssh2's receive hook after the handshake. */
static ssize_t quickack_recv(libssh2_socket_t fd, void *buffer, size_t length, int flags,
                             void **abstract)
{
        ssize_t n = recv(fd, buffer, length, flags);
        if (n < 0)
                return -errno;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
        return n;
}

/* The receive hook during the handshake (the session's abstract pointer is the tunnel then;
 * ssh_auth borrows it later): the deadline, and OpenSSH's limit on lines before the version
 * line. A server that streams other lines would otherwise keep libssh2 reading them forever,
 * at full CPU, as libssh2 checks its own timeout only when a read would block. */
static ssize_t handshake_recv(libssh2_socket_t fd, void *buffer, size_t length, int flags,
                              void **abstract)
{
        struct ssh_tunnel *t = *abstract;
        if (monotonic_ms() >= t->deadline_ms)
                return -ETIMEDOUT;
        if (t->banner.lines > PRE_BANNER_LINES_MAX)
                return -EPROTO;
        ssize_t n = quickack_recv(fd, buffer, length, flags, abstract);
        if (n > 0)
                banner_watch_feed(&t->banner, buffer, (size_t)n);
        return n;
}

static const char *session_message(LIBSSH2_SESSION *session)
{
        char *msg = NULL;
        libssh2_session_last_error(session, &msg, NULL, 0);
        return msg != NULL && msg[0] != '\0' ? msg : "unknown error";
}

/* The SSH handshake, non-blocking, given up at the deadline whatever the server sends. */
static int handshake(struct ssh_tunnel *t, const struct ssh_plan *plan, long deadline,
                     struct error *err)
{
        t->deadline_ms = deadline;
        libssh2_session_callback_set(t->session, LIBSSH2_CALLBACK_RECV, (void *)handshake_recv);
        libssh2_session_set_blocking(t->session, 0);
        int rc;
        while ((rc = libssh2_session_handshake(t->session, t->sock)) == LIBSSH2_ERROR_EAGAIN) {
                long left = deadline - monotonic_ms();
                if (left <= 0)
                        break;
                int directions = libssh2_session_block_directions(t->session);
                struct pollfd p = {.fd = t->sock, .events = POLLIN};
                if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND)
                        p.events = (directions & LIBSSH2_SESSION_BLOCK_INBOUND) ? POLLIN | POLLOUT
                                                                                : POLLOUT;
                if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
                        break;
        }
        libssh2_session_callback_set(t->session, LIBSSH2_CALLBACK_RECV, (void *)quickack_recv);
        libssh2_session_set_blocking(t->session, 1);
        if (rc == 0)
                return 0;
        t->session_broken = true; /* half a handshake: nothing more to say to that server */
        if (t->banner.lines > PRE_BANNER_LINES_MAX)
                return error_set(err,
                                 "SSH handshake with %s port %s failed: the server sent more than "
                                 "%d lines without an SSH version line; is an SSH server listening "
                                 "there?",
                                 plan->original_host, plan->port, PRE_BANNER_LINES_MAX);
        if (monotonic_ms() >= deadline)
                return error_set(err,
                                 "SSH handshake with %s port %s failed: not done within %d s "
                                 "(ConnectTimeout%s); is an SSH server listening there?",
                                 plan->original_host, plan->port, plan->timeout_s,
                                 t->banner.done    ? ""
                                 : t->banner.bytes ? "; the server sent no SSH version line"
                                                   : "; the server sent nothing");
        return error_set(err,
                         "SSH handshake with %s port %s failed: %s; is an SSH server "
                         "listening there?",
                         plan->original_host, plan->port, session_message(t->session));
}

static int open_channel(struct ssh_tunnel *t, const struct ssh_plan *plan, const char *remote_port,
                        struct error *err)
{
        char *end = NULL;
        long port = strtol(remote_port, &end, 10);
        if (remote_port[0] == '\0' || *end != '\0' || port < 1 || port > 65535)
                return error_set(err, "plugin port %s is not a TCP port (1 to 65535)", remote_port);
        t->channel =
            libssh2_channel_direct_tcpip_ex(t->session, "127.0.0.1", (int)port, "127.0.0.1", 0);
        if (t->channel != NULL)
                return 0;
        int code = libssh2_session_last_errno(t->session);
        const char *msg = session_message(t->session);
        if (strstr(msg, "prohibited") != NULL)
                return error_set(err,
                                 "the SSH server on %s refuses TCP forwarding to 127.0.0.1:%ld "
                                 "(%s); allow it there (AllowTcpForwarding)",
                                 plan->original_host, port, msg);
        if (code == LIBSSH2_ERROR_CHANNEL_FAILURE)
                return error_set(err,
                                 "the plugin is not listening on 127.0.0.1:%ld on %s (channel "
                                 "open refused); is nvidia-docker-plugin running there?",
                                 port, plan->original_host);
        return error_set(err, "cannot open an SSH channel to 127.0.0.1:%ld on %s: %s", port,
                         plan->original_host, msg);
}

/* The bridge thread: carries the socket pair's far end over the channel until both directions
 * are closed, the SSH connection fails, or ssh_tunnel_close() wakes it. */
static void *bridge_main(void *arg)
{
        struct ssh_tunnel *t = arg;
        struct ssh_bridge c = {
            .fd = t->pair[1],
            .channel = t->channel,
            .up = xmalloc(SSH_BRIDGE_BUFFER),
            .down = xmalloc(SSH_BRIDGE_BUFFER),
        };
        bool failed = false;
        for (;;) {
                if (ssh_bridge_pump(&c) < 0) {
                        failed = true;
                        break;
                }
                if (c.done)
                        break;
                struct pollfd fds[3] = {
                    {.fd = t->wake[0], .events = POLLIN},
                    {.fd = t->sock, .events = POLLIN},
                    {.fd = c.fd,
                     .events = (short)((!c.local_eof && c.up_len == 0 ? POLLIN : 0) |
                                       (c.down_len > 0 ? POLLOUT : 0))},
                };
                if (libssh2_session_block_directions(t->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND)
                        fds[1].events |= POLLOUT;
                if (poll(fds, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        failed = true;
                        break;
                }
                if (fds[0].revents)
                        break;
                if (fds[1].revents & (POLLERR | POLLNVAL)) {
                        failed = true;
                        break;
                }
        }
        free(c.up);
        free(c.down);
        t->session_broken = failed;
        return NULL;
}

static void tunnel_free(struct ssh_tunnel *t)
{
        if (t->thread_started) {
                if (write(t->wake[1], "x", 1) < 0) {
                        /* cannot happen: one byte into an empty pipe */
                }
                pthread_join(t->thread, NULL);
        }
        if (t->session != NULL) {
                if (!t->session_broken) {
                        libssh2_session_set_blocking(t->session, 1);
                        libssh2_session_set_timeout(t->session, 2000);
                        if (t->channel != NULL)
                                libssh2_channel_free(t->channel);
                        libssh2_session_disconnect(t->session, "nvidia-docker: done");
                }
                libssh2_session_free(t->session);
        }
        int fds[] = {t->sock, t->pair[0], t->pair[1], t->wake[0], t->wake[1]};
        for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        if (t->libssh2_ready)
                libssh2_exit();
        free(t);
}

/* The socket pair (the bridge's end non-blocking), the wake-up pipe and the thread. */
static int start_bridge(struct ssh_tunnel *t, struct error *err)
{
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, t->pair) < 0)
                return error_set_errno(err, errno, "cannot create the local end of the SSH tunnel");
        int flags = fcntl(t->pair[1], F_GETFL);
        if (flags < 0 || fcntl(t->pair[1], F_SETFL, flags | O_NONBLOCK) < 0)
                return error_set_errno(err, errno, "cannot create the local end of the SSH tunnel");
        if (pipe2(t->wake, O_CLOEXEC) < 0)
                return error_set_errno(err, errno, "cannot create the SSH tunnel's wake-up pipe");
        libssh2_session_set_blocking(t->session, 0);
        int rc = pthread_create(&t->thread, NULL, bridge_main, t);
        if (rc != 0)
                return error_set_errno(err, rc, "cannot start the SSH tunnel thread");
        t->thread_started = true;
        return 0;
}

/* libssh2 has OpenSSL load its configuration and seed its random generator lazily, for the
 * first random bytes it needs (the KEXINIT cookie, after the server's banner): about 5 ms here.
 * Done right after connect(), that work overlaps with sshd's fork and re-exec before its banner
 * instead of following it. */
static void warm_up_crypto(void)
{
        unsigned char byte;
        OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
        if (RAND_bytes(&byte, 1) != 1)
                ERR_clear_error(); /* libssh2 will meet and report it */
}

int ssh_tunnel_open(const struct ssh_destination *destination, struct ssh_tunnel **out,
                    struct error *err)
{
        *out = NULL;
        struct ssh_tunnel *t = xcalloc(1, sizeof(*t));
        t->sock = t->pair[0] = t->pair[1] = t->wake[0] = t->wake[1] = -1;
        struct ssh_plan plan;
        struct known_hosts kh;
        known_hosts_init(&kh);
        cleanup_free char *name = NULL;
        int rc = -1;

        if (ssh_plan_make(destination, &plan, err) < 0)
                goto out;
        for (size_t i = 0; i < plan.known_hosts_files.count; i++)
                if (known_hosts_read_file(&kh, plan.known_hosts_files.items[i], err) < 0)
                        goto out;
        name = known_hosts_name(plan.host, plan.port);

        if (libssh2_init(0) != 0) {
                error_set(err, "cannot initialise libssh2");
                goto out;
        }
        t->libssh2_ready = true;
        long deadline = monotonic_ms() + plan.timeout_s * 1000L;
        t->sock = tcp_connect(&plan, deadline, err);
        if (t->sock < 0)
                goto out;
        warm_up_crypto();
        t->session = libssh2_session_init_ex(NULL, NULL, NULL, t);
        if (t->session == NULL) {
                error_set(err, "cannot create an SSH session");
                goto out;
        }
        libssh2_session_set_timeout(t->session, plan.timeout_s * 1000L);
        struct strv known_types = STRV_INIT;
        strv_init(&known_types);
        known_hosts_types_for(&kh, name, &known_types);
        ssh_hostkey_prefer_known_types(t->session, &known_types);
        strv_destroy(&known_types);
        if (handshake(t, &plan, deadline, err) < 0)
                goto out;
        if (ssh_hostkey_check(t->session, &plan, &kh, name, err) < 0)
                goto out;

        struct ssh_auth_request auth = {
            .user = plan.user,
            .host = plan.original_host,
            .home = plan.home,
            .identity_files = &plan.identity_files,
            .use_agent = text_is_set(destination->env.auth_sock),
            .identities_only = plan.cfg.identities_only == 1,
            .pubkey = plan.cfg.pubkey_authentication != 0,
            .kbd_interactive = plan.cfg.kbd_interactive_authentication != 0,
            .password = plan.cfg.password_authentication != 0,
            .password_prompts =
                plan.cfg.number_of_password_prompts >= 0 ? plan.cfg.number_of_password_prompts : 3,
            .can_prompt = ssh_auth_can_prompt(destination->env.ci),
        };
        if (plan.cfg.number_of_password_prompts == 0)
                auth.password = auth.kbd_interactive = false;
        if (ssh_auth_run(t->session, &auth, err) < 0)
                goto out;
        /* Opened before returning, so that "plugin not running there" is reported as such,
         * before any HTTP. */
        if (open_channel(t, &plan, destination->remote_port ? destination->remote_port : "", err) <
            0)
                goto out;
        if (start_bridge(t, err) < 0)
                goto out;
        *out = t;
        t = NULL;
        rc = 0;
out:
        if (t != NULL)
                tunnel_free(t);
        known_hosts_destroy(&kh);
        ssh_plan_destroy(&plan);
        return rc;
}

int ssh_tunnel_fd(const struct ssh_tunnel *tunnel)
{
        return tunnel != NULL ? tunnel->pair[0] : -1;
}

void ssh_tunnel_close(struct ssh_tunnel *tunnel)
{
        if (tunnel != NULL)
                tunnel_free(tunnel);
}
