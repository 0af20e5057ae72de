/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_uri.c - the check of a token's pkcs11: URI (RFC 7512).
 */
#include "ceremony/model/script.h"
#include "common/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* RFC 7512 path attributes that name a token (or its library / slot). */
static const char *const uri_token_attrs[] = {
	"token", "manufacturer", "serial", "model", "library-manufacturer",
	"library-description", "library-version", "slot-description", "slot-manufacturer",
	"slot-id", NULL
};

static int pct_valid(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == '%') {
			if (i + 2 >= n)
				return 0;
			if (!isxdigit((unsigned char)v[i + 1]) || !isxdigit((unsigned char)v[i + 2]))
				return 0;
			i += 2;
		} else if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

int script_uri_check(const char *uri, const char **why)
{
	const char *p, *q, *end;
	int names_token = 0;

	*why = NULL;
	if (strncmp(uri, "pkcs11:", 7) != 0) {
		*why = "does not start with 'pkcs11:'";
		return CE_ERR_FORMAT;
	}
	if (strstr(uri, "pin-value") != NULL || strstr(uri, "pin-source") != NULL) {
		*why = "carries a PIN (pin-value/pin-source): PINs come only from shares";
		return CE_ERR_FORMAT;
	}
	p = uri + 7;
	q = strchr(p, '?');
	end = q ? q : p + strlen(p);
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *attr_end = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(attr_end - p));
		size_t i, nlen;
		int known = 0;

		if (eq == NULL || eq == p) {
			*why = "has an attribute without 'name=value'";
			return CE_ERR_FORMAT;
		}
		nlen = (size_t)(eq - p);
		for (i = 0; uri_token_attrs[i] != NULL; i++)
			if (strlen(uri_token_attrs[i]) == nlen && strncmp(p, uri_token_attrs[i], nlen) == 0)
				known = 1;
		if (known && nlen == 7 && strncmp(p, "slot-id", 7) == 0) {
			/* as the runtime does (pkcs11/p11_token.c): slot numbers move */
			*why = "names a slot-id: slot numbers change (SoftHSM moves a token when "
			       "it is initialised, p11-kit's proxy renumbers slots); select the "
			       "token by token= and serial=";
			return CE_ERR_FORMAT;
		}
		if (!known) {
			if ((nlen == 6 && strncmp(p, "object", 6) == 0) || (nlen == 4 && strncmp(p, "type", 4) == 0) ||
			    (nlen == 2 && strncmp(p, "id", 2) == 0))
				*why = "names an object; a token URI names a token";
			else
				*why = "has an unknown attribute";
			return CE_ERR_FORMAT;
		}
		if (!pct_valid(eq + 1, (size_t)(attr_end - eq - 1))) {
			*why = "has a badly encoded value (use %XX for spaces and reserved bytes)";
			return CE_ERR_FORMAT;
		}
		if ((nlen == 5 && strncmp(p, "token", 5) == 0) || (nlen == 6 && strncmp(p, "serial", 6) == 0) ||
		    (nlen == 5 && strncmp(p, "model", 5) == 0) ||
		    (nlen == 12 && strncmp(p, "manufacturer", 12) == 0))
			names_token = 1;
		p = semi ? semi + 1 : end;
	}
	if (!names_token) {
		*why = "does not name a token (token=, serial=, model= or manufacturer=)";
		return CE_ERR_FORMAT;
	}
	if (q != NULL) {
		p = q + 1;
		while (*p != '\0') {
			const char *amp = strchr(p, '&');
			const char *aend = amp ? amp : p + strlen(p);

			if (!(strncmp(p, "module-name=", 12) == 0 || strncmp(p, "module-path=", 12) == 0)) {
				*why = "has an unknown query attribute (module-name, module-path allowed)";
				return CE_ERR_FORMAT;
			}
			if (!pct_valid(strchr(p, '=') + 1, (size_t)(aend - strchr(p, '=') - 1))) {
				*why = "has a badly encoded value (use %XX for spaces and reserved bytes)";
				return CE_ERR_FORMAT;
			}
			p = amp ? amp + 1 : aend;
		}
	}
	return 0;
}

int script_uri_without_token(const char *uri, char **out)
{
	const char *p = uri + strlen("pkcs11:"), *e;
	size_t n = strlen("pkcs11:");
	char *b = malloc(strlen(uri) + 1);

	*out = NULL;
	if (b == NULL)
		return CE_ERR_NOMEM;
	memcpy(b, "pkcs11:", n);
	while (*p) {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, "token=", 6) != 0) {
			if (b[n - 1] != ':')
				b[n++] = ';';
			memcpy(b + n, p, (size_t)(e - p));
			n += (size_t)(e - p);
		}
		p = *e ? e + 1 : e;
	}
	b[n] = '\0';
	*out = b;
	return 0;
}
