#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The interactive share flow in a real terminal (tmux): split shows each
# holder's share alone and clears it (scrollback too); combine takes words
# without echo, accepts 4-letter prefixes, refuses unknown words at once,
# suggests the fix for a bad checksum, and aborts cleanly, terminal restored.
. "$(dirname "$0")/lib.sh"

# one tmux server per test, all killed at the end
T() { tmux -S "$TEST_TMP/tmux.$test_count.sock" "$@"; }
kill_terms() {
	for s in "$TEST_TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	test_cleanup
}
trap kill_terms EXIT

start_term() { # [COLS ROWS]: a fresh terminal (100x60) running a plain shell in the cwd
	T new-session -d -s t -x "${1:-100}" -y "${2:-60}" -c "$PWD" "bash --norc --noprofile -i" &&
	T send-keys -t t "PS1='$ '; export PATH='$PATH'" Enter &&
	wait_for '^\$ *$'
}

screen() { T capture-pane -p -t t; }          # what is on the screen
history() { T capture-pane -p -S - -t t; }    # screen and scrollback

wait_for() { # PATTERN: until the screen shows it (20 s at most)
	for _ in $(seq 200); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "wait_for: no '$1' on the screen:" >&2
	screen >&2
	return 1
}

wait_noecho() { # until the program has turned the terminal's echo off
	for _ in $(seq 200); do
		stty -a -F "$(T display -p -t t "#{pane_tty}")" | tr " ;" "\n\n" |
			grep -q -x -e -echo && return 0
		sleep 0.1
	done
	echo "wait_noecho: the terminal still echoes" >&2
	return 1
}

type_words() { # WORD...: each then a space, a few at a time
	for w in "$@"; do
		T send-keys -t t -l "$w " || return 1
	done
}

screen_words() { # the share's words as shown, in order, one line
	screen | python3 -c '
import re, sys
words = {}
for line in sys.stdin:
    for n, w in re.findall(r"(\d+)\. ([a-z]+)", line):
        words[int(n)] = w
print(" ".join(words[k] for k in sorted(words)))'
}

qr_from_screen() { # OUT.pgm: the half-block QR code on the screen as an image
	screen | python3 -c '
import sys
rows = []
for line in sys.stdin:
    line = line.rstrip("\n")
    if any(c in line for c in "\u2588\u2580\u2584"):
        top = [c in "\u2588\u2580" for c in line]
        bottom = [c in "\u2588\u2584" for c in line]
        rows += [top, bottom]
left = min(r.index(True) for r in rows if True in r)
right = max(len(r) - r[::-1].index(True) for r in rows if True in r)
mods = [(r + [False] * right)[left:right] for r in rows]
while not any(mods[-1]):
    mods.pop()
q, s = 4, 4
w = (right - left + 2 * q) * s
h = (len(mods) + 2 * q) * s
out = bytearray()
for y in range(h):
    my = y // s - q
    for x in range(w):
        mx = x // s - q
        dark = 0 <= my < len(mods) and 0 <= mx < len(mods[my]) and mods[my][mx]
        out.append(0 if dark else 255)
sys.stdout.buffer.write(b"P5 %d %d 255\n" % (w, h) + bytes(out))' >"$1"
}

secret=00112233445566778899aabbccddeeff

