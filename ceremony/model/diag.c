/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/model/diag.h"
#include "common/err.h"
#include "common/esc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DIAG_MSG_BYTES 768

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

void diag_format(const struct diag_item *it, char *buf, size_t cap)
{
	const char *sev = it->severity == DIAG_ERROR ? "error" : "warning";

	if (it->file != NULL && it->line > 0)
		snprintf(buf, cap, "%s:%u:%u: %s: %s", it->file, it->line, it->col, sev, it->msg);
	else if (it->file != NULL)
		snprintf(buf, cap, "%s: %s: %s", it->file, sev, it->msg);
	else
		snprintf(buf, cap, "%s: %s", sev, it->msg);
}

int diag_add(struct diag *d, enum diag_severity sev, const struct diag_mark *m,
	     const char *fmt, ...)
{
	int r = CE_ERR_INTERNAL;
	char msg[DIAG_MSG_BYTES];
	struct diag_item it;
	struct diag_item *grown;
	va_list ap;
	int first_error;

	memset(&it, 0, sizeof(it));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	first_error = sev == DIAG_ERROR && (d == NULL || d->errors == 0);
	if (first_error) {
		if (m != NULL && m->file != NULL)
			ce_err_set(CE_ERR_FORMAT, "%s:%u:%u: error: %s", m->file, m->line, m->col, msg);
		else
			ce_err_set(CE_ERR_FORMAT, "%s", msg);
	}
	if (d == NULL) {
		r = 0;
		goto out;
	}
	if (sev == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	it.severity = sev;
	it.line = m != NULL ? m->line : 0;
	it.col = m != NULL ? m->col : 0;
	if (m != NULL && m->file != NULL && (it.file = strdup(m->file)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((it.msg = strdup(msg)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;

		grown = realloc(d->items, ncap * sizeof(*grown));
		if (grown == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		d->items = grown;
		d->cap = ncap;
	}
	d->items[d->n++] = it;
	memset(&it, 0, sizeof(it)); /* transferred */
	r = 0;
out:
	free(it.file);
	free(it.msg);
	return r;
}

void diag_print(FILE *f, const struct diag *d)
{
	char line[DIAG_MSG_BYTES + 512];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], line, sizeof(line));
		esc_fprintf(f, "%s\n", line); /* quotes the file's text */
	}
}

void diag_err_first(const struct diag *d, int code)
{
	char line[1024];

	if (d->n == 0)
		return;
	diag_format(&d->items[0], line, sizeof(line));
	ce_err_set(code, "%s", line);
}

struct diag *diag_scope_begin(struct diag_scope *sc, struct diag *d)
{
	diag_init(&sc->local);
	sc->d = d != NULL ? d : &sc->local;
	sc->before = sc->d->errors;
	return sc->d;
}

int diag_scope_end(struct diag_scope *sc, int r, int code)
{
	if (r >= 0)
		r = sc->d->errors > sc->before ? code : 0;
	if (r == code && sc->d == &sc->local)
		diag_err_first(&sc->local, code);
	diag_free(&sc->local);
	return r;
}
