#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony run` at the console (tmux), read as a person would after each
# keystroke (issue 12): a refused share's reason and the tries left stay on
# screen until Enter, then the screen and scrollback are cleared; every holder
# change passes a step-up gate, and the next holder finds nothing of the one
# before; one name for a share ("share M of N, group G of K, set XXXX") and
# the short progress; the prompts list who may answer; a key holder who is
# not seated today is told so; the terminal's size for the QR codes is
# checked at the start; an abort while PIN shares are issued says the token
# holds PINs nobody holds and what to do; `verify` of a failed run says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"

softhsm_setup
today=$(date -u +%F)
W=$TEST_TMP/w
mkdir -p "$W"
cp "$TEST_TOP/tests/vectors/run/tty.yaml" "$W/"
cat >"$W/roster.yaml" <<EOF2
format: 1
people:
  - {id: alice, name: Alice Martin, roles: [security-officer], vetting: $today, training: $today}
  - {id: sam, name: Samira Haddad, roles: [system-auditor], vetting: $today, training: $today}
  - {id: hugo, name: Hugo Bernard, roles: [hsm-administrator], vetting: $today, training: $today}
  - {id: bob, name: Bob Laurent, roles: [key-holder], vetting: $today, training: $today}
  - {id: carol, name: Carol Petit, roles: [key-holder], vetting: $today, training: $today}
  - {id: frank, name: Frank Morel, roles: [key-holder], vetting: $today, training: $today}
EOF2

# A socket per terminal started: a server just killed may still be exiting
# on the old socket, and a client that reaches it is told "server exited
# unexpectedly" (seen under ASan on a loaded machine).
term_gen=0
T() { tmux -S "$TEST_TMP/tmux.$test_count.$term_gen.sock" "$@"; }
kill_terms() {
	for s in "$TEST_TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	test_cleanup
}
trap kill_terms EXIT

start_term() { # [COLUMNS LINES]
	term_gen=$((term_gen + 1)) &&
	T new-session -d -s t -x "${1:-110}" -y "${2:-60}" -c "$PWD" "bash --norc --noprofile -i" &&
	T send-keys -t t "PS1='$ '; export PATH='$PATH' SOFTHSM2_CONF='$SOFTHSM2_CONF'" Enter &&
	wait_for '^\$ *$'
}
screen() { T capture-pane -p -t t; }
screen_j() { T capture-pane -p -J -t t; } # wrapped lines joined
history() { T capture-pane -p -S - -t t; }
wait_for() { # PATTERN (90 s at most: a run under ASan on a loaded machine is slow)
	for _ in $(seq 900); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "wait_for: no '$1' on the screen:" >&2
	screen | grep -v "^ *$" >&2
	return 1
}
answer() { # KEY TEXT
	wait_for "\[$1\]" && T send-keys -t t -l "$2" && T send-keys -t t Enter
}
gate() { # the step-up gate: Enter once alone at the keyboard
	wait_for "please step up to the keyboard" && sleep 0.2 && T send-keys -t t Enter
}
screen_words() {
	screen | python3 -c '
import re, sys
words = {}
for line in sys.stdin:
    for n, w in re.findall(r"(\d+)\. ([a-z]+)", line):
        words[int(n)] = w
print(" ".join(words[k] for k in sorted(words)))'
}
type_words() { for w in "$@"; do T send-keys -t t -l "$w " || return 1; done; }
take_share() { # NAME FILE
	wait_for "Share for $1" && wait_for "Type yes when" &&
	screen_words >"$2" && T send-keys -t t "yes" Enter &&
	wait_for "type share .* back" && read -r -a w <"$2" && type_words "${w[@]}" &&
	wait_for "typed back and checked"
}
# A run of tty.yaml on a token of its own (N), up to the login step's first
# holder prompt, with every share written to so-bob.N, user-bob.N, user-carol.N.
to_login() { # N
	sed "s/TTY%20CA/TTY%20C$1/; s/label: TTY CA/label: TTY C$1/" tty.yaml >tty$1.yaml &&
	T send-keys -t t "ceremony run tty$1.yaml --module $SOFTHSM_MODULE --outdir out$1; echo EXIT=\$?" Enter &&
	answer operator hugo &&
	answer seat.security-officer.1 alice && answer seat.system-auditor.1 sam &&
	answer seat.hsm-administrator.1 hugo &&
	answer seat.key-holder.1 bob && answer seat.key-holder.2 carol &&
	for p in alice sam hugo bob carol; do answer present.$p $p || return 1; done &&
	answer identity.attendance.alice confirm && answer witness.attendance.sam confirm &&
	answer transcript-key.alice confirm && answer transcript-key.sam confirm &&
	gate && answer issue.init.so-pin.bob bob && take_share "Bob Laurent" so-bob.$1 &&
	gate && answer issue.init.user-pin.bob bob && take_share "Bob Laurent" user-bob.$1 &&
	gate && answer issue.init.user-pin.carol carol && take_share "Carol Petit" user-carol.$1 &&
	answer witness.init.alice confirm && answer witness.init.sam confirm &&
	gate
}

