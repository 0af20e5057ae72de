#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Crash safety (issue 6 section 4): scripts/root-ca.yaml in rehearsal (after
# token-init, the set-up) killed with SIGKILL at each transcript event in turn.
# The kill is external and exact: the real binary runs under gdb, a breakpoint
# on the (N+1)th transcript_append() stops it with N events on disk and the
# work before event N+1 done, and gdb kills it (SIGKILL); the last events (the
# logouts and ceremony.end) are held in memory until the transcript with them
# is signed, so a kill among them leaves the events before them. Three more
# points: at transcript_hold_sign() (the end held, not written), at
# transcript_sig_write() (the signed end written, the signature not yet) and
# at the transcript key's destruction (signed, key not yet destroyed). For
# every point:
#  - the transcript holds exactly the events written and `ceremony verify` says
#    INCOMPLETE (exit 3), never OK or FAILED; signed only at the last point,
#    where it verifies OK (the ceremony was complete);
#  - no temporary output (*.tmp-*) and no file but the transcript, the
#    outputs the script names and the rehearsal share files in OUTDIR; none of
#    the user PIN's shares' words nor the PIN outside OUTDIR/rehearsal;
#  - the token holds only what docs/runbook-hsm-admin.md section 4 describes:
#    root-ca-2026 once its step started, the left-over transcript key
#    ceremony-transcript-<id8> from its transcript.key event on.
# Then the documented recovery (scripts/recover-transcript-key.yaml) destroys a
# left-over transcript key on a signed transcript; failing twin: a label of no
# key is refused and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
TOK=$TEST_TMP/softhsm/tokens
CER=$(command -v ceremony)
INIT=$TEST_TMP/root-init/transcript.jsonl

# Restore the token as token-init left it.
token_reset() {
	rm -rf "$TOK" && cp -a "$TEST_TMP/tokens.init" "$TOK"
}
# Labels of the objects on the root token (user login).
labels() {
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026" --login \
		--pin "$(cat "$TEST_TMP/pin")" --list-objects 2>/dev/null |
		sed -n "s/^ *label: *//p" | sort -u
}
# root-ca into OUT under gdb, killed at breakpoint FUNC's hit number HIT.
killed_run() { # OUT FUNC HIT
	mkdir -p "$1" &&
	gdb -q -nx -batch -ex "set confirm off" -ex "break $2" -ex "ignore 1 $(($3 - 1))" \
		-ex "run run $TEST_TMP/scripts/root-ca.yaml --rehearsal --today $RUN_TODAY \
			--module $SOFTHSM_MODULE --input $(run_answers root-ca) --outdir $1 \
			--issued-in $INIT --issued-in-key $(run_signer_hex $INIT) >$1.log 2>&1 </dev/null" \
		-ex "kill" "$CER" >"$1.gdb" 2>&1
	:  # gdb fails its "kill" when the run ended first: check_point judges
}
# The checks of one kill point; POINT names it in the failure file.
check_point() { # OUT POINT WANT_EVENTS WANT_RC
	o=$1 p=$2
	fail() { echo "$p: $*" >>"$TEST_TMP/failures"; }
	n=$(wc -l <"$o/transcript.jsonl" 2>/dev/null || echo none)
	[ "$n" = "$3" ] || fail "$n events, expected $3"
	"$CER" verify "$o/transcript.jsonl" >"$o.verify" 2>&1
	rc=$?
	[ "$rc" = "$4" ] || fail "verify exit $rc, expected $4: $(head -n 2 "$o.verify" | tr '\n' ' ')"
	[ "$4" = 3 ] && ! grep -q "INCOMPLETE" "$o.verify" && fail "verify did not say INCOMPLETE"
	find "$o" -name "*.tmp-*" | grep -q . && fail "temporary file left: $(find "$o" -name "*.tmp-*")"
	extra=$(cd "$o" && find . -type f ! -path "./rehearsal/*" | sed 's|^\./||' |
		grep -v -x -e transcript.jsonl -e transcript.jsonl.p7s -e transcript-signer.pem \
			-e root-ca-2026.pub.pem -e root-ca.pem)
	[ -z "$extra" ] && [ ! -e "$o/rehearsal" -o -z "$(ls "$o/rehearsal" 2>/dev/null)" ] ||
		fail "unexpected files: $extra $(ls "$o/rehearsal" 2>/dev/null)"
	if grep -rqF -f "$TEST_TMP/secrets" --exclude-dir=rehearsal "$o" "$o.log" "$TOK"; then
		fail "a secret on disk: $(grep -rlF -f "$TEST_TMP/secrets" --exclude-dir=rehearsal "$o" "$o.log" "$TOK")"
	fi
	id8=$(head -n 1 "$o/transcript.jsonl" 2>/dev/null | sed -n 's/.*"ceremony_id":"\(........\).*/\1/p')
	want=""
	grep -q '"action":"key.generate"' "$o/transcript.jsonl" 2>/dev/null && want="root-ca-2026"
	# generated right after the login event, before its transcript.key event
	if grep -q '"type":"login"' "$o/transcript.jsonl" 2>/dev/null; then
		want="$want ceremony-transcript-$id8"
	fi
	got=$(labels | tr '\n' ' ')
	for l in $got; do
		case " $want " in
		*" $l "*) ;;
		*) fail "object '$l' on the token (expected only: $want)" ;;
		esac
	done
	case " $got " in *" root-ca-2026 "*) ;; *) case "$want" in *root-ca-2026*)
		grep -q '"type":"key.generated"' "$o/transcript.jsonl" &&
			fail "root-ca-2026 in key.generated but not on the token" ;; esac ;; esac
	echo "$p: $n events, verify $rc, token: ${got:-nothing}" >>"$TEST_TMP/points"
	return 0
}

