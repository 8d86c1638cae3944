#!/usr/bin/python3
"""Secrets cut apart: the agent's log and failure message hold no piece of one.

1. Lines cut by the relay (`cpjob run` against the emulator). Two
   --secret-config values, of 20 and 900 bytes, made of bytes other than
   'x' and 'y'. The handler prints lines of 'x' and 'y' with the values
   inside, placed so that the relay's 400-byte cut falls at many offsets
   into them (one byte in, the last byte, a cut 15 or 16 bytes before the
   end, a value starting at the cut, the long one cut twice or three
   times), on stdout and on stderr, some of them written in parts with
   pauses (so that the relay reads a piece that ends at the cut or just
   after it); then pieces of them (the first 100 bytes of the long one, 30
   bytes from its middle, its last 40, the first and last 16 bytes of the
   short one); then it fails (exit 1). Checked:
   - every relayed line is made of 'x', 'y', "[redacted]" and the cut
     marker " [...]" only (so no byte of a value, not even one byte beside
     a cut), and as many 'x' and 'y' arrive as were printed (nothing but
     the values is masked);
   - no 16-byte run of either value anywhere in the log;
   - the failure message quotes the end of stderr with exactly the bytes
     of the values (whole or pieces) masked as '*'.
2. A service message quoting the session token. The worker's secret key
   is wrong, its session token right: the emulator answers PollForJobs
   with InvalidSignatureException, whose message quotes the canonical
   request, x-amz-security-token and all; the library keeps its first 511
   bytes, which end inside the token. Checked: the answer came (the
   emulator saw a bad signature), the log shows the error with the token
   as "[redacted]", and no 16-byte run of the token or of the key is in
   the log (at --log-level debug: the library's own lines too).
"""
import json
import os
import random
import re
import sys

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

RND = random.Random(20250102)
ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWZabcdefghijklmnopqrstuvwz0123456789-_.:=+/"
SHORT = "".join(RND.choice(ALPHA) for _ in range(20))
LONG = "".join(RND.choice(ALPHA) for _ in range(900))
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
TOKEN = "IQoJb3JpZ2luX2VjE" + "".join(RND.choice(B64) for _ in range(700))
CUT = 400  # LINE_CUT in src/agent/run_handler.c


def lines():
    """What the handler prints (on stdout and again on stderr)."""
    out = []
    for o in (0, 1, 2, 3, 4, 5, 8, 10, 12, 15, 16, 17, 19, 20):
        out.append("x" * (CUT - o) + SHORT + "y" * 40)
    for o in (1, 3, 4, 10, 15, 16, 17, 50, 85, 90, 97, 99, 100, 101, 115, 116, 200, 399):
        out.append("x" * (CUT - o) + LONG + "y" * 40)
    out.append("x" * (CUT - 7) + SHORT + "y" * 373 + LONG + "y" * 40)
    out.append("x" * (CUT - 10) + SHORT + SHORT + "y" * 5)
    out.append("x" * (CUT - 20) + SHORT)        # ends at the cut
    # written in parts, the handler pausing between them: the output
    # reaches the relay in pieces ending at (or just after) the cut
    out.append(["x" * (CUT - 5) + SHORT[:5], SHORT[5:] + "y" * 3])
    out.append(["x" * (CUT - 12) + SHORT[:12], SHORT[12:] + "y"])
    out.append(["x" * (CUT - 3) + LONG[:3], LONG[3:30], LONG[30:CUT + 2], LONG[CUT + 2:] + "y"])
    out.append(["x" * CUT, SHORT[:10], SHORT[10:]])
    out.append(["x" * (CUT + 5), SHORT + "y" * 9])
    out.append("y" * 10 + LONG[:100] + "y" * 10)
    out.append("y" * 10 + LONG[450:480] + "y")
    out.append(LONG[-40:] + "x")
    out.append(SHORT[:16] + "y")
    out.append("x" + SHORT[4:])
    return out


HANDLER = r"""#!/usr/bin/python3
import json, os, sys, time
with open(os.environ["CPJOB_CONFIG_LINES"]) as f:
    lines = json.load(f)
for fd in (sys.stdout, sys.stderr):
    for ln in lines:
        if isinstance(ln, list):
            for part in ln[:-1]:
                fd.write(part)
                fd.flush()
                time.sleep(0.03)
            ln = ln[-1]
        fd.write(ln + "\n")
    fd.flush()
sys.exit(1)
"""


def runs(secret, n=16):
    return {secret[i:i + n] for i in range(len(secret) - n + 1)}


def run_hits(text, secrets, n=16):
    """Places in text where n bytes of a secret are: [(offset, bytes)]."""
    grams = set()
    for s in secrets:
        grams |= runs(s, n)
    return [(i, text[i:i + n]) for i in range(len(text) - n + 1) if text[i:i + n] in grams][:5]


