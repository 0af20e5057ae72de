/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_shares.h - the `shares` verb (ceremony/cli/cmd_shares.c) and its
 * sub-verbs split, combine and card.
 */
#ifndef CE_CEREMONY_CMD_SHARES_H
#define CE_CEREMONY_CMD_SHARES_H

#include <stddef.h>
#include <stdio.h>

#include "pkcs11/p11.h"
#include "shares/slip39.h"

struct cli_verb;
struct shares_ui_term;

/* How the secret is written: hex (keys; default) or text (a PIN, a
 * passphrase: shares/secret_text.h). */
enum shares_secret_format { SHARES_SECRET_HEX, SHARES_SECRET_TEXT };

#define SHARES_MAX_INPUT_SHARES (SLIP39_MAX_SHARE_COUNT * SLIP39_MAX_SHARE_COUNT)

/* The options of split and combine (public; names borrowed from argv). */
struct shares_opts {
	int batch;
	struct slip39_split_params p;
	int group_threshold_given;
	const char *passphrase_file;
	unsigned long random_bytes;
	const char *holders[SHARES_MAX_INPUT_SHARES];
	size_t holder_count;
	const char *label;
	int print_secret;
	enum shares_secret_format format;
	/* combine --pin-derivation: print the PIN derived from the secret by
	 * it (docs/share-format.md) instead of the secret; NULL: the secret */
	const char *pin_derivation;
	enum p11_pin_alphabet pin_alphabet;
	size_t pin_len;
};

/* The recovered secret as combine prints it, into txt (cap bytes, secmem;
 * room is left for a newline after it): hex, the text (--secret-format
 * text), or the PIN o->pin_derivation derives from it (a secret of another
 * length than P11_PIN_SECRET_BYTES: CE_ERR_FORMAT, naming text shares).
 * *len its length. ceremony/cli/cmd_shares_out.c. Returns 0 or CE_ERR_*. */
int shares_secret_render(const struct shares_opts *o, const uint8_t *secret, size_t secret_len,
			 char *txt, size_t cap, size_t *len) __attribute__((warn_unused_result));

/*
 * At a terminal (ceremony/cli/cmd_shares_tty.c; called by cmd_shares.c and
 * cmd_shares_card.c, never the reverse). Both run one key holder at a time
 * with a step-up gate and a cleared screen and scrollback between holders;
 * Ctrl-C and Ctrl-D stop them with CE_ERR_ABORTED (exit 1, a message).
 * pass (secret, borrowed) is the passphrase.
 */
/* Split: the secret typed twice without echo (or --random), a QR size check,
 * then per holder: gate, share screen, typed-back check. Returns 0 or a
 * negative CE_ERR_* (detail set). */
int shares_tty_split(const struct shares_opts *o, const uint8_t *pass, size_t pass_len)
	__attribute__((warn_unused_result));
/* Combine: per holder: gate, share entry without echo, refusal held until
 * Enter, progress in the short form. Returns 0 or a negative CE_ERR_*. */
int shares_tty_combine(const struct shares_opts *o, const uint8_t *pass, size_t pass_len)
	__attribute__((warn_unused_result));
/* /dev/tty as t (is_tty set), with Ctrl-C stopping share screens and entry
 * (shares_ui_set_interrupt_aborts) and a SIGINT handler between them;
 * shares_tty_close() undoes both. Returns 0 or CE_ERR_TTY. */
int shares_tty_open(struct shares_ui_term *t) __attribute__((warn_unused_result));
void shares_tty_close(struct shares_ui_term *t);
/* Was Ctrl-C pressed outside a share screen since shares_tty_open? */
int shares_tty_interrupted(void);

/* `ceremony shares card --out PATH [--holder NAME] [--label TEXT]`: one
 * mnemonic line on stdin -> a printable PDF share card. argv[0] == "card";
 * parent (borrowed) is the `shares` verb, named in usage errors. Returns the
 * exit status (0, 1 failure printed, 2 usage). Defined in
 * ceremony/cli/cmd_shares_card.c; called by cmd_shares.c only (calls go one
 * way). */
int shares_cmd_card(const struct cli_verb *parent, int argc, char **argv);

/* Usage of `ceremony shares card` (ceremony/cli/cmd_shares_card.c). */
void shares_cmd_card_help(FILE *f);

#endif
