/*
 * run_rm.c -- removing the worker's directories: recursive removal that
 * follows no symbolic link, secret files zeroed first, the sweep of work
 * directories left behind.
 *
 * Directory listing uses getdents64(2) into a static buffer (opendir()
 * allocates), so this file is Linux-specific.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "run.h"

#define RM_DEPTH_MAX 64

struct dent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static unsigned char dents[8192];

/* Empty the directory `dfd`. Returns 0, or -1 when something stayed. */
static int
empty_dir(int dfd, int depth)
{
	char name[256];
	int failed = 0;

	if (depth > RM_DEPTH_MAX) {
		errno = ELOOP;
		return -1;
	}
	for (;;) {
		long n;
		int restart = 0;

		if (lseek(dfd, 0, SEEK_SET) < 0)
			return -1;
		failed = 0;
		while (!restart && (n = syscall(SYS_getdents64, dfd, dents,
		    sizeof dents)) > 0) {
			long off = 0;

			while (off < n) {
				struct dent64 *d = (struct dent64 *)(void *)
				    (dents + off);
				const char *nm = d->d_name;
				int sub;

				off += d->d_reclen;
				if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
					continue;
				if (unlinkat(dfd, nm, 0) == 0)
					continue;
				if (errno != EISDIR && errno != EPERM) {
					failed = 1;
					continue;
				}
				/* the recursion reuses `dents`: keep the name */
				if (strlen(nm) >= sizeof name) {
					failed = 1;
					continue;
				}
				memcpy(name, nm, strlen(nm) + 1);
				nm = name;
				sub = openat(dfd, nm, O_RDONLY | O_DIRECTORY
				    | O_NOFOLLOW | O_CLOEXEC);
				if (sub < 0 && errno == EACCES
				    && fchmodat(dfd, nm, 0700, 0) == 0)
					sub = openat(dfd, nm, O_RDONLY
					    | O_DIRECTORY | O_NOFOLLOW
					    | O_CLOEXEC);
				if (sub < 0) {
					failed = 1;
					continue;
				}
				(void)fchmod(sub, 0700);
				(void)empty_dir(sub, depth + 1);
				close(sub);
				if (unlinkat(dfd, nm, AT_REMOVEDIR) == 0) {
					/* `dents` was reused below: read the
					 * directory again from its start */
					restart = 1;
					break;
				}
				failed = 1;
			}
		}
		if (!restart)
			break;
	}
	return failed ? -1 : 0;
}

/* see run.h */
int
run_rmtree_at(int dirfd, const char *name)
{
	int fd, rc;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		    | O_CLOEXEC);
	if (fd < 0)
		return -1;
	(void)fchmod(fd, 0700);
	rc = empty_dir(fd, 0);
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
		return -1;
	return rc;
}

/* Open `name` in `dfd` for writing if it is a regular file with no other
 * link (zeroing a file linked elsewhere would destroy the other name's
 * data: such a file is only unlinked). Returns the descriptor or -1. */
static int
open_scrub(int dfd, const char *name)
{
	struct stat sb;
	int fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK
	    | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 && errno == EACCES) {
		/* made read-only: make it writable again, by descriptor
		 * (fchmodat would follow a symbolic link) */
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK
		    | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)
		    && fchmod(fd, 0600) == 0) {
			close(fd);
			fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW
			    | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
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
	int dfd, failed = 0, unlinked = 1, passes;

	dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	if (dfd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
		dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		    | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		/* not a directory (any more): nothing of ours to zero */
		return run_rmtree_at(dirfd, name);
	}
	(void)fchmod(dfd, 0700);
	/* entries unlinked while the directory is read: read it again
	 * until a pass unlinks nothing (what stays is for run_rmtree_at) */
	for (passes = 0; unlinked && passes < 8; passes++) {
		long n;

		unlinked = 0;
		if (lseek(dfd, 0, SEEK_SET) < 0)
			break;
		while ((n = syscall(SYS_getdents64, dfd, dents,
		    sizeof dents)) > 0) {
			long off = 0;

			while (off < n) {
				struct dent64 *d = (struct dent64 *)(void *)
				    (dents + off);
				const char *nm = d->d_name;
				int fd;

				off += d->d_reclen;
				if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
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

static int
job_id_name(const char *s)
{
	return cpj_cp_check_job_id(s) == 0;
}

/* see run.h */
void
run_sweep(const char *keep)
{
	int wfd = open(run_cfg.work_dir_abs, O_RDONLY | O_DIRECTORY
	    | O_CLOEXEC);
	int restart = 1, failures = 0;

	if (wfd < 0)
		return;
	/* only names shaped like job ids: the directory may hold more */
	while (restart) {
		long n;

		restart = 0;
		if (lseek(wfd, 0, SEEK_SET) < 0)
			break;
		while (!restart && (n = syscall(SYS_getdents64, wfd, dents,
		    sizeof dents)) > 0) {
			long off = 0;

			while (off < n) {
				struct dent64 *d = (struct dent64 *)(void *)
				    (dents + off);
				char name[64];

				off += d->d_reclen;
				if (!job_id_name(d->d_name) || (keep != NULL
				    && strcmp(d->d_name, keep) == 0))
					continue;
				snprintf(name, sizeof name, "%s", d->d_name);
				LOG_I("removing the work directory of job %s, "
				    "no longer in flight", name);
				/* the whole directory goes, secret/ zeroed
				 * first (run_rm_jobdir) */
				if (run_rm_jobdir(wfd, name) != 0) {
					LOG_W("%s/%s: %s", run_cfg.work_dir_abs,
					    name, strerror(errno));
					failures++;
				}
				/* dents was reused: read again (a directory
				 * that cannot go is tried a few times only) */
				restart = failures < 8;
				break;
			}
		}
	}
	close(wfd);
}
