#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run scripts/key-holder-change.yaml in rehearsal: judy's key-holder
# role granted as a witnessed ceremony (role.assign, acknowledged by judy).
# The roster file itself is edited under change control: an `add` the roster
# does not carry yet, or for a person whose vetting is stale, is refused.
# It logs in to no token: its transcript is signed by an ephemeral software
# key (transcript.key key_store "software"), whose words the attendance
# witness confirms; the transcript verifies OK, with --script and --roster too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
KH=$TEST_TMP/kh

test_expect_success 'key-holder-change.yaml runs end to end' '
	run_rehearsal key-holder-change.yaml "$(run_answers key-holder-change)" "$KH" >"$TEST_TMP/kh.log" 2>&1 &&
	test_grep "Ceremony completed" "$TEST_TMP/kh.log" &&
	tail -n 1 "$KH/transcript.jsonl" | grep -q "\"status\":\"completed\""
'

test_expect_success 'judy is granted key-holder, acknowledged, against this roster file' '
	grep "\"type\":\"role.assign\"" "$KH/transcript.jsonl" | grep "\"step\":\"add\"" >ev &&
	test_grep "\"persons\":\[{\"id\":\"judy\",\"name\":\"Judy Mercier\",\"roles\":\[\"key-holder\"\]}\]" ev &&
	test_grep "\"acknowledged\":true" ev &&
	r=$(sha256sum <"$TEST_TMP/scripts/example-roster.yaml" | cut -d" " -f1) &&
	test_grep "\"roster_sha256\":\"$r\"" ev
'

test_expect_success 'signed by an ephemeral software key; verifies OK (and semantically)' '
	grep "\"type\":\"transcript.key\"" "$KH/transcript.jsonl" >tk &&
	test_grep "\"key_store\":\"software\"" tk &&
	test_grep "\"ephemeral\":true" tk &&
	test_grep "\"seq\":1," tk &&
	test_grep "write the transcript key" "$TEST_TMP/kh.log" &&
	tail -n 1 "$KH/transcript.jsonl" | grep -q "\"transcript_key\":\"destroyed-after-signing\"" &&
	run_verified "$KH" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	ceremony verify "$KH/transcript.jsonl" --script "$TEST_TMP/scripts/key-holder-change.yaml" \
		--roster "$TEST_TMP/scripts/example-roster.yaml" >out2 &&
	test_grep OK out2 &&
	! grep -rl "PRIVATE KEY" "$KH"
'

test_expect_success 'failing twin: a changed byte fails; a cut transcript is INCOMPLETE' '
	cp "$KH"/transcript* . &&
	sed -i "s/Judy Mercier/Judy MercieR/" transcript.jsonl &&
	test_exit_code 4 ceremony verify transcript.jsonl >out &&
	head -n -1 "$KH/transcript.jsonl" >cut.jsonl &&
	test_exit_code 3 ceremony verify cut.jsonl >out2 &&
	test_grep INCOMPLETE out2
'

test_expect_success 'failing twin: a grant the roster does not carry yet is refused' '
	sed "/^  - id: judy/,/^    roles:/s/roles: \[key-holder\]/roles: [system-auditor]/" \
		"$TEST_TMP/scripts/example-roster.yaml" >"$TEST_TMP/scripts/roster-nojudy.yaml" &&
	sed "s/^roster: example-roster.yaml/roster: roster-nojudy.yaml/" \
		"$TEST_TMP/scripts/key-holder-change.yaml" >"$TEST_TMP/scripts/khc-nojudy.yaml" &&
	sed -e "s/judy/carol/g" -e "/^change.add.person/s/carol/judy/" -e "/^ack\./d" \
		"$(run_answers key-holder-change)" >nj.answers &&
	test_exit_code 1 run_rehearsal khc-nojudy.yaml nj.answers "$PWD/nj" >log 2>&1 &&
	test_grep "does not grant judy the role key-holder: update the roster under change control first" log &&
	! grep "\"step\":\"add\"" nj/transcript.jsonl | grep -q "\"type\":\"role.assign\"" &&
	grep "\"type\":\"step.start\"" nj/transcript.jsonl | grep -q "\"step\":\"add\""
'

test_expect_success 'failing twin: a wrong role typed is refused, nothing recorded' '
	sed "s/^change.add.role = key-holder/change.add.role = security-officer\nchange.add.role = security-officer\nchange.add.role = security-officer/" \
		"$(run_answers key-holder-change)" >wrong.answers &&
	test_exit_code 1 run_rehearsal key-holder-change.yaml wrong.answers "$PWD/w" >log 2>&1 &&
	test_grep "change.add.role" log &&
	! grep "\"step\":\"add\"" w/transcript.jsonl | grep -q "\"type\":\"role.assign\""
'

test_done
