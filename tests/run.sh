#!/bin/sh
# tests/run.sh SAN_BUILD PLAIN_BUILD -- run every test program and script.
# tests/run.sh --unit SAN_BUILD [NAME...] -- run the unit test programs
#   (tests/unit/test_*.c, or only the NAMEs given, e.g. test_json) of the
#   sanitizer build: `make check`.
#
# Each program prints "PASS name" / "FAIL name ..." lines; a program that
# exits non-zero without a FAIL line counts as one failure, and so does a
# unit program that was not built. Output of each program goes to
# $SAN_BUILD/test-logs/<name>.log. The last line is "N passed, N failed".
set -u
unit=0
if [ "${1:-}" = "--unit" ]; then
	unit=1
	shift
fi
SAN=${1:?sanitizer build dir}
if [ "$unit" -eq 1 ]; then
	shift
	PLAIN=$SAN
else
	PLAIN=${2:?plain build dir}
fi
TOP=$(pwd)
export CPJ_TOP="$TOP" CPJ_BUILD_SAN="$TOP/$SAN" CPJ_BUILD="$TOP/$PLAIN"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Tests set their own CA bundle; never inherit one from the shell.
unset AWS_CA_BUNDLE AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
	AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION HTTPS_PROXY https_proxy NO_PROXY no_proxy
LOGS="$TOP/$SAN/test-logs"
mkdir -p "$LOGS"
pass=0
fail=0
if [ "$unit" -eq 1 ]; then
	# The programs of the sources (a stale binary whose source is gone
	# does not run), or of the NAMEs given; one not built is a failure.
	[ $# -eq 0 ] && set -- tests/unit/test_*.c
	for n in "$@"; do
		shift
		n=${n##*/}
		set -- "$@" "$SAN/tests/unit/${n%.c}"
	done
else
	set -- "$SAN"/tests/unit/test_* "$SAN"/tests/integration/test_* \
		"$SAN"/tests/fuzz/replay_* tests/scripts/test_*
fi
for t in "$@"; do
	if [ "$unit" -eq 1 ] && [ ! -f "$t" ]; then
		echo "== $(basename "$t"): 0 passed, 1 failed (not built: $t)"
		fail=$((fail + 1))
		continue
	fi
	[ -f "$t" ] || continue
	name=$(basename "$t")
	log="$LOGS/$name.log"
	case "$t" in
	*.py) timeout 900 /usr/bin/python3 "$t" >"$log" 2>&1 </dev/null ;;
	*.sh) timeout 900 sh "$t" >"$log" 2>&1 </dev/null ;;
	*) timeout 900 "$t" >"$log" 2>&1 </dev/null ;;
	esac
	rc=$?
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $name: exit status $rc" >>"$log"
	fi
	if [ "$f" -ne 0 ]; then
		echo "== $name: $p passed, $f failed (log: $log)"
		grep '^FAIL ' "$log" | head -20
		tail -n 15 "$log" | sed 's/^/    | /'
	else
		echo "   $name: $p passed"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
