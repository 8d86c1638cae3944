#!/usr/bin/python3
"""cpjob s3-put / s3-get against the emulator's S3: a 5 MB random object
byte-exact both ways with a signed and an unsigned payload, SSE-KMS headers,
path and virtual-hosted addressing, an awkward key, NoSuchKey, a transfer
cut mid-body, throttling retries, an expired token, a wrong region and a
skewed clock; every request's signature is verified by the emulator
(botocore). Ends with one put+get under valgrind when it is installed.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

BUILD = os.environ.get("CPJ_BUILD", os.path.join(TOP, "build/host"))
CPJOB = os.path.join(BUILD, "cpjob")
CPJOB_SAN = os.path.join(os.environ.get("CPJ_BUILD_SAN", os.path.join(TOP, "build/host-san")),
                         "cpjob")
AKID = "ASIAS3TESTEXAMPLE01"
SECRET = "s3SecretKeyEXAMPLE/abcdefghijklmnopqrstu"
TOKEN = "FwoGZXIvYXdzEXAMPLEs3//////////wEaDTOKEN+/="
BUCKET = "codepipeline-us-east-1-123456789012"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s %s%s" % ("PASS" if cond else "FAIL", name, "" if cond else ": " + str(detail)[:800]))
    sys.stdout.flush()


def environ(emu, **extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN,
             AWS_REGION="us-east-1", AWS_CA_BUNDLE=emu.ca_file, AWS_CONFIG_FILE="/dev/null",
             AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true",
             AWS_ENDPOINT_URL_S3="https://localhost:%d" % emu.port)
    for k in ("HTTPS_PROXY", "https_proxy"):
        e.pop(k, None)
    e.update(extra)
    return e


def cpjob(emu, *args, env=None, exe=CPJOB, prefix=(), timeout=120):
    p = subprocess.run(list(prefix) + [exe] + list(args), env=env or environ(emu),
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def log_since(emu, seq):
    return [r for r in emu.requests() if r["seq"] > seq and r.get("service") == "s3"]


def last_seq(emu):
    reqs = emu.requests()
    return reqs[-1]["seq"] if reqs else 0


def same_file(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def main():
    work = tempfile.mkdtemp(prefix="cpj-s3-")
    try:
        with Emulator(credentials=["%s:%s:%s" % (AKID, SECRET, TOKEN)]) as emu:
            run(emu, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


def run(emu, work):
    emu.bucket(BUCKET)
    src = os.path.join(work, "artifact.zip")
    data = os.urandom(5 * 1024 * 1024 + 123)
    with open(src, "wb") as f:
        f.write(data)
    md5 = hashlib.md5(data).hexdigest()
    out = os.path.join(work, "out.zip")
    key = "edge-pipeline/BuildOutpu/AbCdEfG"

    # -- signed payload (two passes), then a byte-exact download ------------
    seq = last_seq(emu)
    t0 = time.monotonic()
    rc, so, se = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", key, "--file", src,
                       "--content-type", "application/zip")
    t_put = time.monotonic() - t0
    check("put_signed_exit_0", rc == 0, (rc, se))
    check("put_prints_etag", rc == 0 and json.loads(so).get("ETag") == '"%s"' % md5, so)
    meta = emu.object_meta(BUCKET, key) if rc == 0 else {}
    check("put_signed_payload_sha256", meta.get("payload") == "sha256"
          and meta.get("contentType") == "application/zip", meta)
    check("put_stored_exact", rc == 0 and emu.get_object(BUCKET, key) == data)
    t0 = time.monotonic()
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out)
    t_get = time.monotonic() - t0
    check("get_exit_0", rc == 0, (rc, se))
    check("get_byte_exact", os.path.exists(out) and same_file(out, src))
    check("get_no_part_left", not os.path.exists(out + ".part"))
    check("get_prints_length", rc == 0 and json.loads(so).get("ContentLength") == len(data), so)
    reqs = log_since(emu, seq)
    check("path_style_by_default", [r["addressing"] for r in reqs] == ["path", "path"]
          and all(r["host"] == "localhost:%d" % emu.port for r in reqs), reqs)
    print("# 5 MB put %.2f s, get %.2f s (plain build, TLS on loopback)" % (t_put, t_get))

    # -- unsigned payload (one pass) -----------------------------------------
    os.unlink(out)
    rc, so, se = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", key + "-u", "--file", src,
                       "--unsigned-payload")
    meta = emu.object_meta(BUCKET, key + "-u") if rc == 0 else {}
    check("put_unsigned_payload", rc == 0 and meta.get("payload") == "UNSIGNED-PAYLOAD"
          and meta.get("contentType") is None, (rc, se, meta))
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key + "-u", "--out", out)
    check("get_unsigned_byte_exact", rc == 0 and same_file(out, src), (rc, se))

    # -- SSE-KMS ---------------------------------------------------------------
    rc, so, se = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", key + "-kms", "--file", src,
                       "--sse", "aws:kms", "--kms-key-id", KMS)
    meta = emu.object_meta(BUCKET, key + "-kms") if rc == 0 else {}
    check("put_sse_kms_recorded", rc == 0 and meta.get("sse") == "aws:kms"
          and meta.get("kmsKeyId") == KMS, (rc, se, meta))
    check("put_sse_kms_printed", rc == 0
          and json.loads(so).get("ServerSideEncryption") == "aws:kms", so)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key + "-kms", "--out", out)
    check("get_sse_kms_byte_exact", rc == 0 and same_file(out, src), (rc, se))
    rc, so, se = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", "x", "--file", src,
                       "--kms-key-id", KMS)
    check("kms_key_without_sse_rejected", rc == 252, (rc, se))

    # -- virtual-hosted: the bucket in the Host header ---------------------------
    seq = last_seq(emu)
    vkey = "virtual/one"
    rc1, _, se1 = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", vkey, "--file", src,
                        "--addressing-style", "virtual")
    rc2, _, se2 = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", vkey, "--out", out,
                        "--addressing-style", "virtual")
    reqs = log_since(emu, seq)
    check("virtual_hosted_put_get", rc1 == 0 and rc2 == 0 and same_file(out, src),
          (rc1, se1, rc2, se2))
    check("virtual_hosted_host_header", len(reqs) == 2 and all(
        r["addressing"] == "virtual" and r["host"] == "%s.localhost:%d" % (BUCKET, emu.port)
        and r["path"] == "/" + vkey for r in reqs), reqs)

    # -- a key with spaces, '+', '~' and non-ASCII --------------------------------
    seq = last_seq(emu)
    odd = "Build Output/AbC+dEf~G/r\u00e9sum\u00e9 \U0001F600.zip"
    rc1, _, se1 = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", odd, "--file", src)
    rc2, _, se2 = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", odd, "--out", out)
    reqs = log_since(emu, seq)
    check("odd_key_roundtrip", rc1 == 0 and rc2 == 0 and same_file(out, src)
          and emu.get_object(BUCKET, odd) == data, (rc1, se1, rc2, se2))
    want = ("/%s/Build%%20Output/AbC%%2BdEf~G/r%%C3%%A9sum%%C3%%A9%%20%%F0%%9F%%98%%80.zip"
            % BUCKET)
    check("odd_key_encoding", [r["path"] for r in reqs] == [want, want], [r["path"] for r in reqs])

    # -- NoSuchKey: exit 254, the code on stderr, no file left ---------------------
    missing = os.path.join(work, "missing.zip")
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", "no/such/key",
                       "--out", missing)
    check("no_such_key_exit_254", rc == 254, (rc, se))
    check("no_such_key_on_stderr", "(NoSuchKey)" in se and "GetObject" in se, se)
    check("no_such_key_no_file", not os.path.exists(missing)
          and not os.path.exists(missing + ".part"))
    with open(out, "wb") as f:
        f.write(b"old")
    rc, so, se = cpjob(emu, "s3-get", "--bucket", "no-such-bucket-x", "--key", "k", "--out", out)
    check("no_such_bucket_keeps_old_file", rc == 254 and "(NoSuchBucket)" in se
          and open(out, "rb").read() == b"old", (rc, se))

    # -- a transfer cut mid-body -----------------------------------------------------
    emu.fault("cut", service="s3", operation="GetObject", afterBytes=1000000, count=3)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out)
    check("cut_every_attempt_is_error", rc != 0 and open(out, "rb").read() == b"old"
          and not os.path.exists(out + ".part"), (rc, se))
    check("cut_reported", "connection ended" in se or "TLS" in se or "reset" in se, se)
    emu.clear_faults()
    seq = last_seq(emu)
    emu.fault("cut", service="s3", operation="GetObject", afterBytes=2000000, count=1)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out)
    reqs = log_since(emu, seq)
    check("cut_once_restarted_and_exact", rc == 0 and same_file(out, src) and len(reqs) == 2,
          (rc, se, len(reqs)))
    emu.clear_faults()

    # -- throttling (503 SlowDown) and 500 retried ----------------------------------
    seq = last_seq(emu)
    emu.fault("throttle", service="s3", operation="PutObject", count=2)
    rc, so, se = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", key + "-t", "--file", src)
    reqs = log_since(emu, seq)
    check("put_throttled_retried", rc == 0 and [r["status"] for r in reqs] == [503, 503, 200]
          and emu.get_object(BUCKET, key + "-t") == data, (rc, se, [r["status"] for r in reqs]))
    seq = last_seq(emu)
    emu.fault("error500", service="s3", operation="GetObject", count=1)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out)
    reqs = log_since(emu, seq)
    check("get_500_retried", rc == 0 and same_file(out, src)
          and [r["status"] for r in reqs] == [500, 200], (rc, se, [r["status"] for r in reqs]))
    emu.fault("throttle", service="s3", operation="GetObject", count=3)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", missing)
    check("throttled_gives_up", rc == 254 and "(SlowDown)" in se
          and not os.path.exists(missing), (rc, se))
    emu.clear_faults()

    # -- wrong region: re-signed for the bucket's region -------------------------------
    seq = last_seq(emu)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out,
                       "--region", "eu-west-1")
    reqs = log_since(emu, seq)
    check("wrong_region_followed", rc == 0 and same_file(out, src) and len(reqs) == 2
          and reqs[0]["error"] == "AuthorizationHeaderMalformed" and reqs[1]["status"] == 200,
          (rc, se, reqs))

    # -- clock skew: re-signed with the service's time ----------------------------------
    emu.config(clock_skew=3600)
    seq = last_seq(emu)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out)
    reqs = log_since(emu, seq)
    emu.config(clock_skew=0)
    check("clock_skew_resigned", rc == 0 and same_file(out, src)
          and [r["error"] for r in reqs] == ["RequestTimeTooSkewed", None], (rc, se, reqs))

    # -- expired token -------------------------------------------------------------------
    emu.expire_credentials(AKID)
    seq = last_seq(emu)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", missing)
    reqs = log_since(emu, seq)
    check("expired_token_error", rc == 254 and "(ExpiredToken)" in se
          and not os.path.exists(missing) and len(reqs) == 1, (rc, se, len(reqs)))
    rc, so, se = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", key + "-x", "--file", src)
    check("expired_token_put_error", rc == 254 and "(ExpiredToken)" in se, (rc, se))
    emu.expire_credentials(AKID, expired=False)
    rc, so, se = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key, "--out", out,
                       env=environ(emu, AWS_SECRET_ACCESS_KEY="wrong" + SECRET[5:]))
    check("wrong_secret_signature_error", rc == 254 and "(SignatureDoesNotMatch)" in se, (rc, se))

    # -- progress with --debug, sanitizer build -------------------------------------------
    if os.path.exists(CPJOB_SAN):
        rc1, _, se1 = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", key + "-san", "--file",
                            src, "--debug", exe=CPJOB_SAN)
        rc2, _, se2 = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", key + "-san", "--out",
                            out, exe=CPJOB_SAN)
        check("sanitizer_build_put_get", rc1 == 0 and rc2 == 0 and same_file(out, src),
              (rc1, se1[-500:], rc2, se2[-500:]))
        check("debug_reports_progress", ("of %d bytes" % len(data)) in se1, se1[-500:])
        check("debug_never_logs_secrets", SECRET not in se1 and TOKEN not in se1
              and "Signature=" not in se1, "secret in the debug log")

    # -- every request we signed verified ----------------------------------------------------
    s3reqs = [r for r in emu.requests() if r.get("service") == "s3"]
    # the rejections provoked above are answered before or instead of the
    # signature check; none of them may be a mismatch but the wrong secret's
    provoked = ("ExpiredToken", "SignatureDoesNotMatch", "AuthorizationHeaderMalformed",
                "RequestTimeTooSkewed")
    bad = [r for r in s3reqs if r.get("sigOk") is not True and r.get("error") not in provoked]
    check("all_signatures_verified", s3reqs and not bad, bad[:3])
    check("provoked_rejections_seen", sum(1 for r in s3reqs if r.get("error") in provoked) == 5,
          [r.get("error") for r in s3reqs if r.get("error")])
    tampered = [r for r in s3reqs if r.get("error") == "SignatureDoesNotMatch"]
    check("only_the_wrong_secret_failed", len(tampered) == 1 and tampered[0]["sigOk"] is False,
          tampered)

    # -- valgrind: one put and one get, no leaks or errors ----------------------------------
    vg = shutil.which("valgrind")
    if vg is None:
        print("# valgrind not installed: skipped")
        return
    small = os.path.join(work, "small.bin")
    with open(small, "wb") as f:
        f.write(os.urandom(256 * 1024))
    prefix = [vg, "--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=definite",
              "-q"]
    t0 = time.monotonic()
    rc1, _, se1 = cpjob(emu, "s3-put", "--bucket", BUCKET, "--key", "vg", "--file", small,
                        prefix=prefix, timeout=300)
    rc2, _, se2 = cpjob(emu, "s3-get", "--bucket", BUCKET, "--key", "vg", "--out", out,
                        prefix=prefix, timeout=300)
    check("valgrind_put_get_clean", rc1 == 0 and rc2 == 0 and same_file(out, small),
          (rc1, se1[-800:], rc2, se2[-800:]))
    print("# valgrind put+get of 256 KB: %.1f s" % (time.monotonic() - t0))


if __name__ == "__main__":
    sys.exit(main())
