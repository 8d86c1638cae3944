#!/bin/sh
# boards/size-table.sh BUILD [README] BOARD... -- the table of every board
# from their $(BUILD)/<b>/size.sum (boards/size-report.sh), beside the
# budgets. Prints it, writes BUILD/size.md, and replaces the lines between
# the size-table markers of README when one is named.
set -eu
build=${1:?usage: size-table.sh BUILD [README] BOARD...}
shift
readme=
case "${1:-}" in *.md) readme=$1; shift ;; esac
out="$build/size.md"
mkdir -p "$build"
{
	echo "| board | library flash | of which linked | minimal profile flash | minimal worker links | stripped cpjob | cpjob budget | agent bss | heavy libc symbols | contexts RAM | RAM per client | stack (direct) | stack (bound) |"
	echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
	for b in "$@"; do
		f="$build/$b/size.sum"
		[ -f "$f" ] || continue
		awk 'function v(m, b) { return b == "-" ? "-" : (m + 0 <= b + 0 ? b " met" : b " not met") }
		{ printf "| %s | %d | %d | %d | %d | %d | %s | %d | %s | %d | %d | %d | %d |\n",
			$1, $2, $3, $9, $10, $4, v($4, $12), $11, $13, $5, $6, $7, $8 }' "$f"
	done
	echo "| *budget* | *46080 (armhf)* | | *30720 (armhf)* | | *goal 163840* | | *1048576* | *0* | | *40960* | | *8192* |"
} >"$out"
echo
echo "Sizes in bytes ($out; per board: $build/<board>/size.txt)"
cat "$out"
[ -n "$readme" ] && [ -f "$readme" ] || exit 0
grep -q '^<!-- size-table begin -->' "$readme" || exit 0
awk -v tab="$out" '
	/^<!-- size-table begin -->/ { print; while ((getline l < tab) > 0) print l; skip = 1; next }
	/^<!-- size-table end -->/ { skip = 0 }
	!skip' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
echo "(table copied into $readme)"
