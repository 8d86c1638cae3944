#!/usr/bin/python3
"""--query and --output text of the one-shot commands against Debian's aws
CLI: a fixed list of expressions (what scripts pull out of poll-for-jobs,
and the corners of the text format: scalars, None/True, floats, lists of
objects with differing keys, nested lists), each run as
`cpjob poll ... --query Q --output text|json` and as
`aws codepipeline poll-for-jobs ... --query Q --output text|json` over the
same answer (0, 1 and 5 jobs) from a loopback HTTP server, plus no query
with --output text, a bad expression (exit 252), a failing one, and
--output yaml/table (refused, 252). stdout and exit statuses must be
equal.

The aws CLI runs in one Python process through awscli.clidriver (what
/usr/bin/aws calls), so that hundreds of runs take seconds; a few runs of
/usr/bin/aws itself check that this gives the same output.
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

TOP = os.environ.get("CPJ_TOP", os.getcwd())
CPJOB = os.path.join(os.environ.get("CPJ_BUILD", os.path.join(TOP, "build/host")), "cpjob")
AT = "category=Build,owner=Custom,provider=QueryTest,version=1"
FAILED = []

EXPRS = [
    "jobs[0].id", "jobs[*].id", "jobs[].id", "jobs[0].[id, nonce]", "jobs[].[id, nonce]",
    "jobs[0].data.actionConfiguration.configuration",
    "jobs[0].data.actionConfiguration.configuration.FunctionName",
    "jobs[].data.inputArtifacts[].location.s3Location",
    "jobs[].data.inputArtifacts[].location.s3Location.[bucketName, objectKey]",
    "jobs[0].data.artifactCredentials",
    "jobs[?data.actionTypeId.version=='1'].id",
    "jobs[?data.pipelineContext.stage.name=='Build'] | [0].id",
    "length(jobs)", "length(jobs[0].id)", "keys(jobs[0])", "values(jobs[0].data.actionTypeId)",
    "join(',', jobs[].id)", "contains(jobs[].id, 'job-2')", "to_string(jobs[0].data.actionTypeId)",
    "jobs[0].data.pipelineContext.{pipeline: pipelineName, stage: stage.name, action: action.name}",
    "jobs[].{id: id, nonce: nonce}", "jobs[-1].id", "jobs[1:3].id", "jobs[::-1].id",
    "jobs[*].data.outputArtifacts[*].name", "jobs[].data.outputArtifacts[]", "jobs[].data.*",
    "jobs[0].data.actionTypeId.*", "jobs | length(@)",
    "jobs[?length(data.inputArtifacts) > `0`].id",
    "jobs[?contains(data.actionConfiguration.configuration.FunctionName, 'f')].id",
    "jobs[0].nosuch", "nosuch", "@", "jobs[0]", "jobs", "jobs[].data.continuationToken",
    "jobs[?data.continuationToken].id", "jobs[?!data.continuationToken].id",
    "jobs[0].data.encryptionKey", "jobs[0].data.pipelineContext.pipelineArn || 'none'",
    "{count: length(jobs), ids: jobs[].id}",
    "jobs[].[id, data.actionTypeId.version, data.pipelineContext.stage.name]",
    "[jobs[0].id, `null`, `true`, `2.5`, `10`]", "jobs[].data.actionConfiguration.configuration | [0]",
    "jobs[0].data.inputArtifacts", "not_null(jobs[0].data.continuationToken, 'none')",
    "jobs[?nonce > '2'].nonce", "jobs[].[id, [nonce]]",
    "[{a: `1`}, {b: `[1, 2]`, a: `{\"x\": 1}`}]", "jobs[].data.pipelineContext",
    "{}", "`{}`", "`[]`", "jobs[0].data.actionConfiguration.configuration.Note",
]


def artifact(name, bucket, key):
    return {"name": name, "location": {"type": "S3", "s3Location": {
        "bucketName": bucket, "objectKey": key}}}


def job(i):
    d = {"actionTypeId": {"category": "Build", "owner": "Custom", "provider": "QueryTest",
                          "version": "1"},
         "actionConfiguration": {"configuration": {
             "FunctionName": "fn-%d" % i, "Note": "caf\u00e9 \"q\"\ttab \u2603 %d" % i}},
         "pipelineContext": {"pipelineName": "pipe", "stage": {"name": ["Source", "Build"][i % 2]},
                             "action": {"name": "act-%d" % i},
                             "pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:pipe",
                             "pipelineExecutionId": "exec-%d" % i},
         "inputArtifacts": [artifact("src", "bucket", "in/%d.zip" % i)] if i % 3 != 2 else [],
         "outputArtifacts": [artifact("out", "bucket", "out/%d.zip" % i),
                             artifact("out2", "bucket2", "o2/%d" % i)][:1 + i % 2],
         "artifactCredentials": {"accessKeyId": "AKIDJOB%d" % i, "secretAccessKey": "secret",
                                 "sessionToken": "token"}}
    if i % 2:
        d["continuationToken"] = "cont-%d" % i
    if i == 0:
        d["encryptionKey"] = {"id": "arn:aws:kms:us-east-1:123456789012:key/k", "type": "KMS"}
    return {"id": "job-%d" % i, "data": d, "nonce": str(i + 1), "accountId": "123456789012"}


class Handler(http.server.BaseHTTPRequestHandler):
    body = b"{}"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.send_header("Content-Length", str(len(Handler.body)))
        self.end_headers()
        self.wfile.write(Handler.body)

    def log_message(self, *a):
        pass


AWS_DRIVER = r"""
import io, json, sys
from awscli.clidriver import create_clidriver
out = []
driver = create_clidriver()
for args in json.load(sys.stdin):
    so, se = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = so, se
    try:
        rc = driver.main(args)
    except SystemExit as e:
        rc = e.code
    finally:
        sys.stdout, sys.stderr = old
    out.append([rc, so.getvalue(), se.getvalue()])
