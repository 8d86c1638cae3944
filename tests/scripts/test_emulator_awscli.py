#!/usr/bin/python3
"""Debian's aws CLI (/usr/bin/aws, a client nobody here wrote) runs the job
lifecycle against the emulator: poll, acknowledge (wrong nonce first), get job
details, S3 download and SSE-KMS upload with the job's artifact credentials,
success with a continuation token, the continued job, success with output
variables, failure, and the errors a worker meets. Every CLI request must pass
the emulator's signature check, and the CLI must parse the emulator's answers
(including retrying its throttling and 503 answers).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.environ.get("CPJ_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

AWS = "/usr/bin/aws"
FAILED = []
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WORKER = ("AKIDWORKEREXAMPLE", "workerSecret/Key+Example", "FwoGZXIvYXdzEXAMPLE//////wEaDA+/=")


def check(name, cond, detail=""):
    if cond:
        print("PASS %s" % name, flush=True)
    else:
        FAILED.append(name)
        print("FAIL %s %s" % (name, str(detail)[:2000]), flush=True)


class Cli:
    def __init__(self, emu, tmp):
        self.emu = emu
        self.tmp = tmp

    def env(self, creds, attempts=1, config="/dev/null"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=creds[0], AWS_SECRET_ACCESS_KEY=creds[1],
                   AWS_DEFAULT_REGION="us-east-1", AWS_CA_BUNDLE=self.emu.ca_file,
                   AWS_CONFIG_FILE=config, AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS=str(attempts),
                   AWS_RETRY_MODE="standard", AWS_PAGER="", HOME=self.tmp)
        if len(creds) > 2 and creds[2]:
            env["AWS_SESSION_TOKEN"] = creds[2]
        return env

    def run(self, creds, *args, attempts=1, config="/dev/null"):
        cmd = [AWS] + list(args) + ["--endpoint-url", self.emu.endpoint, "--output", "json",
                                    "--cli-connect-timeout", "5", "--cli-read-timeout", "20"]
        try:
            r = subprocess.run(cmd, env=self.env(creds, attempts, config), capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            return 999, "", "timeout: %s" % e
        return r.returncode, r.stdout, r.stderr

    def json(self, creds, *args, **kw):
        rc, out, err = self.run(creds, *args, **kw)
        try:
            return rc, (json.loads(out) if out.strip() else {}), err
        except ValueError:
            return rc, None, err + out


def main():
    if not os.access(AWS, os.X_OK):
        check("awscli_present", False, "%s missing: install the Debian package awscli" % AWS)
        return 1
    r = subprocess.run([AWS, "--version"], capture_output=True, text=True, timeout=30,
                       env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
    check("awscli_version", r.returncode == 0 and r.stdout.startswith("aws-cli/"),
          r.stdout + r.stderr)
    tmp = tempfile.mkdtemp(prefix="cpj-awscli-")
    with Emulator(credentials=[":".join(WORKER)]) as emu:
        cli = Cli(emu, tmp)
        at = "category=Deploy,owner=Custom,provider=EdgeDeploy,version=1"
        job = emu.queue_job(provider="EdgeDeploy", configuration={"Fleet": "line-a"},
                            encryption_key=KMS_KEY)
        in_loc = job["data"]["inputArtifacts"][0]["location"]["s3Location"]
        out_loc = job["data"]["outputArtifacts"][0]["location"]["s3Location"]
        emu.put_object(in_loc["bucketName"], in_loc["objectKey"], b"PK\x03\x04input-artifact",
                       sse="aws:kms", kms_key_id=KMS_KEY)

        # -- poll, wrong nonce, ack, details ----------------------------------------------------
        rc, out, err = cli.json(WORKER, "codepipeline", "poll-for-jobs", "--action-type-id", at,
                                "--max-batch-size", "1", "--query-param", "Fleet=line-a")
        jobs = (out or {}).get("jobs") or []
        got = jobs[0] if jobs else {}
        check("cli_poll_for_jobs", rc == 0 and len(jobs) == 1 and got.get("id") == job["id"] and
              got.get("nonce") and got["data"].get("artifactCredentials") and
              got["data"].get("encryptionKey", {}).get("id") == KMS_KEY, (rc, out, err))
        nonce = got.get("nonce", "1")
        creds = got.get("data", {}).get("artifactCredentials", {})
        art = (creds.get("accessKeyId", "x"), creds.get("secretAccessKey", "x"),
               creds.get("sessionToken"))
        rc, _, err = cli.run(WORKER, "codepipeline", "acknowledge-job", "--job-id", job["id"],
                             "--nonce", nonce + "0")
        check("cli_ack_wrong_nonce_InvalidNonceException",
              rc != 0 and "(InvalidNonceException)" in err, (rc, err))
        rc, out, err = cli.json(WORKER, "codepipeline", "acknowledge-job", "--job-id", job["id"],
                                "--nonce", nonce)
        check("cli_ack_in_progress", rc == 0 and out == {"status": "InProgress"}, (rc, out, err))
        rc, out, err = cli.json(WORKER, "codepipeline", "get-job-details", "--job-id", job["id"])
        det = (out or {}).get("jobDetails", {})
        check("cli_get_job_details", rc == 0 and det.get("id") == job["id"] and
              "nonce" not in det and det.get("accountId") == "123456789012", (rc, out, err))

        # -- S3 with the job's artifact credentials -------------------------------------------
        dl = os.path.join(tmp, "input.zip")
        rc, out, err = cli.json(art, "s3api", "get-object", "--bucket", in_loc["bucketName"],
                                "--key", in_loc["objectKey"], dl)
        body = open(dl, "rb").read() if os.path.exists(dl) else b""
        check("cli_s3_get_input_artifact", rc == 0 and body == b"PK\x03\x04input-artifact" and
              (out or {}).get("ServerSideEncryption") == "aws:kms", (rc, out, err))
        up = os.path.join(tmp, "output.zip")
        with open(up, "wb") as f:
            f.write(b"PK\x05\x06" + os.urandom(3000))
        rc, out, err = cli.json(art, "s3api", "put-object", "--bucket", out_loc["bucketName"],
                                "--key", out_loc["objectKey"], "--body", up,
                                "--server-side-encryption", "aws:kms", "--ssekms-key-id",
                                KMS_KEY)
        meta = emu.object_meta(out_loc["bucketName"], out_loc["objectKey"]) if rc == 0 else {}
        check("cli_s3_put_output_sse_kms", rc == 0 and
              (out or {}).get("SSEKMSKeyId") == KMS_KEY and meta.get("sse") == "aws:kms" and
              meta.get("kmsKeyId") == KMS_KEY and meta.get("uploadedBy") == art[0] and
              emu.get_object(out_loc["bucketName"], out_loc["objectKey"]) == open(up, "rb").read(),
              (rc, out, err, meta))
        check("cli_s3_put_unsigned_payload_over_tls",
              meta.get("payload") == "UNSIGNED-PAYLOAD" and meta.get("contentMd5"), meta)
        dl2 = os.path.join(tmp, "roundtrip.zip")
        rc, out, err = cli.json(art, "s3api", "get-object", "--bucket", out_loc["bucketName"],
                                "--key", out_loc["objectKey"], "--range", "bytes=0-3", dl2)
        check("cli_s3_get_range", rc == 0 and open(dl2, "rb").read() == b"PK\x05\x06" and
              (out or {}).get("ContentRange") == "bytes 0-3/3004", (rc, out, err))
        rc, _, err = cli.run(art, "s3api", "get-object", "--bucket", out_loc["bucketName"],
                             "--key", "no/such/key", os.path.join(tmp, "x"))
        check("cli_s3_no_such_key", rc != 0 and "(NoSuchKey)" in err, (rc, err))
        # -- success with a continuation token; the continued job -------------------------------
        rc, out, err = cli.run(WORKER, "codepipeline", "put-job-success-result", "--job-id",
                               job["id"], "--continuation-token", "deploy-7f3a;phase=2",
                               "--execution-details",
                               "summary=Deploying to 12 devices,externalExecutionId=d-1,"
                               "percentComplete=40")
        first = emu.job(job["id"])
        cont_id = first.get("continuedBy")
        cont = emu.job(cont_id) if cont_id else {}
        check("cli_success_with_continuation", rc == 0 and first["state"] == "Succeeded" and
              first["result"].get("continuationToken") == "deploy-7f3a;phase=2" and
              first["result"].get("executionDetails", {}).get("percentComplete") == 40 and
              cont.get("state") == "Queued" and
              cont["data"].get("continuationToken") == "deploy-7f3a;phase=2",
              (rc, out, err, first))
        rc, out, err = cli.json(WORKER, "codepipeline", "poll-for-jobs", "--action-type-id", at,
                                "--max-batch-size", "5")
        jobs = (out or {}).get("jobs") or []
        check("cli_poll_returns_continued_job", rc == 0 and len(jobs) == 1 and
              jobs[0]["id"] == cont_id and
              jobs[0]["data"].get("continuationToken") == "deploy-7f3a;phase=2" and
              jobs[0]["nonce"] and jobs[0]["data"]["artifactCredentials"]["accessKeyId"] != art[0],
              (rc, out, err))
        rc, out, err = cli.json(WORKER, "codepipeline", "acknowledge-job", "--job-id",
                                cont_id or "x", "--nonce", jobs[0]["nonce"] if jobs else "1")
        check("cli_ack_continued_job", rc == 0 and out == {"status": "InProgress"},
              (rc, out, err))
        rc, out, err = cli.run(WORKER, "codepipeline", "put-job-success-result", "--job-id",
                               cont_id or "x", "--current-revision",
                               "revision=rev-42,changeIdentifier=chg-42,created=1735787045,"
                               "revisionSummary=Release 42",
                               "--output-variables", "DeployId=d-ABCDEF123,Devices=12")
        done = emu.job(cont_id) if cont_id else {}
        res = done.get("result") or {}
        check("cli_success_with_output_variables", rc == 0 and done.get("state") == "Succeeded"
              and res.get("outputVariables") == {"DeployId": "d-ABCDEF123", "Devices": "12"} and
              res.get("currentRevision", {}).get("created") == 1735787045, (rc, err, done))
        # -- failure; throttling and 503 retried by the CLI -----------------------
        job3 = emu.queue_job(provider="EdgeDeploy", configuration={"Fleet": "line-b"})
        emu.fault("throttle", operation="PollForJobs", count=1)
        rc, out, err = cli.json(WORKER, "codepipeline", "poll-for-jobs", "--action-type-id", at,
                                "--max-batch-size", "1", attempts=3)
        jobs = (out or {}).get("jobs") or []
        polls = [e for e in emu.requests() if e.get("operation") == "PollForJobs"][-2:]
        check("cli_retries_throttling", rc == 0 and len(jobs) == 1 and
              jobs[0]["id"] == job3["id"] and
              [(e["status"], e["error"]) for e in polls] ==
              [(400, "ThrottlingException"), (200, None)], (rc, err, polls))
        rc, out, err = cli.json(WORKER, "codepipeline", "acknowledge-job", "--job-id",
                                job3["id"], "--nonce", jobs[0]["nonce"] if jobs else "1")
        rc2, _, err2 = cli.run(WORKER, "codepipeline", "put-job-failure-result", "--job-id",
                               job3["id"], "--failure-details",
                               "type=JobFailed,message=3 of 12 devices failed: \u00e9/\u00fc,"
                               "externalExecutionId=d-ABCDEF123")
        j3 = emu.job(job3["id"])
        check("cli_failure_recorded", rc == 0 and rc2 == 0 and j3["state"] == "Failed" and
              j3["result"]["failureDetails"] == {"type": "JobFailed", "message":
                                                 "3 of 12 devices failed: \u00e9/\u00fc",
                                                 "externalExecutionId": "d-ABCDEF123"},
              (rc, err, rc2, err2, j3))
        emu.fault("error503", service="s3", operation="GetObject", count=1)
        rc, _, err = cli.run(art, "s3api", "get-object", "--bucket", in_loc["bucketName"],
                             "--key", in_loc["objectKey"], os.path.join(tmp, "y"), attempts=3)
        gets = [e for e in emu.requests() if e.get("operation") == "GetObject"][-2:]
        check("cli_retries_s3_503", rc == 0 and [e["status"] for e in gets] == [503, 200],
              (rc, err, gets))
        # -- every request the CLI made was verified ------------------------------------------
        log = emu.requests()
        unexpected = [e for e in log if e["sigOk"] is not True]
        check("cli_all_requests_signature_verified",
              len(log) >= 15 and not unexpected and
              all(e["accessKey"] == (WORKER[0] if e["service"] == "codepipeline" else art[0])
                  for e in log), (len(log), unexpected))
        check("cli_requests_over_tls", all(e["tls"] for e in log), log[:1])
    shutil.rmtree(tmp, ignore_errors=True)
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
