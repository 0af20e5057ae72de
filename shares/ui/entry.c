/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/rs1024.h"
#include "shares/slip39.h"
#include "shares/ui/screen.h"
#include "shares/ui/ui_guard.h"
#include "shares/wordlist.h"
#include "common/buf.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/esc.h"
#include "common/secmem.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * Taking a share back from its holder.
 *
 * At a terminal the keystrokes are read one by one with echo off. What the
 * screen shows: the word number being typed and a mark that turns at each
 * keystroke, never the letters nor their count (a count would tell an
 * onlooker each word's length, ~2 bits a word). A word ends at Space or
 * Enter; "word N ok" confirms it without showing it. A keystroke after which
 * no word of the list can begin with the letters typed is refused at once,
 * with the nearest words; Backspace corrects, a Backspace with no letters
 * takes back the previous word.
 *
 * When is the share complete? Its length depends on the secret (20 words
 * for 16 bytes, 33 for 32 bytes, 7 + ceil(8 * bytes / 10) in general), so
 * entry ends (a) by itself once 20 or more words carry a valid checksum, or
 * (b) when the holder presses Enter on an empty word after 20 or more words,
 * or (c) at SLIP39_MAX_WORDS. (a) can end a longer share early only if a
 * prefix of it happens to pass RS1024, about 1 in 2^30.
 */

#define ENTRY_TYPED_MAX 16          /* letters kept of the word being typed */
#define ENTRY_LINE_MAX 1024         /* a pasted/piped mnemonic line */
#define ENTRY_SUGGEST_MAX 4
#define ENTRY_FIX_MAX 8

struct entry_state {
	uint16_t words[SLIP39_MAX_WORDS];
	size_t n;
	char typed[ENTRY_TYPED_MAX];
	size_t typed_len;
	size_t keys;                /* keystrokes for the turning mark */
	int refused;                /* typed letters start no word */
	char line[ENTRY_LINE_MAX];
	char msg[128];              /* a correction naming a word */
	struct shares_ui_fix fixes[ENTRY_FIX_MAX];
};

/* Lowercase letters a-z only; anything else makes the prefix impossible. */
static uint8_t entry_lower(char c)
{
	uint8_t l = (uint8_t)((uint8_t)c | 0x20);

	return (l >= 'a' && l <= 'z') ? l : 0;
}

static void entry_print_suggestions(FILE *out, const char *typed, size_t len)
{
	uint16_t near[ENTRY_SUGGEST_MAX];
	size_t k, m;

	m = slip39_word_suggest(typed, len, near, ENTRY_SUGGEST_MAX);
	if (m == 0) {
		fputs("; no word of the list is near it", out);
		return;
	}
	fputs("; nearest: ", out);
	for (k = 0; k < m; k++)
		fprintf(out, "%s%s", k ? ", " : "", slip39_wordlist[near[k]]);
	ce_wipe(near, sizeof(near));
}

static int entry_is_abort(const char *w, size_t len)
{
	static const char word[] = "abort";
	size_t k;

	if (len != sizeof(word) - 1)
		return 0;
	for (k = 0; k < len; k++)
		if (entry_lower(w[k]) != (uint8_t)word[k])
			return 0;
	return 1;
}

/*
 * The checks at the end of a share: checksum (with the corrections that
 * would make it valid), then decoding. Messages go to out; returns 0 or the
 * reason, and the holder is asked again by the caller.
 */
static int entry_check(FILE *out, struct entry_state *st, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	const uint16_t *words = st->words;
	size_t n = st->n, nfix = 0, k;
	int ext, len;

	if (n < SLIP39_MIN_WORDS) {
		fprintf(out, "That is %zu words; a share has at least %d.\n", n, SLIP39_MIN_WORDS);
		r = ce_err_set(CE_ERR_FORMAT, "share of %zu words: a share has at least %d", n,
			       SLIP39_MIN_WORDS);
		goto out;
	}
	ext = slip39_words_extendable(words, n);
	if (ext < 0 || !rs1024_verify(ext, words, n)) {
		fprintf(out, "The checksum of these %zu words is wrong: a word is mistyped, "
			     "missing or out of order.\n", n);
		nfix = shares_ui_suggest_fixes(words, n, st->fixes, ENTRY_FIX_MAX);
		for (k = 0; k < nfix; k++) {
			/* names a word of the share: composed in secmem, written directly */
			len = snprintf(st->msg, sizeof(st->msg), "  word %u could be '%s'\n",
				       (unsigned)st->fixes[k].position + 1,
				       slip39_wordlist[st->fixes[k].word]);
			if (len > 0 && (size_t)len < sizeof(st->msg)) {
				r = shares_screen_emit(out, st->msg, (size_t)len);
				if (r < 0)
					goto out;
			}
		}
		if (nfix == 0)
			fputs("  No single-word change makes it valid: check the order and count "
			      "of the words.\n", out);
		else
			fputs("  Check against the written share; nothing was changed for you.\n",
			      out);
		r = ce_err_set(CE_ERR_CHECKSUM, "share of %zu words: bad checksum (%zu single-word "
			       "correction%s found)", n, nfix, nfix == 1 ? "" : "s");
		goto out;
	}
	r = slip39_words_decode(words, n, share);
	if (r < 0) {
		fprintf(out, "The checksum is right but the share is not valid: %s.\n",
			ce_err_detail()[0] ? ce_err_detail() : ce_strerror(r));
		goto out;
	}
	r = 0;
out:
	ce_wipe(st->fixes, sizeof(st->fixes));
	ce_wipe(st->msg, sizeof(st->msg));
	fflush(out);
	return r;
}

/* Pipe mode: one whole mnemonic per line, blank lines skipped. */
static int entry_from_lines(const struct shares_ui_term *t, const char *prompt,
			    struct entry_state *st, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	int last = 0;
	size_t len, lineno = 0;

	esc_fprintf(t->out, "%s\n", prompt); /* names a person: common/esc.h */
	for (;;) {
		size_t i = 0;
		int bad = 0;

		r = buf_read_secret_line_stop(t->in_fd, st->line, sizeof(st->line), &len,
					      &shares_ui_guard_interrupted);
		if (r < 0)
			goto out;
		if (r == 0) {
			r = last < 0 ? last
				     : ce_err_set(CE_ERR_ABORTED, "end of input before a share");
			goto out;
		}
		lineno++;
		st->n = 0;
		for (;;) {
			size_t start;
			int idx;
			while (i < len && (st->line[i] == ' ' || st->line[i] == '\t' ||
					   st->line[i] == '\r'))
				i++;
			if (i >= len)
				break;
			start = i;
			while (i < len && st->line[i] != ' ' && st->line[i] != '\t' &&
			       st->line[i] != '\r')
				i++;
			if (entry_is_abort(st->line + start, i - start)) {
				r = ce_err_set(CE_ERR_ABORTED, "aborted by the key holder");
				goto out;
			}
			if (st->n >= SLIP39_MAX_WORDS) {
				fprintf(t->out, "Line %zu: more than %d words; a share has at most %d.\n",
					lineno, SLIP39_MAX_WORDS, SLIP39_MAX_WORDS);
				last = ce_err_set(CE_ERR_FORMAT, "line %zu: more than %d words", lineno,
						  SLIP39_MAX_WORDS);
				bad = 1;
				break;
			}
			idx = slip39_word_index(st->line + start, i - start);
			if (idx < 0) {
				fprintf(t->out, "Line %zu: word %zu is not in the word list", lineno,
					st->n + 1);
				entry_print_suggestions(t->out, st->line + start, i - start);
				fputs(".\n", t->out);
				last = ce_err_set(CE_ERR_WORD, "line %zu: word %zu is not in the word list",
						  lineno, st->n + 1);
				bad = 1;
				break;
			}
			st->words[st->n++] = (uint16_t)idx;
		}
		if (!bad && st->n == 0)
			continue;
		if (!bad) {
			r = entry_check(t->out, st, share);
			if (r == 0)
				goto out;
			last = ce_err_prefix(r, "line %zu", lineno);
		}
		fputs("Enter the share again.\n", t->out);
		fflush(t->out);
	}
out:
	return r;
}

static void entry_status(FILE *out, const struct entry_state *st)
{
	static const char turn[] = "-\\|/";

	fputs("\r\033[K", out);
	if (st->n > 0)
		fprintf(out, "word %zu ok. ", st->n);
	fprintf(out, "word %zu: %c", st->n + 1, st->keys ? turn[st->keys % 4] : ' ');
	if (st->n >= SLIP39_MIN_WORDS && st->typed_len == 0)
		fputs("  (Enter if the share is complete)", out);
	fflush(out);
}

/* A message on its own line above the status line. */
static void entry_say(FILE *out)
{
	fputs("\r\033[K", out);
}

enum entry_key_result { KEY_MORE, KEY_DONE, KEY_ABORT };

/* Read one byte; 1, 0 at end of input, <0 on error. */
static int entry_getc(int fd, char *c)
{
	for (;;) {
		ssize_t k = read(fd, c, 1);
		if (k == 1)
			return 1;
		if (k == 0)
			return 0;
		if (errno != EINTR)
			return ce_err_set(CE_ERR_IO, "reading the terminal: %s", strerror(errno));
		if (shares_ui_guard_interrupted)
			return ce_err_set(CE_ERR_ABORTED, "interrupted (Ctrl-C)");
	}
}

/* A word ended (Space/Enter); returns KEY_DONE when the share is complete. */
static enum entry_key_result entry_end_word(FILE *out, struct entry_state *st, int enter)
{
	int idx, ext;

	if (st->typed_len == 0) {
		if (enter && st->n >= SLIP39_MIN_WORDS)
			return KEY_DONE;
		if (enter && st->n > 0) {
			entry_say(out);
			fprintf(out, "%zu words so far: a share has at least %d.\n", st->n,
				SLIP39_MIN_WORDS);
		}
		return KEY_MORE;
	}
	if (entry_is_abort(st->typed, st->typed_len))
		return KEY_ABORT;
	idx = slip39_word_index(st->typed, st->typed_len);
	if (idx < 0) {
		entry_say(out);
		fprintf(out, "word %zu refused: not a word of the list", st->n + 1);
		if (!st->refused)
			entry_print_suggestions(out, st->typed, st->typed_len);
		fprintf(out, ". Type word %zu again.\n", st->n + 1);
	} else {
		st->words[st->n++] = (uint16_t)idx;
	}
	ce_wipe(st->typed, sizeof(st->typed));
	st->typed_len = 0;
	st->refused = 0;
	st->keys = 0;
	idx = 0;
	if (st->n >= SLIP39_MAX_WORDS)
		return KEY_DONE;
	if (st->n >= SLIP39_MIN_WORDS) {
		ext = slip39_words_extendable(st->words, st->n);
		if (ext >= 0 && rs1024_verify(ext, st->words, st->n))
			return KEY_DONE;
	}
	return KEY_MORE;
}

/* Can the letters typed so far still become a word, or "abort"? */
static int entry_typed_possible(const struct entry_state *st)
{
	if (st->typed_len <= 5 && strncasecmp(st->typed, "abort", st->typed_len) == 0)
		return 1;
	return slip39_word_prefix_exists(st->typed, st->typed_len);
}

static int entry_from_tty(const struct shares_ui_term *t, const char *prompt,
			  struct entry_state *st, struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	struct shares_ui_guard guard;
	int esc = 0;
	char c = 0;

	r = shares_ui_guard_begin(&guard, t->in_fd, -1);
	if (r < 0)
		goto out;
	esc_fprintf(t->out, "%s\n" /* names a person: common/esc.h */
		"Type the words of your share, each followed by Space or Enter. The first 4\n"
		"letters of a word are enough. Nothing you type is shown. Backspace corrects;\n"
		"Backspace on an empty word takes back the previous word. Type abort to stop.\n",
		prompt);
	for (;;) {
		enum entry_key_result kr = KEY_MORE;

		st->n = 0;
		st->typed_len = 0;
		st->refused = 0;
		st->keys = 0;
		entry_status(t->out, st);
		while (kr == KEY_MORE) {
			r = entry_getc(t->in_fd, &c);
			if (r < 0)
				goto out;
			if (r == 0 || c == 0x04) { /* end of input, Ctrl-D */
				entry_say(t->out);
				fputs("Stopped (Ctrl-D): nothing typed was kept.\n", t->out);
				r = ce_err_set(CE_ERR_ABORTED, "end of input (Ctrl-D) at word %zu", st->n + 1);
				goto out;
			}
			if (esc) { /* swallow escape sequences (arrow keys...) */
				if (esc == 1 && (c == '[' || c == 'O'))
					esc = 2;
				else if (esc == 1 || (c >= 0x40 && c <= 0x7e))
					esc = 0;
				continue;
			}
			if (c == 0x1b) {
				esc = 1;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
				kr = entry_end_word(t->out, st, c == '\r' || c == '\n');
			} else if (c == 0x7f || c == 0x08) {
				if (st->typed_len > 0) {
					st->typed[--st->typed_len] = 0;
					st->refused = st->typed_len > 0 && !entry_typed_possible(st);
					st->keys++;
				} else if (st->n > 0) {
					st->words[--st->n] = 0;
					entry_say(t->out);
					fprintf(t->out, "word %zu taken back.\n", st->n + 1);
					st->keys = 0;
				}
			} else if (c == 0x15) { /* Ctrl-U: start the word again */
				ce_wipe(st->typed, sizeof(st->typed));
				st->typed_len = 0;
				st->refused = 0;
				st->keys = 0;
			} else if (entry_lower(c) != 0) {
				if (st->typed_len < sizeof(st->typed) - 1)
					st->typed[st->typed_len++] = c;
				st->keys++;
				if (!st->refused && !entry_typed_possible(st)) {
					st->refused = 1;
					entry_say(t->out);
					fprintf(t->out, "word %zu: no word begins like that",
						st->n + 1);
					entry_print_suggestions(t->out, st->typed, st->typed_len);
					fputs(".\n  Backspace to correct it, or Space to type it again.\n",
					      t->out);
				}
			} else {
				fputc('\a', t->out); /* not a letter: ignored */
			}
			c = 0;
			if (kr == KEY_MORE)
				entry_status(t->out, st);
		}
		if (kr == KEY_ABORT) {
			entry_say(t->out);
			fputs("Aborted.\n", t->out);
			r = ce_err_set(CE_ERR_ABORTED, "aborted by the key holder");
			goto out;
		}
		entry_say(t->out);
		fprintf(t->out, "%zu words entered.\n", st->n);
		r = entry_check(t->out, st, share);
		if (r == 0)
			goto out;
		fputs("Type the share again from word 1.\n", t->out);
	}
out:
	c = 0;
	shares_ui_guard_end(&guard);
	fflush(t->out);
	return r;
}

int shares_ui_enter(const struct shares_ui_term *t, const char *prompt,
		    struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	struct entry_state *st = NULL;

	if (t == NULL || t->out == NULL || share == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "shares_ui_enter: no terminal or share");
		goto out;
	}
	if (prompt == NULL)
		prompt = "Enter your share.";
	st = secmem_alloc(sizeof(*st));
	if (st == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if (t->is_tty)
		r = entry_from_tty(t, prompt, st, share);
	else
		r = entry_from_lines(t, prompt, st, share);
	if (r < 0)
		ce_wipe(share, sizeof(*share));
out:
	secmem_free(st);
	return r;
}
