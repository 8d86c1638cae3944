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

Configuration values: the job data does not say which are secret, so the
agent passes every one to the handler (CPJOB_CONFIG_<KEY>) and logs none.
Checked: each value is in the handler's environment, and in no line of the
agent's own log (lines relayed from the handler's stdout/stderr, which
print them on purpose here, are told apart by a marker the handler puts
on each) nor in any one-shot command's stderr.
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


if __name__ == "__main__":
    try:
        main()
    finally:
        A.cleanup()
    sys.exit(A.exit_status())
