/*
 * shares/ui_internal.h - helpers shared by the share UI files (display.c,
 * entry.c, qr.c); not a public contract.
 *
 * Screen text that shows a share is composed in secmem and written with
 * write(2) to the stream's descriptor, so no stdio buffer (plain heap, never
 * wiped) keeps a copy of the words.
 */
#ifndef CE_SHARES_UI_INTERNAL_H
#define CE_SHARES_UI_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* Flush out, then write len bytes of p to its descriptor; a stream without
 * one (a memory stream in tests) gets fwrite. 0 or CE_ERR_IO. */
int shares_ui_emit(FILE *out, const char *p, size_t len) __attribute__((warn_unused_result));

/* A stream writing into buf (cap bytes, secmem), unbuffered, so the text
 * lands in buf only. NULL on failure (detail set). fclose() it, then the
 * text is buf[0 .. ftell before close). */
FILE *shares_ui_secret_stream(char *buf, size_t cap);

/* shares_ui_qr_print() with the colour choice made by the caller. */
int shares_ui_qr_draw(FILE *out, const char *text, int colour) __attribute__((warn_unused_result));

#endif
