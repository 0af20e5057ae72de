#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony shares card` as a holder uses it: at a terminal the share is
# typed without echo and leaves nothing on the screen or in the scrollback;
# --share-fd N reads it from a descriptor; the card alone says whose share
# it is ("member m of M"), what recovers the secret ("Any 2 of these 3
# shares"), the ceremony and date, the word count, that 4 letters a word
# suffice, and has places for the envelope number and a signature.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tty.sh"

make_shares() {
	echo 00112233445566778899aabbccddeeff |
		ceremony shares split --batch --group 2/3 >shares &&
	sed -n 2p shares >bob && test "$(wc -w <bob)" = 20
}

scan_card() { # PDF OUT: the text of the QR code on the card (as an image)
	pdftoppm -png -r 150 "$1" page &&
	zbarimg --raw -q page-1.png >"$2" 2>/dev/null
}

test_expect_success 'card at a terminal: typed without echo, nothing left behind' '
	make_shares &&
	start_term &&
	T send-keys -t t "clear; ceremony shares card --out card.pdf --members 3; echo EXIT=\$?" Enter &&
	wait_for "Type the share to print on the card" && wait_noecho &&
	type_share bob 4 &&
	wait_for "EXIT=0" &&
	history >hist &&
	! grep -q "Type the share" hist &&
	for w in $(cat bob); do
		case " echo secret envelope destroy " in *" $w "*) continue ;; esac # the messages
		! grep -qw "$w" hist || { echo "left: $w"; exit 1; }
	done &&
	scan_card card.pdf got && test_cmp bob got &&
	term_is_cooked
'

test_expect_success 'card at a terminal: abort writes no card, exit 1 (twin)' '
	make_shares &&
	start_term &&
	T send-keys -t t "clear; ceremony shares card --out card.pdf; echo EXIT=\$?" Enter &&
	wait_for "Type the share to print on the card" &&
	type_words academic abort &&
	wait_for "^EXIT=1$" &&
	screen | grep -q "shares card stopped; no card was written" &&
	! test -e card.pdf
'

test_expect_success 'card --share-fd: the share from a descriptor, the card usable alone' '
	make_shares &&
	ceremony shares card --out card.pdf --holder "Bob Example" --members 3 \
		--ceremony "Root CA 2026" --date 2026-12-05 --label "user PIN of RootCA" \
		--share-fd 3 3<bob </dev/null 2>err &&
	test_grep "holds a secret share" err &&
	pdftotext -layout card.pdf text &&
	test_grep "Holder: Bob Example" text &&
	test_grep "Ceremony: Root CA 2026 *Date: 2026-12-05" text &&
	test_grep "This is share 2 of 3, group 1 of 1, set [0-9]*: member 2 of 3" text &&
	test_grep "Any 2 of these 3 shares recover the secret\." text &&
	test_grep "20 words, in this order. To type them, the first 4 letters of each word suffice" text &&
	test_grep "Envelope number: ____" text &&
	test_grep "Signature of the holder: ____" text &&
	w20=$(cut -d" " -f20 bob) && test_grep "20\. $w20" text &&
	scan_card card.pdf got && test_cmp bob got
'

test_expect_success 'card: --members below the threshold or the member is refused (twin)' '
	make_shares &&
	test_must_fail ceremony shares card --out card.pdf --members 1 --share-fd 3 3<bob 2>err &&
	test_grep "this share is member 2 of a group needing 2" err &&
	! test -e card.pdf &&
	test_exit_code 2 ceremony shares card --out card.pdf --members 17 --share-fd 3 3<bob 2>err &&
	test_grep "members wants 1..16" err &&
	test_exit_code 2 ceremony shares card --out card.pdf --share-fd 9 2>err &&
	test_grep "share-fd 9: not an open descriptor" err
'

test_expect_success 'card: a 64-byte share (59 words) fits the page and scans' '
	echo 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff |
		ceremony shares split --batch --group 1/1 >long &&
	test "$(wc -w <long)" = 59 &&
	ceremony shares card --out long.pdf --share-fd 3 3<long 2>err &&
	pdftotext -layout long.pdf text &&
	test_grep "59 words" text && test_grep "59\. " text && test_grep "Signature" text &&
	test "$(pdfinfo long.pdf | sed -n "s/^Pages: *//p")" = 1 &&
	scan_card long.pdf got && test_cmp long got
'

test_done
