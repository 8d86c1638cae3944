"""For tests: run the emulator as a child process and call its admin API.

    import sys; sys.path.insert(0, os.path.join(top, "tests", "emulator"))
    from client import Emulator
    with Emulator(credentials=["AKIDWORKER:secret"]) as emu:
        job = emu.queue_job(provider="EdgeDeploy")
        ... point the client at emu.endpoint with CA file emu.ca_file ...
        assert emu.job(job["id"])["state"] == "Succeeded"

Only the Python standard library is used here (http.client + ssl), so tests
can import it without botocore. The emulator exits when the test process ends
(--parent-pid and stdin EOF) and after max_lifetime seconds in any case.
"""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "emulator.py")
PYTHON = "/usr/bin/python3"


class AdminError(Exception):
    def __init__(self, status, body):
        super().__init__("admin call failed: HTTP %d %s" % (status, body))
        self.status = status
        self.body = body


class Emulator:
    def __init__(self, credentials=("AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",),
                 region="us-east-1", plain_http=False, workdir=None, extra_args=(),
                 max_lifetime=600, start_timeout=30, certs_dir=None):
        self.credentials = list(credentials)
        self.region = region
        self.plain_http = plain_http
        self.extra_args = list(extra_args)
        self.max_lifetime = max_lifetime
        self.start_timeout = start_timeout
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="cpj-emu-")
        self.certs_dir = certs_dir or os.path.join(self.workdir, "certs")
        self.port = None
        self.proc = None
        self.log_path = os.path.join(self.workdir, "emulator.log")

    # -- lifecycle ---------------------------------------------------------
    @property
    def ca_file(self):
        return None if self.plain_http else os.path.join(self.certs_dir, "ca.pem")

    @property
    def scheme(self):
        return "http" if self.plain_http else "https"

    @property
    def endpoint(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def start(self):
        port_file = os.path.join(self.workdir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        cmd = [PYTHON, EMULATOR, "--port", "0", "--port-file", port_file,
               "--parent-pid", str(os.getpid()), "--exit-on-stdin-eof",
               "--max-lifetime", str(self.max_lifetime), "--region", self.region]
        cmd += ["--plain-http"] if self.plain_http else ["--make-certs", self.certs_dir]
        for c in self.credentials:
            cmd += ["--credentials", c]
        cmd += self.extra_args
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    txt = f.read().strip()
                if txt:
                    self.port = int(txt)
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("emulator did not start; log:\n" + self.log())

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()         # --exit-on-stdin-eof
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        self.proc = None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def cleanup(self):
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- connections -----------------------------------------------------------------
    def ssl_context(self):
        if self.plain_http:
            return None
        return ssl.create_default_context(cafile=self.ca_file)

    def connection(self, timeout=10):
        if self.plain_http:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=self.ssl_context())

    def raw(self, method, path, body=None, headers=None, timeout=10):
        """One request on a fresh connection: (status, headers list, body bytes)."""
        c = self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            c.close()

    def admin(self, method, path, obj=None, raw_body=None, headers=None):
        body = raw_body if raw_body is not None else (
            json.dumps(obj).encode() if obj is not None else None)
        hdrs = dict(headers or {})
        if obj is not None:
            hdrs.setdefault("Content-Type", "application/json")
        status, _, data = self.raw(method, "/__admin/" + path.lstrip("/"), body, hdrs)
        if status != 200:
            raise AdminError(status, data.decode(errors="replace"))
        return json.loads(data) if data[:1] in (b"{", b"[") else data

    # -- admin shortcuts ---------------------------------------------------------------
    def queue_job(self, provider="EdgeDeploy", category="Deploy", owner="Custom", version="1",
                  configuration=None, input_artifacts=None, output_artifacts=None,
                  encryption_key=None, bucket="codepipeline-us-east-1-123456789012",
                  pipeline="edge-pipeline", **extra):
        """Queue a job with realistic defaults; extra keys go into the admin request
        (e.g. thirdParty=True, queryable="Fleet", nonce="42", unchecked=True)."""
        def art(name, key):
            return {"name": name, "revision": "rev-" + name,
                    "location": {"type": "S3", "s3Location": {
                        "bucketName": bucket, "objectKey": "%s/%s/%s" % (
                            pipeline[:20], name[:10], key)}}}
        data = {
            "actionTypeId": {"category": category, "owner": owner, "provider": provider,
                             "version": version},
            "actionConfiguration": {"configuration": configuration or {}},
            "pipelineContext": {
                "pipelineName": pipeline, "stage": {"name": "Deploy"},
                "action": {"name": "Deploy", "actionExecutionId":
                           "2ae48fe6-9fde-4eed-9312-9ae3e5db5369"},
                "pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:" + pipeline,
                "pipelineExecutionId": "020a9bb4-7896-4099-8218-b02c73af8f0e"},
            "inputArtifacts": input_artifacts if input_artifacts is not None else
            [art("BuildOutput", "MgFygWc")],
            "outputArtifacts": output_artifacts if output_artifacts is not None else
            [art("DeployReport", "8RVr2RK")],
        }
        if encryption_key is not None:
            data["encryptionKey"] = {"id": encryption_key, "type": "KMS"}
        job = {"data": data}
        for k in ("id", "nonce", "accountId"):
            if k in extra:
                job[k] = extra.pop(k)
        spec = dict(extra)
        spec["job"] = job
        return self.admin("POST", "jobs", spec)

    def job(self, job_id):
        return self.admin("GET", "jobs/" + job_id)

    def jobs(self, state=None):
        return self.admin("GET", "jobs" + ("?state=" + state if state else ""))

    def config(self, **kw):
        return self.admin("POST", "config", kw)

    def fault(self, kind, **kw):
        kw["kind"] = kind
        return self.admin("POST", "faults", kw)[0]

    def clear_faults(self):
        return self.admin("DELETE", "faults")

    def add_credentials(self, access_key, secret, token=None, expired=None):
        spec = {"accessKeyId": access_key, "secretAccessKey": secret}
        if token is not None:
            spec["sessionToken"] = token
        if expired is not None:
            spec["expired"] = expired
        return self.admin("POST", "credentials", spec)[0]

    def expire_credentials(self, access_key, expired=True):
        return self.admin("POST", "credentials", {"accessKeyId": access_key,
                                                  "expired": expired})[0]

    def register_action_type(self, provider, category="Deploy", owner="Custom", version="1",
                             queryable=None):
        spec = {"actionTypeId": {"category": category, "owner": owner, "provider": provider,
                                 "version": version}}
        if queryable is not None:
            spec["queryable"] = queryable
        return self.admin("POST", "action-types", spec)

    def bucket(self, name, **policy):
        policy["name"] = name
        return self.admin("POST", "buckets", policy)

    def put_object(self, bucket, key, data, sse=None, kms_key_id=None, content_type=None):
        q = []
        if sse:
            q.append("sse=" + quote(sse, safe=""))
        if kms_key_id:
            q.append("kmsKeyId=" + quote(kms_key_id, safe=""))
        if content_type:
            q.append("contentType=" + quote(content_type, safe=""))
        path = "objects/%s/%s%s" % (quote(bucket, safe=""), quote(key, safe=""),
                                    "?" + "&".join(q) if q else "")
        return self.admin("PUT", path, raw_body=data)

    def object_meta(self, bucket, key):
        return self.admin("GET", "objects/%s/%s?meta=1" % (quote(bucket, safe=""),
                                                          quote(key, safe="")))

    def get_object(self, bucket, key):
        status, _, data = self.raw("GET", "/__admin/objects/%s/%s" % (
            quote(bucket, safe=""), quote(key, safe="")))
        if status != 200:
            raise AdminError(status, data.decode(errors="replace"))
        return data

    def requests(self, since=0):
        return self.admin("GET", "requests?since=%d" % since)

    def clear_requests(self):
        return self.admin("DELETE", "requests")

    def reset(self, keep_credentials=True):
        return self.admin("POST", "reset", {"keepCredentials": keep_credentials})


# ---------------------------------------------------------------------------
# Requests signed by botocore (imported lazily: the admin methods above need
# only the standard library).
# ---------------------------------------------------------------------------
def frozen_clock(when):
    """Context manager: botocore's signers see `when` (epoch seconds) as now."""
    import contextlib
    import datetime
    import types
    from unittest import mock
    import botocore.auth as bauth
    dt = datetime.datetime.utcfromtimestamp(when)

    @contextlib.contextmanager
    def cm():
        patches = []
        if hasattr(bauth, "get_current_datetime"):
            patches.append(mock.patch.object(bauth, "get_current_datetime",
                                             lambda *a, **k: dt))
        if hasattr(bauth, "datetime"):
            class _Frozen(datetime.datetime):
                @classmethod
                def utcnow(cls):
                    return dt

                @classmethod
                def now(cls, tz=None):
                    return dt if tz is None else dt.replace(tzinfo=tz)
            shim = types.SimpleNamespace(**{k: getattr(datetime, k) for k in dir(datetime)
                                            if not k.startswith("__")})
            shim.datetime = _Frozen
            patches.append(mock.patch.object(bauth, "datetime", shim))
        with contextlib.ExitStack() as stack:
            for p in patches:
                stack.enter_context(p)
            yield
    return cm()


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers                  # list of (name, value)
        self.body = body

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def error_code(self):
        """CodePipeline: part of __type after '#'; S3: <Code> of the XML body."""
        if self.body.startswith(b"<"):
            import re
            m = re.search(rb"<Code>([^<]*)</Code>", self.body)
            return m.group(1).decode() if m else None
        try:
            t = self.json().get("__type")
        except (ValueError, AttributeError):
            return None
        return t.rsplit("#", 1)[-1] if t else None

    @property
    def message(self):
        if self.body.startswith(b"<"):
            import re
            m = re.search(rb"<Message>([^<]*)</Message>", self.body)
            return m.group(1).decode() if m else None
        try:
            return self.json().get("message")
        except (ValueError, AttributeError):
            return None

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.body[:300])


