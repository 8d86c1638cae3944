#!/usr/bin/python3
"""The handler cannot reach the worker's secrets through /proc or ptrace.

`cpjob run` works a job through the emulator with worker keys (secret key
and session token, fresh random values so that no other process holds
them) in its environment; the job carries artifact credentials. The
handler (Python) probes the agent, its parent:

(a) the agent runs as a user that is not root (nobody, through setpriv;
    the current user when the test does not run as root), the handler as
    the same user. Its attempts must all fail: open /proc/<agent>/environ,
    /proc/<agent>/maps, /proc/<agent>/mem (it reads the agent's writable
    mappings, [heap], data, bss, [stack], when it gets that far), list
    /proc/<agent>/fd, PTRACE_SEIZE the agent and process_vm_readv from it
    (EPERM); and no /proc/*/environ it can read may hold the worker's
    secret key or session token or the job's artifact secret key. The
    handler holds no descriptor but 0 (/dev/null), 1 and 2 (pipes), and
    runs as the agent's user, its parent being the agent. Seen from root
    meanwhile: /proc/<agent>/environ belongs to root (the agent is not
    dumpable) and shows the credential variables with their values
    overwritten by as many '*'.
(b) the agent runs as root: while the handler runs, no process's
    /proc/*/environ, read as root, holds those secrets (all pids scanned),
    and the agent's shows the variables masked.
(c) a credential variable longer than the agent keeps room for: `cpjob
    run` exits with status 1 naming it.

The jobs must succeed: the agent still signs with the keys it moved out
of the environment block. On the branch point (1c34983) (a) and (b) fail:
the agent is dumpable and its environment holds the keys.
"""
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

HANDLER = r"""#!/usr/bin/python3
import ctypes, errno, json, os, sys, time
e = os.environ
out = e["CPJOB_CONFIG_DUMPTO"]
agent = os.getppid()
rec = {"agent": agent, "uid": os.getuid(), "gid": os.getgid()}


def err(x):
    return errno.errorcode.get(x.errno, str(x.errno)) if isinstance(x, OSError) else repr(x)


def read(path, cap=1 << 20):
    try:
        with open(path, "rb") as f:
            return f.read(cap), None
    except Exception as x:
        return None, err(x)


def probe():
    data, rec["environ_err"] = read("/proc/%d/environ" % agent)
    if data is not None:
        with open(out + ".agent-environ", "wb") as f:
            f.write(data)
    data, rec["maps_err"] = read("/proc/%d/maps" % agent)
    regions = []
    for ln in (data or b"").decode("ascii", "replace").splitlines():
        p = ln.split()
        if len(p) >= 2 and p[1].startswith("rw"):
            lo, hi = (int(x, 16) for x in p[0].split("-"))
            if hi - lo <= 64 << 20:
                regions.append((lo, hi, p[5] if len(p) > 5 else ""))
    rec["regions"] = len(regions)
    try:
        fd = os.open("/proc/%d/mem" % agent, os.O_RDONLY)
        rec["mem_err"] = None
    except OSError as x:
        fd, rec["mem_err"] = -1, err(x)
    got = 0
    if fd >= 0:
        with open(out + ".mem", "wb") as f:
            for lo, hi, name in regions:
                try:
                    b = os.pread(fd, hi - lo, lo)
                except OSError:
                    continue
                f.write(b)
                got += len(b)
        os.close(fd)
    rec["mem_bytes"] = got
    try:
        rec["fd_list"] = sorted(os.listdir("/proc/%d/fd" % agent))
        rec["fd_err"] = None
    except OSError as x:
        rec["fd_list"], rec["fd_err"] = None, err(x)

    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    # in a child of its own: its exit detaches (PTRACE_SEIZE does not stop)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        rc = libc.ptrace(0x4206, agent, None, None)
        os.write(w, json.dumps([rc, errno.errorcode.get(ctypes.get_errno(), "")]).encode())
        os._exit(0)
    os.close(w)
    rec["ptrace"] = json.loads(os.read(r, 200) or b"null")
    os.close(r)
    os.waitpid(pid, 0)

    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
    buf = ctypes.create_string_buffer(4096)
    local = iovec(ctypes.cast(buf, ctypes.c_void_p), 4096)
    # an address of the agent's when the maps told one (else any: the
    # permission is checked first)
    remote = iovec(regions[0][0] if regions else 0x10000, 4096)
    libc.process_vm_readv.restype = ctypes.c_ssize_t
    n = libc.process_vm_readv(agent, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    rec["vm_readv"] = [n, errno.errorcode.get(ctypes.get_errno(), "")]

    # every environment this user can read
    with open(out + ".environs", "wb") as f:
        for d in os.listdir("/proc"):
            if d.isdigit():
                data, _ = read("/proc/%s/environ" % d)
                if data:
                    f.write(b"== %s\n" % d.encode() + data + b"\n")


rec["self_fds"] = {}
for d in os.listdir("/proc/self/fd"):
    try:
        rec["self_fds"][d] = os.readlink("/proc/self/fd/" + d)
    except OSError:
        pass
if e.get("CPJOB_CONFIG_PROBE") == "1":
    probe()
with open(out + ".json.tmp", "w") as f:
    json.dump(rec, f)
os.rename(out + ".json.tmp", out + ".json")
# the test looks at the processes while this runs
deadline = time.monotonic() + 60
while not os.path.exists(out + ".go") and time.monotonic() < deadline:
    time.sleep(0.05)
for n in e.get("CPJOB_OUTPUT_NAMES", "").split():
    v = "".join(c if c.isalnum() else "_" for c in n.upper())
    with open(e["CPJOB_OUTPUT_" + v], "w") as f:
        f.write("ok\n")
"""

