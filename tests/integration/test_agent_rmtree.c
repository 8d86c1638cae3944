/*
 * test_agent_rmtree.c -- the agent's removal of work directories
 * (src/agent/run_rm.c, compiled into this test with run_fs.c and a log
 * that keeps its lines): run_rmtree_at, run_rm_jobdir and run_sweep on
 * trees a handler could leave. Deep trees (200 and 1500 levels) go; a
 * symbolic link goes as a link, its target untouched; what cannot go (a
 * mount point, a bind mount, an immutable file, a directory of another
 * user) is named in a log line and the call returns -1 with its errno,
 * what is mounted is not entered, and the rest goes.
 *
 * Each case runs in a child process that is killed after CASE_SECONDS:
 * a removal that loops fails the case instead of hanging the suite.
 * Cases with mounts need root; the test unshares its mount namespace
 * first, so a mount left behind vanishes with it. Cases that cannot run
 * here print SKIP.
 */
#define _GNU_SOURCE 1 /* unshare, CLONE_NEWNS */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* the agent's removal, built into this program (it is not in libcpjob) */
#include "agent/run_fs.c"
#include "agent/run_rm.c"
#include "agent/fmt.c"

#define CASE_SECONDS 30
#define NOBODY 65534

/* chattr's ioctl (linux/fs.h clashes with sys/mount.h on some libcs) */
#define T_GETFLAGS _IOR('f', 1, long)
#define T_SETFLAGS _IOW('f', 2, long)
#define T_IMMUTABLE 0x10

static char base[128];          /* the test's directory */
static int basefd = -1;
static int can_mount;
static char logbuf[32768];      /* the agent's log lines, in the child */
static size_t loglen;

/* see run.h: the agent's log, kept here (and echoed to stderr) */
void
run_log(int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fprintf(stderr, "  log %d: %s\n", level, line);
	n = snprintf(logbuf + loglen, sizeof logbuf - loglen, "%d %s\n",
	    level, line);
	if (n > 0 && (size_t)n < sizeof logbuf - loglen)
		loglen += (size_t)n;
}

/* A warning line holding both strings. */
static int
logged(const char *a, const char *b)
{
	const char *p = logbuf;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		char line[2048];
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);

		if (n >= sizeof line)
			n = sizeof line - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (line[0] == '0' + RUN_LOG_WARN && strstr(line, a) != NULL
		    && (b == NULL || strstr(line, b) != NULL))
			return 1;
		p += n + (e != NULL);
	}
	return 0;
}

static unsigned
warnings(void)
{
	unsigned n = 0;
	const char *p;

	for (p = logbuf; (p = strchr(p, '\n')) != NULL; p++)
		n += p[1] == '0' + RUN_LOG_WARN;
	return n + (logbuf[0] == '0' + RUN_LOG_WARN);
}

