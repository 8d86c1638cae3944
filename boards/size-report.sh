#!/bin/sh
# boards/size-report.sh -- one board's size report (make size, boards/size.mk).
#
# Reads its inputs from the environment (set by boards/size.mk):
#   BOARD CC CFLAGS_SHOWN SIZE NM STRIP READELF B
#   LIB_OBJS       library objects (src/<module>/*.o, port/<p>/*.o)
#   AGENT          the static agent; AGENT_MAP its link map
#   SIZES_O        boards/size/sizes.c compiled for the board
#   MIN_B          the minimal profile's build directory; MIN_LIB_OBJS its
#                  library objects; MIN_MAP the link map of its ex_worker
#   CI_OBJS        objects with a .ci call graph beside them (library, and
#                  BearSSL's when the board builds it)
# Prints the report (the caller writes it to $(B)/size.txt) and writes the
# one-line summary $(B)/size.sum for the table of every board.
set -eu

# Budgets (reported as met or not met, never failing the build) and the
# board each one is set for. The stripped static agent: 200 KiB on
# x86_64-musl, armhf and arm64, 280 KiB on mipsel (MIPS code is larger),
# 160 KiB the goal beyond; none on host (dynamic, -O2 -g: not a target).
case "$BOARD" in
x86_64-musl|armhf|arm64) BUDGET_AGENT=204800 ;;
mipsel) BUDGET_AGENT=286720 ;;
*) BUDGET_AGENT= ;;
esac
BUDGET_AGENT_GOAL=163840
BUDGET_BSS=1048576
BUDGET_LIB=46080 BUDGET_LIB_BOARD=armhf BUDGET_LIB_MIN=30720
BUDGET_RAM=40960
BUDGET_STACK=8192
# C library code the static agent should not carry (nm, defined symbols):
# floating-point printf, the scanf family and its float parser, strftime,
# the time-zone code, the allocator (mallocng and its lite_malloc: the
# agent's src/agent/libc_pool.c serves getaddrinfo()). musl's names; a
# glibc board would name others. (-Os inlines musl's fmt_fp into
# printf_core on the 32-bit boards: its frexpl call still shows it.)
HEAVY_LIBC="fmt_fp frexpl vfscanf vsscanf __floatscan strftime __strftime_l tzset
	do_tzset __tzset localtime localtime_r __localtime_r mktime
	__libc_malloc_impl __simple_malloc"
# BearSSL code outside the TLS profile (src/tls/tls_profile.c): CBC and
# CCM records, 3DES, SHA-1, the TLS 1.0 PRF, RSA key exchange, the full
# client profile, EC and RSA engines other than the profile's (the agent
# is built with CPJ_CONFIG_TLS_EC_FAST: P-256 and X25519 on their m31
# engines, the others on i31).
TLS_UNUSED="br_des_ br_aes_[a-z0-9]*_cbc br_aes_[a-z0-9]*_ctrcbc br_sslrec_[a-z_]*cbc
	br_sslrec_[a-z_]*ccm br_sha1_ br_tls10_prf br_ssl_client_init_full
	br_ssl_client_set_default_rsapub br_ec_p256_m1 br_ec_p256_m6
	br_ec_c25519_m1 br_ec_c25519_m6 br_ec_c25519_i br_ec_all_
	br_ecdsa_i15 br_rsa_i15 br_rsa_i32 br_aes_big br_aes_small"

kib() { awk -v n="$1" 'BEGIN { printf "%.1f KiB", n / 1024 }'; }
verdict() { # measured budget [board]
	if [ -n "${3:-}" ] && [ "$3" != "$BOARD" ]; then echo "(budget for $3)"
	elif [ "$1" -le "$2" ]; then echo "met"
	else echo "not met: over by $(( $1 - $2 ))"; fi
}
# defined DEFINED_SYMS PATTERN...: the patterns (anchored regexps) that
# match a symbol name of the list.
defined() { # symbols prefixes...: the prefixes some symbol starts with
	syms=$1; shift
	for p in "$@"; do
		echo "$syms" | grep -q "^$p" && printf ' %s' "$p"
	done
	true
}
defined_exact() { # symbols names...: the names defined (fmt_fp, not fmt_fprintf)
	syms=$1; shift
	for p in "$@"; do
		echo "$syms" | grep -qx "$p" && printf ' %s' "$p"
	done
	true
}

echo "cpjob size report: board $BOARD"
echo "compiler: $($CC --version 2>/dev/null | head -n 1)"
echo "flags:    $CFLAGS_SHOWN"
echo

