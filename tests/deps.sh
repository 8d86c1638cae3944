#!/bin/sh
# tests/deps.sh [--check] build|test|demo|bench|fuzz|boards|docs|deb [PKG...] -- install
# what that target needs from Debian's archive when missing (apt-get when
# root; otherwise print the exact command and stop). Extra PKG names are
# added to the list (a cross board's toolchain, see boards/*/board.mk).
# --check (what `make` does before compiling): install nothing; when some
# are missing, one line naming them and the commands that install them
# ($CPJ_DEPS_HINT, default `make deps`), exit status 1. Without dpkg-query
# (not a Debian system) it checks nothing.
set -u
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
	command -v dpkg-query >/dev/null 2>&1 || exit 0
fi
want=${1:-build}
[ $# -gt 0 ] && shift
pkgs="make gcc libc6-dev libbearssl-dev libjsmn-dev"
case "$want" in
# (pkg-config: the installed cpjob.pc is checked by test_agent_install.py)
# python3-jmespath: the --query differential (the aws CLI depends on it too)
# dpkg-dev ... fakeroot: tests/scripts/test_package.py (make deb, see deb below)
test) pkgs="$pkgs openssl valgrind python3 python3-botocore python3-jmespath awscli ca-certificates pkg-config
	dpkg-dev lintian init-system-helpers systemd fakeroot" ;;
demo) pkgs="$pkgs openssl python3 python3-botocore" ;;
# make docs: the API reference from include/*.h (tests/examples/examples.mk).
docs) pkgs="$pkgs doxygen" ;;
# make bench: the emulator, the peers (Debian's aws CLI; node and npm for the
# AWS SDK for JavaScript, whose packages npm installs), callgrind, GNU time,
# gnuplot for the chart. A node from elsewhere (e.g. NodeSource, which ships
# npm) is used as it is.
bench) pkgs="$pkgs openssl python3 python3-botocore awscli ca-certificates valgrind time gnuplot-nox"
	command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
	command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm" ;;
# make fuzz: clang and libFuzzer (libclang-rt-14-dev, only recommended by
# clang on Debian 12); `make test` replays the corpora with gcc instead.
fuzz) pkgs="$pkgs clang libclang-rt-14-dev" ;;
# Every board (boards/README.md): cross toolchains, musl (the host's, and
# Debian's multiarch musl-dev of each cross board), qemu-user, the BearSSL
# source fetch (dpkg-dev, xz-utils), binutils for `make size`, file for the
# CI check, openssl for the integration tests under qemu.
boards) pkgs="$pkgs binutils file dpkg-dev xz-utils openssl musl-tools qemu-user
	gcc-arm-linux-gnueabihf musl-dev:armhf gcc-aarch64-linux-gnu musl-dev:arm64
	gcc-mipsel-linux-gnu musl-dev:mipsel" ;;
# make deb and its test (tests/scripts/test_package.py): dpkg-shlibdeps,
# lintian, deb-systemd-helper (init-system-helpers), systemd-analyze and
# systemd-sysusers (systemd), fakeroot when not root.
deb) pkgs="$pkgs dpkg-dev lintian init-system-helpers systemd fakeroot" ;;
esac
pkgs="$pkgs $*"
missing=
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
# A PKG:ARCH entry (a cross board's musl-dev:armhf) needs ARCH among dpkg's
# foreign architectures before apt-get update.
archs=
native=$(dpkg --print-architecture)
for p in $missing; do
	case "$p" in
	*:*) a=${p#*:}
		[ "$a" = "$native" ] && continue
		dpkg --print-foreign-architectures | grep -qx "$a" && continue
		case " $archs " in *" $a "*) ;; *) archs="$archs $a" ;; esac ;;
	esac
done
add=
for a in $archs; do add="${add}sudo dpkg --add-architecture $a && "; done
[ -n "$archs" ] && add="${add}sudo apt-get update; "
if [ "$check" = 1 ]; then
	echo "cpjob: missing Debian packages:$missing; install them with \`${CPJ_DEPS_HINT:-make deps}\` as root, or: ${add}sudo apt-get install -y$missing" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing"
	echo "install them with:  ${add}sudo apt-get install -y$missing"
	exit 1
fi
for a in $archs; do
	echo "dpkg --add-architecture $a"
	dpkg --add-architecture "$a"
done
echo "installing:$missing"
# A mirror in mid-sync can make update fail while installs still work: the
# install decides.
DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
