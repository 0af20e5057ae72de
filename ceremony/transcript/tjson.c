/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/transcript/tjson.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Buffers start small and grow with the lines parsed: a transcript of short
 * lines never pays for the 1 MiB line it could hold. Tokens double when one
 * more is needed (new_tok), strings are reserved for the line (tj_reserve: a
 * line of len bytes decodes to at most len + 1 bytes of strings, a string's
 * quotes paying for its NUL and no escape decoding longer than itself). The
 * limits are those of buffers allocated to the maximum up front. */
#define TJ_TOKENS_FIRST 64u
#define TJ_STR_FIRST 256u

int tj_init(struct tj_doc *d, size_t max_len)
{
	memset(d, 0, sizeof(*d));
	d->strmax = max_len + 1;
	d->tokcap = TJ_TOKENS_FIRST;
	d->strcap = d->strmax < TJ_STR_FIRST ? d->strmax : TJ_STR_FIRST;
	d->t = malloc(d->tokcap * sizeof(*d->t));
	d->strbuf = malloc(d->strcap);
	if (d->t == NULL || d->strbuf == NULL) {
		tj_free(d);
		return ce_err_set(CE_ERR_NOMEM, "JSON reader: out of memory");
	}
	return 0;
}

void tj_free(struct tj_doc *d)
{
	free(d->t);
	free(d->strbuf);
	memset(d, 0, sizeof(*d));
}

/* At least want, doubling, at most max (want <= max). */
static size_t tj_grow_to(size_t cap, size_t want, size_t max)
{
	while (cap < want)
		cap = cap > max / 2 ? max : cap * 2;
	return cap;
}

/* Room for every decoded string a line of len bytes can make (at most
 * len + 1 bytes, within strmax). 0 or CE_ERR_NOMEM. */
static int tj_reserve(struct tj_doc *d, size_t len)
{
	size_t want = len < d->strmax ? len + 1 : d->strmax;

	if (want > d->strcap) {
		size_t cap = tj_grow_to(d->strcap ? d->strcap : TJ_STR_FIRST, want, d->strmax);
		char *b = realloc(d->strbuf, cap);

		if (b == NULL)
			return CE_ERR_NOMEM;
		d->strbuf = b;
		d->strcap = cap;
	}
	return 0;
}

struct tj_parser {
	struct tj_doc *d;
	const unsigned char *s;
	size_t len;
	size_t pos;
	char *why;
	size_t cap;
	int code;
};

static int perr(struct tj_parser *p, int code, const char *msg)
{
	if (p->code == 0) {
		p->code = code;
		snprintf(p->why, p->cap, "column %zu: %s", p->pos + 1, msg);
	}
	return -1;
}

static void ws(struct tj_parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int new_tok(struct tj_parser *p, uint8_t type)
{
	if (p->d->n >= TJ_TOKENS_MAX)
		return perr(p, CE_ERR_TOO_LARGE, "too many JSON values on one line");
	if (p->d->n >= p->d->tokcap) { /* doubled, up to TJ_TOKENS_MAX */
		size_t cap = tj_grow_to(p->d->tokcap ? p->d->tokcap : TJ_TOKENS_FIRST, (size_t)p->d->n + 1,
					TJ_TOKENS_MAX);
		struct tj_tok *t = realloc(p->d->t, cap * sizeof(*t));

		if (t == NULL)
			return perr(p, CE_ERR_NOMEM, "out of memory");
		p->d->t = t;
		p->d->tokcap = (uint32_t)cap;
	}
	p->d->t[p->d->n].type = type;
	p->d->t[p->d->n].size = 0;
	return (int)p->d->n++;
}

static int hex4(const unsigned char *h, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		unsigned int c = h[i], x;

		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (c >= 'a' && c <= 'f')
			x = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x = c - 'A' + 10;
		else
			return -1;
		*v = (*v << 4) | x;
	}
	return 0;
}

static void put_utf8(char *o, size_t *n, unsigned int cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (char)(0xc0 | (cp >> 6));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*n)++] = (char)(0xe0 | (cp >> 12));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*n)++] = (char)(0xf0 | (cp >> 18));
		o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if bad. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

