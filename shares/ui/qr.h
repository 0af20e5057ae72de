/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/qr.h - QR codes of share mnemonics, for the terminal and the card.
 * Uses shares/ui/screen.h only; display.c and card.c call it, never the reverse.
 *
 * The mnemonic is encoded as it is, lowercase, in QR 8-bit (byte) mode at
 * error correction level M, so a scanner gives back the exact text that
 * slip39_mnemonic_decode() reads. (Alphanumeric mode would be ~30% smaller
 * but holds only upper case: the scan would differ from the mnemonic.)
 * 20 words fit in version 7-8 (45-49 modules), 33 words in version 10-11.
 *
 * The module matrix is as secret as the mnemonic: it lives in secmem.
 * libqrencode keeps transient heap copies of the text while encoding; the
 * QRcode data it returns is wiped before QRcode_free().
 */
#ifndef CE_SHARES_QR_H
#define CE_SHARES_QR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SHARES_QR_QUIET_MODULES 4    /* the quiet zone the standard asks for */

struct shares_qr {
	int width;          /* modules per side, without the quiet zone */
	uint8_t *dark;      /* width*width bytes in secmem, row-major: 1 = dark */
};

/* Encode text (NUL-terminated) into q. On success q->dark is owned by the
 * caller: shares_qr_free(). Returns 0, CE_ERR_TOO_LARGE (text does not fit a
 * QR code), CE_ERR_NOMEM or CE_ERR_MLOCK. */
int shares_qr_encode(const char *text, struct shares_qr *q) __attribute__((warn_unused_result));

/* Wipe and release q->dark; accepts a zeroed struct. */
void shares_qr_free(struct shares_qr *q);

/* shares_ui_qr_print() (shares/ui/ui.h) into out, with the colour choice
 * made by the caller: colour != 0 draws black on white with ANSI escapes.
 * out is where the secret drawing goes: a secret stream (screen.h) or a
 * terminal. Returns 0, CE_ERR_TOO_LARGE, CE_ERR_IO, CE_ERR_NOMEM, CE_ERR_MLOCK. */
int shares_qr_draw(FILE *out, const char *text, int colour) __attribute__((warn_unused_result));

#endif