# ---- library objects by module -------------------------------------------
# modules OBJ_DIR OBJ...: text/data/bss by src/<module>; the total flash
# (text and data, whose initial values are stored beside the code) goes to
# stderr.
modules() {
	dir=$1; shift
	$SIZE "$@" | awk -v b="$dir/obj/" '
	NR > 1 {
		f = $6; sub("^" b, "", f)
		n = split(f, p, "/")
		m = (p[1] == "src") ? p[2] : p[1] "/" p[2]
		if (!(m in t)) order[++k] = m
		t[m] += $1; d[m] += $2; s[m] += $3
		T += $1; D += $2; S += $3
	}
	END {
		printf "  %-14s %8s %8s %8s\n", "module", "text", "data", "bss"
		for (i = 1; i <= k; i++) {
			m = order[i]
			if (t[m] + d[m] + s[m] > 0)
				printf "  %-14s %8d %8d %8d\n", m, t[m], d[m], s[m]
		}
		printf "  %-14s %8d %8d %8d\n", "total", T, D, S
		print T + D > "/dev/stderr"
	}'
}
echo "Library objects (libcpjob.a, BearSSL not included), bytes by module:"
# shellcheck disable=SC2086
modules "$B" $LIB_OBJS 2>"$B/size.libtext"
lib_text=$(cat "$B/size.libtext")
rm -f "$B/size.libtext"
echo "  (text includes read-only data; flash is text + data; -ffunction-sections"
echo "  objects hold every function, the linker keeps only what a program uses)"
echo

