#!/usr/bin/python3
"""make install (PREFIX, DESTDIR): the agent, the static library, the
headers with the board's configuration, the pkg-config file, the systemd
unit made with the installation's paths (with PREFIX=/usr and
PREFIX=/opt/cpjob, accepted by `systemd-analyze verify`), the sysusers.d
file of its user and the example files under share/cpjob; a program built
with pkg-config's flags against the installed copy links and runs. `make`
with a Debian package missing stops before compiling, with one line naming
it and the commands that install it. Then the minimal profile
(PROFILE=minimal): library and headers only, the same program built against
them runs (without error texts), and a program that calls what the profile
leaves out does not compile.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("CPJ_TOP", os.getcwd()), "tests", "agent"))
import agentlib as A  # noqa: E402
from agentlib import check  # noqa: E402

PROG = r'''
#include <stdio.h>
#include <string.h>
#include "cpj.h"

int
main(void)
{
	cpj_creds c;
	int n = cpj_creds_set(&c, "AKIDEXAMPLE", "wJalrXUtnFEMI", NULL, 0);

	printf("%d %d %s|%s|%u\n", n, cpj_creds_present(&c),
	    cpj_version()[0] != '\0' ? "v" : "", cpj_strerror(CPJ_ERR_PARAM),
	    (unsigned)(sizeof(cpj_cp_context) > 1000));
	cpj_creds_clear(&c);
	return n == 0 ? 0 : 1;
}
'''


# Calls the minimal profile leaves out: each must fail to compile (its
# declaration is hidden), and compile against the full installed headers.
LEFT_OUT = {
    "third_party": "cpj_cp_poll_for_third_party_jobs(0, 0, 1, 0)",
    "creds_providers": "cpj_creds_fetch_imds(0, 0, 0, 0, 0)",
    "s3": "(cpj_s3_clear(0), 0)",
    "tls_client_cert": "(cpj_tls_client_cert_wipe(0), 0)",
    "sigv4_presign": "cpj_sigv4_presign(0, 0, 0, 0, 0)",
}


def cc(args, timeout=120):
    return subprocess.run(["cc", "-std=c99", "-Wall", "-Werror"] + args,
                          capture_output=True, text=True, timeout=timeout)


def pkg(root, dest, what):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(root, "lib", "pkgconfig"),
               PKG_CONFIG_SYSROOT_DIR=dest)
    return subprocess.run(["pkg-config", what, "cpjob"], env=env, capture_output=True,
                          text=True, timeout=30).stdout.split()


def test_minimal(tmp, build, board):
    dest = os.path.join(tmp, "dest-min")
    p = subprocess.run(["make", "-s", "-C", A.TOP, "BUILD=" + build, "BOARD=" + board,
                        "PROFILE=minimal", "install", "DESTDIR=" + dest, "PREFIX=/usr"],
                       capture_output=True, text=True, timeout=600)
    check("make_install_minimal", p.returncode == 0, p.stdout[-1500:] + p.stderr[-1500:])
    root = os.path.join(dest, "usr")
    check("install_minimal_files", os.path.isfile(os.path.join(root, "lib/libcpjob.a"))
          and os.path.isfile(os.path.join(root, "include/cpjob/cpj_config_minimal.h"))
          and not os.path.exists(os.path.join(root, "bin/cpjob")),
          sorted(os.listdir(root)))
    cflags, libs = pkg(root, dest, "--cflags"), pkg(root, dest, "--libs")
    src = os.path.join(tmp, "prog.c")
    exe = os.path.join(tmp, "prog-min")
    p = cc(cflags + [src, "-o", exe] + libs)
    check("build_against_installed_minimal_library", p.returncode == 0, p.stderr[-1500:])
    if p.returncode == 0:
        r = subprocess.run([exe], capture_output=True, text=True, timeout=30)
        check("installed_minimal_library_runs", r.returncode == 0 and r.stdout.strip() ==
              "0 1 v||1", (r.stdout, r.stderr))
    full_root = os.path.join(tmp, "dest", "usr")
    for name, call in sorted(LEFT_OUT.items()):
        f = os.path.join(tmp, "left_out_%s.c" % name)
        with open(f, "w") as fh:
            fh.write('#include "cpj.h"\nint f(void);\nint f(void) { return %s; }\n' % call)
        bad = cc(cflags + ["-c", f, "-o", f + ".o"])
        good = cc(["-I" + os.path.join(full_root, "include", "cpjob"), "-c", f, "-o", f + ".o"])
        check("minimal_hides_" + name, bad.returncode != 0 and "implicit declaration" in
              bad.stderr and good.returncode == 0, (bad.stderr[-600:], good.stderr[-600:]))


def test_unit(tmp, build, board, dest, prefix):
    """The unit `make install` made for `prefix`: its paths, and
    `systemd-analyze verify` in a root holding the installation and the
    system's units."""
    tag = prefix.strip("/").replace("/", "_")
    if prefix != "/usr":
        p = subprocess.run(["make", "-s", "-C", A.TOP, "BUILD=" + build, "BOARD=" + board,
                            "install", "DESTDIR=" + dest, "PREFIX=" + prefix],
                           capture_output=True, text=True, timeout=600)
        check("make_install_" + tag, p.returncode == 0, p.stderr[-1500:])
    path = os.path.join(dest, prefix.lstrip("/"), "lib/systemd/system/cpjob.service")
    unit = open(path).read() if os.path.isfile(path) else ""
    lines = unit.splitlines()
    want = ["ExecStart=%s/bin/cpjob run --config /etc/cpjob.conf" % prefix,
            "Documentation=file://%s/share/cpjob/handler.md" % prefix,
            "Type=notify", "NotifyAccess=main", "WatchdogSec=300", "User=cpjob",
            "KillMode=mixed", "NoNewPrivileges=yes", "ProtectSystem=full"]
    check("unit_paths_" + tag, all(w in lines for w in want) and "@" not in unit
          and "/usr/local" not in unit, [w for w in want if w not in lines])
    users = os.path.join(dest, prefix.lstrip("/"), "lib/sysusers.d/cpjob.conf")
    check("sysusers_file_" + tag, os.path.isfile(users) and re.search(
        r"^u cpjob ", open(users).read(), re.M), users)
    # a root: the installation, the system's units, /lib -> usr/lib
    os.makedirs(os.path.join(dest, "usr/lib/systemd"), exist_ok=True)
    if not os.path.exists(os.path.join(dest, "usr/lib/systemd/system/basic.target")):
        shutil.copytree("/usr/lib/systemd/system", os.path.join(dest, "usr/lib/systemd/system"),
                        symlinks=True, dirs_exist_ok=True)
    if not os.path.lexists(os.path.join(dest, "lib")):
        os.symlink("usr/lib", os.path.join(dest, "lib"))
    unitdir = os.path.join(dest, "etc/systemd/system")
    os.makedirs(unitdir, exist_ok=True)
    shutil.copy(path, os.path.join(unitdir, "cpjob.service"))
    v = subprocess.run(["systemd-analyze", "verify", "--root=" + dest, "cpjob.service"],
                       capture_output=True, text=True, timeout=60)
    check("unit_verifies_" + tag, v.returncode == 0, v.stdout[-600:] + v.stderr[-600:])


