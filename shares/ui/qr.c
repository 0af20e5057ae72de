/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/qr.h"
#include "shares/ui/ui.h"
#include "shares/ui/screen.h"
#include "common/err.h"
#include "common/secmem.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>
#include <unistd.h>

int shares_qr_encode(const char *text, struct shares_qr *q)
{
	int r = CE_ERR_INTERNAL;
	QRcode *code = NULL;
	size_t cells, i;

	q->width = 0;
	q->dark = NULL;
	code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (code == NULL) {
		if (errno == ERANGE)
			r = ce_err_set(CE_ERR_TOO_LARGE, "QR code: text of %zu bytes does not fit",
				       strlen(text));
		else
			r = ce_err_set(CE_ERR_NOMEM, "QR code: %s", strerror(errno));
		goto out;
	}
	if (code->width <= 0 || code->width > 177) {
		r = ce_err_set(CE_ERR_INTERNAL, "QR code: width %d", code->width);
		goto out;
	}
	cells = (size_t)code->width * (size_t)code->width;
	q->dark = secmem_alloc(cells);
	if (q->dark == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	/* bit 0 of each libqrencode byte: 1 = dark module */
	for (i = 0; i < cells; i++)
		q->dark[i] = (uint8_t)(code->data[i] & 1);
	q->width = code->width;
	r = 0;
out:
	if (code != NULL) {
		if (code->data != NULL && code->width > 0)
			ce_wipe(code->data, (size_t)code->width * (size_t)code->width);
		QRcode_free(code);
	}
	return r;
}

void shares_qr_free(struct shares_qr *q)
{
	if (q == NULL)
		return;
	secmem_free(q->dark);
	q->dark = NULL;
	q->width = 0;
}

static int qr_dark(const struct shares_qr *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0; /* the quiet zone */
	return q->dark[(size_t)y * (size_t)q->width + (size_t)x];
}

/*
 * Two module rows per text line with the half blocks: upper half dark "▀",
 * lower half dark "▄", both "█", neither " ". On a terminal the code is
 * drawn black on white (ANSI colours) whatever the terminal's own colours,
 * so a phone sees dark modules on a light ground with a light quiet zone.
 * Into a pipe or file no escapes are written: "█" is dark.
 */
int shares_qr_draw(FILE *out, const char *text, int colour)
{
	int r = CE_ERR_INTERNAL;
	struct shares_qr q = { 0, NULL };
	int x, y, lo, hi;

	r = shares_qr_encode(text, &q);
	if (r < 0)
		goto out;
	lo = -SHARES_QR_QUIET_MODULES;
	hi = q.width + SHARES_QR_QUIET_MODULES;
	for (y = lo; y < hi; y += 2) {
		if (colour)
			fputs("\033[30;107m", out);
		for (x = lo; x < hi; x++) {
			int top = qr_dark(&q, x, y);
			int bottom = y + 1 < hi ? qr_dark(&q, x, y + 1) : 0;
			if (top && bottom)
				fputs("\u2588", out);
			else if (top)
				fputs("\u2580", out);
			else if (bottom)
				fputs("\u2584", out);
			else
				fputc(' ', out);
		}
		if (colour)
			fputs("\033[0m", out);
		fputc('\n', out);
	}
	if (fflush(out) != 0 || ferror(out)) {
		r = ce_err_set(CE_ERR_IO, "writing the QR code: %s", strerror(errno));
		goto out;
	}
	r = 0;
out:
	shares_qr_free(&q);
	return r;
}

/* A QR code of 59 words (version 15, 77 modules) drawn with colours takes
 * about 85 lines of 3-byte blocks: 64 KiB holds any share's. */
#define QR_SCREEN_MAX (64u << 10)

int shares_ui_qr_print(FILE *out, const char *text)
{
	int r = CE_ERR_INTERNAL;
	char *buf = NULL;
	FILE *f = NULL;
	long len;
	int fd = fileno(out);

	buf = secmem_alloc(QR_SCREEN_MAX);
	if (buf == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	f = shares_screen_open(buf, QR_SCREEN_MAX);
	if (f == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = shares_qr_draw(f, text, fd >= 0 && isatty(fd));
	len = ftell(f);
	fclose(f);
	f = NULL;
	if (r < 0)
		goto out;
	if (len < 0 || (size_t)len >= QR_SCREEN_MAX) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "QR code drawing over %u bytes", QR_SCREEN_MAX);
		goto out;
	}
	r = shares_screen_emit(out, buf, (size_t)len);
out:
	if (f != NULL)
		fclose(f);
	secmem_free(buf);
	return r;
}
