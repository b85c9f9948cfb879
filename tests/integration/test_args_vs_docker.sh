#!/bin/bash
# The argv reader (docker_args, through build/tools/args_dump) against docker itself.
#
# 1. The flag tables against the clients' own --help (28.x at /usr/local/bin/docker and
#    Debian's 20.10 at /usr/bin/docker) and against what the 28.x client's parser does with
#    each option given without a value.
# 2. Several hundred generated command lines through `docker create` (and `docker run` for
#    the run-only options) of the 28.x client, then of the 20.10 client (but for the lines
#    using options it lacks), against the real engine: where we are certain,
#    docker must have taken the same IMAGE and command (docker inspect .Config.Image/.Cmd);
#    where docker accepted a line, we must be certain but for a handful (listed); where docker
#    rejected it, we must be uncertain, or docker's reason must be about a value, not about
#    where options end (listed).
. "$(dirname "$0")/../lib/common.sh"

DOCKER=${NVD_TEST_DOCKER:-/usr/local/bin/docker}
OLD_DOCKER=/usr/bin/docker
DUMP=$NVD_BUILD/tools/args_dump
[ -x "$DOCKER" ] || t_skip_all "no docker client at $DOCKER"
[ -x "$DUMP" ] || { t_fail "args_dump built ($DUMP)"; t_finish; }
start_dockerd || { t_fail "docker engine started"; t_finish; }
# One run at a time (make check and make sanitize may overlap): the images named `run`,
# `create`, `container` and the container nvd-args-link are shared names.
t_lock args-vs-docker

IMG=nvd-args-img
make_image "$IMG" -c 'CMD ["nvd-default"]' || { t_fail "image $IMG made"; t_finish; }
# Images named like docker commands: `create run`, `container create container`.
for name in run create container; do
  docker tag "$IMG" "$name" && t_cleanup "docker rmi $name"
done
docker rm -f nvd-args-link >/dev/null 2>&1
# Whatever a failed comparison leaves behind (the image is only used here).
t_cleanup "docker ps -aq --filter ancestor=$IMG | xargs -r docker rm -f"
docker create --name nvd-args-link "$IMG" true >/dev/null && t_cleanup "docker rm -f nvd-args-link"

mkdir -p "$T_TMP/config"
echo 'X_FROM_FILE=1' > "$T_TMP/env"
echo 'from.file=1' > "$T_TMP/labels"

export DOCKER OLD_DOCKER DUMP IMG T_TMP
python3 - > "$T_TMP/results" <<'EOF'
import concurrent.futures, json, os, re, subprocess, sys

DOCKER, OLD_DOCKER, DUMP, IMG, TMP = (os.environ[k] for k in
                                      ("DOCKER", "OLD_DOCKER", "DUMP", "IMG", "T_TMP"))
passed = failed = 0

def ok(msg):
    global passed
    passed += 1
    print("ok   - " + msg)

def fail(msg):
    global failed
    failed += 1
    print("FAIL - " + msg)

def info(msg):
    print("       " + msg)

def sh(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, errors="replace", **kw)

# ---------------------------------------------------------------- 1. the tables
table = {}  # (scope, name) -> (kind, short)
for line in sh([DUMP, "--list-flags"]).stdout.splitlines():
    parts = line.split()
    scope, kind, name = parts[0], parts[1], parts[2][2:]
    short = next((p[1:] for p in parts[3:] if p.startswith("-")), None)
    table[(scope, name)] = (kind, short, "old" not in parts[3:])
container = {n: v for (s, n), v in table.items() if s in ("run", "create")}
run_only = {n for (s, n) in table if s == "run"}
glob = {n: v for (s, n), v in table.items() if s == "global"}

def help_flags(docker, args):
    out = sh([docker] + args + ["--help"]).stdout
    flags = {}
    for m in re.finditer(r"^\s+(?:-(\w), )?--([a-z0-9-]+)(?: ([a-z0-9-]+))?\s", out, re.M):
        flags[m.group(2)] = ("value" if m.group(3) else "bool", m.group(1))
    return flags

