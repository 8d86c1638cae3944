#!/usr/bin/python3
"""The library's examples (tests/examples/ex_*.c) run against the emulator,
so they cannot rot: each is run (sanitizer build) with the endpoint, CA file
and credentials in its environment, and its output and the emulator's view
are checked. ex_poll_once and ex_worker use only cpj_worker.h and take the
CA bundle from AWS_CA_BUNDLE: the emulator's CA file, none (the compiled-in
Amazon roots refuse the emulator), the system bundle alone (loaded whole,
refused) and the system bundle with the emulator's CA at its end. The
library is quiet by default (no line below warnings on stderr). Also: the
README's "Using the library" code block is tests/examples/ex_poll_once.c,
byte for byte.
"""
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

EXDIR = os.path.join(A.BUILD_SAN, "tests", "examples")
# the minimal profile (include/cpj_config_minimal.h), built by `make test`
MIN_BUILD = A.BUILD_SAN + "-min"
MIN_EXDIR = os.path.join(MIN_BUILD, "tests", "examples")


def run(name, emu, timeout=60, exdir=EXDIR, **extra):
    prog = os.path.join(exdir, name)
    if not os.path.exists(prog):
        return 127, "", "not built: " + prog
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CPJ_ENDPOINT=emu.endpoint, CPJ_CA_FILE=emu.ca_file,
               AWS_ACCESS_KEY_ID=A.AKID, AWS_SECRET_ACCESS_KEY=A.SECRET,
               ASAN_OPTIONS="detect_leaks=1")
    env.update(extra)
    p = subprocess.run([prog], env=env, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    print("    $ %s\n%s" % (name, "\n".join("    | " + l
                                             for l in (p.stdout + p.stderr).splitlines())))
    return p.returncode, p.stdout, p.stderr


def readme_block():
    text = open(os.path.join(A.TOP, "README.md")).read()
    m = re.search(r"^### Using the library\n.*?^```c\n(.*?)^```\n", text, re.S | re.M)
    return m.group(1) if m else None


def test_poll_once_source():
    """The minimal worker is written against cpj_worker.h alone, with at
    most 8 distinct library calls."""
    src = open(os.path.join(A.TOP, "tests", "examples", "ex_poll_once.c")).read()
    local = re.findall(r'^#include "([^"]+)"', src, re.M)
    calls = sorted(set(re.findall(r"\b(cpj_[a-z0-9_]+)\s*\(", src)))
    check("ex_poll_once_uses_only_cpj_worker_h", local == ["cpj_worker.h"], local)
    check("ex_poll_once_at_most_8_calls", 0 < len(calls) <= 8, calls)


def test_readme():
    src = open(os.path.join(A.TOP, "tests", "examples", "ex_poll_once.c")).read()
    check("examples_readme_quotes_ex_poll_once", readme_block() == src,
          "README.md's \"Using the library\" C block differs from "
          "tests/examples/ex_poll_once.c")


SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def test_poll_once(emu, exdir=EXDIR, sfx=""):
    # ex_poll_once reads only cpj_worker.h's configuration: the CA bundle
    # from AWS_CA_BUNDLE (the emulator's CA unless a check says otherwise)
    def run(name, emu, **kw):
        kw.setdefault("AWS_CA_BUNDLE", emu.ca_file)
        return run_in(name, emu, exdir=exdir, **kw)

    def check(name, ok, info=None):
        return A.check(name + sfx, ok, info)
    emu.register_action_type("ExPollEmpty")
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPollEmpty")
    check("ex_poll_once_no_job", rc == 0 and out.strip() == "0 job(s)", (rc, out, err))
    # quiet by default: the library logs nothing below warnings unless the
    # program asks (cpj_log_set_level); the host build compiles debug in
    check("ex_poll_once_quiet_by_default", rc == 0 and "cpjob:" not in err, err)
    j1, _ = A.queue(emu, "ExPoll" + sfx)
    j2, _ = A.queue(emu, "ExPoll" + sfx, inputs=2)
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPoll" + sfx)
    ok = rc == 0 and out.splitlines()[-1:] == ["2 job(s)"]
    for j in (j1, j2):
        ok = ok and ("job %s: pipeline %s, %d input artifact(s)" % (
            j["id"], j["data"]["pipelineContext"]["pipelineName"],
            len(j["data"]["inputArtifacts"]))) in out
    check("ex_poll_once_prints_jobs", ok, (rc, out, err))
    check("ex_poll_once_jobs_polled", all(emu.job(j["id"])["state"] != "Queued"
                                          for j in (j1, j2)),
          [emu.job(j["id"])["state"] for j in (j1, j2)])
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPollEmpty",
                       AWS_SECRET_ACCESS_KEY="wrong" + A.SECRET[5:])
    check("ex_poll_once_reports_errors", rc == 1 and "error:" in err, (rc, out, err))
    # a failure before any connection (no CA certificate in the file)
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPollEmpty",
                       AWS_CA_BUNDLE=os.path.join(A.TOP, "README.md"))
    check("ex_poll_once_bad_ca_file", rc == 1 and "error:" in err and "job" not in out,
          (rc, out, err))
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPollEmpty",
                       AWS_CA_BUNDLE=os.path.join(A.ROOT, "no-such-ca.pem"))
    check("ex_poll_once_missing_ca_file", rc == 1 and "error:" in err and "job" not in out,
          (rc, out, err))
    # without AWS_CA_BUNDLE: the compiled-in Amazon roots, which do not
    # anchor the emulator's certificate
    rc, out, err = run_nobundle(exdir, emu, CPJ_PROVIDER="ExPollEmpty")
    check("ex_poll_once_builtin_anchors_refuse_emulator",
          rc == 1 and "error:" in err and "job" not in out, (rc, out, err))
    if not os.path.exists(SYSTEM_BUNDLE):
        check("ex_poll_once_system_bundle", False, "no " + SYSTEM_BUNDLE)
        return
    sysb = open(SYSTEM_BUNDLE, "rb").read()
    # the system bundle alone: loaded whole, but no anchor of the emulator
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPollEmpty",
                       AWS_CA_BUNDLE=SYSTEM_BUNDLE)
    check("ex_poll_once_system_bundle_alone", rc == 1 and "error:" in err and
          ("not anchored" in err or sfx == "_minimal") and "job" not in out,
          (rc, out, err))
    # the system bundle with the emulator's CA after it (far past the
    # first 4 KB): every certificate is loaded, the last one anchors
    both = os.path.join(A.ROOT, "ca-system-and-emulator%s.pem" % sfx)
    with open(both, "wb") as f:
        f.write(sysb + b"\n" + open(emu.ca_file, "rb").read())
    rc, out, err = run("ex_poll_once", emu, CPJ_PROVIDER="ExPollEmpty",
                       AWS_CA_BUNDLE=both)
    check("ex_poll_once_system_bundle_and_emulator_ca",
          rc == 0 and out.strip() == "0 job(s)" and sysb.count(b"BEGIN CERT") >= 100,
          (rc, out, err, sysb.count(b"BEGIN CERT")))


