/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/cairo_lib.h - cairo, opened when a page is drawn, not linked:
 * linked, it and its X11/fontconfig/freetype chain were mapped at every exec
 * of every verb (about 5 ms of start-up) that only the printing verbs use.
 * The headers give the types at compile time; the functions below are
 * resolved by name from libcairo.so.2 on the first shares_cairo_load(), and
 * the library stays open for the life of the process.
 *
 * Used by the share card (shares/ui/card.c) and by the ceremony's printed
 * script and attestation (ceremony/print/). Nothing here is secret; what a
 * caller draws may be (the card), and its PDF bytes are the caller's.
 */
#ifndef CE_SHARES_CAIRO_LIB_H
#define CE_SHARES_CAIRO_LIB_H

#include <cairo-pdf.h>
#include <cairo.h>

#define SHARES_CAIRO_SONAME "libcairo.so.2"
#define SHARES_CAIRO_FUNCS(X) \
	X(pdf_surface_create_for_stream) X(pdf_surface_set_metadata) X(create) \
	X(destroy) X(status) X(status_to_string) X(show_page) X(surface_finish) \
	X(surface_status) X(surface_destroy) X(set_source_rgb) X(rectangle) X(fill) \
	X(move_to) X(show_text) X(select_font_face) X(set_font_size) X(line_to) \
	X(stroke) X(set_line_width) X(text_extents)

/* The functions, cairo_NAME as .NAME. */
struct shares_cairo {
#define SHARES_CAIRO_FIELD(f) __typeof__(cairo_##f) *f;
	SHARES_CAIRO_FUNCS(SHARES_CAIRO_FIELD)
#undef SHARES_CAIRO_FIELD
};

/* Open cairo and resolve every function once (later calls return at once),
 * or leave nothing half loaded. what names the caller in the message
 * ("share card", "print"). Returns 0 or CE_ERR_UNSUPPORTED naming the
 * library (or the missing function). */
int shares_cairo_load(const char *what) __attribute__((warn_unused_result));

/* The functions, after a shares_cairo_load() that returned 0. Borrowed,
 * read only. */
const struct shares_cairo *shares_cairo(void);

#endif
