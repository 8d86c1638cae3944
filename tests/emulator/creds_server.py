#!/usr/bin/python3
"""Emulated credential providers for the tests of cpjob's credential chain.

One process, three listeners on 127.0.0.1:

  iot        the AWS IoT Core credentials provider: HTTPS with mutual TLS
             (the client certificate must chain to --client-ca; ssl.CERT_REQUIRED),
             GET /role-aliases/<alias>/credentials with x-amzn-iot-thingname.
             The thing name must be --thing and the certificate's CN --device-cn
             (the certificate is "attached" to the thing), the alias --role-alias:
             else 403 / 404 with {"message": ...}, as IoT answers.
  container  container credentials over plain HTTP: GET --container-path; the
             Authorization header must equal --container-token when one is set
             (else 401).
  imds       IMDSv2 over plain HTTP: PUT /latest/api/token (needs
             X-aws-ec2-metadata-token-ttl-seconds 1..21600) gives a session token;
             every GET without a valid X-aws-ec2-metadata-token gets 401;
             /latest/meta-data/iam/security-credentials/ lists --role, and
             .../<role> gives the credentials document.

Every answer with credentials has an expiration --ttl seconds ahead (settable at run
time). Each provider's access key id is fixed (ASIAIOT..., ASIACONTAINER...,
ASIAIMDS...) and every secret key and session token is fresh and random.

Admin API, on the container listener (plain HTTP):
  GET  /__admin/log      the requests seen: server, method, path, status, and the
                         names of the headers (never their values)
  GET  /__admin/issued   every credential handed out (secrets included: the tests
                         check that cpjob never prints them)
  POST /__admin/config   {"ttl": N} changes the lifetime of new credentials
  POST /__admin/reset    clears the log

--make-certs DIR makes the test PKI with openssl (and exits unless --port-file is
given): ca.pem/ca.key, server.pem/server.key (localhost, 127.0.0.1), device.pem/
device.key (by ca, clientAuth, CN cpjob-test-device), rogue-ca.pem and
rogue-device.pem/rogue-device.key (same CN, by a CA nobody trusts).

The port file gets {"iot": P, "container": P, "imds": P} once listening. The
process exits when --parent-pid is gone, on stdin EOF (--exit-on-stdin-eof), and
after --max-lifetime seconds in any case.
"""
import argparse
import datetime
import http.server
import json
import os
import secrets
import socketserver
import ssl
import subprocess
import sys
import threading
import time

DEVICE_CN = "cpjob-test-device"


