#!/usr/bin/python3
"""`make deb`: the Debian packages of a board's build (packaging/).

For each board of $CPJ_PACKAGE_BOARDS (default: host; `make package-test`,
which CI runs, adds armhf):
- cpjob_<version>_<arch>.deb and libcpjob-dev_<version>_<arch>.deb are
  built, with the contents packaging/deb.sh lists, and lintian reports no
  error on them;
- the unit they carry runs /usr/bin/cpjob as Type=notify with WatchdogSec=
  and NotifyAccess=main, with the hardening.
For the host package, in a throw-away root (`dpkg --root` over a prepared
directory, maintainer scripts run with $DPKG_ROOT): installed, the cpjob
user created, the unit enabled and accepted by `systemd-analyze verify
--root`; upgraded to a second version keeping a changed /etc/cpjob.conf
(a conffile); removed (the conffile stays) and purged (nothing stays).
For a cross board, the packaged agent runs under qemu-user.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

BUILD = os.path.dirname(A.BUILD.rstrip("/"))
QEMU = {"armhf": "qemu-arm", "arm64": "qemu-aarch64", "mipsel": "qemu-mipsel"}
HARDENING = ["NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=full",
             "ProtectHome=read-only", "UMask=0027", "KillMode=mixed"]


def sh(args, **kw):
    kw.setdefault("timeout", 600)
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)


def make_deb(board, version=None):
    args = ["make", "-s", "-C", A.TOP, "BUILD=" + BUILD, "BOARD=" + board, "deb"]
    if version:
        args.append("DEB_VERSION=" + version)
    p = sh(args)
    debs = {}
    for line in p.stdout.splitlines():
        m = re.match(r"\s*DEB\s+(\S+/([a-z-]+)_[^/]+\.deb)$", line)
        if m:
            debs[m.group(2)] = m.group(1)
    return p, debs


def unit_of(deb, tmp):
    d = os.path.join(tmp, "x-" + os.path.basename(deb))
    sh(["dpkg-deb", "-x", deb, d])
    path = os.path.join(d, "lib/systemd/system/cpjob.service")
    with open(path) as f:
        return d, f.read()


def check_contents(board, debs, tmp):
    p = sh(["dpkg-deb", "-c", debs["cpjob"]])
    names = set(re.sub(r"^\./", "/", l.split()[-1]) for l in p.stdout.splitlines())
    want = ["/usr/bin/cpjob", "/lib/systemd/system/cpjob.service", "/etc/cpjob.conf",
            "/usr/lib/sysusers.d/cpjob.conf", "/usr/share/doc/cpjob/handler.md",
            "/usr/share/doc/cpjob/handler-example.sh", "/usr/share/doc/cpjob/copyright"]
    check("%s_deb_contents" % board, all(w in names for w in want),
          [w for w in want if w not in names])
    conff = sh(["dpkg-deb", "-I", debs["cpjob"], "conffiles"]).stdout.split()
    scripts = sh(["dpkg-deb", "-I", debs["cpjob"], "postinst"]).stdout
    check("%s_deb_conffile_and_scripts" % board, conff == ["/etc/cpjob.conf"]
          and "deb-systemd-helper enable 'cpjob.service'" in scripts
          and "deb-systemd-invoke $_dh_action" in scripts
          and "systemd-sysusers" in scripts, (conff, scripts[:300]))
    p = sh(["dpkg-deb", "-c", debs["libcpjob-dev"]])
    dev = p.stdout
    check("%s_dev_deb_contents" % board, re.search(r"\./usr/lib/[a-z0-9_-]+/libcpjob\.a\n", dev)
          and re.search(r"\./usr/lib/[a-z0-9_-]+/pkgconfig/cpjob\.pc\n", dev)
          and "./usr/include/cpjob/cpj.h" in dev, dev[-800:])
    _, unit = unit_of(debs["cpjob"], tmp)
    lines = unit.splitlines()
    want = ["ExecStart=/usr/bin/cpjob run --config /etc/cpjob.conf", "Type=notify",
            "NotifyAccess=main", "User=cpjob", "StateDirectory=cpjob",
            "Documentation=file:///usr/share/doc/cpjob/handler.md"] + HARDENING
    check("%s_deb_unit" % board, all(w in lines for w in want)
          and any(re.match(r"WatchdogSec=\d+$", l) for l in lines) and "@" not in unit,
          [w for w in want if w not in lines])
    p = sh(["lintian", "--tag-display-limit", "0", debs["cpjob"], debs["libcpjob-dev"]])
    errors = [l for l in p.stdout.splitlines() if l.startswith("E:")]
    print("  lintian %s: %s" % (board, "; ".join(p.stdout.splitlines()) or "clean"))
    check("%s_lintian_no_errors" % board, p.returncode == 0 and not errors,
          (p.returncode, errors, p.stderr[-400:]))


class Root:
    """A throw-away root for dpkg: its database, /etc/passwd and group for
    systemd-sysusers, the host's systemd units for systemd-analyze."""

    def __init__(self, path):
        self.path = path
        for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
                  "etc", "usr/bin", "usr/lib/systemd", "var/lib", "run"]:
            os.makedirs(os.path.join(path, d), exist_ok=True)
        for d in ["lib", "bin", "sbin"]:
            os.symlink("usr/" + d if d != "sbin" else "usr/sbin", os.path.join(path, d))
        os.makedirs(os.path.join(path, "usr/sbin"), exist_ok=True)
        for f in ["status", "available"]:
            open(os.path.join(path, "var/lib/dpkg", f), "w").close()
        for f, text in [("passwd", "root:x:0:0:root:/root:/bin/sh\n"),
                        ("group", "root:x:0:\n"), ("shadow", "root:*:19000:0:99999:7:::\n"),
                        ("gshadow", "root:*::\n")]:
            with open(os.path.join(path, "etc", f), "w") as fh:
                fh.write(text)
        shutil.copytree("/usr/lib/systemd/system", os.path.join(path, "usr/lib/systemd/system"),
                        symlinks=True)

    def dpkg(self, *args):
        # scripts run outside a chroot, with $DPKG_ROOT; the root has no
        # libc6 or systemd package of its own (--force-depends)
        cmd = ["dpkg", "--root=" + self.path, "--log=/dev/null", "--force-script-chrootless",
               "--force-depends", "--force-unsafe-io"]
        if os.getuid() != 0:
            cmd = ["fakeroot"] + cmd + ["--force-not-root"]
        return sh(cmd + list(args))

    def status(self, pkg):
        p = sh(["dpkg-query", "--admindir=" + os.path.join(self.path, "var/lib/dpkg"), "-W",
                "-f=${Status} ${Version}", pkg])
        return p.stdout.strip() if p.returncode == 0 else ""

    def p(self, rel):
        return os.path.join(self.path, rel.lstrip("/"))

    def read(self, rel):
        try:
            with open(self.p(rel)) as f:
                return f.read()
        except OSError:
            return None