static int
mkfile(int dfd, const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);

	if (fd < 0)
		return -1;
	if (text != NULL && write(fd, text, strlen(text))
	    != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* mkdirat + open: the new directory's descriptor, or -1. */
static int
mkdir_open(int dfd, const char *name)
{
	if (mkdirat(dfd, name, 0700) != 0 && errno != EEXIST)
		return -1;
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int
exists(int dfd, const char *path)
{
	struct stat sb;

	return fstatat(dfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
has_text(int dfd, const char *path, const char *text)
{
	char buf[256];
	int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* A chain of `levels` directories "d" under `dfd`, a file in each when
 * `files`; the deepest one's descriptor (or -1). */
static int
chain(int dfd, unsigned levels, int files)
{
	int fd = dup(dfd);
	unsigned i;

	for (i = 0; fd >= 0 && i < levels; i++) {
		int sub = mkdir_open(fd, "d");

		if (files && mkfile(fd, "f", "x") != 0) {
			close(sub);
			sub = -1;
		}
		close(fd);
		fd = sub;
	}
	return fd;
}

static int
set_immutable(int dfd, const char *name, int on)
{
	int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int flags = 0, rc = -1;

	if (fd < 0)
		return -1;
	if (ioctl(fd, T_GETFLAGS, &flags) == 0) {
		flags = on ? flags | T_IMMUTABLE : flags & ~T_IMMUTABLE;
		rc = ioctl(fd, T_SETFLAGS, &flags);
	}
	close(fd);
	return rc;
}

/* The absolute path of `rel` (under base) in a static buffer. */
static const char *
at_base(const char *rel)
{
	static char p[4][1024];
	static unsigned i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", base, rel);
	return p[i];
}

/* ---- cases (each in its own child process) --------------------------- */

static int
deep_200_levels_removed(void)
{
	int fd = chain(basefd, 1, 0), low;

	CHECK(fd >= 0);
	low = chain(fd, 199, 1);
	CHECK(low >= 0);
	CHECK(symlinkat("../../..", low, "up") == 0);
	close(low);
	close(fd);
	CHECK_EQ(run_rmtree_at(basefd, "d"), 0);
	CHECK(!exists(basefd, "d"));
	CHECK_EQ(warnings(), 0);
	return 0;
}

static int
deep_1500_levels_removed(void)
{
	int fd = mkdir_open(basefd, "deep"), low;

	CHECK(fd >= 0);
	low = chain(fd, 1500, 0);
	CHECK(low >= 0);
	CHECK(mkfile(low, "bottom", "x") == 0);
	close(low);
	close(fd);
	CHECK_EQ(run_rmtree_at(basefd, "deep"), 0);
	CHECK(!exists(basefd, "deep"));
	CHECK_EQ(warnings(), 0);
	return 0;
}

/* Many entries (several listing reads per directory), files and
 * directories mixed, directories of mode 0 and 0500. */
static int
wide_tree_removed(void)
{
	int top = mkdir_open(basefd, "wide");
	char name[64];
	unsigned i, j;

	CHECK(top >= 0);
	for (i = 0; i < 120; i++) {
		int sub;

		snprintf(name, sizeof name, "file-with-a-long-name-%04u", i);
		CHECK(mkfile(top, name, "x") == 0);
		snprintf(name, sizeof name, "dir-%04u", i);
		sub = mkdir_open(top, name);
		CHECK(sub >= 0);
		for (j = 0; j < 3; j++) {
			int sub2;

			snprintf(name, sizeof name, "f%u", j);
			CHECK(mkfile(sub, name, "y") == 0);
			snprintf(name, sizeof name, "s%u", j);
			sub2 = mkdir_open(sub, name);
			CHECK(sub2 >= 0);
			CHECK(mkfile(sub2, "z", "z") == 0);
			CHECK(fchmod(sub2, i % 3 == 0 ? 0 : 0500) == 0);
			close(sub2);
		}
		close(sub);
	}
	close(top);
	CHECK_EQ(run_rmtree_at(basefd, "wide"), 0);
	CHECK(!exists(basefd, "wide"));
	CHECK_EQ(warnings(), 0);
	return 0;
}

/* Links to a directory and a file outside, to "/", dangling: each goes
 * as a link; a top that is a link goes as a link too. */
static int
symlinks_removed_targets_kept(void)
{
	int out = mkdir_open(basefd, "outside"), top, sub;

	CHECK(out >= 0);
	CHECK(mkfile(out, "keep", "kept") == 0);
	CHECK(mkdirat(out, "keepdir", 0700) == 0);
	close(out);
	top = mkdir_open(basefd, "links");
	CHECK(top >= 0);
	CHECK(symlinkat(at_base("outside"), top, "to-dir") == 0);
	CHECK(symlinkat(at_base("outside/keep"), top, "to-file") == 0);
	CHECK(symlinkat("../outside", top, "relative") == 0);
	CHECK(symlinkat("/", top, "root") == 0);
	CHECK(symlinkat("/nonexistent/x", top, "dangling") == 0);
	sub = mkdir_open(top, "sub");
	CHECK(sub >= 0);
	CHECK(symlinkat("../../outside", sub, "deeper") == 0);
	close(sub);
	close(top);
	CHECK(symlinkat(at_base("outside"), basefd, "toplink") == 0);

	CHECK_EQ(run_rmtree_at(basefd, "links"), 0);
	CHECK_EQ(run_rmtree_at(basefd, "toplink"), 0);
	CHECK(!exists(basefd, "links"));
	CHECK(!exists(basefd, "toplink"));
	CHECK(has_text(basefd, "outside/keep", "kept"));
	CHECK(exists(basefd, "outside/keepdir"));
	CHECK_EQ(warnings(), 0);
	return 0;
}

/* A tmpfs mounted three levels down, among entries that can go: -1
 * EBUSY, the mount point named, what is mounted untouched, the rest
 * gone. */
static int
mount_point_left_and_named(void)
{
	int top = mkdir_open(basefd, "mp"), a, b, fd, keep, rc, e;
	unsigned i;
	char name[32];

	CHECK(top >= 0);
	a = mkdir_open(top, "a");
	b = a >= 0 ? mkdir_open(a, "b") : -1;
	CHECK(b >= 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "before-%03u", i);
		CHECK(mkfile(b, name, "x") == 0);
		snprintf(name, sizeof name, "dir-%03u", i);
		fd = mkdir_open(b, name);
		CHECK(fd >= 0);
		CHECK(mkfile(fd, "f", "x") == 0);
		close(fd);
	}
	CHECK(mkdirat(b, "mnt", 0700) == 0);
	CHECK(mount("cpj-rmtree", at_base("mp/a/b/mnt"), "tmpfs", 0,
	    "size=1m") == 0);
	fd = mkdir_open(b, "mnt");
	CHECK(fd >= 0);
	CHECK(mkfile(fd, "inside", "mounted") == 0);
	CHECK(mkdirat(fd, "dir", 0700) == 0);
	close(fd);
	CHECK(mkfile(top, "z", "x") == 0);
	close(b);
	close(a);
	close(top);
	keep = open(at_base("mp/a/b/mnt/inside"), O_RDONLY | O_CLOEXEC);
	CHECK(keep >= 0);

	errno = 0;
	rc = run_rmtree_at(basefd, "mp");
	e = errno;
	CHECK(has_text(basefd, "mp/a/b/mnt/inside", "mounted"));
	CHECK(exists(basefd, "mp/a/b/mnt/dir"));
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EBUSY);
	CHECK(logged(at_base("mp/a/b/mnt"), strerror(EBUSY)));
	CHECK(!exists(basefd, "mp/z"));
	CHECK(!exists(basefd, "mp/a/b/before-000"));
	CHECK(!exists(basefd, "mp/a/b/dir-099"));
	CHECK_EQ(warnings(), 1);
	close(keep);
	return 0;
}

/* A bind mount of a directory outside the tree: its files stay. */
static int
bind_mount_not_entered(void)
{
	int out = mkdir_open(basefd, "bind-src"), top, x, rc, e;

	CHECK(out >= 0);
	CHECK(mkfile(out, "data", "precious") == 0);
	close(out);
	top = mkdir_open(basefd, "bind");
	x = top >= 0 ? mkdir_open(top, "x") : -1;
	CHECK(x >= 0);
	CHECK(mkdirat(x, "there", 0700) == 0);
	CHECK(mkfile(x, "sibling", "x") == 0);
	close(x);
	close(top);
	CHECK(mount(at_base("bind-src"), at_base("bind/x/there"), NULL,
	    MS_BIND, NULL) == 0);

	errno = 0;
	rc = run_rmtree_at(basefd, "bind");
	e = errno;
	CHECK(has_text(basefd, "bind-src/data", "precious"));
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EBUSY);
	CHECK(logged(at_base("bind/x/there"), strerror(EBUSY)));
	CHECK(!exists(basefd, "bind/x/sibling"));
	return 0;
}

/* On overlayfs, with the tree in the lower layer: directories are
 * copied up as they are emptied and then listed anew (other offsets), so
 * an entry gone down into is not where it was on the way back. */
static int
overlay_lower_tree_removed(void)
{
	int low, t, d, x;
	unsigned i;
	char name[32];

	CHECK(mkdirat(basefd, "ovl", 0700) == 0);
	low = mkdir_open(basefd, "ovl/lower");
	CHECK(low >= 0);
	CHECK(mkdirat(basefd, "ovl/upper", 0700) == 0);
	CHECK(mkdirat(basefd, "ovl/work", 0700) == 0);
	CHECK(mkdirat(basefd, "ovl/merged", 0700) == 0);
	t = mkdir_open(low, "t");
	CHECK(t >= 0);
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof name, "d%u", i);
		d = mkdir_open(t, name);
		CHECK(d >= 0);
		CHECK(mkfile(d, "f", "x") == 0);
		x = chain(d, 3, 0);     /* levels with a directory only */
		CHECK(x >= 0);
		CHECK(mkfile(x, "g", "x") == 0);
		close(x);
		close(d);
		snprintf(name, sizeof name, "file%u", i);
		CHECK(mkfile(t, name, "x") == 0);
	}
	close(t);
	close(low);
	{
		char opts[512];

		snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,"
		    "workdir=%s", at_base("ovl/lower"), at_base("ovl/upper"),
		    at_base("ovl/work"));
		if (mount("overlay", at_base("ovl/merged"), "overlay", 0, opts)
		    != 0) {
			printf("SKIP overlay_lower_tree_removed: overlay: %s\n",
			    strerror(errno));
			return 0;
		}
	}
	t = mkdir_open(basefd, "ovl/merged/t/new");     /* in the upper one */
	CHECK(t >= 0);
	CHECK(mkfile(t, "f", "x") == 0);
	close(t);

	t = open(at_base("ovl/merged"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(t >= 0);
	CHECK_EQ(run_rmtree_at(t, "t"), 0);
	CHECK(!exists(t, "t"));
	close(t);
	CHECK(exists(basefd, "ovl/lower/t/d59/d/d/d/g"));
	CHECK_EQ(warnings(), 0);
	return 0;
}

/* The directory to remove is itself a mount point: not entered. */
static int
top_mount_point_not_entered(void)
{
	CHECK(mkdirat(basefd, "topmnt", 0700) == 0);
	CHECK(mount("cpj-rmtree", at_base("topmnt"), "tmpfs", 0, "size=1m")
	    == 0);
	CHECK(mkfile(basefd, "topmnt/inside", "mounted") == 0);

	errno = 0;
	CHECK_EQ(run_rmtree_at(basefd, "topmnt"), -1);
	CHECK(errno == EXDEV || errno == EBUSY);
	CHECK(logged(at_base("topmnt"), "mount point"));
	CHECK(has_text(basefd, "topmnt/inside", "mounted"));
	return 0;
}

/* An immutable file (chattr +i) two levels down. */
static int
immutable_file_left_and_named(void)
{
	int top = mkdir_open(basefd, "imm"), a, b;
	unsigned i;
	char name[32];

	CHECK(top >= 0);
	a = mkdir_open(top, "a");
	b = a >= 0 ? mkdir_open(a, "b") : -1;
	CHECK(b >= 0);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "f%02u", i);
		CHECK(mkfile(b, name, "x") == 0);
		snprintf(name, sizeof name, "s%02u", i);
		CHECK(mkdirat(b, name, 0700) == 0);
	}
	CHECK(mkfile(b, "locked", "stays") == 0);
	CHECK(set_immutable(b, "locked", 1) == 0);
	close(b);
	close(a);
	close(top);

	errno = 0;
	CHECK_EQ(run_rmtree_at(basefd, "imm"), -1);
	CHECK_EQ(errno, EPERM);
	CHECK(logged(at_base("imm/a/b/locked"), strerror(EPERM)));
	CHECK(has_text(basefd, "imm/a/b/locked", "stays"));
	CHECK(!exists(basefd, "imm/a/b/f00"));
	CHECK(!exists(basefd, "imm/a/b/s49"));
	CHECK_EQ(warnings(), 1);
	return 0;
}