test_expect_success 'split: each holder sees only their share, and it scans' '
	start_term &&
	T send-keys -t t "ceremony shares split --group 2/3 --holder Alice --holder Bob \
--holder Carol --label \"user PIN of RootCA\"; echo EXIT=\$?" Enter &&
	wait_for "Master secret" && wait_noecho &&
	T send-keys -t t "$secret" Enter &&
	wait_for "Share for Alice" && wait_for "Type yes when" &&
	! screen | grep -q "$secret" &&
	screen_words >alice && test "$(wc -w <alice)" = 20 &&
	qr_from_screen alice.pgm &&
	zbarimg --raw -q alice.pgm >alice.qr 2>/dev/null &&
	test_cmp alice alice.qr &&
	T send-keys -t t "maybe" Enter &&
	wait_for "Please type yes or abort" &&
	T send-keys -t t "yes" Enter &&
	wait_for "Share for Bob" && wait_for "Type yes when" &&
	screen_words >bob && ! cmp -s alice bob &&
	history >hist &&
	! grep -q "Alice" hist &&
	read -a a <alice && read -a b <bob &&
	for i in $(seq 0 19); do
		if [ "${a[$i]}" != "${b[$i]}" ]; then
			! grep -q "$((i + 1))\. ${a[$i]} " hist || exit 1
		fi
	done &&
	T send-keys -t t "yes" Enter &&
	wait_for "Share for Carol" && wait_for "Type yes when" &&
	screen_words >carol &&
	T send-keys -t t "yes" Enter &&
	wait_for "EXIT=0" &&
	test_grep "All 3 shares" <(screen) &&
	! history | grep -q "Share for" &&
	cp alice bob carol "$TEST_TMP/"
'

test_expect_success 'split: the QR of one holder is not the next holder share' '
	test -s "$TEST_TMP/alice" && ! cmp -s "$TEST_TMP/alice" "$TEST_TMP/bob"
'

term_is_cooked() { # the shell's terminal has echo and icanon back
	T send-keys -t t "echo RAW=\$(stty -a | tr \" ;\" \"\n\n\" | grep -c -x -e -echo -e -icanon)" Enter &&
	wait_for "^RAW=0$"
}

# wordlist words that the entry and display messages themselves use
UI_WORDS="academic again change check empty enlarge group member order short single space terminal that type valid window writing"

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
	wait_for "share 2" &&
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
	wait_for "Type abort to stop" &&
	type_words "${a[@]:0:3}" abort &&
	wait_for "EXIT=1" &&
	term_is_cooked
'

test_expect_success 'combine: Ctrl-C restores the terminal' '
	start_term &&
	T send-keys -t t "ceremony shares combine" Enter &&
	wait_for "Type abort to stop" &&
	type_words academic &&
	T send-keys -t t C-c &&
	wait_for "^\$ *$" &&
	T send-keys -t t "echo STATUS=\$?" Enter &&
	wait_for "STATUS=130" &&
	term_is_cooked
'

test_expect_success 'split: abort at the confirmation clears the share and fails' '
	start_term &&
	T send-keys -t t "ceremony shares split --group 2/3 --random 16; echo EXIT=\$?" Enter &&
	wait_for "Share 1 of group 1" && wait_for "Type yes when" &&
	screen_words >first && test "$(wc -w <first)" = 20 &&
	T send-keys -t t "abort" Enter &&
	wait_for "EXIT=1" &&
	history >hist &&
	! grep -q "Share 1 of group" hist &&
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
	wait_for "EXIT=0"
'

test_expect_success 'split: an 80x24 terminal shows the words and says why no QR code' '
	start_term 80 24 &&
	T send-keys -t t "ceremony shares split --group 1/1 --random 16; echo EXIT=\$?" Enter &&
	wait_for "The QR code needs a terminal of" && wait_for "Type yes when" &&
	screen | grep -q "Share 1 of group 1" &&
	screen_words >words && test "$(wc -w <words)" = 20 &&
	T send-keys -t t "yes" Enter &&
	wait_for "EXIT=0"
'

test_expect_success 'split: Ctrl-C with a share on the screen clears it' '
	start_term &&
	T send-keys -t t "ceremony shares split --group 2/3 --random 16 --holder Dave \
--holder Erin --holder Frank" Enter &&
	wait_for "Share for Dave" && wait_for "Type yes when" &&
	screen_words >dave && test "$(wc -w <dave)" = 20 &&
	T send-keys -t t C-c &&
	wait_for "^\$ *$" &&
	T send-keys -t t "echo STATUS=\$?" Enter &&
	wait_for "STATUS=130" &&
	history >hist &&
	! grep -q "Share for Dave" hist &&
	! grep -q "20\. $(cut -d" " -f20 dave)" hist &&
	term_is_cooked
'

test_done
