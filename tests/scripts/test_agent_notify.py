#!/usr/bin/python3
"""`cpjob run` and systemd's notification protocol (sd_notify), against the
emulator, with a datagram socket this test binds as $NOTIFY_SOCKET (what
systemd does for a unit of Type=notify):

- READY=1 once set up, STATUS= lines (idle, working a job in a phase,
  backing off after an error), STOPPING=1 on SIGTERM and on exit;
- with $WATCHDOG_USEC, WATCHDOG=1 every half of it (never more often,
  never a gap of a whole period) while idle, while the handler of a long
  job runs, while a slow artifact download goes on and while backing off
  from an unreachable endpoint; without it, or with $WATCHDOG_PID naming
  another process, no WATCHDOG=1 at all;
- an abstract socket ("@name") and a path socket both work, and the
  handler's environment has none of the variables;
- the agent runs one thread and handles no SIGALRM: the pings come from
  its loop, not from a thread or timer that would go on if it hung.
"""
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

WD_US = 1000000          # the watchdog period the tests give: 1 s
HALF = WD_US / 2e6       # pings expected every 0.5 s


class Listener:
    """The systemd side: a bound datagram socket, every message kept with
    its arrival time."""

    def __init__(self, abstract):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "cpj-notify-%d-%d" % (os.getpid(), time.monotonic_ns())
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(A.ROOT, "notify-%d" % time.monotonic_ns())
            self.sock.bind(self.address)
        self.sock.settimeout(0.2)
        self.msgs = []           # (monotonic time, line)
        self.done = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            now = time.monotonic()
            for line in data.decode("utf-8", "replace").split("\n"):
                self.msgs.append((now, line))

    def close(self):
        self.done = True
        self.thread.join(2)
        self.sock.close()

    def lines(self, prefix):
        return [(t, m) for t, m in self.msgs if m.startswith(prefix)]

    def pings(self, t0=0.0, t1=1e18):
        return [t for t, m in self.msgs if m == "WATCHDOG=1" and t0 <= t <= t1]

    def status_window(self, needle):
        """From the first STATUS= containing `needle` to the next STATUS=
        without it: (start, end), or None."""
        start = None
        for t, m in self.msgs:
            if not m.startswith("STATUS="):
                continue
            if start is None and needle in m:
                start = t
            elif start is not None and needle not in m:
                return start, t
        return (start, time.monotonic()) if start is not None else None


def rate_ok(pings, t0, t1):
    """Pings between t0 and t1 at half of the period: no gap reaching the
    whole period (what systemd enforces), none closer than about half of
    it, and as many as the window holds."""
    ts = [t0] + pings + [t1]
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    inner = [b - a for a, b in zip(pings, pings[1:])]
    want = (t1 - t0) / HALF
    ok = (max(gaps) < 2 * HALF and (not inner or min(inner) > HALF * 0.8)
          and want - 2 <= len(pings) <= want + 1)
    return ok, "%d pings in %.2f s, gaps %.2f..%.2f s" % (
        len(pings), t1 - t0, min(gaps), max(gaps))


def agent(emu, provider, lst, watchdog=True, extra_env=None, args=()):
    env = A.environ(emu, NOTIFY_SOCKET=lst.address)
    if watchdog:
        env["WATCHDOG_USEC"] = str(WD_US)
    env.update(extra_env or {})
    return A.Agent(emu, provider, env=env, args=list(args))


def test_idle_and_stop(emu):
    emu.register_action_type("NotifyIdle")
    lst = Listener(abstract=True)
    ag = agent(emu, "NotifyIdle", lst, args=["--poll-interval", "2"]).start()
    ready = A.wait_for(lambda: lst.lines("READY=1"), timeout=15)
    time.sleep(3.2)
    t1 = time.monotonic()
    with open("/proc/%d/status" % ag.proc.pid) as f:
        st = dict(l.split(":\t", 1) for l in f.read().splitlines() if ":\t" in l)
    ag.kill(signal.SIGTERM)
    rc = ag.proc.returncode
    time.sleep(0.3)
    lst.close()
    log = ag.log()
    first = lst.msgs[0][1] if lst.msgs else None
    check("notify_ready_first_abstract_socket", ready and first is not None
          and (first.startswith("STATUS=started") or first == "READY=1"), lst.msgs[:4])
    idle = lst.lines("STATUS=idle")
    check("notify_status_idle", idle and "no job waiting" in idle[0][1]
          and "next try in" in idle[0][1], [m for _, m in lst.lines("STATUS=")])
    t0 = ready[0][0]
    ok, why = rate_ok(lst.pings(t0, t1), t0, t1)
    print("  idle: " + why)
    check("notify_watchdog_half_period_idle", ok, why)
    stop = lst.lines("STOPPING=1")
    # pings from the main loop alone: one thread, no SIGALRM handler
    check("notify_no_thread_no_timer", st.get("Threads") == "1"
          and not int(st.get("SigCgt", "0"), 16) & (1 << (signal.SIGALRM - 1)), st)
    check("notify_stopping_on_sigterm", rc == 0 and stop and stop[0][0] >= t1,
          (rc, lst.msgs[-3:], log[-600:]))


