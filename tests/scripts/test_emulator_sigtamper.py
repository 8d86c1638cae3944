#!/usr/bin/python3
"""The emulator's request authentication and validation behave as AWS does.

- requests signed by botocore are accepted; the same request with one byte of
  its signature changed (or one byte of its body) is rejected with
  InvalidSignatureException (CodePipeline) / SignatureDoesNotMatch (S3);
- the eleven requests the real aws CLI sent in the project's API capture verify
  byte for byte (signatures the emulator did not produce), and a one-byte change
  in each is rejected;
- AWS's published chunked-upload example (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
  verifies, and a corrupted chunk is rejected;
- X-Amz-Date too far from the emulator's clock: "Signature expired: ..." /
  "Signature not yet current: ..." (S3: RequestTimeTooSkewed), and the Date
  header follows the emulator's (skewed) clock;
- unknown keys, wrong or missing session tokens, expired tokens, wrong scope;
- request bodies that fail the service model: ValidationException /
  SerializationException.
"""
import calendar
import json
import os
import re
import sys
import time
from email.utils import parsedate_to_datetime

TOP = os.environ.get("CPJ_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator, SignedClient  # noqa: E402

FAILED = []


def check(name, cond, detail=""):
    if cond:
        print("PASS %s" % name, flush=True)
    else:
        FAILED.append(name)
        print("FAIL %s %s" % (name, detail), flush=True)


def flip_signature(pos):
    """tamper(): change one hex digit of the Authorization signature at pos."""
    def tamper(headers, body):
        out = []
        for n, v in headers:
            if n.lower() == "authorization":
                i = v.index("Signature=") + len("Signature=") + pos
                v = v[:i] + ("0" if v[i] != "0" else "1") + v[i + 1:]
            out.append([n, v])
        return out, body
    return tamper


def flip_body(headers, body):
    b = bytearray(body)
    b[len(b) // 2] ^= 0x01
    return headers, bytes(b)


def parse_capture(path):
    data = open(path, "rb").read()
    reqs = []
    for m in re.finditer(rb"===== REQUEST (\d+) =====\n", data):
        start = m.end()
        hend = data.index(b"\r\n\r\n", start) + 4
        head = data[start:hend]
        cl = re.search(rb"\r\nContent-Length: (\d+)\r\n", head)
        body = data[hend:hend + (int(cl.group(1)) if cl else 0)]
        reqs.append((int(m.group(1)), head, body))
    return reqs


def send_raw(emu, head, body):
    """Send verbatim request bytes (waiting for 100 Continue when asked);
    returns (status, body)."""
    import socket
    import ssl
    ctx = ssl.create_default_context(cafile=emu.ca_file)
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", emu.port), timeout=10),
                        server_hostname="127.0.0.1")
    try:
        s.sendall(head)
        buf = b""
        if b"\r\nExpect: 100-continue" in head:
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            if buf.startswith(b"HTTP/1.1 100"):
                buf = buf[buf.index(b"\r\n\r\n") + 4:]
        s.sendall(body)
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        hdr, _, rest = buf.partition(b"\r\n\r\n")
        m = re.search(rb"\r\ncontent-length: (\d+)", hdr, re.I)
        n = int(m.group(1)) if m else 0
        while len(rest) < n:
            chunk = s.recv(4096)
            if not chunk:
                break
            rest += chunk
        return int(hdr.split(b" ")[1]), rest
    finally:
        s.close()


def main():
    at = {"category": "Deploy", "owner": "Custom", "provider": "SigTest", "version": "1"}
    creds = ["AKIDPLAIN:plainsecret", "ASIATOKEN:tokensecret:tok+en/==",
             "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"]
    with Emulator(credentials=creds) as emu:
        emu.register_action_type("SigTest")
        c = SignedClient(emu, "AKIDPLAIN", "plainsecret")
        poll = {"actionTypeId": at, "maxBatchSize": 1}

        # -- CodePipeline: good, tampered signature, tampered body ------------------
        r = c.cp("PollForJobs", poll)
        check("cp_signed_request_accepted", r.status == 200 and r.json() == {"jobs": []}, r)
        check("cp_response_headers",
              r.header("x-amzn-RequestId") and r.header("Date") and
              r.header("Content-Type") == "application/x-amz-json-1.1", r.headers)
        bad = []
        for pos in (0, 31, 63):
            r = c.cp("PollForJobs", poll, tamper=flip_signature(pos))
            if not (r.status == 400 and r.error_code == "InvalidSignatureException" and
                    r.message.startswith("The request signature we calculated does not match "
                                         "the signature you provided.") and
                    (r.header("x-amzn-ErrorType") or "").startswith("InvalidSignatureException")):
                bad.append((pos, r))
        check("cp_one_byte_of_signature_changed_rejected", not bad, bad)
        r = c.cp("PollForJobs", poll, tamper=flip_body)
        check("cp_one_byte_of_body_changed_rejected",
              r.status == 400 and r.error_code == "InvalidSignatureException", r)
        r = c.cp("PollForJobs", poll)
        check("cp_accepted_again_after_rejections", r.status == 200, r)
        log = [e for e in emu.requests() if e["service"] == "codepipeline"]
        check("cp_log_records_signature_results",
              [e["sigOk"] for e in log] == [True, False, False, False, False, True], log)
        check("cp_requests_shared_one_keepalive_connection",
              len({e["conn"] for e in log}) == 1 and [e["connSeq"] for e in log] ==
              list(range(1, 7)), [(e["conn"], e["connSeq"]) for e in log])

        # -- time: skewed X-Amz-Date, then a skewed emulator clock --------------------------
        r = c.cp("PollForJobs", poll, when=time.time() - 600)
        check("cp_old_date_signature_expired", r.status == 400 and
              r.error_code == "InvalidSignatureException" and re.fullmatch(
                  r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                  r"\(\d{8}T\d{6}Z - 5 min\.\)", r.message or ""), r)
        r = c.cp("PollForJobs", poll, when=time.time() + 600)
        check("cp_future_date_not_yet_current", r.status == 400 and re.fullmatch(
            r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z "
            r"\(\d{8}T\d{6}Z \+ 5 min\.\)", r.message or ""), r)
        r = c.cp("PollForJobs", poll, when=time.time() - 240)
        check("cp_date_within_5_minutes_accepted", r.status == 200, r)
        emu.config(clock_skew=3600)
        r = c.cp("PollForJobs", poll)
        served = parsedate_to_datetime(r.header("Date")).timestamp() if r.header("Date") else 0
        check("cp_emulator_clock_skew_rejects_current_date",
              r.status == 400 and (r.message or "").startswith("Signature expired"), r)
        check("cp_date_header_follows_skewed_clock", abs(served - (time.time() + 3600)) < 5,
              r.header("Date"))
        r = c.cp("PollForJobs", poll, when=served)
        check("cp_signing_with_server_date_accepted", r.status == 200, r)
        emu.config(clock_skew=0)

        # -- identities and tokens ---------------------------------------------------
        r = SignedClient(emu, "AKIDUNKNOWN", "x").cp("PollForJobs", poll)
        check("cp_unknown_access_key", r.status == 400 and
              r.error_code == "UnrecognizedClientException", r)
        r = SignedClient(emu, "AKIDPLAIN", "wrongsecret").cp("PollForJobs", poll)
        check("cp_wrong_secret", r.status == 400 and r.error_code == "InvalidSignatureException",
              r)
        r = SignedClient(emu, "ASIATOKEN", "tokensecret", "tok+en/==").cp("PollForJobs", poll)
        check("cp_session_token_accepted", r.status == 200, r)
        r = SignedClient(emu, "ASIATOKEN", "tokensecret").cp("PollForJobs", poll)
        check("cp_missing_session_token", r.status == 400 and
              r.error_code == "UnrecognizedClientException", r)
        r = SignedClient(emu, "ASIATOKEN", "tokensecret", "other").cp("PollForJobs", poll)
        check("cp_wrong_session_token", r.status == 400 and
              r.error_code == "UnrecognizedClientException", r)
        emu.expire_credentials("ASIATOKEN")
        r = SignedClient(emu, "ASIATOKEN", "tokensecret", "tok+en/==").cp("PollForJobs", poll)
        check("cp_expired_token", r.status == 400 and r.error_code == "ExpiredTokenException", r)
        emu.expire_credentials("ASIATOKEN", False)
        r = SignedClient(emu, "AKIDPLAIN", "plainsecret", region="eu-west-1").cp(
            "PollForJobs", poll)
        check("cp_wrong_region_scope", r.status == 400 and
              r.error_code == "InvalidSignatureException" and
              "scoped to a valid region" in (r.message or ""), r)
        r = c.send("POST", "/", [["Host", "127.0.0.1:%d" % emu.port],
                                 ["X-Amz-Target", "CodePipeline_20150709.PollForJobs"],
                                 ["Content-Type", "application/x-amz-json-1.1"]],
                   json.dumps(poll).encode())
        check("cp_unsigned_request", r.status == 400 and
              r.error_code == "MissingAuthenticationTokenException", r)

        # -- body validation against the service model ------------------------------------------
        r = c.cp("AcknowledgeJob", {"jobId": "not-a-uuid", "nonce": "1"})
        check("cp_validation_jobid_pattern", r.status == 400 and
              r.error_code == "ValidationException" and
              "Member must satisfy regular expression pattern" in (r.message or ""), r)
        r = c.cp("AcknowledgeJob", {"jobId": "11111111-2222-3333-4444-555555555555",
                                    "nonce": "n" * 51})
        check("cp_validation_nonce_length", r.status == 400 and
              "Member must have length less than or equal to 50" in (r.message or ""), r)
        r = c.cp("AcknowledgeJob", {"jobId": "11111111-2222-3333-4444-555555555555"})
        check("cp_validation_missing_required", r.status == 400 and
              r.error_code == "ValidationException" and
              "Value null at 'nonce'" in (r.message or ""), r)
        r = c.cp("PollForJobs", {"actionTypeId": dict(at, category="Deploi")})
        check("cp_validation_enum", r.status == 400 and r.error_code == "ValidationException" and
              "enum value set" in (r.message or ""), r)
        r = c.cp("PollForJobs", {"actionTypeId": at, "maxBatchSize": "1"})
        check("cp_wrong_json_type", r.status == 400 and
              r.error_code == "SerializationException", r)
        r = c.cp("PollForJobs", None, raw_body=b'{"actionTypeId": ')
        check("cp_malformed_json", r.status == 400 and
              r.error_code == "SerializationException", r)
        r = c.cp("PutJobFailureResult", {"jobId": "11111111-2222-3333-4444-555555555555",
                                         "failureDetails": {"type": "Oops", "message": "m"}})
        check("cp_validation_nested_enum", r.status == 400 and
              "failureDetails.type" in (r.message or ""), r)
        r = c.cp("ListPipelines", {})
        check("cp_unknown_operation", r.status == 400 and
              r.error_code == "UnknownOperationException", r)

        # -- S3 -------------------------------------------------------------------------------
        emu.bucket("sig-bucket")
        r = c.s3("PUT", "sig-bucket", "dir/Build Output/AbC+dEf~G.zip", b"PK\x03\x04 zip bytes")
        check("s3_signed_put_accepted", r.status == 200 and r.header("ETag"), r)
        r = c.s3("GET", "sig-bucket", "dir/Build Output/AbC+dEf~G.zip")
        check("s3_signed_get_accepted", r.status == 200 and r.body == b"PK\x03\x04 zip bytes", r)
        r = c.s3("GET", "sig-bucket", "dir/Build Output/AbC+dEf~G.zip",
                 tamper=flip_signature(10))
        check("s3_one_byte_of_signature_changed_rejected", r.status == 403 and
              r.error_code == "SignatureDoesNotMatch" and b"<StringToSign>" in r.body and
              b"<CanonicalRequest>" in r.body, r)
        r = c.s3("PUT", "sig-bucket", "k", b"original body", tamper=flip_body)
        check("s3_body_changed_sha256_mismatch", r.status == 400 and
              r.error_code == "XAmzContentSHA256Mismatch", r)
        r = c.s3("PUT", "sig-bucket", "unsigned", b"unsigned payload", unsigned_payload=True)
        check("s3_unsigned_payload_accepted", r.status == 200, r)
        r = c.s3("GET", "sig-bucket", "dir/Build Output/AbC+dEf~G.zip", vhost=True)
        check("s3_virtual_hosted_via_host_header", r.status == 200 and
              r.body == b"PK\x03\x04 zip bytes" and
              emu.requests()[-1]["addressing"] == "virtual", r)
        r = c.s3("GET", "sig-bucket", "dir/Build Output/AbC+dEf~G.zip", vhost=True,
                 tamper=flip_signature(63))
        check("s3_virtual_hosted_tampered_rejected", r.status == 403 and
              r.error_code == "SignatureDoesNotMatch", r)
        r = c.s3("GET", "sig-bucket", "k", when=time.time() - 1200)
        check("s3_request_time_too_skewed", r.status == 403 and
              r.error_code == "RequestTimeTooSkewed" and b"<ServerTime>" in r.body, r)
        r = c.s3("GET", "sig-bucket", "k", when=time.time() - 600)
        check("s3_skew_within_15_minutes_accepted", r.status in (200, 404), r)
        r = SignedClient(emu, "AKIDUNKNOWN", "x").s3("GET", "sig-bucket", "k")
        check("s3_unknown_access_key", r.status == 403 and r.error_code == "InvalidAccessKeyId",
              r)
        emu.expire_credentials("ASIATOKEN")
        r = SignedClient(emu, "ASIATOKEN", "tokensecret", "tok+en/==").s3("GET", "sig-bucket",
                                                                          "k")
        check("s3_expired_token", r.status == 400 and r.error_code == "ExpiredToken", r)
        emu.expire_credentials("ASIATOKEN", False)
        path, host = c.presigned_url_path("sig-bucket", "dir/Build Output/AbC+dEf~G.zip")
        r = c.send("GET", path, [["Host", host]], None)
        check("s3_presigned_get_accepted", r.status == 200 and r.body.startswith(b"PK"), r)
        tampered = path[:-1] + ("0" if path[-1] != "0" else "1")
        r = c.send("GET", tampered, [["Host", host]], None)
        check("s3_presigned_tampered_rejected", r.status == 403 and
              r.error_code == "SignatureDoesNotMatch", r)
        path, host = c.presigned_url_path("sig-bucket", "k", expires=60,
                                          when=time.time() - 120)
        r = c.send("GET", path, [["Host", host]], None)
        check("s3_presigned_expired", r.status == 403 and r.error_code == "AccessDenied" and
              r.message == "Request has expired", r)

        # -- AWS's published chunked-upload example (independent signatures) -----------------
        emu.bucket("examplebucket")
        emu.add_credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        emu.config(clock_skew=1369353600 - time.time())     # 20130524T000000Z
        sigs = ["ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"]

        def example(corrupt):
            body = b""
            for size, sig in zip((65536, 1024, 0), sigs):
                data = bytearray(b"a" * size)
                if corrupt and size == 1024:
                    data[10] = ord("b")
                body += b"%x;chunk-signature=%s\r\n" % (size, sig.encode()) + bytes(data) + b"\r\n"
            hdrs = [["Host", "s3.amazonaws.com"], ["x-amz-date", "20130524T000000Z"],
                    ["x-amz-storage-class", "REDUCED_REDUNDANCY"],
                    ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"
                     "20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;"
                     "content-length;host;x-amz-content-sha256;x-amz-date;"
                     "x-amz-decoded-content-length;x-amz-storage-class,Signature="
                     "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"],
                    ["x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"],
                    ["Content-Encoding", "aws-chunked"],
                    ["x-amz-decoded-content-length", "66560"],
                    ["Content-Length", str(len(body))]]
            return c.send("PUT", "/examplebucket/chunkObject.txt", hdrs, body)
        r = example(False)
        obj = emu.object_meta("examplebucket", "chunkObject.txt") if r.status == 200 else {}
        check("s3_aws_published_chunked_example_verifies", r.status == 200 and
              obj.get("size") == 66560 and obj.get("contentEncoding") is None and
              emu.get_object("examplebucket", "chunkObject.txt") == b"a" * 66560, (r, obj))
        r = example(True)
        check("s3_aws_chunked_example_corrupt_chunk_rejected", r.status == 403 and
              r.error_code == "SignatureDoesNotMatch", r)

        # -- requests the real aws CLI sent (capture in the API digest) ---------------------
        capture = parse_capture(os.path.join(TOP, "tests", "emulator", "testdata",
                                             "awscli_capture.txt"))
        emu.bucket("codepipeline-us-east-1-123")
        emu.register_action_type("EdgeDeploy")
        results = []
        for n, head, body in capture:
            date = re.search(rb"X-Amz-Date: (\d{8}T\d{6}Z)", head).group(1).decode()
            emu.config(clock_skew=calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
                       - time.time() + 5)
            if n == 7:
                emu.add_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                    "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKEN+/=")
            seq = emu.requests()[-1]["seq"] if emu.requests() else 0
            status, _ = send_raw(emu, head, body)
            good = [e["sigOk"] for e in emu.requests(since=seq)]
            i = head.index(b"Signature=") + len(b"Signature=") + 20
            bad_head = head[:i] + (b"0" if head[i:i + 1] != b"0" else b"1") + head[i + 1:]
            seq = emu.requests()[-1]["seq"]
            bstatus, _ = send_raw(emu, bad_head, body)
            bad = [e["sigOk"] for e in emu.requests(since=seq)]
            results.append((n, status, good, bstatus, bad))
        check("awscli_captured_requests_verify",
              len(results) == 11 and all(g == [True] for _, _, g, _, _ in results),
              results)
        check("awscli_captured_requests_one_byte_changed_rejected",
              all(b == [False] and bs in (400, 403) for _, _, _, bs, b in results), results)
        emu.config(clock_skew=0)
        c.close()
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        rc = main()
    except Exception:  # noqa: BLE001 -- report, then fail
        import traceback
        traceback.print_exc()
        print("FAIL %s_crashed (traceback above)" % os.path.basename(__file__)[:-3], flush=True)
        rc = 1
    sys.exit(rc)
