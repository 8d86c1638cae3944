/*
 * run_fs.c -- file helpers of the worker: directories, bounded reads of
 * files a handler wrote, zeroing, whole writes. Removing work
 * directories is run_rm.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "run.h"

/* see run.h */
int
run_mkdirs(const char *path, unsigned mode)
{
	char p[RUN_PATH_MAX];
	size_t len = strlen(path), i;

	if (len == 0 || len >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
			return -1;
		p[i] = path[i];
	}
	return 0;
}

/* see run.h */
int
run_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* see run.h */
int
run_zero_fd(int fd, uint64_t len)
{
	/* not const: a const array of zeros would be 4 KB of flash, this
	 * is 4 KB of bss (never written: it stays zero) */
	static unsigned char zeros[4096];
	struct stat sb;
	uint64_t off = 0;

	/* what was written there is at most `len` bytes (a secret value is
	 * a few KB); a file grown (or made sparse and huge) by someone else
	 * is zeroed up to 64 KiB further, not to its end */
	if (fstat(fd, &sb) == 0 && sb.st_size > 0 && (uint64_t)sb.st_size
	    > len)
		len = (uint64_t)sb.st_size - len > 65536 ? len + 65536
		    : (uint64_t)sb.st_size;
	while (off < len) {
		size_t n = len - off < sizeof zeros ? (size_t)(len - off)
		    : sizeof zeros;
		ssize_t w = pwrite(fd, zeros, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		off += (uint64_t)w;
	}
	return fsync(fd);
}

/* see run.h */
int
run_open_file_at(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK
	    | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* see run.h */
long
run_read_file_at(int dirfd, const char *name, char *buf, size_t cap)
{
	size_t len = 0;
	int fd;

	fd = run_open_file_at(dirfd, name);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t r;

		if (len == cap - 1) {
			char c;

			/* one more byte tells "exactly full" from "larger" */
			r = read(fd, &c, 1);
			if (r < 0 && errno == EINTR)
				continue;
			close(fd);
			buf[len] = '\0';
			return r > 0 ? -2 : (long)len;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

/* see run.h */
int
run_utf8_valid(const char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL && fmt_utf8_valid(s, len);
}

/* see run.h */
int
run_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
