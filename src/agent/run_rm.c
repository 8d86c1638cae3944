/*
 * run_rm.c -- removing the worker's directories: recursive removal that
 * follows no symbolic link and enters no mount point, secret files zeroed
 * first, the sweep of work directories left behind.
 *
 * Directory listing uses getdents64(2) into static buffers (opendir()
 * allocates: with it, musl's malloc would be linked into the agent), so
 * this file is Linux-specific; run_dir_each() lends it to the agent.
 */
#define _GNU_SOURCE 1 /* O_PATH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "run.h"

struct dent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* one directory read: by run_scrub_dir_at, then by run_rmtree_at (never
 * while the other's listing is in use); run_sweep has its own */
static union {
	uint64_t align;
	unsigned char b[4096];
} dents;

/*
 * Recursive removal. A handler may leave anything in its directory: a
 * tree thousands of levels deep (an archive unpacked), files it made
 * immutable or gave to root, symbolic links to anywhere, mount points.
 * run_rmtree_at() removes what it can, names what it cannot, and ends:
 *
 * - One directory is open at a time, besides the top. Going down closes
 *   the parent; coming back opens ".." and checks that it is the directory
 *   left (device and inode): one moved away meanwhile stops the walk
 *   rather than leading out of the tree. A level keeps 24 bytes: its
 *   inode, the listing offset of the entry gone down into (read again on
 *   the way back, to remove it) and that entry's d_ino. The listing
 *   buffer holds one read of one directory: no level reads another's.
 * - A directory RM_DEPTH_MAX levels down is not entered but moved up into
 *   the top one (as ".cpjob-rm-<inode>"), which is read again: any depth
 *   goes with RM_DEPTH_MAX levels of state. One that cannot be moved
 *   stays (and is named).
 * - No symbolic link is followed (O_NOFOLLOW, openat2 RESOLVE_NO_SYMLINKS):
 *   a link goes as a link. No mount point is entered (openat2
 *   RESOLVE_NO_XDEV, or a device change where openat2 is missing): rmdir
 *   fails there (EBUSY) and what is mounted stays untouched.
 * - An entry that cannot go is passed over, and a directory gone down
 *   into is not entered again when met on the way back. A listing offset
 *   may not survive removals (overlayfs lists a changed directory anew,
 *   tmpfs before Linux 6.6 counts entries): when the entry gone down into
 *   was not met again, the directory is read again from its start, if
 *   that pass removed something (there or below): every pass read again
 *   follows one that made progress. The top is read again too after a
 *   pass that moved a directory into it. RM_STEPS_MAX listing
 *   reads and entries bound the whole walk, whatever the file system or a
 *   process still writing there does.
 * - Each entry left is logged here (LOG_W: its path and why; the first
 *   RM_LOG_MAX of them, then a count), and the errno of the first is the
 *   caller's.
 */
#define RM_DEPTH_MAX 64
#define RM_LOG_MAX 8
#define RM_STEPS_MAX (1L << 24)     /* ten times a large tree's entries */

/* what a level's pass did (RM_ANY*: any pass) */
#define RM_REMOVED 0x01u        /* here or below */
#define RM_FAILED  0x02u
#define RM_MOVED   0x04u        /* the top: a directory moved into it */
#define RM_MISSED  0x08u        /* an entry gone down into, not met again */
#define RM_ANYGONE 0x10u
#define RM_ANYFAIL 0x20u

#define RM_GONE 0
#define RM_LEFT 1
#define RM_DOWN 2

struct rm_level {
	uint64_t ino;           /* the directory's st_ino */
	int64_t pos;            /* the listing offset to read from */
	uint64_t child;         /* d_ino of the entry gone down into */
};

static struct {
	struct rm_level lv[RM_DEPTH_MAX + 1];
	unsigned char fl[RM_DEPTH_MAX + 1];
	uint64_t logged[RM_LOG_MAX];    /* d_ino of the entries named */
	char path[RUN_PATH_MAX];
	const char *top;
	dev_t dev;
	long steps;
	unsigned nleft, depth;
	int err;
} rm;

/* Name the entry `name` of the directory `fd` (NULL: `fd` itself) as
 * left, with why. RM_LEFT. */
static int
rm_left(int fd, const char *name, uint64_t ino, int err, const char *why)
{
	char link[40];
	const char *dir = rm.path, *cut = "";
	ssize_t n;
	unsigned i;

	for (i = 0; ino != 0 && i < rm.nleft && i < RM_LOG_MAX; i++)
		if (rm.logged[i] == ino)
			return RM_LEFT; /* named already, in a pass before */
	if (rm.err == 0)
		rm.err = err;
	if (rm.nleft++ >= RM_LOG_MAX)
		return RM_LEFT;
	rm.logged[rm.nleft - 1] = ino;
	fmt_snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, rm.path, sizeof rm.path - 1);
	if (n <= 0) {           /* no /proc */
		LOG_W("cannot remove %s (%u levels under %s): %s%s", name
		    != NULL ? name : ".", rm.depth, rm.top, strerror(err), why);
		return RM_LEFT;
	}
	rm.path[n] = '\0';
	if (n > 400) {                  /* the end tells most */
		dir += n - 400;
		cut = "...";
	}
	LOG_W("cannot remove %s%s%s%s: %s%s", cut, dir, name != NULL ? "/"
	    : "", name != NULL ? name : "", strerror(err), why);
	return RM_LEFT;
}

