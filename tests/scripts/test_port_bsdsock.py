#!/usr/bin/python3
"""port/bsdsock, the example of a custom port (a BSD socket subset such as
lwIP's), kept from rotting. `make test` builds the library with
PORT=bsdsock (sanitizers on) into $(BUILD)/port-bsdsock/host-san, with
test_port_conformance and ex_poll_once; this script

 - checks that this library holds port_bsdsock.o and not port_posix.o;
 - runs the conformance test of that build: each of its PASS/FAIL lines
   becomes a check of this script (bsdsock_<name>), and the run as a whole
   must exit 0 with every check there (a missing binary fails);
 - runs ex_poll_once of that build against the emulator with the checks of
   tests/scripts/test_examples.py (suffix _bsdsock): "0 job(s)" for an
   empty action type, both jobs printed when two are queued, errors.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402
import test_examples as E  # noqa: E402

# $(BUILD)/port-bsdsock/host-san beside $(BUILD)/host-san
BUILD = os.environ.get("CPJ_BUILD_BSDSOCK", os.path.join(
    os.path.dirname(A.BUILD_SAN), "port-bsdsock", os.path.basename(A.BUILD_SAN)))
CONFORMANCE = os.path.join(BUILD, "tests", "integration", "test_port_conformance")
EXDIR = os.path.join(BUILD, "tests", "examples")
# the checks of the conformance test that every port runs (test_log is the
# POSIX port's extension, test_connect_timeout may be a SKIP)
MIN_CHECKS = 16


def test_library():
    lib = os.path.join(BUILD, "libcpjob.a")
    if not os.path.exists(lib):
        check("bsdsock_library_built", False, "not built: " + lib)
        return
    p = subprocess.run(["ar", "t", lib], capture_output=True, text=True)
    members = p.stdout.split()
    check("bsdsock_library_has_the_port", p.returncode == 0 and
          "port_bsdsock.o" in members and "port_posix.o" not in members,
          [m for m in members if m.startswith("port_")])


def test_conformance():
    if not os.path.exists(CONFORMANCE):
        check("bsdsock_conformance_built", False, "not built: " + CONFORMANCE)
        return
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.pop("CPJ_CONFORMANCE_REMOTE", None)
    p = subprocess.run([CONFORMANCE], env=env, capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    print("    $ test_port_conformance (PORT=bsdsock)\n%s" % "\n".join(
        "    | " + ln for ln in (p.stdout + p.stderr).splitlines()))
    passed = 0
    for ln in p.stdout.splitlines():
        if ln.startswith(("PASS ", "FAIL ")):
            verdict, name = ln.split()[:2]
            check("bsdsock_" + name, verdict == "PASS", ln + "\n" + p.stderr[-1000:])
            passed += verdict == "PASS"
    check("bsdsock_conformance_complete", p.returncode == 0 and passed >= MIN_CHECKS,
          (p.returncode, passed, p.stderr[-1500:]))


def main():
    try:
        test_library()
        test_conformance()
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            emu.bucket(A.BUCKET)
            E.test_poll_once(emu, EXDIR, "_bsdsock")
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