test_expect_success 'set-up: token-init, the PIN and its shares, a complete root-ca counted' '
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/root-init" \
		>"$TEST_TMP/root-init.log" 2>&1 &&
	cp -a "$TOK" "$TEST_TMP/tokens.init" &&
	run_pin "$TEST_TMP/root-init" user-pin bob carol dave >"$TEST_TMP/pin" &&
	test -s "$TEST_TMP/pin" &&
	{ cat "$TEST_TMP/pin"; echo; for h in bob carol dave frank grace; do
		grep "^user-pin " "$TEST_TMP/root-init/rehearsal/$h.shares" | cut -d" " -f4- |
		awk "{ for (i = 1; i + 2 <= NF; i += 3) print \$i \" \" \$(i+1) \" \" \$(i+2) }"
	done; } | grep . >"$TEST_TMP/secrets" &&
	test "$(wc -l <"$TEST_TMP/secrets")" -gt 20 &&
	run_rehearsal root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/full" --issued-in "$INIT" \
		>"$TEST_TMP/full.log" 2>&1 &&
	wc -l <"$TEST_TMP/full/transcript.jsonl" >"$TEST_TMP/events" &&
	test "$(cat "$TEST_TMP/events")" -gt 30 &&
	test "$(labels | tr "\n" " ")" = "root-ca-2026 "
'

test_expect_success 'twin: the secret check finds the PIN and a share triple when present' '
	mkdir -p tw && head -n 1 "$TEST_TMP/secrets" >tw/leak && sed -n 5p "$TEST_TMP/secrets" >>tw/leak &&
	grep -rlF -f "$TEST_TMP/secrets" tw | grep -q leak &&
	test "$(grep -cF -f "$TEST_TMP/secrets" tw/leak)" = 2
'

# The number of events of the held end (the trailing logouts and ceremony.end).
held_end() { # TRANSCRIPT
	tac "$1" | awk '/"type":"(logout|ceremony.end)"/ { n++; next } { exit } END { print n + 0 }'
}

