#!/usr/bin/python3
"""CodePipeline (job-worker API) and S3 (GetObject/PutObject) endpoint emulator.

One process, one listener (HTTPS by default, HTTP/1.1 keep-alive) serving:
  * CodePipeline: POST / with X-Amz-Target: CodePipeline_20150709.<Op>
    (AWS JSON 1.1); the ten job-worker operations;
  * S3: every other request (GetObject, HeadObject, PutObject, DeleteObject),
    path-style or virtual-hosted (bucket taken from the Host header);
  * an unsigned admin API under /__admin/ (JSON) for tests.

Every request's SigV4 signature is recomputed with botocore (SigV4Auth for
codepipeline, S3SigV4Auth for s3) and mismatches are answered as AWS does.
CodePipeline request bodies are validated against botocore's service model.
See README.md next to this file for flags, the admin API and fault knobs.

Runs with Debian's /usr/bin/python3 and python3-botocore only.
"""
import argparse
import base64
import calendar
import copy
import hashlib
import hmac
import http.server
import json
import os
import random
import re
import secrets
import socket
import ssl
import string
import struct
import subprocess
import sys
import threading
import time
import uuid
import zlib
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.auth as bauth
import botocore.loaders
import botocore.model
import botocore.validate
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

TARGET_PREFIX = "CodePipeline_20150709."
JSON_CT = "application/x-amz-json-1.1"
CP_NS = "com.amazonaws.codepipeline"
CORAL_NS = "com.amazon.coral.service"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
DEFAULT_ACCOUNT = "123456789012"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SIGV4_FMT = "%Y%m%dT%H%M%SZ"

JOB_WORKER_OPS = [
    "PollForJobs", "AcknowledgeJob", "GetJobDetails", "PutJobSuccessResult",
    "PutJobFailureResult", "PollForThirdPartyJobs", "AcknowledgeThirdPartyJob",
    "GetThirdPartyJobDetails", "PutThirdPartyJobSuccessResult",
    "PutThirdPartyJobFailureResult",
]
# Errors of the AWS front end (not in the service model): namespace for __type.
CORAL_ERRORS = {
    "InvalidSignatureException", "IncompleteSignatureException",
    "MissingAuthenticationTokenException", "UnrecognizedClientException",
    "ExpiredTokenException", "SerializationException", "UnknownOperationException",
    "ThrottlingException", "InternalFailure", "ServiceUnavailable", "AccessDeniedException",
}

DEFAULT_CONFIG = {
    "clock_skew": 0.0,               # seconds added to the real clock
    "max_skew_codepipeline": 300,    # allowed |X-Amz-Date - now|, seconds
    "max_skew_s3": 900,
    "error_type_form": "prefixed",   # "prefixed" (namespace#Code) or "bare"
    "void_body": "{}",               # body of the four Put*Result answers
    "json_ascii": False,             # escape non-ASCII in JSON answers
    "close_after_response": False,   # "Connection: close" + close after each answer
    "idle_timeout": 60,              # seconds a keep-alive connection may idle
    "response_chunk_size": 0,        # >0: answer bodies with chunked encoding
    "verify_signatures": True,
    "reject_unknown_members": True,
    "dispatch_timeout": 0,           # s; Dispatched, not acknowledged -> Queued again
    "inprogress_timeout": 0,         # s; InProgress -> TimedOut
    "default_max_batch_size": 1,
    "empty_poll": "list",            # no job: {"jobs":[]} ("list") or {} ("absent")
    "require_ack": True,             # Put*Result needs an InProgress job
    "continuation": "new-job",       # or "same-job"
    "output_variables_limit": 122880,
    "kms_requires_tls": True,
    "max_body": 256 * 1024 * 1024,
    "log_limit": 20000,
}


class ApiError(Exception):
    def __init__(self, code, message, status=400, extra=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}


