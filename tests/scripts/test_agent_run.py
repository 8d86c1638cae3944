#!/usr/bin/python3
"""`cpjob run` against the emulator: the full lifecycle (artifacts, handler
environment, SSE-KMS, report), handler failures and time limits, result
file checks, continuation across two polls, credentials that expire
during a job, addressing styles, plain HTTP, throttling, signals, the
config file and the state-file lock.
"""
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

TMP = A.ROOT


def view(emu, jid):
    return emu.job(jid)


def objects(emu):
    return {o["key"]: o for o in emu.admin("GET", "objects")}


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def env_of(prefix):
    out = {}
    for line in read(prefix + ".env").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def failure(v):
    return ((v.get("result") or {}).get("failureDetails") or {})


def test_lifecycle(emu):
    dump = os.path.join(TMP, "life")
    job, blobs = A.queue(emu, "LifeCycle", inputs=2, outputs=2, config={
        "Mode": "ok", "Fleet": "line-a", "DumpTo": dump, "secret-key.1": "s3cr3t-value"})
    jid = job["id"]
    creds = job["data"]["artifactCredentials"]
    ag = A.Agent(emu, "LifeCycle", san=True, args=["--once", "--exit-when-idle"])
    rc, log, secs = ag.run(timeout=120)
    v = view(emu, jid)
    check("lifecycle_exit_0", rc == 0, (rc, log[-2000:]))
    check("lifecycle_succeeded_once", v["state"] == "Succeeded" and len(v["attempts"]) == 1,
          (v["state"], v["attempts"], log[-2000:]))
    res = v.get("result") or {}
    check("lifecycle_execution_details", res.get("executionDetails") == {
        "summary": "deployed é to line-a", "externalExecutionId": "ext-" + jid,
        "percentComplete": 100}, res)
    check("lifecycle_output_variables", res.get("outputVariables") == {
        "JobId": jid, "Fleet": "line-a"}, res)
    objs = objects(emu)
    outs = [objs.get(a["location"]["s3Location"]["objectKey"])
            for a in job["data"]["outputArtifacts"]]
    check("lifecycle_outputs_stored", all(o is not None for o in outs), list(objs))
    ok = all(o and o["sse"] == "aws:kms" and o["kmsKeyId"] == A.KMS for o in outs)
    check("lifecycle_outputs_sse_kms_key", ok, outs)
    check("lifecycle_outputs_artifact_credentials", all(
        o and o["uploadedBy"] == creds["accessKeyId"] for o in outs), outs)
    check("lifecycle_outputs_unsigned_payload_over_tls", all(
        o and o["payload"] == "UNSIGNED-PAYLOAD" for o in outs), outs)
    body = emu.get_object(A.BUCKET, job["data"]["outputArtifacts"][1]["location"]
                          ["s3Location"]["objectKey"])
    check("lifecycle_output_content", body == ("output Out1 of job %s\n" % jid).encode(), body)
    got = dict(line.split() for line in read(dump + ".inputs").splitlines())
    check("lifecycle_inputs_downloaded", got == {
        n: hashlib.sha256(b).hexdigest() for n, b in blobs.items()}, (got, list(blobs)))
    env = env_of(dump)
    work = os.path.join(ag.work, jid)
    want = {
        "CPJOB_JOB_ID": jid, "CPJOB_ACCOUNT_ID": job["accountId"],
        "CPJOB_PIPELINE_NAME": "edge-pipeline",
        "CPJOB_PIPELINE_ARN": "arn:aws:codepipeline:us-east-1:123456789012:edge-pipeline",
        "CPJOB_PIPELINE_EXECUTION_ID": "020a9bb4-7896-4099-8218-b02c73af8f0e",
        "CPJOB_STAGE_NAME": "Deploy", "CPJOB_ACTION_NAME": "Deploy",
        "CPJOB_ACTION_EXECUTION_ID": "2ae48fe6-9fde-4eed-9312-9ae3e5db5369",
        "CPJOB_ACTION_PROVIDER": "LifeCycle", "CPJOB_ACTION_CATEGORY": "Deploy",
        "CPJOB_CONFIG_MODE": "ok", "CPJOB_CONFIG_FLEET": "line-a",
        "CPJOB_CONFIG_SECRET_KEY_1": "s3cr3t-value",
        "CPJOB_INPUT_DIR": work + "/in", "CPJOB_INPUT_IN0": work + "/in/In0",
        "CPJOB_INPUT_IN1": work + "/in/In1", "CPJOB_INPUT_NAMES": "In0 In1",
        "CPJOB_REVISION_IN0": "rev-In0",
        "CPJOB_OUTPUT_DIR": work + "/out", "CPJOB_OUTPUT_OUT0": work + "/out/Out0",
        "CPJOB_OUTPUT_OUT1": work + "/out/Out1", "CPJOB_OUTPUT_NAMES": "Out0 Out1",
        "CPJOB_RESULT_FILE": work + "/result", "CPJOB_WORK_DIR": work,
        "TMPDIR": work + "/tmp",
    }
    bad = {k: (env.get(k), w) for k, w in want.items() if env.get(k) != w}
    check("lifecycle_handler_environment", not bad, bad)
    check("lifecycle_no_continuation_token_var", "CPJOB_CONTINUATION_TOKEN" not in env,
          env.get("CPJOB_CONTINUATION_TOKEN"))
    check("lifecycle_clean_environment", not [k for k in env if k.startswith("AWS_")]
          and set(env) - set(want) <= {"PATH", "HOME", "LANG", "PWD", "OLDPWD", "SHLVL", "_",
                                       "CPJOB_TIMEOUT", "CPJOB_CONFIG_DUMPTO",
                                       "CPJOB_ACTION_VERSION", "CPJOB_REVISION_IN1"},
          sorted(env))
    envtext = read(dump + ".env")
    leaked = [s for s in (creds["accessKeyId"], creds["secretAccessKey"],
                          creds["sessionToken"], A.SECRET) if s in envtext]
    check("lifecycle_no_credentials_in_handler_env", not leaked, leaked)
    fds = read(dump + ".fds")
    check("lifecycle_no_descriptor_leak", fds and "socket:" not in fds and ".lock" not in fds
          and "state" not in fds, fds)
    check("lifecycle_cwd_is_work_dir", read(dump + ".cwd").strip() == work, read(dump + ".cwd"))
    check("lifecycle_work_dir_and_state_removed", not os.path.exists(work)
          and not os.path.exists(ag.state), (os.listdir(ag.work), ag.state_text()))
    leaked = [s for s in (creds["secretAccessKey"], creds["sessionToken"], A.SECRET,
                          "s3cr3t-value") if s in log]
    check("lifecycle_log_has_no_secrets", not leaked, leaked)
    check("lifecycle_log_lines", "reported success" in log and "handler stdout: handler ok"
          in log and "handler stderr: a line on stderr" in log and "download In0" in log
          and "upload Out1" in log, log[-3000:])
    reqs = [r for r in emu.requests() if r.get("jobId") == jid or r.get("key", "").startswith(
        "p-LifeCycle/")]
    check("lifecycle_signatures_verified", reqs and all(r["sigOk"] for r in reqs),
          [(r["operation"], r["sigOk"]) for r in reqs])