test_expect_success 'prompts list who may answer; shares named one way; refusal held until Enter, then cleared' '
	cd "$W" && start_term &&
	T send-keys -t t "ceremony run tty.yaml --module $SOFTHSM_MODULE --outdir out; echo EXIT=\$?" Enter &&
	wait_for "\[operator\] Console operator - your roster id? (alice, sam, hugo, bob, carol, frank)" &&
	T send-keys -t t C-u && T send-keys -t t "abort" Enter &&
	answer abort.reason "prompt checked" && wait_for "EXIT=3" &&
	T kill-server && start_term && to_login 1 &&
	wait_for "\[holder.login.1\] Key holder at the keyboard: type your id (bob, carol):" &&
	T send-keys -t t "carol" Enter &&
	wait_for "Carol Petit: enter your share" &&
	read -r -a b <user-bob.1 && type_words "${b[@]}" &&
	wait_for "REFUSED: it was issued to bob, not carol" &&
	screen_j | grep -q "Carol Petit: share [0-9] of 2, group 1 of 1, set [0-9]* REFUSED: it was issued to bob, not carol. You may present your share again: 2 tries left." &&
	sleep 1.5 && screen_j | grep -q "REFUSED: it was issued to bob" &&
	T send-keys -t t Enter &&
	wait_for "Carol Petit: enter your share" &&
	! history | grep -q "REFUSED" &&
	read -r -a c <user-carol.1 && type_words "${c[@]}" &&
	wait_for "Carol Petit: share [0-9] of 2, group 1 of 1, set [0-9]* accepted. Quorum progress: 1/2" &&
	gate &&
	wait_for "\[holder.login.2\] Key holder at the keyboard: type your id (bob):" &&
	history >h2 && ! grep -q -e "Carol" -e "REFUSED" h2 &&
	answer holder.login.2 bob &&
	wait_for "Bob Laurent: enter your share" && type_words "${b[@]}" &&
	wait_for "Quorum progress: 2/2" && wait_for "Quorum met for user-pin" &&
	answer witness.login.alice confirm && answer witness.login.hugo confirm &&
	answer record.seal.bag abort && answer abort.reason "end of the test" &&
	wait_for "EXIT=3" && ! screen | grep -q "nobody holds" &&
	ceremony replay out1/transcript.jsonl >r &&
	test_grep "carol presents share [0-9] of 2, group 1 of 1, set [0-9]*: REFUSED (share [0-9] of 2, group 1 of 1, set [0-9]*: it was issued to bob, not carol)" r &&
	test_grep "bob typed share [0-9] of 2, group 1 of 1, set [0-9]* back: ok" r
'

test_expect_success 'failing twin: the third refusal ends the run (exit 1); verify says why' '
	cd "$W" && start_term && to_login 2 &&
	answer holder.login.1 carol && read -r -a b <user-bob.2 &&
	for try in 2 1; do
		wait_for "Carol Petit: enter your share" && type_words "${b[@]}" &&
		wait_for "$try tr[iy]e*s* left" && T send-keys -t t Enter || exit 1
	done &&
	wait_for "Carol Petit: enter your share" && type_words "${b[@]}" &&
	wait_for "EXIT=1" &&
	screen_j | grep -q "REFUSED: it was issued to bob, not carol" &&
	test_exit_code 3 ceremony verify out2/transcript.jsonl >v &&
	test_grep "failed at step login: share [0-9] of 2, group 1 of 1, set [0-9]* of user-pin presented by carol refused" v
