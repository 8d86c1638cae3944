/*
 * json_int.h -- the JSON module's streaming scanner (under the job
 * parser), its lower-level readers and its writer (src/json/). The
 * scanner's type is public (cpj_json.h: cpj_jobs_parser holds one).
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_JSON_INT_H
#define CPJ_JSON_INT_H

#include "cpj_json.h"

/**
 * \brief Tokenize text that a cpj_json_scanner has already validated.
 *
 * This is jsmn alone (JSMN_STRICT, JSMN_PARENT_LINKS), for callers that
 * validated the text while it streamed in and need not validate it twice.
 * On text that was not validated, jsmn accepts some invalid documents:
 * use cpj_json_parse() instead. A document that is a bare number or
 * literal needs whitespace after it here (strict jsmn).
 *
 * Stack: at most 80 bytes.
 *
 * \param js     as for cpj_json_parse().
 * \param len    as for cpj_json_parse().
 * \param toks   as for cpj_json_parse().
 * \param ntoks  as for cpj_json_parse().
 * \return the number of tokens, CPJ_ERR_JSON_TOKENS, CPJ_ERR_JSON_INVALID,
 *         CPJ_ERR_JSON_TRUNCATED or CPJ_ERR_PARAM.
 */
int cpj_json_tokenize(const char *js, size_t len, cpj_json_tok *toks,
    unsigned ntoks);

/**
 * \brief Start validating a new document.
 *
 * Stack: at most 48 bytes.
 *
 * \param s      caller's scanner.
 * \param watch  report values whose level is <= watch (0: only the
 *               document itself). At most CPJ_JSON_DEPTH_MAX.
 */
void cpj_json_scan_init(cpj_json_scanner *s, unsigned watch);

/**
 * \brief Validate the next piece of the document.
 *
 * Consumes bytes until the piece is used up (ev = CPJ_JSON_EV_NONE), a
 * watched value begins or ends (ev = BEGIN or END), a string value deeper
 * than `watch` with at least `long_min` bytes of text ends, when long_min
 * was set (ev = LONG: its text began at `str_at`), or the input turns out
 * not to be JSON (ev = ERROR, `err` set; sticky: later calls consume
 * nothing). Call again with the rest of the piece after an event.
 *
 * For BEGIN, the value's first byte is the last byte consumed. For END of
 * an object, array, string or literal, the value's last byte is the last
 * byte consumed; a number ends at the byte after it, which is then not
 * consumed. Pieces can be of any size, down to one byte; the result does
 * not depend on how the document is cut.
 *
 * Stack: at most 96 bytes.
 *
 * \param s     scanner.
 * \param data  bytes; borrowed for the call.
 * \param len   their number.
 * \return bytes consumed (<= len). Errors: CPJ_ERR_JSON_INVALID,
 *         CPJ_ERR_JSON_ESCAPE (invalid escape), CPJ_ERR_JSON_DEPTH.
 */
size_t cpj_json_scan(cpj_json_scanner *s, const char *data, size_t len);

/**
 * \brief The document has ended: check that it was complete.
 *
 * Stack: at most 16 bytes.
 *
 * \return 0 when exactly one complete value was scanned;
 *         CPJ_ERR_JSON_TRUNCATED when it stopped early (or nothing but
 *         whitespace came), or the sticky error.
 */
int cpj_json_scan_finish(cpj_json_scanner *s);

/**
 * \brief Whether string token `i` equals `s` once unescaped.
 *
 * Stack: at most 208 bytes.
 *
 * \return 1 when equal, 0 when not (or the token is not a valid string).
 */
int cpj_json_str_eq(const char *js, const cpj_json_tok *t, int ntok, int i,
    const char *s);

/*
 * The \\u escape at s[i] (its backslash) as a code point in *cp, an
 * escaped low surrogate after a high one joined to it: returns the bytes
 * it takes (6 or 12), or CPJ_ERR_JSON_ESCAPE when s[i] does not start
 * \\u and 4 hex digits. U+0000 and lone surrogates are given as they
 * are: the caller decides (cpj_json_unescape() refuses them, Python's
 * json keeps them). len may be SIZE_MAX for NUL-terminated text.
 */
int cpj_json_u_escape(const char *s, size_t len, size_t i, unsigned *cp);
/* Code point cp as UTF-8 in u[0..3] (a lone surrogate as its 3 bytes):
 * returns the length, 1..4. */
size_t cpj_utf8_put(unsigned char *u, unsigned cp);

