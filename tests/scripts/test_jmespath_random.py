#!/usr/bin/python3
"""Random JMESPath differential: cpjob's evaluator (src/agent/jmespath*.c
and out_text.c, through tests/integration/test_jmespath --batch) against
Debian's python3-jmespath, the implementation the aws CLI runs, and the
aws CLI's own text formatter (awscli/text.py).

Random poll results (0 to 5 jobs shaped as `aws codepipeline
poll-for-jobs` prints them, strings drawn from small pools so that filters
match; some objects give a key twice, which json.loads and cpjob read as
the last value in the first place) and random expressions of the grammar cpjob implements, a part of
them corrupted (a character deleted, inserted or replaced; cut short).
For every expression: the same verdict (rejected when parsed / failed
when evaluated / a result), the same result (compact JSON), the same
--output text and --output json renderings. Seeded: CPJ_JMESPATH_SEED,
CPJ_JMESPATH_N (expressions, default 4000).
"""
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import jmespath  # noqa: E402
from jmespath import exceptions as jexc  # noqa: E402
from awscli.text import format_text  # noqa: E402

TOP = os.environ.get("CPJ_TOP") or os.getcwd()
BUILD = os.environ.get("CPJ_BUILD_SAN") or os.environ.get("CPJ_BUILD") or os.path.join(TOP, "build", "host")
PROG = os.path.join(BUILD, "tests", "integration", "test_jmespath")
FAILED = []

WORDS = ["a", "b", "job-1", "Source", "Build", "", "x y", "caf\u00e9", "tab\there",
         "quote'\"", "1", "us-east-1", "\u2603", "123456789012", "bucket", "key/obj.zip"]
KEYS = ["jobs", "id", "data", "nonce", "accountId", "actionTypeId", "category",
        "owner", "provider", "version", "actionConfiguration", "configuration",
        "pipelineContext", "pipelineName", "stage", "name", "action", "inputArtifacts",
        "outputArtifacts", "location", "s3Location", "bucketName", "objectKey", "type",
        "artifactCredentials", "accessKeyId", "continuationToken", "encryptionKey",
        "FunctionName", "UserParameters", "missing"]
# corners of the lexer, parser and evaluator
EDGES = ['"jobs"[0]', '"a\\"b"', '"\\u006aobs"', '` foo`', '`"x"`', '`[1, 2.50, -0.0, 1e2]`',
         "&id", "not_null()", "length(@, @)", "[?`true`]", "jobs[:-1:2]", "jobs[5:1:-2]",
         "@.jobs", "jobs[0] | keys(@)", "`1` < `2.5`", "'a' < 'b'", "`[1,2]` == `[1,2.0]`",
         '`{"a":1}` == `{"a":true}`', "contains(`[1]`, `true`)", "to_string(`1.0`)",
         'to_string(`"\\u00e9\\ud83d\\ude00\\u007f"`)', 'join(`"-"`, `["a", 1]`)',
         "`0` == `false`", "!`0`", "jobs[0].id[0]", "'x'[*]", '`"x"`.*', "{a: `1`, a: `2`}",
         "[`1`, `2`][?@ > `1`]", "length('\u2603')", "jobs[?@]", "jobs[-10:10]",
         "`0.1`", "`1e-7`", "`123456789.125`", "`1e22`", "[`-1.5e-3`]", "`[[1, [2]], 3]`[]",
         "'it\\'s'", "'a\\\\b'", "` \\`x`", "`{\"k\": {\"j\": []}}`.*.*", "jobs[*][0]",
         "jobs[][][]", "jobs.*", "*", "[*]", "[]", "jobs[?`1`]", "values(@)[0][0]",
         "jobs[0].{id: id}.id", "to_string(jobs[0].data.actionTypeId)", "`null` == nosuch",
         "length(`{}`) == `0`", "a.b.c.d.e.f", "jobs[?data.actionTypeId.version >= `1`]"]
