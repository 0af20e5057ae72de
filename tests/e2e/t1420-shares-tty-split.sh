#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony shares split` at a terminal: the secret typed twice without echo
# and asked again on bad input; a short numeric PIN split as text (and
# combined back); each share typed back before the next holder is called,
# shown again when typed back wrong; its own --help; text secrets in batch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tty.sh"

secret=00112233445566778899aabbccddeeff

take_share() { # NAME FILE: at NAME's gate, read the share shown into FILE, confirm it
	wait_for "Next: $1, please step up to the keyboard" &&
	T send-keys -t t Enter &&
	wait_for "Share for $1: share" && wait_for "Type yes when" &&
	screen_words >"$2" &&
	T send-keys -t t "yes" Enter &&
	wait_for "$1: type your share back"
}

test_expect_success 'split, combine and card --help print their own text' '
	ceremony shares split --help >split.txt &&
	test_grep "^usage: ceremony shares split --group T/N" split.txt &&
	test_grep -- "--secret-format text" split.txt &&
	test_grep "types it back" split.txt &&
	ceremony shares combine --help >combine.txt &&
	test_grep "^usage: ceremony shares combine" combine.txt &&
	test_grep "Quorum progress: 1/3" combine.txt &&
	ceremony shares card --help >card.txt &&
	test_grep -- "--share-fd N" card.txt &&
	! grep -q "Combine SLIP-39 shares" split.txt &&
	! grep -q "^usage: ceremony shares split" combine.txt &&
	! grep -q "^usage: ceremony shares \(split\|combine\)" card.txt &&
	ceremony shares --help >generic.txt &&
	test_grep "^usage: ceremony shares split \[OPTIONS\]" generic.txt &&
	! grep -q "^usage: ceremony shares split \[OPTIONS\]" split.txt
'

test_expect_success 'split: the secret is not echoed; bad and differing entries are asked again' '
	start_term &&
	T send-keys -t t "clear; ceremony shares split --group 1/1 --holder Ann; echo EXIT=\$?" Enter &&
	wait_for "Secret to split (hex, 32 to 128 digits; not shown)" && wait_noecho &&
	T send-keys -t t "1234" Enter &&
	wait_for "Not taken: a hex secret is 16 to 64 bytes" &&
	wait_for "a PIN or passphrase is split with --secret-format text" &&
	T send-keys -t t "$secret" Enter &&
	wait_for "Type it again to confirm (not shown)" &&
	T send-keys -t t "ffeeddccbbaa99887766554433221100" Enter &&
	wait_for "The two entries differ; nothing was kept. Type the secret again." &&
	T send-keys -t t "$secret" Enter &&
	wait_for "Type it again to confirm" &&
	T send-keys -t t "$secret" Enter &&
	take_share Ann ann &&
	! history | grep -q -e "$secret" -e ffeedd && ! history | grep -qw 1234 &&
	type_share ann &&
	wait_for "EXIT=0" &&
	echo $secret >want && ceremony shares combine --batch <ann >got && test_cmp want got
'

test_expect_success 'split: Ctrl-D at the secret prompt stops with a sentence, exit 1' '
	start_term &&
	T send-keys -t t "clear; ceremony shares split --group 1/1; echo EXIT=\$?" Enter &&
	wait_for "Secret to split" && wait_noecho &&
	T send-keys -t t C-d &&
	wait_for "^EXIT=1$" &&
	screen | grep -q "^ceremony: shares split stopped: end of input (Ctrl-D); no share set was completed" &&
	term_is_cooked
'

test_expect_success 'split: a 4-digit PIN is split as text, typed back, combined back' '
	start_term &&
	T send-keys -t t "clear; ceremony shares split --secret-format text --group 2/2 \
--holder Ann --holder Ben --label \"user PIN of RootCA\"; echo EXIT=\$?" Enter &&
	wait_for "Secret to split (text, e.g. a PIN; not shown)" && wait_noecho &&
	T send-keys -t t "4711" Enter &&
	wait_for "Type it again" && T send-keys -t t "4711" Enter &&
	take_share Ann ann && test "$(wc -w <ann)" = 20 &&
	type_share ann 4 &&
	wait_for "Ann: share 1 of 2, group 1 of 1, set [0-9]* typed back and checked" &&
	take_share Ben ben && type_share ben &&
	wait_for "EXIT=0" &&
	! history | grep -qw 4711 &&
	cat ann ben | ceremony shares combine --batch --secret-format text >got &&
	echo 4711 >want && test_cmp want got &&
	cat ann ben | ceremony shares combine --batch >hex &&
	echo 04343731310000000000000000000000 >want && test_cmp want hex
'

test_expect_success 'split: a share typed back wrong is refused and shown again' '
	echo ffeeddccbbaa99887766554433221100 |
		ceremony shares split --batch --group 1/1 >other &&
	start_term &&
	T send-keys -t t "clear; ceremony shares split --random 16 --group 1/1 --holder Ann; \
echo EXIT=\$?" Enter &&
	take_share Ann ann &&
	type_share other &&
	wait_for "The share typed back is not the one shown (share 1 of 1, group 1 of 1, set" &&
	stays_for 2 "Press Enter to continue" &&
	T send-keys -t t Enter &&
	wait_for "Share for Ann: share 1 of 1" && wait_for "Type yes when" &&
	screen_words >again && test_cmp ann again &&
	T send-keys -t t "yes" Enter &&
	wait_for "Ann: type your share back" &&
	type_share ann &&
	wait_for "EXIT=0" &&
	screen | grep -q "The 1 share of set [0-9]* was shown and typed back"
'

test_expect_success 'split: typed back wrong three times fails, no set completed' '
	echo ffeeddccbbaa99887766554433221100 |
		ceremony shares split --batch --group 1/1 >other &&
	start_term &&
	T send-keys -t t "clear; ceremony shares split --random 16 --group 1/1 --holder Ann; \
echo EXIT=\$?" Enter &&
	take_share Ann ann && type_share other &&
	wait_for "Press Enter to continue" && T send-keys -t t Enter &&
	wait_for "Type yes when" && T send-keys -t t "yes" Enter &&
	wait_for "type your share back" && type_share other &&
	wait_for "Press Enter to continue" && T send-keys -t t Enter &&
	wait_for "Type yes when" && T send-keys -t t "yes" Enter &&
	wait_for "type your share back" && type_share other &&
	wait_for "^EXIT=1$" &&
	screen | grep -q "was not typed back as shown (3 tries); no share set was completed" &&
	! in_history ann
'

test_expect_success 'split --batch --secret-format text: a PIN round-trips; bad text refused' '
	printf "1234\n" | ceremony shares split --batch --secret-format text --group 2/3 >s &&
	test "$(head -1 s | wc -w)" = 20 &&
	head -2 s | ceremony shares combine --batch --secret-format text >got &&
	echo 1234 >want && test_cmp want got &&
	printf "12\t34\n" >tab &&
	test_must_fail ceremony shares split --batch --secret-format text --group 2/3 <tab 2>err &&
	test_grep "control character" err &&
	printf "%064d\n" 1 >long &&
	test_must_fail ceremony shares split --batch --secret-format text --group 2/3 <long 2>err &&
	test_grep "at most 63" err &&
	echo $secret | ceremony shares split --batch --group 1/1 >hexshare &&
	test_must_fail ceremony shares combine --batch --secret-format text <hexshare 2>err &&
	test_grep "not a text secret" err &&
	test_must_fail ceremony shares split --batch --secret-format pin --group 1/1 </dev/null 2>err &&
	test_grep "wants hex or text" err
'

test_done
