#include "nvidia-docker/docker_flags.h"

#include <string.h>

/* Shorter rows. */
#define VALUE true
#define BOOL  false
#define BOTH  DOCKER_FLAG_RUN_CREATE
#define RUN   DOCKER_FLAG_RUN_ONLY

/*
 * Global options: `docker --help` of the 28.2.2 client (cli/flags/options.go) and of Debian's
 * 20.10; -c/--context arrived in 19.03, the rest are in every client since 1.12. cobra adds
 * -h/--help on the root command.
 */
static const struct docker_flag global_flags[] = {
    {"config", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},     /* client config directory */
    {"context", 'c', VALUE, BOTH, DOCKER_FLAG_DAEMON, true},  /* 19.03+: context name */
    {"debug", 'D', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},      /* debug mode */
    {"help", 'h', BOOL, BOTH, DOCKER_FLAG_HELP, true},        /* usage */
    {"host", 'H', VALUE, BOTH, DOCKER_FLAG_DAEMON, true},     /* daemon socket (list) */
    {"log-level", 'l', VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* debug|info|warn|... */
    {"tls", 0, BOOL, BOTH, DOCKER_FLAG_DAEMON, true},         /* use TLS */
    {"tlscacert", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},  /* CA file */
    {"tlscert", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},    /* client certificate */
    {"tlskey", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},     /* client key */
    {"tlsverify", 0, BOOL, BOTH, DOCKER_FLAG_DAEMON, true},   /* TLS and verify the remote */
    {"version", 'v', BOOL, BOTH, DOCKER_FLAG_VERSION, true},  /* print version and quit */
};

/*
 * Options of `run` and `create`: cli/command/container/opts.go (addFlags), run.go and
 * create.go of the 28.x client, checked against `docker run --help` / `docker create --help`
 * of 28.2.2 and 20.10. Hidden rows (not in --help): --net, --net-alias, --dns-opt (aliases
 * kept since 1.12), the Windows-only ones (shown only against a Windows daemon) and those
 * shown only when the daemon's API is new enough (--annotation 1.43, --health-start-interval
 * 1.44). Every option of the 1.12 ... 20.10 clients is still accepted by 28.x, so no row is
 * older-clients-only today; `current` exists for the day one is removed.
 */
static const struct docker_flag container_flags[] = {
    {"add-host", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* host:ip */
    {"annotation", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* needs API 1.43 (docker 24) */
    {"attach", 'a', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* stdin|stdout|stderr */
    {"blkio-weight", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* uint16 */
    {"blkio-weight-device", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* dev:weight */
    {"cap-add", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},              /* capability */
    {"cap-drop", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* capability */
    {"cgroup-parent", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* path */
    {"cgroupns", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* 20.10+: host|private */
    {"cidfile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},              /* file */
    {"cpu-count", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},            /* Windows only, hidden */
    {"cpu-percent", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* Windows only, hidden */
    {"cpu-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* int */
    {"cpu-quota", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},            /* int */
    {"cpu-rt-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* int */
    {"cpu-rt-runtime", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* int */
    {"cpu-shares", 'c', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* int; -c since 1.x */
    {"cpus", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                 /* 1.13+: decimal */
    {"cpuset-cpus", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* 0-3, 0,1 */
    {"cpuset-mems", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* 0-3, 0,1 */
    {"detach", 'd', BOOL, RUN, DOCKER_FLAG_PLAIN, true},               /* run only */
    {"detach-keys", 0, VALUE, RUN, DOCKER_FLAG_PLAIN, true},           /* run only */
    {"device", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},               /* host[:container[:perm]] */
    {"device-cgroup-rule", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* 'c 1:3 mr' */
    {"device-read-bps", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* dev:rate */
    {"device-read-iops", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* dev:rate */
    {"device-write-bps", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* dev:rate */
    {"device-write-iops", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* dev:rate */
    {"disable-content-trust", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* default true */
    {"dns", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                  /* IP address */
    {"dns-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},              /* hidden alias */
    {"dns-option", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* resolver option */
    {"dns-search", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* domain */
    {"domainname", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* NIS domain */
    {"entrypoint", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* string */
    {"env", 'e', VALUE, BOTH, DOCKER_FLAG_ENV, true},                  /* VAR[=value] */
    {"env-file", 0, VALUE, BOTH, DOCKER_FLAG_ENV_FILE, true},          /* file */
    {"expose", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},               /* port[-range] */
    {"gpus", 0, VALUE, BOTH, DOCKER_FLAG_GPUS, true},                  /* 19.03+ */
    {"group-add", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},            /* group */
    {"health-cmd", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* command */
    {"health-interval", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* duration */
    {"health-retries", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* int */
    {"health-start-interval", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN,
     true}, /* needs API 1.44 (docker 25) */
    {"health-start-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* duration */
    {"health-timeout", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* duration */
    {"help", 0, BOOL, BOTH, DOCKER_FLAG_HELP, true},                  /* no -h: that is hostname */
    {"hostname", 'h', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* name */
    {"init", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},                 /* 1.13+ */
    {"interactive", 'i', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},        /* keep stdin open */
    {"io-maxbandwidth", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Windows only, hidden */
    {"io-maxiops", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* Windows only, hidden */
    {"ip", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                  /* IPv4 address */
    {"ip6", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                 /* IPv6 address */
    {"ipc", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                 /* IPC mode */
    {"isolation", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* default|process|hyperv */
    {"kernel-memory", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* deprecated, bytes */
    {"label", 'l', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* key=value */
    {"label-file", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* file */
    {"link", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                /* name[:alias] */
    {"link-local-ip", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* address */
    {"log-driver", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* driver */
    {"log-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* key=value */
    {"mac-address", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* MAC */
    {"memory", 'm', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},            /* bytes */
    {"memory-reservation", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* bytes */
    {"memory-swap", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* bytes or -1 */
    {"memory-swappiness", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* 0..100 */
    {"mount", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},               /* 17.06+: type=...,... */
    {"name", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                /* container name */
    {"net", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                 /* hidden alias of network */
    {"net-alias", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* hidden alias */
    {"network", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* network */
    {"network-alias", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* alias */
    {"no-healthcheck", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},       /* disable HEALTHCHECK */
    {"oom-kill-disable", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},     /* disable OOM killer */
    {"oom-score-adj", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* -1000..1000 */
    {"pid", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                 /* PID mode */
    {"pids-limit", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* int */
    {"platform", 0, VALUE, BOTH, DOCKER_FLAG_PLATFORM, true},         /* os[/arch[/variant]] */
    {"privileged", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},           /* extended privileges */
    {"publish", 'p', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* [ip:]host:container */
    {"publish-all", 'P', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},        /* all exposed ports */
    {"pull", 0, VALUE, BOTH, DOCKER_FLAG_PULL, true},           /* 20.10+: always|missing|never */
    {"quiet", 'q', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},        /* not in 20.10: no pull output */
    {"read-only", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},      /* read-only rootfs */
    {"restart", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* policy */
    {"rm", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},             /* also on create (#917) */
    {"runtime", 0, VALUE, BOTH, DOCKER_FLAG_RUNTIME, true},     /* OCI runtime */
    {"security-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* key=value */
    {"shm-size", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* bytes */
    {"sig-proxy", 0, BOOL, RUN, DOCKER_FLAG_PLAIN, true},       /* run only, default true */
    {"stop-signal", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* signal */
    {"stop-timeout", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* seconds */
    {"storage-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* key=value */
    {"sysctl", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* key=value */
    {"tmpfs", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* path[:options] */
    {"tty", 't', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},          /* pseudo-TTY */
    {"ulimit", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* name=soft[:hard] */
    {"use-api-socket", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* 28.x, not in 20.10 */
    {"user", 'u', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* name|uid[:group|gid] */
    {"userns", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* user namespace */
    {"uts", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* UTS namespace */
    {"volume", 'v', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* [src:]dst[:opts] */
    {"volume-driver", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* driver */
    {"volumes-from", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* container[:ro|rw] */
    {"workdir", 'w', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* path */
};

const struct docker_flag *docker_flags_global(size_t *count)
{
        *count = sizeof(global_flags) / sizeof(global_flags[0]);
        return global_flags;
}

const struct docker_flag *docker_flags_container(size_t *count)
{
        *count = sizeof(container_flags) / sizeof(container_flags[0]);
        return container_flags;
}

const struct docker_flag *docker_flags_find_long(const struct docker_flag *table, size_t count,
                                                 const char *name, size_t length)
{
        for (size_t i = 0; i < count; i++)
                if (strncmp(table[i].name, name, length) == 0 && table[i].name[length] == '\0')
                        return &table[i];
        return NULL;
}

const struct docker_flag *docker_flags_find_short(const struct docker_flag *table, size_t count,
                                                  char shorthand)
{
        if (shorthand == 0)
                return NULL;
        for (size_t i = 0; i < count; i++)
                if (table[i].shorthand == shorthand)
                        return &table[i];
        return NULL;
}

/* strconv.ParseBool's spellings: the first six mean true. */
static const char *const bool_spellings[] = {"1", "t", "T", "TRUE",  "true",  "True",
                                             "0", "f", "F", "FALSE", "false", "False"};

bool docker_flags_valid_bool(const char *value)
{
        for (size_t i = 0; i < sizeof(bool_spellings) / sizeof(bool_spellings[0]); i++)
                if (strcmp(value, bool_spellings[i]) == 0)
                        return true;
        return false;
}

bool docker_flags_bool_is_true(const char *value)
{
        for (size_t i = 0; i < 6; i++)
                if (strcmp(value, bool_spellings[i]) == 0)
                        return true;
        return false;
}
