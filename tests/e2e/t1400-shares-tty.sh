#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The interactive share flow in a real terminal (tmux): split calls each
# holder with a step-up gate, shows their share alone, has it typed back and
# clears it (scrollback too); combine takes words without echo, accepts
# 4-letter prefixes, refuses unknown words at once, suggests the fix for a
# bad checksum, and stops cleanly (exit 1, a message), terminal restored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tty.sh"

secret=00112233445566778899aabbccddeeff

issue_to() { # NAME FILE: at the gate for NAME, take the share shown, type it back
	wait_for "Next: $1, please step up to the keyboard" &&
	! screen | grep -q "[0-9]\. [a-z]" &&
	T send-keys -t t Enter &&
	wait_for "Share for $1: share" && wait_for "Type yes when" &&
	screen_words >"$2" && test "$(wc -w <"$2")" = 20 &&
	T send-keys -t t "yes" Enter &&
	wait_for "$1: type your share back" &&
	! screen | grep -q "[0-9]\. [a-z]" &&
	type_share "$2" 4
}

test_expect_success 'split: each holder sees only their share, and it scans' '
	start_term &&
	T send-keys -t t "ceremony shares split --group 2/3 --holder Alice --holder Bob \
--holder Carol --label \"user PIN of RootCA\"; echo EXIT=\$?" Enter &&
	wait_for "Secret to split (hex" && wait_noecho &&
	T send-keys -t t "$secret" Enter &&
	wait_for "Type it again to confirm" &&
	T send-keys -t t "$secret" Enter &&
	wait_for "Next: Alice, please step up" &&
	! history | grep -q "$secret" &&
	T send-keys -t t Enter &&
	wait_for "Share for Alice: share 1 of 3, group 1 of 1, set" && wait_for "Type yes when" &&
	! screen | grep -q "$secret" &&
	screen_words >alice && test "$(wc -w <alice)" = 20 &&
	qr_from_screen alice.pgm &&
	zbarimg --raw -q alice.pgm >alice.qr 2>/dev/null &&
	test_cmp alice alice.qr &&
	T send-keys -t t "maybe" Enter &&
	wait_for "Please type yes or abort" &&
	T send-keys -t t "yes" Enter &&
	wait_for "Alice: type your share back" &&
	type_share alice 4 &&
	wait_for "Alice: share 1 of 3, group 1 of 1, set [0-9]* typed back and checked" &&
	wait_for "Next: Bob, please step up" &&
	! in_history alice &&
	issue_to Bob bob && ! cmp -s alice bob &&
	wait_for "Next: Carol, please step up" &&
	history >hist &&
	! grep -q "Share for Alice" hist && ! in_history bob &&
	issue_to Carol carol &&
	wait_for "EXIT=0" &&
	test_grep "All 3 shares of set [0-9]* were shown and typed back" <(screen) &&
	! history | grep -q "Share for" &&
	cp alice bob carol "$TEST_TMP/"
'

test_expect_success 'split: the QR of one holder is not the next holder share' '
	test -s "$TEST_TMP/alice" && ! cmp -s "$TEST_TMP/alice" "$TEST_TMP/bob"
'

# wordlist words that the entry and display messages themselves use
UI_WORDS="academic again away change check empty enlarge group have keyboard member order secret short single space step terminal that type valid window writing"

check_no_echo() { # SHAREFILE...: none of their words is on the screen
	screen >shown &&
	for w in $(cat "$@"); do
		if grep -q "$w" before; then continue; fi # in the instructions
		case " $UI_WORDS " in *" $w "*) continue ;; esac # in the messages
		if grep -qw "$w" shown; then echo "echoed: $w"; return 1; fi
	done
}

test_expect_success 'combine: no echo, prefixes, unknown word, checksum fix, take-back' '
	read -a a <"$TEST_TMP/alice" && read -a c <"$TEST_TMP/carol" &&
	start_term &&
	T send-keys -t t "ceremony shares combine --print-secret; echo EXIT=\$?" Enter &&
	wait_for "Next key holder, please step up" && T send-keys -t t Enter &&
	wait_for "Type abort to stop" &&
	screen >before &&
	for w in "${a[@]:0:10}"; do type_words "${w:0:4}"; done &&
	wait_for "word 10 ok" &&
	T send-keys -t t -l "acad" && sleep 0.3 &&
	stty -a -F "$(T display -p -t t "#{pane_tty}")" >mode &&
	tr " ;" "\n\n" <mode | grep -x -e -echo && tr " ;" "\n\n" <mode | grep -x -e -icanon &&
	! screen | grep -q acad &&
	T send-keys -t t C-u &&
	T send-keys -t t -l "acidx" &&
	wait_for "word 11: no word begins like that; nearest: acid" &&
	screen | grep "nearest" >>before &&
	T send-keys -t t BSpace BSpace BSpace BSpace BSpace &&
	for w in "${a[@]:10:10}"; do type_words "$w"; done &&
	wait_for "Quorum progress: 1/2" &&
	! history | grep -q "nearest" &&
	T send-keys -t t Enter &&
	wait_for "Key holder 2: enter your share" &&
	check_no_echo "$TEST_TMP/alice" &&
	wrong=academic && if [ "${c[6]}" = academic ]; then wrong=acid; fi &&
	type_words "${c[@]:0:6}" "$wrong" "${c[@]:7:13}" &&
	wait_for "word 20 ok" &&
	T send-keys -t t Enter &&
	wait_for "checksum of these 20 words is wrong" &&
	wait_for "word 7 could be .${c[6]}." &&
	screen | grep "could be" >>before &&
	wait_for "Type the share again from word 1" &&
	type_words "${c[@]:0:2}" acid &&
	wait_for "word 3 ok" &&
	T send-keys -t t BSpace &&
	wait_for "word 3 taken back" &&
	type_words "${c[@]:2:18}" &&
	wait_for "EXIT=0" &&
	screen | grep -x "$secret" &&
	check_no_echo "$TEST_TMP/alice" "$TEST_TMP/carol" &&
	term_is_cooked
