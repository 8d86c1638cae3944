#!/usr/bin/python3
"""cpjob's credential provider chain, driven through `cpjob credentials`
against emulated providers on 127.0.0.1 (tests/emulator/creds_server.py):
environment, shared credentials file, config file, the AWS IoT credentials
provider over mutual TLS (right device certificate, a certificate from another
CA, a wrong thing name), container credentials (token, token file, bad token;
plain http only to strict loopback literals, refused before any lookup),
IMDSv2 (token PUT then GETs), IMDS disabled, nothing configured, the chain's
order, and the limits of what it reads (a file one byte over is refused with a
message naming the limit). No secret key, session token or authorization token
may appear in any output. Every endpoint is an override on loopback: nothing
else is contacted.
"""
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("CPJ_TOP", os.getcwd())
BUILD = os.environ.get("CPJ_BUILD", os.path.join(TOP, "build/host"))
SERVER = os.path.join(TOP, "tests", "emulator", "creds_server.py")
PY = "/usr/bin/python3"
CONTAINER_TOKEN = "Bearer cpjob-container-" + os.urandom(8).hex()
ENV_SECRET = "envSecretKey/" + os.urandom(8).hex()
ENV_TOKEN = "envSessionToken+" + os.urandom(8).hex()
FILE_SECRET = "fileSecretKey/" + os.urandom(8).hex()
CFG_SECRET = "cfgSecretKey/" + os.urandom(8).hex()

results = []
outputs = []            # every stdout and stderr of cpjob


TAG = [""]              # " [san]" while the sanitizer build runs


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s %s%s%s" % ("PASS" if cond else "FAIL", name, TAG[0],
                       "" if cond else ": " + str(detail)[:800]))
    sys.stdout.flush()


