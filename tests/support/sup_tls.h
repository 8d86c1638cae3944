/*
 * sup_tls.h -- TLS test helpers: a test PKI made by tests/support/mkcerts.sh
 * in a temporary directory, and `openssl s_server` children on 127.0.0.1
 * with an ephemeral port. All names start with sup_tls_.
 *
 * Every helper is bounded in time, and servers die with the test
 * (SIGKILL on parent death, and an alarm).
 */
#ifndef SUP_TLS_H
#define SUP_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cpj_tls.h"

/** Longest path the helpers build. */
#define SUP_TLS_PATH_MAX 512

/**
 * Make a temporary directory and run mkcerts.sh in it (found through
 * $CPJ_TOP, else the current directory). `dir` receives its path.
 * \return 0, or -1 (message on stderr).
 */
int sup_tls_mkcerts(char *dir, size_t dirlen);

/** Remove the directory made by sup_tls_mkcerts() and its files. */
void sup_tls_rmdir(const char *dir);

/**
 * Read a whole file into `buf` (NUL-terminated).
 * \return its length, or -1 (missing, or larger than buflen - 1).
 */
long sup_tls_read_file(const char *path, void *buf, size_t buflen);

/**
 * Add the PEM file dir/name to the store `a` in one piece (read into buf)
 * and finish it. \return cpj_tls_anchors_finish()'s count, or a negative
 * CPJ_ERR_* code (CPJ_ERR_IO when the file cannot be read whole).
 */
int sup_tls_load_ca(cpj_tls_anchors *a, const char *dir, const char *name,
	char *buf, size_t buflen);

/** `out` = dir "/" name. \return out. */
char *sup_tls_path(char *out, size_t outlen, const char *dir,
	const char *name);

/**
 * Start `openssl s_server -accept 127.0.0.1:0 -cert <dir>/<name>.pem
 * -key <dir>/<name>.key` plus `extra` (NULL-terminated, may be NULL; a
 * "@" prefix on an argument means "the file of that name in dir"), with
 * its output in <dir>/s_server-<port>.log. Waits (at most 5 s) for the
 * listening port. The server runs at most 60 s.
 * \return the child's pid (port in *port), or -1.
 */
pid_t sup_tls_server(const char *dir, const char *name,
	const char *const *extra, uint16_t *port);

/** Stop a server started by sup_tls_server() and reap it (bounded). */
void sup_tls_server_stop(pid_t pid);

#endif
