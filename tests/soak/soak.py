#!/usr/bin/python3
"""Soak: `cpjob run` against the emulator (TLS) with random faults.

Not part of `make test` (length): `make soak` runs it. Options:
    --minutes M   wall-clock budget (default 15)
    --min-cycles N  PollForJobs requests the run must reach (default 10000)
    --cycles N    stop after N PollForJobs requests (default 0: run the
                  whole time budget)
    --fault-pct P percent of the ticks that add one random fault (default 20)
    --plain-http  plain HTTP instead of TLS

The agent polls with --poll-interval 0.02 (--poll-interval S, default
0.02; the agent accepts down to 0.01 s); it polls again at once after a job.
Every few seconds a burst of 0..8 jobs is queued and, at --fault-pct
percent of the 0.25 s ticks, one fault (throttle, error500, error503, cut,
reset, delay) is armed for one CodePipeline or S3 request (at most two
armed at a time). The agent's RSS
(VmRSS) and open descriptors (/proc/<pid>/fd) are sampled every second.

Checks: the agent is alive at the end; RSS at the end is within 256 KiB of
RSS after the warm-up; the usual (idle) descriptor count of the last
minute is that of the first minute after warm-up, the count after the
drain is not above it and the peak stays under 32; every queued job is
reported exactly once (attempts == 1; Succeeded, or Failed when the
faults outlast the S3 client's retries) after the agent is given time to
drain. Prints PASS/FAIL lines and a summary line "SOAK ...".
"""
import argparse
import json
import os
import random
import signal
import sys
import time

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

PROVIDER = "SoakDeploy"
POLL_INTERVAL = ["0.02"]
HANDLER = """#!/bin/sh
set -u
for n in $CPJOB_OUTPUT_NAMES; do
	v=$(printf '%s' "$n" | tr 'a-z' 'A-Z' | tr -c 'A-Z0-9' '_')
	eval "o=\\${CPJOB_OUTPUT_$v}"
	echo "soak output of $CPJOB_JOB_ID" >"$o"
done
echo "summary=soak" >"$CPJOB_RESULT_FILE"
"""