/* What an errno says of an entry left, for the log. */
static const char *
rm_why(int err)
{
	if (err == EBUSY)
		return " (a mount point)";
	return err == EXDEV ? " (a mount point: not entered)" : "";
}

/* openat(dfd, name, flags) through no symbolic link (O_NOFOLLOW, and
 * RESOLVE_NO_SYMLINKS) and into no mount point (RESOLVE_NO_XDEV: EXDEV)
 * where the kernel has openat2 (Linux 5.6; else a seccomp filter that
 * does not know it may say EPERM). */
static int
open_here(int dfd, const char *name, int flags)
{
	int fd = -1;
#ifdef SYS_openat2
	struct {
		uint64_t flags, mode, resolve;
	} how;

	how.flags = (uint64_t)(unsigned)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.mode = 0;
	how.resolve = 0x01 | 0x02 | 0x04; /* RESOLVE_NO_XDEV, _NO_MAGICLINKS,
					   * _NO_SYMLINKS */
	fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof how);
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
#endif
	return openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
}

/* Open the directory `name` in `dfd` for reading with open_here, on the
 * top's device too (EXDEV); its status in *sb. */
static int
rm_opendir(int dfd, const char *name, struct stat *sb)
{
	int fd = open_here(dfd, name, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return -1;
	if (fstat(fd, sb) != 0 || !S_ISDIR(sb->st_mode)
	    || sb->st_dev != rm.dev) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	/* a read-only directory's entries could not go */
	if ((sb->st_mode & 0700) != 0700)
		(void)fchmod(fd, 0700);
	return fd;
}

/* rm_opendir, making a directory we cannot read readable first. */
static int
rm_enter(int dfd, const char *name, struct stat *sb)
{
	int fd = rm_opendir(dfd, name, sb);

	if (fd < 0 && errno == EACCES && fstatat(dfd, name, sb,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb->st_mode)
	    && sb->st_dev == rm.dev) {
		/* changed through a descriptor of the directory itself
		 * (O_PATH, as libc's fchmodat with AT_SYMLINK_NOFOLLOW
		 * does): never through a symbolic link put there meanwhile
		 * (O_NOFOLLOW | O_DIRECTORY) */
		char link[40];
		int pfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY
		    | O_CLOEXEC), ok = -1;

		if (pfd >= 0) {
			fmt_snprintf(link, sizeof link, "/proc/self/fd/%d",
			    pfd);
			ok = chmod(link, 0700);
			close(pfd);
		}
		if (ok == 0)
			fd = rm_opendir(dfd, name, sb);
		else
			errno = EACCES;
	}
	return fd;
}

/* The directory above `fd`, if it is level d's (else logged: -1). */
static int
rm_up(int fd, unsigned d)
{
	struct stat sb;
	int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (up >= 0 && fstat(up, &sb) == 0 && sb.st_dev == rm.dev
	    && (uint64_t)sb.st_ino == rm.lv[d].ino)
		return up;
	if (up >= 0)
		close(up);
	(void)rm_left(fd, NULL, 0, ESTALE, " (moved while it was removed: "
	    "stopped there)");
	return -1;
}

