#!/usr/bin/python3
"""The emulator's job state machine and S3 store follow the API digest:
action-type matching, maxBatchSize, queryParam, nonces, dispatch and in-progress
timeouts, result states, continuation (new job or same job), output-variable
limits, third-party jobs keyed by clientToken, artifact-credential rotation;
S3 bucket policies, SSE-KMS header rules, Content-MD5, HTTP chunked uploads and
aws-chunked uploads with a trailing checksum.
"""
import base64
import os
import sys
import time
import zlib

TOP = os.environ.get("CPJ_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import AdminError, Emulator, SignedClient  # noqa: E402

FAILED = []


def check(name, cond, detail=""):
    if cond:
        print("PASS %s" % name, flush=True)
    else:
        FAILED.append(name)
        print("FAIL %s %s" % (name, str(detail)[:2000]), flush=True)


def at(provider, owner="Custom", category="Test", version="1"):
    return {"category": category, "owner": owner, "provider": provider, "version": version}


def main():
    with Emulator(credentials=["AKIDJOBS:jobssecret"]) as emu:
        c = SignedClient(emu, "AKIDJOBS", "jobssecret")

        def q(provider, **kw):
            return emu.queue_job(provider=provider, category="Test", **kw)

        def poll(provider, **kw):
            p = {"actionTypeId": at(provider)}
            p.update(kw)
            return c.cp("PollForJobs", p)

        # -- matching and batching ------------------------------------------------------------
        r = poll("NoSuchProvider")
        check("unknown_action_type", r.status == 400 and
              r.error_code == "ActionTypeNotFoundException" and
              "Provider: 'NoSuchProvider'" in (r.message or ""), r)
        r = c.cp("PollForJobs", {"actionTypeId": at("X", owner="AWS")})
        check("poll_needs_custom_owner", r.status == 400 and
              r.error_code == "ValidationException", r)
        j1, j2, j3 = q("Batch"), q("Batch"), q("Batch")
        other = emu.queue_job(provider="Batch", category="Deploy")
        r = poll("Batch", maxBatchSize=2)
        ids = [j["id"] for j in r.json()["jobs"]] if r.status == 200 else []
        check("max_batch_size_fifo_exact_action_type", ids == [j1["id"], j2["id"]], r)
        r = poll("Batch")
        ids = [j["id"] for j in r.json()["jobs"]] if r.status == 200 else []
        check("default_batch_of_one_skips_dispatched", ids == [j3["id"]], r)
        r = poll("Batch", maxBatchSize=10)
        check("empty_poll", r.status == 200 and r.json() == {"jobs": []} and
              emu.job(other["id"])["state"] == "Queued", r)
        fa = q("Query", configuration={"Fleet": "line-a", "Other": "x"})
        fb = q("Query", configuration={"Fleet": "line-b"})
        r = poll("Query", maxBatchSize=5, queryParam={"Fleet": "line-b"})
        ids = [j["id"] for j in r.json()["jobs"]] if r.status == 200 else []
        check("query_param_filters_by_configuration", ids == [fb["id"]] and
              emu.job(fa["id"])["state"] == "Queued", r)
        emu.register_action_type("Query", category="Test", queryable="Fleet")
        r = poll("Query")
        check("queryable_property_required", r.status == 400 and
              r.error_code == "ValidationException", r)
        r = poll("Query", queryParam={"Fleet": "line-a"})
        check("queryable_property_supplied", r.status == 200 and
              [j["id"] for j in r.json()["jobs"]] == [fa["id"]], r)

        # -- nonces, acknowledgement, results -------------------------------------------------
        nonce = emu.job(j1["id"])["nonce"]
        r = c.cp("PutJobSuccessResult", {"jobId": j1["id"]})
        check("result_before_ack_invalid_state", r.status == 400 and
              r.error_code == "InvalidJobStateException", r)
        r = c.cp("AcknowledgeJob", {"jobId": j1["id"], "nonce": nonce + "1"})
        check("wrong_nonce", r.status == 400 and r.error_code == "InvalidNonceException", r)
        r = c.cp("AcknowledgeJob", {"jobId": other["id"], "nonce": "1"})
        check("ack_of_undispatched_job", r.status == 400 and
              r.error_code == "InvalidNonceException", r)
        r = c.cp("AcknowledgeJob", {"jobId": j1["id"], "nonce": nonce})
        check("ack", r.status == 200 and r.json() == {"status": "InProgress"}, r)
        r = c.cp("GetJobDetails", {"jobId": j1["id"]})
        jd = r.json().get("jobDetails", {}) if r.status == 200 else {}
        check("get_job_details_shape", set(jd) == {"id", "data", "accountId"} and
              jd["data"]["artifactCredentials"]["sessionToken"], r)
        r = c.cp("PutJobSuccessResult", {"jobId": j1["id"], "continuationToken": "t",
                                         "outputVariables": {"a": "b"}})
        check("output_variables_with_continuation_rejected", r.status == 400 and
              r.error_code == "ValidationException", r)
        emu.config(output_variables_limit=20)
        r = c.cp("PutJobSuccessResult", {"jobId": j1["id"], "outputVariables": {
            "Key1": "0123456789", "Key2": "0123456789"}})
        check("output_variables_size_exceeded", r.status == 400 and
              r.error_code == "OutputVariablesSizeExceededException", r)
        emu.config(output_variables_limit=122880)
        r = c.cp("PutJobSuccessResult", {"jobId": j1["id"], "outputVariables": {"K": "v"},
                                         "executionDetails": {"summary": "ok",
                                                              "percentComplete": 100}})
        check("success", r.status == 200 and emu.job(j1["id"])["state"] == "Succeeded" and
              emu.job(j1["id"])["result"]["outputVariables"] == {"K": "v"}, r)
        r = c.cp("PutJobFailureResult", {"jobId": j1["id"], "failureDetails": {
            "type": "JobFailed", "message": "late"}})
        check("failure_after_success_invalid_state", r.status == 400 and
              r.error_code == "InvalidJobStateException", r)

        # -- timeouts ----------------------------------------------------------------------------
        emu.config(dispatch_timeout=0.5, inprogress_timeout=0.5)
        jt = q("Timeout")
        r = poll("Timeout")
        old_nonce = r.json()["jobs"][0]["nonce"] if r.status == 200 else ""
        time.sleep(0.7)
        r = c.cp("AcknowledgeJob", {"jobId": jt["id"], "nonce": old_nonce})
        check("dispatch_timeout_invalidates_nonce", r.status == 400 and
              r.error_code == "InvalidNonceException" and
              emu.job(jt["id"])["state"] == "Queued", r)
        emu.admin("POST", "jobs/" + jt["id"], {"nonce": old_nonce})     # force a known nonce
        r = poll("Timeout")
        new_nonce = r.json()["jobs"][0]["nonce"] if r.status == 200 and r.json()["jobs"] else ""
        r2 = c.cp("AcknowledgeJob", {"jobId": jt["id"], "nonce": new_nonce})
        check("redispatched_with_new_nonce", new_nonce and r2.status == 200 and
              emu.job(jt["id"])["dispatchCount"] == 2, (r, r2))
        time.sleep(0.7)
        r = c.cp("PutJobSuccessResult", {"jobId": jt["id"]})
        check("inprogress_timeout", r.status == 400 and
              r.error_code == "InvalidJobStateException" and
              emu.job(jt["id"])["state"] == "TimedOut", r)
        emu.config(dispatch_timeout=0, inprogress_timeout=0)

        # -- continuation, same-job mode -------------------------------------------------------
        emu.config(continuation="same-job")
        js = q("Same")
        r = poll("Same")
        c.cp("AcknowledgeJob", {"jobId": js["id"], "nonce": r.json()["jobs"][0]["nonce"]})
        r = c.cp("PutJobSuccessResult", {"jobId": js["id"], "continuationToken": "step-2"})
        r2 = poll("Same")
        jobs = r2.json()["jobs"] if r2.status == 200 else []
        check("continuation_same_job", r.status == 200 and len(jobs) == 1 and
              jobs[0]["id"] == js["id"] and jobs[0]["data"]["continuationToken"] == "step-2",
              (r, r2))
        emu.config(continuation="new-job")

        # -- third-party jobs ------------------------------------------------------------------
        tp = emu.queue_job(provider="Partner", category="Test", owner="ThirdParty",
                           thirdParty=True, clientToken="client-token-1")
        r = c.cp("GetThirdPartyJobDetails", {"jobId": tp["id"], "clientToken": "client-token-1"})
        check("third_party_details_before_poll", r.status == 400 and
              r.error_code == "InvalidJobException", r)
        r = c.cp("PollForThirdPartyJobs", {"actionTypeId": at("Partner", owner="ThirdParty")})
        check("poll_third_party", r.status == 200 and r.json() == {"jobs": [
            {"clientId": tp["clientId"], "jobId": tp["id"]}]}, r)
        r = c.cp("GetThirdPartyJobDetails", {"jobId": tp["id"], "clientToken": "wrong"})
        check("third_party_wrong_client_token", r.status == 400 and
              r.error_code == "InvalidClientTokenException", r)
        r = c.cp("GetThirdPartyJobDetails", {"jobId": tp["id"], "clientToken": "client-token-1"})
        det = r.json().get("jobDetails", {}) if r.status == 200 else {}
        check("third_party_details", set(det) == {"id", "data", "nonce"}, r)
        r = c.cp("AcknowledgeJob", {"jobId": tp["id"], "nonce": det.get("nonce", "1")})
        check("custom_ack_of_third_party_job", r.status == 400 and
              r.error_code == "JobNotFoundException", r)
        r = c.cp("AcknowledgeThirdPartyJob", {"jobId": tp["id"], "nonce": det.get("nonce", "1"),
                                              "clientToken": "client-token-1"})
        r2 = c.cp("PutThirdPartyJobSuccessResult", {"jobId": tp["id"],
                                                    "clientToken": "client-token-1"})
        check("third_party_ack_and_success", r.status == 200 and r2.status == 200 and
              emu.job(tp["id"])["state"] == "Succeeded", (r, r2))

        # -- artifact credentials: rotation, S3 with them ----------------------------------------
        ja = q("Creds")
        old = ja["data"]["artifactCredentials"]
        bucket = ja["data"]["inputArtifacts"][0]["location"]["s3Location"]["bucketName"]
        key = ja["data"]["inputArtifacts"][0]["location"]["s3Location"]["objectKey"]
        emu.put_object(bucket, key, b"input")
        s3old = SignedClient(emu, old["accessKeyId"], old["secretAccessKey"],
                             old["sessionToken"])
        r = s3old.s3("GET", bucket, key)
        check("job_credentials_read_artifact", r.status == 200 and r.body == b"input", r)
        new = emu.admin("POST", "jobs/%s/rotate-credentials" % ja["id"])
        r = s3old.s3("GET", bucket, key)
        check("rotated_credentials_expire_old", r.status == 400 and
              r.error_code == "ExpiredToken", r)
        r = c.cp("GetJobDetails", {"jobId": ja["id"]})
        fresh = r.json()["jobDetails"]["data"]["artifactCredentials"] if r.status == 200 else {}
        r2 = SignedClient(emu, fresh.get("accessKeyId", "x"), fresh.get("secretAccessKey", "x"),
                          fresh.get("sessionToken")).s3("GET", bucket, key)
        check("get_job_details_returns_fresh_credentials",
              fresh.get("accessKeyId") == new["accessKeyId"] and r2.status == 200, (r, r2))
        try:
            emu.queue_job(provider="Bad", category="Deploy", id="not-a-uuid")
            bad = None
        except AdminError as e:
            bad = e
        check("admin_rejects_job_outside_model", bad is not None and bad.status == 400 and
              "pattern" in bad.body, bad)

        # -- S3 rules ---------------------------------------------------------------------------
        emu.bucket("policy-bucket", requireSse="aws:kms", requireKmsKeyId="arn:aws:kms:k1")
        r = c.s3("PUT", "policy-bucket", "a", b"x")
        check("bucket_policy_denies_unencrypted", r.status == 403 and
              r.error_code == "AccessDenied", r)
        r = c.s3("PUT", "policy-bucket", "a", b"x", headers=[
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:k1")])
        check("bucket_policy_allows_kms_key", r.status == 200 and
              r.header("x-amz-server-side-encryption-aws-kms-key-id") == "arn:aws:kms:k1", r)
        r = c.s3("GET", "policy-bucket", "a")
        check("get_returns_sse_headers", r.status == 200 and
              r.header("x-amz-server-side-encryption") == "aws:kms" and
              r.header("x-amz-server-side-encryption-aws-kms-key-id") == "arn:aws:kms:k1", r)
        emu.bucket("plain-bucket", owner="111122223333")
        r = c.s3("PUT", "plain-bucket", "b", b"x", headers=[
            ("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:k1")])
        check("kms_key_without_aws_kms_invalid", r.status == 400 and
              r.error_code == "InvalidArgument", r)
        r = c.s3("PUT", "plain-bucket", "default-key", b"x", headers=[
            ("x-amz-server-side-encryption", "aws:kms")])
        kms = r.header("x-amz-server-side-encryption-aws-kms-key-id") or ""
        check("aws_kms_without_key_id_uses_managed_key", r.status == 200 and
              kms.startswith("arn:aws:kms:us-east-1:111122223333:key/") and
              emu.object_meta("plain-bucket", "default-key")["kmsKeyId"] == kms, r)
        r = c.s3("PUT", "plain-bucket", "b", b"x", headers=[
            ("x-amz-server-side-encryption", "aws:kmz")])
        check("bad_sse_value_invalid", r.status == 400 and r.error_code == "InvalidArgument", r)
        r = c.s3("GET", "plain-bucket", "b", headers=[
            ("x-amz-expected-bucket-owner", "123456789012")])
        check("expected_bucket_owner_mismatch", r.status == 403 and
              r.error_code == "AccessDenied", r)
        r = c.s3("PUT", "plain-bucket", "b", b"hello", headers=[
            ("Content-MD5", base64.b64encode(b"0123456789abcdef").decode())])
        check("content_md5_mismatch", r.status == 400 and r.error_code == "BadDigest", r)
        r = c.s3("GET", "no-such-bucket", "k")
        check("no_such_bucket", r.status == 404 and r.error_code == "NoSuchBucket", r)
        r = c.s3("HEAD", "plain-bucket", "missing")
        check("head_missing_no_body", r.status == 404 and r.body == b"" and
              r.header("x-amz-request-id"), r)
        data = os.urandom(20000)
        framed = b"".join(b"%x\r\n" % len(data[i:i + 7000]) + data[i:i + 7000] + b"\r\n"
                          for i in range(0, len(data), 7000)) + b"0\r\n\r\n"
        r = c.s3("PUT", "plain-bucket", "chunked", data,
                 headers=[("Transfer-Encoding", "chunked")], wire_body=framed)
        meta = emu.object_meta("plain-bucket", "chunked") if r.status == 200 else {}
        check("http_chunked_upload", r.status == 200 and meta.get("framing") == "chunked" and
              emu.get_object("plain-bucket", "chunked") == data, (r, meta))
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()

        def trailer_body(crc_value):
            out = b""
            for i in range(0, len(data), 8192):
                part = data[i:i + 8192]
                out += b"%x\r\n" % len(part) + part + b"\r\n"
            return out + b"0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % crc_value.encode()
        hdrs = [("Content-Encoding", "aws-chunked"), ("x-amz-trailer", "x-amz-checksum-crc32"),
                ("x-amz-decoded-content-length", str(len(data)))]
        body = trailer_body(crc)
        r = c.s3("PUT", "plain-bucket", "trailer", body, headers=hdrs,
                 payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        check("aws_chunked_trailer_checksum", r.status == 200 and
              emu.get_object("plain-bucket", "trailer") == data and
              emu.object_meta("plain-bucket", "trailer").get("contentEncoding") is None, r)
        r = c.s3("PUT", "plain-bucket", "trailer2", trailer_body("AAAAAA=="), headers=hdrs,
                 payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        check("aws_chunked_trailer_bad_checksum", r.status == 400 and
              r.error_code == "BadDigest", r)
        r = c.s3("GET", "plain-bucket", "trailer", headers=[("Range", "bytes=-5")])
        check("range_suffix", r.status == 206 and r.body == data[-5:] and
              r.header("Content-Range") == "bytes %d-%d/%d" % (len(data) - 5, len(data) - 1,
                                                               len(data)), r)
        r = c.s3("GET", "plain-bucket", "trailer", headers=[("Range", "bytes=999999-")])
        check("range_not_satisfiable", r.status == 416 and r.error_code == "InvalidRange", r)
        log = emu.requests()
        check("every_request_signature_verified",
              all(e["sigOk"] is True or e.get("authError") == "expired_token" for e in log),
              [e for e in log if e["sigOk"] is not True][:3])
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
