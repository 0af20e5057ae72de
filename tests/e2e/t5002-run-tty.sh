#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony run` in a real terminal (tmux), not a rehearsal, no answer file:
# attendance typed in, PIN shares shown on screen to each key holder alone and
# typed back without echo, the screen and scrollback cleared between holders,
# the quorum typed in, then an abort half-way: exit 3, the reason recorded,
# and a transcript that `ceremony verify` reports INCOMPLETE (exit 3).
# Failing twin: a mistyped share is refused at the type-back check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"

softhsm_setup
today=$(date -u +%F)
W=$TEST_TMP/w
mkdir -p "$W"
cp "$TEST_TOP/tests/vectors/run/tty.yaml" "$W/"
cat >"$W/roster.yaml" <<EOF
format: 1
people:
  - {id: alice, name: Alice Martin, roles: [security-officer], vetting: $today, training: $today}
  - {id: sam, name: Samira Haddad, roles: [system-auditor], vetting: $today, training: $today}
  - {id: hugo, name: Hugo Bernard, roles: [hsm-administrator], vetting: $today, training: $today}
  - {id: bob, name: Bob Laurent, roles: [key-holder], vetting: $today, training: $today}
  - {id: carol, name: Carol Petit, roles: [key-holder], vetting: $today, training: $today}
EOF

T() { tmux -S "$TEST_TMP/tmux.$test_count.sock" "$@"; }
kill_terms() {
	for s in "$TEST_TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	test_cleanup
}
trap kill_terms EXIT

