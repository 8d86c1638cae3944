#!/usr/bin/python3
"""No secret reaches a log or the handler.

`cpjob run --debug --log-level debug` works a job through the emulator
with worker credentials that carry a session token; the handler dumps its
whole environment (env and /proc/self/environ) into its output artifact,
onto stdout and stderr, and into a file. Then the one-shot commands
(poll, ack, get, success, failure) run with --debug. Searched: stderr of
every command, the agent's log, the handler's dumps and the uploaded
artifact, for the worker's secret key and session token and the job's
artifact secret key and session token: none may appear (stdout of `get`
and `poll` is the service's answer, which carries the artifact
credentials as the aws CLI prints them: not searched).

Configuration values: the job data does not say which are secret, so
without --secret-config the agent passes every one to the handler
(CPJOB_CONFIG_<KEY>) and logs none. Checked: each value is in the
handler's environment, and in no line of the agent's own log (lines
relayed from the handler's stdout/stderr, which print them on purpose
here, are told apart by a marker the handler puts on each) nor in any
one-shot command's stderr.

--secret-config (secret_config()): a handler in Python records what it
sees. The listed properties are in no variable and not in
/proc/self/environ; CPJOB_CONFIG_<KEY>_FILE names secret/<KEY> in the job's
directory, a regular file of mode 0600 in a directory of mode 0700,
holding exactly the value; a property not listed still arrives as
CPJOB_CONFIG_<KEY>. The handler prints the values on stdout and stderr (the
log must show them redacted) and hard-links the file outside the work
directory: after the job that link holds only zeros, as many as the value
had bytes (the agent overwrote the file it wrote). While the report is
held up by the emulator (phase reporting), the job's directory is still
there but secret/ is gone. After each job: no byte sequence of a value
anywhere under the agent's directory (work directory, state file) nor in
its log, and the job reported once. The same with the option in the
config file and a handler that fails (exit 1, the value on stderr: the
failure message does not quote it); with a handler that runs past
--timeout, and with the agent killed (SIGKILL) while the handler runs:
then the (restarted) agent reports the job once and removes the file,
which a descriptor the test kept open shows zeroed.
Bad values of the option are usage errors (exit status 2).

A proxy URL with a password (HTTPS_PROXY=http://user:password@host, which
cpjob refuses) is printed with the password masked by every command.
"""
import json
import os
import subprocess
import sys

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

TOKEN = "IQoJb3JpZ2luX2VjEworkerSessionTokenSECRETxyz" + "Q" * 300
HANDLER = r"""#!/bin/sh
set -u
dump() {
	echo "== env"; env
	echo "== /proc/self/environ"; tr '\0' '\n' </proc/self/environ
}
dump >"$CPJOB_CONFIG_DUMPTO.env"
dump | sed 's/^/HANDLER-OUT /'
dump | sed 's/^/HANDLER-ERR /' >&2
for n in $CPJOB_OUTPUT_NAMES; do
	v=$(printf '%s' "$n" | tr 'a-z' 'A-Z' | tr -c 'A-Z0-9' '_')
	eval "o=\${CPJOB_OUTPUT_$v}"
	dump >"$o"
	cp "$o" "$CPJOB_CONFIG_DUMPTO.artifact"
done
"""