def run(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def make_certs(d):
    """The test PKI (EC P-256 keys, 10 years from now)."""
    os.makedirs(d, exist_ok=True)
    if os.path.exists(os.path.join(d, "done")):
        return
    ext = os.path.join(d, "ext.cnf")
    with open(ext, "w") as f:
        f.write("[ca]\nbasicConstraints=critical,CA:true\n"
                "keyUsage=critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier=hash\n"
                "[server]\nbasicConstraints=CA:false\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "[client]\nbasicConstraints=CA:false\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=clientAuth\n")

    def key(name):
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-out", name + ".key"], d)

    def ca(name, cn):
        key(name)
        run(["openssl", "req", "-new", "-x509", "-key", name + ".key", "-subj",
             "/O=cpjob tests/CN=" + cn, "-days", "3650", "-sha256",
             "-config", ext, "-extensions", "ca", "-out", name + ".pem"], d)

    def cert(name, issuer, cn, section):
        key(name)
        run(["openssl", "req", "-new", "-key", name + ".key", "-subj",
             "/O=cpjob tests/CN=" + cn, "-out", name + ".csr"], d)
        run(["openssl", "x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem",
             "-CAkey", issuer + ".key", "-CAcreateserial", "-days", "3650",
             "-sha256", "-extfile", ext, "-extensions", section,
             "-out", name + ".pem"], d)
        os.unlink(os.path.join(d, name + ".csr"))

    ca("ca", "cpjob creds test CA")
    ca("rogue-ca", "cpjob rogue CA")
    cert("server", "ca", "localhost", "server")
    cert("device", "ca", DEVICE_CN, "client")
    cert("rogue-device", "rogue-ca", DEVICE_CN, "client")
    open(os.path.join(d, "done"), "w").close()


class State:
    def __init__(self, args):
        self.args = args
        self.ttl = args.ttl
        self.lock = threading.RLock()
        self.log = []
        self.issued = []
        self.imds_tokens = {}       # token -> expiry (monotonic)
        self.seq = 0

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def issue(self, provider, prefix):
        with self.lock:
            self.seq += 1
            exp = (datetime.datetime.now(datetime.timezone.utc)
                   + datetime.timedelta(seconds=self.ttl)).replace(microsecond=0)
            cred = {"provider": provider,
                    "accessKeyId": "%s%04d" % (prefix, self.seq),
                    "secretAccessKey": "sk" + secrets.token_urlsafe(30),
                    "sessionToken": "st" + secrets.token_urlsafe(300),
                    "expiration": exp}
            self.issued.append(cred)
            return cred


def iso_z(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cpjob-creds-test"
    sys_version = ""

    def log_message(self, fmt, *a):
        if self.server.state.args.verbose:
            sys.stderr.write("creds_server %s: %s\n" % (self.server.name, fmt % a))

    def reply(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.server.state.record({"server": self.server.name, "method": self.command,
                                  "path": self.path, "status": status,
                                  "headers": sorted(k.lower() for k in self.headers)})
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        self.body()
        getattr(self, "get_" + self.server.name)()

    def do_PUT(self):
        self.body()
        if self.server.name == "imds" and self.path == "/latest/api/token":
            return self.imds_token()
        self.reply(405, {"message": "method not allowed"})

    def do_POST(self):
        data = self.body()
        if self.server.name != "container" or not self.path.startswith("/__admin/"):
            return self.reply(405, {"message": "method not allowed"})
        st = self.server.state
        if self.path == "/__admin/config":
            cfg = json.loads(data or b"{}")
            if "ttl" in cfg:
                st.ttl = int(cfg["ttl"])
            return self.reply(200, {"ttl": st.ttl})
        if self.path == "/__admin/reset":
            with st.lock:
                st.log = []
            return self.reply(200, {})
        self.reply(404, {"message": "unknown admin call"})

    # -- AWS IoT credentials provider -------------------------------------------
    def get_iot(self):
        a = self.server.state.args
        prefix, suffix = "/role-aliases/", "/credentials"
        if not (self.path.startswith(prefix) and self.path.endswith(suffix)):
            return self.reply(404, {"message": "Not Found"})
        alias = self.path[len(prefix):-len(suffix)]
        peer = self.connection.getpeercert() or {}
        cn = ""
        for rdn in peer.get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    cn = v
        thing = self.headers.get("x-amzn-iot-thingname")
        if alias != a.role_alias:
            return self.reply(404, {"message": "Role alias does not exist"})
        if thing != a.thing or cn != a.device_cn:
            # the certificate is not attached to that thing
            return self.reply(403, {"message": "Access Denied"})
        c = self.server.state.issue("iot", "ASIAIOT")
        self.reply(200, {"credentials": {
            "accessKeyId": c["accessKeyId"], "secretAccessKey": c["secretAccessKey"],
            "sessionToken": c["sessionToken"], "expiration": iso_z(c["expiration"])}})

    # -- container credentials -------------------------------------------------
    def get_container(self):
        st = self.server.state
        a = st.args
        if self.path == "/__admin/log":
            with st.lock:
                return self.reply(200, list(st.log))
        if self.path == "/__admin/issued":
            with st.lock:
                out = [dict(c, expiration=iso_z(c["expiration"])) for c in st.issued]
            return self.reply(200, out)
        if self.path != a.container_path:
            return self.reply(404, {"code": "NotFound", "message": "no such path"})
        if a.container_token and self.headers.get("Authorization") != a.container_token:
            return self.reply(401, {"code": "AccessDenied",
                                    "message": "Unable to validate the authorization token"})
        c = st.issue("container", "ASIACONTAINER")
        self.reply(200, {"AccessKeyId": c["accessKeyId"],
                         "SecretAccessKey": c["secretAccessKey"],
                         "Token": c["sessionToken"],
                         "Expiration": c["expiration"].isoformat(),   # "+00:00"
                         "RoleArn": "arn:aws:iam::123456789012:role/cpjob-task"})

    # -- IMDSv2 -----------------------------------------------------------------
    def imds_token(self):
        st = self.server.state
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, "", "text/plain")
        tok = "AQAEA" + secrets.token_urlsafe(40)
        with st.lock:
            st.imds_tokens[tok] = time.monotonic() + int(ttl)
        self.reply(200, tok, "text/plain")

    def get_imds(self):
        st = self.server.state
        tok = self.headers.get("X-aws-ec2-metadata-token")
        with st.lock:
            ok = tok is not None and st.imds_tokens.get(tok, 0) > time.monotonic()
        if not ok:
            return self.reply(401, "", "text/plain")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.reply(200, st.args.role, "text/plain")
        if self.path == base + st.args.role:
            c = st.issue("imds", "ASIAIMDS")
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            return self.reply(200, {
                "Code": "Success", "LastUpdated": iso_z(now), "Type": "AWS-HMAC",
                "AccessKeyId": c["accessKeyId"], "SecretAccessKey": c["secretAccessKey"],
                "Token": c["sessionToken"], "Expiration": iso_z(c["expiration"])})
        self.reply(404, "", "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, name, state, tls_ctx=None):
        self.name = name
        self.state = state
        self.tls_ctx = tls_ctx
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        # TLS per connection, in the connection's thread
        request.settimeout(10)
        if self.tls_ctx is not None:
            try:
                request = self.tls_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                if self.state.args.verbose:
                    sys.stderr.write("creds_server %s: TLS: %s\n" % (self.name, e))
                self.state.record({"server": self.name, "method": "", "path": "",
                                   "status": 0, "tlsError": str(e)[:200]})
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        if self.state.args.verbose:
            super().handle_error(request, client_address)


def watchdog(args):
    start = time.monotonic()
    while True:
        time.sleep(0.2)
        if time.monotonic() - start > args.max_lifetime:
            os._exit(0)
        if args.parent_pid:
            try:
                os.kill(args.parent_pid, 0)
            except OSError:
                os._exit(0)


def stdin_watch():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except OSError:
        pass
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--make-certs", metavar="DIR")
    ap.add_argument("--certs", metavar="DIR", help="PKI made by --make-certs")
    ap.add_argument("--port-file")
    ap.add_argument("--thing", default="cpjob-test-thing")
    ap.add_argument("--device-cn", default=DEVICE_CN)
    ap.add_argument("--role-alias", default="cpjob-role-alias")
    ap.add_argument("--container-path", default="/v2/credentials/cpjob-task")
    ap.add_argument("--container-token", default="")
    ap.add_argument("--role", default="cpjob-imds-role")
    ap.add_argument("--ttl", type=int, default=3600)
    ap.add_argument("--parent-pid", type=int, default=0)
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--max-lifetime", type=float, default=300)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    if args.make_certs:
        make_certs(args.make_certs)
        args.certs = args.certs or args.make_certs
        if not args.port_file:
            return 0
    if not args.certs or not args.port_file:
        ap.error("--certs (or --make-certs) and --port-file are needed")
    threading.Thread(target=watchdog, args=(args,), daemon=True).start()
    if args.exit_on_stdin_eof:
        threading.Thread(target=stdin_watch, daemon=True).start()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(args.certs, "server.pem"),
                        os.path.join(args.certs, "server.key"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(os.path.join(args.certs, "ca.pem"))

    state = State(args)
    servers = {"iot": Server("iot", state, ctx), "container": Server("container", state),
               "imds": Server("imds", state)}
    for s in servers.values():
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ports = {k: s.server_address[1] for k, s in servers.items()}
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump(ports, f)
    os.replace(tmp, args.port_file)
    print("creds_server listening: %s" % json.dumps(ports), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
