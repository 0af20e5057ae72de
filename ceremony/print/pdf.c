/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/print/pdf.c - A4 pages with cairo (ceremony/print/pdf.h).
 */
#include "ceremony/print/pdf.h"

#include "common/err.h"
#include "shares/ui/cairo_lib.h"
#include "shares/ui/qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDF_W_PT 595.276
#define PDF_H_PT 841.890
#define PDF_MARGIN_PT 50.0
#define PDF_BOTTOM_PT 60.0 /* room for the footer */
#define PDF_MAX_BYTES (64u << 20)
#define PDF_TEXT_MAX 4096

#define C (*shares_cairo())

struct print_pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	double y;
	unsigned page;
	char footer[256];
	uint8_t *buf; /* the PDF as cairo writes it */
	size_t len, cap;
	int failed;
};

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct print_pdf *p = closure;
	uint8_t *np;
	size_t cap;

	if (p->failed || length > PDF_MAX_BYTES - p->len) {
		p->failed = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (p->len + length > p->cap) {
		cap = p->cap ? p->cap : 64u << 10;
		while (cap < p->len + length)
			cap *= 2;
		np = realloc(p->buf, cap); /* public bytes */
		if (np == NULL) {
			p->failed = 1;
			return CAIRO_STATUS_NO_MEMORY;
		}
		p->buf = np;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, data, length);
	p->len += length;
	return CAIRO_STATUS_SUCCESS;
}

/* Text from outside made safe to draw: control characters and bytes that
 * are not well-formed UTF-8 become '?'. */
static void pdf_clean(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, n, k;

	while (*s != '\0' && o + 5 < cap) {
		n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3
			: (*s & 0xf8) == 0xf0 ? 4 : 0;
		for (k = 1; k < n; k++)
			if ((s[k] & 0xc0) != 0x80)
				n = 0;
		if (n == 2 && *s < 0xc2)
			n = 0;
		if (n == 0 || (n == 1 && (*s < 0x20 || *s == 0x7f))) {
			out[o++] = '?';
			s++;
			continue;
		}
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
}

static void pdf_font(struct print_pdf *p, int mono, int bold, double size)
{
	C.select_font_face(p->cr, mono ? "monospace" : "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			   bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	C.set_font_size(p->cr, size);
}

static void pdf_footer(struct print_pdf *p)
{
	char line[320];

	pdf_font(p, 0, 0, 8);
	snprintf(line, sizeof(line), "%s - page %u", p->footer, p->page);
	C.move_to(p->cr, PDF_MARGIN_PT, PDF_H_PT - 30);
	C.show_text(p->cr, line);
}

/* Room for h more points on this page, or a new page. */
static void pdf_need(struct print_pdf *p, double h)
{
	if (p->y + h <= PDF_H_PT - PDF_BOTTOM_PT)
		return;
	pdf_footer(p);
	C.show_page(p->cr);
	p->page++;
	p->y = PDF_MARGIN_PT;
}

int print_pdf_open(const char *title, const char *footer, struct print_pdf **out)
{
	int r = CE_ERR_INTERNAL;
	struct print_pdf *p = NULL;
	char t[256];

	r = shares_cairo_load("print");
	if (r < 0)
		goto out;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	pdf_clean(footer, p->footer, sizeof(p->footer));
	pdf_clean(title, t, sizeof(t));
	p->surface = C.pdf_surface_create_for_stream(pdf_write, p, PDF_W_PT, PDF_H_PT);
	p->cr = C.create(p->surface);
	if (C.status(p->cr) != CAIRO_STATUS_SUCCESS) {
		r = ce_err_set(CE_ERR_IO, "print: %s", C.status_to_string(C.status(p->cr)));
		goto out;
	}
	C.pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, t);
	C.pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "ceremony");
	C.set_source_rgb(p->cr, 0, 0, 0);
	p->page = 1;
	p->y = PDF_MARGIN_PT;
	*out = p;
	p = NULL; /* transferred */
	r = 0;
out:
	print_pdf_free(p);
	return r;
}