/* Move the directory `name` in `fd`, too deep to enter, into the top. */
static int
rm_moveup(int fd, int top, const char *name, uint64_t ino)
{
	char to[40];
	struct stat sb;
	int rc;

	fmt_snprintf(to, sizeof to, ".cpjob-rm-%llx", (unsigned long long)ino);
	rc = renameat(fd, name, top, to);
	if (rc != 0 && errno == EACCES) {
		/* moving a directory rewrites its "..": make it writable */
		int c = rm_enter(fd, name, &sb);

		if (c >= 0) {
			close(c);
			rc = renameat(fd, name, top, to);
		}
	}
	if (rc != 0)
		return rm_left(fd, name, ino, errno, " (too deep to enter, and "
		    "not moved up)");
	rm.fl[0] |= RM_MOVED;
	return RM_GONE;
}

/* Remove the entry `e` of the directory `fd` at level d, or open it to
 * be emptied first (RM_DOWN, the descriptor in *child). */
static int
rm_entry(int fd, int top, unsigned d, const struct dent64 *e, int *child)
{
	const char *nm = e->d_name;
	struct stat sb;

	if (e->d_type != DT_DIR) {
		if (unlinkat(fd, nm, 0) == 0 || errno == ENOENT)
			return RM_GONE;
		if (errno != EISDIR)
			return rm_left(fd, nm, e->d_ino, errno, rm_why(errno));
	}
	if (unlinkat(fd, nm, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return RM_GONE;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return rm_left(fd, nm, e->d_ino, errno, rm_why(errno));
	if (d == RM_DEPTH_MAX)
		return rm_moveup(fd, top, nm, e->d_ino);
	*child = rm_enter(fd, nm, &sb);
	if (*child < 0)
		return rm_left(fd, nm, e->d_ino, errno, rm_why(errno));
	rm.lv[d + 1].ino = (uint64_t)sb.st_ino;
	rm.lv[d].child = e->d_ino;
	return RM_DOWN;
}

/* Read the directory `fd` from the offset `pos` into buf[cap] (8-byte
 * aligned): the byte count (0 at its end), or -1. Each record is checked
 * to hold its name. */
static long
list_at(int fd, int64_t pos, unsigned char *buf, size_t cap)
{
	long n = -1, off;

	if (lseek(fd, (off_t)pos, SEEK_SET) != (off_t)-1)
		n = syscall(SYS_getdents64, fd, buf, cap);
	for (off = 0; n > 0 && off < n; ) {
		const size_t head = offsetof(struct dent64, d_name);
		const struct dent64 *e = (const struct dent64 *)(const void *)
		    (buf + off);

		if (n - off <= (long)head || e->d_reclen > n - off
		    || e->d_reclen <= head || (e->d_reclen & 7) != 0
		    || memchr(e->d_name, '\0', e->d_reclen - head) == NULL) {
			errno = EIO;
			return -1;
		}
		off += e->d_reclen;
	}
	return n;
}

/* Empty the directory `top` (see above); what stays is in `rm`. */
static void
rm_walk(int top)
{
	int fd = top, back = 0, back_failed = 0;
	unsigned d = 0;

	rm.lv[0].pos = 0;
	rm.fl[0] = 0;
	for (;;) {
		int64_t at = rm.lv[d].pos;
		long off, n;
		int down = 0;

		rm.depth = d;
		if (++rm.steps > RM_STEPS_MAX) {
			(void)rm_left(fd, NULL, 0, EAGAIN, " (gave up: too "
			    "many entries, or a listing without end)");
			break;
		}
		n = list_at(fd, at, dents.b, sizeof dents.b);
		if (n < 0) {
			(void)rm_left(fd, NULL, 0, errno, " (not listed)");
			rm.fl[d] |= RM_FAILED | RM_ANYFAIL;
			n = 0;
		}
		if (n == 0) {
			unsigned f = rm.fl[d] | (back ? RM_MISSED : 0u);
			int up;

			if (((f & RM_MISSED) && (f & RM_REMOVED)) || (d == 0
			    && (f & RM_MOVED))) {
				rm.lv[d].pos = 0;       /* a new pass */
				rm.fl[d] = (unsigned char)(f & (RM_ANYGONE
				    | RM_ANYFAIL));
				continue;
			}
			if (d == 0)
				break;
			up = d == 1 ? top : rm_up(fd, d - 1);
			close(fd);
			if (up < 0)
				return;
			fd = up;
			d--;
			back = 1;
			back_failed = (f & RM_ANYFAIL) != 0;
			if (back_failed)
				rm.fl[d] |= RM_FAILED | RM_ANYFAIL;
			if (f & RM_ANYGONE)
				rm.fl[d] |= RM_REMOVED | RM_ANYGONE;
			continue;
		}
		for (off = 0; off < n; ) {
			const struct dent64 *e = (const struct dent64 *)
			    (const void *)(dents.b + off);
			const char *nm = e->d_name;
			int child = -1, r;

			off += e->d_reclen;
			rm.steps++;
			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) {
				at = e->d_off;
				continue;
			}
			if (back && e->d_ino == rm.lv[d].child) {
				/* back from it: remove it, never enter again */
				back = 0;
				if (unlinkat(fd, nm, AT_REMOVEDIR) == 0
				    || errno == ENOENT)
					r = RM_GONE;
				else
					r = back_failed ? RM_LEFT : rm_left(fd,
					    nm, e->d_ino, errno, "");
			} else {
				r = rm_entry(fd, top, d, e, &child);
			}
			if (r == RM_GONE)
				rm.fl[d] |= RM_REMOVED | RM_ANYGONE;
			else if (r == RM_LEFT)
				rm.fl[d] |= RM_FAILED | RM_ANYFAIL;
			if (r == RM_DOWN) {
				/* its entry is read again on the way back */
				rm.lv[d].pos = at;
				if (back)       /* the one before: not met */
					rm.fl[d] |= RM_MISSED;
				if (fd != top)
					close(fd);
				fd = child;
				d++;
				rm.lv[d].pos = 0;
				rm.fl[d] = 0;
				back = 0;
				down = 1;
				break;
			}
			at = e->d_off;
		}
		if (!down)
			rm.lv[d].pos = at;
	}
	if (fd != top)
		close(fd);
}

/* see run.h */
int
run_rmtree_at(int dirfd, const char *name)
{
	struct stat sb;
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	rm.top = name;
	rm.steps = 0;
	rm.nleft = 0;
	rm.depth = 0;
	rm.err = 0;
	if (errno != EISDIR) {
		(void)rm_left(dirfd, name, 0, errno, rm_why(errno));
	} else if (fstatat(dirfd, ".", &sb, 0) != 0) {
		(void)rm_left(dirfd, NULL, 0, errno, "");
	} else {
		rm.dev = sb.st_dev;
		fd = rm_enter(dirfd, name, &sb);
		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd < 0) {
			(void)rm_left(dirfd, name, 0, errno, rm_why(errno));
		} else {
			rm.lv[0].ino = (uint64_t)sb.st_ino;
			rm_walk(fd);
			close(fd);
			if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno
			    != ENOENT && rm.nleft == 0)
				(void)rm_left(dirfd, name, 0, errno, "");
		}
	}
	if (rm.nleft == 0)
		return 0;
	if (rm.nleft > RM_LOG_MAX)
		LOG_W("and %u more entries under %s not removed (not named)",
		    rm.nleft - RM_LOG_MAX, name);
	errno = rm.err;
	return -1;
}