FUNCS = ["length", "keys", "values", "contains", "join", "to_string", "not_null", "abs", "avg",
         "ceil", "ends_with", "floor", "map", "max", "max_by", "merge", "min", "min_by",
         "reverse", "sort", "sort_by", "starts_with", "sum", "to_array", "to_number", "type",
         "nosuch"]
ARITY = {"contains": 2, "join": 2, "ends_with": 2, "starts_with": 2, "map": 2, "max_by": 2,
         "min_by": 2, "sort_by": 2}
EXPREF_ARG = {"map": 0, "max_by": 1, "min_by": 1, "sort_by": 1}


def rword(r):
    return r.choice(WORDS)


def artifact(r):
    return {"name": rword(r), "location": {"type": "S3", "s3Location": {
        "bucketName": rword(r), "objectKey": rword(r)}}}


def job(r):
    d = {"actionTypeId": {"category": r.choice(["Build", "Test", "Deploy"]), "owner": "Custom",
                          "provider": rword(r), "version": r.choice(["1", "2"])},
         "actionConfiguration": {"configuration": {k: rword(r) for k in
                                                   r.sample(["FunctionName", "UserParameters", "a", "b"], r.randint(0, 3))}},
         "pipelineContext": {"pipelineName": rword(r), "stage": {"name": rword(r)},
                             "action": {"name": rword(r)}},
         "inputArtifacts": [artifact(r) for _ in range(r.randint(0, 2))],
         "outputArtifacts": [artifact(r) for _ in range(r.randint(0, 2))]}
    if r.random() < 0.5:
        d["continuationToken"] = rword(r)
    if r.random() < 0.5:
        d["artifactCredentials"] = {"accessKeyId": "AKID", "secretAccessKey": "s",
                                    "sessionToken": "t"}
    return {"id": "%08x-0000" % r.getrandbits(32), "data": d, "nonce": str(r.randint(1, 9)),
            "accountId": "123456789012"}


def literal(r, depth=0):
    k = r.randint(0, 9 if depth < 2 else 6)
    if k == 0:
        return "`%d`" % r.randint(-3, 6)
    if k == 1:
        return "`%s`" % r.choice(["1.5", "0.25", "-2.0", "1e3", "true", "false", "null"])
    if k == 2:
        return "'%s'" % r.choice(["a", "Build", "", "1", "caf\u00e9", "it\\'s", "x y"])
    if k == 3:
        return "`\"%s\"`" % r.choice(["a", "Build", "1", "job-1"])
    if k in (4, 5, 6):
        return "'%s'" % rword(r).replace("\\", "").replace("'", "\\'")
    if k == 7:
        return "`[%s]`" % ",".join(json.dumps(rword(r)) for _ in range(r.randint(0, 3)))
    if k == 8:
        return "`{\"a\": %d, \"b\": [1, 2]%s}`" % (r.randint(0, 2), r.choice(
            ["", ", \"a\": 5", ", \"b\": {\"c\": 1, \"c\": 2}"]))
    return "`[1, true, \"1\"]`"


def ident(r):
    k = r.choice(KEYS)
    if r.random() < 0.1:
        return json.dumps(k)
    return k


