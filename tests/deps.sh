#!/bin/sh
# tests/deps.sh build|test|demo -- install what that target needs from
# Debian's archive when missing (apt-get when root; otherwise print the
# exact command and stop).
set -u
want=${1:-build}
pkgs="make gcc libc6-dev libbearssl-dev libjsmn-dev"
case "$want" in
test) pkgs="$pkgs openssl valgrind python3 python3-botocore awscli ca-certificates" ;;
demo) pkgs="$pkgs openssl python3 python3-botocore" ;;
esac
missing=
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing"
	echo "install them with:  sudo apt-get install -y$missing"
	exit 1
fi
echo "installing:$missing"
# A mirror in mid-sync can make update fail while installs still work: the
# install decides.
DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