MASKED = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
INHERITED = 900
ROOT = os.getuid() == 0


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def scan_environs(needles):
    """{pid: [names of the needles found]} over every /proc/*/environ (as
    the test's user: root in CI)."""
    found = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        data = read("/proc/%s/environ" % d)
        hit = [n for n, v in needles.items() if v.encode() in data]
        if hit:
            found[int(d)] = hit
    return found


def masked_bad(environ, env):
    """The credential variables whose value the agent's environment block
    does not show overwritten by as many '*': {name: what it shows, as
    its length and whether it is the value}."""
    entries = environ.split(b"\0")
    bad = {}
    for k in MASKED:
        want = ("%s=%s" % (k, "*" * len(env[k]))).encode()
        if want not in entries:
            seen = [x[len(k) + 1:] for x in entries if x.startswith(k.encode() + b"=")]
            bad[k] = [(len(x), x == env[k].encode()) for x in seen]
    return bad


def run_user():
    """(uid, gid, command prefix) for the agent of part (a)."""
    if not ROOT:
        return os.getuid(), os.getgid(), []
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", "cpjob-proc-test"], check=True)
        pw = pwd.getpwnam("cpjob-proc-test")
    return pw.pw_uid, pw.pw_gid, ["setpriv", "--reuid=%d" % pw.pw_uid,
                                  "--regid=%d" % pw.pw_gid, "--clear-groups"]


