#!/usr/bin/python3
"""A TLS handshake that cpjob's profile refuses says why, in words: a
one-shot command against `openssl s_server` on 127.0.0.1 offering only
what the AWS TLS profile drops (a CBC suite, RSA key exchange, TLS 1.3
only, P-521 only), a certificate from another CA and one for another host.
The first line stays the aws CLI's ("SSL validation failed for URL"); the
"TLS detail" line names what the server refused or got wrong. A server
inside the profile passes the handshake (no TLS detail line).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

CPJOB = A.cpjob_path(san=False)
OPENSSL = "/usr/bin/openssl"


def cert(d, name, san):
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=" + name, "-addext",
                    "subjectAltName=" + san], check=True, capture_output=True, timeout=60)
    return key, crt


def server(key, crt, args):
    """openssl s_server on a free loopback port, once it listens."""
    for _ in range(5):
        port = A.free_port()
        p = subprocess.Popen([OPENSSL, "s_server", "-accept", "127.0.0.1:%d" % port,
                              "-key", key, "-cert", crt, "-quiet"] + args,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return p, port
            except OSError:
                if p.poll() is not None:
                    break
                time.sleep(0.05)
        p.kill()
        p.wait()
    raise RuntimeError("openssl s_server did not start")


def poll(port, bundle):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40,
             AWS_REGION="us-east-1", AWS_CA_BUNDLE=bundle, AWS_CONFIG_FILE="/dev/null",
             AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true",
             AWS_MAX_ATTEMPTS="1")
    p = subprocess.run([CPJOB, "poll-for-jobs", "--endpoint-url",
                        "https://127.0.0.1:%d" % port, "--cli-read-timeout", "5",
                        "--action-type-id",
                        "category=Deploy,owner=Custom,provider=Tls,version=1"],
                       env=e, capture_output=True, timeout=60)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def run_once(key, crt, d):
    """`cpjob run --once` logs the same words on each failed poll."""
    srv, port = server(key, crt, ["-tls1_2", "-cipher", "AES128-SHA"])
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40,
             AWS_REGION="us-east-1", AWS_CA_BUNDLE=crt, AWS_CONFIG_FILE="/dev/null",
             AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    try:
        p = subprocess.run([CPJOB, "run", "--once", "--give-up-after", "1", "--endpoint-url",
                            "https://127.0.0.1:%d" % port, "--exec", "/bin/true",
                            "--work-dir", os.path.join(d, "work"),
                            "--state-file", os.path.join(d, "state"), "--action-type-id",
                            "category=Deploy,owner=Custom,provider=Tls,version=1"],
                           env=e, capture_output=True, timeout=60)
    finally:
        srv.kill()
        srv.wait()
    err = p.stderr.decode("utf-8", "replace")
    check("run_logs_why_refused", p.returncode == 1 and "PollForJobs: peer sent a fatal "
          "alert (the server refused the handshake: it shares no cipher suite" in err,
          (p.returncode, err[-1500:]))


def case(name, key, crt, args, bundle, want):
    srv, port = server(key, crt, args)
    try:
        rc, err = poll(port, bundle)
    finally:
        srv.kill()
        srv.wait()
    lines = err.splitlines()
    detail = [ln for ln in lines if ln.startswith("cpjob: TLS detail: ")]
    if want is None:
        check(name, not detail, err)
        return
    check(name, rc == 255 and "SSL validation failed for https://127.0.0.1:%d/" % port in lines
          and len(detail) == 1 and want in detail[0], (rc, err))


def main():
    d = tempfile.mkdtemp(prefix="cpj-tlsref-")
    key, crt = cert(d, "localhost", "IP:127.0.0.1,DNS:localhost")
    okey, ocrt = cert(d, "other", "IP:127.0.0.1")
    wkey, wcrt = cert(d, "elsewhere", "DNS:elsewhere.example")
    none = "shares no cipher suite, curve or signature algorithm"
    case("refused_cbc_suite", key, crt, ["-tls1_2", "-cipher", "AES128-SHA"], crt, none)
    case("refused_rsa_key_exchange", key, crt, ["-tls1_2", "-cipher", "AES128-GCM-SHA256"],
         crt, none)
    case("refused_p521_only", key, crt, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
                                         "-curves", "P-521"], crt, none)
    case("refused_tls13_only", key, crt, ["-tls1_3"], crt, "does not speak TLS 1.2")
    case("untrusted_ca_named", key, crt, ["-tls1_2"], ocrt, "ends in no CA cpjob trusts")
    case("wrong_host_named", wkey, wcrt, ["-tls1_2"], wcrt, "does not name the host")
    case("profile_suite_passes_handshake", key, crt,
         ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"], crt, None)
    run_once(key, crt, d)
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        A.cleanup()
    sys.exit(A.exit_status())
