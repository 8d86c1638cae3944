/*
 * cpj_json.h -- JSON: a strict incremental validator, tokenizing into
 * caller tokens (jsmn), member lookup and typed getters, bounded
 * unescaping, and a writer.
 *
 * Reading. cpj_json_parse() validates a whole document (RFC 8259: strict
 * grammar, valid UTF-8, nesting at most CPJ_JSON_DEPTH_MAX) and tokenizes
 * it into the caller's token array. Tokens index into the caller's text;
 * nothing is copied until a string is unescaped into a caller buffer.
 * Tokens come in document order; a container's children follow it.
 *
 * Streaming. jsmn needs the whole document, so a body that arrives piece
 * by piece goes through a cpj_json_scanner: a byte-at-a-time validator
 * with a fixed, small state (no buffer) that can stop at each value that
 * begins or ends near the top of the document. The job parser
 * (cpj_jobs.h) is built on it.
 *
 * Writing. cpj_json_writer puts JSON into a cpj_buf with commas placed
 * automatically and strings escaped.
 *
 * Decoding rules, the same everywhere in this module:
 *  - \uXXXX escapes, surrogate pairs included, become UTF-8.
 *  - A lone surrogate (\ud800 without a following \udc00-\udfff, or a
 *    lone low half) is rejected with CPJ_ERR_JSON_ESCAPE. Python's
 *    json.loads accepts one, but the text cannot be encoded as UTF-8: the
 *    aws CLI fails ("surrogates not allowed") when it prints such a value.
 *    We fail the same way instead of inventing a replacement character.
 *  - \u0000 is rejected with CPJ_ERR_JSON_ESCAPE: every decoded string is
 *    also a C string, and an embedded NUL would silently truncate it.
 *
 * No call allocates, recurses or blocks; every call is bounded by its
 * input length.
 */
/** \file
 * \brief JSON: a strict incremental validator, tokenizing into
 */
#ifndef CPJ_JSON_H
#define CPJ_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"
#include "cpj_buf.h"

/** \brief Token types (the same values as jsmn's jsmntype_t). */
#define CPJ_JSON_UNDEFINED  0
#define CPJ_JSON_OBJECT     1   /**< {...}; size = number of members */
#define CPJ_JSON_ARRAY      2   /**< [...]; size = number of elements */
#define CPJ_JSON_STRING     3   /**< text between the quotes, still escaped; a member name has size 1 */
#define CPJ_JSON_PRIMITIVE  4   /**< number, true, false or null */

/**
 * \brief One token: the layout of jsmn's jsmntok_t with JSMN_PARENT_LINKS.
 *
 * `start`/`end` are byte offsets into the parsed text (for strings, the
 * text inside the quotes); `parent` is the index of the enclosing token
 * (a member value's parent is its name), -1 for the root. 20 bytes.
 */
typedef struct cpj_json_tok {
	int type;     /**< CPJ_JSON_* */
	int start;    /**< first byte */
	int end;      /**< one past the last byte */
	int size;     /**< children (see the type) */
	int parent;   /**< enclosing token, or -1 */
} cpj_json_tok;

/**
 * \brief Validate and tokenize one JSON document.
 *
 * The text must be exactly one JSON value, optionally surrounded by
 * whitespace (JSON's four characters). Validation is complete: grammar,
 * escapes, numbers, literals, UTF-8, and nesting at most
 * CPJ_JSON_DEPTH_MAX.
 *
 * Stack: at most 240 bytes.
 *
 * \param js     the text; borrowed for the call. Tokens refer to it by
 *               offset, so keep it for as long as the tokens are used.
 * \param len    its length; at most INT_MAX (offsets are int).
 * \param toks   caller's token array, or NULL to count the tokens needed.
 * \param ntoks  entries in `toks`.
 * \return the number of tokens (>= 1), or CPJ_ERR_JSON_INVALID (bad
 *         grammar, bad UTF-8, trailing garbage), CPJ_ERR_JSON_ESCAPE (bad
 *         escape sequence), CPJ_ERR_JSON_TRUNCATED (document ends early,
 *         or empty), CPJ_ERR_JSON_DEPTH, CPJ_ERR_JSON_TOKENS (`ntoks` too
 *         small), CPJ_ERR_PARAM (`js` NULL or `len` over INT_MAX).
 */
int cpj_json_parse(const char *js, size_t len, cpj_json_tok *toks,
    unsigned ntoks);

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

/* ---- incremental validator ------------------------------------------ */

/** \brief Scanner events (cpj_json_scanner.ev). */
#define CPJ_JSON_EV_NONE   0   /**< everything given was consumed */
#define CPJ_JSON_EV_BEGIN  1   /**< a watched value began: its first byte was the last consumed */
#define CPJ_JSON_EV_END    2   /**< a watched value ended (see cpj_json_scan()) */
#define CPJ_JSON_EV_ERROR  3   /**< the input is not JSON; `err` says why */