def test_failures(emu):
    job, _ = A.queue(emu, "Failing", config={"Mode": "fail"})
    job2, _ = A.queue(emu, "Failing", config={"Mode": "fail", "FailType": "ConfigurationError"})
    job3, _ = A.queue(emu, "Failing", config={"Mode": "failmsg"})
    rc, log, secs = A.Agent(emu, "Failing", args=["--exit-when-idle"]).run()
    v = view(emu, job["id"])
    f = failure(v)
    check("failure_reported", rc == 0 and v["state"] == "Failed" and len(v["attempts"]) == 1,
          (rc, v["state"], log[-1500:]))
    msg = f.get("message", "")
    check("failure_message_is_stderr_tail", f.get("type") == "JobFailed"
          and msg.startswith("handler exited with status 3: ")
          and msg.endswith("error: the device rejected the image (é)")
          and 900 <= len(msg.encode()) <= 1100 and "progress on stdout" not in msg,
          (f.get("type"), len(msg), msg[:120], msg[-80:]))
    f2 = failure(view(emu, job2["id"]))
    check("failure_type_from_result_file", f2.get("type") == "ConfigurationError"
          and f2.get("externalExecutionId") == "fail-ext"
          and f2.get("message", "").endswith("(é)"), f2)
    f3 = failure(view(emu, job3["id"]))
    check("failure_message_from_result_file_whole", f3.get("type") == "RevisionUnavailable"
          and f3.get("message") == "€" * 4000, (f3.get("type"), len(f3.get("message", ""))))