def one_job(emu, tag, base, handler, env, prefix, uid, gid, probe):
    """Run one job; returns (agent, job, handler record, root's view of
    the processes while the handler ran, exit status)."""
    agent_dir = os.path.join(base, "agent-" + tag)
    dumps = os.path.join(base, "dumps-" + tag)
    for d in (agent_dir, dumps):
        os.mkdir(d, 0o700)
        os.chown(d, uid, gid)
    dump = os.path.join(dumps, "h")
    job, _ = A.queue(emu, "ProcSecrets", config={"DumpTo": dump, "Probe": "1" if probe else "0"})
    ac = job["data"]["artifactCredentials"]
    SECRETS.update({"job %s artifact secret key" % tag: ac["secretAccessKey"],
                    "job %s artifact session token" % tag: ac["sessionToken"]})
    ag = A.Agent(emu, "ProcSecrets", handler=handler, workdir=agent_dir, env=env, san=True,
                 args=["--once", "--exit-when-idle"])
    ag.cmd = prefix + ag.cmd
    # a descriptor the agent inherits and knows nothing of (not
    # close-on-exec): it must not reach the handler either
    fd = os.open(os.path.join(base, "inherited"), os.O_RDONLY | os.O_CREAT, 0o600)
    os.dup2(fd, INHERITED, inheritable=True)
    os.close(fd)
    ag.log_f = open(ag.log_path, "ab")
    ag.proc = subprocess.Popen(ag.cmd, env=ag.env, stdout=ag.log_f, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, pass_fds=(INHERITED,))
    A.children.append(ag.proc)
    os.close(INHERITED)
    up = A.wait_for(lambda: os.path.exists(dump + ".json") or ag.proc.poll() is not None,
                    timeout=60)
    view = {}
    if up and ag.proc.poll() is None:
        apid = ag.proc.pid
        try:
            view["agent_inherited"] = os.readlink("/proc/%d/fd/%d" % (apid, INHERITED))
        except OSError as x:
            view["agent_inherited"] = str(x)
        try:
            st = os.stat("/proc/%d/environ" % apid)
            view["environ_owner"] = st.st_uid
        except OSError as x:
            view["environ_owner"] = str(x)
        view["environ"] = read("/proc/%d/environ" % apid)
        view["status_uid"] = [ln for ln in read("/proc/%d/status" % apid).decode().splitlines()
                              if ln.startswith("Uid:")]
    view["scan"] = scan_environs(SECRETS)
    with open(dump + ".go", "w"):
        pass
    rc = ag.wait(timeout=60)
    rec = load(dump + ".json")
    rec["_dump"] = dump
    return ag, job, rec, view, rc


def check_job(tag, emu, ag, job, rc):
    v = emu.job(job["id"])
    check("%s: job succeeded (the agent signs with the keys it moved)" % tag,
          rc == 0 and v["state"] == "Succeeded" and len(v["attempts"]) == 1,
          (rc, v["state"], ag.log()[-1500:]))


def part_a(emu, base, handler, env):
    uid, gid, prefix = run_user()
    ag, job, rec, view, rc = one_job(emu, "a", base, handler, env, prefix, uid, gid, True)
    tag = "non-root agent (uid %d)" % uid
    check_job(tag, emu, ag, job, rc)
    check("%s: handler ran as the agent's user, a child of the agent" % tag,
          rec.get("uid") == uid and rec.get("agent") == ag.proc.pid
          and view.get("status_uid", [""])[0].split()[1:2] == [str(uid)],
          (rec.get("uid"), rec.get("agent"), ag.proc.pid, view.get("status_uid")))
    check("%s: /proc/<agent>/environ cannot be opened" % tag,
          rec.get("environ_err") == "EACCES" and not read(rec["_dump"] + ".agent-environ"),
          (rec.get("environ_err"), "%d bytes read" % len(read(rec["_dump"] + ".agent-environ"))))
    check("%s: /proc/<agent>/maps cannot be opened" % tag, rec.get("maps_err") == "EACCES",
          (rec.get("maps_err"), rec.get("regions")))
    check("%s: /proc/<agent>/mem cannot be opened" % tag,
          rec.get("mem_err") == "EACCES" and rec.get("mem_bytes") == 0,
          (rec.get("mem_err"), rec.get("mem_bytes")))
    check("%s: /proc/<agent>/fd cannot be listed" % tag,
          rec.get("fd_err") == "EACCES", (rec.get("fd_err"), rec.get("fd_list")))
    check("%s: ptrace (PTRACE_SEIZE) refused" % tag, rec.get("ptrace") == [-1, "EPERM"],
          rec.get("ptrace"))
    check("%s: process_vm_readv refused" % tag, rec.get("vm_readv") == [-1, "EPERM"],
          rec.get("vm_readv"))
    mem = read(rec["_dump"] + ".mem")
    environs = read(rec["_dump"] + ".environs")
    leaks = [n for n, v in SECRETS.items() if v.encode() in mem or v.encode() in environs]
    check("%s: no secret in what the handler read (/proc/*/environ, mem)" % tag,
          not leaks and b"== %d\n" % rec.get("agent", 0) not in environs,
          (leaks, "%d bytes of memory, %d of environments read" % (len(mem), len(environs))))
    fds = rec.get("self_fds", {})
    extra = {k: v for k, v in fds.items() if k not in ("0", "1", "2")
             and not v.startswith("/proc/")}
    check("%s: handler holds only 0, 1 and 2 (not the agent's inherited fd %d)"
          % (tag, INHERITED), not extra and fds.get("0") == "/dev/null"
          and fds.get("1", "").startswith("pipe:") and fds.get("2", "").startswith("pipe:")
          and (not ROOT or view.get("agent_inherited", "").endswith("/inherited")),
          (fds, view.get("agent_inherited")))
    check("%s: agent not dumpable (/proc/<agent>/environ owned by root)" % tag,
          view.get("environ_owner") == 0, view.get("environ_owner"))
    if not ROOT:
        print("SKIP %s: the agent's environment seen by root" % tag)
        return
    check("%s: agent's environment block masked (seen by root)" % tag,
          view.get("environ") and not masked_bad(view["environ"], env),
          (masked_bad(view.get("environ") or b"", env), len(view.get("environ") or b"")))
    check("%s: no /proc/*/environ holds a secret (seen by root)" % tag, not view["scan"],
          view["scan"])


