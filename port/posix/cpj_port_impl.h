/*
 * cpj_port_impl.h -- POSIX port types (Linux, musl or glibc).
 *
 * Besides the types that cpj_port.h needs, this port offers two
 * POSIX-only calls to route or filter the library's log lines (the
 * agent uses them for syslog and -v); code that must build against any
 * port tests CPJ_PORT_LOG_SINK before calling them.
 */
#ifndef CPJ_PORT_IMPL_H
#define CPJ_PORT_IMPL_H

#include <stddef.h>

#include <stdint.h>

/** A socket: the descriptor and the receive/send timeouts now set on it,
 *  so that unchanged timeouts cost no setsockopt(). */
struct cpj_port_sock {
	int fd1;              /**< descriptor + 1; 0 when closed, so a zeroed
	                       *   struct is closed (never descriptor 0) */
	uint32_t rcv_timeout; /**< SO_RCVTIMEO in force, ms (0: none set) */
	uint32_t snd_timeout; /**< SO_SNDTIMEO in force, ms (0: none set) */
};

/** Defined by ports that provide cpj_port_log_set_sink/level. */
#define CPJ_PORT_LOG_SINK 1

/**
 * \brief A log sink: receives each formatted line.
 *
 * \param level  1 error, 2 warning, 3 info, 4 debug.
 * \param msg    the message, NUL-terminated, without prefix or newline;
 *               borrowed for the duration of the call only. A message
 *               longer than 511 bytes is cut and ends with "...".
 */
typedef void (*cpj_port_log_sink)(int level, const char *msg);

/**
 * \brief Send log lines to `sink` instead of stderr (NULL: back to stderr).
 *
 * Process-wide; not thread-safe against concurrent cpj_port_log() calls
 * (set it once at start-up). Without a sink each line is written to
 * stderr as "cpjob: <level>: <msg>\n" with a single write(2).
 */
void cpj_port_log_set_sink(cpj_port_log_sink sink);

/**
 * \brief Drop log lines above `level` (0 drops everything, 4 keeps all).
 *
 * The default is 4: every line compiled in (CPJ_CONFIG_LOG_LEVEL) that
 * the library passes on is kept; the library itself passes warnings and
 * errors only unless cpj_log_set_level() (cpj_err.h) asks for more.
 * Process-wide; set it once at start-up.
 */
void cpj_port_log_set_level(int level);

/** Defined by ports that can read files (cpj_port_file_read), which the
 *  worker facade uses for a CA bundle given by path (cpj_worker.h). */
#define CPJ_PORT_FILE 1

/**
 * \brief Read the file at `path` piece by piece into the caller's buffer.
 *
 * Opens the file, reads it into buf[0..cap) as often as needed, passes
 * each piece to `sink` (the bytes are borrowed for that call only) and
 * closes the file. No allocation.
 *
 * \return 0 at the end of the file; CPJ_ERR_IO when it cannot be opened
 *         or read; CPJ_ERR_PARAM (NULL argument, cap 0); or the first
 *         negative value `sink` returned (reading stops there).
 */
int cpj_port_file_read(const char *path, void *buf, size_t cap,
	int (*sink)(void *arg, const void *data, size_t len), void *arg);

#endif