def test_host_root(debs, debs2, tmp):
    r = Root(os.path.join(tmp, "root"))
    v1 = re.search(r"_([^_]+)_[^_]+\.deb$", debs["cpjob"]).group(1)
    v2 = re.search(r"_([^_]+)_[^_]+\.deb$", debs2["cpjob"]).group(1)
    p = r.dpkg("-i", debs["cpjob"], debs["libcpjob-dev"])
    check("host_deb_installs", p.returncode == 0 and r.status("cpjob")
          == "install ok installed " + v1, (p.stdout[-800:], p.stderr[-800:]))
    passwd = r.read("/etc/passwd") or ""
    check("host_deb_user_created", re.search(r"^cpjob:x:\d+:\d+:[^:]*:/var/lib/cpjob:", passwd,
                                              re.M) and re.search(r"^cpjob:x:", r.read(
                                                  "/etc/group") or "", re.M), passwd)
    wants = r.p("/etc/systemd/system/multi-user.target.wants/cpjob.service")
    check("host_deb_unit_enabled", os.path.islink(wants), os.listdir(r.p("/etc/systemd"))
          if os.path.isdir(r.p("/etc/systemd")) else "no /etc/systemd")
    v = sh(["systemd-analyze", "verify", "--root=" + r.path, "cpjob.service"])
    check("host_deb_unit_verifies", v.returncode == 0, v.stdout[-600:] + v.stderr[-600:])
    # the check above can fail: without the agent the unit does not verify
    os.rename(r.p("/usr/bin/cpjob"), r.p("/usr/bin/cpjob.away"))
    bad = sh(["systemd-analyze", "verify", "--root=" + r.path, "cpjob.service"])
    os.rename(r.p("/usr/bin/cpjob.away"), r.p("/usr/bin/cpjob"))
    check("host_deb_unit_verify_sees_missing_agent", bad.returncode != 0
          and "/usr/bin/cpjob" in bad.stderr, bad.stderr[-400:])
    ver = sh([r.p("/usr/bin/cpjob"), "--version"])
    check("host_deb_agent_runs", ver.returncode == 0 and ver.stdout.startswith("cpjob "),
          (ver.stdout, ver.stderr))
    multi = glob.glob(r.p("/usr/lib/*/pkgconfig/cpjob.pc"))
    pc = open(multi[0]).read() if multi else ""
    libdir = os.path.dirname(os.path.dirname(multi[0])) if multi else ""
    check("host_dev_deb_installed", multi and os.path.isfile(os.path.join(libdir, "libcpjob.a"))
          and "libdir=/usr/lib/" in pc and os.path.isfile(r.p("/usr/include/cpjob/cpj.h")), pc)

    with open(r.p("/etc/cpjob.conf"), "a") as f:
        f.write("# changed on this device\nlog-level = debug\n")
    p = r.dpkg("-i", debs2["cpjob"])
    conf = r.read("/etc/cpjob.conf") or ""
    check("host_deb_upgrade_keeps_conffile", p.returncode == 0 and r.status("cpjob")
          == "install ok installed " + v2 and conf.endswith("log-level = debug\n")
          and not glob.glob(r.p("/etc/cpjob.conf.dpkg-*")), (p.stdout[-600:], p.stderr[-600:]))

    os.makedirs(r.p("/var/lib/cpjob/work"))
    open(r.p("/var/lib/cpjob/state"), "w").close()
    p = r.dpkg("-r", "cpjob")
    check("host_deb_remove_keeps_conffile", p.returncode == 0
          and r.status("cpjob").startswith("deinstall ok config-files")
          and not os.path.exists(r.p("/usr/bin/cpjob"))
          and not os.path.exists(r.p("/lib/systemd/system/cpjob.service"))
          and (r.read("/etc/cpjob.conf") or "").endswith("log-level = debug\n"),
          (r.status("cpjob"), p.stderr[-600:]))
    p = r.dpkg("-P", "cpjob")
    left = [f for f in ["/etc/cpjob.conf", "/var/lib/cpjob", wants,
                        "/etc/systemd/system/cpjob.service"]
            if os.path.lexists(r.p(f) if not f.startswith(r.path) else f)]
    left += glob.glob(r.p("/var/lib/dpkg/info/cpjob.*"))
    check("host_deb_purge_leaves_nothing", p.returncode == 0 and r.status("cpjob") in (
        "", "unknown ok not-installed ") and not left, (r.status("cpjob"), left,
                                                        p.stderr[-600:]))


