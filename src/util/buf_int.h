/*
 * buf_int.h -- the cpj_buf appenders (src/util/buf.c): how the library formats
 * everything into caller storage. The type is public (cpj_buf.h).
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_BUF_INT_H
#define CPJ_BUF_INT_H

#include "cpj_buf.h"

/** \brief Start an empty buffer over `p[0..cap)`; cap 0 or p NULL is "over".
 *
 * Stack: at most 16 bytes.
 */
void cpj_buf_init(cpj_buf *b, char *p, size_t cap);

/** \brief Append `len` bytes (may contain NUL).
 *
 * Stack: at most 48 bytes.
 */
void cpj_buf_put(cpj_buf *b, const void *data, size_t len);

/**
 * \brief Room for `n` more bytes, which the caller then fills: for text
 * put together from pieces of known lengths, with one check of the room.
 *
 * The length grows by n and the NUL after the n bytes is written.
 *
 * Stack: at most 16 bytes.
 *
 * \return where the n bytes go; NULL when they do not fit (the buffer is
 *         then over, as after a cpj_buf_put() that did not fit). A
 *         draining buffer (cpj_buf_init_drain()) hands its content to
 *         its sink first; NULL while it is not over says n is more than
 *         the whole buffer: put the bytes with cpj_buf_put().
 */
char *cpj_buf_room(cpj_buf *b, size_t n);

/** \brief Append a NUL-terminated string.
 *
 * Stack: at most 80 bytes.
 */
void cpj_buf_puts(cpj_buf *b, const char *s);

/* Append a string literal (`"" lit` refuses anything else): its length is
 * known when compiling, so no strlen() runs on the hot paths. */
#define cpj_buf_putlit(b, lit) cpj_buf_put((b), "" lit, sizeof(lit) - 1)

/** \brief Append one byte.
 *
 * Stack: at most 80 bytes.
 */
void cpj_buf_putc(cpj_buf *b, char c);

/** \brief Append an unsigned decimal number.
 *
 * Stack: at most 128 bytes.
 */
void cpj_buf_put_u64(cpj_buf *b, uint64_t v);

/** \brief Append lower-case hex of `len` bytes.
 *
 * Stack: at most 32 bytes.
 */
void cpj_buf_put_hex(cpj_buf *b, const void *data, size_t len);

/*
 * Where a draining buffer's content goes: of the bytes in the order they
 * come (`pos` counts them), those of [from, from + want) into `out`, `got`
 * of them so far; once they are all there the buffer takes no more.
 */
typedef struct cpj_buf_sink {
	uint64_t pos;
	uint64_t from;
	unsigned char *out;
	size_t want, got;
} cpj_buf_sink;

/** \brief Start a buffer over `p[0..cap)` that hands its content to
 *  `sink` whenever an append does not fit, and an append larger than
 *  `cap` straight from the caller's bytes: a document of any length is
 *  written through `cap` bytes (cpj_buf_put_hex() is not drained: it
 *  sets "over"). cpj_buf_drain_end() hands over the rest.
 *
 * Stack: at most 16 bytes.
 */
void cpj_buf_init_drain(cpj_buf *b, char *p, size_t cap,
	cpj_buf_sink *sink);

/** \brief Hand what a draining buffer holds to its sink.
 *
 * Stack: at most 48 bytes.
 *
 * \return 0, or CPJ_ERR_NOSPACE when the sink stopped taking bytes (a
 *         window is full) or an append failed.
 */
int cpj_buf_drain_end(cpj_buf *b);

/** \return 0 when everything fit (and is NUL-terminated), else CPJ_ERR_NOSPACE.
 *
 * Stack: at most 16 bytes.
 */
int cpj_buf_ok(const cpj_buf *b);

#endif