'

test_expect_success 'a key holder not seated today is told so, with who may' '
	cd "$W" && start_term && to_login 3 &&
	answer holder.login.1 frank &&
	wait_for "'"'"'frank'"'"' is not seated today as key holder; the key holders of step login are: bob, carol" &&
	T send-keys -t t "zed" Enter &&
	wait_for "'"'"'zed'"'"' is not in the roster" &&
	T send-keys -t t "abort" Enter && answer abort.reason "end of the test" &&
	wait_for "EXIT=3"
'

test_expect_success 'an abort while PIN shares are issued: the token holds PINs nobody holds, and what to do' '
	cd "$W" && start_term &&
	sed "s/TTY%20CA/TTY%20C4/; s/label: TTY CA/label: TTY C4/" tty.yaml >tty4.yaml &&
	T send-keys -t t "ceremony run tty4.yaml --module $SOFTHSM_MODULE --outdir out4; echo EXIT=\$?" Enter &&
	answer operator hugo &&
	answer seat.security-officer.1 alice && answer seat.system-auditor.1 sam &&
	answer seat.hsm-administrator.1 hugo &&
	answer seat.key-holder.1 bob && answer seat.key-holder.2 carol &&
	for p in alice sam hugo bob carol; do answer present.$p $p || exit 1; done &&
	answer identity.attendance.alice confirm && answer witness.attendance.sam confirm &&
	answer transcript-key.alice confirm && answer transcript-key.sam confirm &&
	gate && answer issue.init.so-pin.bob bob && take_share "Bob Laurent" so-bob.4 &&
	gate && answer issue.init.user-pin.bob bob &&
	wait_for "Type yes when" && T send-keys -t t "abort" Enter &&
	answer abort.reason "bob must leave" && wait_for "EXIT=3" &&
	T capture-pane -p -J -S - -t t >h4 &&
	test_grep "token .t. is now initialised with a user PIN that nobody holds: the shares of user-pin were not all issued" h4 &&
	test_grep "re-initialise it with a new token-init ceremony" h4 &&
	test_grep "recover from a failed token init" h4
'

test_expect_success 'a terminal too small for the QR codes is named at the start; resized, the run goes on' '
	cd "$W" && start_term 60 24 &&
	T send-keys -t t "ceremony run tty.yaml --module $SOFTHSM_MODULE --outdir out5; echo EXIT=\$?" Enter &&
	wait_for "\[terminal\] The QR codes of the shares need a terminal of" &&
	T capture-pane -p -J -t t >s1 &&
	test_grep "need a terminal of [0-9]* lines and [0-9]* columns; this one is 24x60. Enlarge the window and press Enter, or type no-qr" s1 &&
	T send-keys -t t Enter && sleep 0.5 &&
	test "$(T capture-pane -p -J -t t | grep -c "this one is 24x60")" = 2 &&
	T resize-window -t t -x 110 -y 60 && sleep 0.3 && T send-keys -t t Enter &&
	wait_for "\[operator\]" &&
	T send-keys -t t "abort" Enter && answer abort.reason "end of the test" &&
	wait_for "EXIT=3"
'

test_expect_success 'twin: no-qr goes on without QR codes; a big terminal is not asked' '
	cd "$W" && start_term 60 24 &&
	T send-keys -t t "ceremony run tty.yaml --module $SOFTHSM_MODULE --outdir out6; echo EXIT=\$?" Enter &&
	answer terminal no-qr && wait_for "Going on without QR codes" &&
	answer operator abort && answer abort.reason "end of the test" && wait_for "EXIT=3" &&
	T kill-server && start_term &&
	T send-keys -t t "ceremony run tty.yaml --module $SOFTHSM_MODULE --outdir out7; echo EXIT=\$?" Enter &&
	wait_for "\[operator\]" && ! history | grep -q "\[terminal\]" &&
	T send-keys -t t "abort" Enter && answer abort.reason "end of the test" &&
	wait_for "EXIT=3"
'

test_done
