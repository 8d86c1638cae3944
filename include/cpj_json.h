/*
 * cpj_json.h -- JSON over jsmn: tokenize into caller tokens, look up
 * members, unescape strings into bounded buffers, and write JSON.
 *
 * Tokens index into the caller's text; nothing is copied until a string
 * is unescaped into a caller buffer.
 */
#ifndef CPJ_JSON_H
#define CPJ_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"

#define JSMN_HEADER
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

/* (declarations are added by the JSON module) */

#endif
