/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/ctgrind/ctgrind_shares.c - constant-time check of the share code
 * under valgrind (`make ctgrind`), after Adam Langley's ctgrind.
 *
 * Secrets (the master secret, share values, the passphrase, the words of a
 * mnemonic, hex text) are marked undefined; memcheck then reports every
 * conditional jump and every memory index that depends on them. Values that
 * are public by design are marked defined where the library declares them
 * public (CE_DECLASSIFY in common/ctgrind.h, compiled in with -DCE_CTGRIND):
 * the checksum, padding and digest verdicts, the "is a word" and "is hex"
 * verdicts, the share parameters carried in the first four words, typed word
 * lengths, and the verdict that a passphrase is printable.
 *
 * Covered: GF(256) mul/inv/div; Shamir split, interpolation and recovery
 * (incl. the HMAC-SHA256 digest); SLIP-39 split, combine, words <-> share,
 * mnemonic encode/decode; RS1024 create/verify; word lookup; the passphrase
 * Feistel network (PBKDF2-HMAC-SHA256); ct_memeq, ct_is_zero, hex.
 * OpenSSL's HMAC/PBKDF2/SHA-256 run inside the same process, so memcheck sees
 * them too: they pass with undefined keys and messages (SHA-256 has no
 * data-dependent branches). RAND_priv_bytes output is random, not a caller's
 * secret, and is not marked. Not covered: slip39_word_suggest (only called
 * for words that are not in the list, shown back to the person who typed
 * them), the terminal UI, and timing effects memcheck cannot see (cache
 * behaviour of the CPU, variable-time instructions).
 *
 * Built a second time with -DCTGRIND_CONTROL, it also runs a deliberately
 * leaky multiply; `make ctgrind` requires that run to be reported.
 */
#include "common/ct.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "shares/gf256.h"
#include "shares/rs1024.h"
#include "shares/shamir.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"

#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* Results are stored here, never branched on (that would be a report). */
static volatile uint8_t sink;

static void sink_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;
	uint8_t x = 0;

	for (i = 0; i < n; i++)
		x ^= b[i];
	sink = x;
}

/* A check of the harness that must never fail: a public condition. */
static int must(int ok, const char *what)
{
	if (!ok)
		fprintf(stderr, "ctgrind_shares: %s failed\n", what);
	return ok ? 0 : 1;
}

static int check_gf256(void)
{
	uint8_t a = 0x57, b = 0x83, c[3];

	SECRET(&a, 1);
	SECRET(&b, 1);
	c[0] = gf256_mul(a, b);
	c[1] = gf256_inv(a);
	c[2] = gf256_div(a, b);
	sink_bytes(c, sizeof(c));
	return 0;
}

static int check_ct_hex(void)
{
	uint8_t a[32], b[32], out[16];
	char text[65], hexin[33] = "00112233445566778899aabbccddeeff";
	size_t out_len = 0;
	int e, z, r;

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	SECRET(a, sizeof(a));
	SECRET(b, sizeof(b));
	e = ct_memeq(a, b, sizeof(a));
	z = ct_is_zero(a, sizeof(a));
	sink = (uint8_t)(e ^ z);
	hex_encode(a, sizeof(a), text);
	sink_bytes(text, 64);
	SECRET(hexin, 32);
	r = hex_decode(hexin, 32, out, sizeof(out), &out_len);
	sink_bytes(out, sizeof(out));
	return must(r == 0 && out_len == 16, "hex_decode");
}

static int check_words_rs1024(void)
{
	const char *w = "academic";
	char word[9];
	uint16_t data[20], cs[RS1024_CHECKSUM_WORDS];
	int idx, ok;
	size_t i;

	memcpy(word, w, 9);
	SECRET(word, 8);
	idx = slip39_word_index(word, 8);
	sink = (uint8_t)idx;
	idx = slip39_word_index(word, 4); /* the prefix form */
	sink = (uint8_t)idx;
	sink = (uint8_t)slip39_word_prefix_exists(word, 3);
	{
		uint16_t secret_idx = 17;
		char out[SLIP39_WORD_MAX_LEN];

		SECRET(&secret_idx, sizeof(secret_idx));
		sink = (uint8_t)slip39_word_copy_ct(secret_idx, out);
		sink_bytes(out, sizeof(out));
	}
	for (i = 0; i < 20; i++)
		data[i] = (uint16_t)(i * 37 % 1024);
	SECRET(data, sizeof(data));
	rs1024_create(1, data, 17, cs);
	sink_bytes(cs, sizeof(cs));
	ok = rs1024_verify(0, data, 20);
	sink = (uint8_t)ok;
	return 0;
}

