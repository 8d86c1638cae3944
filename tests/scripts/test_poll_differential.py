#!/usr/bin/python3
"""Differential test of the streaming job parser against botocore.

Random valid PollForJobs responses (1 to 50 jobs; members present or
absent; unicode, escapes and surrogate pairs; U+0000 (\u0000) anywhere in
any string, configuration keys, ids and nonces included; long values;
unknown members; varied whitespace) are served over TLS on loopback in random record sizes,
with Content-Length or chunked framing. `cpjob poll` must print exactly
what botocore's own parser returns for the same body (the aws CLI prints
that with --output json), and every kind of string member must have held
U+0000 in some response.

Then Debian's aws CLI itself (/usr/bin/aws) and cpjob are given the same
answers with U+0000 in every string (PollForJobs, GetJobDetails, and a
few random ones): both must print the same bytes. An answer with a lone
UTF-16 surrogate (valid JSON that no UTF-8 text can hold): the aws CLI
cannot print it and fails with exit 255; cpjob fails the same way, with
nothing on stdout, naming the member. A job larger than cpjob's window
(which the aws CLI prints) fails cpjob with exit 255 and nothing on
stdout, never a partial list.

Environment: CPJ_BUILD (has cpjob), CPJ_DIFF_COUNT (default 1000),
CPJ_DIFF_SEED (default: chosen at run time and printed).
"""
import json
import os
import random
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

import botocore.loaders
import botocore.model
import botocore.parsers

TOP = os.environ.get("CPJ_TOP", os.getcwd())
CPJOB = os.path.join(os.environ.get("CPJ_BUILD", os.path.join(TOP, "build/host")), "cpjob")
COUNT = int(os.environ.get("CPJ_DIFF_COUNT", "1000"))
SEED = int(os.environ.get("CPJ_DIFF_SEED", str(random.SystemRandom().randrange(1 << 30))))

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
UNICODE = "é ü ß ж 中文 \u2028 \u00a0 😀 𝄞 \" \\ / \t \n \r \b \f \x00 \x01 \x1f ~"
# How often a string of a job gets a U+0000 put in (anywhere in it).
NUL_RATE = 0.05