/* A directory that cannot go (an immutable file in it) first in a long
 * listing, holding a long listing itself: the rest of the outer listing
 * is read as it is, not through the inner one's records. */
static int
unremovable_subdir_among_many(void)
{
	int top = mkdir_open(basefd, "among"), u;
	unsigned i;
	char name[64];

	CHECK(top >= 0);
	u = mkdir_open(top, "u");
	CHECK(u >= 0);
	for (i = 0; i < 150; i++) {
		snprintf(name, sizeof name, "%.*s%u", (int)(i % 23),
		    "abcdefghijklmnopqrstuvw", i);
		CHECK(mkfile(u, name, "x") == 0);
	}
	CHECK(mkfile(u, "locked", "stays") == 0);
	CHECK(set_immutable(u, "locked", 1) == 0);
	close(u);
	for (i = 0; i < 150; i++) {
		snprintf(name, sizeof name, "outer-%u-%.*s", i, (int)(i % 17),
		    "abcdefghijklmnopq");
		CHECK(mkfile(top, name, "x") == 0);
	}
	close(top);

	errno = 0;
	CHECK_EQ(run_rmtree_at(basefd, "among"), -1);
	CHECK_EQ(errno, EPERM);
	CHECK(logged(at_base("among/u/locked"), strerror(EPERM)));
	CHECK(!exists(basefd, "among/outer-149-abcdefghijklmnop"));
	CHECK(!exists(basefd, "among/outer-0-"));
	CHECK(!exists(basefd, "among/u/a1"));
	CHECK_EQ(warnings(), 1);
	return 0;
}

