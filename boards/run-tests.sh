#!/bin/sh
# boards/run-tests.sh BUILD_DIR [RUNNER...] -- run a board's test programs
# through RUNNER (e.g. `qemu-arm -L /usr/arm-linux-gnueabihf`; none for a
# board the host runs natively) with tests/run.sh's counting.
#
# Each program gets a wrapper script in BUILD_DIR/run/tests/{unit,integration}
# that sets CPJ_TOP (the tree: test data, vectors, tests/support/mkcerts.sh)
# and execs the program under RUNNER; tests/run.sh then runs from that
# directory, so it finds the wrappers and none of tests/scripts/* (those
# drive the host's Python emulator and agent). Programs the tests start
# with system()/exec (sh, openssl) are the host's own: qemu-user runs
# only the guest binary. The last line is "N passed, N failed".
set -eu
b=${1:?usage: run-tests.sh BUILD_DIR [RUNNER...]}
shift
top=$(pwd)
babs=$(cd "$b" && pwd)
run="$babs/run"
rm -rf "$run"
mkdir -p "$run/tests/unit" "$run/tests/integration"
n=0
for t in "$b"/tests/unit/test_* "$b"/tests/integration/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	rel=${t#"$b"/}
	{
		echo '#!/bin/sh'
		echo "CPJ_TOP='$top' CPJ_BUILD='$babs' CPJ_BUILD_SAN='$babs'"
		echo 'export CPJ_TOP CPJ_BUILD CPJ_BUILD_SAN'
		echo "cd '$top' || exit 1"
		echo "exec $* '$babs/$rel' \"\$@\""
	} >"$run/$rel"
	chmod +x "$run/$rel"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "run-tests.sh: no test programs in $b"; exit 1; }
echo "== $n test programs of $b${1:+ under $1}"
cd "$run"
exec sh "$top/tests/run.sh" . .
