#!/usr/bin/python3
"""test_json_python.py -- the JSON module and the job parser against Python's json.

1. Writer: strings of every kind go through cpj_json_writer (test_json
   --write); Python's json.loads must give the same text back. Byte strings
   that are not UTF-8 must be refused.
2. Reader: Python's json.dumps output (escaped and raw) goes through
   cpj_json_parse + cpj_json_get_str (test_json --read); the bytes must be
   the UTF-8 of the original. Lone surrogates and U+0000, which Python
   accepts, must be refused (documented in cpj_json.h).
3. Validator: mutated documents are accepted or rejected by
   cpj_json_parse (test_json --validate) exactly as by Python's json with
   strict UTF-8 and without its NaN/Infinity extension.
4. Jobs: every body in tests/data/api is read by the streaming parser
   (test_jobs_parse --dump, whole and byte by byte) and by Python; the
   model's members must agree.

Run from the repository top; uses $CPJ_BUILD_SAN (or $CPJ_BUILD).
"""
import json
import os
import random
import subprocess
import sys

TOP = os.environ.get("CPJ_TOP", ".")
BUILD = os.environ.get("CPJ_BUILD_SAN") or os.environ.get("CPJ_BUILD") or "build/host-san"
TEST_JSON = os.path.join(BUILD, "tests", "unit", "test_json")
TEST_JOBS = os.path.join(BUILD, "tests", "unit", "test_jobs_parse")
CPJ_ERR_PARAM = -1
CPJ_ERR_JSON_DEPTH = -67
CPJ_ERR_JSON_ESCAPE = -68

failed = 0


def report(name, ok, detail=""):
    global failed
    if ok:
        print("PASS " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + detail if detail else ""))
    sys.stdout.flush()