def now_real():
    return time.time()


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def xml_escape(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def amz_date(ts):
    return time.strftime(SIGV4_FMT, time.gmtime(ts))


def parse_amz_date(s):
    return calendar.timegm(time.strptime(s, SIGV4_FMT))


def parse_query(query):
    """Query string -> [(name, value)], percent-decoded once; '+' stays '+'."""
    out = []
    for part in (p for p in query.split("&") if p):
        k, _, v = part.partition("=")
        out.append((unquote(k), unquote(v)))
    return out


def http_date(ts):
    return formatdate(ts, usegmt=True)


def rand_nonce():
    return str(random.SystemRandom().randint(1, 2**31 - 1))


def mint_credentials():
    alphabet = string.ascii_uppercase + "234567"
    akid = "ASIA" + "".join(secrets.choice(alphabet) for _ in range(16))
    secret = base64.b64encode(secrets.token_bytes(30)).decode()
    token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(secrets.token_bytes(600)).decode()
    return {"accessKeyId": akid, "secretAccessKey": secret, "sessionToken": token}


# ---------------------------------------------------------------------------
# Service model and validation
# ---------------------------------------------------------------------------
class Model:
    def __init__(self):
        loader = botocore.loaders.Loader()
        self.service = botocore.model.ServiceModel(
            loader.load_service_model("codepipeline", "service-2"), "codepipeline")
        self.validator = botocore.validate.ParamValidator()

    def op(self, name):
        try:
            return self.service.operation_model(name)
        except botocore.model.OperationNotFoundError:
            return None

    def shape(self, name):
        return self.service.shape_for(name)

    def check_input(self, op_name, params, reject_unknown):
        """Raises ApiError (SerializationException / ValidationException)."""
        shape = self.op(op_name).input_shape
        report = self.validator.validate(params, shape)
        type_errors, unknown = [], []
        for (etype, name, extra) in report._errors:
            if etype == "invalid type":
                type_errors.append(report._format_error((etype, name, extra)))
            elif etype == "unknown field":
                unknown.append(report._format_error((etype, name, extra)))
        type_errors += self._strict_types(params, shape, "")
        if type_errors:
            raise ApiError("SerializationException", "; ".join(type_errors))
        errors = self.constraint_errors(params, shape)
        if reject_unknown:
            errors += unknown
        if errors:
            n = len(errors)
            raise ApiError("ValidationException", "%d validation error%s detected: %s" % (
                n, "" if n == 1 else "s", "; ".join(errors)))

    def _strict_types(self, value, shape, path):
        """Type rules of the JSON protocol that botocore's validator is lax about."""
        out = []
        t = shape.type_name
        if t in ("integer", "long") and isinstance(value, bool):
            out.append("Invalid type for parameter %s: boolean is not an integer" % path[1:])
        elif t == "timestamp" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            out.append("Invalid type for parameter %s: timestamps are epoch seconds (number)"
                       % path[1:])
        elif t == "structure" and isinstance(value, dict):
            for k, v in value.items():
                if k in shape.members:
                    out += self._strict_types(v, shape.members[k], path + "." + k)
        elif t == "list" and isinstance(value, list):
            for i, v in enumerate(value):
                out += self._strict_types(v, shape.member, "%s[%d]" % (path, i))
        elif t == "map" and isinstance(value, dict):
            for v in value.values():
                out += self._strict_types(v, shape.value, path)
        return out

    def constraint_errors(self, value, shape, path=""):
        """AWS-style messages for required/length/range/pattern/enum violations."""
        errs = []
        t = shape.type_name
        md = shape.metadata
        where = path[1:] if path.startswith(".") else path

        def fail(v, what):
            shown = "null" if v is None else "'%s'" % (v if not md.get("sensitive") else "***")
            errs.append("Value %s at '%s' failed to satisfy constraint: %s" % (shown, where, what))

        if t == "structure":
            if not isinstance(value, dict):
                return errs
            for req in shape.required_members:
                if value.get(req) is None:
                    errs.append("Value null at '%s' failed to satisfy constraint: "
                                "Member must not be null" % (where + "." + req if where else req))
            for k, v in value.items():
                if k in shape.members and v is not None:
                    errs += self.constraint_errors(v, shape.members[k], path + "." + k)
        elif t == "string":
            if not isinstance(value, str):
                return errs
            n = utf16_len(value)
            if "min" in md and n < md["min"]:
                fail(value, "Member must have length greater than or equal to %d" % md["min"])
            if "max" in md and n > md["max"]:
                fail(value, "Member must have length less than or equal to %d" % md["max"])
            if "pattern" in md and not re.fullmatch(md["pattern"], value, re.S):
                fail(value, "Member must satisfy regular expression pattern: %s" % md["pattern"])
            if shape.enum and value not in shape.enum:
                fail(value, "Member must satisfy enum value set: [%s]" % ", ".join(shape.enum))
        elif t in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                return errs
            if "min" in md and value < md["min"]:
                fail(value, "Member must have value greater than or equal to %d" % md["min"])
            if "max" in md and value > md["max"]:
                fail(value, "Member must have value less than or equal to %d" % md["max"])
        elif t == "list":
            if not isinstance(value, list):
                return errs
            if "min" in md and len(value) < md["min"]:
                fail("[...]", "Member must have length greater than or equal to %d" % md["min"])
            if "max" in md and len(value) > md["max"]:
                fail("[...]", "Member must have length less than or equal to %d" % md["max"])
            for i, v in enumerate(value):
                errs += self.constraint_errors(v, shape.member, "%s.%d.member" % (path, i + 1))
        elif t == "map":
            if not isinstance(value, dict):
                return errs
            if "min" in md and len(value) < md["min"]:
                fail("{...}", "Member must have length greater than or equal to %d" % md["min"])
            if "max" in md and len(value) > md["max"]:
                fail("{...}", "Member must have length less than or equal to %d" % md["max"])
            for k, v in value.items():
                ke = self.constraint_errors(k, shape.key, path)
                if ke:
                    errs.append("Value '%s' at '%s' failed to satisfy constraint: Map keys must "
                                "satisfy constraint: [%s]" % (k, where, "; ".join(
                                    e.split("constraint: ", 1)[1] for e in ke)))
                errs += self.constraint_errors(v, shape.value, path + "." + k)
        return errs

    def check_output_shape(self, value, shape_name):
        """For admin-supplied jobs: constraint errors plus type errors (list of str)."""
        shape = self.shape(shape_name)
        report = self.validator.validate(value, shape)
        errs = [report._format_error(e) for e in report._errors
                if e[0] in ("invalid type", "unknown field")]
        return errs + self.constraint_errors(value, shape)


# ---------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------
OPENSSL_CNF = """\
[ca]
default_ca = CA_default
[CA_default]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = x
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = %(san)s
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def make_certs(outdir, key_type="ec", names=(), not_before="20000101000000Z",
               not_after="20491231235959Z"):
    """CA (ca.pem, ca.key) and server certificate (server.pem, server.key) in outdir.

    Existing files are reused. The server certificate covers 127.0.0.1,
    localhost and *.localhost (plus `names`)."""
    outdir = os.path.abspath(outdir)
    files = [os.path.join(outdir, f) for f in ("ca.pem", "server.pem", "server.key")]
    if all(os.path.exists(f) for f in files):
        return files
    os.makedirs(outdir, exist_ok=True)
    work = os.path.join(outdir, "openssl-work")
    os.makedirs(work, exist_ok=True)
    san = ["IP:127.0.0.1", "DNS:localhost", "DNS:*.localhost"]
    for n in names:
        san.append(("IP:" if re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*", n) else "DNS:")
                   + n)
    with open(os.path.join(work, "openssl.cnf"), "w") as f:
        f.write(OPENSSL_CNF % {"san": ",".join(san)})
    open(os.path.join(work, "index.txt"), "w").close()
    with open(os.path.join(work, "serial"), "w") as f:
        f.write("%016X\n" % random.SystemRandom().getrandbits(63))
    if key_type == "ec":
        gen = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    else:
        bits = key_type.split(":")[1] if ":" in key_type else "2048"
        gen = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + bits]

    def run(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=work, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("openssl %s failed: %s" % (args[0], r.stdout.decode(errors="replace")))

    dates = ["-startdate", not_before, "-enddate", not_after]
    run("genpkey", *gen, "-out", "ca.key")
    run("req", "-new", "-config", "openssl.cnf", "-key", "ca.key",
        "-subj", "/O=cpjob tests/CN=cpjob emulator test CA", "-out", "ca.csr")
    run("ca", "-batch", "-notext", "-config", "openssl.cnf", "-selfsign", "-keyfile", "ca.key",
        "-in", "ca.csr", "-out", "ca.pem", "-extensions", "v3_ca", *dates)
    run("genpkey", *gen, "-out", "server.key")
    run("req", "-new", "-config", "openssl.cnf", "-key", "server.key",
        "-subj", "/CN=localhost", "-out", "server.csr")
    run("ca", "-batch", "-notext", "-config", "openssl.cnf", "-cert", "ca.pem", "-keyfile",
        "ca.key", "-in", "server.csr", "-out", "server.pem", "-extensions", "v3_srv", *dates)
    for f in ("ca.pem", "ca.key", "server.pem", "server.key"):
        os.replace(os.path.join(work, f), os.path.join(outdir, f))
    return files


# ---------------------------------------------------------------------------
# SigV4 verification (botocore computes the expected signature)
# ---------------------------------------------------------------------------
class AuthFailure(Exception):
    """kind is service-neutral; the handler maps it to each service's error."""

    def __init__(self, kind, message, **info):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.info = info


def _verifier_class(base):
    class Verifier(base):
        """botocore's signer, fed exactly the headers the client signed."""

        def __init__(self, credentials, service, region, payload_hash):
            super().__init__(credentials, service, region)
            self._payload_hash = payload_hash

        def headers_to_sign(self, request):
            hm = HTTPHeaders()
            for name, value in request.headers.items():
                hm[name.lower()] = value
            return hm

        def payload(self, request):
            return self._payload_hash

    return Verifier


SigV4Verifier = _verifier_class(bauth.SigV4Auth)
S3SigV4Verifier = _verifier_class(bauth.S3SigV4Auth)


def parse_authorization(value):
    if not value.startswith("AWS4-HMAC-SHA256 "):
        raise AuthFailure("malformed", "Unsupported authorization type: %s" % value.split(" ")[0],
                          s3code="InvalidArgument")
    parts = {}
    for item in value[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = item.strip().partition("=")
        parts[k.strip()] = v.strip()
    for need in ("Credential", "SignedHeaders", "Signature"):
        if need not in parts:
            raise AuthFailure("malformed", "Authorization header requires '%s' parameter. "
                              "Authorization=%s" % (need, value))
    return parts["Credential"], parts["SignedHeaders"], parts["Signature"]


def verify_request(state, service, method, raw_path, headers, body_hash, scheme, host,
                   presign=None):
    """Check a request's SigV4 authentication. headers: list of (name, value) as
    received. body_hash: the payload hash the canonical request uses. Returns the
    identity dict; raises AuthFailure."""
    hmap = {}
    for n, v in headers:
        hmap.setdefault(n.lower(), []).append(v)

    def h(name):
        vals = hmap.get(name)
        return ",".join(vals) if vals else None

    path, _, query = raw_path.partition("?")
    params = parse_query(query)
    if presign:
        cred = presign["X-Amz-Credential"]
        signed = presign["X-Amz-SignedHeaders"]
        provided = presign["X-Amz-Signature"]
        date_s = presign["X-Amz-Date"]
        token = presign.get("X-Amz-Security-Token")
        params = [(k, v) for k, v in params if k != "X-Amz-Signature"]
    else:
        auth = h("authorization")
        if auth is None:
            raise AuthFailure("missing", "Missing Authentication Token")
        cred, signed, provided = parse_authorization(auth)
        date_s = h("x-amz-date")
        if date_s is None and h("date") is not None:
            try:
                date_s = amz_date(parsedate_to_datetime(h("date")).timestamp())
            except (TypeError, ValueError):
                date_s = None
        if date_s is None:
            raise AuthFailure("nodate", "Authorization header requires existence of either a "
                              "'X-Amz-Date' or a 'Date' header. Authorization=%s" % auth)
        token = h("x-amz-security-token")
    cparts = cred.split("/")
    if len(cparts) != 5:
        raise AuthFailure("malformed", "Credential must have exactly 5 slash-delimited elements, "
                          "e.g. keyid/date/region/service/term, got '%s'" % cred)
    akid, cdate, cregion, cservice, term = cparts
    ident = state.identity(akid)
    if ident is None:
        raise AuthFailure("unknown_key", "The security token included in the request is invalid.",
                          akid=akid)
    try:
        ts = parse_amz_date(date_s)
    except ValueError:
        raise AuthFailure("malformed", "Invalid X-Amz-Date: %s" % date_s)
    if cdate != date_s[:8]:
        raise AuthFailure("scope", "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                          "version of date from HTTP: '%s' != '%s', from '%s'."
                          % (cdate, date_s[:8], date_s), s3detail="Invalid credential date. "
                          "Date is not the same as X-Amz-Date.")
    if cregion != state.region:
        raise AuthFailure("scope", "Credential should be scoped to a valid region. ",
                          s3detail="the region '%s' is wrong; expecting '%s'"
                          % (cregion, state.region), region=state.region)
    if cservice != service:
        raise AuthFailure("scope", "Credential should be scoped to correct service: '%s'. "
                          % service, s3detail='incorrect service "%s". This endpoint belongs to '
                          '"%s".' % (cservice, service))
    if term != "aws4_request":
        raise AuthFailure("scope", "Credential should be scoped with a valid terminator: "
                          "'aws4_request', not '%s'. " % term,
                          s3detail="incorrect terminal \"%s\". This endpoint uses \"aws4_request\"."
                          % term)
    signed_names = [s for s in signed.split(";") if s]
    if "host" not in signed_names:
        raise AuthFailure("scope", "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                          "Authorization.", s3detail="'Host' must be a signed header")
    # Time.
    now = state.now()
    limit = state.cfg("max_skew_s3" if service == "s3" else "max_skew_codepipeline")
    if presign:
        try:
            expires = int(presign.get("X-Amz-Expires", "0"))
        except ValueError:
            expires = -1
        if expires < 1 or expires > 604800:
            raise AuthFailure("malformed", "X-Amz-Expires must be between 1 and 604800 seconds")
        if now > ts + expires:
            raise AuthFailure("presign_expired", "Request has expired", expires=expires,
                              req_ts=ts, now=now)
        if ts - now > limit:
            raise AuthFailure("skew", "Request is not yet valid", req_ts=ts, now=now, limit=limit)
    elif abs(now - ts) > limit:
        mins = limit // 60
        if ts < now:
            msg = "Signature expired: %s is now earlier than %s (%s - %d min.)" % (
                date_s, amz_date(now - limit), amz_date(now), mins)
        else:
            msg = "Signature not yet current: %s is still later than %s (%s + %d min.)" % (
                date_s, amz_date(now + limit), amz_date(now), mins)
        raise AuthFailure("skew", msg, req_ts=ts, now=now, limit=limit)
    # Session token.
    want_token = ident.get("sessionToken")
    if want_token:
        if token is None:
            raise AuthFailure("bad_token", "The security token included in the request is invalid.",
                              akid=akid, s3kind="unknown_key")
        if not hmac.compare_digest(token.encode(), want_token.encode()):
            raise AuthFailure("bad_token", "The security token included in the request is invalid.",
                              akid=akid)
    elif token:
        raise AuthFailure("bad_token", "The security token included in the request is invalid.",
                          akid=akid)
    if ident.get("expired"):
        raise AuthFailure("expired_token", "The security token included in the request is expired",
                          akid=akid, token=token or "")
    # Signature, computed by botocore.
    req_headers = []
    for name in signed_names:
        for v in hmap.get(name, []):
            req_headers.append((name, v))
    cls = S3SigV4Verifier if service == "s3" else SigV4Verifier
    signer = cls(Credentials(akid, ident["secretAccessKey"], token), service, state.region,
                 "UNSIGNED-PAYLOAD" if presign else body_hash)
    req = AWSRequest(method=method, url="%s://%s%s" % (scheme, host or "localhost", path),
                     params=params or None)
    for n, v in req_headers:
        req.headers[n] = v
    req.context["timestamp"] = date_s
    canonical = signer.canonical_request(req)
    sts = signer.string_to_sign(req, canonical)
    expected = signer.signature(sts, req)
    if state.cfg("verify_signatures") and not hmac.compare_digest(expected, provided):
        raise AuthFailure("signature", "The request signature we calculated does not match the "
                          "signature you provided.", canonical=canonical, sts=sts,
                          provided=provided, akid=akid)
    # For aws-chunked uploads the caller needs the seed signature and key.
    ident = dict(ident)
    ident["_seed_signature"] = provided
    ident["_date"] = date_s
    return ident, True


def signing_key(secret, date8, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date8.encode(), hashlib.sha256).digest()
    k = hmac.new(k, region.encode(), hashlib.sha256).digest()
    k = hmac.new(k, service.encode(), hashlib.sha256).digest()
    return hmac.new(k, b"aws4_request", hashlib.sha256).digest()


# ---------------------------------------------------------------------------
# State: identities, action types, jobs, buckets, objects, knobs, log
# ---------------------------------------------------------------------------
class State:
    def __init__(self, region, identities, model, state_file=None):
        self.lock = threading.RLock()
        self.region = region
        self.model = model
        self.state_file = state_file
        self.initial_identities = [dict(i) for i in identities]
        self.reset(keep_identities=False)
        if state_file and os.path.exists(state_file):
            self.load(state_file)

    # -- basics ------------------------------------------------------------
    def reset(self, keep_identities=True):
        with self.lock:
            if not keep_identities or not hasattr(self, "identities"):
                self.identities = {i["accessKeyId"]: dict(i) for i in self.initial_identities}
            self.config = dict(DEFAULT_CONFIG)
            self.action_types = {}
            self.jobs = {}
            self.job_seq = 0
            self.buckets = {}
            self.objects = {}       # (bucket, key) -> dict
            self.faults = []
            self.fault_seq = 0
            self.requests = []
            self.req_seq = 0

    def cfg(self, k):
        return self.config[k]

    def now(self):
        return now_real() + float(self.config["clock_skew"])

    def identity(self, akid):
        with self.lock:
            return self.identities.get(akid)

    def save(self):
        if not self.state_file:
            return
        with self.lock:
            doc = {
                "identities": list(self.identities.values()),
                "config": self.config,
                "actionTypes": [dict(key=list(k), **v) for k, v in self.action_types.items()],
                "jobs": list(self.jobs.values()),
                "jobSeq": self.job_seq,
                "buckets": list(self.buckets.values()),
                "objects": [dict(o, data=base64.b64encode(o["data"]).decode())
                            for o in self.objects.values()],
            }
            tmp = self.state_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump(doc, f)
            os.replace(tmp, self.state_file)

    def load(self, path):
        with open(path) as f:
            doc = json.load(f)
        with self.lock:
            for i in doc.get("identities", []):
                self.identities[i["accessKeyId"]] = i
            self.config.update(doc.get("config", {}))
            for a in doc.get("actionTypes", []):
                key = tuple(a.pop("key"))
                self.action_types[key] = a
            for j in doc.get("jobs", []):
                self.jobs[j["id"]] = j
            self.job_seq = doc.get("jobSeq", len(self.jobs))
            for b in doc.get("buckets", []):
                self.buckets[b["name"]] = b
            for o in doc.get("objects", []):
                o["data"] = base64.b64decode(o["data"])
                self.objects[(o["bucket"], o["key"])] = o

    # -- request log and faults ---------------------------------------------
    def log_request(self, entry):
        for k in [k for k in entry if k.startswith("_")]:
            del entry[k]
        with self.lock:
            self.req_seq += 1
            entry["seq"] = self.req_seq
            self.requests.append(entry)
            limit = self.config["log_limit"]
            if len(self.requests) > limit:
                del self.requests[:len(self.requests) - limit]

    def add_fault(self, spec):
        kinds = ("throttle", "error500", "error503", "error", "body", "delay", "cut",
                 "reset", "trickle", "close")
        if spec.get("kind") not in kinds:
            raise ApiError("BadRequest", "fault kind must be one of %s" % ", ".join(kinds))
        with self.lock:
            self.fault_seq += 1
            f = dict(spec)
            f["id"] = self.fault_seq
            f.setdefault("count", 1)
            f["hits"] = 0
            self.faults.append(f)
            return f

    def take_faults(self, service, op):
        """Consume the faults that match this request: at most one that replaces
        the answer (throttle/error/body) and any transport ones."""
        replacing = ("throttle", "error500", "error503", "error", "body")
        chosen = []
        with self.lock:
            have_replacing = False
            for f in self.faults:
                if f["count"] == 0:
                    continue
                if f.get("service") and f["service"] != service:
                    continue
                if f.get("operation") and f["operation"] != op:
                    continue
                if f["kind"] in replacing:
                    if have_replacing:
                        continue
                    have_replacing = True
                if f["count"] > 0:
                    f["count"] -= 1
                f["hits"] += 1
                chosen.append(dict(f))
            self.faults = [f for f in self.faults if f["count"] != 0]
        return chosen

    # -- identities ------------------------------------------------------------
    def put_identity(self, spec):
        akid = spec.get("accessKeyId")
        if not akid:
            raise ApiError("BadRequest", "accessKeyId is required")
        with self.lock:
            cur = self.identities.get(akid, {"accessKeyId": akid})
            for k in ("secretAccessKey", "sessionToken", "expired", "label"):
                if k in spec:
                    cur[k] = spec[k]
            if not cur.get("secretAccessKey"):
                raise ApiError("BadRequest", "secretAccessKey is required for a new identity")
            self.identities[akid] = cur
            return cur

    # -- action types ------------------------------------------------------------
    @staticmethod
    def at_key(at):
        return (at.get("category"), at.get("owner"), at.get("provider"), at.get("version"))

    def register_action_type(self, at, queryable=None):
        key = self.at_key(at)
        if None in key:
            raise ApiError("BadRequest", "actionTypeId needs category, owner, provider, version")
        with self.lock:
            cur = self.action_types.setdefault(key, {"queryable": None})
            if queryable is not None:
                cur["queryable"] = queryable
            return cur

    # -- jobs -------------------------------------------------------------------
    def queue_job(self, spec):
        spec = dict(spec)
        job_in = spec.pop("job", None)
        ctl = {k: spec.pop(k) for k in list(spec) if k in (
            "thirdParty", "clientId", "clientToken", "queryable", "unchecked", "mintCredentials",
            "createBuckets", "continuedFrom")}
        if job_in is None:
            job_in = spec
        job_in = copy.deepcopy(job_in)
        third = bool(ctl.get("thirdParty"))
        jid = job_in.get("id") or str(uuid.uuid4())
        data = job_in.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("actionTypeId"), dict):
            raise ApiError("BadRequest", "job.data.actionTypeId is required")
        if "artifactCredentials" not in data and ctl.get("mintCredentials", True):
            data["artifactCredentials"] = mint_credentials()
        if data.get("artifactCredentials") is None:
            data.pop("artifactCredentials", None)
        job_shape = {"id": jid, "data": data, "accountId": job_in.get("accountId", DEFAULT_ACCOUNT)}
        if job_in.get("nonce") is not None:
            job_shape["nonce"] = job_in["nonce"]
        if not ctl.get("unchecked"):
            if third:
                errs = self.model.check_output_shape(
                    {"id": jid, "data": data, "nonce": job_shape.get("nonce", "1")},
                    "ThirdPartyJobDetails")
            else:
                errs = self.model.check_output_shape(job_shape, "Job")
            if errs:
                raise ApiError("BadRequest", "job does not match the service model: "
                               + "; ".join(errs))
        with self.lock:
            if jid in self.jobs:
                raise ApiError("BadRequest", "job id %s already exists" % jid)
            creds = data.get("artifactCredentials")
            if isinstance(creds, dict) and creds.get("accessKeyId") and \
                    creds.get("secretAccessKey"):
                if creds["accessKeyId"] not in self.identities:
                    self.identities[creds["accessKeyId"]] = {
                        "accessKeyId": creds["accessKeyId"],
                        "secretAccessKey": creds["secretAccessKey"],
                        "sessionToken": creds.get("sessionToken"), "label": "job:" + jid}
            self.register_action_type(data["actionTypeId"], ctl.get("queryable"))
            if ctl.get("createBuckets", True):
                for art in (data.get("inputArtifacts") or []) + (data.get("outputArtifacts") or []):
                    b = (((art or {}).get("location") or {}).get("s3Location") or {}).get(
                        "bucketName")
                    if b and b not in self.buckets:
                        self.buckets[b] = {"name": b, "owner": job_shape["accountId"]}
            self.job_seq += 1
            job = {
                "id": jid, "seq": self.job_seq, "kind": "thirdParty" if third else "custom",
                "state": "Queued", "data": data, "accountId": job_shape["accountId"],
                "nonce": None, "firstNonce": job_in.get("nonce"),
                "created": self.now(), "dispatchedAt": None, "dispatchCount": 0,
                "acknowledgedAt": None, "result": None, "attempts": [],
                "continuedFrom": ctl.get("continuedFrom"), "continuedBy": None,
                "history": [[self.now(), "Queued"]],
            }
            if third:
                job["clientId"] = ctl.get("clientId") or str(uuid.uuid4())
                job["clientToken"] = ctl.get("clientToken") or secrets.token_hex(16)
            self.jobs[jid] = job
            self.save()
            return job

    def _set_state(self, job, st):
        job["state"] = st
        job["history"].append([self.now(), st])

    def _tick(self):
        """Apply the time-based transitions (called under the lock)."""
        now = self.now()
        dt = float(self.config["dispatch_timeout"])
        it = float(self.config["inprogress_timeout"])
        for job in self.jobs.values():
            if dt > 0 and job["state"] == "Dispatched" and now - (job["dispatchedAt"] or now) > dt:
                job["nonce"] = None
                self._set_state(job, "Queued")
            elif it > 0 and job["state"] == "InProgress" and \
                    now - (job["acknowledgedAt"] or now) > it:
                self._set_state(job, "TimedOut")

    def _job(self, jid, kind):
        job = self.jobs.get(jid)
        if job is None or job["kind"] != kind:
            raise ApiError("JobNotFoundException", "The job was not found.")
        return job

    def _poll(self, at, kind):
        """Queued jobs of this action type, oldest first (called under the lock)."""
        key = self.at_key(at)
        if kind == "custom" and at.get("owner") != "Custom":
            raise ApiError("ValidationException", "PollForJobs is valid only for action types "
                           "with \"Custom\" in the owner field.")
        if key not in self.action_types:
            raise ApiError("ActionTypeNotFoundException",
                           "ActionType (Category: '%s', Owner: '%s', Provider: '%s', Version: "
                           "'%s') is not available" % key)
        self._tick()
        out = []
        for job in sorted(self.jobs.values(), key=lambda j: j["seq"]):
            if job["kind"] != kind or job["state"] != "Queued":
                continue
            if self.at_key(job["data"]["actionTypeId"]) != key:
                continue
            out.append(job)
        return out

    def _dispatch(self, job):
        job["nonce"] = job.pop("firstNonce", None) or rand_nonce()
        job["firstNonce"] = None
        job["dispatchedAt"] = self.now()
        job["dispatchCount"] += 1
        self._set_state(job, "Dispatched")

    def poll_for_jobs(self, p):
        with self.lock:
            at = p["actionTypeId"]
            qp = p.get("queryParam") or {}
            key = self.at_key(at)
            info = self.action_types.get(key)
            if info is not None:
                qname = info.get("queryable")
                if qname == "" and qp:
                    raise ApiError("ValidationException", "The action type has no queryable "
                                   "property; queryParam must be null or empty.")
                if qname and qname not in qp:
                    raise ApiError("ValidationException", "The action type has the queryable "
                                   "property '%s'; queryParam must supply it." % qname)
            limit = p.get("maxBatchSize") or int(self.config["default_max_batch_size"])
            jobs = []
            for job in self._poll(at, "custom"):
                if len(jobs) >= limit:
                    break
                conf = ((job["data"].get("actionConfiguration") or {}).get("configuration")
                        or {})
                if any(conf.get(k) != v for k, v in qp.items()):
                    continue
                jobs.append(job)
            out = []
            for job in jobs:
                self._dispatch(job)
                out.append({"id": job["id"], "data": job["data"], "nonce": job["nonce"],
                            "accountId": job["accountId"]})
            if jobs:
                self.save()
            if not out and self.config["empty_poll"] == "absent":
                return {}
            return {"jobs": out}

    def acknowledge(self, p, kind):
        with self.lock:
            self._tick()
            job = self._job(p["jobId"], kind)
            if kind == "thirdParty" and p["clientToken"] != job["clientToken"]:
                raise ApiError("InvalidClientTokenException", "The client token was specified "
                               "in an invalid format")
            if job["nonce"] is None or p["nonce"] != job["nonce"]:
                raise ApiError("InvalidNonceException", "The nonce was specified in an invalid "
                               "format.")
            if job["state"] == "Dispatched":
                job["acknowledgedAt"] = self.now()
                self._set_state(job, "InProgress")
                self.save()
            return {"status": job["state"]}

    def get_job_details(self, p):
        with self.lock:
            self._tick()
            job = self._job(p["jobId"], "custom")
            return {"jobDetails": {"id": job["id"], "data": job["data"],
                                   "accountId": job["accountId"]}}

    def poll_third_party(self, p):
        with self.lock:
            limit = p.get("maxBatchSize") or int(self.config["default_max_batch_size"])
            jobs = self._poll(p["actionTypeId"], "thirdParty")[:limit]
            for job in jobs:
                self._dispatch(job)
            if jobs:
                self.save()
            if not jobs and self.config["empty_poll"] == "absent":
                return {}
            return {"jobs": [{"clientId": j["clientId"], "jobId": j["id"]} for j in jobs]}

    def get_third_party_details(self, p):
        with self.lock:
            self._tick()
            job = self._job(p["jobId"], "thirdParty")
            if p["clientToken"] != job["clientToken"]:
                raise ApiError("InvalidClientTokenException", "The client token was specified "
                               "in an invalid format")
            if job["state"] not in ("Dispatched", "InProgress"):
                raise ApiError("InvalidJobException", "The job was specified in an invalid "
                               "format or cannot be found.")
            return {"jobDetails": {"id": job["id"], "data": job["data"], "nonce": job["nonce"]}}

    def _check_result_state(self, job):
        ok = ("InProgress",) if self.config["require_ack"] else ("InProgress", "Dispatched")
        if job["state"] not in ok:
            raise ApiError("InvalidJobStateException", "The job state was specified in an "
                           "invalid format.")

    def put_success(self, p, kind):
        with self.lock:
            self._tick()
            job = self._job(p["jobId"], kind)
            if kind == "thirdParty" and p["clientToken"] != job["clientToken"]:
                raise ApiError("InvalidClientTokenException", "The client token was specified "
                               "in an invalid format")
            self._check_result_state(job)
            token = p.get("continuationToken")
            ov = p.get("outputVariables")
            if ov and token:
                raise ApiError("ValidationException", "outputVariables can be included only when "
                               "there is no continuation token on the request.")
            if ov:
                size = sum(len(k.encode()) + len(v.encode()) for k, v in ov.items())
                if size > int(self.config["output_variables_limit"]):
                    raise ApiError("OutputVariablesSizeExceededException",
                                   "The size of the output variables (%d bytes) exceeds the limit "
                                   "of %d bytes." % (size, self.config["output_variables_limit"]))
            result = {"type": "success", "at": self.now()}
            for k in ("currentRevision", "executionDetails", "outputVariables",
                      "continuationToken"):
                if k in p:
                    result[k] = p[k]
            job["result"] = result
            job["attempts"].append(result)
            new_id = None
            if token:
                data = copy.deepcopy(job["data"])
                data["continuationToken"] = token
                fresh = "artifactCredentials" in data
                if fresh and self.config["continuation"] != "same-job":
                    del data["artifactCredentials"]     # the new job gets new ones
                if self.config["continuation"] == "same-job":
                    job["data"] = data
                    job["nonce"] = None
                    self._set_state(job, "Queued")
                    new_id = job["id"]
                else:
                    self._set_state(job, "Succeeded")
                    spec = {"job": {"data": data, "accountId": job["accountId"]},
                            "mintCredentials": fresh, "unchecked": True,
                            "thirdParty": kind == "thirdParty", "continuedFrom": job["id"]}
                    if kind == "thirdParty":
                        spec["clientToken"] = job["clientToken"]
                    new = self.queue_job(spec)
                    new_id = new["id"]
                job["continuedBy"] = new_id
                result["continuedBy"] = new_id
            else:
                self._set_state(job, "Succeeded")
            self.save()
            return None

    def put_failure(self, p, kind):
        with self.lock:
            self._tick()
            job = self._job(p["jobId"], kind)
            if kind == "thirdParty" and p["clientToken"] != job["clientToken"]:
                raise ApiError("InvalidClientTokenException", "The client token was specified "
                               "in an invalid format")
            self._check_result_state(job)
            result = {"type": "failure", "at": self.now(), "failureDetails": p["failureDetails"]}
            job["result"] = result
            job["attempts"].append(result)
            self._set_state(job, "Failed")
            self.save()
            return None

    def job_view(self, job):
        v = copy.deepcopy(job)
        v.pop("seq", None)
        return v

    def rotate_credentials(self, jid):
        with self.lock:
            job = self.jobs.get(jid)
            if job is None:
                raise ApiError("NotFound", "no job %s" % jid, 404)
            old = job["data"].get("artifactCredentials")
            if old and old.get("accessKeyId") in self.identities:
                self.identities[old["accessKeyId"]]["expired"] = True
            new = mint_credentials()
            self.identities[new["accessKeyId"]] = dict(new, label="job:" + jid)
            job["data"]["artifactCredentials"] = new
            self.save()
            return new

    def force_job(self, jid, spec):
        with self.lock:
            job = self.jobs.get(jid)
            if job is None:
                raise ApiError("NotFound", "no job %s" % jid, 404)
            if "state" in spec:
                self._set_state(job, spec["state"])
                if spec["state"] == "Queued":
                    job["nonce"] = None
            if "nonce" in spec:
                job["nonce"] = spec["nonce"]
            self.save()
            return self.job_view(job)

    # -- CodePipeline dispatch --------------------------------------------------------------
    def codepipeline(self, op, p):
        if op == "PollForJobs":
            return self.poll_for_jobs(p)
        if op == "AcknowledgeJob":
            return self.acknowledge(p, "custom")
        if op == "GetJobDetails":
            return self.get_job_details(p)
        if op == "PutJobSuccessResult":
            return self.put_success(p, "custom")
        if op == "PutJobFailureResult":
            return self.put_failure(p, "custom")
        if op == "PollForThirdPartyJobs":
            return self.poll_third_party(p)
        if op == "AcknowledgeThirdPartyJob":
            return self.acknowledge(p, "thirdParty")
        if op == "GetThirdPartyJobDetails":
            return self.get_third_party_details(p)
        if op == "PutThirdPartyJobSuccessResult":
            return self.put_success(p, "thirdParty")
        if op == "PutThirdPartyJobFailureResult":
            return self.put_failure(p, "thirdParty")
        raise ApiError("UnknownOperationException", "Operation %s is not implemented by this "
                       "emulator" % op)

    # -- S3 objects ----------------------------------------------------------------------
    def put_bucket(self, spec):
        name = spec.get("name")
        if not name:
            raise ApiError("BadRequest", "bucket name is required")
        with self.lock:
            b = self.buckets.setdefault(name, {"name": name, "owner": DEFAULT_ACCOUNT})
            for k in ("owner", "allowedAccessKeys", "requireSse", "requireKmsKeyId"):
                if k in spec:
                    b[k] = spec[k]
            self.save()
            return b

    def store_object(self, bucket, key, data, meta):
        with self.lock:
            if bucket not in self.buckets:
                self.buckets[bucket] = {"name": bucket, "owner": DEFAULT_ACCOUNT}
            obj = dict(meta)
            obj.update({
                "bucket": bucket, "key": key, "data": data, "size": len(data),
                "etag": '"%s"' % hashlib.md5(data).hexdigest(),
                "lastModified": int(self.now()),
            })
            self.objects[(bucket, key)] = obj
            self.save()
            return obj

    @staticmethod
    def object_view(o):
        v = {k: v for k, v in o.items() if k != "data"}
        v["sha256"] = hashlib.sha256(o["data"]).hexdigest()
        return v


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------
class Response:
    def __init__(self, status, headers=None, body=b"", reason=None):
        self.status = status
        self.headers = list(headers or [])
        self.body = body
        self.reason = reason
        self.head = False       # HEAD: Content-Length kept, body not sent


REASONS = {200: "OK", 204: "No Content", 206: "Partial Content", 304: "Not Modified",
           400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
           416: "Requested Range Not Satisfiable", 500: "Internal Server Error",
           501: "Not Implemented", 503: "Service Unavailable"}


class BodyError(Exception):
    pass


def s3_request_id():
    return secrets.token_hex(8).upper()


def s3_host_id():
    return base64.b64encode(secrets.token_bytes(48)).decode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cpjob-emulator"
    sys_version = ""

    # -- connection bookkeeping ---------------------------------------------
    def setup(self):
        st = self.server.state
        self.timeout = float(st.cfg("idle_timeout"))
        super().setup()
        with self.server.conn_lock:
            self.server.conn_seq += 1
            self.conn_id = self.server.conn_seq
        self.conn_requests = 0

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("emulator: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # -- body -------------------------------------------------------------------
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        limit = int(self.server.state.cfg("max_body"))
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise BodyError("connection closed inside a chunked body")
                size_s = line.split(b";", 1)[0].strip()
                try:
                    size = int(size_s, 16)
                except ValueError:
                    raise BodyError("bad chunk size line %r" % line[:40])
                if size == 0:
                    while True:     # trailer section
                        t = self.rfile.readline(65536)
                        if not t or t in (b"\r\n", b"\n"):
                            break
                    return bytes(out), "chunked"
                if len(out) + size > limit:
                    raise BodyError("body too large")
                out += self.rfile.read(size)
                if self.rfile.readline(16) not in (b"\r\n", b"\n"):
                    raise BodyError("chunk not followed by CRLF")
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b"", "none"
        try:
            n = int(cl)
        except ValueError:
            raise BodyError("bad Content-Length")
        if n < 0 or n > limit:
            raise BodyError("body too large")
        data = self.rfile.read(n)
        if len(data) != n:
            raise BodyError("connection closed inside the body")
        return data, "length"

    # -- main ---------------------------------------------------------------------
    def handle_any(self):
        st = self.server.state
        self.conn_requests += 1
        t0 = time.monotonic()
        try:
            body, framing = self.read_body()
        except BodyError as e:
            self.close_connection = True
            resp = Response(400, [("Content-Type", "text/plain")], str(e).encode())
            self.send(resp, [])
            return
        except (OSError, ValueError):
            self.close_connection = True
            return
        raw_path = self.path
        if raw_path.startswith("http://") or raw_path.startswith("https://"):
            sp = urlsplit(raw_path)
            raw_path = sp.path + ("?" + sp.query if sp.query else "")
        if raw_path.startswith("/__admin/") or raw_path == "/__admin":
            try:
                resp = self.server.admin.handle(self.command, raw_path, body, self.headers)
            except ApiError as e:
                resp = json_response(e.status, {"error": e.code, "message": e.message})
            except Exception as e:  # noqa: BLE001 -- report, keep serving
                resp = json_response(500, {"error": "InternalError", "message": repr(e)})
            self.send(resp, [])
            return
        target = self.headers.get("X-Amz-Target")
        entry = {"time": now_real(), "conn": self.conn_id, "connSeq": self.conn_requests,
                 "tls": self.server.tls, "method": self.command, "path": raw_path,
                 "host": self.headers.get("Host"), "bytesIn": len(body), "framing": framing,
                 "sigOk": None, "accessKey": None, "error": None, "faults": []}
        try:
            if self.command == "POST" and raw_path.split("?")[0] == "/" and target is not None:
                entry["service"] = "codepipeline"
                resp = self.codepipeline(target, raw_path, body, entry)
            else:
                entry["service"] = "s3"
                resp = self.s3(raw_path, body, framing, entry)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            resp = self.cp_error(ApiError("InternalFailure", "emulator error: %r" % e, 500)) \
                if entry.get("service") == "codepipeline" else \
                self.s3_error("InternalError", "We encountered an internal error. Please try "
                              "again.", 500)
            entry["error"] = "InternalFailure"
        entry["status"] = resp.status
        entry["ms"] = round((time.monotonic() - t0) * 1000, 3)
        transport = entry.pop("_transport", [])
        sent = self.send(resp, transport)
        entry["bytesOut"] = sent
        st.log_request(entry)

    # -- faults -------------------------------------------------------------------------------
    def apply_faults(self, service, op, entry):
        """Returns (replacement Response or None, transport faults)."""
        faults = self.server.state.take_faults(service, op)
        entry["faults"] = [f["kind"] for f in faults]
        replace, transport = None, []
        for f in faults:
            k = f["kind"]
            if k in ("delay", "cut", "reset", "trickle", "close"):
                transport.append(f)
                continue
            if k == "body":
                hdrs = [(a, b) for a, b in (f.get("headers") or {}).items()]
                if f.get("bodyBase64") is not None:
                    data = base64.b64decode(f["bodyBase64"])
                else:
                    data = (f.get("body") or "").encode()
                if not any(a.lower() == "content-type" for a, _ in hdrs):
                    hdrs.append(("Content-Type", f.get("contentType") or
                                 (JSON_CT if service == "codepipeline" else "application/xml")))
                replace = Response(int(f.get("status", 200)), hdrs, data)
                if service == "codepipeline":
                    replace.headers.insert(0, ("x-amzn-RequestId", str(uuid.uuid4())))
                else:
                    replace.headers.insert(0, ("x-amz-request-id", s3_request_id()))
                entry["error"] = "fault:body"
                continue
            if service == "codepipeline":
                code, status, msg = {
                    "throttle": ("ThrottlingException", 400, "Rate exceeded"),
                    "error500": ("InternalFailure", 500, "An internal error occurred."),
                    "error503": ("ServiceUnavailable", 503, "Service is unavailable."),
                }.get(k, ("InternalFailure", 500, "An internal error occurred."))
                code, status, msg = (f.get("code", code), int(f.get("status", status)),
                                     f.get("message", msg))
                replace = self.cp_error(ApiError(code, msg, status))
            else:
                code, status, msg = {
                    "throttle": ("SlowDown", 503, "Please reduce your request rate."),
                    "error500": ("InternalError", 500, "We encountered an internal error. "
                                 "Please try again."),
                    "error503": ("ServiceUnavailable", 503, "Service is unable to handle "
                                 "request."),
                }.get(k, ("InternalError", 500, "We encountered an internal error. Please try "
                          "again."))
                code, status, msg = (f.get("code", code), int(f.get("status", status)),
                                     f.get("message", msg))
                replace = self.s3_error(code, msg, status)
            entry["error"] = code
        return replace, transport

    # -- CodePipeline --------------------------------------------------------------------------
    def cp_error(self, e):
        form = self.server.state.cfg("error_type_form")
        ns = CORAL_NS if e.code in CORAL_ERRORS else CP_NS
        if form == "bare":
            typ, hdr = e.code, e.code + ":"
        else:
            typ = "%s#%s" % (ns, e.code)
            hdr = "%s:http://internal.amazon.com/coral/%s/" % (e.code, ns)
        body = {"__type": typ, "message": e.message}
        r = json_response(e.status, body, ascii_=self.server.state.cfg("json_ascii"),
                          ctype=JSON_CT)
        r.headers.insert(0, ("x-amzn-RequestId", str(uuid.uuid4())))
        r.headers.append(("x-amzn-ErrorType", hdr))
        return r

    def codepipeline(self, target, raw_path, body, entry):
        st = self.server.state
        op = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
        entry["operation"] = op or target
        err = None
        ident = None
        # Authentication first (as the AWS front end does).
        try:
            ident, _ = verify_request(
                st, "codepipeline", "POST", raw_path, list(self.headers.items()),
                hashlib.sha256(body).hexdigest(), "https" if self.server.tls else "http",
                self.headers.get("Host"))
            entry["sigOk"] = True
            entry["accessKey"] = ident["accessKeyId"]
        except AuthFailure as a:
            entry["sigOk"] = False if a.kind == "signature" else None
            entry["accessKey"] = a.info.get("akid")
            entry["authError"] = a.kind
            err = self.cp_auth_error(a)
        replace, entry["_transport"] = self.apply_faults("codepipeline", op or target, entry)
        if replace is not None:
            return replace
        if err is not None:
            entry["error"] = err[0]
            return err[1]
        try:
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if op is None or op not in JOB_WORKER_OPS or st.model.op(op) is None:
                raise ApiError("UnknownOperationException", "Unknown operation %s" % target)
            if ctype != JSON_CT:
                raise ApiError("UnknownOperationException",
                               "Content-Type must be %s, not '%s'" % (JSON_CT, ctype))
            try:
                params = json.loads(body.decode("utf-8")) if body else {}
            except (UnicodeDecodeError, ValueError) as e:
                raise ApiError("SerializationException", "Start of structure or map found where "
                               "not expected / malformed JSON: %s" % e)
            if not isinstance(params, dict):
                raise ApiError("SerializationException", "The request body is not a JSON object")
            if isinstance(params.get("jobId"), str):
                entry["jobId"] = params["jobId"]
            st.model.check_input(op, params, st.cfg("reject_unknown_members"))
            out = st.codepipeline(op, params)
        except ApiError as e:
            entry["error"] = e.code
            return self.cp_error(e)
        if out is None:
            vb = st.cfg("void_body").encode()
            r = Response(200, [("x-amzn-RequestId", str(uuid.uuid4())),
                               ("Content-Type", JSON_CT)], vb)
            return r
        r = json_response(200, out, ascii_=st.cfg("json_ascii"), ctype=JSON_CT)
        r.headers.insert(0, ("x-amzn-RequestId", str(uuid.uuid4())))
        return r

    def cp_auth_error(self, a):
        code = {
            "missing": "MissingAuthenticationTokenException",
            "malformed": "IncompleteSignatureException",
            "nodate": "IncompleteSignatureException",
            "unknown_key": "UnrecognizedClientException",
            "bad_token": "UnrecognizedClientException",
            "expired_token": "ExpiredTokenException",
            "scope": "InvalidSignatureException",
            "skew": "InvalidSignatureException",
            "presign_expired": "InvalidSignatureException",
            "signature": "InvalidSignatureException",
        }[a.kind]
        msg = a.message
        if a.kind == "signature":
            msg = ("The request signature we calculated does not match the signature you "
                   "provided. Check your AWS Secret Access Key and signing method. Consult the "
                   "service documentation for details.\n\nThe Canonical String for this request "
                   "should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n"
                   % (a.info["canonical"], a.info["sts"]))
        return code, self.cp_error(ApiError(code, msg, 400))

    # -- S3 -----------------------------------------------------------------------------------------
    def s3_error(self, code, message, status, **extra):
        rid = s3_request_id()
        hid = s3_host_id()
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s'
                 '</Message>' % (xml_escape(code), xml_escape(message))]
        for k, v in extra.items():
            parts.append("<%s>%s</%s>" % (k, xml_escape(v), k))
        parts.append("<RequestId>%s</RequestId><HostId>%s</HostId></Error>" % (rid, hid))
        body = "".join(parts).encode()
        hdrs = [("x-amz-request-id", rid), ("x-amz-id-2", hid), ("Content-Type", "application/xml")]
        if self.command == "HEAD":
            r = Response(status, hdrs, b"")
        else:
            r = Response(status, hdrs, body)
        r.s3code = code
        return r

    def s3_auth_error(self, a):
        kind = a.info.get("s3kind", a.kind)
        if kind == "missing":
            return self.s3_error("AccessDenied", "Access Denied", 403)
        if kind == "malformed":
            return self.s3_error(a.info.get("s3code", "AuthorizationHeaderMalformed"),
                                 "The authorization header is malformed; " + a.message, 400)
        if kind == "nodate":
            return self.s3_error("AccessDenied", "AWS authentication requires a valid Date or "
                                 "x-amz-date header", 403)
        if kind == "unknown_key":
            return self.s3_error("InvalidAccessKeyId", "The AWS Access Key Id you provided does "
                                 "not exist in our records.", 403,
                                 AWSAccessKeyId=a.info.get("akid", ""))
        if kind == "bad_token":
            return self.s3_error("InvalidToken", "The provided token is malformed or otherwise "
                                 "invalid.", 400)
        if kind == "expired_token":
            return self.s3_error("ExpiredToken", "The provided token has expired.", 400,
                                 **{"Token-0": a.info.get("token", "")})
        if kind == "scope":
            extra = {"Region": a.info["region"]} if "region" in a.info else {}
            return self.s3_error("AuthorizationHeaderMalformed", "The authorization header is "
                                 "malformed; " + a.info.get("s3detail", a.message), 400, **extra)
        if kind == "skew":
            return self.s3_error("RequestTimeTooSkewed", "The difference between the request time "
                                 "and the current time is too large.", 403,
                                 RequestTime=amz_date(a.info["req_ts"]),
                                 ServerTime=time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                          time.gmtime(a.info["now"])),
                                 MaxAllowedSkewMilliseconds=int(a.info["limit"] * 1000))
        if kind == "presign_expired":
            return self.s3_error("AccessDenied", "Request has expired", 403,
                                 **{"X-Amz-Expires": a.info["expires"],
                                    "Expires": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
                                        a.info["req_ts"] + a.info["expires"])),
                                    "ServerTime": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                time.gmtime(a.info["now"]))})
        # signature
        sts = a.info["sts"]
        cr = a.info["canonical"]
        return self.s3_error(
            "SignatureDoesNotMatch", "The request signature we calculated does not match the "
            "signature you provided. Check your key and signing method.", 403,
            AWSAccessKeyId=a.info.get("akid", ""), StringToSign=sts,
            SignatureProvided=a.info.get("provided", ""),
            StringToSignBytes=" ".join("%02x" % c for c in sts.encode()),
            CanonicalRequest=cr, CanonicalRequestBytes=" ".join("%02x" % c for c in cr.encode()))

    def s3_locate(self, raw_path):
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            hostname = host.split("]")[0] + "]"
        else:
            hostname = host.rsplit(":", 1)[0] if ":" in host else host
        path = raw_path.split("?", 1)[0]
        bucket = None
        is_ip = re.fullmatch(r"[0-9.]+", hostname) or hostname.startswith("[")
        if not is_ip and hostname.endswith(".localhost"):
            bucket = hostname[:-len(".localhost")]
        elif not is_ip and re.search(r"\.s3[.-]", hostname) and not hostname.startswith("s3."):
            bucket = re.split(r"\.s3[.-]", hostname, 1)[0]
        if bucket is not None:
            key_raw = path[1:]
            style = "virtual"
        else:
            seg = path[1:].split("/", 1)
            bucket = unquote(seg[0]) if seg[0] else None
            key_raw = seg[1] if len(seg) > 1 else ""
            style = "path"
        return bucket, unquote(key_raw), style

    def s3(self, raw_path, body, framing, entry):
        st = self.server.state
        bucket, key, style = self.s3_locate(raw_path)
        query = dict(parse_query(raw_path.partition("?")[2]))
        m = self.command
        op = {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject",
              "DELETE": "DeleteObject"}.get(m, m)
        if not key:
            op = {"GET": "ListObjects", "HEAD": "HeadBucket", "PUT": "CreateBucket"}.get(m, m)
        entry.update(operation=op, bucket=bucket, key=key, addressing=style)
        sha_hdr = self.headers.get("x-amz-content-sha256")
        presign = None
        if "X-Amz-Algorithm" in query:
            presign = query
            if query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
                err = self.s3_error("AuthorizationQueryParametersError", "X-Amz-Algorithm only "
                                    "supports \"AWS4-HMAC-SHA256\"", 400)
                entry["error"] = err.s3code
                return err
            missing = [k for k in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders",
                                   "X-Amz-Signature") if k not in query]
            if missing:
                err = self.s3_error("AuthorizationQueryParametersError", "Query-string "
                                    "authentication version 4 requires the %s parameter"
                                    % missing[0], 400)
                entry["error"] = err.s3code
                return err
        payload_mode = "presigned" if presign else (sha_hdr or "missing")
        entry["payload"] = payload_mode if not re.fullmatch(r"[0-9a-f]{64}", payload_mode) \
            else "sha256"
        err = None
        ident = None
        if presign is None and "Authorization" in self.headers and sha_hdr is None:
            err = self.s3_error("InvalidRequest", "Missing required header for this request: "
                                "x-amz-content-sha256", 400)
        else:
            try:
                ident, _ = verify_request(st, "s3", m, raw_path, list(self.headers.items()),
                                          sha_hdr, "https" if self.server.tls else "http",
                                          self.headers.get("Host"), presign=presign)
                entry["sigOk"] = True
                entry["accessKey"] = ident["accessKeyId"]
            except AuthFailure as a:
                entry["sigOk"] = False if a.kind == "signature" else None
                entry["accessKey"] = a.info.get("akid")
                entry["authError"] = a.kind
                err = self.s3_auth_error(a)
        replace, entry["_transport"] = self.apply_faults("s3", op, entry)
        if replace is not None:
            return replace
        if err is None:
            err = self.s3_payload_check(sha_hdr, body, ident, entry) if presign is None else None
        if err is None:
            try:
                return self.s3_op(op, bucket, key, body, ident, entry)
            except ApiError as e:
                err = self.s3_error(e.code, e.message, e.status, **e.extra)
        entry["error"] = err.s3code
        return err

    def s3_payload_check(self, sha_hdr, body, ident, entry):
        """Checks x-amz-content-sha256 against the body; decodes aws-chunked bodies
        (the decoded body is left in entry['_body'])."""
        entry["_body"] = body
        if sha_hdr is None:
            return None
        ce = [c.strip() for c in (self.headers.get("Content-Encoding") or "").split(",")
              if c.strip()]
        if sha_hdr == "UNSIGNED-PAYLOAD":
            return None
        if sha_hdr.startswith("STREAMING-"):
            if sha_hdr not in ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                               "STREAMING-UNSIGNED-PAYLOAD-TRAILER"):
                return self.s3_error("NotImplemented", "x-amz-content-sha256 %s is not "
                                     "implemented by this emulator" % sha_hdr, 501)
            try:
                data = self.decode_aws_chunked(body, sha_hdr, ident)
            except ApiError as e:
                return self.s3_error(e.code, e.message, e.status, **e.extra)
            dcl = self.headers.get("x-amz-decoded-content-length")
            if dcl is None or not dcl.isdigit() or int(dcl) != len(data):
                return self.s3_error("IncompleteBody", "You did not provide the number of bytes "
                                     "specified by the x-amz-decoded-content-length HTTP header",
                                     400)
            entry["_body"] = data
            entry["_ce"] = [c for c in ce if c.lower() != "aws-chunked"]
            return None
        if not re.fullmatch(r"[0-9a-f]{64}", sha_hdr):
            return self.s3_error("InvalidArgument", "x-amz-content-sha256 must be "
                                 "UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                                 "STREAMING-AWS4-HMAC-SHA256-PAYLOAD or a valid sha256 value.",
                                 400, ArgumentName="x-amz-content-sha256",
                                 ArgumentValue=sha_hdr)
        got = hashlib.sha256(body).hexdigest()
        if got != sha_hdr:
            return self.s3_error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256'"
                                 " header does not match what was computed.", 400,
                                 ClientComputedContentSHA256=sha_hdr,
                                 S3ComputedContentSHA256=got)
        return None

    def decode_aws_chunked(self, body, mode, ident):
        signed = mode == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        pos = 0
        out = bytearray()
        prev = ident.get("_seed_signature") if ident else None
        key = None
        scope = None
        if signed and ident:
            date_s = ident["_date"]
            key = signing_key(ident["secretAccessKey"], date_s[:8], self.server.state.region, "s3")
            scope = "%s/%s/s3/aws4_request" % (date_s[:8], self.server.state.region)
        trailer = {}
        while True:
            eol = body.find(b"\r\n", pos)
            if eol < 0:
                raise ApiError("IncompleteBody", "aws-chunked body ends inside a chunk header")
            line = body[pos:eol].decode("latin-1")
            pos = eol + 2
            size_s, _, ext = line.partition(";")
            try:
                size = int(size_s, 16)
            except ValueError:
                raise ApiError("InvalidChunkSizeError", "Invalid chunk size line")
            data = body[pos:pos + size]
            if len(data) != size:
                raise ApiError("IncompleteBody", "aws-chunked body ends inside a chunk")
            pos += size
            if signed:
                if not ext.startswith("chunk-signature="):
                    raise ApiError("SignatureDoesNotMatch", "chunk without chunk-signature", 403)
                sig = ext[len("chunk-signature="):]
                sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", ident["_date"], scope, prev,
                                 EMPTY_SHA256, hashlib.sha256(data).hexdigest()])
                want = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
                if not hmac.compare_digest(want, sig):
                    raise ApiError("SignatureDoesNotMatch", "The chunk signature we calculated "
                                   "does not match the signature you provided.", 403,
                                   {"StringToSign": sts, "SignatureProvided": sig})
                prev = sig
            out += data
            if size == 0:
                if signed:
                    if body[pos:pos + 2] != b"\r\n":
                        raise ApiError("IncompleteBody", "final chunk not followed by CRLF")
                    break
                # trailers, then an empty line
                while True:
                    eol = body.find(b"\r\n", pos)
                    if eol < 0:
                        raise ApiError("IncompleteBody", "aws-chunked trailer not terminated")
                    line = body[pos:eol].decode("latin-1")
                    pos = eol + 2
                    if not line:
                        break
                    n, _, v = line.partition(":")
                    trailer[n.strip().lower()] = v.strip()
                break
            if body[pos:pos + 2] != b"\r\n":
                raise ApiError("IncompleteBody", "chunk data not followed by CRLF")
            pos += 2
        data = bytes(out)
        for name, val in trailer.items():
            self.check_checksum(name, val, data)
        return data

    @staticmethod
    def check_checksum(name, val, data):
        algo = name[len("x-amz-checksum-"):] if name.startswith("x-amz-checksum-") else None
        if algo is None:
            return
        if algo == "crc32":
            want = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        elif algo == "sha256":
            want = base64.b64encode(hashlib.sha256(data).digest()).decode()
        elif algo == "sha1":
            want = base64.b64encode(hashlib.sha1(data).digest()).decode()
        else:
            return  # crc32c and others: recorded, not verified
        if want != val:
            raise ApiError("BadDigest", "The %s you specified did not match the calculated "
                           "checksum." % algo.upper(), 400)

    def s3_op(self, op, bucket, key, body, ident, entry):
        st = self.server.state
        if op not in ("GetObject", "HeadObject", "PutObject", "DeleteObject"):
            raise ApiError("NotImplemented", "A header you provided implies functionality that "
                           "is not implemented", 501)
        if not bucket:
            raise ApiError("NotImplemented", "Service-level requests are not implemented", 501)
        with st.lock:
            b = st.buckets.get(bucket)
            b = copy.deepcopy(b) if b else None
        if b is None:
            raise ApiError("NoSuchBucket", "The specified bucket does not exist", 404,
                           {"BucketName": bucket})
        if len(key.encode()) > 1024:
            raise ApiError("KeyTooLongError", "Your key is too long", 400)
        allowed = b.get("allowedAccessKeys")
        ebo = self.headers.get("x-amz-expected-bucket-owner")
        if (allowed is not None and ident["accessKeyId"] not in allowed) or \
                (ebo is not None and ebo != b.get("owner", DEFAULT_ACCOUNT)):
            raise ApiError("AccessDenied", "Access Denied", 403)
        common = [("x-amz-id-2", s3_host_id()), ("x-amz-request-id", s3_request_id())]
        if op == "PutObject":
            return self.s3_put(b, key, entry.get("_body", body), ident, entry, common)
        with st.lock:
            obj = st.objects.get((bucket, key))
        if op == "DeleteObject":
            with st.lock:
                st.objects.pop((bucket, key), None)
                st.save()
            return Response(204, common)
        if obj is None:
            raise ApiError("NoSuchKey", "The specified key does not exist.", 404, {"Key": key})
        if obj.get("sse") == "aws:kms" and st.cfg("kms_requires_tls") and not self.server.tls:
            raise ApiError("InvalidArgument", "Requests specifying Server Side Encryption with AWS "
                           "KMS managed keys must be made over a secure connection.", 400)
        data = obj["data"]
        hdrs = list(common)
        hdrs.append(("Last-Modified", http_date(obj["lastModified"])))
        hdrs.append(("ETag", obj["etag"]))
        for k, v in (obj.get("userMeta") or {}).items():
            hdrs.append(("x-amz-meta-" + k, v))
        if obj.get("sse"):
            hdrs.append(("x-amz-server-side-encryption", obj["sse"]))
        if obj.get("kmsKeyId"):
            hdrs.append(("x-amz-server-side-encryption-aws-kms-key-id", obj["kmsKeyId"]))
        if obj.get("bucketKeyEnabled"):
            hdrs.append(("x-amz-server-side-encryption-bucket-key-enabled", "true"))
        hdrs.append(("Accept-Ranges", "bytes"))
        if obj.get("contentEncoding"):
            hdrs.append(("Content-Encoding", obj["contentEncoding"]))
        hdrs.append(("Content-Type", obj.get("contentType") or "binary/octet-stream"))
        status = 200
        rng = self.headers.get("Range")
        if rng and op in ("GetObject", "HeadObject"):
            m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", rng)
            total = len(data)
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = int(m.group(2)) if m.group(2) else total - 1
                else:
                    n = int(m.group(2))
                    start, end = max(0, total - n), total - 1
                    if n == 0:
                        start = total
                end = min(end, total - 1)
                if start >= total or start > end:
                    raise ApiError("InvalidRange", "The requested range is not satisfiable", 416,
                                   {"RangeRequested": rng, "ActualObjectSize": total})
                data = data[start:end + 1]
                status = 206
                hdrs.append(("Content-Range", "bytes %d-%d/%d" % (start, end, total)))
        r = Response(status, hdrs, data)
        if op == "HeadObject":
            r.head = True
        return r

    def s3_put(self, b, key, data, ident, entry, common):
        st = self.server.state
        h = self.headers
        sse = h.get("x-amz-server-side-encryption")
        kms = h.get("x-amz-server-side-encryption-aws-kms-key-id")
        if sse is not None and sse not in ("AES256", "aws:kms", "aws:kms:dsse"):
            raise ApiError("InvalidArgument", "The encryption method specified is not supported",
                           400, {"ArgumentName": "x-amz-server-side-encryption",
                                 "ArgumentValue": sse})
        if kms is not None and sse not in ("aws:kms", "aws:kms:dsse"):
            raise ApiError("InvalidArgument", "Server Side Encryption with AWS KMS managed key "
                           "requires HTTP header x-amz-server-side-encryption : aws:kms", 400,
                           {"ArgumentName": "x-amz-server-side-encryption-aws-kms-key-id",
                            "ArgumentValue": kms})
        if sse and sse.startswith("aws:kms"):
            if st.cfg("kms_requires_tls") and not self.server.tls:
                raise ApiError("InvalidArgument", "Requests specifying Server Side Encryption "
                               "with AWS KMS managed keys must be made over a secure "
                               "connection.", 400, {"ArgumentName": "Authorization"})
            if not kms:
                # S3 falls back to the account's AWS managed key (aws/s3).
                kms = "arn:aws:kms:%s:%s:key/%s" % (
                    st.region, b.get("owner", DEFAULT_ACCOUNT),
                    uuid.uuid5(uuid.NAMESPACE_URL, "aws/s3:" + b["name"]))
        if b.get("requireSse") and sse != b["requireSse"]:
            raise ApiError("AccessDenied", "Access Denied", 403)
        if b.get("requireKmsKeyId") and kms != b["requireKmsKeyId"]:
            raise ApiError("AccessDenied", "Access Denied", 403)
        md5 = h.get("Content-MD5")
        if md5 is not None:
            try:
                want = base64.b64decode(md5, validate=True)
            except ValueError:
                want = b""
            if len(want) != 16:
                raise ApiError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400,
                               {"Content-MD5": md5})
            if want != hashlib.md5(data).digest():
                raise ApiError("BadDigest", "The Content-MD5 you specified did not match what we "
                               "received.", 400, {"ExpectedDigest": md5})
        for name, val in h.items():
            if name.lower().startswith("x-amz-checksum-") and name.lower() != \
                    "x-amz-checksum-mode":
                self.check_checksum(name.lower(), val.strip(), data)
        meta = {
            "contentType": h.get("Content-Type"),
            "contentEncoding": ",".join(entry.get("_ce", [])) or (
                None if "_ce" in entry else h.get("Content-Encoding")),
            "sse": sse, "kmsKeyId": kms,
            "sseContext": h.get("x-amz-server-side-encryption-context"),
            "bucketKeyEnabled": (h.get("x-amz-server-side-encryption-bucket-key-enabled") or
                                 "").lower() == "true",
            "userMeta": {n.lower()[len("x-amz-meta-"):]: v for n, v in h.items()
                         if n.lower().startswith("x-amz-meta-")},
            "uploadedBy": ident["accessKeyId"],
            "payload": entry.get("payload"), "framing": entry.get("framing"),
            "contentMd5": md5,
            "checksums": {n.lower(): v for n, v in h.items()
                          if n.lower().startswith("x-amz-checksum-")},
        }
        obj = st.store_object(b["name"], key, data, meta)
        hdrs = list(common)
        hdrs.append(("ETag", obj["etag"]))
        if sse:
            hdrs.append(("x-amz-server-side-encryption", sse))
        if kms:
            hdrs.append(("x-amz-server-side-encryption-aws-kms-key-id", kms))
        if meta["bucketKeyEnabled"]:
            hdrs.append(("x-amz-server-side-encryption-bucket-key-enabled", "true"))
        return Response(200, hdrs, b"")

    # -- writing -----------------------------------------------------------------------------
    def send(self, resp, transport):
        st = self.server.state
        close = self.close_connection or st.cfg("close_after_response")
        if any(f["kind"] == "close" for f in transport):
            close = True
        hdrs = list(resp.headers)
        names = {n.lower() for n, _ in hdrs}
        body = resp.body
        chunk = int(st.cfg("response_chunk_size"))
        no_body = self.command == "HEAD" or resp.status in (204, 304)
        if "date" not in names:
            hdrs.append(("Date", http_date(st.now())))
        if no_body:
            if resp.head:
                hdrs.append(("Content-Length", str(len(body))))
            elif resp.status != 204:
                hdrs.append(("Content-Length", "0"))
            body = b""
        elif chunk > 0 and "content-length" not in names:
            hdrs.append(("Transfer-Encoding", "chunked"))
            out = bytearray()
            for i in range(0, len(body), chunk):
                piece = body[i:i + chunk]
                out += b"%x\r\n" % len(piece) + piece + b"\r\n"
            out += b"0\r\n\r\n"
            body = bytes(out)
        elif "content-length" not in names:
            hdrs.append(("Content-Length", str(len(body))))
        if close and not any(f["kind"] == "close" and f.get("silent") for f in transport):
            hdrs.append(("Connection", "close"))
        head = "HTTP/1.1 %d %s\r\n" % (resp.status, resp.reason or REASONS.get(resp.status, "OK"))
        head += "".join("%s: %s\r\n" % (n, v) for n, v in hdrs) + "\r\n"
        data = head.encode("latin-1") + body
        for f in transport:
            if f["kind"] == "delay":
                time.sleep(float(f.get("ms", 1000)) / 1000.0)
        cut = None
        abort = None
        for f in transport:
            if f["kind"] in ("cut", "reset"):
                cut = int(f.get("afterBytes", 0))
                abort = "rst" if f["kind"] == "reset" else "fin"
        trickle = next((f for f in transport if f["kind"] == "trickle"), None)
        if cut is not None:
            data = data[:cut]
        sent = 0
        try:
            if trickle:
                step = max(1, int(trickle.get("bytes", 1)))
                pause = float(trickle.get("intervalMs", 50)) / 1000.0
                for i in range(0, len(data), step):
                    self.wfile.write(data[i:i + step])
                    sent += len(data[i:i + step])
                    if i + step < len(data):
                        time.sleep(pause)
            else:
                self.wfile.write(data)
                sent = len(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return sent
        if abort is not None:
            self.close_connection = True
            self.server.aborted[id(self.connection)] = abort
        elif close:
            self.close_connection = True
        return sent



def json_response(status, obj, ascii_=False, ctype="application/json"):
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=bool(ascii_)).encode("utf-8")
    return Response(status, [("Content-Type", ctype)], body)