SECRET_HANDLER = r"""#!/usr/bin/python3
import json, os, stat, sys, time
e = os.environ
out = e["CPJOB_CONFIG_DUMPTO"]
mode = e.get("CPJOB_CONFIG_MODE", "ok")
with open("/proc/self/environ", "rb") as f:
    environ = f.read().hex()
rec = {"env": dict(e), "environ_hex": environ, "files": {}}
for k in ("APIPASSWORD", "DEPLOY_TOKEN", "FLEET", "SIGNINGKEY"):
    f = e.get("CPJOB_CONFIG_%s_FILE" % k)
    if not f:
        continue
    info = {"path": f}
    try:
        st = os.lstat(f)
        dst = os.lstat(os.path.dirname(f))
        info.update(mode=stat.S_IMODE(st.st_mode), regular=stat.S_ISREG(st.st_mode),
                    dirmode=stat.S_IMODE(dst.st_mode), dir=stat.S_ISDIR(dst.st_mode))
        with open(f, "rb") as fh:
            data = fh.read()
        info["hex"] = data.hex()
        if mode != "sleep":
            os.link(f, "%s.%s.link" % (out, k))
        print("HANDLER-OUT secret %s=%s|end" % (k, data.decode()))
        print("HANDLER-ERR secret %s=%s|end" % (k, data.decode()), file=sys.stderr)
    except OSError as x:
        info["error"] = str(x)
    rec["files"][k] = info
with open(out + ".json.tmp", "w") as f:
    json.dump(rec, f)
os.rename(out + ".json.tmp", out + ".json")
sys.stdout.flush()
sys.stderr.flush()
if mode == "sleep":
    time.sleep(120)
if mode == "fail":
    sys.exit(1)
for n in e.get("CPJOB_OUTPUT_NAMES", "").split():
    v = "".join(c if c.isalnum() else "_" for c in n.upper())
    with open(e["CPJOB_OUTPUT_" + v], "w") as f:
        f.write("ok\n")
"""
# values with spaces, quotes and a trailing space: the file must hold them
# exactly (a shell would mangle them; the handler above is Python)
PW = "S3cr3t pw=7f3a;\"9c1e'55 "
TOK = "tok-0b8e2d4471-$HOME-`x`"
# a value of several lines: the log gets it a line at a time, and each
# line must be redacted
PEM = ("-----BEGIN TEST SIGNING KEY-----\n"
       "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
       "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n"
       "-----END TEST SIGNING KEY-----")


def tree_has(top, needle):
    """Paths under `top` whose bytes contain `needle` (files and names)."""
    found = []
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            if needle in n.encode():
                found.append(os.path.join(d, n))
        for n in files:
            p = os.path.join(d, n)
            try:
                with open(p, "rb") as f:
                    if needle in f.read():
                        found.append(p)
            except OSError:
                pass
    return found


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def no_trace(tag, ag, log, values):
    """No value in the agent's directory (work dir, state file) or log."""
    for name, val in values.items():
        b = val.encode()
        found = [p for p in tree_has(ag.dir, b) if p != ag.log_path]
        check("%s: %s nowhere under the agent's directory" % (tag, name), not found, found)
        check("%s: %s not in the agent log" % (tag, name), val not in log and val[:12] not in log,
              [ln for ln in log.splitlines() if val[:12] in ln][:3])