def make_certs(d):
    def run(*a):
        subprocess.run(a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", d + "/ca.key")
    run("openssl", "req", "-x509", "-new", "-key", d + "/ca.key", "-subj", "/CN=cpjob diff CA",
        "-days", "2", "-out", d + "/ca.pem")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", d + "/srv.key")
    run("openssl", "req", "-new", "-key", d + "/srv.key", "-subj", "/CN=127.0.0.1", "-out", d + "/srv.csr")
    with open(d + "/ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", d + "/srv.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", d + "/ext", "-out", d + "/srv.pem")


class Rand:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.strings = set()    # paths of the string members generated
        self.nul = set()        # ... of those that held U+0000
        self.nul_rate = NUL_RATE

    def with_nul(self, s, path):
        self.strings.add(path)
        if self.r.random() >= self.nul_rate:
            return s
        self.nul.add(path)
        for _ in range(self.r.randint(1, 3)):
            k = self.r.randint(0, len(s))
            s = s[:k] + "\x00" + s[k:]
        return s

    def nulify(self, v, path):
        """Put U+0000 into some strings of v: values, configuration keys."""
        if isinstance(v, str):
            return self.with_nul(v, path)
        if isinstance(v, list):
            return [self.nulify(e, path + "[]") for e in v]
        if not isinstance(v, dict):
            return v
        if path == "data.actionConfiguration.configuration":
            return {self.with_nul(k, path + " key"): self.nulify(e, path + " value")
                    for k, e in v.items()}
        return {k: v[k] if k.startswith("x") else self.nulify(v[k], (path + "." if path else "") + k)
                for k in v}

    def text(self, lo, hi, alphabet=None):
        n = self.r.randint(lo, hi)
        if alphabet is None:
            alphabet = LETTERS if self.r.random() < 0.6 else LETTERS + UNICODE
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def maybe(self, p=0.8):
        return self.r.random() < p

    def uuid(self):
        h = "0123456789abcdef"
        return "-".join("".join(self.r.choice(h) for _ in range(n)) for n in (8, 4, 4, 4, 12))

    def unknown(self, d):
        if self.r.random() < 0.15:
            d["x" + self.text(1, 8, LETTERS)] = self.r.choice(
                [1, -2.5e3, True, None, "s", [1, {"a": [True]}], {"n": {"m": []}}])

    def obj(self, pairs):
        d = {}
        for k, v in pairs:
            if v is not None and self.maybe():
                d[k] = v() if callable(v) else v
        self.unknown(d)
        return d

    def artifact(self):
        return self.obj([
            ("name", lambda: self.text(1, 100, LETTERS + "_-")),
            ("revision", lambda: self.text(1, 200)),
            ("location", lambda: self.obj([
                ("type", "S3"),
                ("s3Location", lambda: {"bucketName": self.text(3, 63, "abcdefghijklmnopqrstuvwxyz0123456789-."),
                                        "objectKey": self.text(1, 200)}),
            ])),
        ])

    def job(self):
        r = self.r
        data = self.obj([
            ("actionTypeId", lambda: self.obj([
                ("category", lambda: r.choice(["Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute"])),
                ("owner", lambda: r.choice(["AWS", "ThirdParty", "Custom"])),
                ("provider", lambda: self.text(1, 35, LETTERS + "_-")),
                ("version", lambda: self.text(1, 9, LETTERS)),
            ])),
            ("actionConfiguration", lambda: self.obj([
                ("configuration", lambda: {self.text(1, 50): self.text(0, 500) for _ in range(r.randint(0, 10))}),
            ])),
            ("pipelineContext", lambda: self.obj([
                ("pipelineName", lambda: self.text(1, 100, LETTERS + ".@-_")),
                ("stage", lambda: self.obj([("name", lambda: self.text(1, 100, LETTERS))])),
                ("action", lambda: self.obj([("name", lambda: self.text(1, 100, LETTERS)),
                                             ("actionExecutionId", self.uuid)])),
                ("pipelineArn", lambda: "arn:aws:codepipeline:us-east-1:123456789012:" + self.text(1, 100, LETTERS)),
                ("pipelineExecutionId", self.uuid),
            ])),
            ("inputArtifacts", lambda: [self.artifact() for _ in range(r.randint(0, 5))]),
            ("outputArtifacts", lambda: [self.artifact() for _ in range(r.randint(0, 5))]),
            ("artifactCredentials", lambda: {"accessKeyId": "ASIA" + self.text(16, 16, LETTERS.upper()[:36]),
                                             "secretAccessKey": self.text(40, 40, LETTERS + "/+"),
                                             "sessionToken": self.text(100, 1200, LETTERS + "/+=")}),
            ("continuationToken", lambda: self.text(1, 2048)),
            ("encryptionKey", lambda: {"id": "arn:aws:kms:us-east-1:123456789012:key/" + self.uuid(), "type": "KMS"}),
        ])
        return self.obj([("id", self.uuid), ("data", data), ("nonce", lambda: self.text(1, 50)),
                         ("accountId", lambda: self.text(12, 12, "0123456789"))])

    def sized_job(self):
        # Jobs stay within the agent's 48 KB window even fully escaped
        # (the model's realistic worst case is 46 KB of ASCII).
        while True:
            j = self.nulify(self.job(), "")
            if len(json.dumps(j, ensure_ascii=True, indent=4)) < 40000:
                return j

    def body(self):
        r = self.r
        doc = {"jobs": [self.sized_job() for _ in range(r.randint(1, 50))]}
        self.unknown(doc)
        style = r.randint(0, 3)
        ascii_ = r.random() < 0.5
        if style == 0:
            s = json.dumps(doc, ensure_ascii=ascii_)
        elif style == 1:
            s = json.dumps(doc, ensure_ascii=ascii_, separators=(",", ":"))
        elif style == 2:
            s = json.dumps(doc, ensure_ascii=ascii_, indent=r.randint(0, 4))
        else:
            s = json.dumps(doc, ensure_ascii=ascii_, indent="\t", separators=(" ,\r\n", " :\t"))
        if not ascii_ and r.random() < 0.3:
            s = s.replace("/", "\\/")   # legal escape a parser must take
        return (" \n" * r.randint(0, 2) + s + " \r\n" * r.randint(0, 2)).encode("utf-8"), len(doc["jobs"])


class Server:
    """Answers every request with the next queued body, in random records."""

    def __init__(self, certdir, seed):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(certdir + "/srv.pem", certdir + "/srv.key")
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(60)
        self.port = self.sock.getsockname()[1]
        self.body = b""
        self.r = random.Random(seed ^ 0x5a5a)
        self.stop = False
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                c.settimeout(20)
                s = self.ctx.wrap_socket(c, server_side=True)
                self.serve(s)
            except (OSError, ssl.SSLError):
                pass
            finally:
                c.close()

    def serve(self, s):
        req = b""
        while b"\r\n\r\n" not in req:
            d = s.recv(65536)
            if not d:
                return
            req += d
        head, rest = req.split(b"\r\n\r\n", 1)
        n = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
        while len(rest) < n:
            rest += s.recv(65536)
        body = self.body
        chunked = self.r.random() < 0.3
        if chunked:
            payload = b""
            i = 0
            while i < len(body):
                k = self.r.randint(1, 5000)
                ext = b";ext=1" if self.r.random() < 0.1 else b""
                payload += b"%x%s\r\n%s\r\n" % (len(body[i:i + k]), ext, body[i:i + k])
                i += k
            payload += b"0\r\n\r\n"
            hdr = b"Transfer-Encoding: chunked\r\n"
        else:
            payload = body
            hdr = b"Content-Length: %d\r\n" % len(body)
        out = (b"HTTP/1.1 200 OK\r\nx-amzn-RequestId: 1\r\nContent-Type: application/x-amz-json-1.1\r\n"
               + hdr + b"Connection: close\r\n\r\n" + payload)
        i = 0
        while i < len(out):
            k = self.r.choice([1, 2, 7, 100, 1000, 16384])
            s.sendall(out[i:i + k])
            i += k
        try:
            s.unwrap()
        except (OSError, ssl.SSLError):
            pass


AWS = "/usr/bin/aws"
AT = "category=Deploy,owner=Custom,provider=Diff,version=1"
JID = "0f1e2d3c-4b5a-4697-8877-665544332211"


def nul_job(z):
    """A job with z (a string holding U+0000) in every string member."""
    art = {"name": "a" + z, "revision": z + "r", "location": {
        "type": "S3" + z, "s3Location": {"bucketName": "b" + z, "objectKey": z + "k" + z}}}
    return {"id": JID + z, "data": {
        "actionTypeId": {"category": "Deploy" + z, "owner": z + "Custom", "provider": "P" + z,
                         "version": z},
        "actionConfiguration": {"configuration": {"K" + z: "v" + z, "Plain": "p", z: z}},
        "pipelineContext": {"pipelineName": "n" + z, "stage": {"name": "s" + z},
                            "action": {"name": z + "a", "actionExecutionId": "e" + z},
                            "pipelineArn": "arn" + z, "pipelineExecutionId": z + "x"},
        "inputArtifacts": [art], "outputArtifacts": [art, art],
        "artifactCredentials": {"accessKeyId": "ASIA" + z, "secretAccessKey": z + "sk",
                                "sessionToken": "t" + z},
        "continuationToken": "c" + z,
        "encryptionKey": {"id": "kms" + z, "type": "KMS" + z}},
        "nonce": "1" + z, "accountId": z + "123456789012"}


def run_both(srv, env, body, cp_args, aws_args):
    """cpjob and the aws CLI on the same answer: their exit statuses and
    outputs."""
    out = []
    for cmd in ([CPJOB] + cp_args, [AWS, "codepipeline"] + aws_args + [
            "--output", "json", "--endpoint-url", env["AWS_ENDPOINT_URL"]]):
        srv.body = body
        p = subprocess.run(cmd, env=env, capture_output=True, timeout=120,
                           stdin=subprocess.DEVNULL)
        out.append((p.returncode, p.stdout, p.stderr))
    return out


def awscli_checks(srv, env, gen):
    """The aws CLI's own bytes for answers with U+0000."""
    ok = True
    z = "\x00\x00 \x00\x1f\u2028é"
    poll = json.dumps({"jobs": [nul_job(z), nul_job("\x00")]}).encode()
    bodies = [("poll_nul_every_field", poll)]
    gen.nul_rate = 0.5
    for i in range(3):
        gen_body, _ = gen.body()
        bodies.append(("poll_random_%d" % i, gen_body))
    gen.nul_rate = NUL_RATE
    for name, body in bodies:
        (rc, o, e), (arc, ao, ae) = run_both(
            srv, env, body, ["poll", "--action-type-id", AT, "--max-batch-size", "50"],
            ["poll-for-jobs", "--action-type-id", AT, "--max-batch-size", "50"])
        good = rc == 0 and arc == 0 and o == ao and b"\\u0000" in o
        ok &= good
        print("%s awscli_same_bytes_%s%s" % ("PASS" if good else "FAIL", name, "" if good else
              ": cpjob %d %r %r / aws %d %r %r" % (rc, o[:200], e[:200], arc, ao[:200], ae[:200])))
    details = dict(nul_job(z))
    details.pop("nonce")
    body = json.dumps({"jobDetails": details}).encode()
    (rc, o, e), (arc, ao, ae) = run_both(srv, env, body, ["get", "--job-id", JID],
                                         ["get-job-details", "--job-id", JID])
    good = rc == 0 and arc == 0 and o == ao and b"\\u0000" in o
    ok &= good
    print("%s awscli_same_bytes_get_job_details_nul%s" % ("PASS" if good else "FAIL", "" if good else
          ": cpjob %d %r %r / aws %d %r %r" % (rc, o[:200], e[:200], arc, ao[:200], ae[:200])))
    # a lone surrogate: no UTF-8 for it; neither prints a document
    job = nul_job("")
    job["data"]["pipelineContext"]["stage"]["name"] = "s\ud800"
    body = json.dumps({"jobs": [job]}).encode()
    (rc, o, e), (arc, ao, ae) = run_both(
        srv, env, body, ["poll", "--action-type-id", AT],
        ["poll-for-jobs", "--action-type-id", AT])
    good = rc == arc == 255 and o == b"" and b"data.pipelineContext.stage.name" in e
    ok &= good
    print("# lone surrogate: cpjob %d %r; aws %d %r" % (rc, e.strip()[-160:], arc, ae.strip()[-160:]))
    print("%s awscli_lone_surrogate_fails_alike%s" % ("PASS" if good else "FAIL", "" if good else
          ": cpjob %d %r %r / aws %d %r %r" % (rc, o[:200], e[:300], arc, ao[:200], ae[-300:])))
    # a job cpjob cannot hold: no partial list
    big = nul_job("")
    big["data"]["actionConfiguration"]["configuration"] = {"K%d" % i: "v" * 1000 for i in range(50)}
    body = json.dumps({"jobs": [nul_job("\x00"), big]}).encode()
    srv.body = body
    p = subprocess.run([CPJOB, "poll", "--action-type-id", AT, "--max-batch-size", "5"], env=env,
                       capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    good = p.returncode == 255 and p.stdout == b"" and b"(window)" in p.stderr
    ok &= good
    print("%s too_large_job_no_partial_document%s" % ("PASS" if good else "FAIL", "" if good else
          ": %d %r %r" % (p.returncode, p.stdout[:200], p.stderr[-300:])))
    return ok


def main():
    print("seed %d, %d responses" % (SEED, COUNT))
    loader = botocore.loaders.Loader()
    model = botocore.model.ServiceModel(loader.load_service_model("codepipeline", "service-2"))
    shape = model.operation_model("PollForJobs").output_shape
    parser = botocore.parsers.create_parser("json")
    tmp = tempfile.mkdtemp(prefix="cpj-diff-")
    make_certs(tmp)
    srv = Server(tmp, SEED)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
               AWS_REGION="us-east-1", AWS_CA_BUNDLE=tmp + "/ca.pem", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_ENDPOINT_URL="https://localhost:%d" % srv.port, AWS_MAX_ATTEMPTS="1")
    gen = Rand(SEED)
    diffs = 0
    for i in range(COUNT):
        body, njobs = gen.body()
        srv.body = body
        want = parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
        want.pop("ResponseMetadata", None)
        p = subprocess.run([CPJOB, "poll", "--action-type-id",
                            "category=Deploy,owner=Custom,provider=Diff,version=1",
                            "--max-batch-size", "50"], env=env, capture_output=True, timeout=60)
        got = None
        if p.returncode == 0:
            try:
                got = json.loads(p.stdout.decode("utf-8"))
            except ValueError as e:
                got = "unparsable output: %s" % e
        if got != want:
            diffs += 1
            if diffs <= 3:
                path = os.path.join(tmp, "diff-%d.json" % i)
                with open(path, "wb") as f:
                    f.write(body)
                print("response %d (%d jobs, %d bytes, saved as %s): exit %d, stderr %s"
                      % (i, njobs, len(body), path, p.returncode, p.stderr.decode(errors="replace")[:300]))
                if isinstance(got, dict):
                    for a, b in zip(got.get("jobs", []), want.get("jobs", [])):
                        if a != b:
                            for k in set(a) | set(b):
                                if a.get(k) != b.get(k):
                                    print("  first differing member:", k, repr(a.get(k))[:200], "!=",
                                          repr(b.get(k))[:200])
                                    break
                            break
    cli_ok = awscli_checks(srv, env, gen)
    srv.stop = True
    print("%d responses, %d differences (seed %d)" % (COUNT, diffs, SEED))
    print("%s poll_differential_botocore" % ("PASS" if diffs == 0 else "FAIL"))
    missed = sorted(gen.strings - gen.nul)
    if COUNT >= 100:
        print("%s poll_differential_nul_in_every_string%s" % (
            "FAIL" if missed else "PASS", ": never held U+0000: " + ", ".join(missed) if missed else ""))
    return 0 if diffs == 0 and (COUNT < 100 or not missed) and cli_ok else 1


if __name__ == "__main__":
    sys.exit(main())
