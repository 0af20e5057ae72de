/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/bench_shares.c - in-process cost of splitting and combining a
 * 32-byte secret 3-of-5. Prints one line per measure, "name<TAB>ns/op", for
 * tests/bench/run.sh to tabulate. Never asserts a time.
 */
#include "shares/shamir.h"
#include "shares/slip39.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/secmem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Shamir alone: the GF(256) work (split 5, recover from 3, digest checked). */
static int bench_shamir(long iters, double *ns)
{
	uint8_t secret[32], shares[5 * 32], ys[3 * 32], out[32], xs[3] = { 0, 2, 4 };
	double t0;
	long i;

	if (RAND_bytes(secret, sizeof(secret)) != 1)
		return CE_ERR_CRYPTO;
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		int r = shamir_split(3, 5, secret, 32, shares);
		if (r < 0)
			return r;
		memcpy(ys, shares, 32);
		memcpy(ys + 32, shares + 64, 32);
		memcpy(ys + 64, shares + 128, 32);
		r = shamir_recover(3, xs, ys, 3, 32, out);
		if (r < 0 || !ct_memeq(out, secret, 32))
			return r < 0 ? r : CE_ERR_INTERNAL;
	}
	*ns = (now_ns() - t0) / (double)iters;
	return 0;
}

/* The whole SLIP-39 path: split, encode the 5 mnemonics, decode 3, combine. */
static int bench_slip39(uint8_t e, long iters, double *ns)
{
	struct slip39_split_params p;
	struct slip39_share sh[3];
	uint8_t secret[32], out[SLIP39_MAX_SECRET_BYTES];
	char text[SLIP39_MNEMONIC_MAX_LEN];
	size_t out_len;
	double t0;
	long i;
	int r, m;

	memset(&p, 0, sizeof(p));
	p.group_count = 1;
	p.group_threshold = 1;
	p.groups[0] = (struct slip39_group_spec){ 3, 5 };
	p.iteration_exponent = e;
	p.extendable = 1;
	if (RAND_bytes(secret, sizeof(secret)) != 1)
		return CE_ERR_CRYPTO;
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		struct slip39_share_set *set = NULL;

		r = slip39_split(secret, 32, &p, &set);
		if (r < 0)
			return r;
		for (m = 0; m < 5; m++) {
			r = slip39_mnemonic_encode(&set->shares[0][m], text, sizeof(text));
			if (r == 0 && m < 3)
				r = slip39_mnemonic_decode(text, strlen(text), &sh[m]);
			if (r < 0)
				break;
		}
		slip39_share_set_free(set);
		if (r < 0)
			return r;
		r = slip39_combine(sh, 3, NULL, 0, out, &out_len);
		if (r < 0 || !ct_memeq(out, secret, 32))
			return r < 0 ? r : CE_ERR_INTERNAL;
	}
	*ns = (now_ns() - t0) / (double)iters;
	return 0;
}

int main(void)
{
	double ns;
	int r;

	r = bench_shamir(20000, &ns);
	if (r < 0)
		goto fail;
	printf("shamir\t%.0f\n", ns);
	r = bench_slip39(0, 20, &ns);
	if (r < 0)
		goto fail;
	printf("slip39_e0\t%.0f\n", ns);
	r = bench_slip39(1, 10, &ns);
	if (r < 0)
		goto fail;
	printf("slip39_e1\t%.0f\n", ns);
	return 0;
fail:
	ce_err_print(r);
	return 1;
}