for docker in (DOCKER, OLD_DOCKER):
    if not os.access(docker, os.X_OK):
        continue
    run_help, create_help = help_flags(docker, ["run"]), help_flags(docker, ["create"])
    problems = []
    for scope, flags in (("run", run_help), ("create", create_help)):
        for name, (kind, short) in flags.items():
            if name not in container:
                problems.append(f"{scope} --{name} missing from the table")
            elif container[name][:2] != (kind, short):
                problems.append(f"{scope} --{name}: docker says {kind} -{short}, table {container[name][:2]}")
    for name in run_help:
        if name not in create_help and name not in run_only:
            problems.append(f"--{name} is run-only in docker, not in the table")
    for name, (kind, short) in help_flags(docker, []).items():
        if name not in glob or glob[name][:2] != (kind, short):
            problems.append(f"global --{name} ({kind} -{short}) differs from the table")
    if problems:
        fail(f"{docker} --help agrees with the tables")
        for p in problems: info(p)
    else:
        ok(f"{docker} --help agrees with the tables ({len(run_help)} run, {len(create_help)} create options)")

def probe(argv):
    err = sh([DOCKER] + argv).stderr
    if "unknown flag" in err or "unknown shorthand flag" in err: return "unknown"
    if "needs an argument" in err: return "value"
    return "bool"

probes = []
for (scope, name), (kind, short, current) in table.items():
    if not current: continue
    if scope == "global":
        if name in ("help", "version"): continue  # they print and exit
        probes.append((f"global --{name}", [f"--{name}"], kind))
        if short: probes.append((f"global -{short}", [f"-{short}"], kind))
        continue
    probes.append((f"run --{name}", ["run", f"--{name}"], kind))
    probes.append((f"create --{name}", ["create", f"--{name}"], "unknown" if scope == "run" else kind))
    if short:
        probes.append((f"create -{short}", ["create", f"-{short}"], "unknown" if scope == "run" else kind))
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    got = list(pool.map(lambda p: probe(p[1]), probes))
bad = [f"{d}: docker {g}, table {k}" for (d, _, k), g in zip(probes, got)
       if g != k and not (k == "bool" and g == "bool")]
if bad:
    fail(f"docker's parser agrees with every table row ({len(probes)} probes)")
    for b in bad: info(b)
else:
    ok(f"docker's parser agrees with every table row ({len(probes)} probes)")

# ---------------------------------------------------------------- 2. generated lines
n = 0
def uniq():
    global n
    n += 1
    return n

