/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: SLIP-39 combine (shares -> master secret), decoding
 * aside. Built with CE_FUZZ_FAST_KDF (mk/fuzz.mk only: one PBKDF2 iteration
 * per Feistel round instead of 2500 << e, never in the product build), so
 * every input reaches the passphrase decryption at any iteration exponent.
 *
 * Input, byte 0 picks the mode:
 *   bit 7 clear - the shares themselves: byte 1 = passphrase length (0..15)
 *     then the passphrase, then up to 16 shares of sizeof(struct
 *     slip39_share) bytes each, field for field (identifier, thresholds,
 *     indices, value...). Reaches every consistency check of combine.
 *   bit 7 set - a split, then a combine of a subset: bytes 1-3 the layout,
 *     the spoiling and the secret length, a byte a group, then which shares
 *     to take and one field to spoil (the secret is a fixed pattern). Combining an
 *     unspoilt subset that meets the thresholds must give the secret back,
 *     and a combine of unspoilt shares that succeeds gives exactly it. (A
 *     spoilt share may still combine: a changed identifier or exponent
 *     decrypts to another secret, and a 1-of-1 group has no digest.)
 */
#include "common/ct.h"
#include "common/err.h"
#include "common/secmem.h"
#include "shares/slip39.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_SHARES_MAX 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits are kept by what they were made from (parameters, secret): a
 * split costs five times the combine under test (secmem mappings for the
 * whole share set), and the fuzzer mostly mutates which shares are taken
 * and how they are spoilt. The same input also gets the same shares again
 * within a run. */
#define FUZZ_SPLIT_CACHE 128
static struct {
	uint64_t key;
	struct slip39_share_set *set;
} split_cache[FUZZ_SPLIT_CACHE];

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static struct slip39_share_set *split_cached(const uint8_t *secret, size_t len,
					     const struct slip39_split_params *p)
{
	uint64_t key = 0xcbf29ce484222325ull;
	size_t slot;

	key = fnv(key, secret, len); /* fixed by length, kept for safety */
	key = fnv(key, &len, sizeof(len));
	key = fnv(key, &p->group_threshold, 1);
	key = fnv(key, &p->group_count, 1);
	key = fnv(key, p->groups, sizeof(p->groups));
	key = fnv(key, &p->iteration_exponent, 1);
	key = fnv(key, &p->extendable, sizeof(p->extendable));
	key = fnv(key, &p->passphrase_len, sizeof(p->passphrase_len));
	slot = (size_t)(key % FUZZ_SPLIT_CACHE);
	if (split_cache[slot].set == NULL || split_cache[slot].key != key) {
		slip39_share_set_free(split_cache[slot].set);
		split_cache[slot].set = NULL;
		if (slip39_split(secret, len, p, &split_cache[slot].set) != 0)
			return NULL;
		split_cache[slot].key = key;
	}
	return split_cache[slot].set;
}

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t take(struct fuzz_in *in)
{
	uint8_t b = 0;

	if (in->n > 0) {
		b = in->p[0];
		in->p++, in->n--;
	}
	return b;
}

static void raw_mode(struct fuzz_in *in, struct slip39_share *sh, uint8_t *secret)
{
	uint8_t pass[16];
	size_t pass_len = take(in) % 16, n = 0, i, secret_len = 0;

	for (i = 0; i < pass_len; i++)
		pass[i] = take(in);
	while (in->n >= sizeof(*sh) && n < FUZZ_SHARES_MAX) {
		memcpy(&sh[n], in->p, sizeof(*sh));
		in->p += sizeof(*sh), in->n -= sizeof(*sh);
		n++;
	}
	if (slip39_combine(sh, n, pass, pass_len, secret, &secret_len) == 0 &&
	    (secret_len < SLIP39_MIN_SECRET_BYTES || secret_len > SLIP39_MAX_SECRET_BYTES ||
	     secret_len % 2 != 0))
		abort();
}

