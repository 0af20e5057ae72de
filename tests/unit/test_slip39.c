/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for shares/: Shamir over GF(256) and SLIP-39 (the 45 official
 * vectors, random round trips, quorum subsets, bounds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shares/shamir.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VECTORS "tests/vectors/slip39-vectors.json"
#define VECTOR_PASSPHRASE "TREZOR"

/* The reason the spec's description gives, as our error code. */
static int expected_code(const char *d)
{
	static const struct { const char *frag; int code; } map[] = {
		{ "invalid checksum", CE_ERR_CHECKSUM },
		{ "invalid padding", CE_ERR_PADDING },
		{ "invalid master secret length", CE_ERR_PADDING },
		{ "insufficient length", CE_ERR_FORMAT },
		{ "greater group threshold", CE_ERR_FORMAT },
		{ "different identifiers", CE_ERR_MISMATCH },
		{ "different iteration exponents", CE_ERR_MISMATCH },
		{ "mismatching group thresholds", CE_ERR_MISMATCH },
		{ "mismatching group counts", CE_ERR_MISMATCH },
		{ "mismatching member thresholds", CE_ERR_MISMATCH },
		{ "duplicate member indices", CE_ERR_DUPLICATE },
		{ "invalid digest", CE_ERR_DIGEST },
		{ "Insufficient number of groups", CE_ERR_QUORUM },
		{ "insufficient number of members", CE_ERR_QUORUM },
		{ "Basic sharing", CE_ERR_QUORUM }, /* one share of a 2-of-3 */
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(d, map[i].frag) != NULL)
			return map[i].code;
	return 1; /* unknown description: the test fails */
}

/* Decode and combine a vector's mnemonics: 0 and the secret hex, or <0. */
static int run_mnemonics(json_t *list, char *hexout, int check_reencode)
{
	struct slip39_share *sh = secmem_alloc(16 * sizeof(*sh));
	uint8_t secret[SLIP39_MAX_SECRET_BYTES];
	size_t i, n = json_array_size(list), len = 0;
	int r = 0;

	assert_non_null(sh);
	assert_true(n <= 16);
	for (i = 0; i < n && r == 0; i++) {
		const char *m = json_string_value(json_array_get(list, i));
		r = slip39_mnemonic_decode(m, strlen(m), &sh[i]);
		if (r == 0 && check_reencode) {
			char text[SLIP39_MNEMONIC_MAX_LEN];
			assert_int_equal(slip39_mnemonic_encode(&sh[i], text, sizeof(text)), 0);
			assert_string_equal(text, m);
		}
	}
	if (r == 0)
		r = slip39_combine(sh, n, (const uint8_t *)VECTOR_PASSPHRASE,
				   strlen(VECTOR_PASSPHRASE), secret, &len);
	if (r == 0)
		hex_encode(secret, len, hexout);
	secmem_free(sh);
	return r;
}

static void test_official_vectors(void **state)
{
	json_error_t jerr;
	json_t *root = json_load_file(VECTORS, 0, &jerr);
	size_t i;
	int valid = 0, invalid = 0;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 45);
	for (i = 0; i < json_array_size(root); i++) {
		json_t *v = json_array_get(root, i);
		const char *desc = json_string_value(json_array_get(v, 0));
		const char *want = json_string_value(json_array_get(v, 2));
		char got[2 * SLIP39_MAX_SECRET_BYTES + 1] = "";
		int r = run_mnemonics(json_array_get(v, 1), got, 1);

		if (want[0] != '\0') {
			if (r != 0)
				fail_msg("%s: %s (%s)", desc, ce_strerror(r), ce_err_detail());
			assert_string_equal(got, want);
			valid++;
		} else {
			if (r != expected_code(desc))
				fail_msg("%s: got %d %s (%s)", desc, r, ce_strerror(r),
					 ce_err_detail());
			invalid++;
		}
	}
	assert_int_equal(valid + invalid, 45);
	json_decref(root);
	assert_int_equal(secmem_live(), 0);
}

static void random_layout(struct slip39_split_params *p)
{
	uint8_t rnd[40];
	size_t g;

	assert_int_equal(RAND_bytes(rnd, sizeof(rnd)), 1);
	memset(p, 0, sizeof(*p));
	p->group_count = (uint8_t)(1 + rnd[0] % 4);
	p->group_threshold = (uint8_t)(1 + rnd[1] % p->group_count);
	for (g = 0; g < p->group_count; g++) {
		p->groups[g].count = (uint8_t)(1 + rnd[2 + g] % 5);
		p->groups[g].threshold = (uint8_t)(1 + rnd[10 + g] % p->groups[g].count);
		if (p->groups[g].threshold == 1)
			p->groups[g].count = 1;
	}
	p->iteration_exponent = (uint8_t)(rnd[20] % 2);
	p->extendable = rnd[21] & 1;
}