SAMPLES = {
    "add-host": "h1:10.0.0.1", "annotation": "a=b", "attach": "stdout", "blkio-weight": "500",
    "blkio-weight-device": "/dev/null:500", "cap-add": "NET_ADMIN", "cap-drop": "MKNOD",
    "cgroup-parent": "nvd-args", "cgroupns": "private", "cidfile": lambda: f"{TMP}/cid{uniq()}",
    "cpu-count": "1", "cpu-percent": "10", "cpu-period": "100000", "cpu-quota": "50000",
    "cpu-rt-period": "1000000", "cpu-rt-runtime": "950000", "cpu-shares": "512", "cpus": "0.5",
    "cpuset-cpus": "0", "cpuset-mems": "0", "detach-keys": "ctrl-a,a",
    "device": "/dev/null:/dev/nvd-null", "device-cgroup-rule": "c 1:3 mr",
    "device-read-bps": "/dev/null:1mb", "device-read-iops": "/dev/null:1000",
    "device-write-bps": "/dev/null:1mb", "device-write-iops": "/dev/null:1000",
    "dns": "10.0.0.53", "dns-opt": "ndots:2", "dns-option": "ndots:3",
    "dns-search": "example.com", "domainname": "example.org", "entrypoint": "echo",
    "env": "A=1 2=3", "env-file": f"{TMP}/env", "expose": "8080", "gpus": "all",
    "group-add": "audio", "health-cmd": "true --x", "health-interval": "10s",
    "health-retries": "3", "health-start-interval": "1s", "health-start-period": "5s",
    "health-timeout": "3s", "hostname": "nvdhost", "io-maxbandwidth": "10m",
    "io-maxiops": "100", "ip": "172.30.100.104", "ip6": "2001:db8::33", "ipc": "private",
    "isolation": "default", "kernel-memory": "64m", "label": "k=v w", "label-file": f"{TMP}/labels",
    "link": "nvd-args-link:l", "link-local-ip": "169.254.1.1", "log-driver": "none",
    "log-opt": "max-size=1m", "mac-address": "92:d0:c6:0a:29:33", "memory": "64m",
    "memory-reservation": "32m", "memory-swap": "-1", "memory-swappiness": "10",
    "mount": "type=tmpfs,target=/x", "name": lambda: f"nvd-args-n{uniq()}", "net": "none",
    "net-alias": "al", "network": "none", "network-alias": "al", "oom-score-adj": "100",
    "pid": "host", "pids-limit": "100", "platform": "linux/amd64", "publish": "8080:80",
    "pull": "never", "restart": "on-failure:3", "runtime": "runc",
    "security-opt": "no-new-privileges", "shm-size": "64m", "stop-signal": "SIGTERM",
    "stop-timeout": "5", "storage-opt": "size=1G", "sysctl": "net.ipv4.ip_forward=1",
    "tmpfs": "/run:size=1m", "ulimit": "nofile=1024:2048", "user": "root", "userns": "host",
    "uts": "host", "volume": "/tmp:/nvd-tmp", "volume-driver": "local",
    "volumes-from": "nvd-args-link", "workdir": "/tmp",
}
def run_head():
    # `run` prints no container ID unless detached: --cidfile names the container.
    return ["run", "--cidfile", f"{TMP}/cid{uniq()}", "--network", "none"]

def sample(name):
    v = SAMPLES[name]
    return v() if callable(v) else v

cases = []  # (description, words after `docker`)
def add(desc, words):
    cases.append((desc, words))

CMD = ["echo", "nvd", "a b"]
for name, (kind, short, current) in sorted(container.items()):
    if not current or name == "help":
        continue
    if name in run_only:
        head, tail = run_head, [IMG, "true"]
    else:
        head, tail = (lambda: ["create"]), [IMG] + CMD
    if kind == "value":
        if name not in SAMPLES:
            fail(f"no sample value for --{name} in this test")
            continue
        add(f"--{name} v", head() + [f"--{name}", sample(name)] + tail)
        add(f"--{name}=v", head() + [f"--{name}={sample(name)}"] + tail)
        if short:
            add(f"-{short} v", head() + [f"-{short}", sample(name)] + tail)
            add(f"-{short}v", head() + [f"-{short}{sample(name)}"] + tail)
            add(f"-{short}=v", head() + [f"-{short}={sample(name)}"] + tail)
            add(f"-i{short} v", head() + [f"-i{short}", sample(name)] + tail)
    else:
        add(f"--{name}", head() + [f"--{name}"] + tail)
        add(f"--{name}=false", head() + [f"--{name}=false"] + tail)
        add(f"--{name}=true", head() + [f"--{name}=true"] + tail)
        if short:
            add(f"-{short}", head() + [f"-{short}"] + tail)
            add(f"-{short}=false", head() + [f"-{short}=false"] + tail)

