#!/bin/bash
# The argv reader with podman's tables (NV_DOCKER=podman; build/tools/args_dump --podman)
# against real podman (Debian 12's 4.3, rootful, in the sandbox of tests/lib/podman.sh), as
# test_args_vs_docker.sh does for docker:
# 1. the tables against podman's --help (global, run, create) and against what podman's parser
#    does with every row given without a value;
# 2. generated command lines (at least 100) through `podman create` (and `podman run` for the
#    run-only options): where we are certain, podman must have taken the same IMAGE and command
#    (podman inspect .Image/.Config.Cmd); where podman accepted a line, we must be certain but
#    for a listed few; where podman rejected it, we must be uncertain, or podman's reason must
#    be about a value, not about where the options end.
. "$(dirname "$0")/../lib/podman.sh"
podman_sandbox_enter "$@"
. "$(dirname "$0")/../lib/common.sh"

DUMP=$NVD_BUILD/tools/args_dump
[ -x "$DUMP" ] || { t_fail "args_dump built ($DUMP)"; t_finish; }
podman_sandbox_setup "$T_TMP/podman" || { t_fail "podman sandbox set up"; t_finish; }
IMG=nvd-args-img
podman_make_image "$IMG" -c 'CMD ["nvd-default"]' || { t_fail "image $IMG imported"; t_finish; }
for name in run create container; do podman tag "$IMG" "$name" || t_fail "tag $name"; done
podman_make_image nvd-args-rmi || t_fail "image nvd-args-rmi imported"
podman create --name nvd-args-link "$IMG" true >/dev/null || t_fail "container nvd-args-link"
mkdir -p "$T_TMP/cfg"
echo 'X_FROM_FILE=1' >"$T_TMP/env"
echo 'from.file=1' >"$T_TMP/labels"

export DUMP IMG T_TMP
python3 - >"$T_TMP/results" <<'EOF'
import concurrent.futures, json, os, re, subprocess

DUMP, IMG, TMP = (os.environ[k] for k in ("DUMP", "IMG", "T_TMP"))
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
    return subprocess.run(argv, capture_output=True, text=True, errors="replace",
                          stdin=subprocess.DEVNULL, **kw)

# ------------------------------------------------------------------ 1. the tables
table = {}  # (scope, name) -> (kind, short)
for line in sh([DUMP, "--podman", "--list-flags"]).stdout.splitlines():
    parts = line.split()
    short = next((p[1:] for p in parts[3:] if p.startswith("-")), None)
    table[(parts[0], parts[2][2:])] = (parts[1], short)
container = {n: v for (s, n), v in table.items() if s in ("run", "create", "create-only")}
run_only = {n for (s, n) in table if s == "run"}
create_only = {n for (s, n) in table if s == "create-only"}
glob = {n: v for (s, n), v in table.items() if s == "global"}

def help_flags(args):
    """name -> (kind, shorthand) from podman's --help: a word after the name is its value."""
    out = sh(["podman"] + args + ["--help"]).stdout
    return {m.group(2): ("value" if m.group(3) else "bool", m.group(1)) for m in
            re.finditer(r"^ +(?:-(\w), )?--([a-z0-9-]+)(?: (\S+))?(?:  +|$)", out, re.M)}

run_help, create_help, global_help = help_flags(["run"]), help_flags(["create"]), help_flags([])
problems = []
for scope, flags in (("run", run_help), ("create", create_help), ("global", global_help)):
    rows = glob if scope == "global" else container
    for name, (kind, short) in flags.items():
        if scope == "global" and name == "help":
            continue  # listed without -h, which cobra accepts all the same (table: -h)
        if name not in rows:
            problems.append(f"{scope} --{name} missing from the table")
        elif rows[name] != (kind, short):
            problems.append(f"{scope} --{name}: podman says {kind} -{short}, table {rows[name]}")
for name in run_help:
    if name not in create_help and name not in run_only:
        problems.append(f"--{name} is run-only in podman, not in the table")
