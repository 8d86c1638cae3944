#!/bin/sh
# packaging/deb.sh -- the Debian packages of one board's build, from the
# trees `make install` staged (packaging/deb.mk runs it; `make deb`):
#
#   cpjob          /usr/bin/cpjob (stripped; static: a lintian override),
#                  the unit in /lib/systemd/system,
#                  /usr/lib/sysusers.d/cpjob.conf, /etc/cpjob.conf (conffile),
#                  the example handler and the handler contract in
#                  /usr/share/doc/cpjob/, maintainer scripts (packaging/debian/)
#   libcpjob-dev   the static library, headers and pkg-config file
#
# usage: deb.sh OUTDIR ARCH VERSION STRIP AGENT_STAGE DEV_STAGE
# Environment: DEB_MAINTAINER, SOURCE_DATE_EPOCH (file dates, changelog).
set -eu
out=$1 arch=$2 version=$3 strip=$4
agent=$(cd "$5" && pwd) dev=$(cd "$6" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
maint=${DEB_MAINTAINER:-cpjob developers <dev@cpjob.invalid>}
when=${SOURCE_DATE_EPOCH:-$(date +%s)}
export SOURCE_DATE_EPOCH=$when

# /usr/share/doc/<pkg>: copyright and a one-entry changelog (native).
docs() {
	d=$1/usr/share/doc/$2
	install -d "$d"
	install -m 644 "$here/debian/copyright" "$d/copyright"
	{
		printf '%s (%s) unstable; urgency=medium\n\n' "$2" "$version"
		printf '  * Built from the cpjob source tree with make deb.\n\n'
		printf ' -- %s  %s\n' "$maint" "$(LC_ALL=C date -u -R -d "@$when")"
	} | gzip -9n >"$d/changelog.gz"
	chmod 644 "$d/changelog.gz"
}

# DEBIAN/md5sums, the size, then the package.
build() {
	root=$1 name=$2
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sort \
		| sed 's|^\./||' | xargs -r md5sum) >"$root/DEBIAN/md5sums"
	chmod 644 "$root/DEBIAN/md5sums"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	sed -i "s/^Installed-Size: .*/Installed-Size: $size/" "$root/DEBIAN/control"
	find "$root" -exec touch -h -d "@$when" {} +
	dpkg-deb --root-owner-group -Zxz --build "$root" \
		"$out/${name}_${version}_${arch}.deb" >/dev/null
	echo "  DEB     $out/${name}_${version}_${arch}.deb"
}

# ---- cpjob ------------------------------------------------------------------
rm -rf "$agent/DEBIAN"
install -d -m 755 "$agent/DEBIAN" "$agent/etc"
"$strip" --strip-unneeded --remove-section=.comment --remove-section=.note \
	"$agent/usr/bin/cpjob"
sed 's|see share/cpjob/handler.md|see /usr/share/doc/cpjob/handler.md|' \
	"$agent/usr/share/doc/cpjob/cpjob.conf.example" >"$agent/etc/cpjob.conf"
chmod 644 "$agent/etc/cpjob.conf"
docs "$agent" cpjob
# a dynamically linked agent (the host board) depends on its libc
depends=
if LC_ALL=C readelf -d "$agent/usr/bin/cpjob" 2>/dev/null | grep -q NEEDED; then
	t=$(mktemp -d)
	mkdir "$t/debian"
	printf 'Source: cpjob\n\nPackage: cpjob\nArchitecture: any\n' >"$t/debian/control"
	depends=$(cd "$t" && dpkg-shlibdeps -O "$agent/usr/bin/cpjob" 2>/dev/null \
		| sed -n 's/^shlibs:Depends=//p')
	rm -rf "$t"
else
	# static on purpose (the cross boards): nothing to depend on
	install -d "$agent/usr/share/lintian/overrides"
	echo "cpjob: statically-linked-binary [usr/bin/cpjob]" \
		>"$agent/usr/share/lintian/overrides/cpjob"
	chmod 644 "$agent/usr/share/lintian/overrides/cpjob"
fi
cat >"$agent/DEBIAN/control" <<EOC
Package: cpjob
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: 0
Depends: ${depends:+$depends, }systemd | systemd-standalone-sysusers | systemd-sysusers
Section: admin
Priority: optional
Homepage: https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-custom-action.html
Description: AWS CodePipeline custom-action job worker
 cpjob polls AWS CodePipeline for the jobs of a custom action, downloads
 their input artifacts, runs a handler program, uploads the output
 artifacts and reports the result, resuming a job in flight after a
 restart. It runs as the systemd service cpjob (user cpjob), configured
 in /etc/cpjob.conf, with readiness, status and a watchdog.
 .
 The handler contract and an example handler are in /usr/share/doc/cpjob.
EOC
echo /etc/cpjob.conf >"$agent/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 755 "$here/debian/$s" "$agent/DEBIAN/$s"
done
chmod 644 "$agent/DEBIAN/control" "$agent/DEBIAN/conffiles"
build "$agent" cpjob

# ---- libcpjob-dev -----------------------------------------------------------
rm -rf "$dev/DEBIAN"
install -d -m 755 "$dev/DEBIAN"
docs "$dev" libcpjob-dev
cat >"$dev/DEBIAN/control" <<EOC
Package: libcpjob-dev
Version: $version
Architecture: $arch
Multi-Arch: same
Maintainer: $maint
Installed-Size: 0
Depends: libbearssl-dev, libjsmn-dev
Section: libdevel
Priority: optional
Homepage: https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-custom-action.html
Description: AWS CodePipeline job-worker client library (static, no heap)
 libcpjob is a C99 client for the AWS CodePipeline custom-action
 job-worker API, with S3 artifact transfers, SigV4 signing and the AWS
 credential providers. It never allocates from the heap and documents
 the stack each call uses, for firmware tools.
 .
 This package holds the static library, its headers (configured for the
 board it was built for) and the pkg-config file cpjob.pc.
EOC
chmod 644 "$dev/DEBIAN/control"
build "$dev" libcpjob-dev
