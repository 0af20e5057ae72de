#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Two-level share groups end to end (SLIP-39 groups): scripts/two-group-
# token-init.yaml splits the user PIN 2 of {3-of-5, 2-of-2}; then
# scripts/two-group-key.yaml logs in with 3 shares of group 1 and 2 of
# group 2. Both transcripts verify OK (also with --script/--roster and with
# ceremony-verify), replay shows the groups. Member 1 of group 1 and member 1
# of group 2 are both accepted (they looked alike before quorum.share carried
# the group). Failing twins: a group short of its threshold does not meet the
# quorum (runner and verifier); the same member twice in one group is refused
# (runner and verifier); a transcript whose share events lose their group is
# FAILED as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
SAMPLE=$TEST_TOP/build/tests/transcript-sample
INIT=$TEST_TMP/init
KEY=$TEST_TMP/key
KEV=$TEST_TMP/key.events

# The events of a transcript, for transcript-sample --from (one a line).
events_of() { # TRANSCRIPT > EVENTS
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    print(json.dumps({k: e[k] for k in ("type", "step", "persons", "witnesses", "details")}))' "$1"
}

# EVENTS re-chained and re-signed into t.jsonl, as two-group-key.yaml ran.
resign() { # EVENTS
	rm -f t.jsonl t.jsonl.p7s t-signer.pem &&
	"$SAMPLE" --from "$1" --script "$TEST_TMP/scripts/two-group-key.yaml" \
		--roster "$TEST_TMP/scripts/example-roster.yaml" --date "$RUN_TODAY" t.jsonl
}

# The line of the quorum.share event of HOLDER in EVENTS, edited by sed
# expression EXPR.
share_edit() { # EVENTS HOLDER EXPR > EVENTS
	sed "/\"type\": \"quorum.share\"/ { /\"holder\": \"$2\"/ $3 }" "$1"
}

later_login() { # ANSWERS OUTDIR [ARG...]
	la_a=$1 la_o=$2
	shift 2
	run_rehearsal two-group-key.yaml "$la_a" "$la_o" --issued-in "$INIT/transcript.jsonl" "$@"
}

test_expect_success 'two-group-token-init.yaml runs end to end; verifies OK (--script/--roster too)' '
	run_rehearsal two-group-token-init.yaml "$(run_answers two-group-token-init)" "$INIT" \
		>log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$INIT" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out
'

test_expect_success 'the user PIN is issued in two groups: bob..grace group 1, irene and judy group 2' '
	grep "\"type\":\"share.issued\"" "$INIT/transcript.jsonl" | grep "\"secret\":\"user-pin\"" >iss &&
	test $(grep -c "\"group\":1," iss) = 5 &&
	grep "\"group\":2," iss >g2 &&
	test $(wc -l <g2) = 2 &&
	test_grep "\"holder\":\"irene\",\"member\":1," g2 &&
	test_grep "\"holder\":\"judy\",\"member\":2," g2 &&
	grep "\"type\":\"share.verified\"" "$INIT/transcript.jsonl" | grep "\"holder\":\"judy\"" >ver &&
	test_grep "\"group\":2," ver
'

test_expect_success 'a later quorum.login with 3 of group 1 and 2 of group 2 works; verifies OK' '
	later_login "$(run_answers two-group-key)" "$KEY" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$KEY" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	grep "\"type\":\"key.generated\"" "$KEY/transcript.jsonl" | grep -q "vault-2026"
'

test_expect_success 'ceremony-verify says exactly what ceremony verify says' '
	ceremony verify "$KEY/transcript.jsonl" --script "$TEST_TMP/scripts/two-group-key.yaml" >a 2>&1 &&
	ceremony-verify verify "$KEY/transcript.jsonl" \
		--script "$TEST_TMP/scripts/two-group-key.yaml" >b 2>&1 &&
	test_cmp a b
'

test_expect_success 'member 1 of group 1 and member 1 of group 2 are both accepted (the old bug)' '
	grep "\"type\":\"quorum.share\"" "$KEY/transcript.jsonl" >qs &&
	test_grep "\"accepted\":true,\"group\":1,\"holder\":\"bob\",\"member\":1," qs &&
	test_grep "\"accepted\":true,\"group\":2,\"holder\":\"irene\",\"member\":1," qs &&
	grep "\"type\":\"quorum.met\"" "$KEY/transcript.jsonl" >qm &&
	test_grep "\"group_threshold\":2,\"groups\":\[{\"count\":5,\"threshold\":3},{\"count\":2,\"threshold\":2}\]" qm
'

