/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/tjson.h - a strict JSON reader, without allocation per line, for transcript
 * lines (RFC 8259: UTF-8 checked, no duplicate keys, no NUL in strings).
 *
 * The verifier parses every line of a transcript; jansson builds a tree of
 * heap objects per line and is several times slower than SHA-256 over the
 * same bytes. tj_parse() instead fills a flat token array in buffers the
 * caller keeps for the whole file, so verification runs near hashing speed
 * in constant memory. Strings are decoded once into the document's string
 * buffer, NUL-terminated.
 *
 * Limits (over them: CE_ERR_TOO_LARGE with a reason): TJ_TOKENS_MAX values
 * per line, TJ_DEPTH_MAX nesting, TJ_KEYS_MAX keys per object.
 */
#ifndef CE_CEREMONY_TJSON_H
#define CE_CEREMONY_TJSON_H

#include <stddef.h>
#include <stdint.h>

#define TJ_TOKENS_MAX 65536
#define TJ_DEPTH_MAX 32
#define TJ_KEYS_MAX 1024

enum tj_type { TJ_OBJ = 1, TJ_ARR, TJ_STR, TJ_INT, TJ_REAL, TJ_TRUE, TJ_FALSE, TJ_NULL };

struct tj_tok {
	uint8_t type;
	uint32_t size; /* OBJ: number of keys; ARR: number of elements */
	uint32_t next; /* index of the token after this value (and its children) */
	uint32_t slen; /* STR: decoded length */
	union {
		uint32_t soff; /* STR: offset of the decoded string in strbuf */
		int64_t i;     /* INT */
	} v;
};

/* Token layout: an OBJ is followed by key STR, value, key STR, value...; an
 * ARR by its elements. Token 0 is the whole document. */
struct tj_doc {
	struct tj_tok *t;
	uint32_t n;
	uint32_t tokcap; /* tokens allocated, grown by tj_parse up to TJ_TOKENS_MAX */
	char *strbuf;
	size_t strcap;   /* string bytes allocated, grown by tj_parse up to strmax */
	size_t strmax;   /* max_len + 1 */
	size_t strlen_;
};

/* A document for lines up to max_len bytes. The buffers start small and
 * grow with the longest line parsed (never beyond what a max_len line
 * needs), so memory follows the input. 0 or CE_ERR_NOMEM. */
int tj_init(struct tj_doc *d, size_t max_len) __attribute__((warn_unused_result));
void tj_free(struct tj_doc *d);

/* Parse s[0..len) as exactly one JSON value (no leading or trailing bytes
 * other than JSON whitespace). Returns 0, or CE_ERR_FORMAT / CE_ERR_TOO_LARGE
 * with a reason ("column N: ...") in why, or CE_ERR_NOMEM (the buffers could
 * not grow for a line this long: not a verdict on the line). */
int tj_parse(struct tj_doc *d, const char *s, size_t len, char *why, size_t cap)
	__attribute__((warn_unused_result));

/* Value of key in object obj, or -1 (also when obj < 0 or not an object). */
int tj_get(const struct tj_doc *d, int obj, const char *key);
/* Decoded string of token i, NULL if i < 0 or not a string. */
const char *tj_str(const struct tj_doc *d, int i);
int tj_is(const struct tj_doc *d, int i, enum tj_type type);
/* Value of integer token i, 0 if i < 0 or not an integer. */
int64_t tj_int(const struct tj_doc *d, int i);
/* First child of an array/object (for objects: the first key) or -1. */
int tj_first(const struct tj_doc *d, int i);

#define TJ_ARR_EACH(d, arr, idx, c)                                                 \
	for ((idx) = 0, (c) = tj_first((d), (arr));                                \
	     (c) >= 0 && (idx) < (d)->t[(arr)].size;                               \
	     (idx)++, (c) = (int)(d)->t[(c)].next)

#endif
