/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: PKCS#11 URIs (RFC 7512). Two parsers see a URI: the
 * script's check (ceremony/model/script_uri.c, script_uri_check: names a
 * token, percent-escapes well formed, no PIN) and the token/key lookup
 * (pkcs11/p11_token.c, p11_uri_parse: p11-kit's parser, then what the tool
 * adds: no pin-value, no pin-source, no slot-id, no attribute p11-kit does
 * not know). Both must refuse every URI that carries a PIN. A URI
 * p11_uri_parse accepts is formatted back by p11-kit and must parse again,
 * and is matched against a fixed token.
 */
#include "ceremony/model/script.h"
#include "pkcs11/p11_internal.h"

#include <p11-kit/uri.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *uri = malloc(size + 1);
	P11KitUri *u = NULL, *u2 = NULL;
	char *back = NULL;
	const char *why = NULL;
	CK_TOKEN_INFO ti;
	int rs, rp;

	if (uri == NULL)
		abort();
	memcpy(uri, data, size);
	uri[size] = '\0';
	rs = script_uri_check(uri, &why);
	if (rs == 0 && why != NULL)
		abort();
	if (rs != 0 && why == NULL)
		abort(); /* a refusal says why */
	rp = p11_uri_parse(uri, P11_KIT_URI_FOR_ANY, &u);
	if (rp == 0) {
		if (u == NULL || p11_kit_uri_get_pin_value(u) != NULL ||
		    p11_kit_uri_get_pin_source(u) != NULL)
			abort(); /* PINs never travel in URIs */
		if (p11_kit_uri_format(u, P11_KIT_URI_FOR_ANY, &back) != P11_KIT_URI_OK ||
		    p11_uri_parse(back, P11_KIT_URI_FOR_ANY, &u2) != 0)
			abort(); /* what p11-kit formats, the tool parses again */
		memset(&ti, ' ', sizeof(ti));
		memcpy(ti.label, "Root", 4);
		memcpy(ti.manufacturerID, "SoftHSM project", 15);
		(void)p11_kit_uri_match_token_info(u, &ti);
	} else if (u != NULL) {
		abort(); /* nothing is returned on error */
	}
	if (rs == 0 && (strstr(uri, "pin-value") != NULL || strstr(uri, "pin-source") != NULL))
		abort();
	free(back);
	if (u2 != NULL)
		p11_kit_uri_free(u2);
	if (u != NULL)
		p11_kit_uri_free(u);
	free(uri);
	return 0;
}
