#!/bin/sh
# boards/stack-walk.sh READELF ROOT_RE OBJ... -- deepest stack from gcc's
# -fcallgraph-info=su files.
#
# Each OBJ (foo.o) must have its call graph beside it (foo.ci). A node's
# depth is its own frame plus the deepest of its callees; the deepest root
# (a non-static function whose name matches ROOT_RE) is reported twice:
#
#   direct    indirect calls count 0 bytes: a lower bound.
#   indirect  an indirect call (function pointer: the transport callbacks,
#             BearSSL's vtables) may reach any address-taken function of
#             the objects: one referenced by a relocation that is not a
#             call (vtables, callbacks). A bound for code without recursion.
#
# Functions outside the objects (libc, compiler helpers) count 0 bytes;
# recursion is cut at the first repeat (direct recursion is listed), and
# so are frames gcc marks "dynamic" (unbounded alloca/VLA). Output: lines
# "direct N path...", "indirect N path...", "dynamic NAME...",
# "recursion NAME..." (path = function(frame) names, outermost first; "->"
# is a call through a pointer). CPJ_STACK_LEVELS (default 2) is the most
# pointer calls nested on one path. With CPJ_STACK_EACH=1 a line "each NAME
# DIRECT INDIRECT" comes first for every root.
set -eu
readelf=${1:?usage: stack-walk.sh READELF ROOT_RE OBJ...}
roots=${2:?}
shift 2

tmp=${TMPDIR:-/tmp}/cpj-stack.$$
trap 'rm -f "$tmp"' EXIT INT TERM
: >"$tmp"
for o in "$@"; do
	ci=${o%.o}.ci
	[ -f "$ci" ] || { echo "stack-walk.sh: no $ci (compile with -fcallgraph-info=su)" >&2; exit 1; }
	# Symbols referenced other than by a call relocation, from code and data.
	"$readelf" -rW "$o" | awk -v ci="$ci" '
		/^Relocation section/ {
			s = $3; gsub(/\047/, "", s)
			keep = (s ~ /^\.rela?\.(text|data|rodata|sdata|init_array|fini_array)/)
			next
		}
		keep && NF >= 5 && $1 ~ /^[0-9a-f]+$/ {
			if ($3 ~ /CALL|JUMP|PLT32|JALR|R_MIPS_26|NONE/) next
			n = $5; sub(/@.*/, "", n)
			if (n ~ /^\.text\./) sub(/^\.text\./, "", n)
			else if (n ~ /^\./) next
			print "ADDR\t" ci "\t" n
		}' >>"$tmp"
	printf 'FILE\t%s\n' "$ci" >>"$tmp"
done

awk -v roots="$roots" -v tmp="$tmp" -v levels="${CPJ_STACK_LEVELS:-2}" -v each="${CPJ_STACK_EACH:-}" -v bearre="${CPJ_STACK_BEARSSL:-/bearssl/}" '
function q(s) { sub(/^[^"]*"/, "", s); sub(/".*/, "", s); return s }
function field(line, key,   i) {
	i = index(line, key ": \"")
	if (i == 0) return ""
	return q(substr(line, i + length(key) + 2))
}
function walk(t, mode, lv,   i, c, d, best, bc, key) {
	key = mode SUBSEP lv SUBSEP t
	if (key in memo) return memo[key]
	if (onstack[t]) {
		if (mode == "direct") rec[t] = 1
		return 0
	}
	onstack[t] = 1
	best = 0; bc = ""
	if (t == "__indirect_call") {
		if (mode == "indirect" && lv > 0)
			for (c in addr) {
				if (!ok_target(caller, c)) continue
				d = walk(c, mode, lv - 1)
				if (d > best) { best = d; bc = c }
			}
	} else {
		for (i = 1; i <= ncall[t]; i++) {
			c = callee[t, i]
			caller = t
			d = walk(c, mode, lv)
			if (d > best) { best = d; bc = c }
		}
		best += frame[t]
	}
	onstack[t] = 0
	memo[key] = best
	next_of[key] = bc
	return best
}
# Who may call whom through a pointer: the library calls its own static
# callbacks (transports, X.509 wrapper) or BearSSL vtables; BearSSL calls
# BearSSL, or back into the library TLS and socket glue (br_sslio
# low_read/low_write, the X.509 wrapper class).
function ok_target(from, to) {
	if (bear[to]) return 1
	if (to !~ /:/) return 0
	if (!bear[from]) return 1
	return glue[to]
}
function path(t, mode, lv,   s, n, nt) {
	s = ""; n = 0
	while (t != "" && n++ < 64) {
		if (t != "__indirect_call")
			s = s " " disp[t] "(" frame[t] ")"
		else
			s = s " ->"
		nt = next_of[mode, lv, t]
		if (t == "__indirect_call") lv--
		t = nt
	}
	return s
}
BEGIN {
	while ((getline line < tmp) > 0) {
		split(line, f, "\t")
		if (f[1] == "ADDR") taken[f[2], f[3]] = 1
		else files[++nf] = f[2]
	}
	for (k = 1; k <= nf; k++) {
		ci = files[k]
		while ((getline line < ci) > 0) {
			if (line ~ /^node:/) {
				t = field(line, "title"); lab = field(line, "label")
				split(lab, p, "\\\\n")
				if (lab ~ / bytes \(/) {
					b = p[3]; sub(/ bytes.*/, "", b)
					frame[t] = b + 0; disp[t] = p[1]; defined[t] = 1
					if (lab ~ /dynamic/ && lab !~ /bounded/) dyn[t] = 1
					tu[t] = ci
					bear[t] = (ci ~ bearre)
					glue[t] = (ci ~ /\/src\/(tls|net)\//)
					local = (t ~ /:/)
					if (taken[ci, p[1]]) addr[t] = 1
					if (!local) global[p[1]] = t
				} else if (!(t in disp)) disp[t] = p[1]
			} else if (line ~ /^edge:/) {
				s = field(line, "sourcename"); d = field(line, "targetname")
				if (!((s, d) in seen)) { seen[s, d] = 1; callee[s, ++ncall[s]] = d }
			}
		}
		close(ci)
	}
	# A global function referenced by name from another object.
	for (k in taken) {
		split(k, p, SUBSEP)
		if (p[2] in global) addr[global[p[2]]] = 1
	}
	if (each)
		for (t in defined) {
			if (t ~ /:/ || disp[t] !~ roots) continue
			print "each", disp[t], walk(t, "direct", levels), walk(t, "indirect", levels)
		}
	split("direct indirect", modes, " ")
	for (m = 1; m <= 2; m++) {
		mode = modes[m]; best = -1; br = ""
		for (t in defined) {
			if (t ~ /:/ || disp[t] !~ roots) continue
			d = walk(t, mode, levels)
			if (d > best) { best = d; br = t }
		}
		print mode, best, path(br, mode, levels)
	}
	s = ""
	for (t in dyn) s = s " " disp[t]
	print "dynamic" s
	s = ""
	for (t in rec) s = s " " disp[t]
	print "recursion" s
}'