for name in create_help:
    if name not in run_help and name not in create_only:
        problems.append(f"--{name} is create-only in podman, not in the table")
if problems:
    fail("podman --help agrees with the tables")
    for p in problems: info(p)
else:
    ok(f"podman --help agrees with the tables ({len(global_help)} global, {len(run_help)} run, "
       f"{len(create_help)} create options)")

# What --help does not show (hidden options, aliases, the global options accepted after the
# command) and the scope of run-only and create-only rows: podman's parser, given the option
# without a value.
def probe(argv):
    err = sh(["podman"] + argv).stderr
    if "unknown flag" in err or "unknown shorthand flag" in err: return "unknown"
    if "needs an argument" in err: return "value"
    return "bool"

probes = []
for (scope, name), (kind, short) in table.items():
    if name in ("help", "version"): continue  # they print and exit
    if scope == "global":
        if name not in global_help:
            probes.append((f"global --{name}", [f"--{name}"], kind))
        continue
    if name not in run_help and scope != "create-only":
        probes.append((f"run --{name}", ["run", f"--{name}"], kind))
    if name not in create_help and scope != "run":
        probes.append((f"create --{name}", ["create", f"--{name}"], kind))
    if scope == "run":
        probes.append((f"create --{name}", ["create", f"--{name}"], "unknown"))
    if scope == "create-only":
        probes.append((f"run --{name}", ["run", f"--{name}"], "unknown"))
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    got = list(pool.map(lambda p: probe(p[1]), probes))
bad = [f"{d}: podman {g}, table {k}" for (d, _, k), g in zip(probes, got) if g != k]
if bad:
    fail(f"podman's parser agrees with the rows --help does not show ({len(probes)} probes)")
    for b in bad: info(b)
else:
    ok(f"podman's parser agrees with the rows --help does not show ({len(probes)} probes)")

# ------------------------------------------------------------------ 2. generated lines
n = 0
def uniq():
    global n
    n += 1
    return n

