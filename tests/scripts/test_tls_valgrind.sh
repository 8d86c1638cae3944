#!/bin/sh
# test_tls_valgrind.sh -- the library allocates nothing from the heap
# during TLS handshakes and round trips.
#
# Runs the plain build's tests/integration/test_tls_loopback in its
# valgrind mode (one connection to a local openssl s_server, then 20
# request/response exchanges) under memcheck with an allocation tree,
# and checks that no allocation has a TLS or BearSSL frame in its stack.
# The only heap use of the library is the libc resolver (getaddrinfo) at
# connect.
set -u
BIN="${CPJ_BUILD:?}/tests/integration/test_tls_loopback"
export CPJ_TOP="${CPJ_TOP:-$(pwd)}"
if [ ! -x "$BIN" ]; then
	echo "FAIL tls_valgrind_run (no $BIN)"
	exit 1
fi
if ! command -v valgrind >/dev/null 2>&1 || ! command -v callgrind_annotate >/dev/null 2>&1; then
	echo "FAIL tls_valgrind_run (valgrind missing: sh tests/deps.sh test)"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpj-tlsvg-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

timeout 300 valgrind -q --error-exitcode=99 --leak-check=full \
	--xtree-memory=full --xtree-memory-file="$tmp/xt.kcg" \
	"$BIN" 20 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^rounds 20 ok' "$tmp/out"; then
	echo "PASS tls_valgrind_run"
else
	echo "FAIL tls_valgrind_run (exit $rc)"
	cat "$tmp/out" "$tmp/err" | tail -30
	exit 1
fi

callgrind_annotate --inclusive=yes --auto=no "$tmp/xt.kcg" >"$tmp/ann" 2>/dev/null
# Function lines end in "file:function"; the tree must have been captured
# with symbols (the resolver's allocation is always there).
if ! grep -q ':getaddrinfo$' "$tmp/ann"; then
	echo "FAIL tls_valgrind_tree (no allocation tree)"
	head -40 "$tmp/ann"
	exit 1
fi
bad=$(grep -E '(src/tls/[a-z_]+\.c:|:cpj_tls_|:br_)' "$tmp/ann")
if [ -z "$bad" ]; then
	echo "PASS tls_valgrind_no_tls_heap"
else
	echo "FAIL tls_valgrind_no_tls_heap"
	echo "$bad"
	exit 1
fi
# Report: allocations whose stack holds library code (the most under any
# one library function) and the resolver's. Columns, once the percentages
# and thousands separators are gone: curB curBk totB totBk ... function.
sed -e 's/([^)]*)//g' -e 's/,//g' "$tmp/ann" >"$tmp/cols"
lib=$(grep -E '(src/[a-z]+/[a-z_]+\.c|port/posix/[a-z_]+\.c):' "$tmp/cols" \
	| awk '{ if ($4 + 0 > m) m = $4 + 0 } END { print m + 0 }')
res=$(grep ':getaddrinfo$' "$tmp/cols" | awk '{ print $4 + 0 }' | head -1)
echo "heap allocations under library frames: $lib, of which getaddrinfo: $res"
if [ "$lib" = "$res" ]; then
	echo "PASS tls_valgrind_only_resolver"
else
	echo "FAIL tls_valgrind_only_resolver"
	grep -E '(src/|port/posix/)' "$tmp/cols"
	exit 1
fi