# ---------------------------------------------------------------------------
# Admin API
# ---------------------------------------------------------------------------
class Admin:
    def __init__(self, server):
        self.server = server

    @property
    def st(self):
        return self.server.state

    def handle(self, method, raw_path, body, headers):
        path, _, query = raw_path.partition("?")
        q = dict(parse_qsl(query, keep_blank_values=True))
        parts = [unquote(p) for p in path[len("/__admin/"):].split("/")] if \
            path.startswith("/__admin/") else [""]
        if path.startswith("/__admin/objects/"):
            rest = path[len("/__admin/objects/"):]
            bucket, _, key = rest.partition("/")
            return self.object(method, unquote(bucket), unquote(key), body, q, headers)

        def js():
            if not body:
                return {}
            try:
                return json.loads(body.decode("utf-8"))
            except ValueError as e:
                raise ApiError("BadRequest", "bad JSON: %s" % e)
        st = self.st
        head = parts[0]
        if head in ("", "health"):
            return json_response(200, {"ok": True, "port": self.server.server_address[1],
                                       "tls": self.server.tls, "region": st.region,
                                       "time": st.now(), "pid": os.getpid()})
        if head == "reset" and method == "POST":
            keep = js().get("keepCredentials", True)
            st.reset(keep_identities=keep)
            st.save()
            return json_response(200, {"ok": True})
        if head == "shutdown" and method == "POST":
            threading.Thread(target=self.server.stop_soon, daemon=True).start()
            return json_response(200, {"ok": True})
        if head == "config":
            if method == "POST":
                upd = js()
                bad = [k for k in upd if k not in DEFAULT_CONFIG]
                if bad:
                    raise ApiError("BadRequest", "unknown config keys: %s" % ", ".join(bad))
                with st.lock:
                    st.config.update(upd)
                    st.save()
            return json_response(200, st.config)
        if head == "faults":
            if method == "POST":
                spec = js()
                specs = spec if isinstance(spec, list) else [spec]
                return json_response(200, [st.add_fault(s) for s in specs])
            if method == "DELETE":
                with st.lock:
                    st.faults = []
                return json_response(200, {"ok": True})
            with st.lock:
                return json_response(200, list(st.faults))
        if head == "credentials":
            if method == "POST":
                spec = js()
                specs = spec if isinstance(spec, list) else [spec]
                out = [st.put_identity(s) for s in specs]
                st.save()
                return json_response(200, out)
            with st.lock:
                return json_response(200, list(st.identities.values()))
        if head == "action-types":
            if method == "POST":
                spec = js()
                st.register_action_type(spec.get("actionTypeId") or {},
                                        spec.get("queryable"))
                st.save()
            with st.lock:
                return json_response(200, [{"actionTypeId": dict(zip(
                    ("category", "owner", "provider", "version"), k)), **v}
                    for k, v in st.action_types.items()])
        if head == "jobs":
            if len(parts) == 1 or parts[1] == "":
                if method == "POST":
                    spec = js()
                    specs = spec if isinstance(spec, list) else [spec]
                    out = []
                    for s in specs:
                        job = st.queue_job(s)
                        out.append(st.job_view(job))
                    return json_response(200, out if isinstance(spec, list) else out[0])
                with st.lock:
                    st._tick()
                    jobs = [st.job_view(j) for j in sorted(st.jobs.values(),
                                                           key=lambda j: j["seq"])]
                if "state" in q:
                    jobs = [j for j in jobs if j["state"] == q["state"]]
                return json_response(200, jobs)
            jid = parts[1]
            if len(parts) > 2 and parts[2] == "rotate-credentials" and method == "POST":
                return json_response(200, st.rotate_credentials(jid))
            if method == "POST":
                return json_response(200, st.force_job(jid, js()))
            with st.lock:
                st._tick()
                job = st.jobs.get(jid)
                if job is None:
                    raise ApiError("NotFound", "no job %s" % jid, 404)
                return json_response(200, st.job_view(job))
        if head == "buckets":
            if method == "POST":
                return json_response(200, st.put_bucket(js()))
            with st.lock:
                return json_response(200, list(st.buckets.values()))
        if head == "objects":
            with st.lock:
                return json_response(200, [st.object_view(o) for o in st.objects.values()])
        if head == "requests":
            if method == "DELETE":
                with st.lock:
                    st.requests = []
                return json_response(200, {"ok": True})
            since = int(q.get("since", "0"))
            with st.lock:
                return json_response(200, [r for r in st.requests if r["seq"] > since])
        raise ApiError("NotFound", "unknown admin path %s" % path, 404)

    def object(self, method, bucket, key, body, q, headers):
        st = self.st
        if method == "PUT":
            meta = {"contentType": q.get("contentType") or headers.get("Content-Type"),
                    "sse": q.get("sse"), "kmsKeyId": q.get("kmsKeyId"),
                    "uploadedBy": "admin", "userMeta": {}}
            obj = st.store_object(bucket, key, body, meta)
            return json_response(200, st.object_view(obj))
        with st.lock:
            obj = st.objects.get((bucket, key))
            if method == "DELETE":
                st.objects.pop((bucket, key), None)
                return json_response(200, {"ok": True})
        if obj is None:
            raise ApiError("NotFound", "no object %s/%s" % (bucket, key), 404)
        if q.get("meta"):
            return json_response(200, st.object_view(obj))
        return Response(200, [("Content-Type", "application/octet-stream"),
                              ("X-Emulator-Object", json.dumps(st.object_view(obj)))],
                        obj["data"])


# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, state, ssl_ctx, verbose=False):
        self.state = state
        self.ssl_ctx = ssl_ctx
        self.tls = ssl_ctx is not None
        self.verbose = verbose
        self.conn_lock = threading.Lock()
        self.conn_seq = 0
        self.aborted = {}           # id(connection) -> "fin" | "rst"
        self.admin = Admin(self)
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        conn = request
        if self.ssl_ctx is not None:
            request.settimeout(15)
            try:
                conn = self.ssl_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                if self.verbose:
                    sys.stderr.write("emulator: TLS handshake failed: %s\n" % e)
                return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            abort = self.aborted.pop(id(conn), None)
            try:
                if abort == "rst":      # close with SO_LINGER 0: the peer sees a reset
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
                    conn.close()
                elif abort == "fin":    # FIN without TLS close_notify
                    socket.socket.shutdown(conn, socket.SHUT_RDWR)
                    conn.close()
                elif conn is not request:
                    try:
                        conn.settimeout(0.2)
                        conn.unwrap()
                    except (OSError, ValueError, ssl.SSLError):
                        pass
                    conn.close()
            except OSError:
                pass

    def shutdown_request(self, request):
        if request.fileno() == -1:
            return
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)

    def stop_soon(self):
        time.sleep(0.1)
        self.state.save()
        os._exit(0)


