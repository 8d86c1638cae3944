#!/usr/bin/python3
"""`cpjob run` start-up checks and bounded one-shot runs.

- `--exec` must be an executable regular file: a directory is refused at
  start (before, it was taken and every job failed later);
- a config value with an unterminated quote is an error with its line;
- a path that cannot serve names which path it is (handler, work
  directory, state file directory, the state file's lock), all with exit
  status 1 (a usage error is 2);
- with `--once` (or `--exit-when-idle`), polls that keep failing end the
  run with exit status 1 after `--give-up-after` seconds (default 60),
  with one line naming the endpoint and the reason: an unreachable
  endpoint, a CA bundle that does not verify the server.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

AT = A.at("Startup")


def run(args, env, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([A.cpjob_path(), "run"] + args, env=env, capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    d = tempfile.mkdtemp(prefix="startup-", dir=A.ROOT)
    afile = os.path.join(d, "afile")
    open(afile, "w").close()
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            env = A.environ(emu)
            base = ["--action-type-id", AT, "--poll-interval", "0.2"]

            def paths(sub):
                return ["--work-dir", os.path.join(d, sub, "work"),
                        "--state-file", os.path.join(d, sub, "state")]

            rc, out, err, _ = run(base + paths("a") + ["--exec", d, "--once"], env)
            check("exec_directory_refused_at_start", rc == 1 and "handler (--exec)" in err
                  and "a directory" in err, (rc, err))
            conf = os.path.join(d, "cpjob.conf")
            with open(conf, "w") as f:
                f.write("# test\nlog-level = info\nexec = \"%s\n" % A.HANDLER)
            rc, out, err, _ = run(base + paths("b") + ["--config", conf, "--once"], env)
            check("config_unterminated_quote_with_line", rc == 2 and "line 3" in err
                  and "unterminated quote" in err, (rc, err))
            rc, out, err, _ = run(base + ["--exec", A.HANDLER, "--work-dir",
                                          os.path.join(afile, "work"), "--state-file",
                                          os.path.join(d, "c", "state"), "--once"], env)
            check("work_dir_error_named_exit_1", rc == 1
                  and "work directory (--work-dir)" in err, (rc, err))
            rc, out, err, _ = run(base + ["--exec", A.HANDLER, "--work-dir",
                                          os.path.join(d, "d", "work"), "--state-file",
                                          os.path.join(afile, "state"), "--once"], env)
            check("state_dir_error_named_exit_1", rc == 1
                  and "state file (--state-file)" in err, (rc, err))
            os.makedirs(os.path.join(d, "e"))
            os.makedirs(os.path.join(d, "e", "state.lock"))
            rc, out, err, _ = run(base + paths("e") + ["--exec", A.HANDLER, "--once"], env)
            check("state_lock_error_named_exit_1", rc == 1
                  and "state file (--state-file) lock" in err, (rc, err))

            port = closed_port()
            url = "https://127.0.0.1:%d" % port
            e = dict(env, AWS_ENDPOINT_URL=url)
            rc, out, err, secs = run(base + paths("f") + ["--exec", A.HANDLER, "--once",
                                                          "--give-up-after", "3"], e)
            last = [l for l in err.splitlines() if "giving up" in l]
            print("  unreachable: exit %s after %.1f s: %s" % (rc, secs, last[-1:]))
            check("once_unreachable_ends_within_budget", rc == 1 and secs < 3 + 20
                  and len(last) == 1 and url in last[0], (rc, secs, err[-800:]))
            e = dict(env, AWS_CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt")
            rc, out, err, secs = run(base + paths("g") + ["--exec", A.HANDLER,
                                                          "--exit-when-idle",
                                                          "--give-up-after", "3"], e)
            last = [l for l in err.splitlines() if "giving up" in l]
            print("  wrong CA: exit %s after %.1f s: %s" % (rc, secs, last[-1:]))
            check("wrong_ca_ends_within_budget", rc == 1 and secs < 3 + 20
                  and len(last) == 1 and emu.endpoint in last[0], (rc, secs, err[-800:]))
            p = subprocess.run([A.cpjob_path(), "run", "--help"], capture_output=True,
                               text=True, timeout=10)
            check("give_up_after_documented", "--give-up-after" in p.stdout
                  and "default 60" in p.stdout, p.stdout[-1500:])
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
