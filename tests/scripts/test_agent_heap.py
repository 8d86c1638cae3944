#!/usr/bin/python3
"""The agent allocates nothing at run time: a whole `cpjob run` (start-up,
a job with an input and an output artifact, the handler, the report,
exit) under valgrind, whose allocation tree (--xtree-memory) must show
every heap block coming from the C library's resolver (getaddrinfo, one
per connection), and no memcheck error.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402


def allocations(path):
    """(total blocks, blocks allocated under getaddrinfo) from a
    callgrind-format xtree."""
    names = {}
    total = via = 0
    callee = None
    with open(path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("cfn="):
                callee = names.get(m.group(1))
            continue
        if line.startswith("calls=") and callee == "getaddrinfo":
            via += int(lines[i + 1].split()[4])
        if line.startswith("totals:"):
            total = int(line.split()[4])
    return total, via


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            job, _ = A.queue(emu, "Heap", config={"Mode": "ok"})
            xt = os.path.join(A.ROOT, "xtree.out")
            ag = A.Agent(emu, "Heap", args=["--once", "--exit-when-idle"])
            ag.cmd = ["valgrind", "-q", "--error-exitcode=99", "--trace-children=no",
                      "--child-silent-after-fork=yes", "--xtree-memory=full",
                      "--xtree-memory-file=" + xt] + ag.cmd
            rc, log, secs = ag.run(timeout=150)
            v = emu.job(job["id"])
            check("heap_job_under_valgrind", rc == 0 and v["state"] == "Succeeded",
                  (rc, v["state"], log[-2000:]))
            total, via = allocations(xt) if os.path.exists(xt) else (-1, -1)
            conns = len({r["conn"] for r in emu.requests()})
            print("heap blocks allocated: %d, under getaddrinfo: %d; connections: %d; %.1f s"
                  % (total, via, conns, secs))
            check("heap_only_the_resolver_allocates", total >= 0 and total == via
                  and total <= 4 * conns, (total, via, conns))
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