# map_table LABEL MAP: what a program linked from each library (link map,
# --gc-sections), LABEL naming the program's own objects; libcpjob's flash
# (text and data) goes to stderr.
map_table() {
	awk -v label="$1" '
		/^Linker script and memory map/ { on = 1; next }
		!on { next }
		/^ \.[a-zA-Z_.]/ && NF == 1 { pend = $1; next }
		{
			if (pend != "" && $1 ~ /^0x/ && NF >= 3) { sec = pend; a = $1; sz = $2; f = $3 }
			else if ($1 ~ /^(\.[a-zA-Z_]|COMMON$)/ && $2 ~ /^0x/ && NF >= 4 && substr($0, 1, 1) == " ") { sec = $1; a = $2; sz = $3; f = $4 }
			else { pend = ""; next }
			pend = ""
			if (sec ~ /^\.(text|rodata|init|fini|eh_frame|gcc_except|ARM\.ex|MIPS\.|rel\.|rela\.)/ || sec ~ /^\.(init_array|fini_array|ctors|dtors)/) c = "text"
			else if (sec ~ /^\.(s?data|tdata|got)/) c = "data"
			else if (sec ~ /^\.(s?bss|tbss)/ || sec == "COMMON") c = "bss"
			else next
			n = strtonum_(sz)
			if (f ~ /libcpjob\.a\(/) o = "libcpjob"
			else if (f ~ /libbearssl\.a\(/) o = "BearSSL"
			else if (f ~ /\/obj\/(src\/agent|tests)\//) o = label
			else o = "libc, libgcc, crt"
			v[o, c] += n
		}
		function strtonum_(h,   i, r, ch) {
			h = tolower(h); sub(/^0x/, "", h); r = 0
			for (i = 1; i <= length(h); i++) { ch = index("0123456789abcdef", substr(h, i, 1)) - 1; r = r * 16 + ch }
			return r
		}
		END {
			printf "  %-18s %8s %8s %8s\n", "", "text", "data", "bss"
			ord[3] = "BearSSL"; ord[4] = "libc, libgcc, crt"; ord[1] = label; ord[2] = "libcpjob"
			for (i = 1; i <= 4; i++) {
				o = ord[i]
				printf "  %-18s %8d %8d %8d\n", o, v[o, "text"], v[o, "data"], v[o, "bss"]
				T += v[o, "text"]; D += v[o, "data"]; S += v[o, "bss"]
			}
			printf "  %-18s %8d %8d %8d\n", "total", T, D, S
			print v["libcpjob", "text"] + v["libcpjob", "data"] > "/dev/stderr"
		}' "$2"
}

# ---- the static agent ------------------------------------------------------
strip_out="$B/size/cpjob.stripped"
$STRIP -o "$strip_out" "$AGENT"
agent_stripped=$(wc -c <"$strip_out" | tr -d ' ')
agent_bss=$($SIZE "$AGENT" | awk 'NR == 2 { print $3 }')
echo "Static agent $AGENT: $agent_stripped bytes stripped ($(kib "$agent_stripped")), bss $agent_bss."
if [ -f "$AGENT_MAP" ]; then
	nolto="${AGENT_MAP%.map}"
	$STRIP -o "$nolto.nolto.stripped" "$nolto"
	nolto_stripped=$(wc -c <"$nolto.nolto.stripped" | tr -d ' ')
	if [ "$nolto_stripped" != "$agent_stripped" ]; then
		echo "The same objects linked without link-time optimisation: $nolto_stripped bytes" \
			"stripped ($((nolto_stripped - agent_stripped)) more); the link map below is of that link."
	fi
	echo "Linked into it (--gc-sections, from the link map), bytes:"
	map_table agent "$AGENT_MAP" 2>"$B/size.linked"
	lib_linked=$(cat "$B/size.linked")
	rm -f "$B/size.linked"
	echo "  (the agent's bss is its static buffers: work, job storage, files)"
else
	lib_linked=
fi
echo

# ---- the minimal profile ----------------------------------------------------
min_text=0 min_linked=0
if [ -n "${MIN_LIB_OBJS:-}" ]; then
	echo "Minimal profile (PROFILE=minimal, include/cpj_config_minimal.h: no S3, no"
	echo "credential providers but explicit keys, no mutual TLS, the fast PEM reader,"
	echo "third-party jobs, presigning, log or error texts), library objects, bytes"
	echo "by module:"
	# shellcheck disable=SC2086
	modules "$MIN_B" $MIN_LIB_OBJS 2>"$B/size.mintext"
	min_text=$(cat "$B/size.mintext")
	rm -f "$B/size.mintext"
	if [ -f "${MIN_MAP:-}" ]; then
		echo "A worker made of it (tests/examples/ex_worker.c: poll, acknowledge,"
		echo "report, static buffers), linked with --gc-sections, bytes:"
		map_table ex_worker "$MIN_MAP" 2>"$B/size.minlinked"
		min_linked=$(cat "$B/size.minlinked")
		rm -f "$B/size.minlinked"
	fi
	echo
fi

# ---- RAM --------------------------------------------------------------------
sz() { $NM -S -t d "$SIZES_O" | awk -v s="cpj_sizeof_$1" '$NF == s { print $2 + 0; f = 1 } END { if (!f) print 0 }'; }
echo "RAM of the contexts (sizeof), bytes:"
for t in cpj_cp_context cpj_http_client cpj_tls_context cpj_tls_anchors cpj_sigv4_context \
	cpj_net_context cpj_jobs_parser cpj_job cpj_creds; do
	printf '  %-22s %8d\n' "$t" "$(sz "$t")"
done
cp=$(sz cpj_cp_context) http=$(sz cpj_http_client) tls=$(sz cpj_tls_context)
work=$(sz agent_work) jobs=$(sz agent_jobs)
lib_ram=$((cp + http + tls))
ram=$((lib_ram + work))
printf '  %-22s %8d  cpj_cp_context + cpj_http_client + cpj_tls_context\n' "library contexts" "$lib_ram"
printf '  %-22s %8d  CPJ_AGENT_WORK_SIZE (request body + HTTP head)\n' "agent work buffer" "$work"
printf '  %-22s %8d  one CodePipeline client, TLS buffer included\n' "client total" "$ram"
printf '  %-22s %8d  agent: job window, tokens, jobs, strings of one poll\n' "(job parsing)" "$jobs"
echo

# ---- stack ------------------------------------------------------------------
echo "Deepest library stack (-fcallgraph-info=su, walk from every cpj_* function):"
# shellcheck disable=SC2086
walk=$(CPJ_STACK_EACH=1 sh boards/stack-walk.sh "$READELF" '^cpj_' $CI_OBJS)
# every public call's figures, for boards/stack-doc.py (make stack-doc)
echo "$walk" | awk '$1 == "each" { print $2, $3, $4 }' | sort >"$B/stack.txt"
direct=$(echo "$walk" | awk '$1 == "direct" { print $2 }')
bound=$(echo "$walk" | awk '$1 == "indirect" { print $2 }')
echo "$walk" | awk '
	$1 == "direct" { printf "  direct calls only        %6d  (a lower bound)\n", $2; $1 = $2 = ""; print "   " $0 }
	$1 == "indirect" { printf "  with indirect calls      %6d  (bound: a pointer call may reach any\n", $2
		print "                                   address-taken function of its side)"; $1 = $2 = ""; print "   " $0 }
	$1 == "dynamic" && NF > 1 { $1 = ""; print "  frames of dynamic size (alloca/VLA, not bounded):" $0 }
	$1 == "recursion" && NF > 1 { $1 = ""; print "  recursion (cut once around the cycle):" $0 }
	$1 == "recursion" && NF == 1 { print "  no recursion through direct calls" }' | fold -s -w 100
echo "  (libc functions count 0 bytes; '->' marks a call through a pointer)"
case " $CI_OBJS" in
*/bearssl/*) ;;
*) echo "  (BearSSL is the system's library here, without call graphs: its frames are not counted)" ;;
esac
echo

# ---- symbols ------------------------------------------------------------------
# What nm finds in the static agent (a dynamic host agent has libc outside).
syms=$($NM "$AGENT" | awk 'NF == 3 && $2 ~ /^[TtWwDdRrBb]$/ { print $3 }' | sort -u)
static=$($READELF -l "$AGENT" | grep -q INTERP || echo 1)
# shellcheck disable=SC2086
heavy=$(defined_exact "$syms" $HEAVY_LIBC)
# shellcheck disable=SC2086
tls_extra=$(defined "$syms" $TLS_UNUSED)
echo "Symbols of the static agent (nm):"
if [ -n "$static" ]; then
	echo "  heavy C library code:${heavy:- none}"
else
	echo "  heavy C library code: not checked (dynamic agent, libc is not in it)"
fi
echo "  BearSSL outside the TLS profile:${tls_extra:- none}"
echo

# ---- budgets ------------------------------------------------------------------
echo "Budgets (reported, never failing)         measured   budget  verdict"
if [ -n "$BUDGET_AGENT" ]; then
	printf '  %-38s %8d %8d  %s\n' "stripped static cpjob" "$agent_stripped" "$BUDGET_AGENT" \
		"$(verdict "$agent_stripped" "$BUDGET_AGENT")"
	printf '  %-38s %8d %8d  %s\n' "  goal beyond the budget" "$agent_stripped" "$BUDGET_AGENT_GOAL" \
		"$(verdict "$agent_stripped" "$BUDGET_AGENT_GOAL")"
else
	printf '  %-38s %8d %8s  %s\n' "stripped cpjob" "$agent_stripped" "-" "(no budget: not a target)"
fi
printf '  %-38s %8d %8d  %s\n' "agent bss (static buffers)" "$agent_bss" "$BUDGET_BSS" \
	"$(verdict "$agent_bss" "$BUDGET_BSS")"
printf '  %-38s %8d %8d  %s\n' "library flash, no BearSSL (armhf -Os)" "$lib_text" "$BUDGET_LIB" \
	"$(verdict "$lib_text" "$BUDGET_LIB" "$BUDGET_LIB_BOARD")"
[ -n "$lib_linked" ] && printf '  %-38s %8d %8s  %s\n' "  of which linked into cpjob" "$lib_linked" "" \
	"$(verdict "$lib_linked" "$BUDGET_LIB" "$BUDGET_LIB_BOARD")"
printf '  %-38s %8d %8d  %s\n' "minimal profile library flash (armhf)" "$min_text" "$BUDGET_LIB_MIN" \
	"$(verdict "$min_text" "$BUDGET_LIB_MIN" "$BUDGET_LIB_BOARD")"
[ "$min_linked" -gt 0 ] && printf '  %-38s %8d %8s  %s\n' "  of which linked into ex_worker" "$min_linked" "" \
	"$(verdict "$min_linked" "$BUDGET_LIB_MIN" "$BUDGET_LIB_BOARD")"
printf '  %-38s %8d %8d  %s\n' "RAM per CodePipeline client" "$ram" "$BUDGET_RAM" "$(verdict "$ram" "$BUDGET_RAM")"
printf '  %-38s %8d %8s  %s\n' "  without the agent work buffer" "$lib_ram" "" "$(verdict "$lib_ram" "$BUDGET_RAM")"
printf '  %-38s %8d %8d  %s\n' "deepest library stack (bound)" "$bound" "$BUDGET_STACK" "$(verdict "$bound" "$BUDGET_STACK")"
if [ -n "$static" ]; then
	printf '  %-38s %8s %8s  %s\n' "no heavy C library code (nm)" "$(echo "$heavy" | wc -w)" "0" \
		"$([ -z "$heavy" ] && echo met || echo "not met:$heavy")"
fi
printf '  %-38s %8s %8s  %s\n' "no BearSSL outside the profile (nm)" "$(echo "$tls_extra" | wc -w)" "0" \
	"$([ -z "$tls_extra" ] && echo met || echo "not met:$tls_extra")"

heavy_n=-
[ -n "$static" ] && heavy_n=$(echo "$heavy" | wc -w)
echo "$BOARD $lib_text ${lib_linked:-0} $agent_stripped $lib_ram $ram $direct $bound $min_text $min_linked" \
	"$agent_bss ${BUDGET_AGENT:--} $heavy_n" >"$B/size.sum"