static int parse_string(struct tj_parser *p)
{
	struct tj_doc *d = p->d;
	int i = new_tok(p, TJ_STR);
	size_t start_out = d->strlen_, n = d->strlen_;
	char *o = d->strbuf;

	if (i < 0)
		return -1;
	p->pos++; /* opening quote */
	for (;;) {
		const unsigned char *s = p->s + p->pos;
		size_t left = p->len - p->pos, run = 0;

		/* the plain run: copied as is */
		while (run < left && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\')
			run++;
		if (n + run + 1 > d->strcap)
			return perr(p, CE_ERR_TOO_LARGE, "strings too long");
		memcpy(o + n, s, run);
		n += run;
		p->pos += run;
		if (p->pos >= p->len)
			return perr(p, CE_ERR_FORMAT, "unterminated string");
		s = p->s + p->pos;
		if (s[0] == '"') {
			p->pos++;
			break;
		}
		if (s[0] < 0x20)
			return perr(p, CE_ERR_FORMAT, "control character in a string");
		if (s[0] >= 0x80) {
			size_t k = utf8_len(s, p->len - p->pos);

			if (k == 0)
				return perr(p, CE_ERR_FORMAT, "invalid UTF-8");
			if (n + k + 1 > d->strcap)
				return perr(p, CE_ERR_TOO_LARGE, "strings too long");
			memcpy(o + n, s, k);
			n += k;
			p->pos += k;
			continue;
		}
		/* backslash */
		if (p->pos + 1 >= p->len)
			return perr(p, CE_ERR_FORMAT, "unterminated string");
		switch (s[1]) {
		case '"': case '\\': case '/':
			o[n++] = (char)s[1];
			p->pos += 2;
			break;
		case 'b': o[n++] = '\b'; p->pos += 2; break;
		case 'f': o[n++] = '\f'; p->pos += 2; break;
		case 'n': o[n++] = '\n'; p->pos += 2; break;
		case 'r': o[n++] = '\r'; p->pos += 2; break;
		case 't': o[n++] = '\t'; p->pos += 2; break;
		case 'u': {
			unsigned int cp, lo;

			if (p->pos + 6 > p->len || hex4(s + 2, &cp) != 0)
				return perr(p, CE_ERR_FORMAT, "bad \\u escape");
			p->pos += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return perr(p, CE_ERR_FORMAT, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				s = p->s + p->pos;
				if (p->pos + 6 > p->len || s[0] != '\\' || s[1] != 'u' ||
				    hex4(s + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
					return perr(p, CE_ERR_FORMAT, "lone high surrogate");
				p->pos += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp == 0)
				return perr(p, CE_ERR_FORMAT, "\\u0000 in a string");
			/* 6 escape bytes always hold the <= 4 bytes written */
			put_utf8(o, &n, cp);
			break;
		}
		default:
			return perr(p, CE_ERR_FORMAT, "bad escape");
		}
	}
	o[n] = '\0';
	d->t[i].v.soff = (uint32_t)start_out;
	d->t[i].slen = (uint32_t)(n - start_out);
	d->strlen_ = n + 1;
	d->t[i].next = d->n;
	return i;
}

static int parse_number(struct tj_parser *p)
{
	const unsigned char *s = p->s;
	size_t a = p->pos, q = p->pos;
	int real = 0, i;
	uint64_t v = 0, lim = (uint64_t)INT64_MAX;
	int neg = 0, overflow = 0;

	if (q < p->len && s[q] == '-') {
		neg = 1;
		lim++; /* -9223372036854775808 (INT64_MIN) is in range, 9223372036854775808 is not */
		q++;
	}
	if (q >= p->len || s[q] < '0' || s[q] > '9')
		return perr(p, CE_ERR_FORMAT, "bad number");
	if (s[q] == '0') {
		q++;
	} else {
		while (q < p->len && s[q] >= '0' && s[q] <= '9') {
			unsigned dgt = (unsigned)(s[q] - '0');

			if (v > (lim - dgt) / 10)
				overflow = 1;
			else
				v = v * 10 + dgt;
			q++;
		}
	}
	if (q < p->len && s[q] == '.') {
		real = 1;
		q++;
		if (q >= p->len || s[q] < '0' || s[q] > '9')
			return perr(p, CE_ERR_FORMAT, "bad number");
		while (q < p->len && s[q] >= '0' && s[q] <= '9')
			q++;
	}
	if (q < p->len && (s[q] == 'e' || s[q] == 'E')) {
		real = 1;
		q++;
		if (q < p->len && (s[q] == '+' || s[q] == '-'))
			q++;
		if (q >= p->len || s[q] < '0' || s[q] > '9')
			return perr(p, CE_ERR_FORMAT, "bad number");
		while (q < p->len && s[q] >= '0' && s[q] <= '9')
			q++;
	}
	if (!real && overflow)
		return perr(p, CE_ERR_FORMAT, "integer too big");
	(void)a;
	i = new_tok(p, real ? TJ_REAL : TJ_INT);
	if (i < 0)
		return -1;
	/* magnitude <= 2^63: negated in unsigned arithmetic, then the bit pattern */
	p->d->t[i].v.i = neg ? (int64_t)(0 - v) : (int64_t)v;
	p->d->t[i].next = p->d->n;
	p->pos = q;
	return i;
}

static int parse_value(struct tj_parser *p, int depth);

static int parse_container(struct tj_parser *p, int depth, int obj)
{
	struct tj_doc *d = p->d;
	int i = new_tok(p, obj ? TJ_OBJ : TJ_ARR);
	uint32_t count = 0;
	char close = obj ? '}' : ']';

	if (i < 0)
		return -1;
	if (depth >= TJ_DEPTH_MAX)
		return perr(p, CE_ERR_TOO_LARGE, "nested too deep");
	p->pos++;
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == (unsigned char)close) {
		p->pos++;
		d->t[i].next = d->n;
		return i;
	}
	for (;;) {
		ws(p);
		if (obj) {
			int k, q;
			uint32_t j;

			if (p->pos >= p->len || p->s[p->pos] != '"')
				return perr(p, CE_ERR_FORMAT, "object key expected");
			k = parse_string(p);
			if (k < 0)
				return -1;
			if (count >= TJ_KEYS_MAX)
				return perr(p, CE_ERR_TOO_LARGE, "too many keys in an object");
			/* no duplicate keys */
			for (j = 0, q = i + 1; j < count; j++, q = (int)d->t[q + 1].next)
				if (d->t[q].slen == d->t[k].slen &&
				    memcmp(d->strbuf + d->t[q].v.soff, d->strbuf + d->t[k].v.soff,
					   d->t[k].slen) == 0)
					return perr(p, CE_ERR_FORMAT, "duplicate key");
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return perr(p, CE_ERR_FORMAT, "':' expected");
			p->pos++;
			ws(p);
		}
		if (parse_value(p, depth + 1) < 0)
			return -1;
		count++;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == (unsigned char)close) {
			p->pos++;
			break;
		}
		return perr(p, CE_ERR_FORMAT, obj ? "',' or '}' expected" : "',' or ']' expected");
	}
	d->t[i].size = count;
	d->t[i].next = d->n;
	return i;
}

static int literal(struct tj_parser *p, const char *word, uint8_t type)
{
	size_t n = strlen(word);
	int i;

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return perr(p, CE_ERR_FORMAT, "invalid value");
	i = new_tok(p, type);
	if (i < 0)
		return -1;
	p->pos += n;
	p->d->t[i].next = p->d->n;
	return i;
}

static int parse_value(struct tj_parser *p, int depth)
{
	unsigned char c;

	if (p->pos >= p->len)
		return perr(p, CE_ERR_FORMAT, "value expected");
	c = p->s[p->pos];
	switch (c) {
	case '{':
		return parse_container(p, depth, 1);
	case '[':
		return parse_container(p, depth, 0);
	case '"':
		return parse_string(p);
	case 't':
		return literal(p, "true", TJ_TRUE);
	case 'f':
		return literal(p, "false", TJ_FALSE);
	case 'n':
		return literal(p, "null", TJ_NULL);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p);
		return perr(p, CE_ERR_FORMAT, "invalid value");
	}
}

