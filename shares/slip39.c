/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/slip39.h"
#include "common/ctgrind.h"
#include "shares/rs1024.h"
#include "shares/shamir.h"
#include "shares/wordlist.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/secmem.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define SLIP39_META_WORDS 4          /* identifier..member threshold */
#define SLIP39_RADIX_BITS 10
#define SLIP39_ROUNDS 4
#define SLIP39_BASE_ITERATIONS 10000u
/* The fuzz build only (mk/fuzz.mk, tests/fuzz/fuzz_slip39_combine.c): one
 * PBKDF2 iteration per round, so a fuzzer reaches the decryption at 2,000+
 * inputs a second. Never in the product: it needs the libFuzzer convention's
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION too, the Makefile refuses both
 * outside build/fuzz, and t9001 checks the product has no trace of it. */
#ifdef CE_FUZZ_FAST_KDF
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#error "CE_FUZZ_FAST_KDF is for the fuzz build only (mk/fuzz.mk)"
#endif
__attribute__((used)) static const char slip39_fuzz_fast_kdf_marker[] =
	"CE_FUZZ_FAST_KDF: SLIP-39 KDF reduced, NOT FOR PRODUCTION";
#endif
#define SLIP39_SALT_PREFIX "shamir"
#define SLIP39_SALT_PREFIX_LEN 6
#define SLIP39_ID_BYTES 2
#define SLIP39_SUGGEST_MAX 3

_Static_assert(SLIP39_MAX_WORDS == SLIP39_META_WORDS + RS1024_CHECKSUM_WORDS +
	       (SLIP39_MAX_SECRET_BYTES * 8 + SLIP39_RADIX_BITS - 1) / SLIP39_RADIX_BITS,
	       "SLIP39_MAX_WORDS matches the longest secret");
_Static_assert(SLIP39_MAX_SHARE_COUNT == SHAMIR_MAX_SHARES, "one bound for both levels");
_Static_assert(SLIP39_MAX_SECRET_BYTES <= SHAMIR_MAX_LEN, "shamir holds a secret");

/* ---- passphrase encryption: 4-round Feistel network, PBKDF2-HMAC-SHA256 ---- */

/* Printable ASCII only, checked without revealing which byte failed. */
static int passphrase_check(const uint8_t *p, size_t len)
{
	uint32_t bad = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bad |= ct_u32_lt(p[i], 32) | ct_u32_lt(126, p[i]);
	CE_DECLASSIFY(&bad, sizeof(bad)); /* the verdict is public */
	if (bad != 0)
		return ce_err_set(CE_ERR_INVALID,
				  "the passphrase must be printable ASCII (space to '~')");
	return 0;
}