static void split_mode(struct fuzz_in *in, struct slip39_share *sh, uint8_t *secret,
		       uint8_t *back)
{
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	uint8_t layout = take(in), spoil = take(in), held[FUZZ_SHARES_MAX] = { 0 };
	size_t len = 16 + 2 * (size_t)(take(in) % 25), n = 0, back_len = 0, g, m, i;
	int spoilt = 0, enough_groups = 0;

	memset(&p, 0, sizeof(p));
	p.group_count = (uint8_t)(1 + layout % 4);
	p.group_threshold = (uint8_t)(1 + (layout >> 2) % p.group_count);
	for (g = 0; g < p.group_count; g++) {
		uint8_t b = take(in);

		p.groups[g].count = (uint8_t)(1 + b % 4); /* 4 x 4 <= FUZZ_SHARES_MAX */
		p.groups[g].threshold = (uint8_t)(1 + (b >> 4) % p.groups[g].count);
		if (p.groups[g].threshold == 1)
			p.groups[g].count = 1; /* SLIP-39: a 1-of-n group is 1-of-1 */
	}
	p.iteration_exponent = (uint8_t)(layout >> 4);
	p.extendable = layout >> 3 & 1;
	p.passphrase = (const uint8_t *)"TREZOR";
	p.passphrase_len = (spoil & 0x80) ? 6 : 0;
	/* the secret's bytes steer no branch of combine: a fixed pattern, so
	 * that a split is made once per layout */
	for (i = 0; i < len; i++)
		secret[i] = (uint8_t)(0x5a ^ (i * 29));
	set = split_cached(secret, len, &p);
	if (set == NULL)
		return;
	/* which members of each group are taken: one byte a group, a bit a member */
	for (g = 0; g < set->group_count; g++) {
		uint8_t pick = take(in);
		size_t took = 0;

		for (m = 0; m < set->member_count[g]; m++)
			if (pick >> m & 1) {
				sh[n] = set->shares[g][m];
				held[g]++;
				n++, took++;
			}
		if (took >= p.groups[g].threshold)
			enough_groups++;
	}
	if (n > 0 && (spoil & 0x7f) != 0) {
		struct slip39_share *v = &sh[(spoil & 0x7f) % n];
		uint8_t b = take(in);

		spoilt = 1;
		switch ((spoil >> 4) & 7) {
		case 0: v->identifier ^= (uint16_t)(1u << (b % 15)); break;
		case 1: v->member_index = (uint8_t)(b % 16); break;
		case 2: v->group_index = (uint8_t)(b % 16); break;
		case 3: v->member_threshold = (uint8_t)(1 + b % 16); break;
		case 4: v->iteration_exponent = (uint8_t)(b % 16); break;
		case 5: v->value_len = (uint8_t)(16 + 2 * (b % 25)); break;
		default:
			v->value[b % v->value_len] ^= (uint8_t)(1u << (spoil & 7));
			break;
		}
	}
	if (slip39_combine(sh, n, p.passphrase, p.passphrase_len, back, &back_len) == 0) {
		if (!spoilt && (back_len != len || !ct_memeq(back, secret, len)))
			abort(); /* a combine that succeeds gives the secret back */
	} else if (!spoilt && enough_groups >= p.group_threshold) {
		/* every taken group met or not: combine may refuse extra partial
		 * groups (shares of a group below its threshold), so only a pure
		 * take is a must-succeed */
		int pure = 1;

		for (g = 0; g < set->group_count; g++)
			if (held[g] != 0 && held[g] < p.groups[g].threshold)
				pure = 0;
		if (pure) {
			fprintf(stderr, "combine refused a valid quorum: %s\n", ce_err_detail());
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* secmem made once: an mlock'ed mapping per input would cost more than
	 * the combine */
	static struct slip39_share *sh;
	static uint8_t *secret, *back;
	struct fuzz_in in = { data, size };

	if (sh == NULL) {
		sh = secmem_alloc(FUZZ_SHARES_MAX * sizeof(*sh));
		secret = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
		back = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
		if (sh == NULL || secret == NULL || back == NULL)
			abort();
	}
	if (size == 0)
		return 0;
	memset(sh, 0, FUZZ_SHARES_MAX * sizeof(*sh));
	if (take(&in) & 0x80)
		split_mode(&in, sh, secret, back);
	else
		raw_mode(&in, sh, secret);
	return 0;
}