def test_deps_check(tmp):
    """A package missing: one line naming it and how to install it, and
    nothing compiled."""
    b = os.path.join(tmp, "build-nodeps")
    p = subprocess.run(["make", "-C", A.TOP, "BUILD=" + b, "BOARD_DEBS=cpjob-no-such-package"],
                       capture_output=True, text=True, timeout=120)
    ours = [l for l in p.stderr.splitlines() if l.startswith("cpjob:")]
    check("make_names_missing_packages", p.returncode != 0 and len(ours) == 1
          and "missing Debian packages: cpjob-no-such-package;" in ours[0]
          and "`make deps`" in ours[0]
          and "apt-get install -y cpjob-no-such-package" in ours[0]
          and not os.path.exists(b), (p.returncode, p.stdout[-400:], p.stderr[-800:]))


def main():
    tmp = tempfile.mkdtemp(prefix="cpj-install-")
    try:
        dest = os.path.join(tmp, "dest")
        build, board = os.path.split(A.BUILD.rstrip("/"))
        p = subprocess.run(["make", "-s", "-C", A.TOP, "BUILD=" + build, "BOARD=" + board,
                            "install", "DESTDIR=" + dest, "PREFIX=/usr"],
                           capture_output=True, text=True, timeout=600)
        check("make_install", p.returncode == 0, p.stdout[-1500:] + p.stderr[-1500:])
        root = os.path.join(dest, "usr")
        want = ["bin/cpjob", "lib/libcpjob.a", "lib/pkgconfig/cpjob.pc",
                "include/cpjob/cpj.h", "include/cpjob/cpj_s3.h",
                "include/cpjob/cpj_port_impl.h", "include/cpjob/cpj_board_config.h",
                "lib/systemd/system/cpjob.service", "lib/sysusers.d/cpjob.conf",
                "share/cpjob/cpjob.conf.example",
                "share/cpjob/handler-example.sh", "share/cpjob/handler.md"]
        missing = [w for w in want if not os.path.isfile(os.path.join(root, w))]
        check("install_files", not missing, missing)
        check("install_modes", os.access(os.path.join(root, "bin/cpjob"), os.X_OK)
              and os.access(os.path.join(root, "share/cpjob/handler-example.sh"), os.X_OK)
              and not os.access(os.path.join(root, "lib/libcpjob.a"), os.X_OK))
        contract = os.path.join(root, "share/cpjob/handler.md")
        text = open(contract).read() if os.path.isfile(contract) else ""
        check("install_handler_contract", text.startswith("# The handler contract")
              and "CPJOB_RESULT_FILE" in text and "continuation_token" in text, contract)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(root, "lib", "pkgconfig"),
                   PKG_CONFIG_SYSROOT_DIR=dest)
        cflags = subprocess.run(["pkg-config", "--cflags", "cpjob"], env=env,
                                capture_output=True, text=True, timeout=30)
        libs = subprocess.run(["pkg-config", "--libs", "cpjob"], env=env,
                              capture_output=True, text=True, timeout=30)
        check("pkg_config", cflags.returncode == 0 and libs.returncode == 0
              and "include/cpjob" in cflags.stdout and "-lcpjob" in libs.stdout,
              (cflags.stdout, cflags.stderr, libs.stdout, libs.stderr))
        src = os.path.join(tmp, "prog.c")
        with open(src, "w") as f:
            f.write(PROG)
        exe = os.path.join(tmp, "prog")
        p = subprocess.run(["cc", "-std=c99", "-Wall", "-Werror"] + cflags.stdout.split()
                           + [src, "-o", exe] + libs.stdout.split(), capture_output=True,
                           text=True, timeout=120)
        check("build_against_installed_library", p.returncode == 0, p.stderr[-1500:])
        if p.returncode == 0:
            r = subprocess.run([exe], capture_output=True, text=True, timeout=30)
            check("installed_library_runs", r.returncode == 0 and r.stdout.startswith(
                "0 1 v|") and r.stdout.strip()
                .endswith("|1"), (r.stdout, r.stderr))
        r = subprocess.run([os.path.join(root, "bin", "cpjob"), "--version"],
                           capture_output=True, text=True, timeout=30)
        check("installed_agent_runs", r.returncode == 0 and r.stdout.startswith("cpjob "),
              r.stdout)
        test_minimal(tmp, build, board)
        test_unit(tmp, build, board, dest, "/usr")
        test_unit(tmp, build, board, os.path.join(tmp, "dest-opt"), "/opt/cpjob")
        test_deps_check(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        A.cleanup()
    return A.exit_status()


if __name__ == "__main__":
    sys.exit(main())
