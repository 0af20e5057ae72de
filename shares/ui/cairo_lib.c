/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/cairo_lib.c - cairo opened with dlopen (shares/ui/cairo_lib.h).
 */
#include "shares/ui/cairo_lib.h"
#include "common/err.h"

#include <dlfcn.h>
#include <string.h>

/* Filled once by shares_cairo_load(), then read only. */
static struct shares_cairo cairo_fns;
static int cairo_loaded;

int shares_cairo_load(const char *what)
{
	int r = CE_ERR_INTERNAL;
	struct shares_cairo lib;
	const char *missing = NULL;
	void *h = NULL, *sym;

	if (cairo_loaded)
		return 0;
	h = dlopen(SHARES_CAIRO_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *why = dlerror();

		r = ce_err_set(CE_ERR_UNSUPPORTED, "%s: %s could not be loaded (%s); "
			       "printing needs cairo (Debian: apt-get install libcairo2)",
			       what, SHARES_CAIRO_SONAME, why != NULL ? why : "not found");
		goto out;
	}
#define SHARES_CAIRO_RESOLVE(f) \
	sym = dlsym(h, "cairo_" #f); \
	if (sym == NULL && missing == NULL) \
		missing = "cairo_" #f; \
	memcpy(&lib.f, &sym, sizeof(sym));
	SHARES_CAIRO_FUNCS(SHARES_CAIRO_RESOLVE)
#undef SHARES_CAIRO_RESOLVE
	if (missing != NULL) {
		r = ce_err_set(CE_ERR_UNSUPPORTED, "%s: %s has no %s (cairo too old?)", what,
			       SHARES_CAIRO_SONAME, missing);
		goto out;
	}
	cairo_fns = lib;
	cairo_loaded = 1;
	h = NULL; /* kept open for the life of the process */
	r = 0;
out:
	if (h != NULL)
		dlclose(h);
	return r;
}

const struct shares_cairo *shares_cairo(void)
{
	return &cairo_fns;
}
