#!/usr/bin/python3
"""`cpjob run` with worker credentials that expire while it works.

The worker's credentials come from the container provider (a small
server in this test that mints short-lived session credentials and
registers each with the emulator). The emulator is told that the
credentials in use expired while the handler runs; the agent must fetch
fresh ones for its report (ExpiredTokenException -> refresh -> the same
request once more), for a success, a failure and a continuation. A
report that cannot be delivered (the provider down as well) waits in the
pending directory while the agent goes on, and is delivered after a
restart, exactly once. Credentials that the provider issues with a short
life are fetched before each use, never more than once per 5 s.
"""
import http.server
import json
import os
import secrets
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402


class Provider:
    """Container credentials endpoint: mints credentials of `ttl` seconds
    and registers them with the emulator; `down` answers 500."""

    def __init__(self, emu, ttl=3600):
        self.emu, self.ttl, self.down = emu, ttl, False
        self.issued = []
        self.prefix = "ASIAW" + secrets.token_hex(4).upper()
        self.lock = threading.Lock()
        prov = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if prov.down:
                    body, status = b'{"message":"unavailable"}', 500
                else:
                    body, status = json.dumps(prov.mint()).encode(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()

    def mint(self):
        with self.lock:
            akid = "%s%04d" % (self.prefix, len(self.issued) + 1)
            sk = secrets.token_urlsafe(30)
            tok = "wt" + secrets.token_urlsafe(200)
            self.emu.add_credentials(akid, sk, tok)
            exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + self.ttl))
            self.issued.append(akid)
            return {"AccessKeyId": akid, "SecretAccessKey": sk, "Token": tok,
                    "Expiration": exp}

    def current(self):
        with self.lock:
            return self.issued[-1] if self.issued else None

    def uri(self):
        return "http://127.0.0.1:%d/creds" % self.srv.server_address[1]

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def env(emu, prov):
    e = A.environ(emu, AWS_CONTAINER_CREDENTIALS_FULL_URI=prov.uri())
    e.pop("AWS_ACCESS_KEY_ID")
    e.pop("AWS_SECRET_ACCESS_KEY")
    return e


def reports(emu, jid):
    return [r for r in emu.requests() if r.get("jobId") == jid
            and r["operation"] in ("PutJobSuccessResult", "PutJobFailureResult")]


def expire_during_handler(emu, name, provider, config, want_state, want=None):
    prov = Provider(emu)
    try:
        job, _ = A.queue(emu, provider, config=config)
        jid = job["id"]
        ag = A.Agent(emu, provider, args=["--once", "--exit-when-idle"], env=env(emu, prov))
        ag.start()
        running = ag.wait_state("handler", timeout=30)
        old = prov.current()
        emu.expire_credentials(old)     # expired while the handler runs
        rc = ag.wait(60)
        log = ag.log()
        v = emu.job(jid)
        reps = reports(emu, jid)
        ok = (running and rc == 0 and v["state"] == want_state and len(v["attempts"]) == 1
              and len(prov.issued) >= 2 and reps and reps[-1]["status"] == 200
              and reps[-1].get("accessKey") not in (None, old)
              and "%s: HTTP 400 ExpiredTokenException" % reps[-1]["operation"] in log)
        if want is not None:
            ok = ok and want(v)
        check("%s_report_after_worker_credentials_expired" % name, ok,
              (running, rc, v["state"], v["attempts"], prov.issued,
               [(r["operation"], r["status"], r.get("accessKey")) for r in reps], log[-1500:]))
        check("%s_refresh_logged" % name, "fetching fresh ones" in log
              and "worker credentials refreshed" in log, log[-1500:])
    finally:
        prov.close()


def test_pending_over_restart(emu):
    prov = Provider(emu)
    try:
        job, _ = A.queue(emu, "WcPend", config={"Mode": "sleep", "Sleep": "2"})
        jid = job["id"]
        ag = A.Agent(emu, "WcPend", env=env(emu, prov))
        ag.start()
        running = ag.wait_state("handler", timeout=30)
        emu.expire_credentials(prov.current())
        prov.down = True                # and no fresh ones to be had
        pend = os.path.join(ag.state + ".pending", jid)
        parked = A.wait_for(lambda: os.path.exists(pend), timeout=30)
        # the loop goes on (polls, refused too) rather than waiting on the
        # report: the log shows PollForJobs after the report was parked
        went_on = A.wait_for(lambda: "PollForJobs" in ag.log().split(
            "waits for delivery")[-1], timeout=30)
        ag.kill()
        v = emu.job(jid)
        check("pending_report_parked_and_loop_goes_on", running and parked and went_on
              and v["state"] == "InProgress" and not os.path.exists(ag.state),
              (running, parked, went_on, v["state"], ag.log()[-1500:]))
        prov.down = False
        rc, log, _ = ag.run("--exit-when-idle", timeout=60)
        v = emu.job(jid)
        check("pending_report_delivered_after_restart", rc == 0 and v["state"] == "Succeeded"
              and len(v["attempts"]) == 1 and not os.path.exists(pend),
              (rc, v["state"], v["attempts"], log[-1500:]))
    finally:
        prov.close()


def test_pending_does_not_block(emu):
    """A failure report that cannot be delivered (503s) waits while the
    next job is worked and reported; then it is delivered."""
    j1, _ = A.queue(emu, "WcNoBlock", config={"Mode": "fail"})
    j2, _ = A.queue(emu, "WcNoBlock", config={"Mode": "ok"})
    emu.fault("error503", operation="PutJobFailureResult", count=-1)
    ag = A.Agent(emu, "WcNoBlock", args=["--exit-when-idle"])
    ag.start()
    second = A.wait_for(lambda: emu.job(j2["id"])["state"] == "Succeeded", timeout=40)
    first_waiting = emu.job(j1["id"])["state"] == "InProgress"
    emu.clear_faults()
    rc = ag.wait(60)
    v1, v2 = emu.job(j1["id"]), emu.job(j2["id"])
    check("pending_report_does_not_block_next_job", second and first_waiting and rc == 0
          and v1["state"] == "Failed" and len(v1["attempts"]) == 1
          and len(v2["attempts"]) == 1,
          (second, first_waiting, rc, v1["state"], v1["attempts"], ag.log()[-1500:]))


def test_short_lived_throttled(emu):
    """Credentials issued with 100 s of life are always inside the refresh
    window: fetched before use, but at most once per 5 s."""
    prov = Provider(emu, ttl=100)
    try:
        for i in range(3):
            A.queue(emu, "WcShort", config={"Mode": "sleep", "Sleep": "1"})
        t0 = time.monotonic()
        rc, log, _ = A.Agent(emu, "WcShort", args=["--exit-when-idle"],
                             env=env(emu, prov)).run(timeout=90)
        secs = time.monotonic() - t0
        n = len(prov.issued)
        check("short_lived_credentials_refreshed_throttled", rc == 0 and n >= 2
              and n <= secs / 5 + 2, (rc, n, secs, log[-1000:]))
    finally:
        prov.close()


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            expire_during_handler(emu, "success", "WcOk", {"Mode": "sleep", "Sleep": "2"},
                                  "Succeeded")
            expire_during_handler(emu, "failure", "WcFail",
                                  {"Mode": "sleepfail", "Sleep": "2"}, "Failed")
            expire_during_handler(
                emu, "continuation", "WcToken", {"Mode": "tokenwait", "Sleep": "2"},
                "Succeeded", want=lambda v: (v.get("result") or {}).get(
                    "continuationToken") == "resume-me")
            test_pending_over_restart(emu)
            test_pending_does_not_block(emu)
            test_short_lived_throttled(emu)
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