/* Combine the first threshold members of the first group_threshold groups
 * (taken from a rotating offset), via mnemonic text. */
static int combine_quorum(const struct slip39_share_set *set, size_t rot, size_t drop_one,
			  const uint8_t *pass, size_t pass_len, uint8_t *out, size_t *out_len)
{
	struct slip39_share *sh = secmem_alloc(256 * sizeof(*sh));
	size_t n = 0, g, m, k;
	int r;

	assert_non_null(sh);
	for (k = 0; k < set->group_threshold; k++) {
		g = (k + rot) % set->group_count;
		for (m = 0; m < set->shares[g][0].member_threshold; m++) {
			char text[SLIP39_MNEMONIC_MAX_LEN];
			size_t mi = (m + rot) % set->member_count[g];
			assert_int_equal(slip39_mnemonic_encode(&set->shares[g][mi], text, sizeof(text)), 0);
			assert_int_equal(slip39_mnemonic_decode(text, strlen(text), &sh[n]), 0);
			n++;
		}
	}
	if (drop_one)
		n--;
	r = slip39_combine(sh, n, pass, pass_len, out, out_len);
	secmem_free(sh);
	return r;
}

static void test_random_round_trips(void **state)
{
	int iter;

	(void)state;
	for (iter = 0; iter < 24; iter++) {
		struct slip39_split_params p;
		struct slip39_share_set *set = NULL;
		uint8_t secret[32], out[SLIP39_MAX_SECRET_BYTES];
		size_t len = (iter & 1) ? 32 : 16, out_len = 0;
		const char *pass = (iter & 2) ? "correct horse" : "";

		random_layout(&p);
		p.passphrase = (const uint8_t *)pass;
		p.passphrase_len = strlen(pass);
		assert_int_equal(RAND_bytes(secret, sizeof(secret)), 1);
		assert_int_equal(slip39_split(secret, len, &p, &set), 0);
		assert_int_equal(combine_quorum(set, (size_t)iter, 0, p.passphrase, p.passphrase_len,
						out, &out_len), 0);
		assert_int_equal(out_len, len);
		assert_memory_equal(out, secret, len);
		/* failing twins: one share short, and a wrong passphrase */
		assert_int_equal(combine_quorum(set, (size_t)iter, 1, p.passphrase, p.passphrase_len,
						out, &out_len), CE_ERR_QUORUM);
		assert_int_equal(combine_quorum(set, (size_t)iter, 0, (const uint8_t *)"x", 1, out,
						&out_len), 0);
		assert_memory_not_equal(out, secret, len);
		slip39_share_set_free(set);
	}
	assert_int_equal(secmem_live(), 0);
}

/* 3-of-5 members in one group: all 10 3-subsets recover, no 2-subset does. */
static void test_every_subset(void **state)
{
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	struct slip39_share sh[5];
	uint8_t secret[16] = "0123456789abcdef", out[SLIP39_MAX_SECRET_BYTES];
	size_t out_len, a, b, c, ok = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.group_count = 1;
	p.group_threshold = 1;
	p.groups[0].threshold = 3;
	p.groups[0].count = 5;
	assert_int_equal(slip39_split(secret, 16, &p, &set), 0);
	for (a = 0; a < 5; a++)
		for (b = a + 1; b < 5; b++) {
			sh[0] = set->shares[0][a];
			sh[1] = set->shares[0][b];
			assert_int_equal(slip39_combine(sh, 2, NULL, 0, out, &out_len),
					 CE_ERR_QUORUM);
			for (c = b + 1; c < 5; c++) {
				sh[2] = set->shares[0][c];
				assert_int_equal(slip39_combine(sh, 3, NULL, 0, out, &out_len), 0);
				assert_memory_equal(out, secret, 16);
				ok++;
			}
		}
	assert_int_equal(ok, 10);
	/* a tampered value byte gives a digest failure, never a wrong secret */
	sh[0] = set->shares[0][0];
	sh[1] = set->shares[0][1];
	sh[2] = set->shares[0][2];
	sh[1].value[5] ^= 1;
	assert_int_equal(slip39_combine(sh, 3, NULL, 0, out, &out_len), CE_ERR_DIGEST);
	/* two groups 2-of-3 threshold 2: a single group is not enough */
	slip39_share_set_free(set);
	ce_wipe(sh, sizeof(sh));
	assert_int_equal(secmem_live(), 0);
}

