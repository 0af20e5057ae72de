/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/preflight_report.c - the preflight's requirement list: added
 * to, printed one line per requirement, and as JSON (ceremony/run/preflight.h).
 */
#include "ceremony/run/preflight_internal.h"
#include "ceremony/transcript/jtext.h"

#include "common/err.h"
#include "common/esc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *status_name(enum pf_status s)
{
	return s == PF_OK ? "OK" : s == PF_MISSING ? "MISSING" : "UNKNOWN";
}

int pf_add(struct preflight *pf, enum pf_status st, const struct script_step *step,
	   const char *action, const char *token, const char *offers, const char *path,
	   const char *need_fmt, ...)
{
	struct pf_req *q;
	va_list ap;

	if (pf->n == pf->cap) {
		size_t nc = pf->cap ? pf->cap * 2 : 16;
		struct pf_req *n = realloc(pf->reqs, nc * sizeof(*n));

		if (n == NULL)
			return ce_err_set(CE_ERR_NOMEM, "out of memory");
		pf->reqs = n;
		pf->cap = nc;
	}
	q = &pf->reqs[pf->n++];
	memset(q, 0, sizeof(*q));
	q->status = st;
	snprintf(q->step, sizeof(q->step), "%s", step != NULL ? step->id : "-");
	snprintf(q->action, sizeof(q->action), "%s",
		 action != NULL ? action : step != NULL ? step->action->name : "-");
	snprintf(q->token, sizeof(q->token), "%s", token != NULL ? token : "");
	snprintf(q->offers, sizeof(q->offers), "%s", offers != NULL ? offers : "");
	snprintf(q->path, sizeof(q->path), "%s", path != NULL ? path : "");
	va_start(ap, need_fmt);
	vsnprintf(q->need, sizeof(q->need), need_fmt, ap);
	va_end(ap);
	if (st == PF_MISSING)
		pf->missing++;
	else if (st == PF_UNKNOWN)
		pf->unknown++;
	return 0;
}

void preflight_free(struct preflight *pf)
{
	free(pf->reqs);
	memset(pf, 0, sizeof(*pf));
}

void preflight_print(FILE *f, const struct preflight *pf)
{
	size_t i;

	for (i = 0; i < pf->n; i++) {
		const struct pf_req *q = &pf->reqs[i];

		esc_fprintf(f, "%-7s %s (%s)%s%s%s: %s; token offers: %s%s%s\n",
			    status_name(q->status), q->step, q->action, q->token[0] ? " token '" : "",
			    q->token, q->token[0] ? "'" : "", q->need, q->offers,
			    q->path[0] ? "; path: " : "", q->path);
	}
	esc_fprintf(f, "preflight: %zu requirement%s, %zu MISSING, %zu UNKNOWN%s\n", pf->n,
		    pf->n == 1 ? "" : "s", pf->missing, pf->unknown,
		    pf->missing ? ": the token cannot run this ceremony"
				: pf->unknown ? ": UNKNOWN ones are tried at their step"
					      : ": the token offers everything the script needs");
}

json_t *preflight_json(const struct preflight *pf, const char *script, const char *module)
{
	json_t *o = NULL, *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < pf->n; i++) {
		const struct pf_req *q = &pf->reqs[i];
		/* offers and path quote what the token reports: not always UTF-8 */
		json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "status",
				      status_name(q->status), "step", q->step, "action", q->action,
				      "token", q->token, "need", jtext(q->need), "offers",
				      jtext(q->offers), "path", jtext(q->path));

		if (e == NULL || json_array_append_new(a, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	o = json_pack("{s:o, s:o, s:s, s:I, s:I, s:o}", "script", jtext(script), "module",
		      jtext(module != NULL ? module : ""), "result",
		      pf->missing ? "missing" : "ok", "missing", (json_int_t)pf->missing,
		      "unknown", (json_int_t)pf->unknown, "requirements", a);
	return o;
}