/* Open `name` in `dfd` for writing if it is a regular file with no other
 * link (zeroing a file linked elsewhere would destroy the other name's
 * data: such a file is only unlinked). Returns the descriptor or -1. */
static int
open_scrub(int dfd, const char *name)
{
	struct stat sb;
	int fd = open_here(dfd, name, O_WRONLY | O_NONBLOCK | O_NOCTTY);

	if (fd < 0 && errno == EACCES) {
		/* made read-only: make it writable again, by descriptor
		 * (fchmodat would follow a symbolic link) */
		fd = open_here(dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
		if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)
		    && fchmod(fd, 0600) == 0) {
			close(fd);
			fd = open_here(dfd, name, O_WRONLY | O_NONBLOCK
			    | O_NOCTTY);
		} else if (fd >= 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* see run.h */
int
run_scrub_dir_at(int dirfd, const char *name)
{
	struct stat sb;
	int dfd, failed = 0, unlinked = 1, passes;

	/* as run_rmtree_at enters it: through no symbolic link, into no
	 * mount point */
	if (fstatat(dirfd, ".", &sb, 0) != 0)
		return -1;
	rm.dev = sb.st_dev;
	dfd = rm_enter(dirfd, name, &sb);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		/* not a directory (any more): nothing of ours to zero */
		return run_rmtree_at(dirfd, name);
	}
	/* entries unlinked while the directory is read: read it again
	 * until a pass unlinks nothing (what stays is for run_rmtree_at) */
	for (passes = 0; unlinked && passes < 8; passes++) {
		int64_t pos = 0;
		long n, off;

		unlinked = 0;
		while ((n = list_at(dfd, pos, dents.b, sizeof dents.b)) > 0) {
			for (off = 0; off < n; ) {
				const struct dent64 *d = (const struct dent64 *)
				    (const void *)(dents.b + off);
				const char *nm = d->d_name;
				int fd;

				off += d->d_reclen;
				pos = d->d_off;
				if (strcmp(nm, ".") == 0
				    || strcmp(nm, "..") == 0)
					continue;
				fd = open_scrub(dfd, nm);
				if (fd >= 0) {
					if (run_zero_fd(fd, 0) != 0)
						failed = 1;
					close(fd);
				}
				if (unlinkat(dfd, nm, 0) == 0)
					unlinked = 1;
			}
		}
	}
	if (fsync(dfd) != 0)
		failed = 1;
	close(dfd);
	if (run_rmtree_at(dirfd, name) != 0)
		failed = 1;
	return failed ? -1 : 0;
}

/* see run.h */
int
run_rm_jobdir(int workfd, const char *id)
{
	int jfd = openat(workfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);

	/* the secret configuration files (run_job.c) are zeroed before the
	 * directory goes: after a crash while the handler ran, this is
	 * where they end (recovery, or the sweep at start) */
	if (jfd >= 0) {
		(void)run_scrub_dir_at(jfd, RUN_SECRET_DIR);
		close(jfd);
	}
	return run_rmtree_at(workfd, id);
}

/* see run.h */
int
run_dir_each(int fd, int (*fn)(void *arg, const char *name), void *arg)
{
	/* its own listing: run_rm_jobdir (a sweep's fn) reads with `dents` */
	static union {
		uint64_t align;
		unsigned char b[1024];
	} list;
	int64_t pos = 0;
	long n, off;

	while ((n = list_at(fd, pos, list.b, sizeof list.b)) > 0) {
		for (off = 0; off < n; ) {
			const struct dent64 *d = (const struct dent64 *)
			    (const void *)(list.b + off);

			off += d->d_reclen;
			pos = d->d_off;
			if (fn(arg, d->d_name) != 0)
				return 0;
		}
	}
	return n < 0 ? -1 : 0;
}

struct sweep {
	const char *work_dir, *keep;
	int wfd;
};

/* One entry of the work directory: a job's directory to remove? */
static int
sweep_one(void *arg, const char *nm)
{
	struct sweep *sw = arg;
	char name[64];

	/* only names shaped like job ids: the directory may hold more; one
	 * that cannot go is named (run_rmtree_at) and passed over */
	if (cpj_cp_check_job_id(nm) != 0 || (sw->keep != NULL
	    && strcmp(nm, sw->keep) == 0))
		return 0;
	fmt_snprintf(name, sizeof name, "%s", nm);
	LOG_I("removing the work directory of job %s, no longer in flight",
	    name);
	/* the whole directory goes, secret/ zeroed first */
	if (run_rm_jobdir(sw->wfd, name) != 0)
		LOG_W("%s/%s: not all removed: %s", sw->work_dir, name,
		    strerror(errno));
	return 0;
}

/* see run.h */
void
run_sweep(const char *work_dir, const char *keep)
{
	struct sweep sw;

	sw.work_dir = work_dir;
	sw.keep = keep;
	sw.wfd = open(work_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sw.wfd < 0)
		return;
	(void)run_dir_each(sw.wfd, sweep_one, &sw);
	close(sw.wfd);
}
