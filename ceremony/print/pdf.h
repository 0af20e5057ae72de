/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/print/pdf.h - a paper document drawn with cairo (opened through
 * shares/ui/cairo_lib.h): A4 pages of headings, wrapped text, blanks to fill
 * in by hand, initial boxes, signature lines and QR codes, page breaks
 * taken care of. The printed script and the attestation use it.
 *
 * Everything drawn is PUBLIC. Text may come from outside (a script, a
 * transcript): it is drawn with control characters and bytes that are not
 * UTF-8 shown as '?', so it cannot disturb the page or the PDF.
 */
#ifndef CE_CEREMONY_PRINT_PDF_H
#define CE_CEREMONY_PRINT_PDF_H

#include <stddef.h>
#include <stdint.h>

struct print_pdf;

/* A new document whose pages carry footer (e.g. the ceremony's name) and a
 * page number. *out owned by the caller (print_pdf_free). Returns 0,
 * CE_ERR_UNSUPPORTED (no cairo), CE_ERR_NOMEM, CE_ERR_IO. */
int print_pdf_open(const char *title, const char *footer, struct print_pdf **out)
	__attribute__((warn_unused_result));
void print_pdf_free(struct print_pdf *p);

/* A heading (level 1: the title; 2: a section; 3: a step). */
void print_pdf_heading(struct print_pdf *p, int level, const char *text);
/* A paragraph, wrapped to the page. mono: fixed-width, smaller. */
void print_pdf_text(struct print_pdf *p, int mono, const char *text);
/* "label  ______________" : a blank to be filled in by hand. */
void print_pdf_blank(struct print_pdf *p, const char *label);
/* label at the left, then "name ______" and an initials box at the right. */
void print_pdf_person(struct print_pdf *p, const char *label);
/* A signature line with label under it (name, role, date). */
void print_pdf_signature(struct print_pdf *p, const char *label);
/* Vertical space in points. */
void print_pdf_space(struct print_pdf *p, double pt);
/* A QR code of text (byte mode, level M), side in points, caption under it.
 * Returns 0, CE_ERR_TOO_LARGE, CE_ERR_NOMEM, CE_ERR_MLOCK. */
int print_pdf_qr(struct print_pdf *p, const char *text, double side, const char *caption)
	__attribute__((warn_unused_result));

/* End the document: *pdf (malloc'd, owned by the caller) and *len. Returns
 * 0 or CE_ERR_IO (cairo failed, named) / CE_ERR_NOMEM. */
int print_pdf_finish(struct print_pdf *p, uint8_t **pdf, size_t *len)
	__attribute__((warn_unused_result));

#endif