/* Much the same on a tmpfs of its own, in a layout where the removal
 * before this walk (one listing buffer shared by every level) went on
 * reading the parent's listing through the records the subdirectory's
 * left there, reached a record length of 0 and looped forever: with
 * tmpfs listing the newest entry first (Linux 6.18), "u" comes first and
 * its listing is 16 bytes shorter than its parent's. */
static int
unremovable_subdir_on_tmpfs(void)
{
	int fs, t, u, i, rc, e;
	char name[32];

	CHECK(mkdirat(basefd, "tmpfs", 0700) == 0);
	CHECK(mount("cpj-rmtree", at_base("tmpfs"), "tmpfs", 0, "size=1m")
	    == 0);
	fs = open(at_base("tmpfs"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fs >= 0);
	t = mkdir_open(fs, "t");
	CHECK(t >= 0);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof name, "ooooooooo%d", i);
		CHECK(mkfile(t, name, "x") == 0);
	}
	u = mkdir_open(t, "u");
	CHECK(u >= 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "i%d", i);
		CHECK(mkfile(u, name, "x") == 0);
	}
	CHECK(mkfile(u, "L", "stays") == 0);
	if (set_immutable(u, "L", 1) != 0) {
		printf("SKIP unremovable_subdir_on_tmpfs: no chattr +i on "
		    "tmpfs (before Linux 6.0)\n");
		return 0;
	}
	close(u);
	close(t);

	errno = 0;
	rc = run_rmtree_at(fs, "t");
	e = errno;
	(void)set_immutable(fs, "t/u/L", 0);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EPERM);
	CHECK(logged(at_base("tmpfs/t/u/L"), strerror(EPERM)));
	CHECK(!exists(fs, "t/ooooooooo7"));
	CHECK(!exists(fs, "t/u/i9"));
	CHECK_EQ(warnings(), 1);
	close(fs);
	return 0;
}

