/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/screen.h - writing secret screen text (share words, QR codes,
 * corrections) so that no unwiped buffer keeps a copy; used by display.c,
 * entry.c and qr.c. Not a public contract: the share UI's own plumbing.
 *
 * Screen text that shows a share is composed in secmem through a memory
 * stream (shares_screen_open) and written with write(2) to the stream's
 * descriptor (shares_screen_emit), so no stdio buffer (plain heap, never
 * wiped) holds the words. This file calls nothing else of shares/ui/.
 */
#ifndef CE_SHARES_UI_SCREEN_H
#define CE_SHARES_UI_SCREEN_H

#include <stddef.h>
#include <stdio.h>

/* Flush out, then write len bytes of p (borrowed) to its descriptor; a
 * stream without one (a memory stream in tests) gets fwrite. Returns 0 or
 * CE_ERR_IO. */
int shares_screen_emit(FILE *out, const char *p, size_t len) __attribute__((warn_unused_result));

/* A stream writing into buf (cap bytes, secmem, borrowed), unbuffered, so
 * the text lands in buf only. NULL on failure (detail set, CE_ERR_NOMEM).
 * fclose() it, then the text is buf[0 .. ftell before close). */
FILE *shares_screen_open(char *buf, size_t cap);

#endif
