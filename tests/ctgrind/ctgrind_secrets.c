/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/ctgrind/ctgrind_secrets.c - constant-time check, under valgrind
 * (`make ctgrind`), of the comparisons and conversions of secret data made
 * outside shares/ (tests/ctgrind/ctgrind_shares.c covers shares/).
 *
 * Secrets are marked undefined; memcheck reports any branch or memory index
 * that depends on them. Covered:
 *  - the share commitment of the transcript (docs/transcript-format.md,
 *    share.issued): SHA-256(salt || mnemonic text) computed with OpenSSL, and
 *    checking a typed share against a stored commitment with ct_memeq; only
 *    the final verdict is declassified, as the caller declares it public.
 *  - hex_decode of secret hex text (PINs and wrapping keys given in hex):
 *    upper and lower case, and the "not hexadecimal" path, whose verdict
 *    alone is public (common/hex.c declassifies it);
 *  - hex_encode of a secret (a PIN drawn from the HSM's RNG shown in hex);
 *  - ct_memeq over each length a commitment or key check uses.
 * Public by design: lengths, the salt, the stored commitment.
 *
 * Built again with -DCTGRIND_CONTROL it also compares with memcmp(), which
 * stops at the first difference; `make ctgrind` requires that to be reported.
 */
#include "common/ct.h"
#include "common/hex.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

#define SALT_BYTES 16
#define COMMIT_BYTES 32

static volatile uint8_t sink;

static void sink_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x ^= b[i];
	sink = x;
}

static int must(int ok, const char *what)
{
	if (!ok)
		fprintf(stderr, "ctgrind_secrets: %s failed\n", what);
	return ok ? 0 : 1;
}

/* SHA-256(salt || text): what a share.issued event records. */
static int commitment(const uint8_t *salt, const char *text, size_t len, uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(c, salt, SALT_BYTES) == 1 &&
		 EVP_DigestUpdate(c, text, len) == 1 && EVP_DigestFinal_ex(c, out, &n) == 1 &&
		 n == COMMIT_BYTES;

	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

/* A typed share checked against the commitment stored in a transcript. */
static int check_commitment(void)
{
	static const char share[] =
		"shadow pistol academic always adequate wildlife fancy gross oasis cylinder "
		"mustang wrist rescue view short owner flip making coding armed";
	static const char wrong[] =
		"shadow pistol academic always adequate wildlife fancy gross oasis cylinder "
		"mustang wrist rescue view short owner flip making coding arena";
	uint8_t salt[SALT_BYTES], stored[COMMIT_BYTES], got[COMMIT_BYTES];
	char stored_hex[2 * COMMIT_BYTES + 1], typed[sizeof(share)];
	size_t stored_len = 0;
	int bad = 0, same;

	memset(salt, 0xa5, sizeof(salt));
	/* the stored value, as written at issue time, then read back from hex */
	bad |= must(commitment(salt, share, strlen(share), got) == 0, "commitment");
	hex_encode(got, sizeof(got), stored_hex);
	bad |= must(hex_decode(stored_hex, strlen(stored_hex), stored, sizeof(stored),
			       &stored_len) == 0 && stored_len == COMMIT_BYTES, "stored hex");

	/* the typed share is the secret */
	memcpy(typed, share, sizeof(share));
	SECRET(typed, sizeof(share) - 1);
	bad |= must(commitment(salt, typed, sizeof(share) - 1, got) == 0, "typed commitment");
	same = ct_memeq(got, stored, COMMIT_BYTES);
	PUBLIC(&same, sizeof(same)); /* the verdict is what the caller reports */
	bad |= must(same == 1, "commitment match");

	memcpy(typed, wrong, sizeof(wrong));
	SECRET(typed, sizeof(wrong) - 1);
	bad |= must(commitment(salt, typed, sizeof(wrong) - 1, got) == 0, "wrong commitment");
	same = ct_memeq(got, stored, COMMIT_BYTES);
	PUBLIC(&same, sizeof(same));
	bad |= must(same == 0, "commitment mismatch");
	return bad;
}

static int check_hex(void)
{
	char upper[] = "00112233445566778899AABBCCDDEEFF";
	char mixed[] = "deadBEEF0123456789abcdefABCDEF09";
	char notx[] = "0011223344556677889g";
	uint8_t key[32], out[32];
	char text[65];
	size_t out_len = 0;
	int bad = 0, r;

	SECRET(upper, sizeof(upper) - 1);
	r = hex_decode(upper, sizeof(upper) - 1, out, sizeof(out), &out_len);
	sink_bytes(out, out_len);
	bad |= must(r == 0 && out_len == 16, "hex_decode upper case");

	SECRET(mixed, sizeof(mixed) - 1);
	r = hex_decode(mixed, sizeof(mixed) - 1, out, sizeof(out), &out_len);
	sink_bytes(out, out_len);
	bad |= must(r == 0 && out_len == 16, "hex_decode mixed case");

	SECRET(notx, sizeof(notx) - 1);
	r = hex_decode(notx, sizeof(notx) - 1, out, sizeof(out), &out_len);
	bad |= must(r != 0 && out_len == 0, "hex_decode refuses a non-hex digit");

	memset(key, 0x3c, sizeof(key));
	SECRET(key, sizeof(key));
	hex_encode(key, sizeof(key), text);
	sink_bytes(text, 64);
	return bad;
}

static int check_memeq_lengths(void)
{
	static const size_t lens[] = { 1, 16, 20, 32, 64 };
	uint8_t a[64], b[64];
	size_t i;
	int acc = 0;

	memset(a, 0x11, sizeof(a));
	memset(b, 0x11, sizeof(b));
	b[63] = 0x12;
	SECRET(a, sizeof(a));
	SECRET(b, sizeof(b));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		acc ^= ct_memeq(a, b, lens[i]) ^ ct_is_zero(a, lens[i]);
	sink = (uint8_t)acc;
	return 0;
}

#ifdef CTGRIND_CONTROL
static int check_control(void)
{
	uint8_t a[32], b[32];

	memset(a, 1, sizeof(a));
	memset(b, 1, sizeof(b));
	b[31] = 2;
	SECRET(a, sizeof(a));
	sink = (uint8_t)(memcmp(a, b, sizeof(a)) == 0); /* the leak: an early exit */
	return 0;
}
#endif

int main(void)
{
	int bad = 0;

	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "ctgrind_secrets: not under valgrind: nothing is checked\n");
	bad |= check_commitment();
	bad |= check_hex();
	bad |= check_memeq_lengths();
#ifdef CTGRIND_CONTROL
	bad |= check_control();
#endif
	return bad ? 2 : 0;
}