/* Many immutable files: the first RM_LOG_MAX named, then a count. */
static int
many_left_logged_bounded(void)
{
	int top = mkdir_open(basefd, "many");
	unsigned i;
	char name[32];

	CHECK(top >= 0);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "locked-%02u", i);
		CHECK(mkfile(top, name, "x") == 0);
		CHECK(set_immutable(top, name, 1) == 0);
	}
	close(top);
	CHECK_EQ(run_rmtree_at(basefd, "many"), -1);
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(warnings(), RM_LOG_MAX + 1);
	CHECK(logged("and 12 more entries", NULL));
	return 0;
}

/* A mount point 150 levels down (below RM_DEPTH_MAX: its part of the
 * tree is moved up to be removed): named, untouched, the rest gone. */
static int
deep_mount_point_left(void)
{
	int top = mkdir_open(basefd, "deepmnt"), low, keep;
	char path[1024];
	unsigned i;
	size_t n;

	CHECK(top >= 0);
	low = chain(top, 150, 1);
	CHECK(low >= 0);
	CHECK(mkdirat(low, "mnt", 0700) == 0);
	CHECK(chain(low, 20, 1) >= 0);
	close(low);
	close(top);
	n = (size_t)snprintf(path, sizeof path, "%s/deepmnt", base);
	for (i = 0; i < 150 && n + 3 < sizeof path; i++)
		n += (size_t)snprintf(path + n, sizeof path - n, "/d");
	snprintf(path + n, sizeof path - n, "/mnt");
	CHECK(mount("cpj-rmtree", path, "tmpfs", 0, "size=1m") == 0);
	CHECK(strlen(path) + 8 < sizeof path);
	strcat(path, "/inside");
	CHECK(mkfile(AT_FDCWD, path, "mounted") == 0);
	keep = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(keep >= 0);

	errno = 0;
	CHECK_EQ(run_rmtree_at(basefd, "deepmnt"), -1);
	CHECK_EQ(errno, EBUSY);
	CHECK(logged("/mnt: ", strerror(EBUSY)));
	CHECK_EQ(warnings(), 1);
	{
		struct stat sb;

		CHECK(fstat(keep, &sb) == 0);
		CHECK_EQ(sb.st_nlink, 1);
	}
	close(keep);
	return 0;
}