/* decrypt != 0 runs the rounds backwards. out and in may not overlap. */
static int slip39_feistel(int decrypt, const uint8_t *in, size_t len, const uint8_t *pass,
			  size_t pass_len, uint8_t e, uint16_t identifier, int extendable,
			  uint8_t *out)
{
	int r = CE_ERR_INTERNAL;
	size_t half = len / 2, salt_pre = 0, i;
	uint8_t *key = NULL, *salt = NULL, *lr = NULL, *f = NULL;
	uint32_t iterations = (SLIP39_BASE_ITERATIONS << e) / SLIP39_ROUNDS;
	int round;

#ifdef CE_FUZZ_FAST_KDF
	iterations = 1;
#endif

	if (len % 2 != 0 || len > SLIP39_MAX_SECRET_BYTES || e > SLIP39_MAX_ITERATION_EXP) {
		r = ce_err_set(CE_ERR_INVALID, "bad length %zu or iteration exponent %u", len,
			       (unsigned)e);
		goto out;
	}
	r = passphrase_check(pass, pass_len);
	if (r < 0)
		goto out;
	key = secmem_alloc(pass_len + 1);
	salt = secmem_alloc(SLIP39_SALT_PREFIX_LEN + SLIP39_ID_BYTES + half);
	lr = secmem_alloc(len);
	f = secmem_alloc(half);
	if (key == NULL || salt == NULL || lr == NULL || f == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if (pass_len > 0)
		memcpy(key + 1, pass, pass_len);
	if (!extendable) {
		memcpy(salt, SLIP39_SALT_PREFIX, SLIP39_SALT_PREFIX_LEN);
		salt[SLIP39_SALT_PREFIX_LEN] = (uint8_t)(identifier >> 8);
		salt[SLIP39_SALT_PREFIX_LEN + 1] = (uint8_t)identifier;
		salt_pre = SLIP39_SALT_PREFIX_LEN + SLIP39_ID_BYTES;
	}
	memcpy(lr, in, len); /* lr = L || R */
	for (round = 0; round < SLIP39_ROUNDS; round++) {
		int idx = decrypt ? SLIP39_ROUNDS - 1 - round : round;

		key[0] = (uint8_t)idx;
		memcpy(salt + salt_pre, lr + half, half);
		if (PKCS5_PBKDF2_HMAC((const char *)key, (int)(pass_len + 1), salt,
				      (int)(salt_pre + half), (int)iterations, EVP_sha256(), (int)half,
				      f) != 1) {
			r = ce_err_set(CE_ERR_CRYPTO, "PBKDF2-HMAC-SHA256 failed");
			goto out;
		}
		/* (L, R) <- (R, L ^ F(R)) */
		for (i = 0; i < half; i++) {
			uint8_t nr = (uint8_t)(lr[i] ^ f[i]);
			lr[i] = lr[half + i];
			lr[half + i] = nr;
		}
	}
	/* output R || L */
	memcpy(out, lr + half, half);
	memcpy(out + half, lr, half);
	r = 0;
out:
	secmem_free(key);
	secmem_free(salt);
	secmem_free(lr);
	secmem_free(f);
	return r;
}

/* ---- share <-> words ---- */

static int share_params_check(const struct slip39_share *s)
{
	if (s->identifier > 0x7fff || s->extendable > 1 ||
	    s->iteration_exponent > SLIP39_MAX_ITERATION_EXP ||
	    s->group_index >= SLIP39_MAX_SHARE_COUNT || s->group_threshold < 1 ||
	    s->group_threshold > SLIP39_MAX_SHARE_COUNT || s->group_count < 1 ||
	    s->group_count > SLIP39_MAX_SHARE_COUNT || s->member_index >= SLIP39_MAX_SHARE_COUNT ||
	    s->member_threshold < 1 || s->member_threshold > SLIP39_MAX_SHARE_COUNT ||
	    s->value_len < SLIP39_MIN_SECRET_BYTES || s->value_len > SLIP39_MAX_SECRET_BYTES ||
	    s->value_len % 2 != 0)
		return ce_err_set(CE_ERR_INVALID, "share parameters out of range");
	if (s->group_threshold > s->group_count)
		return ce_err_set(CE_ERR_FORMAT, "group threshold %u is greater than the group count %u",
				  (unsigned)s->group_threshold, (unsigned)s->group_count);
	return 0;
}

int slip39_share_to_words(const struct slip39_share *share, uint16_t *out)
{
	int r = CE_ERR_INTERNAL;
	size_t nvw, pad, n = 0, i;
	uint32_t acc = 0, nbits;

	r = share_params_check(share);
	if (r < 0)
		goto out;
	out[n++] = (uint16_t)(share->identifier >> 5);
	out[n++] = (uint16_t)(((share->identifier & 31u) << 5) | ((unsigned)share->extendable << 4) |
			      share->iteration_exponent);
	out[n++] = (uint16_t)(((unsigned)share->group_index << 6) |
			      ((unsigned)(share->group_threshold - 1) << 2) |
			      ((unsigned)(share->group_count - 1) >> 2));
	out[n++] = (uint16_t)((((unsigned)(share->group_count - 1) & 3u) << 8) |
			      ((unsigned)share->member_index << 4) |
			      (unsigned)(share->member_threshold - 1));
	nvw = ((size_t)share->value_len * 8 + SLIP39_RADIX_BITS - 1) / SLIP39_RADIX_BITS;
	pad = nvw * SLIP39_RADIX_BITS - (size_t)share->value_len * 8;
	/* the value as a big-endian bit string after pad zero bits; shift amounts
	 * depend only on the (public) length */
	nbits = (uint32_t)pad;
	for (i = 0; i < share->value_len; i++) {
		acc = (acc << 8) | share->value[i];
		nbits += 8;
		if (nbits >= SLIP39_RADIX_BITS) {
			nbits -= SLIP39_RADIX_BITS;
			out[n++] = (uint16_t)((acc >> nbits) & 1023u);
			acc &= (1u << nbits) - 1;
		}
	}
	rs1024_create(share->extendable, out, n, out + n);
	n += RS1024_CHECKSUM_WORDS;
	r = (int)n;
out:
	acc = 0;
	ce_wipe(&acc, sizeof(acc));
	return r;
}

int slip39_words_extendable(const uint16_t *words, size_t n)
{
	uint32_t ext;

	if (n < 2)
		return CE_ERR_FORMAT;
	ext = ((uint32_t)words[1] >> 4) & 1;
	CE_DECLASSIFY(&ext, sizeof(ext)); /* a public parameter */
	return (int)ext;
}

int slip39_words_decode(const uint16_t *words, size_t n, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	size_t nvw, pad, i, vlen = 0;
	uint32_t acc = 0, nbits = 0, padbits, ok;
	struct slip39_share s;
	int ext;

	memset(&s, 0, sizeof(s));
	if (n < SLIP39_MIN_WORDS) {
		r = ce_err_set(CE_ERR_FORMAT, "%zu words: a share has at least %d", n,
			       SLIP39_MIN_WORDS);
		goto out;
	}
	if (n > SLIP39_MAX_WORDS) {
		r = ce_err_set(CE_ERR_FORMAT, "%zu words: a share has at most %d", n,
			       SLIP39_MAX_WORDS);
		goto out;
	}
	nvw = n - SLIP39_META_WORDS - RS1024_CHECKSUM_WORDS;
	pad = (nvw * SLIP39_RADIX_BITS) % 16;
	if (pad > 8) {
		r = ce_err_set(CE_ERR_PADDING,
			       "bad padding: %zu words is not a valid share length", n);
		goto out;
	}
	ext = slip39_words_extendable(words, n);
	ok = (uint32_t)rs1024_verify(ext, words, n);
	CE_DECLASSIFY(&ok, sizeof(ok)); /* the checksum verdict is public */
	if (!ok) {
		r = ce_err_set(CE_ERR_CHECKSUM, "bad checksum (a word mistyped, swapped or missing?)");
		goto out;
	}
	s.identifier = (uint16_t)(((uint32_t)words[0] << 5) | ((uint32_t)words[1] >> 5));
	s.extendable = (uint8_t)ext;
	s.iteration_exponent = (uint8_t)(words[1] & 15u);
	s.group_index = (uint8_t)(words[2] >> 6);
	s.group_threshold = (uint8_t)(((words[2] >> 2) & 15u) + 1);
	s.group_count = (uint8_t)((((words[2] & 3u) << 2) | (words[3] >> 8)) + 1);
	s.member_index = (uint8_t)((words[3] >> 4) & 15u);
	s.member_threshold = (uint8_t)((words[3] & 15u) + 1);
	/* the parameters in the first four words are public by design */
	CE_DECLASSIFY(&s, offsetof(struct slip39_share, value));
	if (s.group_threshold > s.group_count) {
		r = ce_err_set(CE_ERR_FORMAT,
			       "group threshold %u is greater than the group count %u",
			       (unsigned)s.group_threshold, (unsigned)s.group_count);
		goto out;
	}
	vlen = (nvw * SLIP39_RADIX_BITS - pad) / 8;
	padbits = (uint32_t)words[SLIP39_META_WORDS] >> (SLIP39_RADIX_BITS - pad);
	ok = ct_u32_is_zero(padbits) & 1;
	CE_DECLASSIFY(&ok, sizeof(ok)); /* the padding verdict is public */
	if (!ok) {
		r = ce_err_set(CE_ERR_PADDING, "bad padding: the padding bits are not zero");
		goto out;
	}
	for (i = 0; i < nvw; i++) {
		acc = (acc << SLIP39_RADIX_BITS) | words[SLIP39_META_WORDS + i];
		nbits += SLIP39_RADIX_BITS;
		if (i == 0) {
			nbits -= (uint32_t)pad;
			acc &= (1u << nbits) - 1;
		}
		while (nbits >= 8) {
			nbits -= 8;
			s.value[s.value_len++] = (uint8_t)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	if (s.value_len != vlen || vlen < SLIP39_MIN_SECRET_BYTES) {
		r = ce_err_set(CE_ERR_PADDING, "bad padding: %zu words is not a valid share length", n);
		goto out;
	}
	*share = s;
	r = 0;
out:
	ce_wipe(&s, sizeof(s));
	ce_wipe(&acc, sizeof(acc));
	return r;
}

/* ASCII whitespace. Where the words of a share begin and end (their typed
 * lengths) is public; the letters are not. */
static int is_blank(char c)
{
	uint32_t x = (uint8_t)c;
	uint32_t m = ct_u32_eq(x, ' ') | ct_u32_eq(x, '\t') | ct_u32_eq(x, '\n') |
		     ct_u32_eq(x, '\r') | ct_u32_eq(x, '\v') | ct_u32_eq(x, '\f');

	m &= 1;
	CE_DECLASSIFY(&m, sizeof(m));
	return (int)m;
}

static void word_error(const char *w, size_t len, size_t pos)
{
	uint16_t sug[SLIP39_SUGGEST_MAX];
	size_t ns = slip39_word_suggest(w, len, sug, SLIP39_SUGGEST_MAX), i;
	char list[SLIP39_SUGGEST_MAX * (SLIP39_WORD_MAX_LEN + 2) + 1];
	size_t off = 0;

	list[0] = '\0';
	for (i = 0; i < ns; i++) {
		int k = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
				 slip39_wordlist[sug[i]]);
		if (k < 0 || (size_t)k >= sizeof(list) - off)
			break;
		off += (size_t)k;
	}
	if (ns > 0)
		ce_err_set(CE_ERR_WORD, "unknown word: word %zu is not in the SLIP-39 wordlist (nearest: %s)", pos,
			   list);
	else
		ce_err_set(CE_ERR_WORD, "unknown word: word %zu is not in the SLIP-39 wordlist", pos);
	ce_wipe(list, sizeof(list));
	ce_wipe(sug, sizeof(sug));
}

int slip39_mnemonic_decode(const char *text, size_t text_len, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	uint16_t *words = NULL;
	size_t n = 0, i = 0;

	words = secmem_alloc((SLIP39_MAX_WORDS + 1) * sizeof(*words));
	if (words == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	while (i < text_len) {
		size_t start;
		int idx;
		uint32_t bad;

		if (is_blank(text[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < text_len && !is_blank(text[i]))
			i++;
		if (n >= SLIP39_MAX_WORDS) {
			r = ce_err_set(CE_ERR_FORMAT, "more than %d words: a share has at most %d",
				       SLIP39_MAX_WORDS, SLIP39_MAX_WORDS);
			goto out;
		}
		idx = slip39_word_index(text + start, i - start);
		bad = (uint32_t)idx >> 31;
		CE_DECLASSIFY(&bad, sizeof(bad)); /* "not a word" is told to the user */
		if (bad) {
			word_error(text + start, i - start, n + 1);
			r = CE_ERR_WORD;
			goto out;
		}
		words[n++] = (uint16_t)idx;
	}
	r = slip39_words_decode(words, n, share);
out:
	if (words != NULL)
		secmem_free(words);
	return r;
}

int slip39_mnemonic_encode(const struct slip39_share *share, char *out, size_t cap)
{
	int r = CE_ERR_INTERNAL;
	uint16_t *words = NULL;
	size_t off = 0, i, n;
	int k;

	words = secmem_alloc(SLIP39_MAX_WORDS * sizeof(*words));
	if (words == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	k = slip39_share_to_words(share, words);
	if (k < 0) {
		r = k;
		goto out;
	}
	n = (size_t)k;
	for (i = 0; i < n; i++) {
		char w[SLIP39_WORD_MAX_LEN];
		size_t wl = slip39_word_copy_ct(words[i], w);

		if (off + wl + 2 > cap) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "mnemonic buffer of %zu bytes too small", cap);
			goto out;
		}
		if (i > 0)
			out[off++] = ' ';
		memcpy(out + off, w, wl);
		off += wl;
		ce_wipe(w, sizeof(w));
	}
	out[off] = '\0';
	r = 0;
out:
	if (r < 0 && cap > 0)
		ce_wipe(out, cap);
	secmem_free(words);
	return r;
}

/* ---- split ---- */

static int split_params_check(size_t len, const struct slip39_split_params *p)
{
	size_t g;

	if (len < SLIP39_MIN_SECRET_BYTES || len > SLIP39_MAX_SECRET_BYTES || len % 2 != 0)
		return ce_err_set(CE_ERR_INVALID,
				  "the secret is %zu bytes; it must be an even length of %d to %d",
				  len, SLIP39_MIN_SECRET_BYTES, SLIP39_MAX_SECRET_BYTES);
	if (p->group_count < 1 || p->group_count > SLIP39_MAX_SHARE_COUNT)
		return ce_err_set(CE_ERR_INVALID, "%u groups: 1 to %d allowed",
				  (unsigned)p->group_count, SLIP39_MAX_SHARE_COUNT);
	if (p->group_threshold < 1 || p->group_threshold > p->group_count)
		return ce_err_set(CE_ERR_INVALID,
				  "group threshold %u: must be 1 to the group count %u",
				  (unsigned)p->group_threshold, (unsigned)p->group_count);
	for (g = 0; g < p->group_count; g++) {
		const struct slip39_group_spec *gs = &p->groups[g];

		if (gs->count < 1 || gs->count > SLIP39_MAX_SHARE_COUNT || gs->threshold < 1 ||
		    gs->threshold > gs->count)
			return ce_err_set(CE_ERR_INVALID,
					  "group %zu: %u of %u (need 1 <= threshold <= count <= %d)",
					  g + 1, (unsigned)gs->threshold, (unsigned)gs->count,
					  SLIP39_MAX_SHARE_COUNT);
		/* SLIP-39: several members with threshold 1 would be copies */
		if (gs->threshold == 1 && gs->count > 1)
			return ce_err_set(CE_ERR_INVALID,
					  "group %zu: 1 of %u would give %u copies of one share; "
					  "use 1/1", g + 1, (unsigned)gs->count, (unsigned)gs->count);
	}
	if (p->iteration_exponent > SLIP39_MAX_ITERATION_EXP)
		return ce_err_set(CE_ERR_INVALID, "iteration exponent %u: 0 to %d allowed",
				  (unsigned)p->iteration_exponent, SLIP39_MAX_ITERATION_EXP);
	if (p->passphrase == NULL && p->passphrase_len != 0)
		return ce_err_set(CE_ERR_INVALID, "passphrase length without a passphrase");
	return 0;
}

int slip39_split(const uint8_t *secret, size_t len, const struct slip39_split_params *p,
		 struct slip39_share_set **out)
{
	int r = CE_ERR_INTERNAL;
	struct slip39_share_set *set = NULL;
	uint8_t *ems = NULL, *groups = NULL, *members = NULL;
	uint8_t idb[SLIP39_ID_BYTES];
	uint16_t identifier;
	int extendable;
	size_t g, m;

	*out = NULL;
	r = split_params_check(len, p);
	if (r < 0)
		goto out;
	extendable = p->extendable ? 1 : 0;
	set = secmem_alloc(sizeof(*set));
	ems = secmem_alloc(len);
	groups = secmem_alloc(SLIP39_MAX_SHARE_COUNT * len);
	members = secmem_alloc(SLIP39_MAX_SHARE_COUNT * len);
	if (set == NULL || ems == NULL || groups == NULL || members == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if (RAND_priv_bytes(idb, sizeof(idb)) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "RAND_priv_bytes failed");
		goto out;
	}
	identifier = (uint16_t)(((unsigned)idb[0] << 8 | idb[1]) & 0x7fffu);
	r = slip39_feistel(0, secret, len, p->passphrase, p->passphrase_len, p->iteration_exponent,
			   identifier, extendable, ems);
	if (r < 0)
		goto out;
	r = shamir_split(p->group_threshold, p->group_count, ems, len, groups);
	if (r < 0)
		goto out;
	set->group_count = p->group_count;
	set->group_threshold = p->group_threshold;
	for (g = 0; g < p->group_count; g++) {
		const struct slip39_group_spec *gs = &p->groups[g];

		r = shamir_split(gs->threshold, gs->count, groups + g * len, len, members);
		if (r < 0)
			goto out;
		set->member_count[g] = gs->count;
		for (m = 0; m < gs->count; m++) {
			struct slip39_share *s = &set->shares[g][m];

			s->identifier = identifier;
			s->extendable = (uint8_t)extendable;
			s->iteration_exponent = p->iteration_exponent;
			s->group_index = (uint8_t)g;
			s->group_threshold = p->group_threshold;
			s->group_count = p->group_count;
			s->member_index = (uint8_t)m;
			s->member_threshold = gs->threshold;
			s->value_len = (uint8_t)len;
			memcpy(s->value, members + m * len, len);
		}
	}
	*out = set;
	set = NULL; /* transferred */
	r = 0;
out:
	secmem_free(set);
	secmem_free(ems);
	secmem_free(groups);
	secmem_free(members);
	return r;
}

void slip39_share_set_free(struct slip39_share_set *set)
{
	secmem_free(set);
}

/* ---- combine ---- */

struct combine_names {
	const char *unit;         /* "share", "line" */
	const size_t *numbers;    /* numbers[i] names shares[i]; NULL: i + 1 */
};

static size_t name_of(const struct combine_names *nm, size_t i)
{
	return nm->numbers != NULL ? nm->numbers[i] : i + 1;
}

/* Shares must agree on what the whole set shares. */
static int combine_check_common(const struct slip39_share *sh, size_t n,
				const struct combine_names *nm)
{
	const struct slip39_share *a = &sh[0];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const struct slip39_share *b = &sh[i];
		const char *what = NULL;

		r = share_params_check(b);
		if (r < 0)
			return ce_err_prefix(r, "%s %zu", nm->unit, name_of(nm, i));
		if (i == 0)
			continue;
		if (b->identifier != a->identifier)
			what = "identifier (a share of another set?)";
		else if (b->extendable != a->extendable)
			what = "extendable flag";
		else if (b->iteration_exponent != a->iteration_exponent)
			what = "iteration exponent";
		else if (b->group_threshold != a->group_threshold)
			what = "group threshold";
		else if (b->group_count != a->group_count)
			what = "group count";
		else if (b->value_len != a->value_len)
			what = "length";
		if (what != NULL)
			return ce_err_set(CE_ERR_MISMATCH, "%s %zu: mismatched %s: differs from %s %zu",
					  nm->unit, name_of(nm, i), what, nm->unit, name_of(nm, 0));
	}
	return 0;
}

/* The given shares by group: positions in sh (public metadata only). */
struct combine_groups {
	size_t at[SLIP39_MAX_SHARE_COUNT][SLIP39_MAX_SHARE_COUNT];
	uint8_t n[SLIP39_MAX_SHARE_COUNT];
};

/* Sort the shares into their groups; a group's members must agree on the
 * member threshold and be distinct. */
static int combine_group(const struct slip39_share *sh, size_t n, const struct combine_names *nm,
			 struct combine_groups *gr)
{
	uint8_t gc = sh[0].group_count;
	size_t i, j, g;

	memset(gr->n, 0, sizeof(gr->n));
	for (i = 0; i < n; i++) {
		g = sh[i].group_index;
		if (g >= gc)
			return ce_err_set(CE_ERR_FORMAT, "%s %zu: group %zu of only %u groups",
					  nm->unit, name_of(nm, i), g + 1, (unsigned)gc);
		for (j = 0; j < gr->n[g]; j++) {
			const struct slip39_share *o = &sh[gr->at[g][j]];

			if (o->member_threshold != sh[i].member_threshold)
				return ce_err_set(CE_ERR_MISMATCH,
						  "%s %zu: mismatched member threshold: %u for group %zu, "
						  "but %u in %s %zu", nm->unit, name_of(nm, i),
						  (unsigned)sh[i].member_threshold, g + 1,
						  (unsigned)o->member_threshold, nm->unit,
						  name_of(nm, gr->at[g][j]));
			if (o->member_index == sh[i].member_index)
				return ce_err_set(CE_ERR_DUPLICATE,
						  "%s %zu: duplicate member: member %u of group %zu was already given by %s %zu",
						  nm->unit, name_of(nm, i), sh[i].member_index + 1u, g + 1,
						  nm->unit, name_of(nm, gr->at[g][j]));
		}
		gr->at[g][gr->n[g]++] = i;
	}
	return 0;
}

/* A 1-of-N group holds copies of one value: differing copies are not one
 * set. The values are compared in constant time; only the verdict is public. */
static int combine_check_copies(const struct slip39_share *sh, const struct combine_groups *gr,
				const struct combine_names *nm)
{
	size_t g, j, len = sh[0].value_len;

	for (g = 0; g < sh[0].group_count; g++) {
		if (gr->n[g] < 2 || sh[gr->at[g][0]].member_threshold != 1)
			continue;
		for (j = 1; j < gr->n[g]; j++) {
			int same = ct_memeq(sh[gr->at[g][0]].value, sh[gr->at[g][j]].value, len);

			CE_DECLASSIFY(&same, sizeof(same));
			if (!same)
				return ce_err_set(CE_ERR_MISMATCH,
						  "%s %zu: mismatched share: group %zu has threshold 1 but "
						  "differs from %s %zu", nm->unit, name_of(nm, gr->at[g][j]),
						  g + 1, nm->unit, name_of(nm, gr->at[g][0]));
		}
	}
	return 0;
}

/* A group is complete with member_threshold of its members; enough groups
 * must be, or the error says what each group has. */
static int combine_check_quorum(const struct slip39_share *sh, const struct combine_groups *gr)
{
	char have[SLIP39_MAX_SHARE_COUNT * 40 + 1];
	uint8_t g, gc = sh[0].group_count, gt = sh[0].group_threshold;
	size_t complete = 0, off = 0;

	for (g = 0; g < gc; g++)
		if (gr->n[g] > 0 && gr->n[g] >= sh[gr->at[g][0]].member_threshold)
			complete++;
	if (complete >= gt)
		return 0;
	have[0] = '\0';
	for (g = 0; g < gc; g++) {
		int k;

		if (gr->n[g] == 0)
			k = snprintf(have + off, sizeof(have) - off, "%sgroup %u: none",
				     off ? ", " : "", g + 1u);
		else
			k = snprintf(have + off, sizeof(have) - off,
				     "%sgroup %u: %u of the %u members needed", off ? ", " : "", g + 1u,
				     (unsigned)gr->n[g], (unsigned)sh[gr->at[g][0]].member_threshold);
		if (k < 0 || (size_t)k >= sizeof(have) - off)
			break;
		off += (size_t)k;
	}
	return ce_err_set(CE_ERR_QUORUM, "too few groups or members: %zu of the %u groups needed are complete (%s)",
			  complete, (unsigned)gt, have);
}

/* Prefix the error r of recovering group g with the shares it used. */
static int combine_group_error(int r, const struct combine_groups *gr, size_t g, size_t mt,
			       const struct combine_names *nm)
{
	char list[SLIP39_MAX_SHARE_COUNT * 8 + 1];
	size_t j, off = 0;

	list[0] = '\0';
	for (j = 0; j < mt; j++) {
		int k = snprintf(list + off, sizeof(list) - off, "%s%zu", j ? ", " : "",
				 name_of(nm, gr->at[g][j]));
		if (k < 0 || (size_t)k >= sizeof(list) - off)
			break;
		off += (size_t)k;
	}
	return ce_err_prefix(r, "group %zu (%ss %s)", g + 1, nm->unit, list);
}

/* Recover the group shares of the first group_threshold complete groups
 * into gys (secmem, SLIP39_MAX_SHARE_COUNT * len), their indices into gxs;
 * *used how many. ys is scratch (secmem, same size); the caller wipes both. */
static int combine_recover_groups(const struct slip39_share *sh, const struct combine_groups *gr,
				  const struct combine_names *nm, uint8_t *ys, uint8_t *gys,
				  uint8_t *gxs, size_t *used)
{
	int r = CE_ERR_INTERNAL;
	uint8_t xs[SLIP39_MAX_SHARE_COUNT];
	size_t g, j, len = sh[0].value_len;

	*used = 0;
	for (g = 0; g < sh[0].group_count && *used < sh[0].group_threshold; g++) {
		uint8_t mt;

		if (gr->n[g] == 0 || gr->n[g] < sh[gr->at[g][0]].member_threshold)
			continue;
		mt = sh[gr->at[g][0]].member_threshold;
		for (j = 0; j < mt; j++) {
			xs[j] = sh[gr->at[g][j]].member_index;
			memcpy(ys + j * len, sh[gr->at[g][j]].value, len);
		}
		r = shamir_recover(mt, xs, ys, mt, len, gys + *used * len);
		if (r < 0) {
			r = combine_group_error(r, gr, g, mt, nm);
			goto out;
		}
		gxs[(*used)++] = (uint8_t)g;
	}
	r = 0;
out:
	return r;
}

static int combine_impl(const struct slip39_share *sh, size_t n, const uint8_t *pass,
			size_t pass_len, uint8_t *out, size_t *out_len,
			const struct combine_names *nm)
{
	int r = CE_ERR_INTERNAL;
	struct combine_groups gr;
	uint8_t *ys = NULL, *gys = NULL, *ems = NULL;
	uint8_t gxs[SLIP39_MAX_SHARE_COUNT];
	size_t len, used = 0;

	*out_len = 0;
	if (n == 0) {
		r = ce_err_set(CE_ERR_QUORUM, "no shares given");
		goto out;
	}
	r = combine_check_common(sh, n, nm);
	if (r < 0)
		goto out;
	r = combine_group(sh, n, nm, &gr);
	if (r < 0)
		goto out;
	r = combine_check_copies(sh, &gr, nm);
	if (r < 0)
		goto out;
	r = combine_check_quorum(sh, &gr);
	if (r < 0)
		goto out;
	len = sh[0].value_len;
	ys = secmem_alloc(SLIP39_MAX_SHARE_COUNT * len);
	gys = secmem_alloc(SLIP39_MAX_SHARE_COUNT * len);
	ems = secmem_alloc(len);
	if (ys == NULL || gys == NULL || ems == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = combine_recover_groups(sh, &gr, nm, ys, gys, gxs, &used);
	if (r < 0)
		goto out;
	r = shamir_recover(sh[0].group_threshold, gxs, gys, used, len, ems);
	if (r < 0) {
		r = ce_err_prefix(r, "combining the groups");
		goto out;
	}
	r = slip39_feistel(1, ems, len, pass, pass_len, sh[0].iteration_exponent,
			   sh[0].identifier, sh[0].extendable, out);
	if (r < 0)
		goto out;
	*out_len = len;
	r = 0;
out:
	secmem_free(ys);
	secmem_free(gys);
	secmem_free(ems);
	return r;
}

int slip39_combine(const struct slip39_share *shares, size_t n, const uint8_t *passphrase,
		   size_t passphrase_len, uint8_t *out, size_t *out_len)
{
	struct combine_names nm = { "share", NULL };

	return combine_impl(shares, n, passphrase, passphrase_len, out, out_len, &nm);
}

int slip39_combine_named(const struct slip39_share *shares, size_t n, const char *unit,
			 const size_t *numbers, const uint8_t *passphrase, size_t passphrase_len,
			 uint8_t *out, size_t *out_len)
{
	struct combine_names nm = { unit != NULL ? unit : "share", numbers };

	return combine_impl(shares, n, passphrase, passphrase_len, out, out_len, &nm);
}
