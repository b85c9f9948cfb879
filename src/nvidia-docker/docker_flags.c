#include "nvidia-docker/docker_flags.h"

#include <string.h>

/* Shorter rows. */
#define VALUE  true
#define BOOL   false
#define BOTH   DOCKER_FLAG_RUN_CREATE
#define RUN    DOCKER_FLAG_RUN_ONLY
#define CREATE DOCKER_FLAG_CREATE_ONLY

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

/*
 * Podman's global options: `podman --help` of 4.3.1 (Debian 12) and its cmd/podman/root.go,
 * where the hidden ones come from: -H/--host, --config, --context, -D/--debug (Docker
 * compatibility), --cpu-profile, --memory-profile, --default-mounts-file, --max-workers,
 * --network-backend, --registries-conf, --trace, and --cni-config-dir (an alias). cobra adds
 * -v/--version and -h/--help. Role DAEMON: the option points podman at another service or
 * other storage (the image must then be asked through the CLI with the same options).
 */
static const struct docker_flag podman_global_flags[] = {
    {"cgroup-manager", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* cgroupfs|systemd */
    {"cni-config-dir", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* alias */
    {"config", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},              /* hidden, ignored */
    {"conmon", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},              /* conmon path */
    {"connection", 'c', VALUE, BOTH, DOCKER_FLAG_DAEMON, true},       /* remote service */
    {"context", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* hidden no-op */
    {"cpu-profile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* hidden */
    {"debug", 'D', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},              /* hidden: log level */
    {"default-mounts-file", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* hidden */
    {"events-backend", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* file|journald|none */
    {"help", 'h', BOOL, BOTH, DOCKER_FLAG_HELP, true},                /* usage */
    {"hooks-dir", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* OCI hooks */
    {"host", 'H', VALUE, BOTH, DOCKER_FLAG_DAEMON, true},             /* hidden: --url */
    {"identity", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},           /* SSH key of --url */
    {"log-level", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* no -l in podman */
    {"max-workers", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* hidden */
    {"memory-profile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* hidden */
    {"namespace", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* libpod namespace */
    {"network-backend", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* hidden */
    {"network-cmd-path", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* slirp4netns path */
    {"network-config-dir", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* network configs */
    {"noout", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},                /* no stdout */
    {"registries-conf", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},    /* hidden: registries */
    {"remote", 'r', BOOL, BOTH, DOCKER_FLAG_DAEMON, true},            /* remote service */
    {"root", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},               /* image storage */
    {"runroot", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},            /* state storage */
    {"runtime", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* OCI runtime */
    {"runtime-flag", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* runtime options */
    {"ssh", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                 /* golang|native */
    {"storage-driver", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},     /* overlay, vfs, ... */
    {"storage-opt", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},        /* storage options */
    {"syslog", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},               /* also to syslog */
    {"tmpdir", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},             /* libpod state */
    {"trace", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},                /* hidden */
    {"url", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},                /* remote service */
    {"version", 'v', BOOL, BOTH, DOCKER_FLAG_VERSION, true},          /* print version */
    {"volumepath", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* volume storage */
};

/*
 * Podman's run/create options: `podman run --help` and `podman create --help` of 4.3.1, what its
 * parser does with each (tests/integration/test_podman_args.sh), and cmd/podman: the hidden
 * --kernel-memory, --signature-policy, --gpus (run only, a no-op in podman: served by us as
 * docker's), the aliases of utils.AliasFlags that name an option of run/create, and root's
 * persistent flags, which are accepted after `run` too (those choosing the storage have role
 * DAEMON: the wrapper asks the user to put them before `run`, where it repeats them).
 * Comments: podman's own help text, shortened; "global": one of root's persistent flags.
 */
static const struct docker_flag podman_container_flags[] = {
    {"add-host", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Add a custom host-to-IP mapping */
    {"annotation", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Add annotations to container */
    {"arch", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* use ARCH instead of the architecture */
    {"attach", 'a', VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Attach to STDIN, STDOUT or STDERR */
    {"authfile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Path of the authentication file */
    {"blkio-weight", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* Block IO weight */
    {"blkio-weight-device", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Block IO weight */
    {"cap-add", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Add capabilities to the container */
    {"cap-drop", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Drop capabilities */
    {"cgroup-conf", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Configure cgroup v2 (key=value) */
    {"cgroup-manager", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* global, here too */
    {"cgroup-parent", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Optional parent cgroup */
    {"cgroupns", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* cgroup namespace to use */
    {"cgroups", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* control container cgroup */
    {"chrootdirs", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Chroot directories inside */
    {"cidfile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Write the container ID to the file */
    {"conmon", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* global, here too */
    {"conmon-pidfile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Path to the file that will */
    {"cpu-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Limit the CPU CFS */
    {"cpu-profile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* global, here too */
    {"cpu-quota", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* Limit the CPU CFS */
    {"cpu-rt-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Limit the CPU real-time period */
    {"cpu-rt-runtime", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Limit the CPU real-time */
    {"cpu-shares", 'c', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* CPU shares (relative weight) */
    {"cpus", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Number of CPUs. The default is 0.000 */
    {"cpuset-cpus", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* CPUs in which to allow execution */
    {"cpuset-mems", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Memory nodes (MEMs) */
    {"default-mounts-file", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* global, here too */
    {"detach", 'd', BOOL, RUN, DOCKER_FLAG_PLAIN, true}, /* Run container in background and print */
    {"detach-keys", 0, VALUE, RUN, DOCKER_FLAG_PLAIN, true}, /* Override the key sequence */
    {"device", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Add a host device to the container */
    {"device-cgroup-rule", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Add a rule to the cgroup */
    {"device-read-bps", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* Limit read rate */
    {"device-read-iops", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Limit read rate */
    {"device-write-bps", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Limit write rate */
    {"device-write-iops", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Limit write rate */
    {"disable-content-trust", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* This is a Docker */
    {"dns", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},                  /* Set custom DNS servers */
    {"dns-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},              /* alias of dns-option */
    {"dns-option", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* Set custom DNS options */
    {"dns-search", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Set custom DNS search domains */
    {"entrypoint", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Overwrite the default ENTRYPOINT */
    {"env", 'e', VALUE, BOTH, DOCKER_FLAG_ENV, true}, /* Set environment variables in container */
    {"env-file", 0, VALUE, BOTH, DOCKER_FLAG_ENV_FILE, true}, /* Read in a file of environment */
    {"env-host", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},     /* the caller's environment */
    {"env-merge", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Preprocess environment variables */
    {"events-backend", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* global, here too */
    {"expose", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Expose a port or a range of ports */
    {"gidmap", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* GID map to use for the user namespace */
    {"gpus", 0, VALUE, RUN, DOCKER_FLAG_GPUS, true},     /* hidden, a no-op in podman: ours */
    {"group-add", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* Add additional groups */
    {"health-cmd", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},        /* set a healthcheck command */
    {"health-interval", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* set an interval */
    {"health-on-failure", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* action to take once */
    {"health-retries", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* the number of retries allowed */
    {"health-start-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* the initialization time */
    {"health-timeout", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* the maximum time allowed */
    {"healthcheck-command", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* alias of health-cmd */
    {"healthcheck-interval", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* alias */
    {"healthcheck-retries", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* alias of health-retries */
    {"healthcheck-start-period", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* alias */
    {"healthcheck-timeout", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* alias of health-timeout */
    {"help", 0, BOOL, BOTH, DOCKER_FLAG_HELP, true},                  /* usage (-h is hostname) */
    {"hooks-dir", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* global, here too */
    {"hostname", 'h', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},          /* Set container hostname */
    {"hostuser", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},            /* Host user account to add */
    {"http-proxy", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},    /* proxy variables of the caller */
    {"image-volume", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Tells podman how to handle */
    {"init", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* Run an init binary inside the container */
    {"init-ctr", 0, VALUE, CREATE, DOCKER_FLAG_PLAIN, true}, /* create only: a pod init container */
    {"init-path", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Path to the container-init binary */
    {"interactive", 'i', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},  /* Keep STDIN open even if not */
    {"ip", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},            /* Specify a static IPv4 address */
    {"ip6", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* Specify a static IPv6 address */
    {"ipc", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* IPC namespace to use */
    {"kernel-memory", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* hidden (deprecated, ignored) */
    {"label", 'l', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* Set metadata on container */
    {"label-file", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* Read in a line delimited file */
    {"log-driver", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Logging driver for the container */
    {"log-level", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* global, here too */
    {"log-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Logging driver options */
    {"mac-address", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Container MAC address */
    {"max-workers", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* global, here too */
    {"memory", 'm', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* Memory limit */
    {"memory-profile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* global, here too */
    {"memory-reservation", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Memory soft limit */
    {"memory-swap", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Swap limit equal to memory plus */
    {"memory-swappiness", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Tune container memory */
    {"mount", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},             /* Attach a filesystem mount */
    {"name", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* Assign a name to the container */
    {"namespace", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* global, here too */
    {"net", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* alias of network */
    {"network", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Connect a container to a network */
    {"network-alias", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* Add network-scoped alias */
    {"network-backend", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* global, here too */
    {"network-cmd-path", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* global, here too */
    {"network-config-dir", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* global, here too */
    {"no-healthcheck", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},      /* Disable healthchecks */
    {"no-hosts", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* Do not create /etc/hosts within */
    {"oom-kill-disable", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* Disable OOM Killer */
    {"oom-score-adj", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Tune the host's OOM */
    {"os", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* use OS instead of the running OS */
    {"override-arch", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* alias of arch */
    {"override-os", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* alias of os */
    {"override-variant", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* alias of variant */
    {"passwd", 0, BOOL, RUN, DOCKER_FLAG_PLAIN, true},             /* add entries to /etc/passwd */
    {"passwd-entry", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Entry to write to /etc/passwd */
    {"personality", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Configure execution domain using */
    {"pid", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* PID namespace to use */
    {"pidfile", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Write the container process ID */
    {"pids-limit", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Tune container pids limit */
    {"platform", 0, VALUE, BOTH, DOCKER_FLAG_PLATFORM, true}, /* Specify the platform */
    {"pod", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* Run container in an existing pod */
    {"pod-id-file", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Read the pod ID from the file */
    {"preserve-fds", 0, VALUE, RUN, DOCKER_FLAG_PLAIN, true}, /* Pass a number of additional file */
    {"privileged", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},   /* Give extended privileges */
    {"publish", 'p', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Publish a container's port, */
    {"publish-all", 'P', BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* Publish all exposed ports */
    {"pull", 0, VALUE, BOTH, DOCKER_FLAG_PULL, true},          /* Pull image policy */
    {"purge", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},         /* alias of rm */
    {"quiet", 'q', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},       /* Suppress output information */
    {"read-only", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},     /* Make containers root filesystem */
    {"read-only-tmpfs", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},   /* When running containers */
    {"registries-conf", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true}, /* global: storage */
    {"replace", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},   /* If a container with the same name */
    {"requires", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Add one or more requirement */
    {"restart", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Restart policy to apply */
    {"rm", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},     /* Remove container (and pod if created) */
    {"rmi", 0, BOOL, RUN, DOCKER_FLAG_PLAIN, true},     /* Remove container image unless used */
    {"root", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true}, /* global: storage */
    {"rootfs", 0, BOOL, BOTH, DOCKER_FLAG_NO_IMAGE, true},         /* IMAGE is a root file system */
    {"runroot", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},         /* global: storage */
    {"runtime", 0, VALUE, BOTH, DOCKER_FLAG_RUNTIME, true},        /* global, here too */
    {"runtime-flag", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* global, here too */
    {"sdnotify", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* control sd-notify behavior */
    {"seccomp-policy", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Policy for selecting */
    {"secret", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* Add secret to container */
    {"security-opt", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Security Options */
    {"shm-size", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* Size of /dev/shm */
    {"sig-proxy", 0, BOOL, RUN, DOCKER_FLAG_PLAIN, true},          /* Proxy received signals */
    {"signature-policy", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* hidden: policy.json path */
    {"stop-signal", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* Signal to stop a container */
    {"stop-timeout", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Timeout (in seconds) */
    {"storage-driver", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},  /* global: storage */
    {"storage-opt", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},     /* global: storage */
    {"subgidname", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* Name of range listed */
    {"subuidname", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},       /* Name of range listed */
    {"sysctl", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},           /* Sysctl options */
    {"syslog", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},            /* global, here too */
    {"systemd", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Run container in systemd mode */
    {"timeout", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* Maximum length of time a container */
    {"tls-verify", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* Require HTTPS and verify */
    {"tmpdir", 0, VALUE, BOTH, DOCKER_FLAG_DAEMON, true},   /* global: storage */
    {"tmpfs", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Mount a temporary filesystem (tmpfs) */
    {"trace", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true},   /* global, here too */
    {"tty", 't', BOOL, BOTH, DOCKER_FLAG_PLAIN, true},   /* Allocate a pseudo-TTY for container */
    {"tz", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},     /* Set timezone in container */
    {"uidmap", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* UID map to use for the user namespace */
    {"ulimit", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Ulimit options */
    {"umask", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Set umask in container */
    {"unsetenv", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Unset environment default variables */
    {"unsetenv-all", 0, BOOL, BOTH, DOCKER_FLAG_PLAIN, true}, /* Unset all default environment */
    {"user", 'u', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* Username or UID */
    {"userns", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},      /* User namespace to use */
    {"uts", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},         /* UTS namespace to use */
    {"variant", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},  /* Use VARIANT instead of the running */
    {"volume", 'v', VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Bind mount a volume */
    {"volumepath", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true},   /* global, here too */
    {"volumes-from", 0, VALUE, BOTH, DOCKER_FLAG_PLAIN, true}, /* Mount volumes */
    {"workdir", 'w', VALUE, BOTH, DOCKER_FLAG_PLAIN, true},    /* Working directory inside */
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

const struct docker_flag *docker_flags_podman_global(size_t *count)
{
        *count = sizeof(podman_global_flags) / sizeof(podman_global_flags[0]);
        return podman_global_flags;
}

const struct docker_flag *docker_flags_podman_container(size_t *count)
{
        *count = sizeof(podman_container_flags) / sizeof(podman_container_flags[0]);
        return podman_container_flags;
}

void docker_flags_tables(bool podman, struct docker_flag_tables *out)
{
        if (podman) {
                out->global = docker_flags_podman_global(&out->global_count);
                out->container = docker_flags_podman_container(&out->container_count);
                out->program = "podman";
                out->dash_dash_before_command = false;
        } else {
                out->global = docker_flags_global(&out->global_count);
                out->container = docker_flags_container(&out->container_count);
                out->program = "docker";
                out->dash_dash_before_command = true;
        }
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