'

test_expect_success 'combine: abort exits non-zero and restores the terminal' '
	read -a a <"$TEST_TMP/alice" &&
	start_term &&
	T send-keys -t t "ceremony shares combine; echo EXIT=\$?" Enter &&
	wait_for "Next key holder" && T send-keys -t t Enter &&
	wait_for "Type abort to stop" &&
	type_words "${a[@]:0:3}" abort &&
	wait_for "EXIT=1" &&
	term_is_cooked
'

test_expect_success 'combine: Ctrl-C exits 1 with a message and restores the terminal' '
	start_term &&
	T send-keys -t t "ceremony shares combine; echo STATUS=\$?" Enter &&
	wait_for "Next key holder" && T send-keys -t t Enter &&
	wait_for "Type abort to stop" &&
	type_words academic &&
	T send-keys -t t C-c &&
	wait_for "STATUS=1$" &&
	screen | grep -q "shares combine stopped: interrupted (Ctrl-C); nothing was recovered" &&
	! screen | grep -q "Type abort to stop" &&
	term_is_cooked
'

test_expect_success 'split: abort at the confirmation clears the share and fails' '
	start_term &&
	T send-keys -t t "ceremony shares split --group 2/3 --random 16; echo EXIT=\$?" Enter &&
	wait_for "Next key holder, please step up" && T send-keys -t t Enter &&
	wait_for "This is share 1 of 3, group 1 of 1, set" && wait_for "Type yes when" &&
	screen_words >first && test "$(wc -w <first)" = 20 &&
	T send-keys -t t "abort" Enter &&
	wait_for "EXIT=1" &&
	history >hist &&
	! grep -q "This is share 1 of 3" hist &&
	! grep -q " 1\. $(cut -d" " -f1 first)" hist
'

test_expect_success 'card: --out - refuses a terminal as standard output' '
	test -s "$TEST_TMP/alice" &&
	start_term &&
	T send-keys -t t "ceremony shares card --out - <$TEST_TMP/alice; echo EXIT=\$?" Enter &&
	wait_for "EXIT=2" &&
	screen | grep -q "must not be a terminal" &&
	! screen | grep -q "PDF-"
'

test_expect_success 'split: a shorter terminal shows words and QR code one at a time' '
	start_term 80 40 &&
	T send-keys -t t "ceremony shares split --group 1/1 --random 16; echo EXIT=\$?" Enter &&
	wait_for "Next key holder" && ! screen | grep -q "This terminal is" &&
	T send-keys -t t Enter &&
	wait_for "Press Enter to see the QR code" && wait_for "Type yes when" &&
	screen_words >words && test "$(wc -w <words)" = 20 &&
	! screen | grep -q "$(printf "\342\226\210")" &&
	T send-keys -t t Enter &&
	wait_for "Press Enter to see the words" && wait_for "Type yes when" &&
	! screen | grep -q " 1\. " &&
	qr_from_screen qr.pgm && zbarimg --raw -q qr.pgm >qr 2>/dev/null &&
	test_cmp words qr &&
	T send-keys -t t Enter &&
	wait_for "Press Enter to see the QR code" &&
	T send-keys -t t "yes" Enter &&
	wait_for "type your share back" && type_share words &&
	wait_for "EXIT=0"
'

test_expect_success 'split: an 80x24 terminal shows the words and says why no QR code' '
	start_term 80 24 &&
	T send-keys -t t "ceremony shares split --group 1/1 --random 16; echo EXIT=\$?" Enter &&
	wait_for "This terminal is 24 lines by 80 columns: the QR code of each share" &&
	wait_for "^needs up to [0-9]* lines and [0-9]* columns" &&
	stays_for 1 "Press Enter to continue" &&
	T send-keys -t t Enter &&
	wait_for "Next key holder" && ! screen | grep -q "This terminal is" &&
	T send-keys -t t Enter &&
	wait_for "The QR code needs a terminal of" && wait_for "Type yes when" &&
	screen | grep -q "This is share 1 of 1, group 1 of 1, set" &&
	screen_words >words && test "$(wc -w <words)" = 20 &&
	T send-keys -t t "yes" Enter &&
	wait_for "type your share back" && type_share words &&
	wait_for "EXIT=0"
'

test_expect_success 'split: Ctrl-C with a share on the screen clears it' '
	start_term &&
	T send-keys -t t "ceremony shares split --group 2/3 --random 16 --holder Dave \
--holder Erin --holder Frank; echo STATUS=\$?" Enter &&
	wait_for "Next: Dave" && T send-keys -t t Enter &&
	wait_for "Share for Dave" && wait_for "Type yes when" &&
	screen_words >dave && test "$(wc -w <dave)" = 20 &&
	T send-keys -t t C-c &&
	wait_for "STATUS=1$" &&
	screen | grep -q "shares split stopped: interrupted (Ctrl-C); no share set was completed" &&
	history >hist &&
	! grep -q "Share for Dave" hist &&
	! grep -q "20\. $(cut -d" " -f20 dave)" hist &&
	term_is_cooked
'

test_done