def test_timeouts(emu):
    dump = os.path.join(TMP, "trap")
    job, _ = A.queue(emu, "Slow", config={"Mode": "sleep", "Sleep": "60"})
    rc, log, secs = A.Agent(emu, "Slow", args=["--once", "--exit-when-idle", "--timeout", "1"]
                            ).run()
    f = failure(view(emu, job["id"]))
    check("timeout_reported", rc == 0 and f.get("message", "").startswith(
        "handler timed out after 1 s") and secs < 15, (rc, f, secs, log[-1000:]))
    job, _ = A.queue(emu, "Stubborn", config={"Mode": "trapterm", "DumpTo": dump})
    rc, log, secs = A.Agent(emu, "Stubborn", args=["--once", "--exit-when-idle", "--timeout",
                                                    "1", "--kill-grace", "1"]).run()
    f = failure(view(emu, job["id"]))
    child = int(read(dump + ".child") or 0)
    check("timeout_sigkill_after_grace", rc == 0 and f.get("message", "").startswith(
        "handler timed out after 1 s") and "SIGKILL" in log and secs < 15, (rc, f, secs))
    check("timeout_whole_group_killed", child > 0 and A.wait_for(
        lambda: not A.pid_alive(child), timeout=5), child)
    A.kill_pid_file(dump + ".child")


def test_background(emu):
    dump = os.path.join(TMP, "bg")
    job, _ = A.queue(emu, "Background", config={"Mode": "background", "DumpTo": dump})
    rc, log, secs = A.Agent(emu, "Background", args=["--once", "--exit-when-idle"]).run()
    v = view(emu, job["id"])
    child = int(read(dump + ".child") or 0)
    check("background_process_does_not_hold_the_job", rc == 0 and v["state"] == "Succeeded"
          and secs < 10, (rc, v["state"], secs, log[-1000:]))
    check("background_process_killed", child > 0 and not A.pid_alive(child), child)
    A.kill_pid_file(dump + ".child")


def test_continuation(emu):
    dump = os.path.join(TMP, "cont")
    job, _ = A.queue(emu, "Continue", config={"Mode": "continue", "DumpTo": dump})
    rc, log, secs = A.Agent(emu, "Continue", args=["--exit-when-idle"]).run()
    v1 = view(emu, job["id"])
    r1 = v1.get("result") or {}
    nxt = v1.get("continuedBy")
    check("continuation_first_reported", v1["state"] == "Succeeded" and r1.get(
        "continuationToken") == "step-2" and r1.get("executionDetails", {}).get(
        "percentComplete") == 50 and "outputVariables" not in r1, (v1["state"], r1))
    v2 = view(emu, nxt) if nxt else {}
    r2 = v2.get("result") or {}
    check("continuation_second_poll_finishes", rc == 0 and v2.get("state") == "Succeeded"
          and r2.get("outputVariables") == {"Steps": "2"} and len(v2["attempts"]) == 1,
          (rc, v2.get("state"), r2, log[-1500:]))
    check("continuation_token_in_environment", env_of(dump).get(
        "CPJOB_CONTINUATION_TOKEN") == "step-2", env_of(dump).get("CPJOB_CONTINUATION_TOKEN"))
    out = job["data"]["outputArtifacts"][0]["location"]["s3Location"]["objectKey"]
    check("continuation_output_after_final_step", objects(emu).get(out) is not None)


