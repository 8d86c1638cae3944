#!/usr/bin/python3
"""`cpjob run` and jobs it cannot hand to a handler: never left to time out.

A job whose id and nonce can be read is acknowledged and failed with
ConfigurationError and a message naming the field and why: a
configuration value with U+0000 (a handler's environment cannot hold
it), more input artifacts than the agent's parser keeps, jobs past the
storage of a batch's strings. The handler never runs for them; a good
job polled in the same batch is worked as usual.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402


def failure(v):
    return ((v.get("result") or {}).get("failureDetails") or {})


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            nul = emu.queue_job(provider="BadJobs", configuration={
                "Mode": "ok", "Target": "fleet\u0000-a"}, input_artifacts=[],
                output_artifacts=[])
            many = emu.queue_job(provider="BadJobs", configuration={"Mode": "ok"},
                                 input_artifacts=[A.art("In%d" % i, "k%d" % i, "BadJobs")
                                                  for i in range(9)], output_artifacts=[])
            good, _ = A.queue(emu, "BadJobs", config={"Mode": "ok"})
            rc, log, _ = A.Agent(emu, "BadJobs", args=["--exit-when-idle"]).run()
            v = emu.job(nul["id"])
            f = failure(v)
            check("nul_value_acknowledged_and_failed", rc == 0 and v["state"] == "Failed"
                  and len(v["attempts"]) == 1 and f.get("type") == "ConfigurationError"
                  and f.get("message", "").startswith("configuration value Target contains "
                                                      "U+0000")
                  and "which a handler's environment cannot hold" in f.get("message", ""),
                  (rc, v["state"], f, log[-1500:]))
            v = emu.job(many["id"])
            f = failure(v)
            check("oversized_field_acknowledged_and_failed", rc == 0 and v["state"] == "Failed"
                  and len(v["attempts"]) == 1 and f.get("type") == "ConfigurationError"
                  and "data.inputArtifacts" in f.get("message", "")
                  and "more than 8" in f.get("message", ""), (rc, v["state"], f))
            check("unreadable_jobs_never_reach_the_handler",
                  log.count("running handler") == 1
                  and "job %s: running handler" % good["id"] in log, log[-1500:])
            v = emu.job(good["id"])
            check("good_job_after_them_worked", v["state"] == "Succeeded"
                  and len(v["attempts"]) == 1, (v["state"], v["attempts"]))
            acks = [r for r in emu.requests() if r["operation"] == "AcknowledgeJob"
                    and r.get("jobId") in (nul["id"], many["id"]) and r["status"] == 200]
            check("unreadable_jobs_acknowledged", len(acks) == 2, acks)
            # large jobs (30 KB of strings each): one a poll, each fits the
            # agent's job storage (a job's JSON and the parser's reserve)
            # and is worked whole
            big = {"K%02d" % k: "\u00e9" * 1000 for k in range(15)}
            dump = os.path.join(A.ROOT, "pool")
            jobs = [A.queue(emu, "Pool", config=dict(big, DumpTo="%s%d" % (dump, i)),
                            inputs=0, outputs=0)[0] for i in range(3)]
            rc, log, _ = A.Agent(emu, "Pool", args=["--exit-when-idle"]).run(timeout=180)
            views = [emu.job(j["id"]) for j in jobs]
            done = [i for i, v in enumerate(views) if v["state"] == "Succeeded"]
            check("large_jobs_all_worked", rc == 0 and len(done) == 3,
                  (rc, [v["state"] for v in views], log[-1500:]))
            env = ""
            if done:
                with open("%s%d.env" % (dump, done[-1]), encoding="utf-8") as f:
                    env = f.read()
            check("large_job_handler_got_values_whole",
                  all("CPJOB_CONFIG_K%02d=%s\n" % (k, "\u00e9" * 1000) in env
                      for k in range(15)), env[:300])
            # a nonce that cannot be read: logged with the id and the reason
            bad = emu.queue_job(provider="BadNonce", configuration={"Mode": "ok"},
                                input_artifacts=[], output_artifacts=[],
                                nonce="n" * 80, unchecked=True)
            rc, log, _ = A.Agent(emu, "BadNonce", args=["--exit-when-idle"]).run()
            check("unreadable_nonce_logged_with_id", rc == 0 and "job %s" % bad["id"] in log
                  and "cannot be acknowledged" in log, log[-1000:])
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
