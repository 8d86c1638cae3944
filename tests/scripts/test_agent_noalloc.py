#!/usr/bin/python3
"""No heap allocation by the library during a job: runs
tests/integration/test_job_noalloc (plain build: it interposes malloc;
sanitizer build: ASan's allocation hooks) against the emulator, which
holds the job it works, and checks the job's outcome on the emulator's
side. The counter is shown to work: when the emulator closes every
connection, the job must reconnect, and the C library's resolver
(getaddrinfo) allocates -- which both builds must count.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402


def run(prog, emu, extra=None):
    env = dict(os.environ)
    env.update(CPJ_NOALLOC_ENDPOINT=emu.endpoint, CPJ_NOALLOC_CA=emu.ca_file,
               CPJ_NOALLOC_AKID=A.AKID, CPJ_NOALLOC_SECRET=A.SECRET,
               CPJ_NOALLOC_PROVIDER="NoAlloc", CPJ_NOALLOC_WARMUP="NoAllocWarmup",
               CPJ_NOALLOC_BUCKET=A.BUCKET, CPJ_NOALLOC_WARMUP_KEY="warmup/object",
               ASAN_OPTIONS="detect_leaks=0")
    env.update(extra or {})
    p = subprocess.run([prog], env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def main():
    try:
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            emu.register_action_type("NoAllocWarmup")
            emu.bucket(A.BUCKET)
            emu.put_object(A.BUCKET, "warmup/object", b"warm")
            for build, label in ((A.BUILD, "plain"), (A.BUILD_SAN, "asan")):
                prog = os.path.join(build, "tests", "integration", "test_job_noalloc")
                if not os.path.exists(prog):
                    check("noalloc_%s_built" % label, False, prog)
                    continue
                job, blobs = A.queue(emu, "NoAlloc", inputs=1, outputs=2)
                rc, out, err = run(prog, emu)
                print("\n".join("    | " + l for l in out.splitlines()))
                check("noalloc_%s_zero_allocations" % label, rc == 0
                      and "PASS job_noalloc_zero_allocations" in out
                      and "allocations during the job: 0;" in out, (rc, out, err[-1500:]))
                v = emu.job(job["id"])
                res = v.get("result") or {}
                check("noalloc_%s_job_succeeded" % label, v["state"] == "Succeeded"
                      and res.get("outputVariables", {}).get("Mode") == "noalloc", v["state"])
                objs = {o["key"]: o for o in emu.admin("GET", "objects")}
                keys = [a["location"]["s3Location"]["objectKey"]
                        for a in job["data"]["outputArtifacts"]]
                data = list(blobs.values())[0]
                got = [emu.get_object(A.BUCKET, k) if k in objs else None for k in keys]
                check("noalloc_%s_outputs_stored" % label, got == [data, data]
                      and [objs[k]["payload"] for k in keys] == ["sha256", "UNSIGNED-PAYLOAD"]
                      and all(objs[k]["sse"] == "aws:kms" for k in keys),
                      [objs.get(k) for k in keys])
            # The counter itself: a job whose connections are not reused
            # (the emulator closes after each answer) must show the
            # resolver's allocations, so a zero above means something.
            emu.config(close_after_response=True)
            for build, label in ((A.BUILD, "plain"), (A.BUILD_SAN, "asan")):
                job, _ = A.queue(emu, "NoAlloc", inputs=1, outputs=2)
                prog = os.path.join(build, "tests", "integration", "test_job_noalloc")
                rc, out, err = run(prog, emu)
                check("noalloc_%s_counter_sees_resolver_allocations" % label, rc != 0
                      and "FAIL job_noalloc_zero_allocations" in out
                      and "FAIL job_noalloc_no_new_connection" in out, (rc, out))
            emu.config(close_after_response=False)
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