/* As another user (nobody): a directory of root's in the tree stays
 * (EACCES), its owner's directories of mode 0 and 0500 go. */
static int
other_users_dir_left(void)
{
	int top = mkdir_open(basefd, "perm"), fd;

	CHECK(top >= 0);
	CHECK(fchown(top, NOBODY, NOBODY) == 0);
	fd = mkdir_open(top, "rootdir");
	CHECK(fd >= 0);
	CHECK(fchmod(fd, 0755) == 0);
	CHECK(mkfile(fd, "file", "root's") == 0);
	close(fd);
	fd = mkdir_open(top, "closed");
	CHECK(fd >= 0);
	CHECK(mkfile(fd, "f", "x") == 0);
	CHECK(fchown(fd, NOBODY, NOBODY) == 0);
	CHECK(fchmod(fd, 0) == 0);
	close(fd);
	fd = mkdir_open(top, "readonly");
	CHECK(fd >= 0);
	CHECK(mkfile(fd, "f", "x") == 0);
	CHECK(fchown(fd, NOBODY, NOBODY) == 0);
	CHECK(fchmod(fd, 0500) == 0);
	close(fd);
	close(top);
	CHECK(chmod(base, 0777) == 0);
	CHECK(setgid(NOBODY) == 0 && setuid(NOBODY) == 0);

	errno = 0;
	CHECK_EQ(run_rmtree_at(basefd, "perm"), -1);
	CHECK_EQ(errno, EACCES);
	CHECK(logged(at_base("perm/rootdir/file"), strerror(EACCES)));
	CHECK(exists(basefd, "perm/rootdir/file"));
	CHECK(!exists(basefd, "perm/closed"));
	CHECK(!exists(basefd, "perm/readonly"));
	return 0;
}