SAMPLES = {
    "add-host": "h1:10.0.0.1", "annotation": "a=b", "arch": "amd64", "attach": "stdout",
    "authfile": f"{TMP}/auth.json", "blkio-weight": "500", "blkio-weight-device": "/dev/null:500",
    "cap-add": "NET_ADMIN", "cap-drop": "MKNOD", "cgroup-conf": "memory.high=1073741824",
    "cgroup-manager": "cgroupfs", "cgroup-parent": "nvd-args", "cgroupns": "private",
    "cgroups": "enabled", "chrootdirs": "/tmp", "cidfile": lambda: f"{TMP}/cid{uniq()}",
    "conmon": "/usr/bin/conmon", "conmon-pidfile": lambda: f"{TMP}/cpid{uniq()}",
    "cpu-period": "100000", "cpu-profile": lambda: f"{TMP}/prof{uniq()}", "cpu-quota": "50000",
    "cpu-rt-period": "1000000", "cpu-rt-runtime": "950000", "cpu-shares": "512", "cpus": "0.5",
    "cpuset-cpus": "0", "cpuset-mems": "0", "default-mounts-file": f"{TMP}/mounts",
    "detach-keys": "ctrl-a,a", "device": "/dev/null:/dev/nvd-null",
    "device-cgroup-rule": "c 1:3 mr", "device-read-bps": "/dev/null:1mb",
    "device-read-iops": "/dev/null:1000", "device-write-bps": "/dev/null:1mb",
    "device-write-iops": "/dev/null:1000", "dns": "10.0.0.53", "dns-opt": "ndots:2",
    "dns-option": "ndots:3", "dns-search": "example.com", "entrypoint": "echo",
    "env": "A=1 2=3", "env-file": f"{TMP}/env", "env-merge": "P=${PATH}:/x",
    "events-backend": "file", "expose": "8080", "gidmap": "0:100000:65536", "gpus": "all",
    "group-add": "audio", "health-cmd": "true --x", "health-interval": "10s",
    "health-on-failure": "none", "health-retries": "3", "health-start-period": "5s",
    "health-timeout": "3s", "healthcheck-command": "true", "healthcheck-interval": "10s",
    "healthcheck-retries": "3", "healthcheck-start-period": "5s", "healthcheck-timeout": "3s",
    "hooks-dir": f"{TMP}/hooks", "hostname": "nvdhost", "hostuser": "root",
    "image-volume": "bind", "init-ctr": "always", "init-path": "/usr/bin/catatonit",
    "ip": "10.88.0.9", "ip6": "fd00::9", "ipc": "private", "kernel-memory": "64m",
    "label": "k=v w", "label-file": f"{TMP}/labels", "log-driver": "k8s-file",
    "log-level": "warn", "log-opt": "max-size=1m", "mac-address": "92:d0:c6:0a:29:33",
    "max-workers": "4", "memory": "64m", "memory-profile": lambda: f"{TMP}/mprof{uniq()}",
    "memory-reservation": "32m", "memory-swap": "-1", "memory-swappiness": "10",
    "mount": "type=tmpfs,destination=/x", "name": lambda: f"nvd-args-n{uniq()}",
    "namespace": "nvdns", "net": "none", "network": "none", "network-alias": "al",
    "network-backend": "cni", "network-cmd-path": "/usr/bin/slirp4netns",
    "network-config-dir": f"{TMP}/cfg", "oom-score-adj": "100", "os": "linux",
    "override-arch": "amd64", "override-os": "linux", "override-variant": "v8",
    "passwd-entry": "$USERNAME:x:$UID:0::/:/bin/sh", "personality": "LINUX", "pid": "private",
    "pidfile": lambda: f"{TMP}/pid{uniq()}", "pids-limit": "100", "platform": "linux/amd64",
    "pod": "nvd-no-such-pod", "pod-id-file": f"{TMP}/no-pod-id", "preserve-fds": "0",
    "publish": "8080:80", "pull": "never", "registries-conf": f"{TMP}/registries.conf",
    "requires": "nvd-args-link", "restart": "on-failure:3", "root": f"{TMP}/podman/storage",
    "runroot": f"{TMP}/podman/runroot", "runtime": "runc", "runtime-flag": "debug",
    "sdnotify": "ignore", "seccomp-policy": "default", "secret": "nvd-no-such-secret",
    "security-opt": "no-new-privileges", "shm-size": "64m", "signature-policy": f"{TMP}/podman/etc/policy.json",
    "stop-signal": "SIGTERM", "stop-timeout": "5", "storage-driver": "vfs", "storage-opt": "",
    "subgidname": "root", "subuidname": "root", "sysctl": "net.ipv4.ip_forward=1",
    "systemd": "false", "timeout": "10", "tmpdir": f"{TMP}/podman/tmp", "tmpfs": "/run:size=1m",
    "tz": "UTC", "uidmap": "0:100000:65536", "ulimit": "nofile=1024:2048", "umask": "0022",
    "unsetenv": "PATH", "user": "root", "userns": "host", "uts": "private", "variant": "v8",
    "volume": "/tmp:/nvd-tmp", "volumepath": f"{TMP}/podman/volumes",
    "volumes-from": "nvd-args-link", "workdir": "/tmp",
}
open(f"{TMP}/registries.conf", "w").close()
os.makedirs(f"{TMP}/hooks", exist_ok=True)
open(f"{TMP}/mounts", "w").close()

def sample(name):
    v = SAMPLES[name]
    return v() if callable(v) else v

def run_head():
    return ["run", "--cidfile", f"{TMP}/cid{uniq()}", "--network", "none"]

cases = []
def add(desc, words):
    cases.append((desc, words))

CMD = ["echo", "nvd", "a b"]
# Every row in a line, three options a line (podman then validates them together: a line it
# rejects for a value still shows it read the options where we did): long form with a separate
# value, attached with `=` for the middle one; the shorthands alone and clustered after -i.
def chunks(items, n=3):
    return [items[i:i + n] for i in range(0, len(items), n)]
rows = [(name, kind, short) for name, (kind, short) in sorted(container.items()) if name != "help"]
for name, kind, short in rows:
    if kind == "value" and name not in SAMPLES:
        fail(f"no sample value for --{name} in this test")