def test_cross(board, debs, tmp):
    d, _ = unit_of(debs["cpjob"], tmp)
    arch = sh(["dpkg-deb", "-f", debs["cpjob"], "Architecture"]).stdout.strip()
    p = sh([QEMU[board], os.path.join(d, "usr/bin/cpjob"), "--version"], timeout=60)
    print("  %s (%s): %s" % (board, arch, p.stdout.strip()))
    check("%s_deb_agent_runs_under_qemu" % board, arch == board and p.returncode == 0
          and p.stdout.startswith("cpjob "), (arch, p.stdout, p.stderr[-400:]))


def main():
    boards = os.environ.get("CPJ_PACKAGE_BOARDS", "host").split()
    tmp = tempfile.mkdtemp(prefix="cpj-package-")
    try:
        for board in boards:
            p, debs = make_deb(board)
            check("%s_make_deb" % board, p.returncode == 0 and set(debs) == {
                "cpjob", "libcpjob-dev"}, p.stdout[-800:] + p.stderr[-800:])
            if p.returncode != 0 or set(debs) != {"cpjob", "libcpjob-dev"}:
                continue
            check_contents(board, debs, tmp)
            if board == "host":
                version = re.search(r"_([^_]+)_[^_]+\.deb$", debs["cpjob"]).group(1)
                p2, debs2 = make_deb(board, version + "+1")
                check("host_make_deb_second_version", p2.returncode == 0 and "cpjob" in debs2,
                      p2.stderr[-600:])
                if "cpjob" in debs2:
                    test_host_root(debs, debs2, tmp)
            else:
                test_cross(board, debs, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