/* run_rm_jobdir: secret/ zeroed then removed, a file with another link
 * only unlinked (its other name keeps the data). */
static int
jobdir_secret_zeroed(void)
{
	int job = mkdir_open(basefd, "job"), sec, fd;
	char buf[16];

	CHECK(job >= 0);
	sec = mkdir_open(job, "secret");
	CHECK(sec >= 0);
	CHECK(mkfile(sec, "token", "s3cr3t") == 0);
	CHECK(mkfile(basefd, "shared", "shared") == 0);
	CHECK(linkat(basefd, "shared", sec, "hardlink", 0) == 0);
	fd = openat(sec, "token", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(mkfile(job, "out", "x") == 0);
	close(sec);
	close(job);

	CHECK_EQ(run_rm_jobdir(basefd, "job"), 0);
	CHECK(!exists(basefd, "job"));
	CHECK(has_text(basefd, "shared", "shared"));
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 6);
	CHECK(memcmp(buf, "\0\0\0\0\0\0", 6) == 0);
	close(fd);
	return 0;
}

/* run_sweep: a job directory that cannot go does not keep the others. */
static int
sweep_passes_over_what_stays(void)
{
	static const char *const ids[] = {
		"00000000-0000-0000-0000-000000000001",
		"00000000-0000-0000-0000-000000000002",
		"00000000-0000-0000-0000-000000000003",
		"00000000-0000-0000-0000-000000000004",
	};
	int work = mkdir_open(basefd, "work"), fd;
	unsigned i;

	CHECK(work >= 0);
	for (i = 0; i < 4; i++) {
		fd = mkdir_open(work, ids[i]);
		CHECK(fd >= 0);
		CHECK(mkfile(fd, "f", "x") == 0);
		if (i == 2)
			CHECK(mkfile(fd, "locked", "x") == 0
			    && set_immutable(fd, "locked", 1) == 0);
		close(fd);
	}
	CHECK(mkfile(work, "not-a-job", "x") == 0);
	close(work);
	run_sweep(at_base("work"), ids[3]);
	CHECK(!exists(basefd, "work/00000000-0000-0000-0000-000000000001"));
	CHECK(!exists(basefd, "work/00000000-0000-0000-0000-000000000002"));
	CHECK(exists(basefd,
	    "work/00000000-0000-0000-0000-000000000003/locked"));
	CHECK(exists(basefd, "work/00000000-0000-0000-0000-000000000004/f"));
	CHECK(exists(basefd, "work/not-a-job"));
	CHECK(logged("000000000003/locked", strerror(EPERM)));
	return 0;
}

/* ---- the runner ------------------------------------------------------ */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Undo what a case may leave: immutable flags, mounts (deepest first). */
static void
cleanup(void)
{
	static const char *const locked[] = {
		"imm/a/b/locked",
		"among/u/locked",
		"work/00000000-0000-0000-0000-000000000003/locked",
	};
	char line[4096];
	FILE *f;
	unsigned i;
	int again = 1;

	for (i = 0; i < sizeof locked / sizeof locked[0]; i++)
		(void)set_immutable(basefd, locked[i], 0);
	if (exists(basefd, "many")) {
		for (i = 0; i < 20; i++) {
			snprintf(line, sizeof line, "many/locked-%02u", i);
			(void)set_immutable(basefd, line, 0);
		}
	}
	while (can_mount && again) {
		again = 0;
		f = fopen("/proc/self/mountinfo", "r");
		if (f == NULL)
			break;
		while (fgets(line, sizeof line, f) != NULL) {
			char *p = line;

			for (i = 0; i < 4 && p != NULL; i++)
				p = strchr(p + 1, ' ');
			if (p != NULL && strncmp(p + 1, base, strlen(base))
			    == 0) {
				char *e = strchr(p + 1, ' ');

				if (e != NULL)
					*e = '\0';
				if (umount2(p + 1, MNT_DETACH) == 0)
					again = 1;
			}
		}
		fclose(f);
	}
}