for scope_rows, head, tail in (
        ([r for r in rows if r[0] not in run_only], lambda: ["create"], [IMG] + CMD),
        ([r for r in rows if r[0] in run_only and r[0] != "rmi"], run_head, [IMG, "true"])):
    for group in chunks([r for r in scope_rows if r[1] == "bool" or r[0] in SAMPLES]):
        words, names = head(), []
        for k, (name, kind, short) in enumerate(group):
            names.append(name)
            if kind == "bool":
                words += [f"--{name}=false"] if k == 1 else [f"--{name}"]
            elif k == 1:
                words += [f"--{name}={sample(name)}"]
            else:
                words += [f"--{name}", sample(name)]
        add("--" + " --".join(names), words + tail)
# --rmi removes the image: its own, so that other lines keep theirs.
add("--rmi", run_head() + ["--rmi", "nvd-args-rmi", "true"])
for name, kind, short in rows:
    if not short:
        continue
    head, tail = (run_head, [IMG, "true"]) if name in run_only else ((lambda: ["create"]), [IMG] + CMD)
    if kind == "value":
        add(f"-{short}v", head() + [f"-{short}{sample(name)}"] + tail)
        add(f"-i{short} v", head() + [f"-i{short}", sample(name)] + tail)
    else:
        add(f"-{short}", head() + [f"-{short}"] + tail)

C = ["create"]
more = [
    C + ["-it", IMG], C + ["-ti", IMG, "sh"], C + ["-itq", IMG, "x"], C + ["-itp", "8080:80", IMG, "x"],
    C + ["-ite=A=1", IMG, "x"], C + ["-itu", "root", IMG, "x"], C + ["-itw/tmp", IMG, "x"],
    C + ["-e", "A", IMG], C + ["-e", "--rm", IMG, "x"], C + ["--name", "-x", IMG],
    C + ["--entrypoint", "", IMG, "echo"], C + ["--rm=false", IMG, "x"], C + ["--rm=yes", IMG],
    C + ["--", IMG], C + ["-it", "--", IMG, "sh", "-c", "x"], C + ["--", "--", IMG], C + ["--"],
    C + ["run"], C + ["create", "create", "x"], C + ["--rm", "run", "run"],
    ["container", "create", "run", "echo"], ["container", "create", "-it", IMG, "x"],
    ["container"] + run_head() + ["-d", "run", "true"], run_head() + ["run", "true"],
    C + [IMG, "-it"], C + [IMG, "--rm"], C + [IMG, "--", "x"], C + [IMG, "-e", "A=1"],
    ["--log-level", "warn"] + C + [IMG, "x"], ["--log-level=error"] + C + [IMG],
    ["-D"] + C + [IMG, "x"], ["--root", f"{TMP}/podman/storage"] + C + [IMG, "x"],
    ["--runroot", f"{TMP}/podman/runroot", "--storage-driver", "vfs"] + C + [IMG],
    ["--cgroup-manager=cgroupfs"] + C + [IMG, "x"], ["--events-backend", "file", "container", "create", IMG],
    ["--syslog=false"] + C + [IMG], ["--noout"] + C + [IMG, "x"], ["--context", "default"] + C + [IMG],
    ["--config", f"{TMP}/cfg"] + C + [IMG, "x"], ["--tmpdir", f"{TMP}/podman/tmp"] + C + [IMG],
    ["-v"] + C + [IMG], ["--help"] + C + [IMG], ["--frob"] + C + [IMG], ["-X"] + C + [IMG],
    ["--"] + C + [IMG],
    C + ["--root", f"{TMP}/podman/storage", IMG, "x"], C + ["--log-level", "warn", IMG],
    C + ["--rootfs", "/tmp", "true"], C + ["--frobnicate", IMG], C + ["-rm", IMG, "x"],
    C + ["--name"], C, C + ["-d", IMG], C + ["--sig-proxy", IMG], C + ["--help", IMG],
    C + [""], C + ["-test.v", IMG], C + ["-e"], C + ["--pull", "never", "nvd-args-missing"],
    run_head() + ["--init-ctr", "always", IMG, "true"], C + ["--gpus", "all", IMG],
]
for words in more:
    add("line", words)