void print_pdf_free(struct print_pdf *p)
{
	if (p == NULL)
		return;
	if (p->cr != NULL)
		C.destroy(p->cr);
	if (p->surface != NULL)
		C.surface_destroy(p->surface);
	free(p->buf);
	free(p);
}

static double pdf_width(struct print_pdf *p, const char *s)
{
	cairo_text_extents_t e;

	C.text_extents(p->cr, s, &e);
	return e.x_advance;
}

struct pdf_style {
	int mono, bold;
	double size;
};

/* Draw clean text wrapped at blanks to width, line height lh, in style st
 * (set again on every line: a new page's footer changes the font). */
static void pdf_wrap(struct print_pdf *p, const char *clean, double x, double width, double lh,
		     const struct pdf_style *st)
{
	char line[PDF_TEXT_MAX];
	const char *s = clean, *e, *brk;
	size_t n;

	while (*s != '\0') {
		pdf_font(p, st->mono, st->bold, st->size);
		/* the longest prefix that fits, cut at a blank when there is one */
		brk = NULL;
		for (e = s; *e != '\0'; e++) {
			n = (size_t)(e - s) + 1;
			memcpy(line, s, n);
			line[n] = '\0';
			if (pdf_width(p, line) > width && e > s)
				break;
			if (*e == ' ')
				brk = e;
		}
		if (*e != '\0' && brk != NULL)
			e = brk;
		/* never split inside a UTF-8 sequence */
		while (*e != '\0' && e > s && ((unsigned char)*e & 0xc0) == 0x80)
			e--;
		n = (size_t)(e - s);
		if (n == 0)
			n = 1;
		memcpy(line, s, n);
		line[n] = '\0';
		if (p->y + lh > PDF_H_PT - PDF_BOTTOM_PT) {
			pdf_need(p, lh);
			pdf_font(p, st->mono, st->bold, st->size);
		}
		C.move_to(p->cr, x, p->y + lh * 0.8);
		C.show_text(p->cr, line);
		p->y += lh;
		s += n;
		while (*s == ' ')
			s++;
	}
}

void print_pdf_heading(struct print_pdf *p, int level, const char *text)
{
	char t[PDF_TEXT_MAX];
	double size = level <= 1 ? 18 : level == 2 ? 14 : 12;

	pdf_clean(text, t, sizeof(t));
	pdf_need(p, size * 3);
	p->y += level <= 1 ? 0 : size * 0.6;
	struct pdf_style st = { 0, 1, size };

	pdf_wrap(p, t, PDF_MARGIN_PT, PDF_W_PT - 2 * PDF_MARGIN_PT, size * 1.3, &st);
	p->y += size * 0.3;
}

void print_pdf_text(struct print_pdf *p, int mono, const char *text)
{
	char t[PDF_TEXT_MAX];
	double size = mono ? 8 : 10;

	pdf_clean(text, t, sizeof(t));
	struct pdf_style st = { mono, 0, size };

	pdf_wrap(p, t, PDF_MARGIN_PT, PDF_W_PT - 2 * PDF_MARGIN_PT, size * 1.35, &st);
}

static void pdf_rule(struct print_pdf *p, double x0, double x1, double y)
{
	C.set_line_width(p->cr, 0.6);
	C.move_to(p->cr, x0, y);
	C.line_to(p->cr, x1, y);
	C.stroke(p->cr);
}

void print_pdf_blank(struct print_pdf *p, const char *label)
{
	char t[512];
	double w;

	pdf_clean(label, t, sizeof(t));
	pdf_need(p, 22);
	pdf_font(p, 0, 0, 10);
	C.move_to(p->cr, PDF_MARGIN_PT, p->y + 15);
	C.show_text(p->cr, t);
	w = pdf_width(p, t) + 8;
	if (w > PDF_W_PT - 2 * PDF_MARGIN_PT - 60)
		w = PDF_W_PT - 2 * PDF_MARGIN_PT - 60;
	pdf_rule(p, PDF_MARGIN_PT + w, PDF_W_PT - PDF_MARGIN_PT, p->y + 17);
	p->y += 22;
}

