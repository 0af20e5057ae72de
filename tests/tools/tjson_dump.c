/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/tools/tjson_dump.c - the transcript line reader (tj_parse) as a
 * filter for tests/tools/tjson-diff.py: reads file names on stdin, one a
 * line; parses each file's whole content as one JSON text and prints one
 * line: "REJECT" or "ACCEPT " and the value in a neutral form both sides can
 * build: {"o":[[KEYHEX,V],...]} {"a":[V,...]} {"s":HEX} {"i":"DECIMAL"}
 * {"r":1} {"t":1} {"f":1} {"n":1}, strings as the hex of their decoded
 * UTF-8 bytes. A file that cannot be read prints "ERROR".
 */
#include "ceremony/transcript/tjson.h"
#include "common/buf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hexs(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
	putchar('"');
}

static void dump(const struct tj_doc *d, int i)
{
	const struct tj_tok *t = &d->t[i];
	uint32_t k;
	int c;

	switch (t->type) {
	case TJ_OBJ:
		fputs("{\"o\":[", stdout);
		c = tj_first(d, i);
		for (k = 0; k < t->size; k++) {
			fputs(k ? ",[" : "[", stdout);
			hexs(d->strbuf + d->t[c].v.soff, d->t[c].slen);
			putchar(',');
			dump(d, c + 1);
			putchar(']');
			c = (int)d->t[c + 1].next;
		}
		fputs("]}", stdout);
		break;
	case TJ_ARR:
		fputs("{\"a\":[", stdout);
		c = tj_first(d, i);
		for (k = 0; k < t->size; k++) {
			if (k)
				putchar(',');
			dump(d, c);
			c = (int)d->t[c].next;
		}
		fputs("]}", stdout);
		break;
	case TJ_STR:
		fputs("{\"s\":", stdout);
		hexs(d->strbuf + t->v.soff, t->slen);
		putchar('}');
		break;
	case TJ_INT:
		printf("{\"i\":\"%" PRId64 "\"}", t->v.i);
		break;
	case TJ_REAL:
		fputs("{\"r\":1}", stdout);
		break;
	case TJ_TRUE:
		fputs("{\"t\":1}", stdout);
		break;
	case TJ_FALSE:
		fputs("{\"f\":1}", stdout);
		break;
	default:
		fputs("{\"n\":1}", stdout);
		break;
	}
}

int main(void)
{
	char name[4096], why[256];

	while (fgets(name, sizeof(name), stdin) != NULL) {
		struct buf b;
		struct tj_doc d;

		name[strcspn(name, "\n")] = '\0';
		buf_init(&b, 4u << 20);
		if (buf_read_file(&b, name, 4u << 20) < 0 || tj_init(&d, b.len + 1) != 0) {
			puts("ERROR");
			buf_free(&b);
			continue;
		}
		if (tj_parse(&d, b.p ? b.p : "", b.len, why, sizeof(why)) == 0) {
			fputs("ACCEPT ", stdout);
			dump(&d, 0);
			putchar('\n');
		} else {
			puts("REJECT");
		}
		tj_free(&d);
		buf_free(&b);
	}
	return 0;
}
