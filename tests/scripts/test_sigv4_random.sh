#!/bin/sh
# test_sigv4_random.sh -- libcpjob's SigV4 against botocore on random
# requests (tests/tools/sigv4_random.py, codepipeline and s3 rules).
#
# Seeds are picked at run time (clock and pid) and printed; set
# CPJ_SIGV4_SEEDS="s1 s2 ..." to replay a run. tests/tools/sign_vectors gets
# the generator's lines with botocore's outputs removed, and its answers
# are compared field by field with those outputs. The same inputs are
# also fed with every non-ASCII character as a \u escape (surrogate pairs
# included), and the unmodified lines to the sanitizer build's sign_vectors.
set -u
TOP=${CPJ_TOP:-$(pwd)}
BUILD=${CPJ_BUILD:-$TOP/build/host}
BUILD_SAN=${CPJ_BUILD_SAN:-}
PY=/usr/bin/python3
GEN="$TOP/tests/tools/sigv4_random.py"
PER_SEED=1400            # "--service both" alternates: 700 per service
MIN_PER_SERVICE=2000

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpj-sigv4.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

if [ -n "${CPJ_SIGV4_SEEDS:-}" ]; then
	seeds=$CPJ_SIGV4_SEEDS
else
	now=$(date +%s)
	seeds="$((now % 1000000007)) $(((now / 3 + $$ * 7919) % 1000000007)) $((($$ * 104729 + now % 65521) % 1000000007))"
fi
echo "seeds: $seeds  (replay: CPJ_SIGV4_SEEDS=\"$seeds\" sh $0)"

SIGN="$BUILD/tests/tools/sign_vectors"
if [ ! -x "$SIGN" ]; then
	echo "FAIL sigv4_random_setup: no $SIGN"
	exit 1
fi

: >"$tmp/vectors.jsonl"
for s in $seeds; do
	if ! timeout 300 "$PY" "$GEN" -n "$PER_SEED" --service both "$s" \
	    >>"$tmp/vectors.jsonl"; then
		echo "FAIL sigv4_random_generate: sigv4_random.py seed $s failed"
		exit 1
	fi
done

cat >"$tmp/tool.py" <<'EOF'
import json
import sys

OUTPUTS = ("canonical_request", "string_to_sign", "signature", "authorization")
DROP = OUTPUTS + ("added_headers", "signer")


def strip(src, dst, ascii_only):
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as o:
        for line in f:
            v = json.loads(line)
            for k in DROP:
                v.pop(k, None)
            o.write(json.dumps(v, ensure_ascii=ascii_only) + "\n")


def compare(vec_path, out_path, label, minimum):
    with open(vec_path, encoding="utf-8") as f:
        vin = [json.loads(l) for l in f if l.strip()]
    with open(out_path, encoding="utf-8") as f:
        vout = [l for l in f if l.strip()]
    counts, bad, shown = {}, {}, 0
    for i, v in enumerate(vin):
        svc = v["service"]
        counts[svc] = counts.get(svc, 0) + 1
        try:
            o = json.loads(vout[i])
        except (IndexError, ValueError):
            o = {}
        diffs = [k for k in OUTPUTS if o.get(k) != v[k]]
        if o.get("id") != v["id"]:
            diffs.insert(0, "id")
        if not diffs:
            continue
        bad[svc] = bad.get(svc, 0) + 1
        if shown < 5:
            shown += 1
            print("mismatch (%s) seed=%s id=%s service=%s: %s" % (
                label, v["seed"], v["id"], svc, ", ".join(diffs)))
            print("  cpjob   :", json.dumps(o.get("canonical_request", o.get("error"))))
            print("  botocore:", json.dumps(v["canonical_request"]))
    if len(vout) != len(vin):
        print("%s: %d output lines for %d inputs" % (label, len(vout), len(vin)))
    rc = 0
    for svc in ("codepipeline", "s3"):
        n, m = counts.get(svc, 0), bad.get(svc, 0)
        ok = m == 0 and n >= minimum and len(vout) == len(vin)
        rc |= not ok
        print("%s sigv4_random_%s%s: %d vectors, %d mismatches" % (
            "PASS" if ok else "FAIL", label, svc, n, m))
    return rc