def run(argv, data):
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (argv, p.returncode,
                                                 p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout


def random_strings(rng, n):
    pools = [
        [chr(c) for c in range(0x20)] + ['"', "\\", "/", "\x7f"],
        [chr(c) for c in range(0x20, 0x7f)],
        [chr(c) for c in (0x80, 0xA0, 0xE9, 0x7FF, 0x800, 0x2028, 0x2029,
                          0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFF)],
        [chr(c) for c in (0x10000, 0x1F600, 0x1F389, 0x10437, 0x10FFFF)],
    ]
    out = ["", "plain", "\x00", "a\x00b", "\u2028\u2029", "\U0010ffff"]
    out += [chr(c) for c in range(0x80)]
    for _ in range(n):
        k = rng.randrange(0, 40)
        out.append("".join(rng.choice(rng.choice(pools)) for _ in range(k)))
    return out


def check_writer(strings):
    data = "".join(s.encode("utf-8").hex() + "\n" for s in strings).encode()
    lines = run([TEST_JSON, "--write"], data).decode("utf-8").split("\n")[:-1]
    bad = []
    if len(lines) != len(strings):
        report("writer_python_roundtrip", False, "%d lines for %d strings" % (len(lines), len(strings)))
        return
    for s, line in zip(strings, lines):
        try:
            ok = json.loads(line) == [s]
        except ValueError as e:
            ok = False
            line += " (%s)" % e
        # the writer escapes only what it must: \\u for control characters only
        if ok and not any(ord(c) < 0x20 for c in s) and "\\u" in line:
            ok = False
        if not ok:
            bad.append((s, line))
    report("writer_python_roundtrip", not bad, repr(bad[:3]))

    invalid = [b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff",
               b"a\x80", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc2\xc2"]
    for b in invalid:
        try:
            b.decode("utf-8")
            raise AssertionError("Python accepts %r" % b)
        except UnicodeDecodeError:
            pass
    data = "".join(b.hex() + "\n" for b in invalid).encode()
    lines = run([TEST_JSON, "--write"], data).decode().splitlines()
    report("writer_refuses_invalid_utf8",
           lines == ["ERR %d" % CPJ_ERR_PARAM] * len(invalid), repr(lines))


def has_lone_surrogate(s):
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def upper_hex(doc):
    # \u00e9 -> \u00E9: the reader must take both cases
    out, i = [], 0
    while i < len(doc):
        if doc.startswith("\\u", i):
            out.append("\\u" + doc[i + 2:i + 6].upper())
            i += 6
        elif doc[i] == "\\":
            out.append(doc[i:i + 2])
            i += 2
        else:
            out.append(doc[i])
            i += 1
    return "".join(out)


def check_reader(strings, rng):
    docs, want = [], []
    for s in strings:
        for ascii_only in (True, False):
            d = json.dumps([s], ensure_ascii=ascii_only)
            if rng.random() < 0.5:
                d = upper_hex(d)
            docs.append(d)
            want.append(s)
    # lone surrogates, alone and among other text
    for s in ["\ud800", "\udc00", "a\udbffb", "\udfff\ud800", "\ud83d",
              "x\ude00", "\ud83d\ud83d\ude00"]:
        docs.append(json.dumps([s], ensure_ascii=True))
        want.append(s)
    data = "".join(d + "\n" for d in docs).encode("utf-8")
    lines = run([TEST_JSON, "--read"], data).decode().splitlines()
    if len(lines) != len(docs):
        report("reader_python_roundtrip", False, "%d lines for %d docs" % (len(lines), len(docs)))
        return
    bad_ok, bad_refuse = [], []
    for d, s, line in zip(docs, want, lines):
        if has_lone_surrogate(s) or "\x00" in s:
            if line != "ERR %d" % CPJ_ERR_JSON_ESCAPE:
                bad_refuse.append((d, line))
            continue
        if line != s.encode("utf-8").hex():
            bad_ok.append((d, line))
    report("reader_python_roundtrip", not bad_ok, repr(bad_ok[:3]))
    report("reader_refuses_lone_surrogates_and_nul", not bad_refuse, repr(bad_refuse[:3]))


def python_accepts(b):
    def no_constants(name):
        raise ValueError("not JSON: " + name)
    try:
        json.loads(b.decode("utf-8"), parse_constant=no_constants)
        return True
    except (ValueError, RecursionError):
        return False


def mutate(rng, b):
    pool = b'{}[]",:\\u0 \nx-+1eE.tfnal\x80\xc3\xa9\xed\xa0\x01\x7f'
    b = bytearray(b)
    for _ in range(rng.randrange(1, 4)):
        if not b:
            break
        at = rng.randrange(len(b))
        c = pool[rng.randrange(len(pool))]
        op = rng.randrange(4)
        if op == 0:
            b[at] = c
        elif op == 1:
            b.insert(at, c)
        elif op == 2:
            del b[at]
        else:
            del b[at + 1:]
    return bytes(b)


def check_validator(rng):
    seeds = [b'{"a":[1,-2.5e-3,true,false,null,{"b":"c\\u00e9\\n"}],"d":""}',
             b'[0, 1E+2, -0.0, "x", {}, []]', b'"s"', b'123', b' null ']
    for name in sorted(os.listdir(os.path.join(TOP, "tests", "data", "api"))):
        with open(os.path.join(TOP, "tests", "data", "api", name), "rb") as f:
            seeds.append(f.read())
    docs = list(seeds)
    for _ in range(4000):
        docs.append(mutate(rng, seeds[rng.randrange(len(seeds))]))
    data = "".join(d.hex() + "\n" for d in docs).encode()
    lines = run([TEST_JSON, "--validate"], data).decode().split("\n")[:-1]
    if len(lines) != len(docs):
        report("validator_matches_python", False, "%d answers for %d docs" % (len(lines), len(docs)))
        return
    bad, accepted = [], 0
    for d, line in zip(docs, lines):
        r = int(line)
        if r == CPJ_ERR_JSON_DEPTH:
            continue
        if (r > 0) != python_accepts(d):
            bad.append((d[:80], r))
        accepted += r > 0
    report("validator_matches_python (%d documents, %d valid)" % (len(docs), accepted),
           not bad and 0 < accepted < len(docs), repr(bad[:3]))


# The service model's members of a job, as the parser exposes them.
S = "str"
ART = {"name": S, "revision": S,
       "location": {"type": S, "s3Location": {"bucketName": S, "objectKey": S}}}
DATA = {
    "actionTypeId": {"category": S, "owner": S, "provider": S, "version": S},
    "actionConfiguration": {"configuration": "map"},
    "pipelineContext": {"pipelineName": S, "stage": {"name": S},
                        "action": {"name": S, "actionExecutionId": S},
                        "pipelineArn": S, "pipelineExecutionId": S},
    "inputArtifacts": [ART], "outputArtifacts": [ART],
    "artifactCredentials": {"accessKeyId": S, "secretAccessKey": S, "sessionToken": S},
    "continuationToken": S,
    "encryptionKey": {"id": S, "type": S},
}
JOB = {"id": S, "nonce": S, "accountId": S, "data": DATA}
TP_JOB = {"clientId": S, "jobId": S}


def model_filter(v, shape):
    if v is None:
        return None
    if shape == S:
        return v
    if shape == "map":
        return {k: x for k, x in v.items()}
    if isinstance(shape, list):
        return [model_filter(x, shape[0]) for x in v]
    return {k: model_filter(v[k], sub) for k, sub in shape.items() if k in v}


def normalise(v):
    """Drop what carries no information: null, "", {} and [] members."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            x = normalise(x)
            if x not in (None, "", {}, []):
                out[k] = x
        return out
    if isinstance(v, list):
        return [normalise(x) for x in v]
    return v


def check_jobs():
    samples = [("poll", "poll_response_example.json"), ("poll", "poll_no_jobs.json"),
               ("poll", "poll_jobs_absent.json"), ("poll", "poll_jobs_null.json"),
               ("poll", "poll_unknown_members.json"), ("poll", "poll_unicode.json"),
               ("details", "get_job_details.json"),
               ("details", "get_third_party_job_details.json"),
               ("tp", "poll_third_party.json")]
    listed = sorted(f for f in os.listdir(os.path.join(TOP, "tests", "data", "api"))
                    if f.endswith(".json"))
    report("jobs_every_sample_listed", sorted(f for _, f in samples) == listed,
           repr(listed))
    for mode, name in samples:
        path = os.path.join(TOP, "tests", "data", "api", name)
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
        if mode == "details":
            jobs = [doc["jobDetails"]] if doc.get("jobDetails") is not None else []
        else:
            jobs = doc.get("jobs") or []
        shape = TP_JOB if mode == "tp" else JOB
        want = [normalise(model_filter(j, shape)) for j in jobs]
        for chunk in ("0", "1"):
            out = json.loads(run([TEST_JOBS, "--dump", mode, path, chunk], b"").decode("utf-8"))
            got = []
            errs = []
            for j in out["jobs"]:
                errs.append(j.pop("err"))
                j.pop("flags")
                got.append(normalise(j))
            ok = out["rc"] == len(jobs) and all(e == 0 for e in errs) and got == want
            detail = "" if ok else "rc %d errs %r\n got %r\nwant %r" % (out["rc"], errs, got, want)
            report("jobs_match_python %s chunk=%s" % (name, chunk), ok, detail)


def main():
    for prog in (TEST_JSON, TEST_JOBS):
        if not os.access(prog, os.X_OK):
            report("programs_built", False, prog + " missing")
            return 1
    rng = random.Random(20240229)
    strings = random_strings(rng, 1500)
    check_writer(strings)
    check_reader(strings, rng)
    check_validator(rng)
    check_jobs()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