def dump(words):
    d = {"cmd": []}
    for line in sh([DUMP, "--podman"] + words).stdout.splitlines():
        key, _, value = line.partition(" ")
        if key == "cmd":
            d["cmd"].append(value)
        else:
            d[key] = value
    return d

image_ids = {}
def image_id(name):
    if name not in image_ids:
        image_ids[name] = sh(["podman", "image", "inspect", "--format", "{{.Id}}", name]).stdout.strip()
    return image_ids[name]

def run_case(case):
    desc, words = case
    ours = dump(words)
    r = sh(["podman"] + words, timeout=60)
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
    out = sh(["podman", "container", "inspect", "--format",
              "{{.Id}} {{json .Image}} {{json .Config.Cmd}}"] + ids).stdout
    for line in out.splitlines():
        cid, image_json, cmd_json = line.split(" ", 2)
        inspected[cid] = (json.loads(image_json), json.loads(cmd_json))
    sh(["podman", "rm", "-f"] + ids)

PARSE_ERRORS = re.compile(r"unknown (shorthand )?flag|needs an argument|bad flag syntax|"
                          r"requires at least 1 arg|unrecognized command|"
                          r"invalid argument .* for .*ParseBool")
# podman accepts these lines, we do not read them (docs/cdi.md): a root file system instead of
# an image; a storage option after the command (the wrapper asks to move it before `run`
# instead of reading it as uncertain: see late_daemon_option); --help/--version among the
# global options.
certain_ok = uncertain_accepted = rejected_both = rejected_value = 0
for desc, words, ours, rc, cid, err in results:
    line = " ".join(json.dumps(w) if (not w or any(c in w for c in " \t\n\"")) else w for w in words)
    certain = "uncertain" not in ours and ours.get("command") in ("run", "create")
    if cid:
        image, cmd = inspected.get(cid, (None, None))
        if not certain:
            uncertain_accepted += 1
            info(f"podman accepted, we are uncertain ({ours.get('uncertain', ours.get('command'))}): {line}")
            continue
        expect_cmd = ours["cmd"]
        if image == image_id(ours["image"]) and (cmd == expect_cmd or (not expect_cmd and cmd == ["nvd-default"])):
            certain_ok += 1
            ok(f"{desc}: image {ours['image']} cmd {json.dumps(cmd)}: {line}")
        else:
            fail(f"{desc}: podman took image {image!r} cmd {cmd}, we read {ours.get('image')!r} {expect_cmd}: {line}")
        continue
    first = next((l for l in err.splitlines() if l.strip()), "(no message)")
    if not certain:
        rejected_both += 1
        ok(f"podman rejects, we are uncertain ({ours.get('uncertain', ours.get('command'))}): {line}")
        continue
    m = re.search(r"Error: ([^ :]+): image not known", err)
    if PARSE_ERRORS.search(err) or (m and m.group(1) != ours["image"]):
        fail(f"{desc}: podman rejects the line as unreadable ({first}) but we read image {ours['image']!r}: {line}")
    else:
        rejected_value += 1
        ok(f"podman rejects a value, not the syntax ({first}): {line}")

total = len(results)
print(f"       {total} lines: {certain_ok} read alike, {uncertain_accepted} accepted by podman but "
      f"uncertain to us, {rejected_both} rejected by podman and uncertain to us, "
      f"{rejected_value} rejected by podman for a value")
if total < 100 or certain_ok < 100:
    fail(f"at least 100 generated lines, 100 of them read alike ({total}, {certain_ok})")
if uncertain_accepted > 4:
    fail(f"at most 4 podman-accepted lines are uncertain to us ({uncertain_accepted})")
else:
    ok(f"at most 4 podman-accepted lines are uncertain to us ({uncertain_accepted})")
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
t_finish