static void test_two_level_subsets(void **state)
{
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	struct slip39_share sh[6];
	uint8_t secret[32], out[SLIP39_MAX_SECRET_BYTES];
	size_t out_len, g1, g2;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(RAND_bytes(secret, sizeof(secret)), 1);
	p.group_count = 3;
	p.group_threshold = 2;
	p.groups[0] = (struct slip39_group_spec){ 2, 3 };
	p.groups[1] = (struct slip39_group_spec){ 1, 1 };
	p.groups[2] = (struct slip39_group_spec){ 3, 5 };
	p.extendable = 1;
	assert_int_equal(slip39_split(secret, 32, &p, &set), 0);
	for (g1 = 0; g1 < 3; g1++)
		for (g2 = g1 + 1; g2 < 3; g2++) {
			size_t n = 0, m, k;
			size_t gs[2] = { g1, g2 };
			for (k = 0; k < 2; k++)
				for (m = 0; m < p.groups[gs[k]].threshold; m++)
					sh[n++] = set->shares[gs[k]][m];
			assert_int_equal(slip39_combine(sh, n, NULL, 0, out, &out_len), 0);
			assert_memory_equal(out, secret, 32);
			assert_int_equal(slip39_combine(sh, n - 1, NULL, 0, out, &out_len),
					 CE_ERR_QUORUM);
			assert_non_null(strstr(ce_err_detail(), "of the 2 groups needed"));
		}
	/* group 2 has member threshold 1: a second, differing "copy" is refused,
	 * an identical one with another index is accepted */
	sh[0] = set->shares[0][0];
	sh[1] = set->shares[0][1];
	sh[2] = set->shares[1][0];
	sh[3] = set->shares[1][0];
	sh[3].member_index = 1;
	assert_int_equal(slip39_combine(sh, 4, NULL, 0, out, &out_len), 0);
	sh[3].value[0] ^= 0x80;
	assert_int_equal(slip39_combine(sh, 4, NULL, 0, out, &out_len), CE_ERR_MISMATCH);
	assert_non_null(strstr(ce_err_detail(), "share 4"));
	/* one full group only */
	sh[0] = set->shares[2][0];
	sh[1] = set->shares[2][1];
	sh[2] = set->shares[2][2];
	assert_int_equal(slip39_combine(sh, 3, NULL, 0, out, &out_len), CE_ERR_QUORUM);
	/* the same member twice */
	sh[1] = set->shares[2][0];
	assert_int_equal(slip39_combine(sh, 3, NULL, 0, out, &out_len), CE_ERR_DUPLICATE);
	assert_non_null(strstr(ce_err_detail(), "share 2"));
	slip39_share_set_free(set);
	ce_wipe(sh, sizeof(sh));
	assert_int_equal(secmem_live(), 0);
}

static void test_split_bounds(void **state)
{
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	uint8_t secret[SLIP39_MAX_SECRET_BYTES + 2];

	(void)state;
	memset(secret, 7, sizeof(secret));
	memset(&p, 0, sizeof(p));
	p.group_count = 1;
	p.group_threshold = 1;
	p.groups[0] = (struct slip39_group_spec){ 0, 3 };
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.groups[0] = (struct slip39_group_spec){ 4, 3 };
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.groups[0] = (struct slip39_group_spec){ 2, 17 };
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.groups[0] = (struct slip39_group_spec){ 1, 3 }; /* copies: refused by SLIP-39 */
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.groups[0] = (struct slip39_group_spec){ 2, 3 };
	assert_int_equal(slip39_split(secret, 17, &p, &set), CE_ERR_INVALID);
	assert_int_equal(slip39_split(secret, 14, &p, &set), CE_ERR_INVALID);
	assert_int_equal(slip39_split(secret, SLIP39_MAX_SECRET_BYTES + 2, &p, &set),
			 CE_ERR_INVALID);
	p.group_threshold = 2;
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.group_threshold = 0;
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.group_threshold = 1;
	p.group_count = 17;
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.group_count = 1;
	p.iteration_exponent = 16;
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	p.iteration_exponent = 0;
	p.passphrase = (const uint8_t *)"caf\xc3\xa9";
	p.passphrase_len = 5;
	assert_int_equal(slip39_split(secret, 16, &p, &set), CE_ERR_INVALID);
	assert_null(set);
	/* the twin: the same layout is accepted, and 64 bytes too */
	p.passphrase = NULL;
	p.passphrase_len = 0;
	assert_int_equal(slip39_split(secret, 16, &p, &set), 0);
	slip39_share_set_free(set);
	set = NULL;
	assert_int_equal(slip39_split(secret, SLIP39_MAX_SECRET_BYTES, &p, &set), 0);
	{
		char text[SLIP39_MNEMONIC_MAX_LEN];
		struct slip39_share s;
		assert_int_equal(slip39_mnemonic_encode(&set->shares[0][0], text, sizeof(text)), 0);
		assert_int_equal(slip39_mnemonic_decode(text, strlen(text), &s), 0);
		assert_int_equal(s.value_len, SLIP39_MAX_SECRET_BYTES);
		assert_memory_equal(s.value, set->shares[0][0].value, SLIP39_MAX_SECRET_BYTES);
	}
	slip39_share_set_free(set);
	assert_int_equal(secmem_live(), 0);
}