void print_pdf_person(struct print_pdf *p, const char *label)
{
	char t[512];
	const double box = 18, xbox = PDF_W_PT - PDF_MARGIN_PT - box;

	pdf_clean(label, t, sizeof(t));
	pdf_need(p, 26);
	pdf_font(p, 0, 0, 10);
	C.move_to(p->cr, PDF_MARGIN_PT + 10, p->y + 15);
	C.show_text(p->cr, t);
	C.move_to(p->cr, PDF_MARGIN_PT + 215, p->y + 15);
	C.show_text(p->cr, "name");
	pdf_rule(p, PDF_MARGIN_PT + 245, xbox - 50, p->y + 17);
	C.move_to(p->cr, xbox - 44, p->y + 15);
	C.show_text(p->cr, "initials");
	C.set_line_width(p->cr, 0.8);
	C.rectangle(p->cr, xbox, p->y + 2, box, box);
	C.stroke(p->cr);
	p->y += 26;
}

void print_pdf_signature(struct print_pdf *p, const char *label)
{
	char t[512];

	pdf_clean(label, t, sizeof(t));
	pdf_need(p, 48);
	p->y += 28;
	pdf_rule(p, PDF_MARGIN_PT, PDF_MARGIN_PT + 300, p->y);
	pdf_rule(p, PDF_MARGIN_PT + 330, PDF_W_PT - PDF_MARGIN_PT, p->y);
	pdf_font(p, 0, 0, 8);
	C.move_to(p->cr, PDF_MARGIN_PT, p->y + 10);
	C.show_text(p->cr, t);
	C.move_to(p->cr, PDF_MARGIN_PT + 330, p->y + 10);
	C.show_text(p->cr, "date and time (UTC)");
	p->y += 20;
}

void print_pdf_space(struct print_pdf *p, double pt)
{
	p->y += pt;
}

int print_pdf_qr(struct print_pdf *p, const char *text, double side, const char *caption)
{
	struct shares_qr q = { 0, NULL };
	int r = CE_ERR_INTERNAL, x, yy, total;
	double m, x0;

	r = shares_qr_encode(text, &q);
	if (r < 0)
		goto out;
	total = q.width + 2 * SHARES_QR_QUIET_MODULES;
	m = side / (double)total;
	x0 = PDF_MARGIN_PT;
	pdf_need(p, side + 20);
	for (yy = 0; yy < q.width; yy++)
		for (x = 0; x < q.width; x++)
			if (q.dark[(size_t)yy * (size_t)q.width + (size_t)x])
				C.rectangle(p->cr, x0 + (x + SHARES_QR_QUIET_MODULES) * m,
					    p->y + (yy + SHARES_QR_QUIET_MODULES) * m, m, m);
	C.fill(p->cr); /* one fill: no hairline seams */
	p->y += side;
	if (caption != NULL)
		print_pdf_text(p, 0, caption);
	r = 0;
out:
	shares_qr_free(&q);
	return r;
}

int print_pdf_finish(struct print_pdf *p, uint8_t **pdf, size_t *len)
{
	cairo_status_t cs;

	*pdf = NULL;
	*len = 0;
	pdf_footer(p);
	C.show_page(p->cr);
	cs = C.status(p->cr);
	C.destroy(p->cr);
	p->cr = NULL;
	C.surface_finish(p->surface);
	if (cs == CAIRO_STATUS_SUCCESS)
		cs = C.surface_status(p->surface);
	if (cs != CAIRO_STATUS_SUCCESS || p->failed)
		return ce_err_set(CE_ERR_IO, "print: %s",
				  p->failed ? "the PDF is too large" : C.status_to_string(cs));
	*pdf = p->buf;
	*len = p->len;
	p->buf = NULL; /* transferred */
	return 0;
}
