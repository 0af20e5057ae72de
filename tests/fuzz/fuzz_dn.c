/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: certificate subject strings (pkcs11/x509/, the one
 * public entry point x509_name_parse: "/C=FR/O=Example/CN=Root" on main; the
 * x509 branch rewrites the parser behind the same prototype, so this target
 * keeps compiling and fuzzes whichever syntax it takes). A name that parses
 * is printed as RFC 2253 and one-line text and encoded to DER, and must not
 * be empty.
 */
#include "pkcs11/x509/x509.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *subject = malloc(size + 1);
	X509_NAME *name = NULL;
	unsigned char *der = NULL;
	BIO *null = NULL;
	char line[256];

	if (subject == NULL)
		abort();
	memcpy(subject, data, size);
	subject[size] = '\0';
	if (x509_name_parse(subject, &name) == 0) {
		if (name == NULL || X509_NAME_entry_count(name) == 0)
			abort(); /* a subject names something */
		null = BIO_new(BIO_s_null());
		if (null == NULL || X509_NAME_print_ex(null, name, 0, XN_FLAG_RFC2253) < 0 ||
		    X509_NAME_oneline(name, line, sizeof(line)) == NULL || i2d_X509_NAME(name, &der) <= 0)
			abort();
	} else if (name != NULL) {
		abort(); /* nothing is returned on error */
	}
	ERR_clear_error();
	OPENSSL_free(der);
	BIO_free(null);
	X509_NAME_free(name);
	free(subject);
	return 0;
}
