#!/usr/bin/python3
"""The one-shot commands against the emulator: the job lifecycle, the
third-party forms, AWS errors, retries, clock-skew correction, parameter
checks, and output identical to Debian's aws CLI for the same response.
"""
import json
import os
import subprocess
import sys

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

CPJOB = os.path.join(os.environ.get("CPJ_BUILD", os.path.join(TOP, "build/host")), "cpjob")
AWS = "/usr/bin/aws"
AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AT = "category=Deploy,owner=Custom,provider=EdgeDeploy,version=1"

results = []


def check(name, cond, detail=""):
    results.append(cond)
    print("%s %s%s" % ("PASS" if cond else "FAIL", name, "" if cond else ": " + str(detail)[:600]))
    sys.stdout.flush()


def environ(emu, **extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
             AWS_CA_BUNDLE=emu.ca_file, AWS_CONFIG_FILE="/dev/null",
             AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true",
             AWS_ENDPOINT_URL=emu.endpoint.replace("127.0.0.1", "localhost"))
    e.update(extra)
    return e


def cpjob(emu, *args, env=None):
    p = subprocess.run([CPJOB] + list(args), env=env or environ(emu), capture_output=True,
                       timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def aws(emu, *args):
    # this aws CLI predates AWS_ENDPOINT_URL: pass the endpoint explicitly
    p = subprocess.run([AWS, "codepipeline"] + list(args) + [
                       "--output", "json", "--endpoint-url",
                       emu.endpoint.replace("127.0.0.1", "localhost")],
                       env=environ(emu), capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def ops_since(emu, since):
    return [r for r in emu.requests(since)]


def main():
    with Emulator() as emu:
        # -- lifecycle: poll, ack, get (== aws), success ---------------------
        job = emu.queue_job(configuration={"Fleet": "line-a", "Note": "é \"quoted\" \\ 😀"},
                            encryption_key="arn:aws:kms:us-east-1:123456789012:key/1234abcd")
        jid = job["id"]
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT, "--max-batch-size", "5")
        check("poll_exit_0", rc == 0, err)
        polled = json.loads(out)["jobs"] if rc == 0 else []
        check("poll_returns_job", len(polled) == 1 and polled[0]["id"] == jid, out)
        nonce = polled[0].get("nonce") if polled else ""
        check("poll_config_unicode", polled and polled[0]["data"]["actionConfiguration"]
              ["configuration"]["Note"] == "é \"quoted\" \\ 😀", out)
        rc, out, err = cpjob(emu, "ack", "--job-id", jid, "--nonce", "wrong-nonce")
        check("ack_wrong_nonce_exit_254", rc == 254, (rc, err))
        check("ack_wrong_nonce_message", "(InvalidNonceException)" in err
              and "AcknowledgeJob" in err, err)
        rc, out, err = cpjob(emu, "ack", "--job-id", jid, "--nonce", nonce)
        check("ack", rc == 0 and json.loads(out) == {"status": "InProgress"}, (rc, out, err))
        rc, out, err = cpjob(emu, "get", "--job-id", jid)
        arc, aout, aerr = aws(emu, "get-job-details", "--job-id", jid)
        check("get_equals_aws_cli", rc == 0 and arc == 0 and json.loads(out) == json.loads(aout),
              (out[:300], aout[:300], err, aerr))
        check("get_text_equals_aws_cli", out == aout, "formatting differs")
        rc, out, err = cpjob(emu, "success", "--job-id", jid,
                             "--current-revision", "revision=rev-42,changeIdentifier=chg-42,"
                             "created=1735787045,revisionSummary=Release 42",
                             "--execution-details", "summary=Deployed é,externalExecutionId=d-1,"
                             "percentComplete=100",
                             "--output-variables", '{"DeployId": "d-1", "Devices": "12"}')
        view = emu.job(jid)
        check("success", rc == 0 and out == "" and view["state"] == "Succeeded", (rc, out, err, view["state"]))
        res = view.get("result", {})
        check("success_recorded", res.get("currentRevision") == {
            "revision": "rev-42", "changeIdentifier": "chg-42", "created": 1735787045,
            "revisionSummary": "Release 42"} and res.get("executionDetails") == {
            "summary": "Deployed é", "externalExecutionId": "d-1", "percentComplete": 100}
              and res.get("outputVariables") == {"DeployId": "d-1", "Devices": "12"}, res)
        rc, out, err = cpjob(emu, "success", "--job-id", jid)
        check("success_twice_invalid_state", rc == 254 and "InvalidJobStateException" in err, (rc, err))

        # -- a result far larger than the client's work buffer: streamed,
        # its signature (over the body's hash) checked by botocore ----------
        big_vars = {"V%02d" % k: ("\u00e9\"x\n" * 400) + str(k) for k in range(24)}
        job = emu.queue_job(provider="Big")
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT.replace("EdgeDeploy", "Big"))
        polled = json.loads(out)["jobs"] if rc == 0 else []
        rc, out, err = cpjob(emu, "ack", "--job-id", job["id"], "--nonce",
                             polled[0]["nonce"] if polled else "")
        rc, out, err = cpjob(emu, "success", "--job-id", job["id"], "--output-variables",
                             json.dumps(big_vars, ensure_ascii=False))
        view = emu.job(job["id"])
        check("success_large_output_variables", rc == 0 and view["state"] == "Succeeded"
              and view.get("result", {}).get("outputVariables") == big_vars,
              (rc, err, view["state"]))

        # -- one large job among small ones, in a poll of 50 slots -----------
        # 32 KB of configuration strings (16 values of 1,000 "é"): more than
        # an equal share of the jobs' storage, read whole as the small ones
        big_cfg = {"K%02d" % k: "\u00e9" * 1000 for k in range(16)}
        ids = [emu.queue_job(provider="Pool", configuration={"Mode": "small %d" % k})["id"]
               for k in range(2)]
        ids.append(emu.queue_job(provider="Pool", configuration=big_cfg)["id"])
        ids += [emu.queue_job(provider="Pool", configuration={"Mode": "small %d" % k})["id"]
                for k in range(2, 4)]
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT.replace("EdgeDeploy", "Pool"),
                             "--max-batch-size", "50")
        polled = json.loads(out)["jobs"] if rc == 0 else []
        check("poll_large_job_among_small_whole", rc == 0 and err == ""
              and sorted(j["id"] for j in polled) == sorted(ids)
              and all(j["data"] == emu.job(j["id"])["data"] for j in polled)
              and [j["data"]["actionConfiguration"]["configuration"] for j in polled
                   if j["id"] == ids[2]] == [big_cfg], (rc, err[:300], out[:300]))

        # -- failure -------------------------------------------------------
        jid2 = emu.queue_job()["id"]
        rc, out, err = cpjob(emu, "poll-for-jobs", "--action-type-id", AT)
        nonce2 = json.loads(out)["jobs"][0]["nonce"] if rc == 0 else ""
        cpjob(emu, "acknowledge-job", "--job-id", jid2, "--nonce", nonce2)
        rc, out, err = cpjob(emu, "failure", "--job-id", jid2, "--failure-details",
                             'type=JobFailed,message="3 of 12 failed: é, x",externalExecutionId=d-2')
        view = emu.job(jid2)
        check("failure", rc == 0 and view["state"] == "Failed" and view["result"]["failureDetails"] == {
            "type": "JobFailed", "message": "3 of 12 failed: é, x", "externalExecutionId": "d-2"},
              (rc, err, view.get("result")))

        # -- errors and parameter checks -------------------------------------
        rc, out, err = cpjob(emu, "get", "--job-id", "00000000-0000-0000-0000-000000000000")
        check("job_not_found", rc == 254 and "(JobNotFoundException)" in err, (rc, err))
        n0 = len(emu.requests())
        rc, out, err = cpjob(emu, "ack", "--job-id", "NOT-A-JOB", "--nonce", "1")
        check("bad_job_id_rejected_locally", rc == 252 and "jobId" in err
              and len(emu.requests()) == n0, (rc, err))
        rc, out, err = cpjob(emu, "failure", "--job-id", jid2, "--failure-details",
                             "type=Oops,message=x")
        check("bad_failure_type_rejected_locally", rc == 252 and "failureDetails.type" in err, (rc, err))
        rc, out, err = cpjob(emu, "poll", "--action-type-id", "category=Deploy,owner=Custom")
        check("missing_provider_rejected", rc == 252 and "provider" in err, (rc, err))
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT, "--bogus")
        check("unknown_option", rc == 252, (rc, err))

        # -- retries -----------------------------------------------------------
        emu.queue_job()
        emu.fault("throttle", operation="PollForJobs", count=2)
        since = len(emu.requests())
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT)
        reqs = emu.requests()[since:]
        check("throttling_retried", rc == 0 and len(json.loads(out)["jobs"]) == 1
              and len(reqs) == 3, (rc, err, len(reqs)))
        emu.fault("throttle", operation="PollForJobs", count=1)
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT,
                             env=environ(emu, AWS_MAX_ATTEMPTS="1"))
        check("throttling_max_attempts_1", rc == 254 and "Throttling" in err, (rc, err))
        emu.fault("error503", operation="GetJobDetails", count=2)
        rc, out, err = cpjob(emu, "get", "--job-id", jid)
        check("503_retried", rc == 0, (rc, err))
        emu.fault("error500", operation="GetJobDetails", count=5)
        rc, out, err = cpjob(emu, "get", "--job-id", jid)
        check("500_gives_up_after_3", rc == 254, (rc, err))
        emu.clear_faults()

        # -- clock skew: the device clock is a day off -------------------------
        for skew in (86400, -86400, 3600):
            emu.config(clock_skew=skew)
            since = len(emu.requests())
            rc, out, err = cpjob(emu, "get", "--job-id", jid)
            reqs = emu.requests()[since:]
            check("clock_skew_%+d_corrected" % skew, rc == 0 and len(reqs) == 2, (rc, err, len(reqs)))
        emu.config(clock_skew=0)

        # -- continuation --------------------------------------------------
        jid3 = emu.queue_job()["id"]
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT)
        j = json.loads(out)["jobs"][0]
        cpjob(emu, "ack", "--job-id", j["id"], "--nonce", j["nonce"])
        rc, out, err = cpjob(emu, "success", "--job-id", jid3, "--continuation-token", "phase=2",
                             "--execution-details", "summary=half,percentComplete=50")
        check("continuation_accepted", rc == 0, (rc, err))
        rc, out, err = cpjob(emu, "poll", "--action-type-id", AT)
        again = json.loads(out)["jobs"] if rc == 0 else []
        check("continuation_comes_back", len(again) == 1 and
              again[0]["data"].get("continuationToken") == "phase=2", out)
        if again:
            cpjob(emu, "ack", "--job-id", again[0]["id"], "--nonce", again[0]["nonce"])
            rc, out, err = cpjob(emu, "success", "--job-id", again[0]["id"])
            check("continuation_finished", rc == 0, (rc, err))
        rc, out, err = cpjob(emu, "success", "--job-id", jid, "--continuation-token", "x",
                             "--output-variables", "a=b")
        check("output_variables_with_token_rejected", rc == 252, (rc, err))

        # -- third-party forms -----------------------------------------------
        tp = emu.queue_job(owner="ThirdParty", provider="Partner", thirdParty=True)
        tat = "category=Deploy,owner=ThirdParty,provider=Partner,version=1"
        rc, out, err = cpjob(emu, "poll-third-party", "--action-type-id", tat)
        arc = 0
        polled = json.loads(out)["jobs"] if rc == 0 else []
        check("third_party_poll", len(polled) == 1 and set(polled[0]) == {"clientId", "jobId"}, out)
        token = emu.job(tp["id"])["clientToken"]
        rc, out, err = cpjob(emu, "get-third-party", "--job-id", tp["id"], "--client-token", token)
        arc, aout, aerr = aws(emu, "get-third-party-job-details", "--job-id", tp["id"],
                              "--client-token", token)
        check("third_party_get_equals_aws_cli", rc == 0 and arc == 0 and
              json.loads(out) == json.loads(aout), (out[:200], aout[:200], err, aerr))
        tnonce = json.loads(out)["jobDetails"].get("nonce") if rc == 0 else ""
        rc, out, err = cpjob(emu, "ack-third-party", "--job-id", tp["id"], "--nonce", tnonce,
                             "--client-token", "wrong")
        check("third_party_bad_token", rc == 254 and "InvalidClientTokenException" in err, (rc, err))
        rc, out, err = cpjob(emu, "ack-third-party", "--job-id", tp["id"], "--nonce", tnonce,
                             "--client-token", token)
        check("third_party_ack", rc == 0 and json.loads(out)["status"] == "InProgress", (rc, out, err))
        rc, out, err = cpjob(emu, "success-third-party", "--job-id", tp["id"], "--client-token", token,
                             "--execution-details", "summary=done")
        check("third_party_success", rc == 0 and emu.job(tp["id"])["state"] == "Succeeded", (rc, err))

        # -- expired credentials --------------------------------------------
        emu.expire_credentials(AKID)
        rc, out, err = cpjob(emu, "get", "--job-id", jid)
        check("expired_token", rc == 254 and "ExpiredToken" in err, (rc, err))
        emu.expire_credentials(AKID, expired=False)

        # -- every request was signed correctly ------------------------------
        bad = [r for r in emu.requests() if r.get("sigOk") is False]
        check("all_signatures_verified", not bad, bad[:2])
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