def test_results(emu):
    cases = {
        "badresult": "percent_complete must be an integer 0..100",
        "unknownkey": "unknown key 'summry'",
        "bigresult": "result file larger than 65536 bytes",
        "varsandtoken": "cannot be combined with a continuation_token",
        "noout": "output artifact Out0 missing",
        "symlinkout": "output artifact Out0 is not a regular file",
        "fiforesult": "result file unreadable: not a regular file",
        "flood": "the last words",
        "signal": "handler killed by signal 11 (SIGSEGV)",
    }
    jobs = {m: A.queue(emu, "Results", config={"Mode": m})[0]["id"] for m in cases}
    # two configuration keys that give the same variable: fails before
    # any download
    cases["envclash"] = "gives the variable CPJOB_CONFIG_DEPLOY_TARGET, which another"
    jobs["envclash"] = A.queue(emu, "Results", config={
        "Mode": "ok", "deploy-target": "a", "Deploy_Target": "b"})[0]["id"]
    since = emu.requests()[-1]["seq"]
    rc, log, secs = A.Agent(emu, "Results", san=True, args=[
        "--exit-when-idle"]).run(timeout=120)
    check("results_agent_exit_0", rc == 0, (rc, log[-2000:]))
    for m, want in cases.items():
        v = view(emu, jobs[m])
        f = failure(v)
        check("result_" + m, v["state"] == "Failed" and want in f.get("message", "")
              and len(v["attempts"]) == 1, (v["state"], f))
    polls = [r for r in emu.requests(since) if r["operation"] == "PollForJobs"]
    # 10 jobs, one a poll (run's only batch size), then an empty poll
    check("results_one_job_a_poll", len(polls) == 11 and all(
        r.get("maxBatchSize") in (None, 1) for r in polls), polls[:2])


def test_download_failure(emu):
    job = emu.queue_job(provider="Missing", configuration={"Mode": "ok"},
                        input_artifacts=[A.art("In0", "nokey", "Missing")],
                        output_artifacts=[])
    rc, log, secs = A.Agent(emu, "Missing", args=["--once", "--exit-when-idle"]).run()
    f = failure(view(emu, job["id"]))
    check("download_failure_reported", rc == 0 and f.get("message", "").startswith(
        "input artifact In0: s3://%s/p-Missing/In0/nokey: NoSuchKey (HTTP 404)" % A.BUCKET),
          (rc, f, log[-800:]))


def test_expired_credentials(emu):
    job, _ = A.queue(emu, "Rotate", config={"Mode": "sleep", "Sleep": "2"})
    old = job["data"]["artifactCredentials"]["accessKeyId"]
    ag = A.Agent(emu, "Rotate", args=["--once", "--exit-when-idle"]).start()
    ok = ag.wait_state("handler")
    new = emu.admin("POST", "jobs/%s/rotate-credentials" % job["id"])["accessKeyId"]
    rc = ag.wait(60)
    v = view(emu, job["id"])
    reqs = [r for r in emu.requests() if r.get("jobId") == job["id"]
            or r.get("key", "").startswith("p-Rotate/")]
    ops = [(r["operation"], r["status"], r.get("accessKey")) for r in reqs]
    put_ok = [r for r in reqs if r["operation"] == "PutObject" and r["status"] == 200]
    check("expired_credentials_refreshed", ok and rc == 0 and v["state"] == "Succeeded"
          and ("PutObject", 400, old) in ops and ("GetJobDetails", 200, None) in [
              (o, s, None) for o, s, _ in ops] and put_ok and put_ok[0]["accessKey"] == new,
          (ops, ag.log()[-1500:]))
    job, _ = A.queue(emu, "Stale", config={"Mode": "ok"})
    rc, log, secs = A.Agent(emu, "Stale", args=["--once", "--exit-when-idle",
                                                 "--credentials-max-age", "0"]).run()
    ops = [r["operation"] for r in emu.requests() if r.get("jobId") == job["id"]
           or r.get("key", "").startswith("p-Stale/")]
    check("credentials_max_age_refetch", rc == 0 and ops.count("GetJobDetails") >= 2
          and view(emu, job["id"])["state"] == "Succeeded", ops)