static int check_shamir(void)
{
	uint8_t secret[32], shares[5 * 32], rec[32], xs[3] = { 4, 1, 2 }, ys[3 * 32];
	int r;

	memset(secret, 0xa5, sizeof(secret));
	SECRET(secret, sizeof(secret));
	r = shamir_split(3, 5, secret, sizeof(secret), shares);
	if (must(r == 0, "shamir_split"))
		return 1;
	memcpy(ys, shares + 4 * 32, 32);
	memcpy(ys + 32, shares + 1 * 32, 32);
	memcpy(ys + 64, shares + 2 * 32, 32);
	SECRET(ys, sizeof(ys));
	r = shamir_recover(3, xs, ys, 3, 32, rec);
	sink_bytes(rec, sizeof(rec));
	return must(r == 0, "shamir_recover");
}

static int check_slip39(void)
{
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	struct slip39_share *dec = NULL;
	uint8_t *secret = NULL, *pass = NULL, *out = NULL;
	char *text = NULL;
	size_t out_len = 0, g, m, n = 0;
	int r, bad = 0;

	secret = secmem_alloc(32);
	pass = secmem_alloc(16);
	out = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	text = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	dec = secmem_alloc(8 * sizeof(*dec));
	if (secret == NULL || pass == NULL || out == NULL || text == NULL || dec == NULL)
		return must(0, "secmem_alloc");
	memset(secret, 0x3c, 32);
	memcpy(pass, "TREZOR", 6);
	SECRET(secret, 32);
	SECRET(pass, 6);
	memset(&p, 0, sizeof(p));
	p.group_count = 2;
	p.group_threshold = 2;
	p.groups[0] = (struct slip39_group_spec){ 2, 3 };
	p.groups[1] = (struct slip39_group_spec){ 1, 1 };
	p.iteration_exponent = 0;
	p.extendable = 1;
	p.passphrase = pass;
	p.passphrase_len = 6;
	r = slip39_split(secret, 32, &p, &set);
	bad |= must(r == 0, "slip39_split");
	for (g = 0; r == 0 && g < 2; g++)
		for (m = 0; m < p.groups[g].threshold; m++) {
			/* the text is handed back as a holder would type it: secret */
			r = slip39_mnemonic_encode(&set->shares[g][m], text, SLIP39_MNEMONIC_MAX_LEN);
			bad |= must(r == 0, "slip39_mnemonic_encode");
			if (r != 0)
				break;
			/* its length is public (the typed length) */
			{
				size_t len;
				PUBLIC(text, SLIP39_MNEMONIC_MAX_LEN);
				len = strlen(text);
				SECRET(text, len);
				r = slip39_mnemonic_decode(text, len, &dec[n]);
			}
			bad |= must(r == 0, "slip39_mnemonic_decode");
			n++;
		}
	if (r == 0) {
		r = slip39_combine(dec, n, pass, 6, out, &out_len);
		bad |= must(r == 0, "slip39_combine");
		sink_bytes(out, 32);
	}
	/* non-extendable path: the identifier goes into the salt */
	slip39_share_set_free(set);
	set = NULL;
	p.extendable = 0;
	p.group_count = 1;
	p.group_threshold = 1;
	r = slip39_split(secret, 32, &p, &set);
	bad |= must(r == 0, "slip39_split (not extendable)");
	if (r == 0) {
		r = slip39_combine(&set->shares[0][0], 2, pass, 6, out, &out_len);
		bad |= must(r == 0, "slip39_combine (not extendable)");
		sink_bytes(out, 32);
	}
	/* a threshold-1 group given twice (copies under two member indices, as
	 * another implementation may hand out): the copies are compared */
	slip39_share_set_free(set);
	set = NULL;
	p.groups[0] = (struct slip39_group_spec){ 1, 1 };
	r = slip39_split(secret, 32, &p, &set);
	bad |= must(r == 0, "slip39_split (1-of-1)");
	if (r == 0) {
		dec[0] = set->shares[0][0];
		dec[1] = set->shares[0][0];
		dec[1].member_index = 1;
		r = slip39_combine(dec, 2, pass, 6, out, &out_len);
		bad |= must(r == 0, "slip39_combine (two copies of a threshold-1 group)");
		sink_bytes(out, 32);
	}
	slip39_share_set_free(set);
	secmem_free(secret);
	secmem_free(pass);
	secmem_free(out);
	secmem_free(text);
	secmem_free(dec);
	return bad;
}

#ifdef CTGRIND_CONTROL
/* The textbook multiply: loops and branches on b. Must be reported. */
static uint8_t leaky_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0, x = a;

	while (b) {
		if (b & 1)
			r ^= x;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11b;
		b >>= 1;
	}
	return (uint8_t)r;
}

static int check_control(void)
{
	uint8_t a = 0x57, b = 0x83;

	SECRET(&b, 1);
	sink = leaky_mul(a, b);
	return 0;
}
#endif

int main(void)
{
	int bad = 0;

	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "ctgrind_shares: not under valgrind: nothing is checked\n");
	bad |= check_gf256();
	bad |= check_ct_hex();
	bad |= check_words_rs1024();
	bad |= check_shamir();
	bad |= check_slip39();
#ifdef CTGRIND_CONTROL
	bad |= check_control();
#endif
	return bad ? 2 : 0;
}
