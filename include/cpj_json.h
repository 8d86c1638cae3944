/*
 * cpj_json.h -- JSON reading: a strict validator tokenizing into caller
 * tokens (jsmn), member lookup and typed getters with bounded unescaping
 * (for instance for a job's UserParameters).
 *
 * Reading. cpj_json_parse() validates a whole document (RFC 8259: strict
 * grammar, valid UTF-8, nesting at most CPJ_JSON_DEPTH_MAX) and tokenizes
 * it into the caller's token array. Tokens index into the caller's text;
 * nothing is copied until a string is unescaped into a caller buffer.
 * Tokens come in document order; a container's children follow it.
 *
 * Streaming. jsmn needs the whole document, so the library's job parser
 * (cpj_jobs.h) reads a body that arrives piece by piece through a
 * cpj_json_scanner: a byte-at-a-time validator with a fixed, small state
 * (no buffer); its type is here because cpj_jobs_parser holds one, its
 * calls are the library's own.
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
 * \brief JSON reading: a strict validator, tokens and typed getters.
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
 * Stack: at most 304 bytes.
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

/* ---- incremental validator ------------------------------------------ */

/** \brief Scanner events (cpj_json_scanner.ev). */
#define CPJ_JSON_EV_NONE   0   /**< everything given was consumed */
#define CPJ_JSON_EV_BEGIN  1   /**< a watched value began: its first byte was the last consumed */
#define CPJ_JSON_EV_END    2   /**< a watched value ended (see cpj_json_scan()) */
#define CPJ_JSON_EV_ERROR  3   /**< the input is not JSON; `err` says why */
#define CPJ_JSON_EV_LONG   4   /**< a string value deeper than `watch`, of at least `long_min` bytes between its quotes, ended: its closing quote was the last byte consumed */

/**
 * \brief State of the incremental validator; 64 bytes, no buffer.
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
	uint16_t long_min;   /**< report CPJ_JSON_EV_LONG from this length on (0: never; set after init) */
	int err;             /**< sticky: 0 or a CPJ_ERR_JSON_* code */
	int ev;              /**< event of the last cpj_json_scan() call */
	int ev_type;         /**< CPJ_JSON_OBJECT, _ARRAY, _STRING or _PRIMITIVE */
	int ev_char;         /**< first byte of the value: { [ " - 0-9 t f n */
	int ev_key;          /**< 1: the string is a member name */
	uint32_t ev_level;   /**< level of the value */
	uint32_t str_at;     /**< where the text of the last string value began (`pos`, its low 32 bits) */
} cpj_json_scanner;

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
 * Stack: at most 320 bytes.
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
 * \brief Unescape string token `i` into `out`, NUL-terminated (the rules
 * of the file comment; token length + 1 bytes always suffice).
 *
 * Stack: at most 304 bytes.
 *
 * \return 0, CPJ_ERR_JSON_TYPE when the token is not a string, or the
 *         CPJ_ERR_JSON_ESCAPE (invalid escape, lone surrogate, \\u0000),
 *         CPJ_ERR_JSON_INVALID (raw control character or quote),
 *         CPJ_ERR_NOSPACE (`out` too small); CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_get_str(const char *js, const cpj_json_tok *t, int ntok, int i,
    char *out, size_t cap, size_t *outlen);

/**
 * \brief Read an integer token (no fraction, no exponent).
 *
 * Stack: at most 128 bytes.
 *
 * \return 0; CPJ_ERR_JSON_TYPE when the token is not an integer number
 *         or is outside int64_t; CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_get_i64(const char *js, const cpj_json_tok *t, int ntok, int i,
    int64_t *out);

/**
 * \brief Read a true/false token into *out (1/0).
 *
 * Stack: at most 48 bytes.
 *
 * \return 0, CPJ_ERR_JSON_TYPE, or CPJ_ERR_PARAM for a bad index.
 */
int cpj_json_get_bool(const char *js, const cpj_json_tok *t, int ntok, int i,
    int *out);

#endif