C = ["create"]
more = [
    # clusters and attached values
    C + ["-it", IMG], C + ["-ti", IMG, "sh"], C + ["-itq", IMG, "x"], C + ["-iP", IMG],
    C + ["-itp", "8080:80", IMG, "x"], C + ["-itp8080:80", IMG, "x"], C + ["-ite", "A=1", IMG, "x"],
    C + ["-iteA=1", IMG, "x"], C + ["-ite=A=1", IMG, "x"], C + ["-itu", "root", IMG, "x"],
    C + ["-itw/tmp", IMG, "x"], C + ["-itv", "/tmp:/x", IMG, "x"], C + ["-itl", "a=b", IMG, "x"],
    C + ["-itm", "64m", IMG], C + ["-itc", "512", IMG], C + ["-ith", "h1", IMG, "x"],
    C + ["-p8080:80", IMG, "cmd"], C + ["-eA=1", IMG, "cmd"], C + ["-e=A=1", IMG, "cmd"],
    C + ["-uroot", IMG, "cmd"], C + ["-u=root", IMG, "cmd"], C + ["-hmyhost", IMG],
    C + ["-lkey=val", IMG], C + ["-e", "A", IMG], C + ["-e", "A==x", IMG], C + ["-e=", IMG, "x"],
    C + ["--env=A=1=2", IMG, "x"], C + ["-e", "X=a b=c", "--label", "k=v with spaces", IMG, "x"],
    C + ["-e", "--rm", IMG, "x"], C + ["--name", "-x", IMG], C + ["--entrypoint", "", IMG, "echo"],
    C + ["--entrypoint=", IMG, "echo"], C + ["-w", "-", IMG, "x"],
    run_head() + ["-dit", IMG, "true"], run_head() + ["-itd", IMG, "true"], run_head() + ["-dP", IMG, "true"],
    run_head() + ["-dp", "8081:80", IMG, "true"], run_head() + ["--rm=false", IMG, "true"],
    # --rm and booleans
    C + ["--rm", IMG], C + ["--rm=false", IMG, "x"], C + ["--rm=0", IMG], C + ["--rm=1", IMG],
    C + ["--rm=T", IMG], C + ["--rm=False", IMG], C + ["--rm=yes", IMG], C + ["-i=yes", IMG],
    C + ["-i=", IMG], C + ["--rm", "--user", "1000:1000", IMG, "x"],
    C + ["-it", "--rm", "--user", "1000:1000", IMG],
    # --
    C + ["--rm", "--", IMG, "echo", "a"], C + ["--", IMG], C + ["-it", "--", IMG, "sh", "-c", "x"],
    C + ["--name", f"nvd-args-dd{uniq()}", "--", "run", "echo"], C + ["--", "--", IMG],
    C + ["--"], C + ["--rm", "--"], C + ["--", "-x"], C + ["--", IMG, "--", "x"],
    # images named like commands, `container`
    C + ["run"], C + ["run", "run"], C + ["create", "create", "x"], C + ["container"],
    C + ["--rm", "run", "run"], C + ["--", "create"], ["container", "create", "run", "echo"],
    ["container", "create", "container"], ["container", "create", "-it", IMG, "x"],
    ["container"] + run_head() + ["-d", "run", "true"],
    ["container"] + run_head() + ["--", "create", "true"],
    run_head() + ["run", "true"], ["container", "--help", "create", IMG],
    # command words that look like options
    C + [IMG, "-it"], C + [IMG, "--rm"], C + [IMG, "--", "x"], C + [IMG, "--help"],
    C + [IMG, "-e", "A=1"], C + [IMG, ""], C + [IMG, "a\tb", "c\nd", "é"],
    # global options
    ["-D"] + C + [IMG, "x"], ["-l", "debug"] + C + [IMG], ["--log-level=info"] + C + [IMG, "x"],
    ["--log-level", "info"] + C + [IMG], ["-H", "unix:///var/run/docker.sock"] + C + [IMG, "x"],
    ["-H=unix:///var/run/docker.sock"] + C + [IMG], ["--host", "unix:///var/run/docker.sock"] + C + [IMG],
    ["--config", f"{TMP}/config"] + C + [IMG, "x"], [f"--config={TMP}/config"] + C + [IMG],
    ["-c", "default"] + C + [IMG, "x"], ["--context", "default"] + C + [IMG],
    ["-D", "-l", "info", "-H", "unix:///var/run/docker.sock", "container", "create", "-it", IMG, "x"],
    ["--tlscacert", "/nonexistent"] + C + [IMG], ["--tlscert=/x", "--tlskey", "/y"] + C + [IMG],
    ["-Dl", "debug"] + C + [IMG], ["-lDEBUG"] + C + [IMG], ["-v"] + C + [IMG], ["--help"] + C + [IMG],
    ["-DH", "unix:///var/run/docker.sock"] + C + [IMG, "x"], ["-Dc", "default"] + C + [IMG],
    ["-D", "--"] + C + [IMG, "x"], ["-l", "info", "--", "container"] + C + [IMG],
    ["-D", "--debug=false"] + run_head() + [IMG, "true"], ["-l", "create"] + C + [IMG],
    ["--frob"] + C + [IMG], ["-X"] + C + [IMG], ["--"] + C + [IMG], ["-l"],
    # lines docker rejects
    C + ["--frobnicate", IMG], C + ["-rm", IMG, "nvidia-smi"], C + ["--name"], C,
    C + ["--rm"], C + ["-d", IMG], C + ["--sig-proxy", IMG], C + ["---x", IMG],
    C + ["--=x", IMG], C + ["--help", IMG], C + ["--help=false", IMG, "x"], C + [""],
    C + ["-"], C + ["-test.v", IMG], C + ["-e"], C + ["-it", "-e"], C + ["-iZ", IMG],
    C + ["--detach-keys", "x", IMG], C + ["--pull", "never", "nvd-args-missing"],
]
for words in more:
    add("line", words)