def proc_figures(pid):
    rss = None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % pid))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--cycles", type=int, default=0)
    ap.add_argument("--min-cycles", type=int, default=10000)
    ap.add_argument("--poll-interval", default="0.02")
    ap.add_argument("--fault-pct", type=float, default=20.0)
    ap.add_argument("--plain-http", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    opt = ap.parse_args()
    POLL_INTERVAL[0] = opt.poll_interval
    seed = opt.seed if opt.seed is not None else int(time.time())
    rnd = random.Random(seed)
    handler = os.path.join(A.ROOT, "soak-handler.sh")
    with open(handler, "w") as f:
        f.write(HANDLER)
    os.chmod(handler, 0o755)
    life = int(opt.minutes * 60) + 600
    emu = A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)], plain_http=opt.plain_http,
                     max_lifetime=life)
    emu.start()
    ag = None
    try:
        emu.config(dispatch_timeout=20, log_limit=200000)
        kms = None if opt.plain_http else A.KMS
        ag = A.Agent(emu, PROVIDER, handler=handler,
                     args=["--log-level", "info", "--cli-read-timeout", "10",
                           "--timeout", "60", "--poll-interval", POLL_INTERVAL[0]])
        ag.start()
        pid = ag.proc.pid
        t0 = time.monotonic()
        end = t0 + opt.minutes * 60
        warm = t0 + 30
        samples = []           # (t, rss, fds)
        queued = []
        faults = {}
        polls = 0
        seq = 0
        next_burst = t0 + 2
        next_sample = t0
        kinds = [("throttle", {}), ("error500", {}), ("error503", {}),
                 ("cut", {"afterBytes": 0}), ("cut", {"afterBytes": 40}),
                 ("reset", {"afterBytes": 0}), ("delay", {"ms": 300})]
        while time.monotonic() < end and (opt.cycles == 0 or polls < opt.cycles):
            now = time.monotonic()
            if ag.proc.poll() is not None:
                break
            if now >= next_sample:
                try:
                    rss, fds = proc_figures(pid)
                    samples.append((now - t0, rss, fds))
                except OSError:
                    pass
                next_sample = now + 1
            if now >= next_burst:
                for _ in range(rnd.choice([0, 0, 1, 2, 4, 8])):
                    job, _ = A.queue(emu, PROVIDER, kms=kms)
                    queued.append(job["id"])
                next_burst = now + rnd.uniform(2, 8)
            # at most two armed faults at a time: they wait for a matching
            # request, and a pile of them would fail every attempt in a row
            if rnd.random() * 100 < opt.fault_pct and sum(
                    1 for f in emu.admin("GET", "faults") if f.get("count", 0) != 0) < 2:
                kind, kw = rnd.choice(kinds)
                svc = rnd.choice(["codepipeline", "codepipeline", "s3"])
                emu.fault(kind, service=svc, **kw)
                faults[kind] = faults.get(kind, 0) + 1
            for r in emu.requests(since=seq):
                seq = max(seq, r["seq"])
                if r.get("operation") == "PollForJobs":
                    polls += 1
            time.sleep(0.25)
        run_s = time.monotonic() - t0
        emu.clear_faults()
        # drain: every queued job reported
        def drained():
            st = {j["id"]: j["state"] for j in emu.jobs()}
            return all(st.get(j) not in ("Queued", "Dispatched", "InProgress")
                       for j in queued)
        A.wait_for(drained, timeout=180, step=1)
        for r in emu.requests(since=seq):
            seq = max(seq, r["seq"])
            if r.get("operation") == "PollForJobs":
                polls += 1
        alive = ag.proc.poll() is None
        try:
            rss_end, fds_end = proc_figures(pid)
        except OSError:
            rss_end, fds_end = None, None
        check("soak_agent_alive", alive, ag.log()[-3000:])
        check("soak_min_cycles", polls >= opt.min_cycles, (polls, opt.min_cycles))
        after = [s for s in samples if s[0] >= 30]
        if len(after) < 2:
            after = samples
        if not after:
            check("soak_samples", False, ag.log()[-2000:])
            return A.exit_status()
        rss_w, fds_w = after[0][1], after[0][2]
        first = [s[2] for s in after if s[0] < after[0][0] + 60]
        last = [s[2] for s in after if s[0] > after[-1][0] - 60]
        check("soak_rss_flat", rss_end is not None and rss_end <= rss_w + 256,
              (rss_w, rss_end))
        # descriptors come and go during a job (sockets, the handler's
        # pipes): the idle count (the most common one) must not move, the
        # count after the drain must be it, and the peak stays small (a
        # leak of one per job would be hundreds)
        def mode(xs):
            return max(set(xs), key=xs.count)
        check("soak_fds_flat", fds_end is not None and mode(first) == mode(last)
              and fds_end <= mode(first) and max(s[2] for s in samples) <= 32,
              (first, last, fds_end))
        allj = {j["id"]: j for j in emu.jobs()}
        views = [allj[j] for j in queued]
        bad = [(v["id"], v["state"], len(v["attempts"])) for v in views
               if v["state"] not in ("Succeeded", "Failed") or len(v["attempts"]) != 1]
        check("soak_every_job_reported_once", not bad, bad[:20])
        failed = [((v.get("result") or {}).get("failureDetails") or {}).get("message", "")
                  for v in views if v["state"] == "Failed"]
        ag.kill(signal.SIGTERM)
        log = ag.log()
        check("soak_agent_stops_cleanly", ag.proc.returncode == 0, log[-2000:])
        summary = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "seed": seed,
            "tls": not opt.plain_http, "seconds": round(run_s), "poll_cycles": polls,
            "jobs": len(queued), "jobs_failed": len(failed),
            "failure_messages": sorted(set(m[:160] for m in failed))[:10], "faults": faults, "fault_total": sum(faults.values()),
            "rss_kib_start": samples[0][1] if samples else None, "rss_kib_warm": rss_w,
            "rss_kib_end": rss_end, "fds_start": samples[0][2] if samples else None,
            "fds_warm": fds_w, "fds_end": fds_end,
            "fds_max": max(s[2] for s in samples) if samples else None,
            "requests": seq,
            "last_log": [ln for ln in log.splitlines() if "peak RSS" in ln][-1:],
        }
        print("SOAK " + json.dumps(summary))
    finally:
        if ag is not None:
            ag.kill()
        A.cleanup()
        emu.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
