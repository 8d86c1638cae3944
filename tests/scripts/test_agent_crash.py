#!/usr/bin/python3
"""`cpjob run` killed with SIGKILL in each phase of a job (acknowledge,
download, handler, upload, report), then started again: every job the
agent acknowledged is reported exactly once (one entry in the emulator's
`attempts`) and its handler runs once, as the state-file table of
docs/agent.md says:

  - acking, acked, downloading: resumed (acknowledged again, fresh data
    from GetJobDetails, inputs downloaded again, the handler run);
  - handler: failure "agent restarted during the handler", unless the
    handler left a continuation token in its result file (then success
    with that token, and the job continues);
  - uploading: the outputs uploaded again, the recorded outcome sent;
  - reporting: the recorded report is sent (again); an
    InvalidJobStateException answer means it had arrived.

The agent is held in a phase by the emulator's fault knobs (a trickled
GetObject, delayed answers), or by a handler that sleeps; no test hook
in the agent.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402


def fault_hit(emu, op):
    return any(f["hits"] > 0 for f in emu.admin("GET", "faults")
               if f.get("operation") == op)


def handler_runs(log, jid):
    return log.count("job %s: running handler" % jid)


def crash(emu, name, provider, config, phase, fault=None, op=None, inputs=1,
          want_state="Failed", want_msg=None, want_token=None, want_runs=1):
    """Queue a job, run the agent until `phase` (and the fault on `op` is
    being served), kill -9, clear faults, restart with --exit-when-idle."""
    job, _ = A.queue(emu, provider, config=config, inputs=inputs)
    jid = job["id"]
    if fault is not None:
        emu.fault(fault.pop("kind"), operation=op, count=-1, **fault)
    ag = A.Agent(emu, provider).start()
    in_phase = ag.wait_state(phase, timeout=30)
    if op is not None:
        in_phase = in_phase and A.wait_for(lambda: fault_hit(emu, op), timeout=20)
    time.sleep(0.3)
    state = ag.state_text()
    pgid = 0
    for line in state.splitlines():
        if line.startswith("handler_pid="):
            pgid = int(line.split("=", 1)[1])
    ag.kill()
    emu.clear_faults()
    check("%s_killed_in_phase_%s" % (name, phase), in_phase and ag.proc.returncode == -9,
          (in_phase, state, ag.log()[-1500:]))
    rc, log, secs = ag.run("--exit-when-idle", timeout=60)
    v = emu.job(jid)
    res = v.get("result") or {}
    msg = (res.get("failureDetails") or {}).get("message", "")
    ok = rc == 0 and v["state"] == want_state and len(v["attempts"]) == 1
    if want_msg is not None:
        ok = ok and want_msg in msg
    if want_token is not None:
        ok = ok and res.get("continuationToken") == want_token
    check("%s_reported_exactly_once" % name, ok, (rc, v["state"], v["attempts"], log[-2000:]))
    runs = handler_runs(log, jid)      # (the log of both runs)
    check("%s_handler_ran_once" % name, runs == want_runs, (runs, log[-1500:]))
    if want_state == "Succeeded" and inputs and not want_token:
        outs = [r for r in emu.requests() if r["operation"] == "PutObject"
                and r.get("status") == 200 and r.get("key", "").startswith("p-%s/" % provider)]
        check("%s_output_uploaded" % name, len(outs) >= 1, outs)
    check("%s_state_and_work_dir_cleared" % name, not os.path.exists(ag.state)
          and not os.listdir(ag.work), (ag.state_text(), os.listdir(ag.work)))
    if pgid:
        # the handler died with the agent; what it started was killed by
        # the restarted agent
        check("%s_handler_group_killed_at_restart" % name, "killing handler process group %d"
              % pgid in log and A.wait_for(lambda: not A.group_members(pgid), 5),
              (A.group_members(pgid), log[-1000:]))
    return v, log


def random_kills(emu, kills=12):
    """kill -9 at random moments while a batch of jobs is worked (every
    request delayed, so that each phase is hit), restarting each time;
    then run until idle. Every job: reported once, and Succeeded with its
    handler run once, or Failed because the kill hit its handler phase,
    the handler run at most once."""
    seed = int(os.environ.get("CPJ_CRASH_SEED", "0")) or random.randrange(1, 1 << 30)
    rnd = random.Random(seed)
    print("random kills: seed %d (CPJ_CRASH_SEED to repeat)" % seed)
    jobs = [A.queue(emu, "CrashRandom", config={"Mode": "sleep", "Sleep": "0.4"})[0]["id"]
            for _ in range(8)]
    emu.fault("delay", ms=150, count=-1)
    # a job polled but killed before its acknowledgement was recorded is
    # offered again by the service, as CodePipeline does
    emu.config(dispatch_timeout=2)
    ag = A.Agent(emu, "CrashRandom")
    phases = set()
    for _ in range(kills):
        ag.start()
        deadline = time.monotonic() + rnd.uniform(0.2, 1.6)
        while time.monotonic() < deadline and ag.proc.poll() is None:
            for line in ag.state_text().splitlines():
                if line.startswith("phase="):
                    phases.add(line[6:])
            time.sleep(0.02)
        ag.kill()
        ag.log_f.close()
    emu.clear_faults()
    time.sleep(2.5)
    rc, log, _ = ag.run("--exit-when-idle", timeout=120)
    emu.config(dispatch_timeout=0)
    bad = []
    for jid in jobs:
        v = emu.job(jid)
        msg = ((v.get("result") or {}).get("failureDetails") or {}).get("message", "")
        runs = handler_runs(log, jid)
        # a kill between the state file's "handler" phase and the spawn
        # leaves a job whose handler never ran: it is failed as
        # interrupted during the handler (at most once, never twice)
        ok = len(v["attempts"]) == 1 and (
            (v["state"] == "Succeeded" and runs == 1)
            or (v["state"] == "Failed" and "during the handler" in msg and runs <= 1))
        if not ok:
            bad.append((jid, v["state"], len(v["attempts"]), runs, msg))
    check("random_kills_every_job_reported_once_handler_once", rc == 0 and not bad,
          (seed, rc, bad, log[-1500:]))
    check("random_kills_state_and_work_dir_cleared", not os.path.exists(ag.state)
          and not os.listdir(ag.work), (seed, os.listdir(ag.work)))
    print("random kills: phases seen at kill time: %s" % sorted(phases))


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            crash(emu, "acknowledge", "CrashAck", {"Mode": "ok"}, "acking",
                  fault={"kind": "delay", "ms": 20000}, op="AcknowledgeJob",
                  want_state="Succeeded")
            crash(emu, "download", "CrashGet", {"Mode": "ok"}, "downloading",
                  fault={"kind": "trickle", "intervalMs": 200, "bytes": 1}, op="GetObject",
                  want_state="Succeeded")
            crash(emu, "handler", "CrashRun", {"Mode": "sleep", "Sleep": "120"}, "handler",
                  want_msg="agent restarted during the handler")
            v, log = crash(emu, "handler_token", "CrashToken", {"Mode": "tokensleep"},
                           "handler", want_state="Succeeded", want_token="resume-me")
            nxt = emu.job(v["continuedBy"]) if v.get("continuedBy") else {}
            check("handler_token_job_continues", nxt.get("state") == "Succeeded"
                  and (nxt.get("result") or {}).get("executionDetails", {}).get("summary")
                  == "resumed with resume-me", (nxt.get("state"), nxt.get("result")))
            crash(emu, "upload", "CrashPut", {"Mode": "ok"}, "uploading",
                  fault={"kind": "delay", "ms": 20000}, op="PutObject",
                  want_state="Succeeded")
            v, log = crash(emu, "report", "CrashReport", {"Mode": "ok"}, "reporting",
                           fault={"kind": "delay", "ms": 20000}, op="PutJobSuccessResult",
                           want_state="Succeeded")
            check("report_resent_and_found_done", "no longer in progress" in log
                  and (v.get("result") or {}).get("executionDetails", {}).get(
                      "summary") == "deployed é to nowhere", (v.get("result"), log[-800:]))
            crash(emu, "failure_report", "CrashFail", {"Mode": "fail"}, "reporting",
                  fault={"kind": "delay", "ms": 20000}, op="PutJobFailureResult",
                  want_msg="handler exited with status 3")
            # the report never reached CodePipeline (503s): the restarted
            # agent sends the recorded one
            v, log = crash(emu, "report_unsent", "CrashUnsent", {"Mode": "ok"}, "reporting",
                           fault={"kind": "error503"}, op="PutJobSuccessResult",
                           want_state="Succeeded")
            check("report_unsent_sent_from_state", (v.get("result") or {}).get(
                "outputVariables", {}).get("JobId") == v["id"], v.get("result"))
            random_kills(emu)
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