def dump(words):
    out = sh([DUMP] + words).stdout
    d = {"cmd": []}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        if key == "cmd":
            d["cmd"].append(value)
        else:
            d[key] = value
    return d

def compare_with(docker, cases, label):
    import glob
    for f in glob.glob(f"{TMP}/cid*"):
        os.unlink(f)

    def run_case(case):
        desc, words = case
        # The real words are compared (args_dump prints each word on one line: avoid newlines).
        ours = dump(words) if not any("\n" in w for w in words) else None
        if ours is None:
            ours = dump([w.replace("\n", " ") for w in words])
            ours["newline"] = True
        r = sh([docker] + words, timeout=60, stdin=subprocess.DEVNULL)
        ids = [l for l in r.stdout.splitlines() if re.fullmatch(r"[0-9a-f]{64}", l)]
        for i, w in enumerate(words[:-1]):
            if w == "--cidfile" and os.path.exists(words[i + 1]):
                ids.append(open(words[i + 1]).read().strip())
        return desc, words, ours, r.returncode, (ids[-1] if ids else None), r.stderr

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run_case, cases))

    ids = [cid for (_, _, _, _, cid, _) in results if cid]
    inspected = {}
    if ids:
        out = sh(["docker", "inspect", "-f",
                  "{{.Id}} {{json .Config.Image}} {{json .Config.Cmd}}"] + ids).stdout
        for line in out.splitlines():
            cid, rest = line.split(" ", 1)
            image_json, cmd_json = rest.split(" ", 1)
            inspected[cid] = (json.loads(image_json), json.loads(cmd_json))
        sh(["docker", "rm", "-f"] + ids)

    PARSE_ERRORS = re.compile(r"unknown (shorthand )?flag|needs an argument|bad flag syntax|"
                              r"requires at least 1 argument|is not a docker command|"
                              r"invalid argument .* for .*ParseBool")
    certain_ok = uncertain_accepted = rejected_both = rejected_value = 0
    for desc, words, ours, rc, cid, err in results:
        line = " ".join(json.dumps(w) if (not w or any(c in w for c in " \t\n\"")) else w for w in words)
        certain = "uncertain" not in ours and ours.get("command") in ("run", "create")
        if cid:
            image, cmd = inspected.get(cid, (None, None))
            if not certain:
                uncertain_accepted += 1
                info(f"docker accepted, we are uncertain ({ours.get('uncertain', ours.get('command'))}): {line}")
                continue
            expect_cmd = ours["cmd"] if not ours.get("newline") else [w for w in words[int(ours["image_index"]) + 1:]]
            if image == ours["image"] and (cmd == expect_cmd or (not expect_cmd and cmd in (None, ["nvd-default"]))):
                certain_ok += 1
                ok(f"{desc}: image {image} cmd {json.dumps(cmd)}: {line}")
            else:
                fail(f"{desc}: docker took image {image!r} cmd {cmd}, we read {ours.get('image')!r} {expect_cmd}: {line}")
            continue
        first = next((l for l in err.splitlines() if l.strip()), "(no message)")
        if not certain:
            rejected_both += 1
            ok(f"docker rejects, we are uncertain ({ours.get('uncertain', ours.get('command'))}): {line}")
            continue
        m = re.search(r"Unable to find image '([^']*)'", err)
        our_image = ours["image"] if ":" in ours["image"].split("/")[-1] or "@" in ours["image"] else ours["image"] + ":latest"
        if PARSE_ERRORS.search(err) or (m and m.group(1) != our_image):
            fail(f"{desc}: docker rejects the line as unreadable ({first}) but we read image {ours['image']!r}: {line}")
        else:
            rejected_value += 1
            ok(f"docker rejects a value, not the syntax ({first}): {line}")

    total = len(results)
    print(f"       {label}: {total} lines: {certain_ok} read alike, {uncertain_accepted} accepted by docker but "
          f"uncertain to us, {rejected_both} rejected by docker and uncertain to us, "
          f"{rejected_value} rejected by docker for a value")
    if total < 150:
        fail(f"{label}: at least 150 generated lines ({total})")
    if uncertain_accepted > 2:
        fail(f"{label}: at most 2 docker-accepted lines are uncertain to us ({uncertain_accepted})")
    else:
        ok(f"{label}: at most 2 docker-accepted lines are uncertain to us ({uncertain_accepted})")

