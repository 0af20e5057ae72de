/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/secret_text.h - a text secret (a PIN, a passphrase) as a SLIP-39
 * master secret, so that `ceremony shares split --secret-format text` can
 * split a 4-digit PIN (docs/share-format.md, "Text secrets").
 *
 * Layout: one length byte L (1..SECRET_TEXT_MAX_BYTES), the L bytes of the
 * text, then zero bytes up to the shortest even length of at least 16
 * (SLIP-39 wants 16..64 bytes, an even count): "1234" is 04 31 32 33 34 and
 * eleven zero bytes, a 20-word share. The text is bytes 0x20..0x7e or
 * 0x80..0xff (UTF-8 as typed); control characters are refused.
 *
 * Text and master secret are secret: the caller's buffers are secmem.
 */
#ifndef CE_SHARES_SECRET_TEXT_H
#define CE_SHARES_SECRET_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_TEXT_MAX_BYTES 63

/* text (len bytes) into out (SLIP39_MAX_SECRET_BYTES bytes), *out_len set.
 * Returns 0, or CE_ERR_FORMAT (empty, or a control character: the message
 * does not say which byte) or CE_ERR_TOO_LARGE (over 63 bytes). */
int secret_text_encode(const char *text, size_t len, uint8_t *out, size_t *out_len)
	__attribute__((warn_unused_result));

/* The text of a master secret made by secret_text_encode, into text (cap
 * bytes, NUL-terminated), *text_len set. Returns 0, or CE_ERR_FORMAT (not a
 * text secret: bad length byte, non-zero padding, a control character) or
 * CE_ERR_TOO_LARGE (cap too small). */
int secret_text_decode(const uint8_t *secret, size_t len, char *text, size_t cap,
		       size_t *text_len) __attribute__((warn_unused_result));

#endif
