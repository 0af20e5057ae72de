/* SPDX-License-Identifier: Apache-2.0 */
/* PINs drawn at random: one alphabet, one length rule, one unbiased draw,
 * from the token's RNG mixed with OpenSSL's or, for a blank token, from
 * OpenSSL's alone. */
#include "pkcs11/p11_internal.h"
#include "common/err.h"
#include "common/secmem.h"

#include <openssl/rand.h>

#include <limits.h>

#define P11_PIN_BATCH_BYTES 64
#define P11_PIN_MAX_LEN 256

/* Where the random bytes come from: arg is the session, or unused. */
typedef int (*pin_rng_fn)(void *arg, uint8_t *buf, size_t len);

static int rng_openssl(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	if (len > INT_MAX || RAND_priv_bytes(buf, (int)len) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "RAND_priv_bytes failed");
	return 0;
}

/* The token's bytes XORed with OpenSSL's: the result is as unpredictable as
 * the better of the two, so a token whose RNG is broken (constant, or known
 * to whoever built it) still gives a PIN nobody can predict, and a weak
 * host RNG is covered by the token's. */
static int rng_token_openssl(void *arg, uint8_t *buf, size_t len)
{
	uint8_t *host = NULL;
	size_t i;
	int r = CE_ERR_INTERNAL;

	host = secmem_alloc(len);
	if (host == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = p11_session_random(arg, buf, len);
	if (r < 0)
		goto out;
	r = rng_openssl(NULL, host, len);
	if (r < 0)
		goto out;
	for (i = 0; i < len; i++)
		buf[i] ^= host[i];
	r = 0;
out:
	secmem_free(host);
	return r;
}

/* The length to draw: len within the token's [min, max] (CE_ERR_INVALID
 * otherwise), or for len 0 P11_PIN_DEFAULT_LEN clamped to it. A token that
 * gives no maximum (0) or a large one is held to P11_PIN_MAX_LEN. */
static int pin_len_choose(const struct p11_token *tok, size_t len, size_t *out)
{
	unsigned long lo = tok->info.min_pin_len, hi = tok->info.max_pin_len;

	if (hi == 0 || hi > P11_PIN_MAX_LEN)
		hi = P11_PIN_MAX_LEN;
	if (lo == 0)
		lo = 1;
	if (len == 0) {
		len = P11_PIN_DEFAULT_LEN;
		if (len < lo)
			len = lo;
		if (len > hi)
			len = hi;
	} else if (len < lo || len > hi) {
		return ce_err_set(CE_ERR_INVALID, "a PIN of %zu characters is outside the range of "
				  "%s (%lu..%lu)", len, p11_token_what(tok), lo, hi);
	}
	*out = len;
	return 0;
}

/* Rejection sampling: a byte >= limit (the largest multiple of the alphabet
 * size that fits in a byte) is dropped, so every character is equally
 * likely. The PIN and the random bytes live in secmem only. */
static int pin_draw(const struct p11_token *tok, size_t len, pin_rng_fn rng, void *arg,
		    char **pin, size_t *pin_len)
{
	int r = CE_ERR_INTERNAL;
	static const char alphabet[] = P11_PIN_ALPHABET;
	const unsigned alen = sizeof(alphabet) - 1;
	const unsigned limit = 256 - 256 % alen; /* bytes >= limit are rejected */
	uint8_t *rnd = NULL;
	char *p = NULL;
	size_t have = 0, i;

	*pin = NULL;
	*pin_len = 0;
	r = pin_len_choose(tok, len, &len);
	if (r < 0)
		goto out;
	rnd = secmem_alloc(P11_PIN_BATCH_BYTES);
	p = secmem_alloc(len + 1);
	if (rnd == NULL || p == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	while (have < len) {
		r = rng(arg, rnd, P11_PIN_BATCH_BYTES);
		if (r < 0)
			goto out;
		for (i = 0; i < P11_PIN_BATCH_BYTES && have < len; i++)
			if (rnd[i] < limit)
				p[have++] = alphabet[rnd[i] % alen];
	}
	p[len] = '\0';
	*pin = p;
	*pin_len = len;
	p = NULL; /* transferred */
	r = 0;
out:
	secmem_free(rnd);
	secmem_free(p);
	return r;
}

int p11_session_pin_generate(struct p11_session *s, size_t len, char **pin, size_t *pin_len)
{
	return pin_draw(s->tok, len, rng_token_openssl, s, pin, pin_len);
}

int p11_token_pin_generate(const struct p11_token *tok, size_t len, char **pin, size_t *pin_len)
{
	return pin_draw(tok, len, rng_openssl, NULL, pin, pin_len);
}