compare_with(DOCKER, cases, f"{DOCKER} (28.x)")

# The same lines through Debian's 20.10 client, but for those using options it lacks.
if os.access(OLD_DOCKER, os.X_OK):
    known = set(help_flags(OLD_DOCKER, ["run"])) | set(help_flags(OLD_DOCKER, ["create"]))
    known |= {"net", "net-alias", "dns-opt", "cpu-count", "cpu-percent", "io-maxbandwidth",
              "io-maxiops", "help"}  # hidden in its --help, accepted by its parser
    missing = {n for n, (k, s, cur) in container.items() if n not in known}
    missing_short = {container[n][1] for n in missing if container[n][1]}
    def lacks(words):
        for w in words:
            if w.startswith("--") and w[2:].split("=", 1)[0] in missing:
                return True
            if w.startswith("-") and not w.startswith("--") and any(c in missing_short for c in w[1:]):
                return True
        return False
    old_cases = [c for c in cases if not lacks(c[1])]
    info(f"20.10 client: {len(cases) - len(old_cases)} lines skipped (options it lacks: "
         f"{', '.join(sorted(missing))})")
    compare_with(OLD_DOCKER, old_cases, "20.10 client")

print(f"RESULT {passed} {failed}")
EOF
status=$?
# The script's verdicts become TAP lines here (numbered with the rest); its notes are comments.
while IFS= read -r line; do
  case $line in
    "ok   - "*) t_ok "${line#ok   - }" ;;
    "FAIL - "*) t_fail "${line#FAIL - }" ;;
    RESULT*) ;;
    *) echo "# $line" ;;
  esac
done <"$T_TMP/results"
[ "$status" -eq 0 ] && grep -q '^RESULT' "$T_TMP/results" ||
  t_fail "the comparison script ran to the end (status $status)"
rm -f "$T_TMP"/cid*
t_finish