def watchdog(parent_pid, stdin_eof, max_lifetime):
    start = time.monotonic()
    initial_ppid = os.getppid()

    def parent_loop():
        while True:
            time.sleep(0.25)
            if parent_pid:
                try:
                    os.kill(parent_pid, 0)
                except ProcessLookupError:
                    os._exit(0)
                except PermissionError:
                    pass
                if parent_pid == initial_ppid and os.getppid() != initial_ppid:
                    os._exit(0)
            if max_lifetime and time.monotonic() - start > max_lifetime:
                sys.stderr.write("emulator: --max-lifetime reached, exiting\n")
                os._exit(0)

    def stdin_loop():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)

    threading.Thread(target=parent_loop, daemon=True).start()
    if stdin_eof:
        threading.Thread(target=stdin_loop, daemon=True).start()


def parse_credentials(values):
    out = []
    for v in values:
        parts = v.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise SystemExit("--credentials wants ACCESS:SECRET[:TOKEN], got %r" % v)
        ident = {"accessKeyId": parts[0], "secretAccessKey": parts[1]}
        if len(parts) == 3 and parts[2]:
            ident["sessionToken"] = parts[2]
        out.append(ident)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="CodePipeline job-worker + S3 endpoint emulator")
    ap.add_argument("--host", default="127.0.0.1", help="listen address (loopback only)")
    ap.add_argument("--port", type=int, default=0, help="0 = ephemeral (default)")
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    ap.add_argument("--cert", help="server certificate (PEM)")
    ap.add_argument("--key", help="server private key (PEM)")
    ap.add_argument("--make-certs", metavar="DIR",
                    help="make (or reuse) ca.pem, server.pem, server.key in DIR with openssl")
    ap.add_argument("--key-type", default="ec", help="ec (P-256, default) or rsa[:BITS]")
    ap.add_argument("--cert-name", action="append", default=[],
                    help="extra DNS name or IP for the server certificate (repeatable)")
    ap.add_argument("--cert-not-before", default="20000101000000Z")
    ap.add_argument("--cert-not-after", default="20491231235959Z")
    ap.add_argument("--tls-max", choices=["1.2", "1.3"], default="1.3")
    ap.add_argument("--plain-http", action="store_true", help="serve HTTP instead of HTTPS")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--credentials", action="append", default=[], metavar="ACCESS:SECRET[:TOKEN]",
                    help="a known identity (repeatable)")
    ap.add_argument("--state-file", help="persist state (JSON) here; loaded at start if present")
    ap.add_argument("--setup", help="JSON file: {config, credentials, actionTypes, buckets, "
                    "jobs, faults}")
    ap.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--max-lifetime", type=float, default=0, help="exit after this many seconds")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)

    if args.host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit("the emulator listens on loopback only")
    watchdog(args.parent_pid, args.exit_on_stdin_eof, args.max_lifetime)
    ctx = None
    if not args.plain_http:
        cert, key = args.cert, args.key
        if args.make_certs:
            _, cert, key = make_certs(args.make_certs, args.key_type, args.cert_name,
                                      args.cert_not_before, args.cert_not_after)
        if not cert or not key:
            raise SystemExit("HTTPS needs --cert and --key, or --make-certs DIR "
                             "(or use --plain-http)")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if args.tls_max == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
    model = Model()
    idents = parse_credentials(args.credentials)
    state = State(args.region, idents, model, args.state_file)
    if args.setup:
        with open(args.setup) as f:
            setup = json.load(f)
        state.config.update(setup.get("config", {}))
        for i in setup.get("credentials", []):
            state.put_identity(i)
        for a in setup.get("actionTypes", []):
            state.register_action_type(a["actionTypeId"], a.get("queryable"))
        for b in setup.get("buckets", []):
            state.put_bucket(b)
        for j in setup.get("jobs", []):
            state.queue_job(j)
        for fl in setup.get("faults", []):
            state.add_fault(fl)
    server = Server((args.host, args.port), state, ctx, args.verbose)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("emulator listening on %s://%s:%d\n" % (
        "http" if args.plain_http else "https", args.host, port))
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    state.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
