/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/ui/cairo_lib.h"
#include "shares/ui/qr.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/err.h"
#include "common/outfile.h"
#include "common/secmem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* cairo is opened when a card is printed, not linked: shares/ui/cairo_lib.h. */
#define card_lib (*shares_cairo())

static int card_cairo_load(void)
{
	return shares_cairo_load("share card");
}

/*
 * The card is A4 portrait, in points (1/72 inch). The PDF holds the words
 * in clear, so it is built in secmem (cairo writes through card_write) and
 * goes to disk only through outfile (mode 0600, no clobber). Cairo keeps its
 * own transient copies of the text while drawing; they die with the process.
 */
#define CARD_W_PT 595.276
#define CARD_H_PT 841.890
#define CARD_MARGIN_PT 56.0
#define CARD_COLUMNS 3
#define CARD_QR_PT 240.0     /* the QR code with its quiet zone: ~85 mm */
#define CARD_QR_SMALL_PT 200.0 /* for shares over 33 words, so the page holds all */
#define CARD_PDF_MAX (8u << 20)

struct card_sink {
	uint8_t *p;     /* secmem */
	size_t len;
	size_t cap;
	int failed;
};

static cairo_status_t card_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct card_sink *s = closure;

	if (s->failed)
		return CAIRO_STATUS_WRITE_ERROR;
	if (length > CARD_PDF_MAX - s->len) {
		s->failed = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (s->len + length > s->cap) {
		size_t cap = s->cap ? s->cap : 64u << 10;
		uint8_t *np;
		while (cap < s->len + length)
			cap *= 2;
		np = secmem_alloc(cap);
		if (np == NULL) {
			s->failed = 1;
			return CAIRO_STATUS_NO_MEMORY;
		}
		if (s->len > 0)
			memcpy(np, s->p, s->len);
		secmem_free(s->p);
		s->p = np;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, length);
	s->len += length;
	return CAIRO_STATUS_SUCCESS;
}

static void card_text(cairo_t *cr, double x, double y, const char *s)
{
	card_lib.move_to(cr, x, y);
	card_lib.show_text(cr, s);
}

static void card_font(cairo_t *cr, const char *family, int bold, double size)
{
	card_lib.select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	card_lib.set_font_size(cr, size);
}