def part_b(emu, base, handler, env):
    if not ROOT:
        print("SKIP root agent: the test does not run as root")
        return
    ag, job, rec, view, rc = one_job(emu, "b", base, handler, env, [], 0, 0, False)
    tag = "root agent"
    check_job(tag, emu, ag, job, rc)
    check("%s: handler ran while the processes were scanned" % tag,
          rec.get("agent") == ag.proc.pid, rec)
    check("%s: no /proc/*/environ holds a secret (all pids, as root)" % tag,
          not view["scan"], view["scan"])
    check("%s: agent's environment block masked" % tag,
          view.get("environ") and not masked_bad(view["environ"], env),
          (masked_bad(view.get("environ") or b"", env), len(view.get("environ") or b"")))


def part_c(emu, env):
    e = dict(env, AWS_SESSION_TOKEN="T" * 30000)
    p = subprocess.run([A.cpjob_path(san=True), "run", "--help"], env=e, capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    check("too long a credential variable: exit status 1, named",
          p.returncode == 1 and "AWS_SESSION_TOKEN: too long" in p.stderr
          and "TTTTTTTT" not in p.stderr, (p.returncode, p.stderr[-300:]))


SECRETS = {}


def main():
    akid = "AKIDPROC" + secrets.token_hex(6).upper()
    secret = "wK" + secrets.token_urlsafe(29)[:38]
    token = "IQoJprocSessionToken" + secrets.token_urlsafe(200)
    # the directories the non-root agent uses must be reachable by it
    os.chmod(A.ROOT, 0o711)
    base = os.path.join(A.ROOT, "proc-secrets")
    os.mkdir(base, 0o755)
    handler = os.path.join(base, "handler.py")
    with open(handler, "w") as f:
        f.write(HANDLER)
    os.chmod(handler, 0o755)
    with A.Emulator(credentials=["%s:%s:%s" % (akid, secret, token)]) as emu:
        ca = os.path.join(base, "ca.pem")
        shutil.copy(emu.ca_file, ca)
        os.chmod(ca, 0o644)
        env = A.environ(emu, AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret,
                        AWS_SESSION_TOKEN=token, AWS_CA_BUNDLE=ca, HOME=base)
        SECRETS.update({"worker secret key": secret, "worker session token": token})
        part_a(emu, base, handler, env)
        part_b(emu, base, handler, env)
        part_c(emu, env)


if __name__ == "__main__":
    try:
        main()
    finally:
        A.cleanup()
    sys.exit(A.exit_status())
