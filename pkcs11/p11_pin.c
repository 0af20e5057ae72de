/* SPDX-License-Identifier: Apache-2.0 */
/* PINs drawn at random: one alphabet, one length rule, one unbiased draw,
 * from the token's RNG mixed with OpenSSL's or, for a blank token, from
 * OpenSSL's alone. */
#include "pkcs11/p11_internal.h"
#include "common/err.h"
#include "common/secmem.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- PINs derived from a secret (p11.h, docs/share-format.md) -------- */

static const char alphabet_typeable[] = P11_PIN_ALPHABET;
static const char alphabet_digits[] = P11_PIN_DIGITS_ALPHABET;

const char *p11_pin_alphabet_name(enum p11_pin_alphabet a)
{
	return a == P11_PIN_DIGITS ? "digits" : "typeable";
}

int p11_pin_alphabet_parse(const char *name, enum p11_pin_alphabet *out)
{
	if (name != NULL && strcmp(name, "typeable") == 0)
		*out = P11_PIN_TYPEABLE;
	else if (name != NULL && strcmp(name, "digits") == 0)
		*out = P11_PIN_DIGITS;
	else
		return ce_err_set(CE_ERR_INVALID, "PIN alphabet '%s' is neither typeable nor digits",
				  name != NULL ? name : "");
	return 0;
}

const char *p11_pin_alphabet_chars(enum p11_pin_alphabet a, size_t *count)
{
	if (a == P11_PIN_DIGITS) {
		*count = sizeof(alphabet_digits) - 1;
		return alphabet_digits;
	}
	*count = sizeof(alphabet_typeable) - 1;
	return alphabet_typeable;
}

double p11_pin_entropy_bits(enum p11_pin_alphabet a, size_t len)
{
	/* log2(56) and log2(10): no libm for two constants */
	double per = a == P11_PIN_DIGITS ? 3.321928094887362 : 5.807354922057604;
	double bits = per * (double)len, cap = 8.0 * P11_PIN_SECRET_BYTES;

	return bits > cap ? cap : bits;
}

void p11_pin_derivation_format(enum p11_pin_alphabet a, size_t len,
			       char buf[P11_PIN_DERIVATION_MAX])
{
	snprintf(buf, P11_PIN_DERIVATION_MAX, "%s %s %zu", P11_PIN_DERIVATION_SCHEME,
		 p11_pin_alphabet_name(a), len);
}

int p11_pin_derivation_parse(const char *s, enum p11_pin_alphabet *a, size_t *len)
{
	char scheme[P11_PIN_DERIVATION_MAX], alpha[P11_PIN_DERIVATION_MAX], canon[P11_PIN_DERIVATION_MAX];
	unsigned n = 0;

	if (s == NULL || strlen(s) >= P11_PIN_DERIVATION_MAX ||
	    sscanf(s, "%47s %47s %u", scheme, alpha, &n) != 3 ||
	    strcmp(scheme, P11_PIN_DERIVATION_SCHEME) != 0 || n < 1 ||
	    n > P11_PIN_DERIVE_MAX_LEN || p11_pin_alphabet_parse(alpha, a) < 0)
		goto bad;
	*len = n;
	p11_pin_derivation_format(*a, *len, canon);
	if (strcmp(canon, s) != 0)
		goto bad;
	return 0;
bad:
	return ce_err_set(CE_ERR_FORMAT, "PIN derivation '%s' is not '%s ALPHABET LENGTH' "
					 "(alphabet typeable or digits, length 1..%d)",
			  s != NULL ? s : "", P11_PIN_DERIVATION_SCHEME, P11_PIN_DERIVE_MAX_LEN);
}

/* HKDF-SHA256(IKM secret, no salt, info) into out (P11_PIN_STREAM_BYTES). */
static int pin_stream(const uint8_t *secret, size_t secret_len, const char *info, uint8_t *out)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[4];
	int r = CE_ERR_INTERNAL;

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	if (kctx == NULL) {
		r = ce_err_set(CE_ERR_CRYPTO, "HKDF-SHA256 is not available from OpenSSL");
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
						      secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
						      strlen(info));
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, P11_PIN_STREAM_BYTES, params) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "HKDF-SHA256 failed");
		goto out;
	}
	r = 0;
out:
	EVP_KDF_CTX_free(kctx); /* clears its copy of the key */
	EVP_KDF_free(kdf);
	return r;
}

int p11_pin_derive(const uint8_t *secret, size_t secret_len, enum p11_pin_alphabet a, size_t len,
		   char **pin, size_t *pin_len)
{
	int r = CE_ERR_INTERNAL;
	size_t alen, have = 0, i;
	const char *chars = p11_pin_alphabet_chars(a, &alen);
	const unsigned limit = 256u - 256u % (unsigned)alen; /* bytes >= limit are rejected */
	char info[64];
	uint8_t *stream = NULL;
	char *p = NULL;

	*pin = NULL;
	*pin_len = 0;
	if (len == 0 || len > P11_PIN_DERIVE_MAX_LEN || secret_len < P11_PIN_SECRET_BYTES) {
		r = ce_err_set(CE_ERR_INVALID, "a derived PIN of %zu characters from a %zu-byte "
					       "secret (1..%d characters, at least %d bytes)",
			       len, secret_len, P11_PIN_DERIVE_MAX_LEN, P11_PIN_SECRET_BYTES);
		goto out;
	}
	snprintf(info, sizeof(info), "ceremony pin v1 %s %zu", p11_pin_alphabet_name(a), len);
	stream = secmem_alloc(P11_PIN_STREAM_BYTES);
	p = secmem_alloc(len + 1);
	if (stream == NULL || p == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = pin_stream(secret, secret_len, info, stream);
	if (r < 0)
		goto out;
	for (i = 0; i < P11_PIN_STREAM_BYTES && have < len; i++)
		if (stream[i] < limit)
			p[have++] = chars[stream[i] % alen];
	if (have < len) {
		r = ce_err_set(CE_ERR_CRYPTO, "PIN derivation: the HKDF output ran out");
		goto out;
	}
	p[len] = '\0';
	*pin = p;
	*pin_len = len;
	p = NULL; /* transferred */
	r = 0;
out:
	secmem_free(stream);
	secmem_free(p);
	return r;
}

static int pin_secret(pin_rng_fn rng, void *arg, uint8_t **secret)
{
	uint8_t *b = NULL;
	int r = CE_ERR_INTERNAL;

	*secret = NULL;
	b = secmem_alloc(P11_PIN_SECRET_BYTES);
	if (b == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = rng(arg, b, P11_PIN_SECRET_BYTES);
	if (r < 0)
		goto out;
	*secret = b;
	b = NULL; /* transferred */
	r = 0;
out:
	secmem_free(b);
	return r;
}

int p11_session_pin_secret(struct p11_session *s, uint8_t **secret)
{
	return pin_secret(rng_token_openssl, s, secret);
}

int p11_pin_secret_host(uint8_t **secret)
{
	return pin_secret(rng_openssl, NULL, secret);
}