if __name__ == "__main__":
    if sys.argv[1] == "strip":
        strip(sys.argv[2], sys.argv[3], sys.argv[4] == "ascii")
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
EOF

"$PY" "$tmp/tool.py" strip "$tmp/vectors.jsonl" "$tmp/inputs.jsonl" utf8 || exit 1
"$PY" "$tmp/tool.py" strip "$tmp/vectors.jsonl" "$tmp/inputs-ascii.jsonl" ascii || exit 1
if grep -q '"signature"' "$tmp/inputs.jsonl"; then
	echo "FAIL sigv4_random_strip: botocore outputs left in the input"
	exit 1
fi

fail=0
# run LABEL CPJOB INPUT
run() {
	start=$(date +%s)
	timeout 120 "$2" --vectors <"$3" >"$tmp/out-$1.jsonl" 2>"$tmp/err-$1.txt"
	rc=$?
	end=$(date +%s)
	echo "${1:-plain_}: sign_vectors exit status $rc, $((end - start)) s"
	if [ "$rc" -eq 0 ]; then
		echo "PASS sigv4_random_${1}exit_status"
	else
		echo "FAIL sigv4_random_${1}exit_status: $rc"
		head -5 "$tmp/err-$1.txt"
		fail=1
	fi
	"$PY" "$tmp/tool.py" compare "$tmp/vectors.jsonl" "$tmp/out-$1.jsonl" \
	    "$1" "$MIN_PER_SERVICE" || fail=1
}

run "" "$SIGN" "$tmp/inputs.jsonl"
run "ascii_" "$SIGN" "$tmp/inputs-ascii.jsonl"
if [ -n "$BUILD_SAN" ] && [ -x "$BUILD_SAN/tests/tools/sign_vectors" ]; then
	run "san_" "$BUILD_SAN/tests/tools/sign_vectors" "$tmp/vectors.jsonl"
fi

# Malformed lines: one error line each, exit status 1, nothing else.
printf '%s\n' \
    '{"id":1,' \
    '[1,2]' \
    '{"id":3,"service":"s3"}' \
    '{"id":4,"service":"s3","region":"r","method":"GET","path":"/","query_string":"","headers":[["Host","\ud800"]],"body_hex":"","access_key":"A","secret_key":"s","token":null,"amz_date":"20150830T123600Z"}' \
    '{"id":5,"service":"s3","region":"r","method":"GET","path":"/","query_string":"","headers":[["Host","a\r\nb"]],"body_hex":"","access_key":"A","secret_key":"s","token":null,"amz_date":"20150830T123600Z"}' \
    '{"id":6,"service":"s3","region":"r","method":"GET","path":"/","query_string":"","headers":[["Host","h"]],"body_hex":"0","access_key":"A","secret_key":"s","token":null,"amz_date":"20150830T123600Z"}' \
    '{"id":7,"service":"s3","region":"r","method":"GET","path":"/","query_string":"","headers":[["Host","h"]],"body_hex":"","access_key":"A","secret_key":"s","token":null,"amz_date":"20150830T123600Z"} x' \
    >"$tmp/bad.jsonl"
timeout 30 "$SIGN" --vectors <"$tmp/bad.jsonl" >"$tmp/bad-out.jsonl" 2>/dev/null
rc=$?
nerr=$(grep -c '"error":' "$tmp/bad-out.jsonl")
nlines=$(wc -l <"$tmp/bad-out.jsonl")
if [ "$rc" -eq 1 ] && [ "$nerr" -eq 7 ] && [ "$nlines" -eq 7 ]; then
	echo "PASS sigv4_vectors_bad_lines"
else
	echo "FAIL sigv4_vectors_bad_lines: exit $rc, $nerr error lines of $nlines"
	cat "$tmp/bad-out.jsonl"
	fail=1
fi

exit $fail