def expr(r, depth=0):
    """A random expression (a string)."""
    if depth > 3:
        return r.choice([ident(r), "@", literal(r, depth)])
    k = r.randint(0, 20)
    e = lambda: expr(r, depth + 1)  # noqa: E731
    if k <= 2:
        return ident(r)
    if k == 3:
        return "%s.%s" % (e(), ident(r))
    if k == 4:
        return "%s[%d]" % (e(), r.randint(-3, 3))
    if k == 5:
        parts = [r.choice(["", str(r.randint(-3, 3))]) for _ in range(3)]
        s = ":".join(parts[:r.randint(2, 3)])
        return "%s[%s]" % (e(), s)
    if k == 6:
        return "%s[*]%s" % (e(), r.choice(["", "." + ident(r), "[0]", ".*"]))
    if k == 7:
        return "%s[]%s" % (e(), r.choice(["", "." + ident(r), "[]"]))
    if k == 8:
        return "%s.*%s" % (e(), r.choice(["", "." + ident(r)]))
    if k == 9:
        op = r.choice(["==", "!=", "<", "<=", ">", ">="])
        return "%s[?%s %s %s]%s" % (e(), e(), op, r.choice([literal(r, depth), e()]),
                                     r.choice(["", "." + ident(r), "[]"]))
    if k == 10:
        return "%s[?%s]" % (e(), e())
    if k == 11:
        return "[%s]" % ", ".join(e() for _ in range(r.randint(1, 3)))
    if k == 12:
        return "{%s}" % ", ".join("%s: %s" % (r.choice(KEYS[:8]), e()) for _ in range(r.randint(1, 3)))
    if k == 13:
        return "%s | %s" % (e(), e())
    if k == 14:
        f = r.choice(FUNCS)
        n = r.randint(1, 3) if f in ("not_null", "merge") else ARITY.get(f, 1)
        if r.random() < 0.05:
            n += r.choice([-1, 1])
        args = []
        for i in range(n):
            if f == "join" and i == 0 and r.random() < 0.8:
                args.append(r.choice(["', '", "'-'", "''"]))
            elif EXPREF_ARG.get(f) == i and r.random() < 0.9:
                args.append("&" + e())
            elif f in ("abs", "ceil", "floor") and r.random() < 0.5:
                args.append(r.choice(["`-1.5`", "`2`", "`0.5`", "`-0.0`", "`1e3`"]))
            elif f in ("sum", "avg", "max", "min", "sort") and r.random() < 0.5:
                args.append(r.choice(["`[1, 2.5, -3]`", "`[]`", "`[\"b\", \"a\"]`",
                                      "`[2, 1, 2.0]`", "`[1, \"a\"]`"]))
            else:
                args.append(e())
        return "%s(%s)" % (f, ", ".join(args))
    if k == 15:
        return "%s %s %s" % (e(), r.choice(["||", "&&"]), e())
    if k == 16:
        return "!%s" % e()
    if k == 17:
        return "(%s)" % e()
    if k == 18:
        return "%s.[%s]" % (e(), ", ".join(ident(r) for _ in range(r.randint(1, 2))))
    if k == 19:
        return "%s.{%s: %s}" % (e(), r.choice(KEYS[:8]), e())
    if k == 20 and r.random() < 0.5:
        return r.choice(EDGES)
    return "%s %s %s" % (e(), r.choice(["==", "!=", "<", ">="]), literal(r, depth))


def dump_dup(r, v):
    """JSON text of v where some objects give a key twice (another value
    first, or the same key again after the others)."""
    if isinstance(v, list):
        return "[%s]" % ", ".join(dump_dup(r, x) for x in v)
    if not isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    items = [(json.dumps(k, ensure_ascii=False), dump_dup(r, x)) for k, x in v.items()]
    if items and r.random() < 0.3:
        k = r.choice(items)[0]
        dup = (k, json.dumps(rword(r), ensure_ascii=False))
        if r.random() < 0.5:
            items.insert(0, dup)        # the first value is replaced later
        else:
            items.insert(r.randint(0, len(items)), (k, r.choice(items)[1]))
    return "{%s}" % ", ".join("%s: %s" % kv for kv in items)


def real_paths(v, prefix, out, lists):
    """Paths that exist in v: (expression, value); lists: (path, element)."""
    out.append((prefix or "@", v))
    if isinstance(v, dict):
        for k, x in v.items():
            real_paths(x, (prefix + "." if prefix else "") + k, out, lists)
    elif isinstance(v, list) and v:
        lists.append((prefix or "@", v[0]))
        for i, x in enumerate(v[:2]):
            real_paths(x, (prefix or "@") + r_index(i, len(v)), out, lists)
        real_paths(v[0], (prefix or "@") + "[*]", out, lists)


def r_index(i, n):
    return "[%d]" % (i if i % 2 == 0 else i - n)


