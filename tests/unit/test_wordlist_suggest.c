/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test for slip39_word_suggest (shares/wordlist_lookup.c): the letter-set
 * prefilter changes nothing. The suggestions for many typed words (each word
 * of the list, its prefixes, in both cases, with other bytes in place of
 * letters, with one, two and three random edits; random strings, non-letters,
 * empty and long input) are compared with those of the old algorithm, copied
 * here as the reference: same words, same order, for several caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shares/wordlist.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* The old algorithm, as it was before the prefilter. */
static size_t ref_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[SLIP39_WORD_MAX_LEN * 4 + 1];
	size_t i, j;

	if (la > SLIP39_WORD_MAX_LEN * 4)
		la = SLIP39_WORD_MAX_LEN * 4;
	for (j = 0; j <= la; j++)
		d[j] = j;
	for (i = 1; i <= lb; i++) {
		size_t prev = d[0], row_min;

		d[0] = i;
		row_min = d[0];
		for (j = 1; j <= la; j++) {
			size_t tmp = d[j];
			size_t cost = ((a[j - 1] | 0x20) == b[i - 1]) ? 0 : 1;
			size_t best = prev + cost;
			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			prev = tmp;
			if (best < row_min)
				row_min = best;
		}
		if (row_min > 2)
			return row_min;
	}
	return d[la];
}

static size_t ref_suggest(const char *w, size_t len, uint16_t *out, size_t max)
{
	size_t dist[SLIP39_WORDS];
	size_t n = 0, best, i;

	if (max == 0)
		return 0;
	for (i = 0; i < SLIP39_WORDS; i++) {
		const char *c = slip39_wordlist[i];
		size_t lc = strlen(c);
		if (len >= 2 && len < lc && strncasecmp(w, c, len) == 0)
			dist[i] = 0;
		else if (len > lc + 2 || lc > len + 2)
			dist[i] = 3;
		else
			dist[i] = ref_edit_distance(w, len, c, lc);
	}
	for (best = 0; best <= 2 && n < max; best++)
		for (i = 0; i < SLIP39_WORDS && n < max; i++)
			if (dist[i] == best)
				out[n++] = (uint16_t)i;
	return n;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static size_t compared, nonempty;

/* Both ways on w with a few caps: the same list. */
static void same(const char *w, size_t len)
{
	static const size_t maxes[] = { 0, 1, 3, 32, SLIP39_WORDS };
	uint16_t a[SLIP39_WORDS], b[SLIP39_WORDS];
	size_t k, na, nb, i;

	for (k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
		na = slip39_word_suggest(w, len, a, maxes[k]);
		nb = ref_suggest(w, len, b, maxes[k]);
		if (na != nb)
			fail_msg("\"%.*s\" max %zu: %zu suggestions, reference %zu", (int)len, w,
				 maxes[k], na, nb);
		for (i = 0; i < na; i++)
			if (a[i] != b[i])
				fail_msg("\"%.*s\" max %zu: suggestion %zu is %s, reference %s",
					 (int)len, w, maxes[k], i, slip39_wordlist[a[i]],
					 slip39_wordlist[b[i]]);
		nonempty += na > 0 && k == 3;
	}
	compared++;
}

/* One random edit of buf (length *len, room for cap): change, insert,
 * delete or swap two neighbours, with a letter or (rarely) another byte. */
static void edit(char *buf, size_t *len, size_t cap)
{
	uint32_t op = next() % 4, r = next() % 16;
	char ch = r == 0 ? "-'1 @[`{"[next() % 8] : (char)('a' + next() % 26);
	size_t at = *len ? next() % (*len + 1) : 0;

	if (r == 1)
		ch = (char)(ch & ~0x20);
	if (op == 0 && at < *len)
		buf[at] = ch;
	else if ((op == 1 || *len == 0) && *len + 1 < cap) {
		memmove(buf + at + 1, buf + at, *len - at);
		buf[at] = ch;
		(*len)++;
	} else if (op == 2 && at < *len) {
		memmove(buf + at, buf + at + 1, *len - at - 1);
		(*len)--;
	} else if (at + 1 < *len) {
		char t = buf[at];

		buf[at] = buf[at + 1];
		buf[at + 1] = t;
	}
}

static void test_suggest_same_as_reference(void **state)
{
	char buf[64];
	size_t i, k, len, e;

	(void)state;
	for (i = 0; i < SLIP39_WORDS; i++) {
		const char *c = slip39_wordlist[i];

		/* the word itself, its prefixes, and upper case */
		same(c, strlen(c));
		for (len = 0; len < strlen(c); len++)
			same(c, len);
		for (len = 0; c[len] != '\0'; len++)
			buf[len] = (char)(c[len] & ~0x20);
		same(buf, len);
		same(buf, 3);
		buf[0] = c[0];
		same(buf, len - 1); /* first letter lower case, the rest upper */
		/* other bytes in place of letters: one, then two (one edit
		 * each, so still near) */
		len = strlen(c);
		memcpy(buf, c, len);
		buf[i % len] = "1-@'`{[ "[i % 8];
		same(buf, len);
		buf[(i + 2) % len] = (char)(i % 2 ? 0xe9 : '1');
		same(buf, len);
		/* one, two and three random edits */
		for (e = 1; e <= 3; e++) {
			memcpy(buf, c, strlen(c));
			len = strlen(c);
			for (k = 0; k < e; k++)
				edit(buf, &len, sizeof(buf));
			same(buf, len);
		}
	}
	/* random strings: letters, mixed case, any byte, long */
	for (i = 0; i < 3000; i++) {
		uint32_t kind = next() % 4;

		len = kind == 3 ? 20 + next() % 40 : next() % 12;
		for (k = 0; k < len; k++) {
			if (kind == 2)
				buf[k] = (char)(1 + next() % 255);
			else
				buf[k] = (char)((kind == 1 && next() % 2 ? 'A' : 'a') + next() % 26);
		}
		same(buf, len);
	}
	same("", 0);
	same("a", 1);
	same("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 61);
	same("ac\0d", 4);
	same("ACID-", 5);
	same("acid\xc3\xa9", 6);
	/* the comparisons saw real suggestions, not only empty lists */
	assert_true(compared > 8000);
	assert_true(nonempty > 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_same_as_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