def test_addressing(emu):
    job, _ = A.queue(emu, "Vhost", config={"Mode": "ok"})
    env = A.environ(emu, AWS_ENDPOINT_URL=emu.endpoint.replace("127.0.0.1", "localhost"))
    rc, log, secs = A.Agent(emu, "Vhost", env=env, args=[
        "--once", "--exit-when-idle", "--s3-addressing", "virtual"]).run()
    s3 = [r for r in emu.requests() if r.get("key", "").startswith("p-Vhost/")]
    check("virtual_hosted_addressing", rc == 0 and s3 and all(
        r["addressing"] == "virtual" and r["status"] == 200 for r in s3)
          and view(emu, job["id"])["state"] == "Succeeded",
          ([(r["operation"], r["addressing"], r["status"]) for r in s3], log[-800:]))
    job, _ = A.queue(emu, "Pathstyle", config={"Mode": "ok"})
    env = A.environ(emu, AWS_ENDPOINT_URL="https://127.0.0.1:1",
                    AWS_ENDPOINT_URL_CODEPIPELINE=emu.endpoint)
    rc, log, secs = A.Agent(emu, "Pathstyle", env=env, args=[
        "--once", "--exit-when-idle", "--s3-endpoint-url",
        emu.endpoint.replace("127.0.0.1", "localhost"), "--s3-addressing", "path"]).run()
    s3 = [r for r in emu.requests() if r.get("key", "").startswith("p-Pathstyle/")]
    check("path_style_addressing_and_s3_endpoint_flag", rc == 0 and s3 and all(
        r["addressing"] == "path" and r["status"] == 200 for r in s3), (
        [(r["operation"], r["addressing"]) for r in s3], log[-800:]))


def test_plain_http():
    with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)], plain_http=True) as emu:
        emu.config(kms_requires_tls=False)
        job, _ = A.queue(emu, "Plain", config={"Mode": "ok"})
        env = A.environ(emu)
        env.pop("AWS_CA_BUNDLE")
        rc, log, secs = A.Agent(emu, "Plain", env=env, args=["--once", "--exit-when-idle"]).run()
        out = job["data"]["outputArtifacts"][0]["location"]["s3Location"]["objectKey"]
        o = objects(emu).get(out) or {}
        check("plain_http_hashed_payload", rc == 0 and o.get("payload") == "sha256"
              and view(emu, job["id"])["state"] == "Succeeded", (o, log[-800:]))


def test_progress(emu):
    # a 3 MiB input trickled in 64 KiB pieces: about 6 s, so the
    # download logs its progress (every 5 s)
    job, _ = A.queue(emu, "Progress", config={"Mode": "ok"},
                     zip_files={"big.bin": os.urandom(3 << 20)})
    emu.fault("trickle", operation="GetObject", count=1, bytes=65536, intervalMs=125)
    rc, log, secs = A.Agent(emu, "Progress", args=["--once", "--exit-when-idle"]).run()
    emu.clear_faults()
    check("transfer_progress_logged", rc == 0 and re.search(
        r"info: download In0: 30\d\d of 30\d\d KiB \(100%\)", log) and view(emu, job["id"])["state"] == "Succeeded", (rc, secs, log[-1200:]))


def test_throttling(emu):
    job, _ = A.queue(emu, "Throttled", config={"Mode": "ok"})
    emu.fault("throttle", operation="PollForJobs", count=4)
    rc, log, secs = A.Agent(emu, "Throttled", args=["--once", "--exit-when-idle"]).run()
    emu.clear_faults()
    check("throttling_backs_off", rc == 0 and "throttled" in log
          and view(emu, job["id"])["state"] == "Succeeded", log[-1000:])


def test_signals(emu):
    ag = A.Agent(emu, "Idle")
    ag.start()
    time.sleep(1.5)
    t0 = time.monotonic()
    ag.kill(signal.SIGTERM)
    check("sigterm_when_idle_exits_0", ag.proc.returncode == 0 and time.monotonic() - t0 < 5
          and "stopped by signal" in ag.log(), (ag.proc.returncode, ag.log()[-500:]))
    job, _ = A.queue(emu, "Stopped", config={"Mode": "sleep", "Sleep": "60"})
    ag = A.Agent(emu, "Stopped", args=["--kill-grace", "2"]).start()
    ok = ag.wait_state("handler")
    time.sleep(0.3)
    t0 = time.monotonic()
    ag.kill(signal.SIGTERM)
    v = view(emu, job["id"])
    check("sigterm_during_handler_reports_and_exits", ok and ag.proc.returncode == 0
          and time.monotonic() - t0 < 8 and v["state"] == "Failed" and failure(v).get(
              "message", "").startswith("agent stopped while the handler ran")
          and not os.path.exists(ag.state), (ok, ag.proc.returncode, v["state"], failure(v),
                                             ag.log()[-800:]))
    job, _ = A.queue(emu, "StopToken", config={"Mode": "tokensleep"})
    ag = A.Agent(emu, "StopToken").start()
    ok = ag.wait_state("handler")
    A.wait_for(lambda: os.path.exists(os.path.join(ag.work, job["id"], "result")), 10)
    ag.kill(signal.SIGINT)
    v = view(emu, job["id"])
    check("sigint_with_token_continues", ok and ag.proc.returncode == 0 and v["state"]
          == "Succeeded" and (v.get("result") or {}).get("continuationToken") == "resume-me",
          (v["state"], v.get("result"), ag.log()[-800:]))