int tj_parse(struct tj_doc *d, const char *s, size_t len, char *why, size_t cap)
{
	struct tj_parser p;

	d->n = 0;
	d->strlen_ = 0;
	memset(&p, 0, sizeof(p));
	if (tj_reserve(d, len) != 0) {
		snprintf(why, cap, "out of memory for a line of %zu bytes", len);
		return CE_ERR_NOMEM;
	}
	p.d = d;
	p.s = (const unsigned char *)s;
	p.len = len;
	p.why = why;
	p.cap = cap;
	ws(&p);
	if (parse_value(&p, 0) < 0)
		return p.code;
	ws(&p);
	if (p.pos != len) {
		perr(&p, CE_ERR_FORMAT, "bytes after the JSON value");
		return p.code;
	}
	return 0;
}

int tj_get(const struct tj_doc *d, int obj, const char *key)
{
	uint32_t j;
	int q;
	size_t kl;

	if (obj < 0 || d->t[obj].type != TJ_OBJ)
		return -1;
	kl = strlen(key);
	for (j = 0, q = obj + 1; j < d->t[obj].size; j++, q = (int)d->t[q + 1].next)
		if (d->t[q].slen == kl && memcmp(d->strbuf + d->t[q].v.soff, key, kl) == 0)
			return q + 1;
	return -1;
}

const char *tj_str(const struct tj_doc *d, int i)
{
	if (i < 0 || d->t[i].type != TJ_STR)
		return NULL;
	return d->strbuf + d->t[i].v.soff;
}

int tj_is(const struct tj_doc *d, int i, enum tj_type type)
{
	return i >= 0 && d->t[i].type == type;
}

int64_t tj_int(const struct tj_doc *d, int i)
{
	return tj_is(d, i, TJ_INT) ? d->t[i].v.i : 0;
}

int tj_first(const struct tj_doc *d, int i)
{
	if (i < 0 || (d->t[i].type != TJ_OBJ && d->t[i].type != TJ_ARR) || d->t[i].size == 0)
		return -1;
	return i + 1;
}
