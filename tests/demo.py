#!/usr/bin/python3
"""make demo: the main job of cpjob, end to end, on loopback.

Starts the CodePipeline/S3 emulator with TLS (a CA made now by openssl),
creates the pipeline's artifact bucket (SSE-KMS required), stores a real
zip as the input artifact, and queues a job that names it, an output
artifact and the artifact store's KMS key. Then runs the worker,

    cpjob run --once --exit-when-idle --exec src/agent/handler-example.sh

which polls, acknowledges, downloads the zip with the job's temporary
credentials, runs the example handler, uploads its report with SSE-KMS
and reports success. Prints the agent's log and the emulator's view of
the result; exits 0 when the job succeeded and its output is stored.
"""
import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BUCKET = "codepipeline-us-east-1-123456789012"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROVIDER = "EdgeDeploy"


def release_zip():
    """The build output a pipeline would hand to the deploy stage."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps({"name": "gateway-app", "version": "1.4.2",
                                                 "files": ["bin/gateway-app"]}, indent=2))
        z.writestr("bin/gateway-app", bytes(range(256)) * 256)
        z.writestr("README.txt", "gateway-app 1.4.2\n")
    return buf.getvalue()


def artifact(name, key):
    return {"name": name, "revision": "r-1.4.2",
            "location": {"type": "S3", "s3Location": {"bucketName": BUCKET, "objectKey": key}}}


def vm_hwm(pid):
    """The process's peak resident set (VmHWM, KiB), or 0."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_from_log(path):
    """The agent's "peak RSS N KiB" from its last log line, or 0."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "peak RSS " in line:
                try:
                    return int(line.split("peak RSS ")[1].split()[0])
                except (IndexError, ValueError):
                    pass
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/host")
    args = ap.parse_args()
    cpjob = os.path.join(TOP, args.build, "cpjob")
    handler = os.path.join(TOP, "src", "agent", "handler-example.sh")
    tmp = tempfile.mkdtemp(prefix="cpjob-demo-")
    # run a copy, so that a checkout without the executable bit works too
    shutil.copy(handler, os.path.join(tmp, "handler-example.sh"))
    handler = os.path.join(tmp, "handler-example.sh")
    os.chmod(handler, 0o755)
    try:
        with Emulator(credentials=["%s:%s" % (AKID, SECRET)]) as emu:
            return demo(emu, cpjob, handler, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def demo(emu, cpjob, handler, tmp):
    emu.bucket(BUCKET, requireSse="aws:kms", requireKmsKeyId=KMS)
    data = release_zip()
    in_key = "edge-pipeline/BuildOutpu/Rel142a"
    emu.put_object(BUCKET, in_key, data, sse="aws:kms", kms_key_id=KMS,
                   content_type="application/zip")
    job = emu.queue_job(provider=PROVIDER, configuration={"Fleet": "line-a"},
                        encryption_key=KMS,
                        input_artifacts=[artifact("BuildOutput", in_key)],
                        output_artifacts=[artifact("DeployReport",
                                                   "edge-pipeline/DeployRepo/Rep142b")])
    jid = job["id"]
    print("emulator: CodePipeline and S3 on %s (TLS, CA %s)" % (emu.endpoint, emu.ca_file))
    print("queued job %s: input s3://%s/%s (zip, %d bytes), KMS key ...%s\n" % (
        jid, BUCKET, in_key, len(data), KMS[-12:]))

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("JOURNAL_STREAM", None)
    env.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
               AWS_CA_BUNDLE=emu.ca_file, AWS_ENDPOINT_URL=emu.endpoint,
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_EC2_METADATA_DISABLED="true")
    cmd = [cpjob, "run", "--action-type-id",
           "category=Deploy,owner=Custom,provider=%s,version=1" % PROVIDER,
           "--exec", handler, "--work-dir", os.path.join(tmp, "work"),
           "--state-file", os.path.join(tmp, "state"), "--once", "--exit-when-idle"]
    print("$ cpjob run --action-type-id category=Deploy,owner=Custom,provider=%s,version=1 \\"
          % PROVIDER)
    print("    --exec src/agent/handler-example.sh --work-dir ... --state-file ... "
          "--once --exit-when-idle")
    log_path = os.path.join(tmp, "agent.log")
    with open(log_path, "wb") as log_f:
        proc = subprocess.Popen(cmd, env=env, stdout=log_f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        hwm = 0
        deadline = time.monotonic() + 120
        status = None
        while status is None:
            hwm = max(hwm, vm_hwm(proc.pid))
            pid, st = os.waitpid(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status = os.waitstatus_to_exitcode(st)
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                print("cpjob run did not finish in 120 s")
                return 1
            time.sleep(0.005)
        proc.returncode = status
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            # "2025-01-02T03:04:05Z cpjob[123]: info: msg" -> "  info: msg"
            parts = line.rstrip("\n").split(": ", 1)
            print("  " + (parts[1] if len(parts) == 2 and parts[0].startswith("20") else line
                          .rstrip("\n")))
    # the agent's own figure (VmHWM at exit) is in its last log line; the
    # sampled one is a lower bound (ru_maxrss would also count the
    # image before execve, i.e. this Python process)
    print("cpjob exited with status %d; agent peak RSS (VmHWM) %d KiB\n" % (
        status, max(hwm, peak_from_log(log_path))))

    view = emu.job(jid)
    res = view.get("result") or {}
    print("emulator's view of job %s:" % jid)
    print("  state %s, reports received %d" % (view["state"], len(view["attempts"])))
    ed = res.get("executionDetails") or {}
    if ed:
        print("  summary: %s" % ed.get("summary"))
        print("  external execution id: %s, %s%% complete" % (
            ed.get("externalExecutionId"), ed.get("percentComplete")))
    for k, v in sorted((res.get("outputVariables") or {}).items()):
        print("  output variable %s = %s" % (k, v))
    if res.get("failureDetails"):
        print("  failure: %s" % json.dumps(res["failureDetails"], ensure_ascii=False))
    out_key = job["data"]["outputArtifacts"][0]["location"]["s3Location"]["objectKey"]
    meta = {o["key"]: o for o in emu.admin("GET", "objects")}.get(out_key)
    ok_out = False
    if meta is None:
        print("  output artifact DeployReport: not stored")
    else:
        creds = job["data"]["artifactCredentials"]["accessKeyId"]
        print("  output artifact DeployReport: s3://%s/%s, %d bytes, SSE %s, KMS key ...%s,"
              % (BUCKET, out_key, meta["size"], meta["sse"], (meta["kmsKeyId"] or "")[-12:]))
        print("    payload %s, uploaded with the job's artifact credentials: %s" % (
            meta["payload"], "yes" if meta["uploadedBy"] == creds else "NO"))
        ok_out = meta["sse"] == "aws:kms" and meta["kmsKeyId"] == KMS \
            and meta["uploadedBy"] == creds
        body = emu.get_object(BUCKET, out_key).decode("utf-8", "replace")
        print("    | " + "\n    | ".join(body.rstrip("\n").splitlines()))
    reqs = emu.requests()
    bad = [r for r in reqs if r.get("sigOk") is False]
    print("requests seen by the emulator: %d (%s); signatures rejected: %d" % (
        len(reqs), ", ".join(r["operation"] for r in reqs), len(bad)))
    good = status == 0 and view["state"] == "Succeeded" and len(view["attempts"]) == 1 \
        and ok_out and not bad
    print("\ndemo %s" % ("succeeded" if good else "FAILED"))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
