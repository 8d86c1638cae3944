#!/usr/bin/python3
"""cpjob itself (the one-shot commands and `cpjob run`) under the fault
matrix rows the other scripts do not cover, against the emulator and
small loopback servers (tests/scripts/test_emulator_knobs.py tests the
emulator's own fault knobs):

- connection refused (nothing listening): exit 255, quickly;
- a reset before the answer's first byte, after its headers and in the
  middle of its body (GetJobDetails): retried (exit 0, the right job) or
  exit 255 with nothing printed; never a partial success;
- a TLS connection cut mid-body without close_notify: the same;
- a stalled server (answer delayed past --cli-read-timeout): exit 255
  after the attempts, within their bounds;
- a server that trickles its answer one byte every 500 ms: the
  whole-request deadline (30 s, never extended by the trickle) ends it,
  in real time;
- garbage instead of TLS, and a TLS record cut in the middle after a
  good handshake (a small Python server on loopback): exit 255;
- the worker's own credentials expiring while the handler runs (`cpjob
  run`): the report fails cleanly, is kept, and is delivered exactly
  once when the credentials work again;
- valgrind (memcheck, --leak-check=full) over the plain build's cpjob in
  several of these cases: no error, no leak.
"""
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "agent"))
import agentlib as A  # noqa: E402
from client import SignedClient  # noqa: E402
from agentlib import check  # noqa: E402