static void test_shamir_bounds(void **state)
{
	uint8_t secret[16] = { 1 }, out[17 * 16], xs[3] = { 1, 2, 1 };

	(void)state;
	assert_int_equal(shamir_split(0, 3, secret, 16, out), CE_ERR_INVALID);
	assert_int_equal(shamir_split(4, 3, secret, 16, out), CE_ERR_INVALID);
	assert_int_equal(shamir_split(2, 17, secret, 16, out), CE_ERR_INVALID);
	assert_int_equal(shamir_split(2, 3, secret, 3, out), CE_ERR_INVALID);
	assert_int_equal(shamir_interpolate(xs, out, 3, 16, 255, out + 64), CE_ERR_DUPLICATE);
	assert_int_equal(shamir_split(2, 3, secret, 16, out), 0);
	xs[2] = 0;
	assert_int_equal(shamir_recover(2, xs + 2, out, 1, 16, out + 64), CE_ERR_QUORUM);
	xs[0] = 0;
	xs[1] = 2;
	memcpy(out + 16, out + 32, 16);
	assert_int_equal(shamir_recover(2, xs, out, 2, 16, out + 64), 0);
	assert_memory_equal(out + 64, secret, 16);
}

static void test_mnemonic_errors(void **state)
{
	const char *good = "duckling enlarge academic academic agency result length solution "
			   "fridge kidney coal piece deal husband erode duke ajar critical "
			   "decision keyboard";
	char buf[SLIP39_MNEMONIC_MAX_LEN];
	struct slip39_share s;

	(void)state;
	assert_int_equal(slip39_mnemonic_decode(good, strlen(good), &s), 0);
	/* prefixes, upper case and extra blanks are accepted */
	snprintf(buf, sizeof(buf), "  DUCK enla ACAD acad agen resu leng solu frid kidn coal "
		 "piec deal husb erod duke ajar crit deci keyb \n");
	assert_int_equal(slip39_mnemonic_decode(buf, strlen(buf), &s), 0);
	snprintf(buf, sizeof(buf), "%s", good);
	memcpy(strstr(buf, "kidney"), "kidnex", 6);
	assert_int_equal(slip39_mnemonic_decode(buf, strlen(buf), &s), CE_ERR_WORD);
	assert_non_null(strstr(ce_err_detail(), "word 10 "));
	assert_non_null(strstr(ce_err_detail(), "kidney"));
	assert_int_equal(slip39_mnemonic_decode(good, 30, &s), CE_ERR_FORMAT);
	{
		uint16_t w[SLIP39_MAX_WORDS];
		int n = slip39_share_to_words(&s, w);
		assert_int_equal(n, 20);
		assert_int_equal(slip39_words_extendable(w, (size_t)n), 0);
		w[7] ^= 1;
		assert_int_equal(slip39_words_decode(w, (size_t)n, &s), CE_ERR_CHECKSUM);
	}
}

/* Any single word replaced by another is caught by the checksum (RS1024
 * detects up to 3 wrong words), so a tampered share never combines. */
