/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/pin.c - pinned trust: the keys an auditor expects to have
 * signed a transcript (--expect-key), as read off the paper log (the eight
 * fingerprint words) or as the SPKI SHA-256 in hex; and the sentence saying
 * what a verdict proves and what it does not (verify.h, verify_pin_*).
 */
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"
#include "shares/wordlist.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int verify_pin_parse(const char *in, char *out, size_t cap)
{
	int r = CE_ERR_INTERNAL;
	size_t i, n = 0, pos = 0, len;
	const char *p = in;

	if (cap < FINGERPRINT_WORDS_MAX_LEN || cap < TRANSCRIPT_HASH_HEX_LEN + 1) {
		r = ce_err_set(CE_ERR_INVALID, "expected key: buffer too small");
		goto out;
	}
	out[0] = '\0';
	len = strlen(in);
	if (len == TRANSCRIPT_HASH_HEX_LEN && strspn(in, "0123456789abcdefABCDEF") == len) {
		for (i = 0; i < len; i++)
			out[i] = (char)tolower((unsigned char)in[i]);
		out[len] = '\0';
		r = 0;
		goto out;
	}
	/* Words as written on the paper log: blanks between them, any case; a
	 * word's unique four-letter prefix is the word (as for shares). */
	for (;;) {
		int idx;
		size_t wl;

		p += strspn(p, " \t\n");
		if (*p == '\0')
			break;
		wl = strcspn(p, " \t\n");
		idx = n < FINGERPRINT_WORDS ? slip39_word_index(p, wl) : -1;
		if (idx < 0) {
			r = ce_err_set(CE_ERR_FORMAT,
				       "expected key \"%.100s\": neither %d fingerprint words nor a "
				       "%d-digit hex SPKI SHA-256 (%s \"%.*s\")",
				       in, FINGERPRINT_WORDS, TRANSCRIPT_HASH_HEX_LEN,
				       n < FINGERPRINT_WORDS ? "not a word of the list:" : "one word too many:",
				       (int)(wl > 20 ? 20 : wl), p);
			goto out;
		}
		pos += (size_t)snprintf(out + pos, cap - pos, "%s%s", n ? " " : "",
					slip39_wordlist[idx]);
		n++;
		p += wl;
	}
	if (n != FINGERPRINT_WORDS) {
		r = ce_err_set(CE_ERR_FORMAT,
			       "expected key \"%.100s\": %zu words, a fingerprint has %d (or give "
			       "the %d-digit hex SPKI SHA-256)",
			       in, n, FINGERPRINT_WORDS, TRANSCRIPT_HASH_HEX_LEN);
		out[0] = '\0';
		goto out;
	}
	r = 0;
out:
	return r;
}

int verify_pin_matches(const char *pin, const char *spki_hex)
{
	char words[FINGERPRINT_WORDS_MAX_LEN];

	if (pin[0] == '\0' || spki_hex == NULL || spki_hex[0] == '\0')
		return 0;
	if (strlen(pin) == TRANSCRIPT_HASH_HEX_LEN && strchr(pin, ' ') == NULL)
		return strcmp(pin, spki_hex) == 0;
	if (ceremony_fingerprint_words_hex(spki_hex, words, sizeof(words)) != 0) {
		ce_err_clear();
		return 0;
	}
	return strcmp(pin, words) == 0;
}

/* policy 4.4.4: the log's authenticity - the signer against --expect-key
 * (the paper log's words): FAILED when it is none of them. */