/**
 * \brief Unescape JSON string text (without its quotes) into `out`.
 *
 * The output is UTF-8 and NUL-terminated. It is never longer than the
 * input, so `cap` = len + 1 always suffices; decoding in place (out == in)
 * is allowed. Raw control characters (below 0x20) and '"' are rejected as
 * they cannot appear in JSON text; other bytes are copied as they are
 * (cpj_json_parse() has validated their UTF-8).
 *
 * Stack: at most 256 bytes.
 *
 * \param in      escaped text; borrowed.
 * \param len     its length.
 * \param out     caller's buffer; on error its content is unspecified.
 * \param cap     its size, including room for the NUL.
 * \param outlen  receives the decoded length (without the NUL); may be NULL.
 * \return 0; CPJ_ERR_JSON_ESCAPE (invalid escape, lone surrogate, \\u0000);
 *         CPJ_ERR_JSON_INVALID (raw control character or quote);
 *         CPJ_ERR_JSON_FIELD_TOO_LONG (does not fit `cap`).
 */
int cpj_json_unescape(const char *in, size_t len, char *out, size_t cap,
    size_t *outlen);

/* ---- writing ---------------------------------------------------------- */

/**
 * \brief JSON writer state; 40 bytes on 64-bit. Members are private.
 *
 * Calls append to the cpj_buf and place commas and colons themselves.
 * Misuse (a value where a member name is due, a name outside an object,
 * an end that does not match, a second top-level value, a string that is
 * not valid UTF-8, nesting beyond CPJ_JSON_DEPTH_MAX) sets a sticky error
 * that cpj_json_writer_finish() returns; so does running out of buffer.
 * Check once at the end.
 */
typedef struct cpj_json_writer {
	cpj_buf *b;          /**< private: caller's buffer (kept, not owned) */
	uint64_t objs;       /**< private: bit d-1 set when container d is an object */
	uint64_t more;       /**< private: bit d-1 set when container d has an element */
	unsigned depth;      /**< private */
	unsigned char named; /**< private: a member name was just written */
	unsigned char done;  /**< private: the top-level value is complete */
	int err;             /**< private: sticky */
} cpj_json_writer;

/**
 * \brief Start a document in `b` (appended after what `b` holds).
 *
 * The writer keeps the pointer: `b` must outlive it.
 *
 * Stack: at most 48 bytes.
 */
void cpj_json_writer_init(cpj_json_writer *w, cpj_buf *b);

/** \brief Write '{'.
 *
 * Stack: at most 160 bytes.
 */
void cpj_json_object_begin(cpj_json_writer *w);

/** \brief Write '}'.
 *
 * Stack: at most 112 bytes.
 */
void cpj_json_object_end(cpj_json_writer *w);

/** \brief Write '['.
 *
 * Stack: at most 160 bytes.
 */
void cpj_json_array_begin(cpj_json_writer *w);

/** \brief Write ']'.
 *
 * Stack: at most 112 bytes.
 */
void cpj_json_array_end(cpj_json_writer *w);

/** \brief Write a member name (NUL-terminated, escaped as a string).
 *
 * Stack: at most 192 bytes.
 */
void cpj_json_put_key(cpj_json_writer *w, const char *name);

/**
 * \brief Write a string value, escaped.
 *
 * '"', '\\' and control characters are escaped (\\b \\f \\n \\r \\t, else
 * \\u00XX); other bytes, UTF-8 included, are copied. Invalid UTF-8 is
 * misuse (CPJ_ERR_PARAM), never written.
 *
 * Stack: at most 224 bytes.
 *
 * \param w    writer.
 * \param s    NUL-terminated text; borrowed for the call.
 */
void cpj_json_put_str(cpj_json_writer *w, const char *s);

/**
 * \brief As cpj_json_put_str() for `len` bytes of `s`, which may include
 * NUL bytes (written as \\u0000).
 *
 * Stack: at most 192 bytes.
 */
void cpj_json_put_strn(cpj_json_writer *w, const char *s, size_t len);

/** \brief Write an unsigned integer.
 *
 * Stack: at most 176 bytes.
 */
void cpj_json_put_u64(cpj_json_writer *w, uint64_t v);

/** \brief Write a signed integer.
 *
 * Stack: at most 176 bytes.
 */
void cpj_json_put_i64(cpj_json_writer *w, int64_t v);

/** \brief Write true or false.
 *
 * Stack: at most 160 bytes.
 */
void cpj_json_put_bool(cpj_json_writer *w, int v);

/** \brief Write null.
 *
 * Stack: at most 160 bytes.
 */
void cpj_json_put_null(cpj_json_writer *w);

/** \brief Shorthand: member name and string value.
 *
 * Stack: at most 272 bytes.
 */
void cpj_json_put_key_str(cpj_json_writer *w, const char *name,
    const char *s);

/**
 * \brief End of the document.
 *
 * Stack: at most 32 bytes.
 *
 * \return 0 when one complete value was written and it fit;
 *         CPJ_ERR_NOSPACE when the buffer overflowed; CPJ_ERR_STATE for
 *         misuse or an unfinished document; CPJ_ERR_JSON_DEPTH for
 *         nesting too deep; CPJ_ERR_PARAM for a string that was not UTF-8.
 */
int cpj_json_writer_finish(const cpj_json_writer *w);

#endif