def test_config_file(emu):
    d = tempfile.mkdtemp(prefix="cpj-agent-conf-", dir=TMP)
    conf = os.path.join(d, "cpjob.conf")
    job, _ = A.queue(emu, "Configured", config={"Mode": "ok"})
    with open(conf, "w") as f:
        f.write("# cpjob run settings\n"
                "action-type-id = %s\n"
                "exec = %s\n"
                "work_dir = %s/work\n"
                "state-file = \"%s/state\"\n"
                "log-level = debug\n"
                "once = true\n"
                "exit-when-idle = yes\n"
                "max-batch-size = 1\n"      # run's largest (and only) batch
                "poll-interval = 1\n" % (A.at("Configured"), A.HANDLER, d, d))
    cmd = [A.cpjob_path(), "run", "--config", conf]
    p = subprocess.run(cmd, env=A.environ(emu), capture_output=True, text=True, timeout=60)
    check("config_file_runs_job", p.returncode == 0 and view(emu, job["id"])["state"]
          == "Succeeded" and "debug: state: job" in p.stderr, (p.returncode, p.stderr[-800:]))
    job, _ = A.queue(emu, "Configured", config={"Mode": "ok"})
    p = subprocess.run(cmd + ["--log-level", "warn"], env=A.environ(emu), capture_output=True,
                       text=True, timeout=60)
    check("flags_override_config_file", p.returncode == 0 and "info:" not in p.stderr
          and view(emu, job["id"])["state"] == "Succeeded", p.stderr[-800:])
    job, _ = A.queue(emu, "Example", config={"Mode": "ok"})
    p = subprocess.run([A.cpjob_path(), "run", "--config", os.path.join(
        A.TOP, "src", "agent", "cpjob.conf.example"), "--action-type-id", A.at("Example"),
        "--exec", A.HANDLER, "--work-dir", d + "/work2", "--state-file", d + "/state2",
        "--once", "--exit-when-idle"], env=A.environ(emu), capture_output=True, text=True,
        timeout=60)
    check("config_file_example_is_valid", p.returncode == 0 and view(emu, job["id"])["state"]
          == "Succeeded", (p.returncode, p.stderr[-800:]))
    # the config file is at most 16 KiB (run's arena sum): at the limit
    # it runs, one byte more is refused with the reason
    with open(conf, "rb") as f:
        text = f.read()
    pad = 16384 - len(text) - 1
    with open(conf, "wb") as f:
        f.write(text + b"#" * pad + b"\n")
    job, _ = A.queue(emu, "Configured", config={"Mode": "ok"})
    p = subprocess.run(cmd, env=A.environ(emu), capture_output=True, text=True, timeout=60)
    check("config_file_of_16_kib_runs", os.path.getsize(conf) == 16384 and p.returncode == 0
          and view(emu, job["id"])["state"] == "Succeeded", (p.returncode, p.stderr[-800:]))
    with open(conf, "wb") as f:
        f.write(text + b"#" * (pad + 1) + b"\n")
    p = subprocess.run(cmd, env=A.environ(emu), capture_output=True, text=True, timeout=60)
    check("config_file_over_16_kib_refused", p.returncode == 2 and "config file %s: larger "
          "than 16 KiB" % conf in p.stderr, (p.returncode, p.stderr[-800:]))
    with open(conf, "wb") as f:
        f.write(text)
    with open(conf, "a") as f:
        f.write("polling-interval = 3\n")
    p = subprocess.run(cmd, env=A.environ(emu), capture_output=True, text=True, timeout=60)
    check("config_file_unknown_setting", p.returncode == 2 and "line 11: unknown setting "
          "'polling-interval'" in p.stderr, (p.returncode, p.stderr))


