#!/bin/sh
# boards/run-tests.sh BUILD_DIR RUNNER PROGRAM... -- run a board's test
# programs through RUNNER (one argument, e.g. "qemu-arm -L
# /usr/arm-linux-gnueabihf"; "" for a board the host runs natively) with
# tests/run.sh's counting. PROGRAMs are BUILD_DIR/tests/{unit,integration}/*.
#
# Each program gets a wrapper script in BUILD_DIR/run/tests/{unit,integration}
# that sets CPJ_TOP (the tree: test data, vectors, tests/support/mkcerts.sh)
# and execs the program under RUNNER; tests/run.sh then runs from that
# directory, so it finds the wrappers and none of tests/scripts/* (those
# drive the host's Python emulator and agent). Programs the tests start
# with system()/exec (sh, openssl) are the host's own: qemu-user runs
# only the guest binary. A tests/scripts/*.py argument is run by the
# host's Python with CPJ_BUILD=BUILD_DIR: the script drives this board's
# agent. Under a RUNNER, CPJ_BUILD is BUILD_DIR/run/agent instead, whose
# cpjob execs BUILD_DIR/cpjob under RUNNER (the rest of BUILD_DIR is
# linked there), so the script drives the board's own agent through
# qemu-user. The last line is "N passed, N failed".
set -eu
b=${1:?usage: run-tests.sh BUILD_DIR RUNNER PROGRAM...}
runner=${2?usage: run-tests.sh BUILD_DIR RUNNER PROGRAM...}
shift 2
top=$(pwd)
babs=$(cd "$b" && pwd)
run="$babs/run"
rm -rf "$run"
mkdir -p "$run/tests/unit" "$run/tests/integration"
n=0
mkdir -p "$run/tests/scripts"
agent=$babs
if [ -n "$runner" ]; then
	agent="$run/agent"
	mkdir -p "$agent"
	for f in "$babs"/*; do
		case "$f" in "$babs/cpjob"|"$babs/run") ;; *) ln -s "$f" "$agent/" ;; esac
	done
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$runner" "'$babs/cpjob'" >"$agent/cpjob"
	chmod +x "$agent/cpjob"
fi
for t in "$@"; do
	case "$t" in
	tests/scripts/*.py)
		# A host script that drives this board's agent (a board whose
		# programs the host runs natively): a wrapper of the same name
		# that points it at BUILD_DIR.
		[ -f "$t" ] || { echo "run-tests.sh: no script $t"; exit 1; }
		{
			echo 'import os'
			echo "os.environ.update(CPJ_TOP='$top', CPJ_BUILD='$agent', CPJ_BUILD_SAN='$agent')"
			echo "os.chdir('$top')"
			echo "os.execv('/usr/bin/python3', ['/usr/bin/python3', '$top/$t'])"
		} >"$run/$t"
		n=$((n + 1))
		continue
		;;
	esac
	[ -f "$t" ] && [ -x "$t" ] || { echo "run-tests.sh: no program $t"; exit 1; }
	rel=${t#"$b"/}
	{
		echo '#!/bin/sh'
		echo "CPJ_TOP='$top' CPJ_BUILD='$babs' CPJ_BUILD_SAN='$babs'"
		echo 'export CPJ_TOP CPJ_BUILD CPJ_BUILD_SAN'
		echo "cd '$top' || exit 1"
		echo "exec $runner '$babs/$rel' \"\$@\""
	} >"$run/$rel"
	chmod +x "$run/$rel"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "run-tests.sh: no test programs in $b"; exit 1; }
echo "== $n test programs of $b${runner:+ under ${runner%% *}}"
cd "$run"
exec sh "$top/tests/run.sh" . .