static void test_tampered_words(void **state)
{
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	struct slip39_share s;
	uint8_t secret[32];
	uint16_t w[SLIP39_MAX_WORDS];
	uint8_t rnd[2 * SLIP39_MAX_WORDS];
	int n, i;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.group_count = 1;
	p.group_threshold = 1;
	p.groups[0] = (struct slip39_group_spec){ 2, 3 };
	p.extendable = 1;
	assert_int_equal(RAND_bytes(secret, sizeof(secret)), 1);
	assert_int_equal(RAND_bytes(rnd, sizeof(rnd)), 1);
	assert_int_equal(slip39_split(secret, 32, &p, &set), 0);
	n = slip39_share_to_words(&set->shares[0][1], w);
	assert_int_equal(n, 33);
	assert_int_equal(slip39_words_decode(w, (size_t)n, &s), 0);
	for (i = 0; i < n; i++) {
		uint16_t old = w[i];
		uint16_t delta = (uint16_t)(1 + ((rnd[2 * i] << 8 | rnd[2 * i + 1]) % 1023));
		w[i] = (uint16_t)((old + delta) % 1024);
		assert_int_equal(slip39_words_decode(w, (size_t)n, &s), CE_ERR_CHECKSUM);
		/* and two words swapped */
		w[i] = old;
		if (i + 1 < n && w[i] != w[i + 1]) {
			uint16_t t = w[i];
			w[i] = w[i + 1];
			w[i + 1] = t;
			assert_int_equal(slip39_words_decode(w, (size_t)n, &s), CE_ERR_CHECKSUM);
			w[i + 1] = w[i];
			w[i] = t;
		}
	}
	assert_int_equal(slip39_words_decode(w, (size_t)n, &s), 0);
	/* a word left out */
	assert_int_equal(slip39_words_decode(w + 1, (size_t)n - 1, &s) < 0, 1);
	slip39_share_set_free(set);
	ce_wipe(&s, sizeof(s));
	assert_int_equal(secmem_live(), 0);
}

/* The packed, constant-time lookups against plain string code over the
 * whole list: every word, its prefix, upper case, a wrong letter, a non-letter. */
static void test_wordlist_lookups(void **state)
{
	size_t i, k, len;

	(void)state;
	for (i = 0; i < SLIP39_WORDS; i++) {
		const char *w = slip39_wordlist[i];
		char buf[16], out[SLIP39_WORD_MAX_LEN + 1];

		len = strlen(w);
		assert_int_equal(slip39_word_index(w, len), (int)i);
		assert_int_equal(slip39_word_index(w, 4), (int)i);
		for (k = 0; k < len; k++)
			buf[k] = (char)(w[k] - 32);
		assert_int_equal(slip39_word_index(buf, len), (int)i);
		memcpy(buf, w, len);
		buf[len - 1] = buf[len - 1] == 'z' ? 'a' : (char)(buf[len - 1] + 1);
		if (len > 4) /* one letter off at the end: another word or none */
			assert_true(slip39_word_index(buf, len) != (int)i);
		memcpy(buf, w, len);
		buf[2] = '-';
		assert_int_equal(slip39_word_index(buf, len), -1);
		assert_int_equal(slip39_word_prefix_exists(buf, 3), 0);
		memset(out, 'x', sizeof(out));
		assert_int_equal(slip39_word_copy_ct((uint16_t)i, out), len);
		assert_memory_equal(out, w, len);
		for (k = len; k < SLIP39_WORD_MAX_LEN; k++)
			assert_int_equal(out[k], 0);
		for (k = 0; k <= len; k++)
			assert_int_equal(slip39_word_prefix_exists(w, k), 1);
	}
	assert_int_equal(slip39_word_index("acadx", 5), -1);
	assert_int_equal(slip39_word_index("aca", 3), -1);
	assert_int_equal(slip39_word_index("academicx", 9), -1);
	assert_int_equal(slip39_word_prefix_exists("qq", 2), 0);
	assert_int_equal(slip39_word_prefix_exists("acadx", 5), 0);
	assert_int_equal(slip39_word_prefix_exists("acid1", 5), 0);
	assert_int_equal(slip39_word_prefix_exists("academicx", 9), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wordlist_lookups),
		cmocka_unit_test(test_official_vectors),
		cmocka_unit_test(test_mnemonic_errors),
		cmocka_unit_test(test_shamir_bounds),
		cmocka_unit_test(test_split_bounds),
		cmocka_unit_test(test_every_subset),
		cmocka_unit_test(test_two_level_subsets),
		cmocka_unit_test(test_random_round_trips),
		cmocka_unit_test(test_tampered_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