def test_cli(emu):
    p = subprocess.run([A.cpjob_path(), "run", "--help"], capture_output=True, text=True,
                       timeout=30)
    check("run_help", p.returncode == 0 and "--exec PATH" in p.stdout and "--timeout" in p.stdout
          and "--s3-addressing" in p.stdout, p.stdout[:500])
    p = subprocess.run([A.cpjob_path(), "--version"], capture_output=True, text=True, timeout=30)
    check("version", p.returncode == 0 and p.stdout.startswith("cpjob "), p.stdout)
    p = subprocess.run([A.cpjob_path(), "--help"], capture_output=True, text=True, timeout=30)
    check("help_lists_run", p.returncode == 0 and "\n  run " in p.stdout, p.stdout)
    p = subprocess.run([A.cpjob_path(), "run", "--exec", A.HANDLER], capture_output=True,
                       text=True, timeout=30, env=A.environ(emu))
    check("run_requires_action_type", p.returncode == 2 and "required" in p.stderr, p.stderr)
    # run works one job at a time: a larger batch, on the command line or
    # in the config file of an older cpjob, is taken as 1 with a warning
    # (1 itself runs in test_config_file), and its jobs are all worked
    d = tempfile.mkdtemp(prefix="cpj-agent-batch-", dir=TMP)
    conf = os.path.join(d, "cpjob.conf")
    with open(conf, "w") as f:
        f.write("max-batch-size = 100\n")
    for name, args in (("run_batch_over_limit_taken_as_1", ["--max-batch-size", "2"]),
                       ("run_batch_over_limit_taken_as_1_in_config", ["--config", conf])):
        since = emu.requests()[-1]["seq"] if emu.requests() else 0
        jobs = [A.queue(emu, "Batch", config={"Mode": "ok"})[0]["id"] for _ in range(2)]
        p = subprocess.run([A.cpjob_path(), "run", "--action-type-id", A.at("Batch"),
                            "--exec", A.HANDLER, "--work-dir", d + "/w", "--state-file",
                            d + "/s", "--exit-when-idle"] + args,
                           capture_output=True, text=True, timeout=120, env=A.environ(emu))
        polls = [r for r in emu.requests(since) if r["operation"] == "PollForJobs"]
        check(name, p.returncode == 0 and "max-batch-size: " in p.stderr
              and "is taken as 1: the agent works one job at a time" in p.stderr
              and all(view(emu, j)["state"] == "Succeeded" for j in jobs)
              and all(r.get("maxBatchSize") in (None, 1) for r in polls),
              (p.returncode, p.stderr[-1500:], polls[:2]))
    p = subprocess.run([A.cpjob_path(), "run", "--action-type-id", A.at("X"), "--exec",
                        "/nonexistent/handler", "--work-dir", TMP + "/w", "--state-file",
                        TMP + "/s"], capture_output=True, text=True, timeout=30,
                       env=A.environ(emu))
    check("run_checks_handler", p.returncode == 1 and "/nonexistent/handler" in p.stderr,
          p.stderr)


def test_query_and_sweep(emu):
    a, _ = A.queue(emu, "Query", config={"Mode": "ok", "Fleet": "line-a"})
    b, _ = A.queue(emu, "Query", config={"Mode": "ok", "Fleet": "line-b"})
    ag = A.Agent(emu, "Query", args=["--exit-when-idle", "--query-param", "Fleet=line-b"])
    stale = os.path.join(ag.work, "0b0e9f3c-5c8e-4b7e-9d51-37a1d3e1c2f0")
    other = os.path.join(ag.work, "not-a-job")
    os.makedirs(os.path.join(stale, "in"))
    os.makedirs(other)
    rc, log, secs = ag.run()
    check("query_param_selects_jobs", rc == 0 and view(emu, b["id"])["state"] == "Succeeded"
          and view(emu, a["id"])["state"] == "Queued", (rc, log[-800:]))
    check("stale_work_dirs_swept", not os.path.exists(stale) and os.path.isdir(other),
          os.listdir(ag.work))


