#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony shares card: a printable PDF whose QR code scans back to the exact
# mnemonic; never overwrites; refuses bad input.
. "$(dirname "$0")/lib.sh"

secret=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

make_shares() {
	echo $secret | ceremony shares split --batch --group-threshold 1 --group 2/3 >shares &&
	sed -n 1p shares >alice && sed -n 2p shares >bob &&
	test "$(wc -w <alice)" = 33
}

scan_card() { # PDF OUT: the text of the QR code(s) on the card
	pdftoppm -png -r 150 "$1" page &&
	zbarimg --raw -q page-1.png >"$2" 2>/dev/null
}

test_expect_success 'the QR code of a card gives back the exact mnemonic' '
	make_shares &&
	ceremony shares card --out card.pdf --holder "Alice Example" \
		--label "user PIN of RootCA" <alice 2>err &&
	test_grep "holds a secret share" err &&
	test "$(stat -c %a card.pdf)" = 600 &&
	scan_card card.pdf got &&
	test_cmp alice got
'

test_expect_success 'a card of another share does not scan as this one' '
	make_shares &&
	ceremony shares card --out bob.pdf <bob 2>err &&
	scan_card bob.pdf got &&
	test_cmp bob got &&
	! cmp -s alice got
'

test_expect_success 'the card shows the holder, position and the words' '
	make_shares &&
	ceremony shares card --out card.pdf --holder "Alice Example" --label "user PIN of RootCA" \
		<alice 2>err &&
	pdftotext -layout card.pdf text &&
	test_grep "ceremony share card" text &&
	test_grep "Holder: Alice Example" text &&
	test_grep "Protects: user PIN of RootCA" text &&
	test_grep "This is share 1, group 1 of 1, set [0-9]*: member 1$" text &&
	test_grep "Any 2 shares recover the secret\." text &&
	test_grep "SECRET" text &&
	w1=$(cut -d" " -f1 alice) && w33=$(cut -d" " -f33 alice) &&
	test_grep " 1\. $w1" text &&
	test_grep "33\. $w33" text
'

test_expect_success 'a 20-word share scans back too' '
	echo 00112233445566778899aabbccddeeff |
		ceremony shares split --batch --group-threshold 1 --group 1/1 >one &&
	test "$(wc -w <one)" = 20 &&
	ceremony shares card --out one.pdf <one 2>err &&
	scan_card one.pdf got &&
	test_cmp one got
'

test_expect_success 'a card over an existing file is refused and the old file kept' '
	make_shares &&
	ceremony shares card --out card.pdf <alice 2>err &&
	cp card.pdf before.pdf &&
	test_must_fail ceremony shares card --out card.pdf <bob 2>err &&
	test_grep -i "exists" err &&
	cmp card.pdf before.pdf &&
	scan_card card.pdf got && test_cmp alice got
'

test_expect_success 'a tampered share is refused and no card is written' '
	make_shares &&
	sed "s/^\([a-z]*\) \([a-z]*\) /\1 \1 /" alice >tampered &&
	! cmp -s alice tampered &&
	test_must_fail ceremony shares card --out card.pdf <tampered 2>err &&
	test_grep -i "checksum" err &&
	test_grep "line 1" err &&
	! test -e card.pdf &&
	test "$(ls)" = "$(ls | grep -v pdf)"
'

test_expect_success 'one share per card: two mnemonics are refused' '
	make_shares &&
	cat alice bob | test_must_fail ceremony shares card --out card.pdf 2>err &&
	test_grep "one share per card" err &&
	! test -e card.pdf
'

test_expect_success 'an unknown word is named with its nearest words' '
	make_shares &&
	sed "s/^[a-z]* /acidx /" alice >typo &&
	test_must_fail ceremony shares card --out card.pdf <typo 2>err &&
	test_grep -i "word" err &&
	! test -e card.pdf
'

test_expect_success '--out - writes the PDF to a pipe' '
	make_shares &&
	ceremony shares card --out - <alice 2>err | cat >piped.pdf &&
	test "$(head -c 5 piped.pdf)" = "%PDF-" &&
	scan_card piped.pdf got && test_cmp alice got
'

test_expect_success 'usage errors exit 2' '
	make_shares &&
	test_exit_code 2 ceremony shares card <alice 2>err &&
	test_grep "out PATH is required" err &&
	test_exit_code 2 ceremony shares card --out x.pdf --bogus <alice 2>err &&
	test_exit_code 2 ceremony shares card --out x.pdf extra <alice 2>err &&
	! test -e x.pdf &&
	ceremony shares card --help >out && test_grep "usage: ceremony shares card" out
'

# cairo is opened when a card is printed (shares/ui/card.c), not linked.
hide_cairo() { # builds nocairo.so: an LD_PRELOAD shim whose dlopen finds no cairo
	cat >nocairo.c <<-\EOC &&
	#define _GNU_SOURCE
	#include <dlfcn.h>
	#include <string.h>
	void *dlopen(const char *file, int mode);
	void *dlopen(const char *file, int mode)
	{
		static void *(*next)(const char *, int);
		if (file != NULL && strstr(file, "libcairo") != NULL)
			return NULL;
		if (next == NULL)
			next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
		return next != NULL ? next(file, mode) : NULL;
	}
	EOC
	${CC:-cc} -shared -fPIC -o nocairo.so nocairo.c -ldl
}

test_expect_success 'the binary does not link cairo; only a card loads it' '
	make_shares &&
	! ldd "$TEST_BUILD/ceremony" | grep -q libcairo &&
	LD_DEBUG=libs ceremony version >/dev/null 2>debug &&
	! grep -q "libcairo" debug &&
	LD_DEBUG=libs ceremony shares card --out card.pdf <alice 2>debug &&
	test_grep -q "libcairo.so.2" debug
'

test_expect_success 'failing twin: without libcairo.so.2 a card is refused, naming it; version still runs' '
	make_shares &&
	hide_cairo &&
	LD_PRELOAD="$PWD/nocairo.so${LD_PRELOAD:+:$LD_PRELOAD}" \
		test_must_fail ceremony shares card --out card.pdf <alice 2>err &&
	test_grep "libcairo.so.2 could not be loaded" err &&
	test_grep "needs cairo" err &&
	! test -e card.pdf &&
	LD_PRELOAD="$PWD/nocairo.so${LD_PRELOAD:+:$LD_PRELOAD}" ceremony version
'

test_done
