# packaging/deb.mk -- Debian packages of a board's build, included by the
# top Makefile (docs/agent.md, "Packages").
#
#   make deb [BOARD=<b>]   $(B)/cpjob_<version>_<arch>.deb and
#                          $(B)/libcpjob-dev_<version>_<arch>.deb
#   make package-test      tests/scripts/test_package.py for the packages of
#                          PACKAGE_BOARDS (CI; `make test` checks the host's):
#                          the cross boards' agents run under qemu-user
#
# Variables: DEB_VERSION (default the library's version), DEB_ARCH (from
# the board), DEB_MAINTAINER.

DEB_ARCH_host := $(shell dpkg --print-architecture 2>/dev/null)
DEB_ARCH_x86_64-musl := amd64
DEB_ARCH_armhf := armhf
DEB_ARCH_arm64 := arm64
DEB_ARCH_mipsel := mipsel
DEB_ARCH ?= $(DEB_ARCH_$(BOARD))
DEB_VERSION ?= $(VERSION)
DEB_MULTIARCH = $(shell dpkg-architecture -a$(DEB_ARCH) -qDEB_HOST_MULTIARCH 2>/dev/null)
DEB_STAGE := $(B)/deb
# Paths of a Debian system (Debian 12 keeps units in /lib/systemd/system).
DEB_DIRS := PREFIX=/usr SYSCONFDIR=/etc DOCDIR=/usr/share/doc/cpjob \
	SYSTEMDUNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d

.PHONY: deb package-test
deb: all
	$(Q)sh tests/deps.sh --check deb
	$(if $(DEB_ARCH),,$(error make deb: no Debian architecture for board $(BOARD) (DEB_ARCH=...)))
	$(Q)rm -rf $(DEB_STAGE)
	$(Q)$(MAKE) --no-print-directory -s install-bin install-unit install-share \
		DESTDIR=$(abspath $(DEB_STAGE))/cpjob $(DEB_DIRS)
	$(Q)$(MAKE) --no-print-directory -s install-lib install-headers \
		DESTDIR=$(abspath $(DEB_STAGE))/libcpjob-dev $(DEB_DIRS) \
		LIBDIR=/usr/lib/$(DEB_MULTIARCH)
	$(Q)DEB_MAINTAINER='$(DEB_MAINTAINER)' SOURCE_DATE_EPOCH=$(CPJ_BUILD_TIME) \
		sh packaging/deb.sh $(B) $(DEB_ARCH) $(DEB_VERSION) \
		$(CROSS_COMPILE)strip $(DEB_STAGE)/cpjob $(DEB_STAGE)/libcpjob-dev

PACKAGE_BOARDS ?= host armhf arm64 mipsel
package-test:
	$(Q)sh tests/deps.sh deb
	$(Q)for b in $(PACKAGE_BOARDS); do \
		$(MAKE) --no-print-directory BOARD=$$b all || exit 1; done
	$(Q)CPJ_TOP="$(CURDIR)" CPJ_BUILD="$(abspath $(BUILD))/host" \
		CPJ_PACKAGE_BOARDS="$(PACKAGE_BOARDS)" /usr/bin/python3 tests/scripts/test_package.py