test_expect_success 'replay shows the groups' '
	ceremony replay "$INIT/transcript.jsonl" >r1 &&
	test_grep "share 2 of 2, group 2 of 2, set [0-9]* issued to judy" r1 &&
	test_grep "judy typed share 2 of 2, group 2 of 2, set [0-9]* back: ok" r1 &&
	ceremony replay "$KEY/transcript.jsonl" >r2 &&
	test_grep "irene presents share 1 of 2, group 2 of 2, set [0-9]*: accepted" r2 &&
	test_grep "bob presents share 1 of 5, group 1 of 2, set [0-9]*: accepted" r2 &&
	test_grep "quorum met for set [0-9]* (threshold 5, 2 of the groups 3-of-5, 2-of-2): bob irene carol judy dave" r2
'

test_expect_success 'failing twin: a group short (4 of group 1, 1 of group 2) does not meet the quorum' '
	sed "s/judy/frank/g" "$(run_answers two-group-key)" >short.answers &&
	test_exit_code 1 later_login short.answers "$PWD/short" >log 2>&1 &&
	test_grep "quorum not met for user-pin: 5 shares accepted" log &&
	test_grep "1 of 2 groups complete, 2 needed; group 2 has 1 of the 2 shares it needs" log &&
	! grep -q "\"type\":\"quorum.met\"" short/transcript.jsonl
'

test_expect_success 'failing twin: the verifier counts groups too (a share moved to group 1)' '
	events_of "$KEY/transcript.jsonl" >"$KEV" &&
	resign "$KEV" && ceremony verify t.jsonl >out &&
	share_edit "$KEV" judy "s/\"group\": 2, \"holder\": \"judy\", \"member\": 2/\"group\": 1, \"holder\": \"judy\", \"member\": 4/" >e.events &&
	resign e.events &&
	test_exit_code 4 ceremony verify t.jsonl >out &&
	test_grep "line 27: step login: quorum for set [0-9]* not met: 1 of 2 groups complete, 2 needed; group 2 has 1 of the 2 shares it needs (policy 5.2.1)" out
'

test_expect_success 'failing twin: the same member twice in one group is refused by the runner' '
	cp -r "$INIT" dup && grep "^user-pin " dup/rehearsal/irene.shares >irene &&
	grep -v "^user-pin " dup/rehearsal/judy.shares >judy && cat irene >>judy &&
	cp judy dup/rehearsal/judy.shares &&
	test_exit_code 1 run_rehearsal two-group-key.yaml "$(run_answers two-group-key)" "$PWD/d" \
		--issued-in "$PWD/dup/transcript.jsonl" >log 2>&1 &&
	test_grep "share 1 of 2, group 2 of 2, set [0-9]* of user-pin presented by judy refused: it was issued to irene, not judy" log &&
	grep "\"type\":\"quorum.share\"" d/transcript.jsonl | grep "\"holder\":\"judy\"" >j &&
	test_grep "\"accepted\":false" j
'

test_expect_success 'failing twin: a share split with other groups than the script says is refused' '
	sed "s/groups: \[{threshold: 3, count: 5}, {threshold: 2, count: 2}\], group-threshold: 2/groups: [{threshold: 3, count: 5}], group-threshold: 1/" \
		"$TEST_TMP/scripts/two-group-key.yaml" >"$TEST_TMP/scripts/one-group-key.yaml" &&
	! grep -q "count: 2" "$TEST_TMP/scripts/one-group-key.yaml" &&
	test_exit_code 1 run_rehearsal one-group-key.yaml "$(run_answers two-group-key)" "$PWD/o" \
		--issued-in "$INIT/transcript.jsonl" >log 2>&1 &&
	test_grep "share 1 of 5, group 1 of 2, set [0-9]* REFUSED: it is from a split 2 of 2 groups, not the layout of user-pin (1 of 1 groups)" log &&
	! grep -q "\"type\":\"quorum.met\"" o/transcript.jsonl
'

test_expect_success 'failing twin: the same member twice in one group is FAILED by the verifier' '
	share_edit "$KEV" judy "s/\"member\": 2/\"member\": 1/" >e.events &&
	resign e.events &&
	test_exit_code 4 ceremony verify t.jsonl >out &&
	test_grep "line 25: step login: share 1, group 2, set [0-9]* accepted twice (first at line 23)" out
'

test_expect_success 'failing twin: without the group, member 1 of two groups is FAILED as before' '
	sed -e "s/\"group\": [0-9]*, //" -e "s/\"group_threshold\": 2, \"groups\": \[[^]]*\], //" \
		"$KEV" >e.events &&
	! grep -q "\"group" e.events &&
	resign e.events &&
	test_exit_code 4 ceremony verify t.jsonl >out &&
	test_grep "line 23: step login: share 1, group 1, set [0-9]* accepted twice (first at line 22)" out
'

test_done