def test_state_file_damage(emu):
    job, _ = A.queue(emu, "Damaged", config={"Mode": "ok"})
    emu.admin("POST", "jobs/" + job["id"], {"state": "InProgress"})
    ag = A.Agent(emu, "Damaged", args=["--exit-when-idle"])
    with open(ag.state, "w") as f:
        f.write("cpjob-state 1\njob_id=%s\nphase=uploa" % job["id"])   # cut short
    rc, log, secs = ag.run()
    v = view(emu, job["id"])
    check("damaged_state_file_job_failed", rc == 0 and v["state"] == "Failed"
          and len(v["attempts"]) == 1 and "agent restarted" in failure(v).get("message", "")
          and not os.path.exists(ag.state), (rc, v["state"], failure(v), log[-800:]))
    ag = A.Agent(emu, "Damaged", args=["--exit-when-idle"])
    with open(ag.state, "wb") as f:
        f.write(b"\x00\xffgarbage")
    rc, log, secs = ag.run()
    check("garbage_state_file_moved_aside", rc == 0 and os.path.exists(ag.state + ".damaged")
          and not os.path.exists(ag.state) and "unusable" in log, (rc, log[-800:]))


def test_log_formats(emu):
    emu.register_action_type("Quiet")
    env = A.environ(emu, JOURNAL_STREAM="8:12345")
    rc, log, secs = A.Agent(emu, "Quiet", env=env, args=["--exit-when-idle", "--syslog"]).run()
    lines = [x for x in log.splitlines() if x]
    journal = all(re.match(r"<[3467]>(error|warning|info|debug): ", x) for x in lines)
    if os.path.exists("/dev/log"):
        check("log_syslog_or_journal", rc == 0 and (not lines or journal), log[-500:])
    else:
        check("log_journal_prefixes_and_syslog_fallback", rc == 0 and journal and lines[0]
              .startswith("<4>warning: syslog: /dev/log unavailable") and any(
                  x.startswith("<6>info: no job waiting") for x in lines), log[-800:])


def test_poll_errors(emu):
    # a poll error that retrying cannot cure ends a scripted run (exit 1)
    rc, log, secs = A.Agent(emu, "NoSuchType", args=["--exit-when-idle"]).run(timeout=30)
    check("exit_when_idle_gives_up_on_configuration_errors", rc == 1
          and "ActionTypeNotFoundException" in log and secs < 10, (rc, secs, log[-600:]))


def test_report_retry(emu):
    # CodePipeline unavailable for longer than the client's own retries:
    # the agent keeps the report and sends it again, once
    job, _ = A.queue(emu, "Retry", config={"Mode": "ok"})
    emu.fault("error503", operation="PutJobSuccessResult", count=4)
    rc, log, secs = A.Agent(emu, "Retry", args=["--once", "--exit-when-idle"]).run()
    emu.clear_faults()
    v = view(emu, job["id"])
    check("report_retried_until_delivered", rc == 0 and v["state"] == "Succeeded"
          and len(v["attempts"]) == 1 and "report not delivered" in log,
          (rc, v["state"], v["attempts"], log[-800:]))


def test_lock(emu):
    a = A.Agent(emu, "Locked").start()
    time.sleep(1.0)
    b = A.Agent(emu, "Locked", workdir=a.dir)
    b.log_path = os.path.join(a.dir, "agent2.log")
    rc, log, secs = b.run(timeout=30)
    check("state_file_lock", rc == 1 and "in use by another cpjob run" in log, (rc, log))
    a.kill(signal.SIGTERM)


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            for t in (test_cli, test_lifecycle, test_failures, test_timeouts, test_background,
                      test_continuation, test_results, test_download_failure,
                      test_expired_credentials, test_addressing, test_progress,
                      test_throttling,
                      test_signals, test_config_file, test_query_and_sweep,
                      test_state_file_damage, test_log_formats, test_poll_errors,
                      test_report_retry,
                      test_lock):
                try:
                    t(emu)
                except Exception as e:  # noqa: BLE001
                    import traceback
                    traceback.print_exc()
                    check(t.__name__ + "_ran", False, repr(e))
        test_plain_http()
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