start_term() {
	T new-session -d -s t -x 110 -y 60 -c "$PWD" "bash --norc --noprofile -i" &&
	T send-keys -t t "PS1='$ '; export PATH='$PATH' SOFTHSM2_CONF='$SOFTHSM2_CONF'" Enter &&
	wait_for '^\$ *$'
}
screen() { T capture-pane -p -t t; }
history() { T capture-pane -p -S - -t t; }
wait_for() { # PATTERN (90 s at most: the machine may be loaded)
	for _ in $(seq 900); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "wait_for: no '$1' on the screen:" >&2
	screen >&2
	return 1
}
echo_is_off() {
	stty -a -F "$(T display -p -t t "#{pane_tty}")" | tr " ;" "\n\n" | grep -q -x -e -echo
}
answer() { # KEY TEXT: wait for the prompt [KEY], type TEXT and Enter
	wait_for "\[$1\]" && T send-keys -t t -l "$2" && T send-keys -t t Enter
}
gate() { # the step-up gate between key holders: Enter when alone
	wait_for "please step up to the keyboard" && sleep 0.2 && T send-keys -t t Enter
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
type_words() { # WORD...
	for w in "$@"; do T send-keys -t t -l "$w " || return 1; done
}
# Show-and-type-back of one share: the words shown to NAME alone, then typed
# back without echo (WRONG=1: one word changed first, refused, then right).
take_share() { # NAME FILE
	wait_for "Share for $1" && wait_for "Type yes when" &&
	screen_words >"$2" && test "$(wc -w <"$2")" = 20 &&
	T send-keys -t t "yes" Enter &&
	wait_for "type share .* back" &&
	! screen | grep -q "Share for" &&
	read -r -a w <"$2" &&
	type_words "${w[@]}" &&
	wait_for "typed back and checked"
}
type_share() { # NAME FILE: at quorum entry
	wait_for "$1: enter your share" &&
	read -r -a w <"$2" &&
	type_words "${w[@]:0:10}" && sleep 0.2 && echo_is_off &&
	! screen | grep -q -w -e "${w[2]}" -e "${w[5]}" -e "${w[9]}" &&
	type_words "${w[@]:10}" &&
	wait_for "$1: share .* accepted"
}

test_expect_success 'interactive run: shares shown alone, typed back unechoed, abort -> INCOMPLETE' '
	cd "$W" && start_term &&
	T send-keys -t t "ceremony run tty.yaml --module $SOFTHSM_MODULE --outdir out; echo EXIT=\$?" Enter &&
	answer operator hugo &&
	answer seat.security-officer.1 alice &&
	answer seat.system-auditor.1 sam &&
	answer seat.hsm-administrator.1 hugo &&
	answer seat.key-holder.1 bob &&
	answer seat.key-holder.2 carol &&
	for p in alice sam hugo bob carol; do answer present.$p $p || exit 1; done &&
	answer identity.attendance.alice confirm &&
	answer witness.attendance.sam confirm &&
	answer transcript-key.alice confirm &&
	answer transcript-key.sam confirm &&
	gate && answer issue.init.so-pin.bob bob &&
	take_share "Bob Laurent" so-bob &&
	gate && answer issue.init.user-pin.bob bob &&
	take_share "Bob Laurent" user-bob &&
	gate && answer issue.init.user-pin.carol carol &&
	wait_for "Share for Carol" && history >hist &&
	read -r -a b <user-bob && read -r -a s <so-bob &&
	! grep -q "Share for Bob" hist &&
	! grep -q -w -e "${b[7]} ${b[8]}" -e "${s[7]} ${s[8]}" hist &&
	take_share "Carol Petit" user-carol &&
	answer witness.init.alice confirm &&
	answer witness.init.sam confirm &&
	gate && answer holder.login.1 carol &&
	type_share "Carol Petit" user-carol &&
	gate && answer holder.login.2 bob &&
	type_share "Bob Laurent" user-bob &&
	wait_for "Quorum met for user-pin" &&
	answer witness.login.alice confirm &&
	answer witness.login.hugo confirm &&
	answer record.seal.bag abort &&
	answer abort.reason "the new bag is torn" &&
	wait_for "EXIT=3" &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >v &&
	test_grep "INCOMPLETE" v &&
	test_grep "aborted at step seal: the new bag is torn" v &&
	test_grep "\"rehearsal\":false" out/transcript.jsonl &&
	test_grep "\"scripted_input\":false" out/transcript.jsonl &&
	! test -e out/rehearsal &&
	for f in so-bob user-bob user-carol; do
		read -r -a w <$f
		! grep -q -F "${w[*]:5:4}" out/transcript.jsonl || exit 1
	done
'

test_expect_success 'failing twin: a share typed back wrong is refused and shown again' '
	cd "$W" &&
	sed "s/TTY%20CA/TTY%20CB/; s/label: TTY CA/label: TTY CB/" tty.yaml >tty2.yaml &&
	start_term &&
	T send-keys -t t "ceremony run tty2.yaml --module $SOFTHSM_MODULE --outdir out2; echo EXIT=\$?" Enter &&
	answer operator hugo &&
	answer seat.security-officer.1 alice &&
	answer seat.system-auditor.1 sam &&
	answer seat.hsm-administrator.1 hugo &&
	answer seat.key-holder.1 bob &&
	answer seat.key-holder.2 carol &&
	for p in alice sam hugo bob carol; do answer present.$p $p || exit 1; done &&
	answer identity.attendance.alice confirm &&
	answer witness.attendance.sam confirm &&
	answer transcript-key.alice confirm &&
	answer transcript-key.sam confirm &&
	gate && answer issue.init.so-pin.bob bob &&
	wait_for "Share for Bob" && wait_for "Type yes when" &&
	screen_words >so-bob2 && T send-keys -t t "yes" Enter &&
	wait_for "type share .* back" &&
	printf "%032x\n" 9 | ceremony shares split --batch --group 1/1 | head -n 1 >other &&
	read -r -a o <other && type_words "${o[@]}" &&
	wait_for "Share for Bob" && wait_for "Type yes when" &&
	screen_words >again && test_cmp so-bob2 again &&
	T send-keys -t t "abort" Enter &&
	answer abort.reason "bob lost his pen" &&
	wait_for "EXIT=3" &&
	test_grep "\"result\":\"failed\"" out2/transcript.jsonl &&
	test_exit_code 3 ceremony verify out2/transcript.jsonl >/dev/null
'
# Up to the first share shown to bob, in a ceremony on a token labelled LABEL.
to_first_share() { # N LABEL
	sed "s/TTY%20CA/TTY%20C$1/; s/label: TTY CA/label: TTY C$1/" tty.yaml >tty$1.yaml &&
	start_term &&
	T send-keys -t t "ceremony run tty$1.yaml --module $SOFTHSM_MODULE --outdir out$1; echo EXIT=\$?" Enter &&
	answer operator hugo &&
	answer seat.security-officer.1 alice &&
	answer seat.system-auditor.1 sam &&
	answer seat.hsm-administrator.1 hugo &&
	answer seat.key-holder.1 bob &&
	answer seat.key-holder.2 carol &&
	for p in alice sam hugo bob carol; do answer present.$p $p || return 1; done &&
	answer identity.attendance.alice confirm &&
	answer witness.attendance.sam confirm &&
	answer transcript-key.alice confirm &&
	answer transcript-key.sam confirm &&
	gate && answer issue.init.so-pin.bob bob &&
	wait_for "Share for Bob" && wait_for "Type yes when"
}
# After Ctrl-C: the screen cleared, the terminal restored, the reason asked,
# exit 3, an abort event, the transcript signed and INCOMPLETE, the key gone.
ctrl_c_aborted() { # N REASON
	wait_for "\[abort.reason\]" &&
	! history | grep -q "Share for Bob" &&
	stty -a -F "$(T display -p -t t "#{pane_tty}")" | tr " ;" "\n\n" | grep -q -x -e echo &&
	answer abort.reason "$2" &&
	wait_for "EXIT=3" &&
	grep "\"type\":\"abort\"" out$1/transcript.jsonl | grep -q "\"reason\":\"$2\"" &&
	tail -n 1 out$1/transcript.jsonl | grep -q "\"status\":\"aborted\"" &&
	test_exit_code 3 ceremony verify out$1/transcript.jsonl >v &&
	test_grep "INCOMPLETE" v &&
	test_grep "signature:   valid" v &&
	history | grep -q "Transcript key destroyed"
}

test_expect_success 'Ctrl-C while a share is shown: cleared, reason asked, aborted (exit 3)' '
	cd "$W" && to_first_share 3 &&
	T send-keys -t t C-c &&
	ctrl_c_aborted 3 "ctrl-c at the share screen"
'

test_expect_success 'Ctrl-C while a share is typed back (raw mode): terminal restored, aborted' '
	cd "$W" && to_first_share 4 &&
	screen_words >so-bob4 && T send-keys -t t "yes" Enter &&
	wait_for "type share .* back" &&
	read -r -a w <so-bob4 && type_words "${w[@]:0:5}" && sleep 0.2 &&
	T send-keys -t t C-c &&
	ctrl_c_aborted 4 "ctrl-c at the type-back"
'

test_done