static void
run_case(const char *name, int (*fn)(void), int needs)
{
	long long until;
	pid_t pid;
	int status = 0;

	if ((needs & 1) && !can_mount) {
		printf("SKIP %s: needs root (mounts, chown)\n", name);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int rc = fn();

		if (rc != 0)
			fprintf(stderr, "%s: check failed at line %d\n", name,
			    rc);
		fflush(stderr);
		_exit(rc == 0 ? 0 : 1);
	}
	if (pid < 0) {
		h_report(name, __LINE__);
		return;
	}
	until = now_ms() + CASE_SECONDS * 1000;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > until) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			printf("FAIL %s: still running after %d s (killed)\n",
			    name, CASE_SECONDS);
			h_failed++;
			cleanup();
			return;
		}
		usleep(10000);
	}
	fprintf(stderr, "%s: %lld ms\n", name, now_ms() - until
	    + CASE_SECONDS * 1000);
	cleanup();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		h_report(name, 0);
	} else if (WIFSIGNALED(status)) {
		printf("FAIL %s: killed by signal %d\n", name,
		    WTERMSIG(status));
		h_failed++;
	} else {
		printf("FAIL %s: see the line above\n", name);
		h_failed++;
	}
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[256];
	int imm;

	/* mounts made here vanish with this process's namespace (and
	 * descriptors opened before unshare would see the old one's) */
	can_mount = geteuid() == 0 && unshare(CLONE_NEWNS) == 0
	    && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	snprintf(base, sizeof base, "%s/cpj-rmtree-XXXXXX", tmp != NULL
	    && tmp[0] == '/' && strlen(tmp) < 64 ? tmp : "/tmp");
	if (mkdtemp(base) == NULL) {
		printf("FAIL setup: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		return 1;
	/* chattr +i where the file system has it (ext4, tmpfs since 6.0) */
	imm = mkfile(basefd, "probe", "") == 0 && set_immutable(basefd, "probe",
	    1) == 0;
	(void)set_immutable(basefd, "probe", 0);
	(void)unlinkat(basefd, "probe", 0);

	run_case("deep_200_levels_removed", deep_200_levels_removed, 0);
	run_case("deep_1500_levels_removed", deep_1500_levels_removed, 0);
	run_case("wide_tree_removed", wide_tree_removed, 0);
	run_case("symlinks_removed_targets_kept",
	    symlinks_removed_targets_kept, 0);
	run_case("jobdir_secret_zeroed", jobdir_secret_zeroed, 0);
	run_case("mount_point_left_and_named", mount_point_left_and_named, 1);
	run_case("bind_mount_not_entered", bind_mount_not_entered, 1);
	run_case("overlay_lower_tree_removed", overlay_lower_tree_removed,
	    1);
	run_case("top_mount_point_not_entered", top_mount_point_not_entered,
	    1);
	run_case("deep_mount_point_left", deep_mount_point_left, 1);
	run_case("other_users_dir_left", other_users_dir_left, 1);
	run_case("unremovable_subdir_on_tmpfs", unremovable_subdir_on_tmpfs,
	    1);
	if (imm) {
		run_case("immutable_file_left_and_named",
		    immutable_file_left_and_named, 0);
		run_case("unremovable_subdir_among_many",
		    unremovable_subdir_among_many, 0);
		run_case("many_left_logged_bounded", many_left_logged_bounded,
		    0);
		run_case("sweep_passes_over_what_stays",
		    sweep_passes_over_what_stays, 0);
	} else {
		printf("SKIP immutable_file_left_and_named, "
		    "unremovable_subdir_among_many, many_left_logged_bounded, "
		    "sweep_passes_over_what_stays: "
		    "no chattr +i on %s\n", base);
	}
	cleanup();
	close(basefd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("FAIL cleanup: %s\n", cmd);
	return H_EXIT();
}
