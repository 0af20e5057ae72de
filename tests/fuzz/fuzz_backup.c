/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: key backup files (ceremony/actions/backup.c,
 * backup_decode: the document `key.restore` reads back). A document that
 * decodes must encode again and decode to the same fields (round trip).
 */
#include "ceremony/actions/backup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup b, again;
	char *doc = NULL;
	size_t len = 0;

	memset(&b, 0, sizeof(b));
	memset(&again, 0, sizeof(again));
	if (backup_decode("fuzz.backup", (const char *)data, size, &b) == 0) {
		if (backup_encode(&b, &doc, &len) != 0 ||
		    backup_decode("fuzz.backup", doc, len, &again) != 0)
			abort(); /* what decodes, encodes and decodes again */
		if (again.key_type != b.key_type || again.id_len != b.id_len ||
		    memcmp(again.id, b.id, b.id_len) != 0 || !str_eq(again.label, b.label) ||
		    !str_eq(again.public_key_pem, b.public_key_pem) ||
		    memcmp(again.public_key_sha256, b.public_key_sha256, 32) != 0 ||
		    !str_eq(again.wrap_secret_name, b.wrap_secret_name) ||
		    !str_eq(again.wrap_kind, b.wrap_kind) || !str_eq(again.ceremony_id, b.ceremony_id) ||
		    !str_eq(again.created, b.created) || again.blob_len != b.blob_len ||
		    (b.blob_len != 0 && memcmp(again.blob, b.blob, b.blob_len) != 0))
			abort();
	}
	free(doc);
	backup_clear(&again);
	backup_clear(&b);
	return 0;
}