def test_worker(emu, exdir=EXDIR, sfx=""):
    def run(name, emu, **kw):
        kw.setdefault("AWS_CA_BUNDLE", emu.ca_file)
        return run_in(name, emu, exdir=exdir, **kw)

    def check(name, ok, info=None):
        return A.check(name + sfx, ok, info)
    prov = "ExWorker" + sfx
    jobs = [A.queue(emu, prov)[0],
            A.queue(emu, prov, config={"Outcome": "fail"})[0],
            A.queue(emu, prov)[0]]
    rc, out, err = run("ex_worker", emu, CPJ_PROVIDER=prov, CPJ_MAX_JOBS="2")
    check("ex_worker_stops_after_n_jobs", rc == 0 and out.splitlines()[-1:] ==
          ["2 job(s) handled"], (rc, out, err))
    check("ex_worker_third_job_left_queued", emu.job(jobs[2]["id"])["state"] == "Queued",
          emu.job(jobs[2]["id"])["state"])
    rc, out2, err = run("ex_worker", emu, CPJ_PROVIDER=prov, CPJ_EXIT_WHEN_IDLE="1")
    check("ex_worker_exits_when_idle", rc == 0 and out2.splitlines()[-1:] ==
          ["1 job(s) handled"], (rc, out2, err))
    out += out2
    views = [emu.job(j["id"]) for j in jobs]
    check("ex_worker_outcomes", [v["state"] for v in views] ==
          ["Succeeded", "Failed", "Succeeded"], [(v["state"], v.get("result")) for v in views])
    check("ex_worker_prints_outcomes", all(
        "job %s: %s" % (j["id"], w) in out for j, w in
        zip(jobs, ("succeeded", "failed", "succeeded"))), out)
    res = views[1].get("result") or {}
    check("ex_worker_failure_details", "refused the deployment" in str(res), res)


