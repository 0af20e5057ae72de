/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/esc.h - untrusted text made safe for a terminal.
 *
 * Strings read from a transcript, a script, a roster or a token (labels,
 * names, titles, reasons, model, serial...) are untrusted: printed raw, a
 * control sequence in them can clear the screen, retitle the window, move
 * the cursor over a "FAILED" or fake a whole line. Every such string reaches
 * a terminal through this one rule:
 *
 *   - kept as is: printable ASCII other than '\', and well-formed UTF-8
 *     (e, u, CJK...) other than the code points below;
 *   - '\' becomes "\\" (so an escape in the output is never ambiguous);
 *   - C0 controls (including TAB, LF, CR), DEL and every byte that is not
 *     part of well-formed UTF-8 (stray continuation bytes, raw 0x80..0xFF,
 *     overlong forms, surrogates, truncated sequences, above U+10FFFF)
 *     become "\xHH", one per byte;
 *   - the C1 controls U+0080..U+009F, the bidirectional formatting controls
 *     (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the line and
 *     paragraph separators U+2028, U+2029 become "\uHHHH".
 *
 * Output is for people; JSON output (jansson) escapes by its own rules and
 * does not go through here, except a string that is not UTF-8, which
 * jansson refuses: ceremony/transcript/jtext.h records it escaped by this
 * rule.
 */
#ifndef CE_COMMON_ESC_H
#define CE_COMMON_ESC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Longest escape of one input byte or character ("\u202e"). */
#define ESC_CHAR_MAX_LEN 6

/* Escape src[0..len) into dst (cap bytes, NUL-terminated when cap > 0).
 * Stops before an escape or character that does not fit whole (the output
 * is truncated, never cut inside an escape or a UTF-8 character). Returns
 * the length written (without the NUL). src may contain NUL bytes (escaped
 * as "\x00"). */
size_t esc_mem(char *dst, size_t cap, const void *src, size_t len);

/* esc_mem of the NUL-terminated src (NULL is printed as "(null)"); returns
 * dst, for use as a printf argument. */
const char *esc_str(char *dst, size_t cap, const char *src);

/* Write src[0..len) escaped to f, unbounded. Returns the number of bytes
 * written, or -1 on a write error. */
int esc_write(FILE *f, const void *src, size_t len);

/* fprintf, except that the text of every %s (and %c) argument is escaped
 * (a precision bounds the bytes read from the argument, a width pads the
 * escaped text). The format itself is written as is: it is the program's
 * own text. Conversions: d i u o x X c s p e f g E G a A %, with flags,
 * width, precision ('*' too) and length modifiers hh h l ll j z t L;
 * anything else (%n, %ls, %lc) ends the output with -1. The text escaped
 * is written in the order given, so a write error may leave a prefix.
 * Returns the number of bytes written or -1. */
int esc_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int esc_vfprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