class SignedClient:
    """A minimal client that signs with botocore (SigV4Auth / S3SigV4Auth) and
    sends over one keep-alive connection (reopened when the server closes it).

    tamper(headers, body) -> (headers, body) runs after signing, before sending;
    headers is a list of [name, value] pairs in sending order."""

    def __init__(self, emu, access_key, secret, token=None, region=None, timeout=10):
        self.emu = emu
        self.access_key, self.secret, self.token = access_key, secret, token
        self.region = region or emu.region
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _sign(self, method, host, path, headers, body, service, when, payload_hash=None):
        """Headers after botocore's add_auth. payload_hash overrides the payload
        hash (S3: also the X-Amz-Content-SHA256 header), e.g. UNSIGNED-PAYLOAD."""
        import botocore.auth as bauth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        cls = bauth.S3SigV4Auth if service == "s3" else bauth.SigV4Auth
        if payload_hash is not None:
            class Fixed(cls):
                def payload(self, request):
                    return payload_hash
            cls = Fixed
        signer = cls(Credentials(self.access_key, self.secret, self.token), service,
                     self.region)
        url = "%s://%s%s" % (self.emu.scheme, host, path)
        req = AWSRequest(method=method, url=url, data=body)
        for n, v in headers:
            req.headers[n] = v
        req.headers["Host"] = host
        with frozen_clock(when if when is not None else time.time()):
            signer.add_auth(req)
        return [[n, v] for n, v in req.headers.items()]

    def send(self, method, path, headers, body, tamper=None):
        if tamper is not None:
            headers, body = tamper(headers, body)
        if self.conn is None:
            self.conn = self.emu.connection(self.timeout)
        try:
            self.conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for n, v in headers:
                self.conn.putheader(n, v)
            if body is not None and not any(n.lower() in ("content-length", "transfer-encoding")
                                            for n, _ in headers):
                self.conn.putheader("Content-Length", str(len(body)))
            self.conn.endheaders(body if body else None)
            r = self.conn.getresponse()
            data = r.read()
        except Exception:
            self.close()
            raise
        reply = Reply(r.status, r.getheaders(), data)
        if r.will_close:
            self.close()
        return reply

    def cp(self, op, params, when=None, tamper=None, raw_body=None):
        """A CodePipeline call; returns a Reply."""
        body = raw_body if raw_body is not None else json.dumps(params).encode()
        host = "127.0.0.1:%d" % self.emu.port
        headers = [("X-Amz-Target", "CodePipeline_20150709." + op),
                   ("Content-Type", "application/x-amz-json-1.1")]
        signed = self._sign("POST", host, "/", headers, body, "codepipeline", when)
        return self.send("POST", "/", signed, body, tamper)

    def s3(self, method, bucket, key, body=b"", headers=(), vhost=False, when=None,
           tamper=None, unsigned_payload=False, payload_hash=None, wire_body=None):
        """An S3 call, path style (or virtual-hosted via Host: bucket.localhost).
        wire_body: bytes sent instead of body (e.g. an aws-chunked framing)."""
        qkey = quote(key, safe="/~")
        if vhost:
            host = "%s.localhost:%d" % (bucket, self.emu.port)
            path = "/" + qkey
        else:
            host = "127.0.0.1:%d" % self.emu.port
            path = "/%s/%s" % (bucket, qkey)
        if unsigned_payload:
            payload_hash = "UNSIGNED-PAYLOAD"
        signed = self._sign(method, host, path, list(headers), body or None, "s3", when,
                            payload_hash)
        send_body = wire_body if wire_body is not None else body
        return self.send(method, path, signed,
                         send_body if method in ("PUT", "POST") else None, tamper)

    def presigned_url_path(self, bucket, key, expires=300, when=None):
        """Path + query of a presigned GET (path style), signed by botocore."""
        import botocore.auth as bauth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        host = "127.0.0.1:%d" % self.emu.port
        path = "/%s/%s" % (bucket, quote(key, safe="/~"))
        signer = bauth.S3SigV4QueryAuth(Credentials(self.access_key, self.secret, self.token),
                                        "s3", self.region, expires=expires)
        req = AWSRequest(method="GET", url="%s://%s%s" % (self.emu.scheme, host, path))
        req.headers["Host"] = host
        with frozen_clock(when if when is not None else time.time()):
            signer.add_auth(req)
        u = req.url
        return u[u.index(path):], host


def main():
    """python3 client.py ADMIN-METHOD PATH [JSON] -- for shell scripts: talk to a
    running emulator given by env CPJ_EMU_PORT and CPJ_EMU_CA (empty = plain HTTP)."""
    port = int(os.environ["CPJ_EMU_PORT"])
    ca = os.environ.get("CPJ_EMU_CA", "")
    emu = Emulator(plain_http=not ca, certs_dir=os.path.dirname(ca) if ca else None,
                   workdir=tempfile.gettempdir())
    emu.port = port
    method, path = sys.argv[1], sys.argv[2]
    obj = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    out = emu.admin(method, path, obj)
    if isinstance(out, bytes):
        sys.stdout.buffer.write(out)
    else:
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
