/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/shamir.h"
#include "common/ctgrind.h"
#include "shares/gf256.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/secmem.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/* The x coordinates are public: checking them may branch. */
static int xs_check(const uint8_t *xs, size_t n)
{
	size_t i, j;

	if (n == 0 || n > SHAMIR_MAX_SHARES + 2)
		return ce_err_set(CE_ERR_INVALID, "%zu points to interpolate (1..%d)", n,
				  SHAMIR_MAX_SHARES + 2);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (xs[i] == xs[j])
				return ce_err_set(CE_ERR_DUPLICATE,
						  "share index %u appears twice", (unsigned)xs[i]);
	return 0;
}

int shamir_interpolate(const uint8_t *xs, const uint8_t *ys, size_t n, size_t len, uint8_t x,
		       uint8_t *out)
{
	int r = CE_ERR_INTERNAL;
	size_t i, j, k;

	if (len == 0 || len > SHAMIR_MAX_LEN) {
		r = ce_err_set(CE_ERR_INVALID, "share length %zu (1..%d)", len, SHAMIR_MAX_LEN);
		goto out;
	}
	r = xs_check(xs, n);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (xs[i] == x) {
			memcpy(out, ys + i * len, len);
			r = 0;
			goto out;
		}
	memset(out, 0, len);
	for (i = 0; i < n; i++) {
		/* Lagrange basis at x: prod (x - xj) / (xi - xj) over j != i.
		 * It depends only on the public xs. */
		uint8_t num = 1, den = 1, basis;

		for (j = 0; j < n; j++) {
			if (j == i)
				continue;
			num = gf256_mul(num, gf256_add(x, xs[j]));
			den = gf256_mul(den, gf256_add(xs[i], xs[j]));
		}
		basis = gf256_div(num, den);
		for (k = 0; k < len; k++)
			out[k] = gf256_add(out[k], gf256_mul(basis, ys[i * len + k]));
	}
	r = 0;
out:
	return r;
}

static int shamir_digest(const uint8_t *random_part, size_t rlen, const uint8_t *secret,
			 size_t len, uint8_t digest[SHAMIR_DIGEST_BYTES])
{
	int r = CE_ERR_INTERNAL;
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;

	if (HMAC(EVP_sha256(), random_part, (int)rlen, secret, len, mac, &mac_len) == NULL ||
	    mac_len < SHAMIR_DIGEST_BYTES) {
		r = ce_err_set(CE_ERR_CRYPTO, "HMAC-SHA256 for the share digest failed");
		goto out;
	}
	memcpy(digest, mac, SHAMIR_DIGEST_BYTES);
	r = 0;
out:
	ce_wipe(mac, sizeof(mac));
	return r;
}

static int bounds_check(uint8_t threshold, uint8_t count, size_t len)
{
	if (threshold < 1 || threshold > count || count > SHAMIR_MAX_SHARES)
		return ce_err_set(CE_ERR_INVALID,
				  "threshold %u of %u shares (need 1 <= threshold <= count <= %d)",
				  (unsigned)threshold, (unsigned)count, SHAMIR_MAX_SHARES);
	if (len == 0 || len > SHAMIR_MAX_LEN || (threshold >= 2 && len < SHAMIR_DIGEST_BYTES))
		return ce_err_set(CE_ERR_INVALID, "secret of %zu bytes (%d..%d)", len,
				  SHAMIR_DIGEST_BYTES, SHAMIR_MAX_LEN);
	return 0;
}

int shamir_split(uint8_t threshold, uint8_t count, const uint8_t *secret, size_t len,
		 uint8_t *out)
{
	int r = CE_ERR_INTERNAL;
	/* base points: threshold-2 random shares, the digest share, the secret */
	uint8_t *base = NULL;
	uint8_t xs[SHAMIR_MAX_SHARES];
	size_t nrand, i;

	r = bounds_check(threshold, count, len);
	if (r < 0)
		goto out;
	if (threshold == 1) {
		for (i = 0; i < count; i++)
			memcpy(out + i * len, secret, len);
		r = 0;
		goto out;
	}
	base = secmem_alloc((size_t)threshold * len);
	if (base == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	nrand = (size_t)threshold - 2;
	if (RAND_priv_bytes(base, (int)(nrand * len)) != 1 ||
	    RAND_priv_bytes(base + (nrand * len) + SHAMIR_DIGEST_BYTES,
			    (int)(len - SHAMIR_DIGEST_BYTES)) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "RAND_priv_bytes failed");
		goto out;
	}
	for (i = 0; i < nrand; i++)
		xs[i] = (uint8_t)i;
	r = shamir_digest(base + nrand * len + SHAMIR_DIGEST_BYTES, len - SHAMIR_DIGEST_BYTES,
			  secret, len, base + nrand * len);
	if (r < 0)
		goto out;
	xs[nrand] = SHAMIR_DIGEST_INDEX;
	memcpy(base + (nrand + 1) * len, secret, len);
	xs[nrand + 1] = SHAMIR_SECRET_INDEX;
	memcpy(out, base, nrand * len);
	for (i = nrand; i < count; i++) {
		r = shamir_interpolate(xs, base, threshold, len, (uint8_t)i, out + i * len);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (r < 0 && out != NULL && len <= SHAMIR_MAX_LEN && count <= SHAMIR_MAX_SHARES)
		ce_wipe(out, (size_t)count * len);
	secmem_free(base);
	return r;
}

int shamir_recover(uint8_t threshold, const uint8_t *xs, const uint8_t *ys, size_t n, size_t len,
		   uint8_t *out)
{
	int r = CE_ERR_INTERNAL;
	uint8_t *digest_share = NULL;
	uint8_t digest[SHAMIR_DIGEST_BYTES];
	int ok;

	r = bounds_check(threshold, SHAMIR_MAX_SHARES, len);
	if (r < 0)
		goto out;
	if (n < threshold) {
		r = ce_err_set(CE_ERR_QUORUM, "%zu shares of the %u needed", n, (unsigned)threshold);
		goto out;
	}
	if (threshold == 1) {
		memcpy(out, ys, len);
		r = 0;
		goto out;
	}
	digest_share = secmem_alloc(len);
	if (digest_share == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = shamir_interpolate(xs, ys, threshold, len, SHAMIR_SECRET_INDEX, out);
	if (r < 0)
		goto out;
	r = shamir_interpolate(xs, ys, threshold, len, SHAMIR_DIGEST_INDEX, digest_share);
	if (r < 0)
		goto out;
	r = shamir_digest(digest_share + SHAMIR_DIGEST_BYTES, len - SHAMIR_DIGEST_BYTES, out, len,
			  digest);
	if (r < 0)
		goto out;
	ok = ct_memeq(digest, digest_share, SHAMIR_DIGEST_BYTES);
	CE_DECLASSIFY(&ok, sizeof(ok)); /* the verdict is public */
	if (!ok) {
		r = ce_err_set(CE_ERR_DIGEST, "digest mismatch: the recovered secret fails its digest "
				  "(a share altered, or from another set?)");
		goto out;
	}
	r = 0;
out:
	if (r < 0 && out != NULL && len <= SHAMIR_MAX_LEN)
		ce_wipe(out, len);
	ce_wipe(digest, sizeof(digest));
	secmem_free(digest_share);
	return r;
}