run_in = run


def run_nobundle(exdir, emu, **extra):
    """ex_poll_once with no AWS_CA_BUNDLE at all (run() drops AWS_*)."""
    return run_in("ex_poll_once", emu, exdir=exdir, **extra)


# Defined in the minimal library, absent from it (nm), and so present in the
# full one: the check fails if a switch stops working either way.
PROFILE_SYMBOLS = {
    "S3": ["cpj_s3_get_object", "cpj_s3_put_object", "cpj_s3_init"],
    "CREDS_PROVIDERS": ["cpj_creds_fetch_imds", "cpj_creds_fetch_container",
                        "cpj_creds_fetch_iot", "cpj_creds_from_json", "cpj_creds_from_ini",
                        "cpj_ini_get"],
    "TLS_CLIENT_CERT": ["cpj_tls_client_cert_load", "cpj_tls_set_client_cert"],
    "THIRD_PARTY": ["cpj_cp_poll_for_third_party_jobs"],
    "SIGV4_PRESIGN": ["cpj_sigv4_presign"],
    "PEM_FAST": ["cpj_tls_der_cert_read"],
}
PROFILE_KEPT = ["cpj_cp_poll_for_jobs", "cpj_cp_acknowledge_job", "cpj_cp_put_job_success",
                "cpj_cp_put_job_failure", "cpj_cp_get_job_details", "cpj_creds_set",
                "cpj_sigv4_sign", "cpj_tls_anchors_add_pem", "cpj_strerror"]


# BearSSL code a switch links: referenced by the full library only.
PROFILE_REFERENCED = {
    "TLS_EC_FAST": ["br_ec_p256_m31", "br_ec_c25519_m31"],
}


def referenced_symbols(lib):
    p = subprocess.run(["nm", "-g", "--undefined-only", lib], capture_output=True, text=True)
    return set(ln.split()[-1] for ln in p.stdout.splitlines() if ln.split())


def defined_symbols(lib):
    p = subprocess.run(["nm", "-g", "--defined-only", lib], capture_output=True, text=True)
    return set(ln.split()[-1] for ln in p.stdout.splitlines() if len(ln.split()) == 3)


def test_minimal_profile(emu):
    lib_min = os.path.join(MIN_BUILD, "libcpjob.a")
    lib_full = os.path.join(A.BUILD_SAN, "libcpjob.a")
    if not os.path.exists(lib_min):
        check("minimal_profile_built", False, "not built: " + lib_min)
        return
    have_min, have_full = defined_symbols(lib_min), defined_symbols(lib_full)
    for switch, syms in sorted(PROFILE_SYMBOLS.items()):
        check("minimal_profile_leaves_out_" + switch.lower(),
              not (set(syms) & have_min) and set(syms) <= have_full,
              (sorted(set(syms) & have_min), sorted(set(syms) - have_full)))
    ref_min, ref_full = referenced_symbols(lib_min), referenced_symbols(lib_full)
    for switch, syms in sorted(PROFILE_REFERENCED.items()):
        check("minimal_profile_leaves_out_" + switch.lower(),
              not (set(syms) & ref_min) and set(syms) <= ref_full,
              (sorted(set(syms) & ref_min), sorted(set(syms) - ref_full)))
    check("minimal_profile_keeps_poll_ack_report", set(PROFILE_KEPT) <= have_min,
          sorted(set(PROFILE_KEPT) - have_min))
    # what the profile refuses, without a network (PASS/FAIL lines of its own)
    rc, out, err = run("check_minimal", emu, exdir=MIN_EXDIR)
    lines = [ln for ln in out.splitlines() if ln.startswith(("PASS ", "FAIL "))]
    for ln in lines:
        verdict, name = ln.split()[:2]
        check(name, verdict == "PASS", ln)
    check("minimal_check_program", rc == 0 and len(lines) >= 10, (rc, out, err))
    # the two examples a minimal tool is made of, against the emulator
    test_poll_once(emu, MIN_EXDIR, "_minimal")
    test_worker(emu, MIN_EXDIR, "_minimal")


