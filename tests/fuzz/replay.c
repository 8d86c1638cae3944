/*
 * replay.c -- run a fuzz target's corpus without libFuzzer.
 *
 * Linked with one tests/fuzz/fuzz_<target>.c as replay_<target>; the
 * target's name comes from the program's name. Without arguments it
 * feeds every file of tests/fuzz/corpus/<target>/ and then of
 * tests/fuzz/crashers/<target>/ (relative to $CPJ_TOP, default the
 * current directory) to LLVMFuzzerTestOneInput, in name order; with
 * arguments, those files (or directories) instead.
 *
 * Each input runs in a child process, so that a sanitizer report or a
 * crash fails that input alone: "FAIL <target>/<dir>/<file> (...)" per
 * failing input and "PASS <target>/<dir> (N inputs)" when all of a
 * directory passed (given files: a line each), the format tests/run.sh
 * counts. The child exits through exit(), so LeakSanitizer checks it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (1024 * 1024)

static const char *target = "?";
static unsigned passed, failed;

/* Run one file in a child; print its FAIL line, or its PASS line when
 * `quiet` is 0. Returns 0 when it passed. */
static int
run_file(const char *path, const char *label, int quiet)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s (fork: %s)\n", label, strerror(errno));
		failed++;
		return 1;
	}
	if (pid == 0) {
		FILE *f = fopen(path, "rb");
		uint8_t *buf;
		size_t n;

		if (f == NULL) {
			fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
			exit(3);
		}
		buf = malloc(INPUT_MAX);
		if (buf == NULL)
			exit(3);
		n = fread(buf, 1, INPUT_MAX, f);
		if (ferror(f) || n == INPUT_MAX) {
			fprintf(stderr, "replay: %s: unreadable or over %d bytes\n",
			    path, INPUT_MAX);
			exit(3);
		}
		fclose(f);
		/* exactly n bytes on the heap: ASan sees reads past the end */
		{
			uint8_t *in = malloc(n ? n : 1);

			if (in == NULL)
				exit(3);
			memcpy(in, buf, n);
			free(buf);
			(void)LLVMFuzzerTestOneInput(in, n);
			free(in);
		}
		exit(0);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			printf("FAIL %s (waitpid: %s)\n", label, strerror(errno));
			failed++;
			return 1;
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		if (!quiet) {
			printf("PASS %s\n", label);
			passed++;
		}
		return 0;
	}
	if (WIFEXITED(st))
		printf("FAIL %s (exit status %d)\n", label, WEXITSTATUS(st));
	else
		printf("FAIL %s (signal %d)\n", label,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	failed++;
	return 1;
}

static int
skip_name(const struct dirent *d)
{
	return d->d_name[0] != '.' && strcmp(d->d_name, "README") != 0
	    && strcmp(d->d_name, "README.md") != 0;
}

/* Every regular file of `dir` in name order; `label` prefixes names. A
 * missing directory is fine when `optional`. */
static void
run_dir(const char *dir, const char *label, int optional)
{
	struct dirent **names;
	int n, i, runs = 0, bad = 0;

	n = scandir(dir, &names, skip_name, alphasort);
	if (n < 0) {
		if (optional && errno == ENOENT)
			return;
		printf("FAIL %s (%s: %s)\n", label, dir, strerror(errno));
		failed++;
		return;
	}
	for (i = 0; i < n; i++) {
		char path[4096], lab[4096];
		struct stat sb;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		snprintf(lab, sizeof lab, "%s/%s", label, names[i]->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			runs++;
			bad += run_file(path, lab, 1);
		}
		free(names[i]);
	}
	free(names);
	if (bad == 0 && runs > 0) {
		printf("PASS %s (%d inputs)\n", label, runs);
		passed++;
	}
}

int
main(int argc, char **argv)
{
	const char *top = getenv("CPJ_TOP");
	const char *base = strrchr(argv[0], '/');
	char dir[4096], label[512];
	int i;

	base = base != NULL ? base + 1 : argv[0];
	if (strncmp(base, "replay_", 7) == 0)
		target = base + 7;
	if (top == NULL || *top == '\0')
		top = ".";
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			struct stat sb;

			if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
				run_dir(argv[i], argv[i], 0);
			else
				(void)run_file(argv[i], argv[i], 0);
		}
	} else {
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top, target);
		snprintf(label, sizeof label, "%s/corpus", target);
		run_dir(dir, label, 0);
		snprintf(dir, sizeof dir, "%s/tests/fuzz/crashers/%s", top, target);
		snprintf(label, sizeof label, "%s/crashers", target);
		run_dir(dir, label, 1);
	}
	printf("replay %s: %u passed, %u failed\n", target, passed, failed);
	fflush(stdout);
	return failed != 0 ? 1 : 0;
}