def lit_of(x):
    if isinstance(x, str):
        return "'%s'" % x.replace("'", "\\'")
    return "`%s`" % json.dumps(x)


def doc_expr(r, doc):
    """An expression that walks the document: mostly non-null results."""
    paths, lists = [], []
    real_paths(doc, "", paths, lists)
    p, v = r.choice(paths)
    k = r.randint(0, 11)
    if isinstance(v, str) and r.random() < 0.3:
        k = 11
    if k == 0 or not lists:
        return p
    if k == 1:
        return "%s | %s" % (p, r.choice(["length(@)", "keys(@)", "values(@)", "to_string(@)",
                                         "[0]", "[-1]", "[::-1]", "[1:]", "[]", "*", "[*]",
                                         "join(', ', @)", "not_null(@)", "sort(@)",
                                         "reverse(@)", "max(@)", "min(@)", "sum(@)", "avg(@)",
                                         "type(@)", "to_array(@)", "to_number(@)",
                                         "sort_by(@, &id)", "max_by(@, &nonce)",
                                         "min_by(@, &name)", "map(&id, @)", "map(&@, @)",
                                         "merge(@, `{\"a\": 1}`)", "starts_with(@, 'a')",
                                         "ends_with(@, '1')", "to_number(@) | abs(@)"]))
    lp, elem = r.choice(lists)
    ep, ev = [], []
    real_paths(elem, "", ep, ev)
    q, qv = r.choice(ep)
    if k <= 4:
        cond = "%s %s %s" % (q, r.choice(["==", "!=", "<", ">="]),
                             lit_of(qv) if r.random() < 0.7 else literal(r))
        return "%s[?%s]%s" % (lp, cond, r.choice(["", "." + r.choice(ep)[0], " | length(@)",
                                                    " | [0]", "[]"]))
    if k == 5:
        return "%s[*].%s" % (lp, q) if q != "@" else lp + "[*]"
    if k == 6:
        return "%s[].{a: %s, b: %s}" % (lp, q, r.choice(ep)[0])
    if k == 7:
        return "%s[].[%s, %s]" % (lp, q, r.choice(ep)[0])
    if k == 8:
        return "contains(%s[].%s, %s)" % (lp, q, lit_of(qv)) if q != "@" else "length(%s)" % lp
    if k == 9:
        return "%s[?contains(%s, %s)]" % (lp, q, lit_of(qv if not isinstance(qv, str) else qv[:2]))
    if k == 10:
        if r.random() < 0.5 and q != "@":
            return r.choice(["sort_by({l}, &{q})", "max_by({l}, &{q})", "min_by({l}, &{q})",
                             "map(&{q}, {l})", "{l}[].{q} | sort(@)", "{l}[].{q} | max(@)",
                             "{l}[].{q} | map(&to_number(@), @) | sum(@)"]).format(l=lp, q=q)
        return "%s[].%s | [%s]" % (lp, q, r.choice(["0", "-1", "1:", "::2"]))
    if k == 11 and isinstance(v, str):
        return "length(%s)" % p
    return "%s.* | [0]" % p


def corrupt(r, s):
    alphabet = "[]{}().*?|&!=<>`'\",:@ -0123456789abz"
    k = r.randint(0, 3)
    if not s:
        return s
    i = r.randrange(len(s))
    if k == 0:
        return s[:i] + s[i + 1:]
    if k == 1:
        return s[:i] + r.choice(alphabet) + s[i:]
    if k == 2:
        return s[:i] + r.choice(alphabet) + s[i + 1:]
    return s[:i]


def no_address(s):
    """json.dumps(default=str) of an &expr names its address: not compared."""
    import re
    return s if s is None else re.sub(r"(<jmespath\.visitor\._Expression object) at 0x[0-9a-f]+>",
                                      r"\1>", s)


