/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/tools/slip39_dump.c - SLIP-39 mnemonic decoding
 * (slip39_mnemonic_decode) as a filter for tests/tools/slip39-diff.py:
 * reads file names on stdin, one a line; decodes each file's whole content
 * as one mnemonic and prints one line: "REJECT" or "ACCEPT id ext e gi gt gc
 * mi mt VALUEHEX" (the fields of struct slip39_share, decimal). A test
 * tool: it prints the share, which ceremony itself never does.
 */
#include "common/buf.h"
#include "shares/slip39.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
	char name[4096];

	while (fgets(name, sizeof(name), stdin) != NULL) {
		struct buf b;
		struct slip39_share s;
		unsigned i;

		name[strcspn(name, "\n")] = '\0';
		buf_init(&b, 1u << 20);
		if (buf_read_file(&b, name, 1u << 20) < 0) {
			puts("ERROR");
			buf_free(&b);
			continue;
		}
		memset(&s, 0, sizeof(s));
		if (slip39_mnemonic_decode(b.p ? b.p : "", b.len, &s) == 0) {
			printf("ACCEPT %u %u %u %u %u %u %u %u ", s.identifier, s.extendable,
			       s.iteration_exponent, s.group_index, s.group_threshold, s.group_count,
			       s.member_index, s.member_threshold);
			for (i = 0; i < s.value_len; i++)
				printf("%02x", s.value[i]);
			putchar('\n');
		} else {
			puts("REJECT");
		}
		memset(&s, 0, sizeof(s));
		buf_free(&b);
	}
	return 0;
}