class Fixture:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cpj-creds-")
        self.certs = os.path.join(self.dir, "certs")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        port_file = os.path.join(self.dir, "ports.json")
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [PY, SERVER, "--make-certs", self.certs, "--port-file", port_file,
             "--parent-pid", str(os.getpid()), "--exit-on-stdin-eof",
             "--max-lifetime", "240", "--container-token", CONTAINER_TOKEN],
            stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        self.ports = None
        while time.monotonic() < deadline and self.proc.poll() is None:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    self.ports = json.load(f)
                break
            time.sleep(0.05)
        if self.ports is None:
            self.stop()
            raise RuntimeError("creds_server did not start")

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def admin(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.ports["container"], timeout=10)
        try:
            c.request(method, "/__admin/" + path,
                      body=json.dumps(body).encode() if body is not None else None)
            r = c.getresponse()
            return r.status, json.loads(r.read() or b"null")
        finally:
            c.close()

    def requests(self, server=None):
        _, log = self.admin("GET", "log")
        return [e for e in log if (server is None or e["server"] == server)
                and not e["path"].startswith("/__admin/")]

    def reset(self):
        self.admin("POST", "reset", {})

    def path(self, name):
        return os.path.join(self.certs, name)

    def file(self, name, text):
        p = os.path.join(self.dir, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def iot_env(self, endpoint=None, cert="device.pem", key="device.key",
                thing="cpjob-test-thing"):
        return {"CPJOB_IOT_ENDPOINT": endpoint or "127.0.0.1:%d" % self.ports["iot"],
                "CPJOB_IOT_ROLE_ALIAS": "cpjob-role-alias",
                "CPJOB_IOT_THING_NAME": thing,
                "CPJOB_IOT_CERT_FILE": self.path(cert),
                "CPJOB_IOT_KEY_FILE": self.path(key),
                "CPJOB_IOT_CA_FILE": self.path("ca.pem")}

    def container_uri(self):
        return "http://127.0.0.1:%d/v2/credentials/cpjob-task" % self.ports["container"]

    def imds_endpoint(self):
        return "http://127.0.0.1:%d" % self.ports["imds"]


def cpjob(fx, extra, args=(), binary=None):
    """Run `cpjob credentials` in a clean environment (IMDS off unless the
    case turns it on). Returns (rc, parsed stdout or None, stdout, stderr, s)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": fx.home,
           "AWS_CONFIG_FILE": os.path.join(fx.dir, "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(fx.dir, "no-credentials"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    t0 = time.monotonic()
    p = subprocess.run([binary or os.path.join(BUILD, "cpjob"), "credentials"] + list(args),
                       env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    dt = time.monotonic() - t0
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    outputs.append(out + "\n" + err)
    try:
        doc = json.loads(out) if p.returncode == 0 else None
    except ValueError:
        doc = None
    return p.returncode, doc, out, err, dt


def ok_doc(doc, source, akid_prefix):
    return (doc is not None and doc.get("source") == source
            and str(doc.get("accessKeyId", "")).startswith(akid_prefix)
            and set(doc) == {"source", "accessKeyId", "expiration"})


def expires_in(doc, seconds, slack=120):
    try:
        t = datetime.datetime.strptime(doc["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError, KeyError):
        return False
    left = (t - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    return seconds - slack <= left <= seconds + 5


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- cases ------------------------------------------------------------------------

def t_env(fx, binary):
    rc, doc, out, err, _ = cpjob(fx, {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT1",
                                      "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
                                      "AWS_SESSION_TOKEN": ENV_TOKEN}, binary=binary)
    check("env", rc == 0 and ok_doc(doc, "env", "AKIDENVIRONMENT1")
          and doc["expiration"] is None, (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT1",
                                      "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
                                      "AWS_CREDENTIAL_EXPIRATION": "2031-05-06T07:08:09+00:00"},
                                 binary=binary)
    check("env with AWS_CREDENTIAL_EXPIRATION", rc == 0 and doc is not None
          and doc["expiration"] == "2031-05-06T07:08:09Z", (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT1"}, binary=binary)
    check("env: key id without secret is an error", rc == 1
          and "AWS_SECRET_ACCESS_KEY" in err, (rc, out, err))


def t_files(fx, binary):
    creds = fx.file("credentials", "[default]\naws_access_key_id = AKIDFILEDEFAULT\n"
                    "aws_secret_access_key = %s\n\n[dev]\naws_access_key_id=AKIDFILEDEV\n"
                    "aws_secret_access_key=%s\naws_session_token=ftok\n"
                    % (FILE_SECRET, FILE_SECRET))
    config = fx.file("config", "[default]\nregion = us-east-1\n"
                     "[profile cfgprof]\naws_access_key_id = AKIDCONFIGPROF\n"
                     "aws_secret_access_key = %s\n" % CFG_SECRET)
    base = {"AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_CONFIG_FILE": config}
    rc, doc, out, err, _ = cpjob(fx, base, binary=binary)
    check("shared credentials file, default profile",
          rc == 0 and ok_doc(doc, "shared-credentials-file", "AKIDFILEDEFAULT"), (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, dict(base, AWS_PROFILE="dev"), binary=binary)
    check("shared credentials file, AWS_PROFILE",
          rc == 0 and ok_doc(doc, "shared-credentials-file", "AKIDFILEDEV"), (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, dict(base, AWS_PROFILE="cfgprof"), binary=binary)
    check("config file profile", rc == 0 and ok_doc(doc, "config-file", "AKIDCONFIGPROF"),
          (rc, out, err))
    # ~/.aws files when no variable names them
    os.makedirs(os.path.join(fx.home, ".aws"), exist_ok=True)
    shutil.copy(creds, os.path.join(fx.home, ".aws", "credentials"))
    rc, doc, out, err, _ = cpjob(fx, {"AWS_SHARED_CREDENTIALS_FILE": None,
                                      "AWS_CONFIG_FILE": None, "AWS_PROFILE": "dev"},
                                 binary=binary)
    shutil.rmtree(os.path.join(fx.home, ".aws"))
    check("~/.aws/credentials", rc == 0 and ok_doc(doc, "shared-credentials-file",
                                                   "AKIDFILEDEV"), (rc, out, err))
    envkeys = {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT1", "AWS_SECRET_ACCESS_KEY": ENV_SECRET}
    rc, doc, out, err, _ = cpjob(fx, dict(base, **envkeys), ["--profile", "dev"], binary=binary)
    check("--profile skips the environment",
          rc == 0 and ok_doc(doc, "shared-credentials-file", "AKIDFILEDEV"), (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, dict(base, AWS_PROFILE="dev", **envkeys), binary=binary)
    check("AWS_PROFILE alone does not skip the environment (botocore)",
          rc == 0 and ok_doc(doc, "env", "AKIDENVIRONMENT1"), (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, base, ["--profile", "nosuch"], binary=binary)
    check("unknown profile: no credentials", rc == 1 and "Unable to locate credentials" in err,
          (rc, out, err))


def t_iot(fx, binary):
    fx.reset()
    rc, doc, out, err, _ = cpjob(fx, fx.iot_env(), ["--debug"], binary=binary)
    log = fx.requests("iot")
    check("iot: device certificate -> credentials",
          rc == 0 and ok_doc(doc, "iot-credentials-provider", "ASIAIOT")
          and expires_in(doc, 3600), (rc, out, err))
    check("iot: GET /role-aliases/<alias>/credentials with the thing name",
          len(log) == 1 and log[0]["method"] == "GET"
          and log[0]["path"] == "/role-aliases/cpjob-role-alias/credentials"
          and "x-amzn-iot-thingname" in log[0]["headers"] and log[0]["status"] == 200, log)
    # the settings from the profile of the config file, endpoint by name
    cfg = fx.file("config-iot", "[profile device]\n"
                  "iot_credentials_endpoint = localhost:%d\n"
                  "iot_role_alias = cpjob-role-alias\niot_thing_name = cpjob-test-thing\n"
                  "iot_cert_file = %s\niot_key_file = %s\niot_ca_file = %s\n"
                  % (fx.ports["iot"], fx.path("device.pem"), fx.path("device.key"),
                     fx.path("ca.pem")))
    fx.admin("POST", "config", {"ttl": 900})
    rc, doc, out, err, _ = cpjob(fx, {"AWS_CONFIG_FILE": cfg}, ["--profile", "device"],
                                 binary=binary)
    fx.admin("POST", "config", {"ttl": 3600})
    check("iot: settings from the config file profile",
          rc == 0 and ok_doc(doc, "iot-credentials-provider", "ASIAIOT")
          and expires_in(doc, 900), (rc, out, err))
    # a device certificate from another CA is refused in the handshake
    fx.reset()
    rc, doc, out, err, dt = cpjob(fx, fx.iot_env(cert="rogue-device.pem",
                                                 key="rogue-device.key"), binary=binary)
    log = fx.requests("iot")
    check("iot: device certificate of another CA refused",
          rc == 1 and doc is None and "iot-credentials-provider" in err
          and any(w in err for w in ("alert", "TLS", "closed", "reset"))
          and all(e["status"] != 200 for e in log) and any("tlsError" in e for e in log)
          and dt < 20, (rc, out, err, log))
    rc, doc, out, err, _ = cpjob(fx, fx.iot_env(thing="some-other-thing"), binary=binary)
    check("iot: wrong thing name -> error", rc == 1 and "HTTP 403" in err, (rc, out, err))
    e = fx.iot_env()
    e["CPJOB_IOT_ROLE_ALIAS"] = "no-such-alias"
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("iot: unknown role alias -> error", rc == 1 and "HTTP 404" in err, (rc, out, err))
    e = fx.iot_env()
    del e["CPJOB_IOT_KEY_FILE"]
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("iot: a missing setting is named", rc == 1 and "CPJOB_IOT_KEY_FILE" in err
          and "iot_key_file" in err, (rc, out, err))
    e = fx.iot_env()
    e["CPJOB_IOT_CA_FILE"] = fx.path("rogue-ca.pem")
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("iot: endpoint not signed by the IoT CA is refused",
          rc == 1 and "not anchored" in err, (rc, out, err))
    e = fx.iot_env()
    e.pop("CPJOB_IOT_CA_FILE")
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("iot: default anchors (Amazon roots) do not trust the test CA",
          rc == 1 and "not anchored" in err, (rc, out, err))


def t_container(fx, binary):
    fx.reset()
    rc, doc, out, err, _ = cpjob(fx, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fx.container_uri(),
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN},
                                 ["--debug"], binary=binary)
    log = fx.requests("container")
    check("container: token -> credentials",
          rc == 0 and ok_doc(doc, "container-role", "ASIACONTAINER") and expires_in(doc, 3600)
          and len(log) == 1 and "authorization" in log[0]["headers"], (rc, out, err, log))
    tokfile = fx.file("container-token", CONTAINER_TOKEN + "\n")
    rc, doc, out, err, _ = cpjob(fx, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fx.container_uri(),
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored",
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokfile},
                                 binary=binary)
    check("container: token file wins over the variable",
          rc == 0 and ok_doc(doc, "container-role", "ASIACONTAINER"), (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fx.container_uri(),
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong"},
                                 binary=binary)
    check("container: bad token -> error", rc == 1 and "HTTP 401" in err
          and "container-role" in err, (rc, out, err))
    rc, doc, out, err, _ = cpjob(fx, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fx.container_uri(),
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Evil: 1"},
                                 binary=binary)
    check("container: a token with CR/LF never reaches the wire", rc == 1, (rc, out, err))
    rc, doc, out, err, dt = cpjob(
        fx, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:%d/x" % closed_port()},
        binary=binary)
    check("container: nothing listening -> error, quickly", rc == 1 and dt < 10
          and "refused" in err, (rc, out, err, dt))


def strace_works():
    try:
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket", "-o", "/dev/null",
                            "/bin/true"], capture_output=True, timeout=20)
        return p.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def network_calls(fx, extra, binary):
    """Run `cpjob credentials` under strace; (rc, stderr, the socket and
    connect calls and the resolver's files opened)."""
    trace = os.path.join(fx.dir, "strace.out")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": fx.home,
           "AWS_CONFIG_FILE": os.path.join(fx.dir, "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(fx.dir, "no-credentials"),
           "AWS_EC2_METADATA_DISABLED": "true", "ASAN_OPTIONS": "detect_leaks=0"}
    env.update(extra)
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect,open,openat",
                        "-o", trace, binary or os.path.join(BUILD, "cpjob"), "credentials"],
                       env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    err = p.stderr.decode("utf-8", "replace")
    outputs.append(p.stdout.decode("utf-8", "replace") + "\n" + err)
    with open(trace) as f:
        calls = [ln.strip() for ln in f
                 if "socket(" in ln or "connect(" in ln or "resolv.conf" in ln
                 or "/etc/hosts" in ln or "nsswitch" in ln]
    return p.returncode, err, calls


def t_container_hosts(fx, binary):
    """Plain http goes only to strict loopback / ECS literals: wrapped,
    octal, hex, short, overlong and leading-zero forms, IPv4-mapped IPv6
    and other names are refused before any lookup or connection (shown
    with strace when it works here), and the emulated endpoint never sees
    a request, though several of these forms are 127.0.0.1 to
    inet_aton()."""
    port = fx.ports["container"]
    bad = ["127.0.0.4294967297", "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.0.1.5",
           "127.0.0.01", "127.000.000.001", "[::ffff:127.0.0.1]", "attacker.example"]
    tracing = strace_works()
    for host in bad:
        fx.reset()
        uri = "http://%s:%d/v2/credentials/cpjob-task" % (host, port)
        extra = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": uri,
                 "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN}
        rc, doc, out, err, dt = cpjob(fx, extra, binary=binary)
        check("container: plain http to %s refused" % host,
              rc == 1 and "plain http only goes to a loopback" in err
              and host.strip("[]") in err and fx.requests("container") == [] and dt < 5,
              (rc, out, err, fx.requests("container")))
        if tracing and host in ("127.0.0.4294967297", "127.0.0.01", "attacker.example"):
            rc, err, calls = network_calls(fx, extra, binary)
            check("container: %s refused without a lookup or connection (strace)" % host,
                  rc == 1 and calls == [], (rc, err[-400:], calls[:8]))
    if not tracing:
        print("note: strace does not work here; lookups not traced")
    # "localhost" resolves to loopback only: allowed
    fx.reset()
    rc, doc, out, err, _ = cpjob(
        fx, {"AWS_CONTAINER_CREDENTIALS_FULL_URI":
             "http://localhost:%d/v2/credentials/cpjob-task" % port,
             "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN}, binary=binary)
    check("container: http://localhost allowed (resolves to loopback)",
          rc == 0 and ok_doc(doc, "container-role", "ASIACONTAINER"), (rc, out, err))


def t_imds(fx, binary):
    fx.reset()
    rc, doc, out, err, _ = cpjob(fx, {"AWS_EC2_METADATA_DISABLED": None,
                                      "AWS_EC2_METADATA_SERVICE_ENDPOINT": fx.imds_endpoint()},
                                 ["--debug"], binary=binary)
    log = fx.requests("imds")
    seq = [(e["method"], e["path"], e["status"]) for e in log]
    want = [("PUT", "/latest/api/token", 200),
            ("GET", "/latest/meta-data/iam/security-credentials/", 200),
            ("GET", "/latest/meta-data/iam/security-credentials/cpjob-imds-role", 200)]
    check("imds: IMDSv2 -> credentials",
          rc == 0 and ok_doc(doc, "iam-role", "ASIAIMDS") and expires_in(doc, 3600),
          (rc, out, err))
    check("imds: token PUT, then role, then credentials, with the token",
          seq == want and "x-aws-ec2-metadata-token-ttl-seconds" in log[0]["headers"]
          and all("x-aws-ec2-metadata-token" in e["headers"] for e in log[1:]), log)
    # the emulator refuses a GET without the token (so the client did the PUT)
    c = http.client.HTTPConnection("127.0.0.1", fx.ports["imds"], timeout=10)
    c.request("GET", "/latest/meta-data/iam/security-credentials/")
    status = c.getresponse().status
    c.close()
    check("imds: emulator answers 401 without a token", status == 401, status)
    fx.reset()
    rc, doc, out, err, _ = cpjob(fx, {"AWS_EC2_METADATA_DISABLED": "TRUE",
                                      "AWS_EC2_METADATA_SERVICE_ENDPOINT": fx.imds_endpoint()},
                                 binary=binary)
    check("imds: disabled -> skipped", rc == 1 and "Unable to locate credentials" in err
          and fx.requests("imds") == [], (rc, out, err))
    cfg = fx.file("config-imds", "[default]\nec2_metadata_service_endpoint = %s\n"
                  % fx.imds_endpoint())
    rc, doc, out, err, _ = cpjob(fx, {"AWS_EC2_METADATA_DISABLED": None,
                                      "AWS_CONFIG_FILE": cfg}, binary=binary)
    check("imds: endpoint from the config file", rc == 0 and ok_doc(doc, "iam-role", "ASIAIMDS"),
          (rc, out, err))


def t_nothing(fx, binary):
    rc, doc, out, err, dt = cpjob(fx, {}, binary=binary)
    check("nothing configured -> no credentials, quickly",
          rc == 1 and out == "" and "Unable to locate credentials" in err and dt < 5,
          (rc, out, err, dt))
    rc, doc, out, err, dt = cpjob(fx, {"AWS_EC2_METADATA_DISABLED": None,
                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT":
                                       "http://127.0.0.1:%d" % closed_port()}, binary=binary)
    check("no IMDS listening -> no credentials, quickly, with the reason",
          rc == 1 and "Unable to locate credentials" in err and "refused" in err and dt < 5,
          (rc, out, err, dt))


def t_order(fx, binary):
    iot = fx.iot_env()
    both = dict(iot, AWS_ACCESS_KEY_ID="AKIDENVIRONMENT1", AWS_SECRET_ACCESS_KEY=ENV_SECRET)
    rc, doc, out, err, _ = cpjob(fx, both, binary=binary)
    check("order: env before IoT", rc == 0 and ok_doc(doc, "env", "AKIDENVIRONMENT1"),
          (rc, out, err))
    e = dict(iot, AWS_CONTAINER_CREDENTIALS_FULL_URI=fx.container_uri(),
             AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN)
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("order: IoT before container",
          rc == 0 and ok_doc(doc, "iot-credentials-provider", "ASIAIOT"), (rc, out, err))
    e = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fx.container_uri(),
         "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN,
         "AWS_EC2_METADATA_DISABLED": None,
         "AWS_EC2_METADATA_SERVICE_ENDPOINT": fx.imds_endpoint()}
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("order: container before IMDS",
          rc == 0 and ok_doc(doc, "container-role", "ASIACONTAINER"), (rc, out, err))
    e = dict(iot, CPJOB_IOT_THING_NAME="some-other-thing",
             AWS_EC2_METADATA_DISABLED=None,
             AWS_EC2_METADATA_SERVICE_ENDPOINT=fx.imds_endpoint())
    rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
    check("order: a configured provider that fails stops the chain",
          rc == 1 and "HTTP 403" in err, (rc, out, err))


# The chain's file limits (src/agent/creds_prov.h): the config and credentials
# files share one buffer (at most 49,151 bytes each); the IoT certificate chain
# and key are read into its two parts (32,767 and 16,383 bytes); an IoT CA file
# holds at most 8 CA certificates.
FILE_LIMIT, CERT_LIMIT, KEY_LIMIT, IOT_CA_LIMIT = 49151, 32767, 16383, 8


def padded(text, size, comment="#"):
    """`text` after comment lines, `size` bytes in all."""
    pad = size - len(text)
    lines = []
    while pad > 0:
        n = min(pad, 100)
        lines.append((comment + "x" * 200)[:n - 1] + "\n" if n > 1 else "\n")
        pad -= n
    out = "".join(lines) + text
    assert len(out) == size, (len(out), size)
    return out


def t_limits(fx, binary):
    with open(fx.path("ca.pem")) as f:
        ca = f.read()
    with open(fx.path("device.pem")) as f:
        cert = f.read()
    with open(fx.path("device.key")) as f:
        key = f.read()
    for n in (IOT_CA_LIMIT, IOT_CA_LIMIT + 1):
        e = fx.iot_env()
        e["CPJOB_IOT_CA_FILE"] = fx.file("ca-%d.pem" % n, ca * n)
        rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
        if n == IOT_CA_LIMIT:
            check("limits: an IoT CA file of %d CA certificates" % n,
                  rc == 0 and ok_doc(doc, "iot-credentials-provider", "ASIAIOT"), (rc, out, err))
        else:
            check("limits: an IoT CA file of %d CA certificates -> error naming the limit" % n,
                  rc == 1 and "iot CA file" in err and "needs %d anchors" % n in err
                  and "holds %d anchors" % IOT_CA_LIMIT in err, (rc, out, err))
    # a config file at the limit, the profile's IoT settings at its end, read
    # again after the credentials file took the buffer
    creds = fx.file("credentials-other", "[other]\naws_access_key_id = AKIDOTHER\n"
                    "aws_secret_access_key = %s\n" % FILE_SECRET)
    prof = ("[profile device]\niot_credentials_endpoint = 127.0.0.1:%d\n"
            "iot_role_alias = cpjob-role-alias\niot_thing_name = cpjob-test-thing\n"
            "iot_cert_file = %s\niot_key_file = %s\niot_ca_file = %s\n"
            % (fx.ports["iot"], fx.path("device.pem"), fx.path("device.key"), fx.path("ca.pem")))
    for size in (FILE_LIMIT, FILE_LIMIT + 1):
        cfg = fx.file("config-%d" % size, padded(prof, size))
        rc, doc, out, err, _ = cpjob(fx, {"AWS_CONFIG_FILE": cfg,
                                          "AWS_SHARED_CREDENTIALS_FILE": creds},
                                     ["--profile", "device"], binary=binary)
        if size == FILE_LIMIT:
            check("limits: a config file of %d bytes, IoT settings at its end" % size,
                  rc == 0 and ok_doc(doc, "iot-credentials-provider", "ASIAIOT"), (rc, out, err))
        else:
            check("limits: a config file of %d bytes -> error naming the limit" % size,
                  rc == 1 and "config file %s: larger than %d bytes" % (cfg, FILE_LIMIT) in err,
                  (rc, out, err))
    for size in (FILE_LIMIT, FILE_LIMIT + 1):
        path = fx.file("credentials-%d" % size, padded(
            "[default]\naws_access_key_id = AKIDFILEBIG\naws_secret_access_key = %s\n"
            % FILE_SECRET, size))
        rc, doc, out, err, _ = cpjob(fx, {"AWS_SHARED_CREDENTIALS_FILE": path}, binary=binary)
        if size == FILE_LIMIT:
            check("limits: a credentials file of %d bytes" % size,
                  rc == 0 and ok_doc(doc, "shared-credentials-file", "AKIDFILEBIG"),
                  (rc, out, err))
        else:
            check("limits: a credentials file of %d bytes -> error naming the limit" % size,
                  rc == 1 and "credentials file %s: larger than %d bytes" % (path, FILE_LIMIT)
                  in err, (rc, out, err))
    for what, name, text, limit in (("iot certificate", "CPJOB_IOT_CERT_FILE", cert, CERT_LIMIT),
                                    ("iot private key", "CPJOB_IOT_KEY_FILE", key, KEY_LIMIT)):
        for size in (limit, limit + 1):
            e = fx.iot_env()
            e[name] = fx.file("%s-%d.pem" % (name, size), padded(text, size, "text "))
            rc, doc, out, err, _ = cpjob(fx, e, binary=binary)
            if size == limit:
                check("limits: an %s of %d bytes" % (what, size),
                      rc == 0 and ok_doc(doc, "iot-credentials-provider", "ASIAIOT"),
                      (rc, out, err))
            else:
                check("limits: an %s of %d bytes -> error naming the limit" % (what, size),
                      rc == 1 and "%s %s: larger than %d bytes" % (what, e[name], limit) in err,
                      (rc, out, err))


def main():
    fx = Fixture()
    try:
        binaries = [(os.path.join(BUILD, "cpjob"), "")]
        san = os.environ.get("CPJ_BUILD_SAN")
        if san and os.path.exists(os.path.join(san, "cpjob")):
            binaries.append((os.path.join(san, "cpjob"), " [san]"))
        for binary, tag in binaries:
            TAG[0] = tag
            for case in (t_env, t_files, t_iot, t_container, t_container_hosts, t_imds,
                         t_nothing, t_order, t_limits):
                case(fx, binary)
        TAG[0] = ""
        _, issued = fx.admin("GET", "issued")
        secrets = [c["secretAccessKey"] for c in issued] + [c["sessionToken"] for c in issued]
        secrets += [CONTAINER_TOKEN, ENV_SECRET, ENV_TOKEN, FILE_SECRET, CFG_SECRET]
        with open(fx.path("device.key")) as f:
            keylines = [l for l in f.read().splitlines() if l and not l.startswith("-----")]
        leaked = [s[:12] for s in secrets + keylines if any(s in o for o in outputs)]
        check("no secret, token or key in any output (%d runs, %d credentials issued)"
              % (len(outputs), len(issued)), len(issued) >= 10 and not leaked, leaked)
    finally:
        fx.cleanup()
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