/* One line of public text at *y, then down by step. */
static void card_line(cairo_t *cr, double *y, double step, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void card_line(cairo_t *cr, double *y, double step, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	card_text(cr, CARD_MARGIN_PT, *y, line);
	*y += step;
}

static const char *card_or(const char *s, const char *dflt)
{
	return s != NULL && s[0] != '\0' ? s : dflt;
}

/* Text lines of public facts: who, what, which share, what recovers it. */
static void card_header(cairo_t *cr, const struct shares_ui_position *pos, size_t n_words,
			double *y)
{
	char name[128], need[256];

	card_font(cr, "sans-serif", 1, 22);
	card_text(cr, CARD_MARGIN_PT, *y, "ceremony share card");
	*y += 34;
	card_font(cr, "sans-serif", 0, 12);
	card_line(cr, y, 17, "Holder: %s", card_or(pos->holder, "(not named)"));
	card_line(cr, y, 17, "Ceremony: %s      Date: %s", card_or(pos->ceremony, "________________"),
		  card_or(pos->date, "____________"));
	if (pos->set_label != NULL && pos->set_label[0])
		card_line(cr, y, 17, "Protects: %s", pos->set_label);
	shares_ui_share_name(name, sizeof(name), pos);
	if (pos->member_count != 0)
		card_line(cr, y, 17, "This is %s: member %u of %u", name,
			  (unsigned)pos->member_index + 1u, (unsigned)pos->member_count);
	else
		card_line(cr, y, 17, "This is %s: member %u", name,
			  (unsigned)pos->member_index + 1u);
	shares_ui_threshold_text(need, sizeof(need), pos);
	need[0] = (char)(need[0] == 'a' || need[0] == 't' ? need[0] - 32 : need[0]);
	card_line(cr, y, 17, "%s.", need);
	card_font(cr, "sans-serif", 1, 12);
	card_line(cr, y, 30, "%zu words, in this order. To type them, the first 4 letters of "
		  "each word suffice.", n_words);
}

/* Places filled in by hand when the card is sealed. */
static void card_footer(cairo_t *cr, double *y)
{
	card_font(cr, "sans-serif", 0, 12);
	card_line(cr, y, 26, "Envelope number: ____________________");
	card_line(cr, y, 26, "Signature of the holder: ______________________   Date: ____________");
}

static void card_words(cairo_t *cr, const uint16_t *words, size_t n, double *y)
{
	char cell[24];
	size_t cols = n > 33 ? CARD_COLUMNS + 1 : CARD_COLUMNS;
	size_t rows = (n + cols - 1) / cols;
	double colw = (CARD_W_PT - 2 * CARD_MARGIN_PT) / (double)cols;
	double step = n > 33 ? 18 : 21;
	size_t row, col;

	card_font(cr, "monospace", 0, 14);
	for (row = 0; row < rows; row++) {
		for (col = 0; col < cols; col++) {
			size_t i = col * rows + row;
			if (i >= n)
				break;
			snprintf(cell, sizeof(cell), "%2zu. %s", i + 1, slip39_wordlist[words[i]]);
			card_text(cr, CARD_MARGIN_PT + (double)col * colw, *y, cell);
		}
		*y += step;
	}
	ce_wipe(cell, sizeof(cell));
	*y += 14;
}

static void card_qr(cairo_t *cr, const struct shares_qr *q, double side, double *y)
{
	int total = q->width + 2 * SHARES_QR_QUIET_MODULES;
	double m = side / (double)total;
	double x0 = (CARD_W_PT - side) / 2.0;
	int x, yy;

	card_lib.set_source_rgb(cr, 1, 1, 1);
	card_lib.rectangle(cr, x0, *y, side, side);
	card_lib.fill(cr);
	card_lib.set_source_rgb(cr, 0, 0, 0);
	for (yy = 0; yy < q->width; yy++)
		for (x = 0; x < q->width; x++)
			if (q->dark[(size_t)yy * (size_t)q->width + (size_t)x])
				card_lib.rectangle(cr, x0 + (x + SHARES_QR_QUIET_MODULES) * m,
						*y + (yy + SHARES_QR_QUIET_MODULES) * m, m, m);
	/* one fill: adjacent modules join without hairline seams */
	card_lib.fill(cr);
	*y += side + 24;
}

int shares_card_render_pdf(const struct shares_ui_position *pos, const struct slip39_share *share,
			   uint8_t **pdf, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	struct card_sink sink = { NULL, 0, 0, 0 };
	struct shares_qr q = { 0, NULL };
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	uint16_t *words = NULL;
	char *mnemonic = NULL;
	cairo_status_t cs;
	double y = CARD_MARGIN_PT + 10;
	int n;

	*pdf = NULL;
	*len = 0;
	r = card_cairo_load();
	if (r < 0)
		goto out;
	words = secmem_alloc(SLIP39_MAX_WORDS * sizeof(*words));
	mnemonic = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	if (words == NULL || mnemonic == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	n = slip39_share_to_words(share, words);
	if (n < 0) {
		r = n;
		goto out;
	}
	r = slip39_mnemonic_encode(share, mnemonic, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	r = shares_qr_encode(mnemonic, &q);
	if (r < 0)
		goto out;
	surface = card_lib.pdf_surface_create_for_stream(card_write, &sink, CARD_W_PT, CARD_H_PT);
	cr = card_lib.create(surface);
	card_lib.pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "ceremony share card");
	card_lib.pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "ceremony");
	card_lib.set_source_rgb(cr, 0, 0, 0);
	card_header(cr, pos, (size_t)n, &y);
	card_words(cr, words, (size_t)n, &y);
	card_qr(cr, &q, n > 33 ? CARD_QR_SMALL_PT : CARD_QR_PT, &y);
	card_footer(cr, &y);
	card_lib.set_source_rgb(cr, 0, 0, 0);
	card_font(cr, "sans-serif", 1, 11);
	card_text(cr, CARD_MARGIN_PT, y,
		  "SECRET \u2014 keep in the tamper-evident envelope; destroy this file after printing");
	card_lib.show_page(cr);
	cs = card_lib.status(cr);
	card_lib.destroy(cr);
	cr = NULL;
	card_lib.surface_finish(surface);
	if (cs == CAIRO_STATUS_SUCCESS)
		cs = card_lib.surface_status(surface);
	if (cs != CAIRO_STATUS_SUCCESS || sink.failed) {
		r = ce_err_set(CE_ERR_IO, "share card: %s", card_lib.status_to_string(cs));
		goto out;
	}
	*pdf = sink.p;
	*len = sink.len;
	sink.p = NULL; /* transferred */
	r = 0;
out:
	if (cr != NULL)
		card_lib.destroy(cr);
	if (surface != NULL)
		card_lib.surface_destroy(surface);
	secmem_free(sink.p);
	shares_qr_free(&q);
	secmem_free(mnemonic);
	secmem_free(words);
	return r;
}

int shares_card_write_pdf(const char *path, const struct shares_ui_position *pos,
			  const struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	uint8_t *pdf = NULL;
	size_t len = 0;

	r = shares_card_render_pdf(pos, share, &pdf, &len);
	if (r < 0)
		goto out;
	r = outfile_write_all(path, 0600, pdf, len);
	if (r < 0)
		goto out;
	r = 0;
out:
	secmem_free(pdf);
	return r;
}