def python_side(doc, e):
    try:
        c = jmespath.compile(e)
    except (jexc.ParseError, jexc.LexerError, jexc.EmptyExpressionError,
            jexc.IncompleteExpressionError):
        return "!parse", None, None
    try:
        res = c.search(doc)
        compact = json.dumps(res, separators=(",", ":"))
    except Exception:  # noqa: BLE001 -- any failure of the aws CLI's evaluation
        return "!eval", None, None
    try:
        import io
        out = io.StringIO()
        format_text(res, out)
        text = out.getvalue()
    except Exception:  # noqa: BLE001
        text = None
    js = json.dumps(res, indent=4, ensure_ascii=False)
    # the aws CLI writes stdout strictly: a lone surrogate fails there
    try:
        js.encode("utf-8")
    except UnicodeEncodeError:
        js = None
    try:
        if text is not None:
            text.encode("utf-8")
    except UnicodeEncodeError:
        text = None
    return no_address(compact), no_address(text), no_address(js)


def main():
    seed = int(os.environ.get("CPJ_JMESPATH_SEED", random.randrange(1 << 30)))
    n = int(os.environ.get("CPJ_JMESPATH_N", "4000"))
    print("seed %d, %d expressions" % (seed, n), flush=True)
    r = random.Random(seed)
    stats = {"ok": 0, "parse": 0, "eval": 0, "text": 0}
    per_doc = 200
    with tempfile.TemporaryDirectory() as tmp:
        for d in range(0, n, per_doc):
            doc = {"jobs": [job(r) for _ in range(r.choice([0, 1, 1, 2, 5]))]}
            text = dump_dup(r, doc)
            doc = json.loads(text)      # a key given twice: the last value, the first place
            path = os.path.join(tmp, "doc.json")
            with open(path, "w") as f:
                f.write(text)
            exprs = []
            for _ in range(min(per_doc, n - d)):
                s = doc_expr(r, doc) if r.random() < 0.5 else expr(r)
                if r.random() < 0.25:
                    s = corrupt(r, s)
                exprs.append(s)
            inp = "".join(json.dumps(s) + "\n" for s in exprs)
            p = subprocess.run([PROG, "--batch", path], input=inp, capture_output=True,
                               text=True, timeout=120)
            lines = p.stdout.split("\n")
            if p.returncode != 0 or len(lines) < 3 * len(exprs):
                FAILED.append("run")
                print("FAIL jmespath_batch_runs: rc %d, %d lines for %d expressions: %s"
                      % (p.returncode, len(lines), len(exprs), p.stderr[-2000:]))
                break
            for i, s in enumerate(exprs):
                rl, tl, jl = lines[3 * i:3 * i + 3]
                got = rl[2:]
                want, wtext, wjson = python_side(doc, s)
                gv = got.split(" ")[0] if got.startswith("!") else got
                if gv != want:
                    FAILED.append(s)
                    if len(FAILED) <= 30:
                        print("FAIL jmespath_result %r: cpjob %s, python-jmespath %s"
                              % (s, got[:300], want[:300]))
                    continue
                if want.startswith("!"):
                    stats[want[1:]] += 1
                    continue
                stats["ok"] += 1
                gtext = None if tl == "T !" else json.loads(tl[2:])
                if gtext != wtext:
                    FAILED.append(s)
                    if len(FAILED) <= 30:
                        print("FAIL jmespath_text %r: cpjob %r, aws CLI %r" % (s, gtext, wtext))
                    continue
                if wtext is not None:
                    stats["text"] += 1
                if (None if jl == "J !" else json.loads(jl[2:])) != wjson:
                    FAILED.append(s)
                    if len(FAILED) <= 30:
                        print("FAIL jmespath_json %r: cpjob %r, python %r" % (s, jl[2:], wjson))
    print("results %(ok)d (text %(text)d), parse errors %(parse)d, evaluation errors %(eval)d"
          % stats)
    ok = not FAILED and stats["ok"] > n // 4 and stats["parse"] > n // 50 and stats["eval"] > 0
    print("%s jmespath_random_differential%s" % ("PASS" if ok else "FAIL",
          "" if ok else ": %d differ (seed %d)" % (len(FAILED), seed)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