RELAYED = re.compile(r"handler (stdout|stderr): (.*)$")
CLEAN = re.compile(r"^(?:[xy]|\[redacted\])*(?: \[\.\.\.\])?$")


def relay_cuts(emu):
    handler = os.path.join(A.ROOT, "redact-handler.py")
    with open(handler, "w") as f:
        f.write(HANDLER)
    os.chmod(handler, 0o755)
    parts = lines()
    path = os.path.join(A.ROOT, "lines.json")
    with open(path, "w") as f:
        json.dump(parts, f)
    printed = ["".join(ln) if isinstance(ln, list) else ln for ln in parts]
    job, _ = A.queue(emu, "Redact", config={"Short": SHORT, "Long": LONG, "Lines": path})
    ag = A.Agent(emu, "Redact", handler=handler, san=True,
                 args=["--once", "--exit-when-idle", "--secret-config", "Short,Long"])
    rc, log, _ = ag.run(timeout=90)
    v = emu.job(job["id"])
    msg = ((v.get("result") or {}).get("failureDetails") or {}).get("message", "")
    check("relay_job_failed_once", rc == 0 and v["state"] == "Failed"
          and len(v["attempts"]) == 1 and msg.startswith("handler exited with status 1: "),
          (rc, v["state"], msg[:200], log[-1500:]))

    relayed = {"stdout": [], "stderr": []}
    for ln in log.splitlines():
        m = RELAYED.search(ln)
        if m:
            relayed[m.group(1)].append(m.group(2))
    want_xy = sum(ln.count("x") + ln.count("y") for ln in printed)
    for name, got in relayed.items():
        dirty = [ln for ln in got if not CLEAN.match(ln)]
        check("relay_%s_lines_hold_no_byte_of_a_secret" % name, got and not dirty,
              (len(got), [d[:120] + " ... " + d[-120:] for d in dirty[:4]]))
        have_xy = sum(ln.count("x") + ln.count("y") for ln in got)
        check("relay_%s_masks_nothing_else" % name, have_xy == want_xy
              and sum(ln.count("[redacted]") for ln in got) >= len(printed),
              (have_xy, want_xy))
    check("relay_log_holds_no_16_byte_run", not run_hits(log, (SHORT, LONG)),
          run_hits(log, (SHORT, LONG)))

    # the failure message: the end of stderr, values masked byte for byte
    tail = msg[len("handler exited with status 1: "):]
    err = "".join(ln + "\n" for ln in printed).rstrip("\n")
    orig = err[-len(tail):] if tail else ""
    bad = [i for i in range(len(tail)) if (orig[i] in "xy\n") != (tail[i] == orig[i])
           or (orig[i] not in "xy\n" and tail[i] != "*")]
    check("failure_message_masks_exactly_the_secrets", len(tail) > 500 and not bad
          and "*" * 100 in tail, (len(tail), bad[:10], tail[-300:]))
    check("failure_message_holds_no_16_byte_run", not run_hits(msg, (SHORT, LONG)),
          run_hits(msg, (SHORT, LONG)))


def service_message():
    wrong = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONGKEY12"
    with A.Emulator(credentials=["%s:%s:%s" % (A.AKID, A.SECRET, TOKEN)]) as emu:
        env = A.environ(emu, AWS_SECRET_ACCESS_KEY=wrong, AWS_SESSION_TOKEN=TOKEN)
        ag = A.Agent(emu, "RedactSig", san=True, env=env,
                     args=["--once", "--exit-when-idle", "--log-level", "debug"])
        rc, log, _ = ag.run(timeout=60)
        reqs = [r for r in emu.requests() if r.get("operation") == "PollForJobs"]
        check("sigfail_emulator_saw_a_bad_signature", reqs and all(
            r.get("authError") == "signature" for r in reqs), reqs[:2])
        err = [ln for ln in log.splitlines()
               if "PollForJobs: InvalidSignatureException" in ln]
        check("sigfail_logged_with_the_token_redacted", rc == 1 and err
              and "x-amz-security-token:[redacted]" in err[0], (rc, log[-1500:]))
        check("sigfail_log_holds_no_16_byte_run_of_the_token",
              not run_hits(log, (TOKEN,)), run_hits(log, (TOKEN,)))
        check("sigfail_log_holds_no_16_byte_run_of_the_key",
              not run_hits(log, (wrong,)), run_hits(log, (wrong,)))


def main():
    with A.Emulator() as emu:
        relay_cuts(emu)
    service_message()


if __name__ == "__main__":
    try:
        main()
    finally:
        A.cleanup()
    sys.exit(A.exit_status())