def test_fetch_artifact(emu):
    rc, out, err = run("ex_fetch_artifact", emu, CPJ_PROVIDER="ExPollEmpty")
    check("ex_fetch_artifact_no_job", rc == 0 and out.strip() == "no job", (rc, out, err))
    job, blobs = A.queue(emu, "ExFetch", inputs=2)
    emu.clear_requests()
    rc, out, err = run("ex_fetch_artifact", emu, CPJ_PROVIDER="ExFetch")
    want = ["%s: %d bytes, sha256 %s" % (n, len(b), hashlib.sha256(b).hexdigest())
            for n, b in blobs.items()]
    check("ex_fetch_artifact_size_and_sha256", rc == 0 and out.splitlines() == want,
          (rc, out, err, want))
    # the GETs were signed with the job's artifactCredentials, not the worker's
    creds = job["data"]["artifactCredentials"]["accessKeyId"]
    # the emulator logs a request just after answering it: wait for the log
    A.wait_for(lambda: len([r for r in emu.requests() if r.get("method") == "GET"]) >= 2,
               timeout=5)
    gets = [r for r in emu.requests() if r.get("method") == "GET"]
    check("ex_fetch_artifact_job_credentials", len(gets) == 2 and all(
        creds in str(r) and A.AKID not in str(r) for r in gets), gets)


def test_transport(emu):
    emu.clear_requests()
    rc, out, err = run("ex_transport", emu)
    m = re.search(r"^wire: (\d+) bytes sent, (\d+) received in (\d+) calls$", out, re.M)
    hs = re.search(r"^handshake: (\d+) bytes sent, (\d+) received$", out, re.M)
    check("ex_transport_request_answered", rc == 0 and re.search(
        r"^HTTP \d{3}, \d+ body bytes$", out, re.M), (rc, out, err[-1500:]))
    sends = [int(x) for x in re.findall(r"^wire: send \d+ -> (\d+)$", err, re.M)]
    recvs = [int(x) for x in re.findall(r"^wire: recv \d+ -> (\d+)$", err, re.M)]
    check("ex_transport_counts_every_call", m and hs and
          int(m.group(1)) == sum(sends) and int(m.group(2)) == sum(recvs)
          and int(m.group(3)) == len(sends) + len(recvs)
          and int(m.group(1)) > int(hs.group(1)) > 0
          and int(m.group(2)) > int(hs.group(2)) > 0, (out, sends, recvs))
    A.wait_for(lambda: any(r.get("path") == "/ex-transport" for r in emu.requests()),
               timeout=5)
    seen = [r for r in emu.requests() if r.get("path") == "/ex-transport"]
    check("ex_transport_emulator_saw_request", len(seen) == 1, emu.requests())


def main():
    try:
        test_poll_once_source()
        test_readme()
        with A.Emulator(credentials=["%s:%s" % (A.AKID, A.SECRET)]) as emu:
            emu.bucket(A.BUCKET)
            test_poll_once(emu)
            test_worker(emu)
            test_fetch_artifact(emu)
            test_transport(emu)
            test_minimal_profile(emu)
    finally:
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
