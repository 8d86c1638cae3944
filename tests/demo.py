#!/usr/bin/python3
"""make demo: one job worked through by cpjob against the local emulator.

Starts the CodePipeline/S3 emulator on loopback with TLS (a CA made now
by openssl), queues a job, then drives cpjob through the job-worker
lifecycle -- poll, acknowledge, report success -- printing each command and
its output, and finally the emulator's view of the job.
"""
import argparse
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/host")
    args = ap.parse_args()
    cpjob = os.path.join(TOP, args.build, "cpjob")
    with Emulator(credentials=["%s:%s" % (AKID, SECRET)]) as emu:
        endpoint = emu.endpoint.replace("127.0.0.1", "localhost")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
                   AWS_CA_BUNDLE=emu.ca_file, AWS_ENDPOINT_URL=endpoint,
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        job = emu.queue_job(provider="EdgeDeploy", configuration={"Fleet": "line-a"})
        print("emulator: https on %s (CA %s), queued job %s\n" % (endpoint, emu.ca_file, job["id"]))

        def run(*a):
            print("$ cpjob " + " ".join(a))
            p = subprocess.run([cpjob] + list(a), env=env, capture_output=True, text=True, timeout=120)
            sys.stdout.write(p.stdout)
            sys.stderr.write(p.stderr)
            if p.returncode != 0:
                print("cpjob exited %d" % p.returncode)
                sys.exit(1)
            return p.stdout

        out = run("poll", "--action-type-id",
                  "category=Deploy,owner=Custom,provider=EdgeDeploy,version=1", "--max-batch-size", "1")
        jobs = json.loads(out)["jobs"]
        if not jobs:
            print("no job polled")
            return 1
        j = jobs[0]
        run("ack", "--job-id", j["id"], "--nonce", j["nonce"])
        run("success", "--job-id", j["id"], "--execution-details",
            "summary=deployed to line-a,externalExecutionId=demo-1,percentComplete=100")
        view = emu.job(j["id"])
        print("\nemulator's view of job %s: state %s, result %s" % (
            j["id"], view["state"], json.dumps(view.get("result", {}), ensure_ascii=False)))
        bad = [r for r in emu.requests() if r.get("sigOk") is False]
        print("requests seen by the emulator: %d, signatures rejected: %d" % (len(emu.requests()), len(bad)))
        return 0 if view["state"] == "Succeeded" and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