json.dump(out, sys.stdout)
"""


def environ(endpoint):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
             AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
             AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
             AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="", AWS_MAX_ATTEMPTS="1",
             PYTHONIOENCODING="utf-8")
    return e


def check(name, cond, detail=""):
    if not cond:
        FAILED.append(name)
    print("%s %s%s" % ("PASS" if cond else "FAIL", name, "" if cond else ": " + str(detail)[:1500]),
          flush=True)


def aws_args(endpoint, extra):
    return ["codepipeline", "poll-for-jobs", "--action-type-id", AT, "--max-batch-size", "10",
            "--endpoint-url", endpoint] + extra


def run_aws_batch(endpoint, arglists):
    p = subprocess.run(["/usr/bin/python3", "-c", AWS_DRIVER], input=json.dumps(arglists),
                       capture_output=True, text=True, env=environ(endpoint), timeout=300)
    if p.returncode != 0:
        raise RuntimeError("aws driver: " + p.stderr[-2000:])
    return json.loads(p.stdout)


def run_cpjob(endpoint, extra):
    p = subprocess.run([CPJOB, "poll", "--action-type-id", AT, "--max-batch-size", "10",
                        "--endpoint-url", endpoint] + extra, capture_output=True,
                       env=environ(endpoint), timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def other_ops(endpoint):
    """get, ack, success (an empty answer: with a query, `null` / `None`)."""
    jid = "0a1b2c3d-0000-4000-8000-000000000001"
    ops = [("get", ["--job-id", jid], "get-job-details",
            {"jobDetails": {"id": jid, "data": job(1)["data"], "accountId": "123456789012"}},
            ["jobDetails.data.pipelineContext", "jobDetails.data.inputArtifacts"]),
           ("ack", ["--job-id", jid, "--nonce", "1"], "acknowledge-job",
            {"status": "InProgress"}, ["status"]),
           ("success", ["--job-id", jid], "put-job-success-result", {},
            ["@", "nosuch"])]
    for name, args, aws_op, body, exprs in ops:
        Handler.body = json.dumps(body).encode()
        cases = [["--output", "text"]]
        for i, q in enumerate(exprs):
            cases.append(["--query", q, "--output", ["text", "json"][i % 2]])
        if not body:
            cases.append(["--query", "length(@)", "--output", "text"])
        want = run_aws_batch(endpoint, [["codepipeline", aws_op] + args + ["--endpoint-url",
                                         endpoint] + c for c in cases])
        bad = []
        for c, (arc, aout, aerr) in zip(cases, want):
            p = subprocess.run([CPJOB, name] + args + ["--endpoint-url", endpoint] + c,
                               capture_output=True, env=environ(endpoint), timeout=60)
            out = p.stdout.decode("utf-8", "replace")
            if (p.returncode, out) != (arc, aout):
                bad.append((c, p.returncode, out, arc, aout, aerr[-200:]))
        check("query_equals_aws_cli_%s (%d runs)" % (name, len(cases)), not bad, bad[:3])


def heap_calls(endpoint, tmp):
    """--query and --output text add no heap allocation: the counts of an
    LD_PRELOAD counter (tests/bench/alloc_count.c) equal those of the plain
    json output (glibc's own: getaddrinfo, stdout's buffer)."""
    so = os.path.join(tmp, "alloc_count.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", so,
                    os.path.join(TOP, "tests", "bench", "alloc_count.c")], check=True)
    Handler.body = json.dumps({"jobs": [job(i) for i in range(5)]}).encode()
    counts = []
    for extra in ([], ["--output", "text"], ["--query", "jobs[?nonce > '2'].{i: id, n: nonce}",
                                               "--output", "text"],
                  ["--query", "jobs[].data.*", "--output", "json"]):
        log = os.path.join(tmp, "count%d" % len(counts))
        env = environ(endpoint)
        env.update(LD_PRELOAD=so, ALLOC_COUNT_OUT=log)
        p = subprocess.run([CPJOB, "poll", "--action-type-id", AT, "--max-batch-size", "10",
                            "--endpoint-url", endpoint]
                           + extra, capture_output=True, env=env, timeout=60)
        with open(log) as f:
            counts.append((p.returncode, json.loads(f.read().splitlines()[-1])["total"]))
        if p.returncode != 0:
            print(p.stderr.decode()[-500:])
    check("query_and_text_allocate_nothing", len(set(counts)) == 1 and counts[0][0] == 0, counts)


def dense_jobs():
    """The densest poll answer cpjob renders into its 128 KiB document
    (jmespath.h, JP_CELLS_MAX): 50 jobs (the most a poll asks for) with
    every member present and empty, 16 configuration entries each, then
    artifacts (8 + 8 a job) up to the size: 3,175 values."""
    def art():
        return {"name": "", "revision": "", "location": {"type": "", "s3Location": {
            "bucketName": "", "objectKey": ""}}}
    jobs = [{"id": "", "data": {
        "actionTypeId": {"category": "", "owner": "", "provider": "", "version": ""},
        "actionConfiguration": {"configuration": {chr(97 + k): "" for k in range(16)}},
        "pipelineContext": {"pipelineName": "", "stage": {"name": ""},
                            "action": {"name": "", "actionExecutionId": ""},
                            "pipelineArn": "", "pipelineExecutionId": ""},
        "inputArtifacts": [], "outputArtifacts": [],
        "artifactCredentials": {"accessKeyId": "", "secretAccessKey": "", "sessionToken": ""},
        "continuationToken": "", "encryptionKey": {"id": "", "type": ""}},
        "nonce": "", "accountId": ""} for _ in range(50)]
    for k in range(103):
        jobs[k // 16]["data"]["outputArtifacts" if k % 16 >= 8 else "inputArtifacts"].append(art())
    return {"jobs": jobs}


def values(v):
    if isinstance(v, dict):
        return len(v) + sum(values(x) for x in v.values())
    if isinstance(v, list):
        return len(v) + sum(values(x) for x in v)
    return 0


def limits(endpoint):
    """The JMESPath store's limits (jmespath.h): the densest document cpjob
    renders loads and answers as the aws CLI does; a result over the
    values left fails with a message naming the limit, never cut short."""
    body = dense_jobs()
    Handler.body = json.dumps(body).encode()
    rendered = len(json.dumps(body, indent=4)) + 1
    check("dense_document_fills_the_document", values(body) == 3175
          and 131072 - 250 < rendered <= 131072, (values(body), rendered))
    base = ["poll", "--action-type-id", AT, "--max-batch-size", "50", "--endpoint-url",
            endpoint]
    cases = [["--output", "text"], ["--query", "length(jobs[].data.inputArtifacts[])"],
             ["--query", "jobs[5].data.inputArtifacts[-1]", "--output", "text"],
             ["--query", "sort_by(jobs[].data.outputArtifacts[], &name)[0]"]]
    want = run_aws_batch(endpoint, [["codepipeline", "poll-for-jobs"] + base[1:] + c
                                    for c in cases])
    bad = []
    for c, (arc, aout, aerr) in zip(cases, want):
        p = subprocess.run([CPJOB] + base + c, capture_output=True, env=environ(endpoint),
                           timeout=60)
        if (p.returncode, p.stdout.decode("utf-8", "replace")) != (arc, aout) or arc != 0:
            bad.append((c, p.returncode, p.stderr[-300:], arc, aerr[-300:]))
    check("dense_document_equals_aws_cli (%d runs)" % len(cases), not bad, bad)
    # 100 x 101 new values over 5 jobs: more than the store holds
    hundred = "`[%s]`" % ",".join(["0"] * 100)
    Handler.body = json.dumps({"jobs": [job(i) for i in range(5)]}).encode()
    p = subprocess.run([CPJOB] + base + ["--query", "%s[*].[%s[*]]" % (hundred, hundred)],
                       capture_output=True, env=environ(endpoint), timeout=60)
    err = p.stderr.decode()
    check("query_result_over_the_store_refused", p.returncode == 255 and p.stdout == b""
          and "query result too large (over 4096 values" in err, (p.returncode, err[-300:]))


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    endpoint = "http://127.0.0.1:%d" % srv.server_address[1]
    cases = [[]]
    for fmt in ("text", "json"):
        cases.append(["--output", fmt])
        for q in EXPRS:
            cases.append(["--query", q, "--output", fmt])
    cases += [["--query", "jobs[", "--output", "text"], ["--query", "length(`1`)"],
              ["--output", "xml"]]
    refused = [["--query", "jobs[0].id", "--output", "yaml"], ["--output", "table"],
               ["--output", "yaml-stream"]]
    equal = {}
    try:
        for n in (0, 1, 5):
            Handler.body = json.dumps({"jobs": [job(i) for i in range(n)]}).encode()
            want = run_aws_batch(endpoint, [aws_args(endpoint, c) for c in cases])
            bad = 0
            for c, (arc, aout, aerr) in zip(cases, want):
                rc, out, err = run_cpjob(endpoint, c)
                name = "%d jobs %s" % (n, " ".join(c) or "(json)")
                same = out == aout and (rc == arc or (arc == 255 and rc == 255))
                if arc == 252:       # refused before sending: status only
                    same = rc == 252
                if not same:
                    bad += 1
                    check("query_equals_aws_cli %s" % name, False,
                          "cpjob %d %r %r | aws %d %r %r" % (rc, out, err[-300:], arc, aout,
                                                              aerr[-300:]))
                equal[tuple(c)] = (arc, aout)
            check("query_outputs_equal_aws_cli_%d_jobs (%d runs)" % (n, len(cases)), bad == 0)
        # a byte that is not UTF-8 in a raw string: the aws CLI cannot print it (255)
        p = subprocess.run([CPJOB.encode(), b"poll", b"--action-type-id", AT.encode(),
                            b"--endpoint-url", endpoint.encode(), b"--query", b"'\xff'",
                            b"--output", b"text"], capture_output=True, env=environ(endpoint),
                           timeout=60)
        check("query_result_not_utf8_refused", p.returncode == 255 and p.stdout == b"",
              (p.returncode, p.stdout, p.stderr[-300:]))
        for c in refused:   # the aws CLI has them; cpjob says what it has
            rc, out, err = run_cpjob(endpoint, c)
            check("output_refused %s" % " ".join(c), rc == 252 and out == ""
                  and "json" in err and "text" in err, (rc, out, err[:300]))
        # the in-process aws CLI is /usr/bin/aws
        spot = [["--query", "jobs[].[id, nonce]", "--output", "text"],
                ["--query", "jobs[].data.pipelineContext", "--output", "json"],
                ["--output", "text"]]
        for c in spot:
            p = subprocess.run(["/usr/bin/aws"] + aws_args(endpoint, c), capture_output=True,
                               text=True, env=environ(endpoint), timeout=60)
            check("in_process_equals_usr_bin_aws %s" % " ".join(c),
                  (p.returncode, p.stdout) == equal[tuple(c)], (p.returncode, p.stdout))
        check("expression_list_at_least_40", len(EXPRS) >= 40, len(EXPRS))
        other_ops(endpoint)
        limits(endpoint)
        if "san" not in os.path.basename(os.path.dirname(CPJOB)):   # ASan owns malloc
            with tempfile.TemporaryDirectory() as tmp:
                heap_calls(endpoint, tmp)
    finally:
        srv.shutdown()
    print("%d failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