def test_no_watchdog(emu):
    # a path socket, no WATCHDOG_USEC: READY and STATUS, no ping; the
    # handler's environment has no NOTIFY_SOCKET
    lst = Listener(abstract=False)
    dump = os.path.join(A.ROOT, "nowd")
    A.queue(emu, "NotifyNoWd", config={"Mode": "ok", "DumpTo": dump})
    ag = agent(emu, "NotifyNoWd", lst, watchdog=False,
               args=["--exit-when-idle", "--poll-interval", "1"])
    rc, log, secs = ag.run(timeout=60)
    time.sleep(0.3)
    lst.close()
    try:
        with open(dump + ".env") as f:
            henv = f.read()
    except OSError:
        henv = ""
    check("notify_path_socket_ready_and_stopping", rc == 0 and lst.lines("READY=1")
          and lst.lines("STOPPING=1"), (rc, lst.msgs, log[-600:]))
    check("notify_status_job_phases", any("in phase handler" in m
                                          for _, m in lst.lines("STATUS=working job ")),
          [m for _, m in lst.lines("STATUS=")])
    check("notify_no_watchdog_without_watchdog_usec", not lst.pings(), lst.msgs)
    check("notify_handler_env_clean", henv and "NOTIFY_SOCKET" not in henv
          and "WATCHDOG_" not in henv, henv[:400])


def test_other_pid(emu):
    lst = Listener(abstract=True)
    ag = agent(emu, "NotifyPid", lst, extra_env={"WATCHDOG_PID": "1"},
               args=["--poll-interval", "0.5"]).start()
    ready = A.wait_for(lambda: lst.lines("READY=1"), timeout=15)
    time.sleep(2)
    ag.kill(signal.SIGTERM)
    time.sleep(0.2)
    lst.close()
    check("notify_watchdog_pid_other_process_no_pings", ready and not lst.pings(),
          lst.msgs[:10])


def pings_during_phase(emu, provider, config, phase, least_s, name, label, **zip_files):
    """Work one job of `provider` (--exit-when-idle); the pings while the
    state file says `phase`, which must last at least `least_s`."""
    lst = Listener(abstract=True)
    A.queue(emu, provider, config=config, **zip_files)
    rc, log, secs = agent(emu, provider, lst, args=["--exit-when-idle"]).run(timeout=60)
    time.sleep(0.2)
    lst.close()
    w = lst.status_window("in phase " + phase)
    if w is None:
        check(name, False, (rc, lst.msgs, log[-800:]))
        return
    ok, why = rate_ok(lst.pings(*w), *w)
    print("  %s: %s" % (label, why))
    check(name, rc == 0 and w[1] - w[0] >= least_s and ok, (rc, why, log[-600:]))


def test_long_handler(emu):
    pings_during_phase(emu, "NotifyLong", {"Mode": "sleep", "Sleep": "4"}, "handler", 3.5,
                       "notify_watchdog_while_handler_runs", "handler")


def test_slow_download(emu):
    # 512 KiB in 16 KiB pieces every 100 ms: about 3 s in one GetObject
    emu.fault("trickle", operation="GetObject", count=1, bytes=16384, intervalMs=100)
    pings_during_phase(emu, "NotifySlow", {"Mode": "ok"}, "downloading", 2.5,
                       "notify_watchdog_while_artifact_transfers", "download",
                       zip_files={"big.bin": os.urandom(512 << 10)})
    emu.clear_faults()


def test_backoff(emu):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = "https://127.0.0.1:%d" % s.getsockname()[1]
    s.close()
    lst = Listener(abstract=True)
    # one attempt per call: the agent's own backoff between polls, not the
    # library's retries inside one (a blocking call the unit's WatchdogSec
    # covers, see docs/agent.md)
    ag = agent(emu, "NotifyBackoff", lst, extra_env={"AWS_ENDPOINT_URL": url,
                                                     "AWS_MAX_ATTEMPTS": "1"}).start()
    w0 = A.wait_for(lambda: lst.lines("STATUS=backing off after error"), timeout=15)
    time.sleep(4)
    t1 = time.monotonic()
    ag.kill(signal.SIGTERM)
    time.sleep(0.2)
    lst.close()
    check("notify_status_backing_off", w0 and "PollForJobs" in w0[0][1], lst.msgs[:6])
    if not w0:
        return
    t0 = w0[0][0]
    ok, why = rate_ok(lst.pings(t0, t1), t0, t1)
    print("  backoff: " + why)
    check("notify_watchdog_while_backing_off", ok, why)


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            test_idle_and_stop(emu)
            test_no_watchdog(emu)
            test_other_pid(emu)
            test_long_handler(emu)
            test_slow_download(emu)
            test_backoff(emu)
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