/**
 * \brief State of the incremental validator; 56 bytes, no buffer.
 *
 * Members other than the ev_* fields and `err` are private. The "level"
 * of a value is the number of containers around it: the document is at
 * level 0, the members of the top object at level 1, and so on. A member
 * name is reported as a string with ev_key set, at the level of the
 * member.
 */
typedef struct cpj_json_scanner {
	uint64_t objs;       /**< private: bit d-1 set when container d is an object */
	uint64_t pos;        /**< bytes consumed so far (for messages) */
	uint32_t depth;      /**< private: containers open */
	uint32_t watch;      /**< report values at level <= watch */
	unsigned char state; /**< private */
	unsigned char key;   /**< private: the string is a member name */
	unsigned char n;     /**< private: literal position / digits / UTF-8 bytes left */
	unsigned char lit;   /**< private: which literal */
	unsigned char lo;    /**< private: lowest next UTF-8 continuation byte */
	unsigned char hi;    /**< private: highest next UTF-8 continuation byte */
	int err;             /**< sticky: 0 or a CPJ_ERR_JSON_* code */
	int ev;              /**< event of the last cpj_json_scan() call */
	int ev_type;         /**< CPJ_JSON_OBJECT, _ARRAY, _STRING or _PRIMITIVE */
	int ev_char;         /**< first byte of the value: { [ " - 0-9 t f n */
	int ev_key;          /**< 1: the string is a member name */
	uint32_t ev_level;   /**< level of the value */
} cpj_json_scanner;

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
 * watched value begins or ends (ev = BEGIN or END), or the input turns out
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

/* ---- reading tokens --------------------------------------------------- */

/**
 * \brief Index of the token after token `i` and everything inside it.
 *
 * Stack: at most 16 bytes.
 *
 * \return an index in (i, ntok], or CPJ_ERR_PARAM for a bad `i`.
 */
int cpj_json_next(const cpj_json_tok *t, int ntok, int i);

/**
 * \brief Find a member of an object.
 *
 * Names are compared after unescaping, so "\\u0069d" finds "id". With
 * duplicate names the last one wins (as in Python's json).
 *
 * Stack: at most 288 bytes.
 *
 * \param js    the text the tokens came from.
 * \param t, ntok  tokens, `ntok` of them.
 * \param obj   index of an object token.
 * \param name  NUL-terminated member name.
 * \return index of the member's value token; CPJ_ERR_JSON_MISSING when
 *         absent; CPJ_ERR_JSON_TYPE when `obj` is not an object;
 *         CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_member(const char *js, const cpj_json_tok *t, int ntok,
    int obj, const char *name);

/**
 * \brief Follow a dotted path of member names from an object.
 *
 * "a.b.c" is member c of member b of member a. Names containing a dot,
 * or longer than 64 bytes, cannot be reached this way (such a segment
 * matches no member; use cpj_json_member()).
 *
 * Stack: at most 448 bytes.
 *
 * \return index of the value token, or the errors of cpj_json_member()
 *         (CPJ_ERR_JSON_TYPE when a step is not an object).
 */
int cpj_json_path(const char *js, const cpj_json_tok *t, int ntok,
    int obj, const char *path);

/**
 * \brief Whether string token `i` equals `s` once unescaped.
 *
 * Stack: at most 208 bytes.
 *
 * \return 1 when equal, 0 when not (or the token is not a valid string).
 */
int cpj_json_str_eq(const char *js, const cpj_json_tok *t, int ntok, int i,
    const char *s);

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

/**
 * \brief Unescape string token `i` into `out` (see cpj_json_unescape()).
 *
 * Stack: at most 288 bytes.
 *
 * \return 0, CPJ_ERR_JSON_TYPE when the token is not a string, or the
 *         errors of cpj_json_unescape(); CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_get_str(const char *js, const cpj_json_tok *t, int ntok, int i,
    char *out, size_t cap, size_t *outlen);

/**
 * \brief Read an integer token (no fraction, no exponent).
 *
 * Stack: at most 80 bytes.
 *
 * \return 0; CPJ_ERR_JSON_TYPE when the token is not an integer number
 *         or is outside int64_t; CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_get_i64(const char *js, const cpj_json_tok *t, int ntok, int i,
    int64_t *out);

/**
 * \brief Read a true/false token into *out (1/0).
 *
 * Stack: at most 112 bytes.
 *
 * \return 0, CPJ_ERR_JSON_TYPE, or CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_get_bool(const char *js, const cpj_json_tok *t, int ntok, int i,
    int *out);

/** \brief 1 when token `i` is the literal null, else 0.
 *
 * Stack: at most 64 bytes.
 */
int cpj_json_is_null(const char *js, const cpj_json_tok *t, int ntok, int i);

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