test_expect_success 'killed at every transcript event: INCOMPLETE, nothing left, token as documented' '
	E=$(cat "$TEST_TMP/events") && rm -f "$TEST_TMP/failures" "$TEST_TMP/points" &&
	H=$(held_end "$TEST_TMP/full/transcript.jsonl") && test "$H" -ge 2 &&
	for n in $(seq 0 $((E - 1))); do
		w=$n && test $n -le $((E - H)) || w=$((E - H))
		token_reset && killed_run "$TEST_TMP/k$n" transcript_append $((n + 1)) &&
		check_point "$TEST_TMP/k$n" "after event $n" "$w" 3 || return 1
	done &&
	token_reset && killed_run "$TEST_TMP/ksign" transcript_hold_sign 1 &&
	check_point "$TEST_TMP/ksign" "at signing (end held)" "$((E - H))" 3 &&
	token_reset && killed_run "$TEST_TMP/kwrite" transcript_sig_write 1 &&
	check_point "$TEST_TMP/kwrite" "signed end written, signature not yet" "$E" 3 &&
	token_reset && killed_run "$TEST_TMP/kdestroy" p11_object_destroy 1 &&
	check_point "$TEST_TMP/kdestroy" "at transcript key destruction" "$E" 0 &&
	cat "$TEST_TMP/points" &&
	test "$(wc -l <"$TEST_TMP/points")" = $((E + 3)) &&
	test_grep -c "token: .*ceremony-transcript-" "$TEST_TMP/points" &&
	if test -e "$TEST_TMP/failures"; then cat "$TEST_TMP/failures"; false; fi
'

test_expect_success 'twin: a completed run is not INCOMPLETE and leaves no transcript key' '
	rm -f "$TEST_TMP/failures" && token_reset &&
	killed_run "$TEST_TMP/knone" transcript_append $(( $(cat "$TEST_TMP/events") + 1 )) &&
	check_point "$TEST_TMP/knone" "not killed" "$(cat "$TEST_TMP/events")" 3 &&
	test_grep "verify exit 0, expected 3" "$TEST_TMP/failures" &&
	test "$(labels | tr "\n" " ")" = "root-ca-2026 "
'

recover() { # LABEL OUT
	sed "s/ceremony-transcript-XXXXXXXX/$1/" "$TEST_TMP/scripts/recover-transcript-key.yaml" \
		>"$TEST_TMP/scripts/recover.yaml" &&
	sed "s/ceremony-transcript-XXXXXXXX/$1/" "$TEST_TOP/scripts/demo/recover-transcript-key.answers" \
		>"$TEST_TMP/recover.answers" &&
	run_rehearsal recover.yaml "$TEST_TMP/recover.answers" "$2" --issued-in "$INIT"
}

test_expect_success 'recovery: the left-over transcript key is destroyed on a signed transcript' '
	k=$(grep -l "\"type\":\"key.generated\"" "$TEST_TMP"/k*/transcript.jsonl | head -n 1) &&
	o=$(dirname "$k") && token_reset &&
	killed_run "$o.again" transcript_append $(( $(wc -l <"$k") + 1 )) &&
	id8=$(head -n 1 "$o.again/transcript.jsonl" | sed -n "s/.*\"ceremony_id\":\"\(........\).*/\1/p") &&
	labels >before && test_grep -x "ceremony-transcript-$id8" before &&
	recover "ceremony-transcript-$id8" "$TEST_TMP/rec" >rec.log 2>&1 &&
	test_grep "Ceremony completed" rec.log &&
	run_verified "$TEST_TMP/rec" &&
	test_grep "ceremony-transcript-$id8.*\"type\":\"key.destroyed\"" "$TEST_TMP/rec/transcript.jsonl" &&
	labels >after && ! grep "^ceremony-transcript-" after && test_grep -x root-ca-2026 after
'

test_expect_success 'twin: recovery naming a transcript key that is not there fails, changes nothing' '
	token_reset && killed_run "$TEST_TMP/kx" transcript_append 40 &&
	labels >before && test_grep "^ceremony-transcript-" before &&
	test_exit_code 1 recover ceremony-transcript-00000000 "$TEST_TMP/recx" >recx.log 2>&1 &&
	labels >after && test_cmp before after
'

test_done
