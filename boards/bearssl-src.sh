#!/bin/sh
# boards/bearssl-src.sh DIR -- put BearSSL's release source into DIR.
#
# The source is Debian's source package `bearssl` (upstream 0.6 release,
# verified by apt against the signed Sources index). Nothing of the system
# changes: apt runs with a private state directory under DIR's parent whose
# only sources are deb-src twins of the system's Debian `deb` entries.
# Needs apt-get; dpkg-source (dpkg-dev) unpacks, else tar does (the
# package carries no patches). Offline or without apt: print what to run,
# or point BEARSSL_SRC at an unpacked BearSSL 0.6 tree.
set -eu
dst=${1:?usage: bearssl-src.sh DIR}
[ -f "$dst/inc/bearssl.h" ] && exit 0
if [ -e "$dst" ] && [ -n "$(ls -A "$dst" 2>/dev/null)" ]; then
	echo "bearssl-src.sh: $dst exists but holds no inc/bearssl.h (not a BearSSL tree)" >&2
	exit 1
fi

parent=$(dirname "$dst")
mkdir -p "$parent"
parent=$(cd "$parent" && pwd)
apt="$parent/bearssl-apt"
dl="$apt/download"

manual() {
	cat >&2 <<EOF
bearssl-src.sh: could not fetch BearSSL's source into $dst.
Fetch it by hand (Debian; deb-src entry needed), then build again:
    echo 'deb-src <your Debian mirror> <suite> main' >/etc/apt/sources.list.d/deb-src.list
    apt-get update && cd "$parent" && apt-get source bearssl
    mv "$parent"/bearssl-0.6* "$dst"
or pass an unpacked BearSSL 0.6 tree:  make BEARSSL_SRC=<dir> ...
EOF
	exit 1
}

command -v apt-get >/dev/null 2>&1 || manual

# deb-src twins of the system's Debian entries (deb822 and one-line forms).
rm -rf "$apt"
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" "$dl"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	     /debian-archive-keyring|URIs:[^\n]*\/debian/ && /Types:[^\n]*deb/ {
		sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" \
		>"$apt/parts/$(basename "$f")"
done
{
	[ -f /etc/apt/sources.list ] && cat /etc/apt/sources.list
	cat /etc/apt/sources.list.d/*.list 2>/dev/null || true
} | awk '$1 == "deb" && /debian/ { $1 = "deb-src"; print }' >"$apt/sources.list"
if ! grep -q . "$apt/sources.list" && ! cat "$apt"/parts/*.sources 2>/dev/null | grep -q deb-src; then
	echo "bearssl-src.sh: no Debian entry in the apt sources" >&2
	manual
fi

opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/parts
      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o Debug::NoLocking=1
      -o APT::Sandbox::User=root -q"
echo "  APT     bearssl source (Debian source package) -> $dst"
# shellcheck disable=SC2086
apt-get $opts update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; manual; }
# shellcheck disable=SC2086
(cd "$dl" && apt-get $opts source --download-only bearssl) >"$apt/source.log" 2>&1 ||
	{ cat "$apt/source.log" >&2; manual; }

tmp="$apt/unpack"
rm -rf "$tmp"
mkdir -p "$tmp"
# The .dsc's own signature cannot be checked without Debian's uploader
# keyring (gpgv says so in the log); apt has checked its hashes already.
if command -v dpkg-source >/dev/null 2>&1; then
	dpkg-source -x "$dl"/bearssl_*.dsc "$tmp/src" >"$apt/unpack.log" 2>&1 ||
		{ cat "$apt/unpack.log" >&2; manual; }
else
	tar -C "$tmp" -xf "$dl"/bearssl_*.orig.tar.*
	mv "$tmp"/bearssl-* "$tmp/src"
fi
[ -f "$tmp/src/inc/bearssl.h" ] || manual
rmdir "$dst" 2>/dev/null || true
mv "$tmp/src" "$dst"
ls "$dl" >"$dst/.cpj-origin"
echo "  APT     $(sed -n 's/\.dsc$//p' "$dst/.cpj-origin")"
