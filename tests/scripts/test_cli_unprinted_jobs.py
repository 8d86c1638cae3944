#!/usr/bin/python3
"""A one-shot `cpjob poll` that fails after PollForJobs handed its jobs out
never loses them without a word: the service does not hand a job out
again, so every job of the batch is named on stderr with its nonce
("cpjob: job ID, nonce N: handed out but not printed"), enough to
acknowledge and fail it. The failures after the poll, each against the
emulator:

- the output is larger than --output text can hold (256 KiB);
- the query's result is more than the --query store holds (the store
  takes the place of the jobs' strings, so the names must outlive them);
- a job of the batch cannot be read whole (nothing is printed), also
  when the jobs before it took the storage of the jobs' strings.

A poll that prints its jobs says nothing on stderr.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

CPJOB = os.path.join(os.environ.get("CPJ_BUILD", os.path.join(TOP, "build/host")), "cpjob")
AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
LINE = re.compile(r"^cpjob: job (\S+), nonce (\S+): handed out but not printed$", re.M)

results = []


def check(name, cond, detail=""):
    results.append(cond)
    print("%s %s%s" % ("PASS" if cond else "FAIL", name, "" if cond else ": " + str(detail)[:800]))
    sys.stdout.flush()


def cpjob(emu, provider, *args):
    return cpjob_at(emu, "category=Deploy,owner=Custom,provider=%s,version=1" % provider,
                    *args)


def cpjob_at(emu, at, *args):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
             AWS_CA_BUNDLE=emu.ca_file, AWS_CONFIG_FILE="/dev/null",
             AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true",
             AWS_ENDPOINT_URL=emu.endpoint.replace("127.0.0.1", "localhost"))
    p = subprocess.run([CPJOB, "poll", "--action-type-id", at] + list(args), env=e,
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def art(name, key, provider):
    return {"name": name, "revision": "r", "location": {"type": "S3", "s3Location": {
        "bucketName": "b-" + provider.lower(), "objectKey": key}}}


def named(emu, err, ids):
    """Each job handed out (Dispatched) and named once with its nonce."""
    got = dict(LINE.findall(err))
    want = {i: emu.job(i)["nonce"] for i in ids}
    states = {emu.job(i)["state"] for i in ids}
    return got == want and len(LINE.findall(err)) == len(ids) and states == {"Dispatched"}


def main():
    with Emulator() as emu:
        # output larger than --output text holds
        big = {"Note%d" % k: "x" * 700 for k in range(4)}
        ids = [emu.queue_job(provider="Big", configuration=big)["id"] for _ in range(50)]
        rc, out, err = cpjob(emu, "Big", "--max-batch-size", "50", "--output", "text")
        check("output_too_large_fails", rc == 255 and out == "" and "output over" in err,
              (rc, out[:200], err[:300]))
        check("output_too_large_names_every_job", named(emu, err, ids), err[-600:])

        # a result over the --query store's 4,096 values (18 jobs of 141
        # values loaded, then 100 x 101 new ones): named after the jobs'
        # strings are gone
        cfg = {"K%d" % k: "v" for k in range(16)}
        arts = [art("A%d" % k, "k%d" % k, "Tok") for k in range(5)]
        ids = [emu.queue_job(provider="Tok", configuration=cfg, input_artifacts=arts,
                             output_artifacts=arts)["id"] for _ in range(18)]
        hundred = "`[%s]`" % ",".join(["0"] * 100)
        rc, out, err = cpjob(emu, "Tok", "--max-batch-size", "18", "--query",
                             "%s[*].[%s[*]]" % (hundred, hundred))
        check("query_store_limit_fails", rc == 255 and out == "" and "over 4096 values" in err,
              (rc, out[:200], err[:300]))
        check("query_store_limit_names_every_job", named(emu, err, ids), err[-600:])

        # a job that cannot be read whole: nothing printed, the whole batch named
        good = [emu.queue_job(provider="Bad", configuration={"Mode": "ok"})["id"]
                for _ in range(2)]
        bad = emu.queue_job(provider="Bad", configuration={"Mode": "ok"},
                            input_artifacts=[art("In%d" % k, "k%d" % k, "Bad")
                                             for k in range(9)], output_artifacts=[])["id"]
        rc, out, err = cpjob(emu, "Bad", "--max-batch-size", "3")
        check("unreadable_job_fails", rc == 255 and out == ""
              and "cpjob: job %s: " % bad in err, (rc, out[:200], err[:300]))
        check("unreadable_job_names_the_batch", named(emu, err, good + [bad]), err[-600:])

        # the one-shot's largest sum of buffers (docs/agent.md, "Static
        # memory"): an action type read from a file, 50 jobs (the most a
        # poll asks for), --query
        tmp = tempfile.mkdtemp()
        at = os.path.join(tmp, "at.json")
        with open(at, "w") as f:
            json.dump({"category": "Deploy", "owner": "Custom", "provider": "Many",
                       "version": "1"}, f)
        ids = [emu.queue_job(provider="Many", input_artifacts=[], output_artifacts=[])["id"]
               for _ in range(50)]
        rc, out, err = cpjob_at(emu, "file://" + at, "--max-batch-size", "50",
                                "--query", "jobs[].id")
        check("largest_one_shot_fits", rc == 0 and json.loads(out or "null") == ids
              and err == "", (rc, out[:200], err[:300]))
        # more than 50 is refused before any request, as botocore refuses
        # a value over a maximum
        rc, out, err = cpjob_at(emu, "file://" + at, "--max-batch-size", "51")
        check("poll_over_50_refused", rc == 252 and out == "" and "Invalid value for "
              "parameter maxBatchSize, value: 51, valid max value: 50" in err, (rc, err[:300]))
        shutil.rmtree(tmp)

        # more strings than the jobs' storage holds (256 KiB, 32 KB a job): the
        # jobs before the end are read, those past it are not (each named with
        # the member that did not fit), nothing is printed, the batch is named
        big = {"K%02d" % k: "\u00e9" * 1000 for k in range(16)}
        ids = [emu.queue_job(provider="Pool", configuration=big)["id"] for _ in range(10)]
        rc, out, err = cpjob(emu, "Pool", "--max-batch-size", "50")
        past = re.findall(r"^cpjob: job (\S+): [^\n]*\(data\.[^)\n]*\)$", err, re.M)
        check("storage_ran_out_fails", rc == 255 and out == "" and 1 <= len(past) <= 8
              and set(past) <= set(ids), (rc, out[:200], err[:600]))
        check("storage_ran_out_names_the_batch", named(emu, err, ids), err[-600:])

        # a poll that prints its jobs: nothing on stderr
        ids = [emu.queue_job(provider="Fine")["id"] for _ in range(3)]
        rc, out, err = cpjob(emu, "Fine", "--max-batch-size", "5", "--output", "text")
        check("printed_jobs_say_nothing", rc == 0 and all(i in out for i in ids) and err == "",
              (rc, err[:300]))
    failed = results.count(False)
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