CPJOB = A.cpjob_path(san=False)
AT = A.at("EdgeDeploy")
VALGRIND = ["valgrind", "-q", "--error-exitcode=1", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect,possible"]


def cpjob(env, *args, valgrind=False, timeout=120):
    cmd = ([*VALGRIND] if valgrind else []) + [CPJOB] + list(args)
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"), time.monotonic() - t0)


class Server(threading.Thread):
    """Loopback server for up to `n` connections, each handled by `fn`."""

    def __init__(self, fn, n=4):
        super().__init__(daemon=True)
        self.fn = fn
        self.n = n
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(1.0)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.conns = 0

    def run(self):
        while not self.stop and self.conns < self.n:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.conns += 1
            c.settimeout(10)
            try:
                self.fn(c)
            except OSError:
                pass
            finally:
                c.close()

    def close(self):
        self.stop = True
        self.join(timeout=5)
        self.sock.close()


def garbage(c):
    c.sendall(b"\x16\x03\x03\x00\x05garbage, not a TLS record at all\r\n" * 4)
    time.sleep(0.2)


def tls_cut(ctx):
    def fn(c):
        s = ctx.wrap_socket(c, server_side=True)
        s.recv(65536)                       # the request
        # a TLS record header announcing 256 bytes, then 20 and a close
        os.write(s.fileno(), b"\x17\x03\x03\x01\x00" + os.urandom(20))
        time.sleep(0.2)
        c.shutdown(socket.SHUT_RDWR)
    return fn


def main():
    with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
        env = A.environ(emu)
        env.pop("ASAN_OPTIONS", None)
        job = emu.queue_job()
        jid = job["id"]
        rc, good, err, _ = cpjob(env, "get", "--job-id", jid)
        check("baseline_get", rc == 0 and json.loads(good)["jobDetails"]["id"] == jid, err)
        # the answer's exact head and body lengths, from a botocore call
        sc = SignedClient(emu, A.AKID, A.SECRET)
        body_len = len(sc.cp("GetJobDetails", {"jobId": jid}).body)
        sc.close()
        total = emu.requests()[-1]["bytesOut"]
        head = total - body_len
        check("answer_sizes", 100 < head < total and body_len > 200, (head, body_len))

        # -- the trickle, in the background (30 s of real time) ---------------
        emu.fault("trickle", operation="GetJobDetails", intervalMs=500, bytes=1)
        t0 = time.monotonic()
        trickle = subprocess.Popen([CPJOB, "get", "--job-id", jid],
                                   env=dict(env, AWS_MAX_ATTEMPTS="1"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL)
        A.children.append(trickle)
        A.wait_for(lambda: any(f["hits"] for f in emu.admin("GET", "faults")), timeout=10)

        # -- connection refused ----------------------------------------------
        port = A.free_port()
        e = dict(env, AWS_ENDPOINT_URL="https://127.0.0.1:%d" % port)
        rc, out, err, secs = cpjob(e, "poll", "--action-type-id", AT)
        check("refused_exit_255", rc == 255 and out == "" and secs < 60, (rc, out, err, secs))
        rc, out, err, secs = cpjob(e, "poll", "--action-type-id", AT, valgrind=True)
        check("refused_valgrind_clean", rc == 255, (rc, err[-1500:]))

        # -- resets and cuts at three places -----------------------------------
        since = emu.requests()[-1]["seq"]
        for name, kind, after in (("reset_before_headers", "reset", 0),
                                  ("reset_after_headers", "reset", head),
                                  ("reset_mid_body", "reset", head + body_len // 2),
                                  ("tls_cut_mid_body", "cut", head + body_len // 2)):
            emu.fault(kind, operation="GetJobDetails", afterBytes=after)
            rc, out, err, secs = cpjob(env, "get", "--job-id", jid)
            ok = (rc == 0 and out == good) or (rc == 255 and out == "")
            check(name + "_defined_outcome", ok and secs < 60, (rc, out[:200], err[-600:]))
            print("  %s: exit %d in %.1f s: %s" % (name, rc, secs, err.strip().splitlines()[-1:]))
        emu.clear_faults()
        # valgrind over one cut
        emu.fault("reset", operation="GetJobDetails", afterBytes=head + body_len // 2, count=3)
        rc, out, err, secs = cpjob(env, "get", "--job-id", jid, valgrind=True)
        check("reset_mid_body_valgrind_clean", rc in (0, 255) and "ERROR SUMMARY" not in err
              and "definitely lost" not in err, (rc, err[-1500:]))
        emu.clear_faults()

        # -- stalled server: answer later than the read timeout ----------------
        emu.fault("delay", operation="GetJobDetails", ms=4000, count=3)
        rc, out, err, secs = cpjob(env, "get", "--job-id", jid, "--cli-read-timeout", "1")
        print("  stalled: exit %d in %.1f s: %s" % (rc, secs, err.strip().splitlines()[-1:]))
        check("stalled_server_exit_255", rc == 255 and out == "" and secs < 40,
              (rc, out[:200], err[-600:], secs))
        emu.clear_faults()

        # -- garbage instead of TLS -----------------------------------------
        srv = Server(garbage, n=4)
        srv.start()
        e = dict(env, AWS_ENDPOINT_URL="https://127.0.0.1:%d" % srv.port)
        rc, out, err, secs = cpjob(e, "poll", "--action-type-id", AT, "--cli-read-timeout", "3")
        print("  garbage: %s" % err.strip().splitlines()[-1:])
        check("garbage_instead_of_tls_exit_255", rc == 255 and out == "" and secs < 60,
              (rc, out, err[-600:], secs))
        srv.close()
        srv = Server(garbage, n=4)
        srv.start()
        e = dict(env, AWS_ENDPOINT_URL="https://127.0.0.1:%d" % srv.port)
        rc, out, err, secs = cpjob(e, "poll", "--action-type-id", AT, "--cli-read-timeout", "3",
                                   valgrind=True)
        check("garbage_instead_of_tls_valgrind_clean", rc == 255, (rc, err[-1500:]))
        srv.close()

        # -- a TLS record cut in the middle after the handshake -----------------
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(os.path.join(emu.certs_dir, "server.pem"),
                            os.path.join(emu.certs_dir, "server.key"))
        srv = Server(tls_cut(ctx), n=4)
        srv.start()
        e = dict(env, AWS_ENDPOINT_URL="https://127.0.0.1:%d" % srv.port)
        rc, out, err, secs = cpjob(e, "poll", "--action-type-id", AT, "--cli-read-timeout", "3")
        print("  tls record truncated: exit %d: %s" % (rc, err.strip().splitlines()[-1:] if err.strip() else ""))
        check("tls_record_truncated_exit_255", rc == 255 and out == "" and secs < 60
              and srv.conns >= 1, (rc, out, err[-600:], secs, srv.conns))
        srv.close()

        # -- the trickle's result --------------------------------------------
        try:
            out, err = trickle.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            trickle.kill()
            out, err = trickle.communicate()
        secs = time.monotonic() - t0
        check("trickle_ended_by_30s_deadline", trickle.returncode == 255 and out == b""
              and secs < 30 + 30, (trickle.returncode, err[-600:], secs))
        print("  trickle: exit %s after %.1f s" % (trickle.returncode, secs))
        emu.clear_faults()

        # -- worker credentials expire while the handler runs -----------------
        job2, _ = A.queue(emu, "WorkerExpiry", config={"Mode": "sleep", "Sleep": "2"})
        ag = A.Agent(emu, "WorkerExpiry", args=["--once", "--exit-when-idle"]).start()
        in_handler = ag.wait_state("handler", timeout=30)
        emu.expire_credentials(A.AKID)
        A.wait_for(lambda: "report not delivered" in ag.log()
                   or ag.proc.poll() is not None, timeout=30)
        failed_cleanly = "report not delivered" in ag.log()
        # (static keys: nothing to fetch; the report waits for delivery)
        kept = A.wait_for(lambda: os.path.exists(os.path.join(ag.state + ".pending",
                                                              job2["id"])), timeout=10)
        emu.expire_credentials(A.AKID, expired=False)
        rc = ag.wait(90)
        v = emu.job(job2["id"])
        # (a request refused at authentication is logged without its job id)
        reports = [r for r in emu.requests() if r.get("operation") == "PutJobSuccessResult"]
        check("worker_credentials_expired_mid_job_reported_once",
              in_handler and failed_cleanly and kept and rc == 0 and v["state"] == "Succeeded"
              and len(v["attempts"]) == 1 and any(r["status"] == 200 for r in reports)
              and any(r["status"] == 400 and "ExpiredToken" in (r.get("error") or "")
                      + (r.get("authError") or "") for r in reports),
              (in_handler, failed_cleanly, kept, rc, v["state"], v["attempts"],
               [(r["status"], r.get("error")) for r in reports], ag.log()[-1500:]))


if __name__ == "__main__":
    try:
        main()
    finally:
        A.cleanup()
    sys.exit(A.exit_status())