def secret_config(emu):
    handler = os.path.join(A.ROOT, "secret-config-handler.py")
    with open(handler, "w") as f:
        f.write(SECRET_HANDLER)
    os.chmod(handler, 0o755)
    listed = {"ApiPassword": PW, "deploy-token": TOK, "SigningKey": PEM}

    # 1. success, three listed keys (one of several lines), one not; the
    # report held up a moment
    dump = os.path.join(A.ROOT, "sc1")
    config = {"DumpTo": dump, "ApiPassword": PW, "deploy-token": TOK, "Fleet": "fleet-9921aa",
              "SigningKey": PEM}
    job, _ = A.queue(emu, "SecretCfg", config=config)
    jid = job["id"]
    emu.fault("delay", operation="PutJobSuccessResult", ms=3000)
    ag = A.Agent(emu, "SecretCfg", handler=handler, san=True,
                 args=["--once", "--exit-when-idle", "--log-level", "debug",
                       "--secret-config", "ApiPassword,deploy-token,SigningKey"])
    ag.start()
    jobdir = os.path.join(ag.work, jid)
    reporting = ag.wait_state("reporting", timeout=60)
    during = (os.path.isdir(jobdir), os.path.exists(os.path.join(jobdir, "secret")))
    rc = ag.wait(timeout=60)
    log = ag.log()
    emu.clear_faults()
    v = emu.job(jid)
    check("secret_config_job_succeeded_once", rc == 0 and v["state"] == "Succeeded"
          and len(v["attempts"]) == 1, (rc, v["state"], v["attempts"], log[-1500:]))
    check("secret_config_gone_before_report", reporting and during == (True, False),
          (reporting, during))
    rec = load(dump + ".json")
    env = rec.get("env", {})
    environ = bytes.fromhex(rec.get("environ_hex", ""))
    check("secret_config_handler_ran", bool(env), log[-1000:])
    for key, val, var in (("ApiPassword", PW, "APIPASSWORD"),
                          ("deploy-token", TOK, "DEPLOY_TOKEN")):
        info = rec.get("files", {}).get(var, {})
        want = os.path.join(ag.work, jid, "secret", var)
        check("%s: not in the environment" % key, "CPJOB_CONFIG_" + var not in env
              and not [k for k, x in env.items() if val in x or val[:12] in x]
              and val.encode() not in environ and val[:12].encode() not in environ,
              sorted(env))
        check("%s: CPJOB_CONFIG_%s_FILE is secret/%s" % (key, var, var),
              env.get("CPJOB_CONFIG_%s_FILE" % var) == want and info.get("path") == want,
              (env.get("CPJOB_CONFIG_%s_FILE" % var), want))
        check("%s: file 0600 in a 0700 directory" % key, info.get("regular") is True
              and info.get("mode") == 0o600 and info.get("dir") is True
              and info.get("dirmode") == 0o700, info)
        check("%s: file holds exactly the value" % key,
              bytes.fromhex(info.get("hex", "")) == val.encode(), info)
        link = "%s.%s.link" % (dump, var)
        try:
            with open(link, "rb") as f:
                data = f.read()
        except OSError as x:
            data = str(x)
        check("%s: file overwritten with zeros" % key,
              data == b"\0" * len(val.encode()), data)
        check("%s: file removed" % key, not os.path.exists(want), want)
        check("%s: relayed handler output redacted" % key,
              "HANDLER-OUT secret %s=[redacted]|end" % var in log
              and "HANDLER-ERR secret %s=[redacted]|end" % var in log,
              [ln for ln in log.splitlines() if "secret " + var in ln][:4])
    pem = rec.get("files", {}).get("SIGNINGKEY", {})
    check("multi-line value: file holds it exactly",
          bytes.fromhex(pem.get("hex", "")) == PEM.encode(), pem)
    check("multi-line value: no line of it in the log",
          not [ln for ln in PEM.split("\n") if ln in log] and "BEGIN TEST SIGNING" not in log,
          [ln for ln in log.splitlines() if "SIGNING" in ln or "MIIBOg" in ln][:6])
    check("multi-line value: relayed lines redacted",
          log.count("HANDLER-OUT secret SIGNINGKEY=[redacted]") == 1
          and log.count("[redacted]|end") >= 2, [ln for ln in log.splitlines()
                                                 if "[redacted]" in ln][:8])
    check("secret_config_unlisted_key_in_environment",
          env.get("CPJOB_CONFIG_FLEET") == "fleet-9921aa"
          and "CPJOB_CONFIG_FLEET_FILE" not in env, sorted(env))
    check("secret_config_work_dir_removed", not os.path.exists(jobdir)
          and not os.path.exists(ag.state), os.listdir(ag.work))
    no_trace("success", ag, log, listed)

    # 2. the option from the config file; the handler fails
    dump = os.path.join(A.ROOT, "sc2")
    config = {"DumpTo": dump, "ApiPassword": PW, "Mode": "fail", "Fleet": "fleet-9921aa"}
    job, _ = A.queue(emu, "SecretCfg", config=config)
    jid = job["id"]
    conf = os.path.join(A.ROOT, "secret-config.conf")
    with open(conf, "w") as f:
        f.write("# secrets as files\nsecret-config = \"ApiPassword\"\n")
    ag = A.Agent(emu, "SecretCfg", handler=handler, san=True,
                 args=["--once", "--exit-when-idle", "--config", conf])
    rc, log, _ = ag.run(timeout=60)
    v = emu.job(jid)
    res = v.get("result") or {}
    msg = (res.get("failureDetails") or {}).get("message", "")
    rec = load(dump + ".json")
    info = rec.get("files", {}).get("APIPASSWORD", {})
    want = os.path.join(ag.work, jid, "secret", "APIPASSWORD")
    check("secret_config_file_setting", rec.get("env", {}).get(
        "CPJOB_CONFIG_APIPASSWORD_FILE") == want and bytes.fromhex(info.get("hex", ""))
          == PW.encode() and "CPJOB_CONFIG_APIPASSWORD" not in rec.get("env", {}), info)
    check("secret_config_failed_job_reported_once", rc == 0 and v["state"] == "Failed"
          and len(v["attempts"]) == 1 and "exited with status 1" in msg,
          (rc, v["state"], v["attempts"], msg, log[-1500:]))
    check("secret_config_failure_message_masks_value", PW not in msg and PW[:12] not in msg
          and "secret APIPASSWORD=" in msg, msg)
    try:
        with open("%s.APIPASSWORD.link" % dump, "rb") as f:
            data = f.read()
    except OSError as x:
        data = str(x)
    check("secret_config_failed_job_file_zeroed_and_removed", data == b"\0" * len(PW.encode())
          and not os.path.exists(want) and not os.path.exists(os.path.join(ag.work, jid)),
          (data, os.listdir(ag.work)))
    no_trace("failure", ag, log, {"ApiPassword": PW})

    # 2b. the handler prints secrets its own way and fails: each line of a
    # PEM-like value behind a prefix, a value that is not ASCII, one with a
    # tab; neither the failure message nor the log may hold any of them
    hand2 = os.path.join(A.ROOT, "secret-prefix-handler.sh")
    with open(hand2, "w") as f:
        f.write('#!/bin/sh\nsed "s/^/key: /" "$CPJOB_CONFIG_SIGNINGKEY_FILE" >&2\n'
                'echo >&2\necho "umlaut: $(cat "$CPJOB_CONFIG_UMLAUT_FILE") end" >&2\n'
                'echo "tab: $(cat "$CPJOB_CONFIG_TABBED_FILE") end" >&2\nexit 1\n')
    os.chmod(hand2, 0o755)
    umlaut, tabbed = "p\u00e4ssw\u00f6rd-Z\u00fcrich", "ab\tcdefgh42"
    config = {"SigningKey": PEM, "Umlaut": umlaut, "Tabbed": tabbed}
    job, _ = A.queue(emu, "SecretCfg", config=config)
    jid = job["id"]
    ag = A.Agent(emu, "SecretCfg", handler=hand2, san=True,
                 args=["--once", "--exit-when-idle", "--log-level", "debug",
                       "--secret-config", "SigningKey,Umlaut,Tabbed"])
    rc, log, _ = ag.run(timeout=60)
    v = emu.job(jid)
    msg = ((v.get("result") or {}).get("failureDetails") or {}).get("message", "")
    leaks = [x for x in PEM.split("\n") + [umlaut, "p\u00e4ssw\u00f6", "Z\u00fcrich", tabbed,
                                           "cdefgh42"] if x in msg or x in log]
    check("secret_config_prefixed_lines_failed_once", rc == 0 and v["state"] == "Failed"
          and len(v["attempts"]) == 1 and "key: " in msg and "umlaut: " in msg,
          (rc, v["state"], msg[-800:], log[-800:]))
    check("secret_config_prefixed_lines_masked_and_redacted", not leaks,
          (leaks, msg[-800:], [ln for ln in log.splitlines() if "key:" in ln or "umlaut" in ln
                               or "tab:" in ln][:10]))

    # 3. the agent killed while the handler runs; recovery removes the file
    dump = os.path.join(A.ROOT, "sc3")
    config = {"DumpTo": dump, "ApiPassword": PW, "Mode": "sleep"}
    job, _ = A.queue(emu, "SecretCfg", config=config)
    jid = job["id"]
    ag = A.Agent(emu, "SecretCfg", handler=handler, san=True,
                 args=["--secret-config", "ApiPassword"])
    ag.start()
    up = A.wait_for(lambda: os.path.exists(dump + ".json"), timeout=60)
    want = os.path.join(ag.work, jid, "secret", "APIPASSWORD")
    fd = -1
    try:
        fd = os.open(want, os.O_RDONLY)
    except OSError:
        pass
    before = os.pread(fd, 4096, 0) if fd >= 0 else b""
    state = ag.state_text()
    ag.kill()
    check("secret_config_crash_file_there_while_handler_ran", up and before == PW.encode()
          and "\nphase=handler\n" in state and ag.proc.returncode == -9,
          (up, before, state))
    rc, log, _ = ag.run("--exit-when-idle", timeout=60)
    v = emu.job(jid)
    res = v.get("result") or {}
    msg = (res.get("failureDetails") or {}).get("message", "")
    check("secret_config_crash_reported_once", rc == 0 and v["state"] == "Failed"
          and len(v["attempts"]) == 1 and "agent restarted" in msg,
          (rc, v["state"], v["attempts"], msg, log[-1500:]))
    after = os.pread(fd, 4096, 0) if fd >= 0 else b"?"
    links = os.fstat(fd).st_nlink if fd >= 0 else -1
    if fd >= 0:
        os.close(fd)
    check("secret_config_crash_file_zeroed_and_removed", after == b"\0" * len(PW.encode())
          and links == 0 and not os.path.exists(os.path.join(ag.work, jid)),
          (after, links, os.listdir(ag.work)))
    no_trace("crash", ag, log, {"ApiPassword": PW})

    # 4. the handler times out (SIGTERM, then SIGKILL after the grace)
    dump = os.path.join(A.ROOT, "sc4")
    config = {"DumpTo": dump, "ApiPassword": PW, "Mode": "sleep"}
    job, _ = A.queue(emu, "SecretCfg", config=config)
    jid = job["id"]
    ag = A.Agent(emu, "SecretCfg", handler=handler, san=True,
                 args=["--once", "--exit-when-idle", "--timeout", "3", "--kill-grace", "1",
                       "--secret-config", "ApiPassword"])
    ag.start()
    up = A.wait_for(lambda: os.path.exists(dump + ".json"), timeout=60)
    want = os.path.join(ag.work, jid, "secret", "APIPASSWORD")
    fd = -1
    try:
        fd = os.open(want, os.O_RDONLY)
    except OSError:
        pass
    before = os.pread(fd, 4096, 0) if fd >= 0 else b""
    rc = ag.wait(timeout=60)
    log = ag.log()
    v = emu.job(jid)
    res = v.get("result") or {}
    msg = (res.get("failureDetails") or {}).get("message", "")
    after = os.pread(fd, 4096, 0) if fd >= 0 else b"?"
    links = os.fstat(fd).st_nlink if fd >= 0 else -1
    if fd >= 0:
        os.close(fd)
    check("secret_config_timeout_reported_once", rc == 0 and v["state"] == "Failed"
          and len(v["attempts"]) == 1 and "timed out" in msg,
          (rc, v["state"], v["attempts"], msg, log[-1500:]))
    check("secret_config_timeout_file_zeroed_and_removed", up and before == PW.encode()
          and after == b"\0" * len(PW.encode()) and links == 0
          and not os.path.exists(os.path.join(ag.work, jid)),
          (up, before, after, links, os.listdir(ag.work)))
    check("secret_config_timeout_failure_message_masks_value", PW not in msg
          and PW[:12] not in msg, msg)
    no_trace("timeout", ag, log, {"ApiPassword": PW})

    # 5. usage errors
    base = [A.cpjob_path(san=True), "run", "--action-type-id", A.at("SecretCfg"), "--exec",
            handler, "--work-dir", A.ROOT + "/usage/w", "--state-file", A.ROOT + "/usage/s",
            "--once", "--exit-when-idle"]
    many = ",".join("Key%d" % i for i in range(17))
    for what, val in (("empty", ""), ("empty_name", "ApiPassword,,Fleet"),
                      ("trailing_comma", "ApiPassword,"), ("17_names", many),
                      ("51_bytes", "K" * 51), ("twice", "Fleet,Fleet"),
                      ("space", "ApiPassword, Fleet")):
        p = subprocess.run(base + ["--secret-config", val], env=A.environ(emu),
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        check("secret_config_usage_error_%s" % what, p.returncode == 2
              and "secret-config" in p.stderr, (p.returncode, p.stderr[-500:]))
    p = subprocess.run(base + ["--secret-config", ",".join("Key%d" % i for i in range(15))
                               + "," + "K" * 50], env=A.environ(emu), capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    check("secret_config_16_names_accepted", p.returncode == 0, (p.returncode, p.stderr[-500:]))
    with open(conf, "w") as f:
        f.write("secret-config = a,,b\n")
    p = subprocess.run(base + ["--config", conf], env=A.environ(emu), capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    check("secret_config_usage_error_config_file", p.returncode == 2
          and "line 1" in p.stderr and "secret-config" in p.stderr,
          (p.returncode, p.stderr[-500:]))
    p = subprocess.run([A.cpjob_path(), "run", "--help"], capture_output=True, text=True,
                       timeout=30)
    check("secret_config_in_help", p.returncode == 0 and "--secret-config KEYS" in p.stdout,
          p.stdout[-800:])


def proxy_password(emu):
    """A proxy URL with a user name and password: cpjob takes neither
    https:// proxies nor proxy credentials, so each command refuses it
    before connecting, and its message shows the URL as alice:***@...,
    never the password."""
    pw = "proxyPassw0rd-" + os.urandom(6).hex()
    proxies = ["http://alice:%s@127.0.0.1:3128" % pw,        # credentials
               "https://alice:%s@proxy.example:3128" % pw,   # an https proxy
               "http://alice:%s@proxy.example:99999" % pw]   # a bad port
    work = os.path.join(A.ROOT, "proxy")
    os.makedirs(work, exist_ok=True)
    container = {k: v for k, v in A.environ(emu).items()
                 if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    container["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "https://127.0.0.1:1/creds"
    cmds = [("poll", A.environ(emu), ["poll", "--action-type-id", A.at("Proxy")]),
            ("s3-get", A.environ(emu), ["s3-get", "--bucket", A.BUCKET, "--key", "k",
                                        "--out", os.path.join(work, "out")]),
            ("credentials (https container)", container, ["credentials"]),
            ("run", A.environ(emu), ["run", "--action-type-id", A.at("Proxy"), "--exec",
                                     A.HANDLER, "--work-dir", os.path.join(work, "w"),
                                     "--state-file", os.path.join(work, "state"), "--once"])]
    for i, proxy in enumerate(proxies):
        for name, env, args in cmds:
            env = dict(env, HTTPS_PROXY=proxy)
            rc, out, err = run(env, *args)
            check("proxy %d, %s: refused, password masked" % (i, name),
                  rc != 0 and pw not in out + err and pw[:8] not in out + err
                  and "alice:***@" in err, (rc, err[-600:]))


def run(env, *args):
    p = subprocess.run([A.cpjob_path(san=True)] + list(args), env=env, capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def main():
    handler = os.path.join(A.ROOT, "secrets-handler.sh")
    with open(handler, "w") as f:
        f.write(HANDLER)
    os.chmod(handler, 0o755)
    dump = os.path.join(A.ROOT, "dump")
    config = {"DumpTo": dump, "ApiPassword": "cfg-pw-7f3a9c1e55",
              "deploy-token": "cfg-tok-0b8e2d4471", "Fleet": "cfg-fleet-9921aa"}
    with A.Emulator(credentials=["%s:%s:%s" % (A.AKID, A.SECRET, TOKEN)]) as emu:
        env = A.environ(emu, AWS_SESSION_TOKEN=TOKEN)
        job, _ = A.queue(emu, "Secrets", config=config)
        ac = job["data"]["artifactCredentials"]
        secrets = {"worker secret key": A.SECRET, "worker session token": TOKEN,
                   "job secret key": ac["secretAccessKey"],
                   "job session token": ac["sessionToken"]}
        ag = A.Agent(emu, "Secrets", handler=handler, san=True, env=env,
                     args=["--once", "--exit-when-idle", "--debug", "--log-level", "debug"])
        rc, log, _ = ag.run(timeout=120)
        v = emu.job(job["id"])
        check("agent_job_succeeded", rc == 0 and v["state"] == "Succeeded", (rc, log[-1500:]))
        check("agent_debug_logs_requests", log.count("\n") > 20, log[-500:])
        henv = read(dump + ".env")
        art = read(dump + ".artifact")
        key = job["data"]["outputArtifacts"][0]["location"]["s3Location"]["objectKey"]
        stored = emu.get_object(A.BUCKET, key).decode("utf-8", "replace")
        check("handler_dumped", "CPJOB_JOB_ID=" + job["id"] in henv
              and "/proc/self/environ" in art and stored == art, (henv[:300], art[:200]))

        # one-shot commands with --debug on a second job
        job2, _ = A.queue(emu, "Secrets2", config=config)
        ac2 = job2["data"]["artifactCredentials"]
        secrets.update({"job 2 secret key": ac2["secretAccessKey"],
                        "job 2 session token": ac2["sessionToken"]})
        at2 = A.at("Secrets2")
        stderrs = []
        rc, out, err = run(env, "poll", "--debug", "--action-type-id", at2)
        stderrs.append(("poll", err))
        polled = json.loads(out)["jobs"] if rc == 0 else []
        check("oneshot_poll", rc == 0 and len(polled) == 1, (rc, err[-800:]))
        nonce = polled[0]["nonce"] if polled else "1"
        for name, args in (("ack", ["ack", "--job-id", job2["id"], "--nonce", nonce]),
                           ("get", ["get", "--job-id", job2["id"]]),
                           ("success", ["success", "--job-id", job2["id"]]),
                           ("failure", ["failure", "--job-id", job2["id"], "--failure-details",
                                        "type=JobFailed,message=x"]),
                           ("poll-third-party", ["poll-third-party", "--action-type-id", at2])):
            rc, out, err = run(env, *(args + ["--debug"]))
            stderrs.append((name, err))
        check("oneshot_debug_output", all("debug:" in e for _, e in stderrs[:3]),
              [e[:200] for _, e in stderrs])

        places = [("agent log", log), ("handler env dump", henv), ("output artifact", art),
                  ("stored artifact", stored)] + [("stderr of cpjob " + n, e) for n, e in stderrs]
        for sname, s in secrets.items():
            found = [p for p, text in places if s in text]
            check("no %s anywhere" % sname, not found, found)
            # a long token cut mid-way would leak its start
            frag = s[:24]
            found = [p for p, text in places if frag in text]
            check("no start of %s anywhere" % sname, not found, found)
        check("handler_env_no_aws_variables", not any(
            ln.startswith("AWS_") for ln in henv.splitlines()), henv[:500])

        own = "\n".join(ln for ln in log.splitlines()
                        if "HANDLER-OUT " not in ln and "HANDLER-ERR " not in ln)
        for k, val in config.items():
            if k == "DumpTo":
                continue
            var = "CPJOB_CONFIG_" + "".join(c if c.isalnum() else "_" for c in k.upper())
            check("config %s in handler env" % k, "%s=%s" % (var, val) in henv, henv[:300])
            check("config %s in no agent log line" % k, val not in own,
                  [ln for ln in own.splitlines() if val in ln][:3])
            check("config %s in no one-shot stderr" % k,
                  not any(val in e for _, e in stderrs),
                  [n for n, e in stderrs if val in e])

    with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
        secret_config(emu)
        proxy_password(emu)


if __name__ == "__main__":
    try:
        main()
    finally:
        A.cleanup()
    sys.exit(A.exit_status())
