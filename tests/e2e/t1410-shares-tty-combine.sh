#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony shares combine` at a terminal, read as the next key holder would
# see it: a step-up gate and a cleared screen and scrollback between holders
# (no word hint of one holder left for the next), a refused share's reason
# held until Enter and then cleared, a share of another set refused naming
# both sets, progress as "Quorum progress: 1/2", Ctrl-C and Ctrl-D ending
# with status 1 and a sentence on a line of its own; --pin-derivation prints
# the PIN derived from the secret (as pin-derive.py does), never the secret.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tty.sh"

secret=00112233445566778899aabbccddeeff

make_sets() { # a1 a2 a3: set A (2 of 3); b1: set B (2 of 3)
	echo $secret | ceremony shares split --batch --group 2/3 >a &&
	echo ffeeddccbbaa99887766554433221100 | ceremony shares split --batch --group 2/3 >b &&
	sed -n 1p a >a1 && sed -n 2p a >a2 && sed -n 3p a >a3 && sed -n 1p b >b1
}

start_combine() { # [OPTIONS]: combine at the gate of the first holder
	start_term &&
	T send-keys -t t "clear; ceremony shares combine $*; echo EXIT=\$?" Enter &&
	wait_for "Next key holder, please step up to the keyboard" &&
	wait_for "Press Enter when the previous holder has stepped away"
}

test_expect_success 'combine: the next holder finds no hint of the previous one' '
	make_sets &&
	start_combine --print-secret &&
	T send-keys -t t Enter &&
	wait_for "Key holder 1: enter your share" &&
	T send-keys -t t -l "acidx" &&
	wait_for "word 1: no word begins like that; nearest: acid" &&
	T send-keys -t t BSpace BSpace BSpace BSpace BSpace &&
	type_share a1 4 &&
	wait_for "Share accepted: share 1, group 1 of 1, set [0-9]*\. Quorum progress: 1/2" &&
	wait_for "Next key holder, please step up" &&
	! screen | grep -q "nearest" && ! history | grep -q "nearest" &&
	! history | grep -q "Key holder 1" &&
	T send-keys -t t Enter &&
	wait_gone "Quorum progress" &&
	wait_for "Key holder 2: enter your share" &&
	type_share a2 &&
	wait_for "EXIT=0" &&
	screen | grep -x "$secret" &&
	screen | grep -q "Quorum reached: the secret of set [0-9]* was recovered from 2 shares" &&
	! history | grep -q "Key holder"
'

test_expect_success 'combine --pin-derivation: the PIN derived is printed, never the secret' '
	make_sets &&
	pin=$(echo $secret | python3 "$TEST_TOP/tests/e2e/pin-derive.py" "hkdf-sha256-v1 typeable 24") &&
	test ${#pin} = 24 &&
	start_combine --pin-derivation \"hkdf-sha256-v1 typeable 24\" &&
	T send-keys -t t Enter &&
	wait_for "Key holder 1: enter your share" &&
	type_share a1 &&
	wait_for "Next key holder, please step up" &&
	T send-keys -t t Enter &&
	wait_for "Key holder 2: enter your share" &&
	type_share a3 &&
	wait_for "EXIT=0" &&
	screen | grep -q "the PIN derived from it (hkdf-sha256-v1 typeable 24) follows:" &&
	screen | grep -x "$pin" &&
	! screen | grep -q "$secret" && ! history | grep -q "$secret"
'

test_expect_success 'combine: the hint is on screen while its holder types (twin)' '
	make_sets &&
	start_combine &&
	T send-keys -t t Enter &&
	T send-keys -t t -l "acidx" &&
	wait_for "nearest: acid" &&
	history | grep -q "nearest: acid" &&
	T send-keys -t t C-c && wait_for "EXIT=1"
'

test_expect_success 'combine: a refused share stays on screen until Enter, then goes' '
	make_sets &&
	start_combine &&
	T send-keys -t t Enter && type_share a1 &&
	wait_for "Quorum progress: 1/2" &&
	T send-keys -t t Enter && wait_for "Key holder 2" &&
	type_share a1 &&
	wait_for "Share REFUSED: share 1, group 1 of 1, set [0-9]* was already entered" &&
	wait_for "Press Enter to continue" &&
	stays_for 2 "Share REFUSED" &&
	T send-keys -t t Enter &&
	wait_gone "Share REFUSED" &&
	! history | grep -q "REFUSED" &&
	wait_for "^Quorum progress: 1/2" && wait_for "Next key holder" &&
	T send-keys -t t Enter && type_share a3 &&
	wait_for "EXIT=0" &&
	screen | grep -q "recovered from 2 shares"
'

test_expect_success 'combine: a share of another set is refused naming both sets' '
	make_sets &&
	start_combine &&
	T send-keys -t t Enter && type_share a1 &&
	wait_for "Quorum progress: 1/2" &&
	seta=$(screen | sed -n "s/.*Share accepted: share 1, group 1 of 1, set \([0-9]*\)\..*/\1/p") &&
	test -n "$seta" &&
	T send-keys -t t Enter && type_share b1 &&
	wait_for "Press Enter to continue" &&
	screen >refusal &&
	setb=$(sed -n "s/.*Share REFUSED: share 1, group 1 of 1, set \([0-9]*\) is of another set.*/\1/p" refusal) &&
	test -n "$setb" && test "$setb" != "$seta" &&
	test_grep "the shares entered so far are of set $seta" refusal &&
	T send-keys -t t Enter &&
	wait_gone "REFUSED" &&
	T send-keys -t t Enter && type_share a2 &&
	wait_for "EXIT=0"
'

test_expect_success 'combine: two groups show each group and the groups complete' '
	echo $secret | ceremony shares split --batch --group-threshold 2 --group 2/2 \
		--group 1/1 >g &&
	sed -n 1p g >g1m1 && sed -n 2p g >g1m2 && sed -n 4p g >g2m1 &&
	start_combine &&
	T send-keys -t t Enter && type_share g1m1 &&
	wait_for "Quorum progress: group 1: 1/2; groups complete 0/2" &&
	T send-keys -t t Enter && type_share g2m1 &&
	wait_for "Quorum progress: group 1: 1/2; group 2: 1/1; groups complete 1/2" &&
	T send-keys -t t Enter && type_share g1m2 &&
	wait_for "EXIT=0" &&
	screen | grep -q "recovered from 3 shares"
'

test_expect_success 'combine: Ctrl-D at the gate: a newline, a sentence, exit 1' '
	start_combine &&
	T send-keys -t t C-d &&
	wait_for "^EXIT=1$" &&
	screen | grep -q "^ceremony: shares combine stopped: end of input (Ctrl-D); nothing was recovered" &&
	term_is_cooked
'

test_expect_success 'combine: Ctrl-D in a share: said on its own line, exit 1' '
	start_combine &&
	T send-keys -t t Enter &&
	type_words academic acid &&
	wait_for "word 2 ok" &&
	T send-keys -t t C-d &&
	wait_for "^EXIT=1$" &&
	screen | grep -q "^ceremony: shares combine stopped: end of input (Ctrl-D) at word 3" &&
	! screen | grep -q "word 2 ok" &&
	term_is_cooked
'

test_expect_success 'combine: Ctrl-C at the gate exits 1 with a message, not 130' '
	start_combine &&
	T send-keys -t t C-c &&
	wait_for "^EXIT=1$" &&
	screen | grep -q "shares combine stopped: interrupted (Ctrl-C)" &&
	! screen | grep -q "EXIT=130" &&
	term_is_cooked
'

test_done
