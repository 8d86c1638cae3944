#!/usr/bin/python3
"""The emulator's fault knobs and connection behaviour do what the admin API says:
keep-alive, close after each answer, throttling / 5xx for the next N requests of
one operation, delays, answers cut after K bytes, connection resets, answers
trickled byte by byte, chunked answers, replaced bodies, the __type forms; and
the process hygiene every test relies on: it exits when its parent dies or its
stdin closes, persists its state file, serves plain HTTP when asked.
"""
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("CPJ_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import EMULATOR, PYTHON, Emulator, SignedClient  # noqa: E402

FAILED = []
AT = {"category": "Build", "owner": "Custom", "provider": "FaultTest", "version": "2"}


def check(name, cond, detail=""):
    if cond:
        print("PASS %s" % name, flush=True)
    else:
        FAILED.append(name)
        print("FAIL %s %s" % (name, str(detail)[:2000]), flush=True)


def attempt(fn):
    """(reply, None) or (None, exception)."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 -- the exception is the result
        return None, e


def since(emu, seq):
    return emu.requests(since=seq)


def last_seq(emu):
    log = emu.requests()
    return log[-1]["seq"] if log else 0


def raw_exchange(emu, c, op, params):
    """Send one signed CodePipeline request on a fresh TLS connection and read
    until the server closes it: (bytes received, exception that ended reading
    or None for a clean TLS close)."""
    body = json.dumps(params).encode()
    hdrs = c._sign("POST", "127.0.0.1:%d" % emu.port, "/",
                   [("X-Amz-Target", "CodePipeline_20150709." + op),
                    ("Content-Type", "application/x-amz-json-1.1")], body, "codepipeline", None)
    req = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % (n, v) for n, v in hdrs)
    req += "Content-Length: %d\r\n\r\n" % len(body)
    ctx = ssl.create_default_context(cafile=emu.ca_file)
    # Report a TCP close without TLS close_notify as an error (Python 3.11 hides it).
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", emu.port), timeout=10),
                        server_hostname="127.0.0.1", suppress_ragged_eofs=False)
    got, err = b"", None
    try:
        s.sendall(req.encode() + body)
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except Exception as e:  # noqa: BLE001 -- how the stream ended is the result
        err = e
    finally:
        s.close()
    return got, err


def main():
    with Emulator(credentials=["AKIDFAULT:faultsecret"]) as emu:
        c = SignedClient(emu, "AKIDFAULT", "faultsecret")
        emu.register_action_type("FaultTest", category="Build", version="2")
        poll = {"actionTypeId": AT, "maxBatchSize": 1}

        # -- keep-alive and close-after-response ---------------------------------------------
        seq = last_seq(emu)
        replies = [c.cp("PollForJobs", poll) for _ in range(5)]
        log = since(emu, seq)
        check("keepalive_one_connection", all(r.status == 200 and not r.header("Connection")
                                              for r in replies) and
              len({e["conn"] for e in log}) == 1 and [e["connSeq"] for e in log] ==
              [1, 2, 3, 4, 5], [(e["conn"], e["connSeq"]) for e in log])
        emu.config(close_after_response=True)
        seq = last_seq(emu)
        replies = [c.cp("PollForJobs", poll) for _ in range(3)]
        log = since(emu, seq)
        check("close_after_response", all(r.status == 200 and r.header("Connection") == "close"
                                          for r in replies) and
              len({e["conn"] for e in log}) == 3, [(e["conn"], e["connSeq"]) for e in log])
        got, err = raw_exchange(emu, c, "PollForJobs", poll)
        check("close_after_response_with_close_notify", got.startswith(b"HTTP/1.1 200 OK\r\n")
              and got.endswith(b"}") and err is None, (got, err))
        emu.config(close_after_response=False)

        # -- error answers for the next N requests of one operation ------------------------------
        job = emu.queue_job(provider="FaultTest", category="Build", version="2")
        emu.fault("throttle", operation="PollForJobs", count=2)
        r1 = c.cp("PollForJobs", poll)
        r_other = c.cp("GetJobDetails", {"jobId": job["id"]})
        r2 = c.cp("PollForJobs", poll)
        r3 = c.cp("PollForJobs", poll)
        check("throttle_next_two_polls",
              (r1.status, r1.error_code, r1.message) == (400, "ThrottlingException",
                                                         "Rate exceeded") and
              (r2.status, r2.error_code) == (400, "ThrottlingException") and
              r3.status == 200 and r3.json()["jobs"][0]["id"] == job["id"], (r1, r2, r3))
        check("throttle_only_named_operation", r_other.status == 200, r_other)
        nonce = r3.json()["jobs"][0]["nonce"] if r3.status == 200 else "1"
        emu.fault("error500", count=1)
        emu.fault("error503", count=1)
        r1 = c.cp("GetJobDetails", {"jobId": job["id"]})
        r2 = c.cp("GetJobDetails", {"jobId": job["id"]})
        r3 = c.cp("GetJobDetails", {"jobId": job["id"]})
        check("error500_then_error503", (r1.status, r1.error_code) == (500, "InternalFailure") and
              (r2.status, r2.error_code) == (503, "ServiceUnavailable") and r3.status == 200,
              (r1, r2, r3))
        emu.fault("error", status=400, code="RequestLimitExceeded", message="custom", count=1)
        r = c.cp("GetJobDetails", {"jobId": job["id"]})
        check("custom_error", (r.status, r.error_code, r.message) ==
              (400, "RequestLimitExceeded", "custom"), r)
        emu.fault("throttle", service="s3", count=1)
        emu.bucket("fault-bucket")
        r = c.s3("GET", "fault-bucket", "k")
        check("s3_throttle_is_slowdown", (r.status, r.error_code) == (503, "SlowDown") and
              r.header("x-amz-request-id"), r)

        # -- __type forms ---------------------------------------------------------------------
        missing = {"jobId": "00000000-0000-0000-0000-000000000000"}
        r = c.cp("GetJobDetails", missing)
        check("error_type_prefixed_default",
              r.json().get("__type") == "com.amazonaws.codepipeline#JobNotFoundException" and
              r.header("x-amzn-ErrorType", ).startswith("JobNotFoundException:"), r)
        emu.config(error_type_form="bare")
        r = c.cp("GetJobDetails", missing)
        check("error_type_bare", r.json() == {"__type": "JobNotFoundException",
                                              "message": "The job was not found."} and
              r.header("x-amzn-ErrorType") == "JobNotFoundException:", r)
        emu.config(error_type_form="prefixed")

        # -- slow, cut, reset, trickled answers -----------------------------------------------
        emu.fault("delay", ms=400, operation="GetJobDetails")
        t0 = time.monotonic()
        r = c.cp("GetJobDetails", {"jobId": job["id"]})
        check("delay_400ms", r.status == 200 and time.monotonic() - t0 >= 0.4, r)
        emu.fault("cut", afterBytes=30, operation="AcknowledgeJob")
        got, err = raw_exchange(emu, c, "AcknowledgeJob", {"jobId": job["id"], "nonce": nonce})
        check("cut_after_30_bytes_without_close_notify",
              len(got) == 30 and got.startswith(b"HTTP/1.1 200 OK\r\n") and
              isinstance(err, ssl.SSLError) and "EOF" in str(err).upper() and
              emu.requests()[-1]["bytesOut"] == 30,
              (got, err))
        check("cut_request_was_processed", emu.job(job["id"])["state"] == "InProgress",
              emu.job(job["id"])["state"])
        r = c.cp("AcknowledgeJob", {"jobId": job["id"], "nonce": nonce})
        check("ack_retry_after_cut_is_idempotent", r.status == 200 and
              r.json() == {"status": "InProgress"}, r)
        emu.fault("reset", operation="GetJobDetails")
        r, exc = attempt(lambda: c.cp("GetJobDetails", {"jobId": job["id"]}))
        check("reset_connection", r is None and exc is not None and
              emu.requests()[-1]["faults"] == ["reset"], (r, exc))
        emu.fault("trickle", intervalMs=10, bytes=64, operation="GetJobDetails")
        t0 = time.monotonic()
        r = c.cp("GetJobDetails", {"jobId": job["id"]})
        n = emu.requests()[-1]["bytesOut"]
        check("trickle_answer", r.status == 200 and r.json()["jobDetails"]["id"] == job["id"] and
              time.monotonic() - t0 >= (n // 64 - 1) * 0.010 * 0.9 and n > 1000, (r, n))
        emu.fault("close", silent=True, operation="GetJobDetails")
        seq = last_seq(emu)
        r1 = c.cp("GetJobDetails", {"jobId": job["id"]})
        conn_before = c.conn
        r2, exc = attempt(lambda: c.cp("GetJobDetails", {"jobId": job["id"]}))
        log = since(emu, seq)
        check("silent_close_after_answer", r1.status == 200 and r1.header("Connection") is None
              and conn_before is not None and (exc is not None or len({e["conn"] for e in log})
                                               == 2), (r1, r2, exc, log))
        c.close()

        # -- answer framing ---------------------------------------------------------------
        emu.config(response_chunk_size=7)
        r = c.cp("GetJobDetails", {"jobId": job["id"]})
        check("chunked_answers", r.status == 200 and
              r.header("Transfer-Encoding") == "chunked" and r.header("Content-Length") is None
              and r.json()["jobDetails"]["id"] == job["id"], r.headers)
        emu.config(response_chunk_size=0)
        emu.fault("body", operation="PollForJobs", status=200, body='{"jobs":[{"id":"x"')
        r = c.cp("PollForJobs", poll)
        check("replaced_body", r.status == 200 and r.body == b'{"jobs":[{"id":"x"' and
              r.header("x-amzn-RequestId"), r)
        emu.config(json_ascii=True)
        j2 = emu.queue_job(provider="FaultTest", category="Build", version="2",
                           configuration={"Notes": "Rollout \u201ccanary\u201d \U0001F680"})
        r = c.cp("PollForJobs", poll)
        emu.config(empty_poll="absent")
        r_empty = c.cp("PollForJobs", poll)
        emu.config(empty_poll="list")
        check("empty_poll_absent_jobs", r_empty.status == 200 and r_empty.body == b"{}",
              r_empty)
        check("json_ascii_escapes", r.status == 200 and b"\\u201c" in r.body and
              b"\\ud83d\\ude80" in r.body and r.json()["jobs"][0]["id"] == j2["id"] and
              r.json()["jobs"][0]["data"]["actionConfiguration"]["configuration"]["Notes"] ==
              "Rollout \u201ccanary\u201d \U0001F680", r)
        emu.config(json_ascii=False)
        c.cp("AcknowledgeJob", {"jobId": j2["id"], "nonce": emu.job(j2["id"])["nonce"]})
        r = c.cp("PutJobFailureResult", {"jobId": j2["id"], "failureDetails": {
            "type": "JobFailed", "message": "x"}})
        check("void_body_default", r.status == 200 and r.body == b"{}" and
              r.header("Content-Length") == "2", r)
        j3 = emu.queue_job(provider="FaultTest", category="Build", version="2")
        c.cp("PollForJobs", poll)
        c.cp("AcknowledgeJob", {"jobId": j3["id"], "nonce": emu.job(j3["id"])["nonce"]})
        emu.config(void_body="")
        r = c.cp("PutJobFailureResult", {"jobId": j3["id"], "failureDetails": {
            "type": "JobFailed", "message": "x"}})
        check("void_body_empty", r.status == 200 and r.body == b"" and
              r.header("Content-Length") == "0", r)
        emu.config(void_body="{}")

        # -- raw protocol: pipelined requests, Expect 100-continue, HTTP/1.1 framing ------------
        ctx = ssl.create_default_context(cafile=emu.ca_file)
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", emu.port), timeout=10),
                            server_hostname="127.0.0.1")
        req = b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req * 3)
        buf = b""
        deadline = time.monotonic() + 5
        while buf.count(b'"ok":true') < 3 and time.monotonic() < deadline:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        s.close()
        check("pipelined_requests_on_one_connection", buf.count(b"HTTP/1.1 200 OK") == 3, buf)

    # -- process hygiene -------------------------------------------------------------------
    tmp = tempfile.mkdtemp(prefix="cpj-emu-faults-")
    sleeper = subprocess.Popen(["sleep", "30"])
    port_file = os.path.join(tmp, "port")
    emu_proc = subprocess.Popen([PYTHON, EMULATOR, "--plain-http", "--port", "0", "--port-file",
                                 port_file, "--parent-pid", str(sleeper.pid),
                                 "--max-lifetime", "60"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not os.path.exists(port_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = os.path.exists(port_file) and emu_proc.poll() is None
    sleeper.kill()
    sleeper.wait()
    try:
        emu_proc.wait(timeout=5)
        exited = True
    except subprocess.TimeoutExpired:
        emu_proc.kill()
        emu_proc.wait()
        exited = False
    check("exits_when_parent_pid_dies", started and exited, (started, exited))

    emu = Emulator(plain_http=True, credentials=["AKIDFAULT:faultsecret"],
                   extra_args=["--state-file", os.path.join(tmp, "state.json")],
                   workdir=tmp).start()
    job = emu.queue_job(provider="Persisted")
    c = SignedClient(emu, "AKIDFAULT", "faultsecret")
    r = c.cp("PollForJobs", {"actionTypeId": {"category": "Deploy", "owner": "Custom",
                                              "provider": "Persisted", "version": "1"}})
    # the emulator logs a request after its answer is sent: wait for the entry
    logged = []
    for _ in range(50):
        logged = [e for e in emu.requests() if e.get("operation") == "PollForJobs"]
        if logged:
            break
        time.sleep(0.1)
    check("plain_http_mode", r.status == 200 and r.json()["jobs"][0]["id"] == job["id"] and
          bool(logged) and logged[-1]["tls"] is False, (r, logged[-1:]))
    emu.bucket("plain")
    r = c.s3("PUT", "plain", "k", b"data", headers=[("x-amz-server-side-encryption",
                                                     "aws:kms")])
    check("sse_kms_needs_tls", r.status == 400 and r.error_code == "InvalidArgument" and
          "secure connection" in (r.message or ""), r)
    c.close()
    t0 = time.monotonic()
    proc = emu.proc
    emu.stop()
    check("exits_on_stdin_eof", proc.returncode == 0 and time.monotonic() - t0 < 4,
          (proc.returncode, time.monotonic() - t0))
    emu2 = Emulator(plain_http=True, credentials=["AKIDFAULT:faultsecret"],
                    extra_args=["--state-file", os.path.join(tmp, "state.json")],
                    workdir=tmp).start()
    j = emu2.job(job["id"])
    check("state_file_persists_jobs", j["state"] == "Dispatched" and j["nonce"], j)
    emu2.stop()
    emu2._own_workdir = True
    emu2.cleanup()
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        rc = main()
    except Exception:  # noqa: BLE001 -- report, then fail
        import traceback
        traceback.print_exc()
        print("FAIL %s_crashed (traceback above)" % os.path.basename(__file__)[:-3], flush=True)
        rc = 1
    sys.exit(rc)
