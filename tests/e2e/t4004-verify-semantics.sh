#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony verify --script --roster: a transcript consistent with the script
# and roster (tests/data/verify/) is OK; each semantic violation, built by
# editing the hand-written events and re-chaining and re-signing them
# (transcript-sample --from), is FAILED (exit 4) with its precise reason.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_TOP/build/tests/transcript-sample
DATA=$TEST_TOP/tests/data/verify
S=$DATA/script.yaml
R=$DATA/roster.yaml

# line of the script where step ID starts ("  - id: ID")
sline() { grep -n "^  - id: $1\$" "$S" | cut -d: -f1; }

# make EVENTS [DATE] [generator options...]: t.jsonl (signed) from EVENTS
make_t() {
	ev=$1 date=${2:-2026-06-01}
	shift; [ $# -gt 0 ] && shift
	"$SAMPLE" --from "$ev" --script "$S" --roster "$R" --date "$date" "$@" t.jsonl
}

# edit: python expression on the list L of event lines (comments dropped), into e.events
edit() {
	python3 -c 'import sys
L = [l for l in open(sys.argv[1]).read().split("\n") if l and not l.startswith("#")]
exec(sys.argv[2])
open("e.events", "w").write("\n".join(L) + "\n")' "$DATA/ok.events" "$1"
}

fails_with() { # REASON: verify t.jsonl is FAILED with REASON
	test_exit_code 4 ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep -F "$1" o
}

test_expect_success 'a ceremony that follows its script and roster verifies OK' '
	make_t "$DATA/ok.events" &&
	ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "^t.jsonl: OK" o &&
	ceremony verify --json t.jsonl --script "$S" >j &&
	test_grep "\"verdict\":\"OK\"" j
'

test_expect_success 'the roster defaults to the script'"'"'s roster:; --roster alone is a usage error' '
	make_t "$DATA/ok.events" &&
	ceremony verify t.jsonl --script "$S" &&
	test_exit_code 2 ceremony verify t.jsonl --roster "$R" 2>err &&
	test_grep "needs --script" err
'

test_expect_success 'another script'"'"'s hash is FAILED at line 1' '
	cp "$S" other.yaml && echo "# changed" >>other.yaml &&
	"$SAMPLE" --from "$DATA/ok.events" --script other.yaml --roster "$R" --date 2026-06-01 t.jsonl &&
	fails_with "line 1: the transcript was made with another script (sha256 $(sha256sum <other.yaml | cut -d" " -f1)"
'

test_expect_success 'another roster'"'"'s hash is FAILED at line 1' '
	cp "$R" other.yaml && echo "# changed" >>other.yaml &&
	"$SAMPLE" --from "$DATA/ok.events" --script "$S" --roster other.yaml --date 2026-06-01 t.jsonl &&
	fails_with "line 1: the transcript was made with another roster"
'

test_expect_success 'a bad script or roster file is an error (exit 1), naming it' '
	make_t "$DATA/ok.events" && echo "format: 2" >bad.yaml &&
	test_exit_code 1 ceremony verify t.jsonl --script bad.yaml 2>err &&
	test_grep "bad.yaml" err &&
	test_exit_code 1 ceremony verify t.jsonl --script "$S" --roster missing.yaml 2>err &&
	test_grep "missing.yaml" err
'

test_expect_success 'a quorum met by one person twice is FAILED' '
	edit "L[16] = L[16].replace(\"kate\", \"bob\")" && make_t e.events &&
	fails_with "line 17: step login: bob presents a second share of set pin-1 (first at line 16)"
'

test_expect_success 'a quorum below the secret'"'"'s layout is FAILED (the event'"'"'s own threshold aside)' '
	edit "L[17] = L[17].replace(\"\\\"threshold\\\":2\", \"\\\"threshold\\\":1\").replace(\"\\\"holders\\\":[\\\"bob\\\",\\\"kate\\\"]\", \"\\\"holders\\\":[\\\"bob\\\"]\")" &&
	make_t e.events &&
	fails_with "line 18: step login: quorum of user-pin met by 1 key holder, 2 needed"
'

test_expect_success 'a quorum step done without its quorum is FAILED' '
	edit "del L[17]" && make_t e.events &&
	fails_with "line 21: step login: done without a quorum of user-pin (no quorum.met)"
'

test_expect_success 'a witness who is the actor is FAILED' '
	edit "L[24] = L[24].replace(\"erin:system-auditor\", \"dave:system-auditor\")" && make_t e.events &&
	fails_with "line 25: step keygen: dave witnesses their own step"
'

test_expect_success 'a witness missing is FAILED' '
	edit "L[24] = L[24].replace(\",\\\"erin:system-auditor\\\"\", \"\")" && make_t e.events &&
	fails_with "line 26: step keygen: step '"'"'keygen'"'"': needs 1 system-auditor witnessing, has 0"
'

test_expect_success 'a step acted in the wrong role is FAILED' '
	edit "L[22] = L[22].replace(\"dave:hsm-administrator\", \"bob:key-holder\")" && make_t e.events &&
	fails_with "line 26: step keygen: step '"'"'keygen'"'"': needs 1 hsm-administrator acting, has 0"
'

test_expect_success 'a step skipped is FAILED, naming the step that never ran' '
	edit "del L[22:26]" && make_t e.events &&
	fails_with "line 23: step keygen (script line $(sline keygen)) never ran: step fp (script line $(sline fp)) started in its place"
'

test_expect_success 'the last step missing before ceremony.end completed is FAILED' '
	edit "del L[26:29]" && make_t e.events &&
	fails_with "step fp (script line $(sline fp)) never ran"
'

test_expect_success 'the last step never ended before ceremony.end completed is FAILED' '
	edit "del L[28]" && make_t e.events &&
	fails_with "line 29: the ceremony says completed, but step fp never ended (no step.end)"
'

test_expect_success 'steps out of order are FAILED' '
	edit "L[22:29] = L[26:29] + L[22:26]" && make_t e.events &&
	fails_with "line 23: step fp (script line $(sline fp)) runs before step keygen (script line $(sline keygen)), which runs later at line 26"
'

test_expect_success 'a step run twice is FAILED' '
	edit "L[29:29] = L[26:29]" && make_t e.events &&
	fails_with "line 30: step fp runs a second time (first at line 27)"
'

test_expect_success 'a step not in the script is FAILED' '
	edit "L[26:29] = [l.replace(\"\\\"fp\\\"\", \"\\\"fingerprint\\\"\") for l in L[26:29]]" && make_t e.events &&
	fails_with "line 27: step fingerprint is not in the script"
'

test_expect_success 'a person not in the roster is FAILED' '
	edit "L[11] = L[11].replace(\"kate\", \"zed\"); L[6] = L[6].replace(\"kate\", \"zed\")" && make_t e.events &&
	fails_with "line 12: zed is not in the roster"
'

test_expect_success 'a person in a role the roster does not grant is FAILED' '
	edit "L[10] = L[10].replace(\"bob:key-holder\", \"dave:key-holder\")" && make_t e.events &&
	fails_with "line 11: dave is not a key-holder in the roster (policy 4.2.3)"
'

test_expect_success 'a pair the roster forbids (beyond the four defaults) is FAILED' '
	edit "L[11] = L[11].replace(\"kate\", \"erin\")" && make_t e.events &&
	fails_with "line 12: erin holds system-auditor and key-holder in this ceremony, a pair the roster forbids (policy 4.2.4)"
'

test_expect_success 'a seat without its attendance event is FAILED' '
	edit "del L[6]" && make_t e.events &&
	fails_with "line 11: kate is seated as key-holder without an attendance event"
'

test_expect_success 'a role slot left empty at attendance is FAILED' '
	edit "del L[11]" && make_t e.events &&
	fails_with "line 13: step attendance: " &&
	test_grep -F "attendance: key-holder needs 2 persons, 1 attends" o
'

test_expect_success 'stale vetting on the ceremony'"'"'s date is FAILED; the same roster OK on an earlier date' '
	edit "L[:] = [l.replace(\"kate\", \"olga\") for l in L]" && make_t e.events 2026-06-01 &&
	fails_with "line 12: olga'"'"'s vetting is stale on the ceremony'"'"'s date 2026-06-01 (valid until 2026-03-01) (policy 4.3.2)" &&
	rm -f t.jsonl t.jsonl.p7s t-signer.pem && make_t e.events 2026-02-01 &&
	ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "^t.jsonl: OK" o
'

test_expect_success 'an unsigned prefix in the script'"'"'s order is INCOMPLETE; a prefix out of order FAILED' '
	edit "del L[26:]" && make_t e.events 2026-06-01 --no-sign &&
	test_exit_code 3 ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "no ceremony.end" o &&
	rm -f t.jsonl && edit "del L[22:26]; del L[25:]" && make_t e.events 2026-06-01 --no-sign &&
	fails_with "line 23: step keygen (script line $(sline keygen)) never ran"
'

test_expect_success 'an aborted ceremony is INCOMPLETE; its failed step needs no witness' '
	edit "L[24:] = [\"{\\\"type\\\":\\\"abort\\\",\\\"step\\\":\\\"keygen\\\",\\\"persons\\\":[\\\"carol:system-operator\\\"],\\\"details\\\":{\\\"reason\\\":\\\"HSM fault\\\"}}\",
		\"{\\\"type\\\":\\\"step.end\\\",\\\"step\\\":\\\"keygen\\\",\\\"details\\\":{\\\"status\\\":\\\"failed\\\"}}\",
		\"{\\\"type\\\":\\\"ceremony.end\\\",\\\"persons\\\":[\\\"carol:system-operator\\\"],\\\"details\\\":{\\\"status\\\":\\\"aborted\\\"}}\"]" &&
	make_t e.events &&
	test_exit_code 3 ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "aborted at step keygen: HSM fault" o
'

test_expect_success 'an actor seated but gone (attendance left) is FAILED' '
	edit "L[22:22] = [\"{\\\"type\\\":\\\"attendance\\\",\\\"persons\\\":[\\\"dave\\\"],\\\"details\\\":{\\\"status\\\":\\\"left\\\"}}\"]" &&
	make_t e.events &&
	fails_with "line 27: step keygen: dave acts, who is not present (no attendance event, or left)"
'

test_expect_success 'a step that failed, then the ceremony said completed, is FAILED' '
	edit "L[25] = L[25].replace(\"done\", \"failed\")" && make_t e.events &&
	fails_with "line 27: step fp starts after step keygen ended without being done (line 26)"
'

test_expect_success 'an event of another action (key.generated in a quorum.login step) is FAILED with its line' '
	edit "L.insert(20, L.pop(23).replace(\"keygen\", \"login\"))" && make_t e.events &&
	fails_with "line 21: step login: key.generated belongs to no key.generate|key.restore step (its action is quorum.login)"
'

test_expect_success 'a key.generated whose label is not the step'"'"'s is FAILED; its id too' '
	edit "L[23] = L[23].replace(\"root-ca\", \"other-ca\")" && make_t e.events &&
	fails_with "line 24: step keygen: key.generated label \"other-ca\", but the script'"'"'s label is \"root-ca\"" &&
	rm -f t.jsonl t.jsonl.p7s t-signer.pem &&
	edit "L[23] = L[23].replace(\"\\\"id\\\":\\\"01\\\"\", \"\\\"id\\\":\\\"02\\\"\")" && make_t e.events &&
	fails_with "line 24: step keygen: key.generated id \"02\", but the script'"'"'s id is \"01\""
'

test_expect_success 'a key.generated of another type or curve than the step asks is FAILED' '
	edit "i = [k for k, l in enumerate(L) if \"key.generated\" in l][0]; L[i] = L[i].replace(\"p384\", \"p256\")" &&
	make_t e.events &&
	fails_with "step keygen: key.generated key_type \"p256\", but the script asks for p384 (script line $(sline keygen))" &&
	rm -f t.jsonl t.jsonl.p7s t-signer.pem &&
	edit "i = [k for k, l in enumerate(L) if \"key.generated\" in l][0]; L[i] = L[i].replace(\"p384\", \"rsa3072\")" &&
	make_t e.events &&
	fails_with "key_type \"rsa3072\", but the script asks for p384"
'

test_expect_success 'the transcript key announced outside the first user login step is FAILED' '
	edit "t = [k for k, l in enumerate(L) if \"transcript.key\" in l][0]; x = L.pop(t); g = [k for k, l in enumerate(L) if \"key.generated\" in l][0]; L.insert(g, x.replace(\"login\", \"keygen\"))" &&
	make_t e.events &&
	fails_with "transcript.key: announced in step keygen, but it is made in step login (script line $(sline login)), the first user login"
'

test_expect_success 'a share.issued inside a quorum.login step is FAILED' '
	cat >x.line <<-EOF &&
	{"type":"share.issued","step":"login","persons":["bob:key-holder"],"details":{"set":"pin-2","member":1,"holder":"bob","salt":"00000000000000000000000000000000","commitment":"0000000000000000000000000000000000000000000000000000000000000000"}}
	EOF
	edit "L.insert(20, open(\"x.line\").read().strip())" && make_t e.events &&
	fails_with "line 21: step login: share.issued, but its action quorum.login issues no shares"
'

test_expect_success 'vetting is checked on ceremony.start'"'"'s policy_date (a rehearsal'"'"'s --today), not on its time' '
	edit "L[:] = [l.replace(\"kate\", \"olga\") for l in L]; L[0] = L[0].replace(\"\\\"ceremony\\\":\", \"\\\"policy_date\\\":\\\"2026-02-01\\\",\\\"ceremony\\\":\")" &&
	make_t e.events 2026-06-01 &&
	ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "^t.jsonl: OK" o &&
	rm -f t.jsonl t.jsonl.p7s t-signer.pem &&
	edit "L[:] = [l.replace(\"kate\", \"olga\") for l in L]; L[0] = L[0].replace(\"\\\"ceremony\\\":\", \"\\\"policy_date\\\":\\\"2026-06-01\\\",\\\"ceremony\\\":\")" &&
	make_t e.events 2026-02-01 &&
	fails_with "line 12: olga'"'"'s vetting is stale on the ceremony'"'"'s date 2026-06-01"
'

test_expect_success 'outside a rehearsal the policy date is the date of ceremony.start, or FAILED' '
	edit "L[0] = L[0].replace(\"\\\"ceremony\\\":\", \"\\\"rehearsal\\\":false,\\\"policy_date\\\":\\\"2026-06-01\\\",\\\"ceremony\\\":\")" &&
	make_t e.events 2026-06-01 &&
	ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "^t.jsonl: OK" o &&
	rm -f t.jsonl t.jsonl.p7s t-signer.pem &&
	edit "L[0] = L[0].replace(\"\\\"ceremony\\\":\", \"\\\"rehearsal\\\":false,\\\"policy_date\\\":\\\"2026-02-01\\\",\\\"ceremony\\\":\")" &&
	make_t e.events 2026-06-01 &&
	fails_with "line 1: ceremony.start: policy date 2026-02-01 is not the date of the ceremony 2026-06-01"
'

test_expect_success 'a details key the format does not name is FAILED with --script; a key it names is OK' '
	edit "L[23] = L[23].replace(\"\\\"label\\\":\", \"\\\"colour\\\":\\\"red\\\",\\\"label\\\":\")" && make_t e.events &&
	fails_with "line 24: key.generated: unknown details key \"colour\"" &&
	rm -f t.jsonl t.jsonl.p7s t-signer.pem &&
	edit "L[23] = L[23].replace(\"\\\"label\\\":\", \"\\\"token\\\":\\\"root\\\",\\\"label\\\":\")" && make_t e.events &&
	ceremony verify t.jsonl --script "$S" --roster "$R" >o &&
	test_grep "^t.jsonl: OK" o
'

test_done