int verify_pin_check(const struct verify_opts *opts, struct verify_report *rep)
{
	size_t i;
	int r;

	rep->n_expected = 0;
	for (i = 0; i < opts->n_expect_keys; i++) {
		if (rep->n_expected == VERIFY_EXPECT_MAX)
			return ce_err_set(CE_ERR_TOO_LARGE, "more than %d expected keys",
					  VERIFY_EXPECT_MAX);
		r = verify_pin_parse(opts->expect_keys[i], rep->expected[rep->n_expected],
				     sizeof(rep->expected[0]));
		if (r < 0)
			return r;
		rep->n_expected++;
	}
	if (rep->n_expected == 0 || rep->verdict == VERIFY_FAILED || rep->key_line == 0)
		return 0;
	for (i = 0; i < rep->n_expected; i++)
		if (verify_pin_matches(rep->expected[i], rep->key_spki_sha256)) {
			rep->signer_matched = 1;
			return 0;
		}
	verify_report_fail(rep, 0,
			   "%s key %s (%s) is not an expected key (--expect-key): not the "
			   "ceremony's transcript",
			   rep->signature_ok ? "signed by" : "the transcript announces", rep->key_words,
			   rep->key_spki_sha256);
	snprintf(rep->proof, sizeof(rep->proof),
		 "%s key %s, which is none of the expected keys: whoever holds that key wrote "
		 "this file; nothing shows it is the ceremony's transcript",
		 rep->signature_ok ? "the file is unchanged since signing by" : "not signed; it names",
		 rep->key_words);
	return 0;
}

/* A rehearsal or a run with answers from a file is not the production
 * ceremony; --require-production refuses it. */
void verify_production_check(const struct verify_opts *opts, struct verify_report *rep)
{
	if (!opts->require_production || rep->verdict == VERIFY_FAILED || rep->events == 0)
		return;
	if (!rep->production)
		snprintf(rep->proof, sizeof(rep->proof),
			 "whatever its signature shows, this is not shown to be a production "
			 "ceremony: a rehearsal or scripted run proves nothing about production keys");
	if (rep->rehearsal)
		verify_report_fail(rep, 1, "a rehearsal (ceremony.start rehearsal: true), not a "
					   "production ceremony (--require-production)");
	else if (rep->scripted_input)
		verify_report_fail(rep, 1, "prompts answered from a file (ceremony.start "
					   "scripted_input: true), not a production ceremony "
					   "(--require-production)");
	else if (!rep->production)
		verify_report_fail(rep, 1, "ceremony.start does not record rehearsal: false and "
					   "scripted_input: false: not shown to be a production "
					   "ceremony (--require-production)");
}

/* What the verdict proves, in one sentence for the reader. */
void verify_pin_proof(struct verify_report *rep)
{
	char *p = rep->proof;
	size_t cap = sizeof(rep->proof);
	const char *cut = rep->verdict == VERIFY_INCOMPLETE ? "the ceremony did not complete; " : "";

	if (p[0] != '\0') /* set with the failure (verify_pin_check, verify_production_check) */
		return;
	if (rep->verdict == VERIFY_FAILED)
		snprintf(p, cap, "nothing is proven: the transcript is not genuine or a rule is "
				 "broken; none of it can be relied on");
	else if (!rep->signature_ok)
		snprintf(p, cap, "%snot signed: nothing proves who wrote these lines, anyone could "
				 "have written them", cut);
	else if (rep->n_expected == 0)
		snprintf(p, cap, "%ssigner key not pinned: this proves the file was not changed "
				 "after signing by key %s, not that this key is the ceremony's "
				 "(compare its words with the paper log, or pass --expect-key)",
			 cut, rep->key_words);
	else
		snprintf(p, cap, "%ssigned by an expected key (--expect-key), %s, and not changed "
				 "since", cut, rep->key_words);
}

const char *verify_production_text(const struct verify_report *rep)
{
	if (rep->production)
		return "yes (not a rehearsal, prompts answered at the console)";
	if (rep->rehearsal)
		return rep->scripted_input ? "NO: a rehearsal, prompts answered from a file" :
					     "NO: a rehearsal";
	if (rep->scripted_input)
		return "NO: prompts answered from a file (--input)";
	return "not recorded (no rehearsal/scripted_input: false)";
}
