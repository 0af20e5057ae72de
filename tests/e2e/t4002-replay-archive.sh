#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony replay (the narrative) and ceremony archive (policy 4.5.3).
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample

test_expect_success 'replay tells who acted and witnessed, failures highlighted, in UTC' '
	"$SAMPLE" --outputs out t.jsonl &&
	ceremony replay t.jsonl >r &&
	test_grep "^t.jsonl: OK" r &&
	test_grep "times are UTC" r &&
	test_grep "== step keygen: Generate the root key ==" r &&
	test_grep "!! alice (security-officer) FAILED to log in as user: CKR_PIN_INCORRECT" r &&
	test_grep "!! dave presents share 3, group 1 of 1, set pin-1: REFUSED (checksum)" r &&
	test_grep "erin (system-auditor) witnessed the actions of alice" r &&
	test_grep "quorum met for set pin-1 (threshold 2): bob dave" r &&
	test_grep "[0-9]Z  ceremony ends: completed" r
'

test_expect_success 'replay prints the transcript key fingerprint words that verify prints' '
	"$SAMPLE" t.jsonl &&
	ceremony replay t.jsonl >r &&
	ceremony verify t.jsonl >v &&
	w=$(sed -n "s/^  fingerprint: //p" v) && test -n "$w" &&
	test_grep "transcript key fingerprint: $w" r &&
	test $(echo "$w" | wc -w) = 8
'

test_expect_success 'replay of an aborted ceremony highlights the abort and the verdict' '
	"$SAMPLE" --abort a.jsonl &&
	ceremony replay a.jsonl >r &&
	test_grep "^a.jsonl: INCOMPLETE: aborted at step keygen" r &&
	test_grep "!! ABORTED by carol (system-operator): the auditor left the room" r &&
	test_grep "!! ceremony ends: aborted" r
'

test_expect_success 'replay writes no colour codes when not on a terminal' '
	"$SAMPLE" --abort a.jsonl &&
	ceremony replay a.jsonl >r &&
	! grep -q "$(printf "\033")" r
'

test_expect_success 'replay of a tampered transcript says FAILED first' '
	"$SAMPLE" t.jsonl && sed -i 7d t.jsonl &&
	ceremony replay t.jsonl >r &&
	head -n 1 r | test_grep "FAILED: line 7: seq 7, expected 6"
'

test_expect_success 'archive to two directories: every file copied, equal, nothing else' '
	"$SAMPLE" --outputs out t.jsonl && mkdir a b &&
	ceremony archive t.jsonl --to a --to b --outputs out >o &&
	test $(grep -c ": ok, 4 files" o) = 2 &&
	for d in a b; do
		sub=$(ls $d) && test $(ls $d | wc -l) = 1 &&
		cmp t.jsonl $d/$sub/t.jsonl && cmp t.jsonl.p7s $d/$sub/t.jsonl.p7s &&
		cmp t-signer.pem $d/$sub/t-signer.pem && cmp out/root-ca.pem $d/$sub/root-ca.pem || exit 1
	done &&
	ls a | test_grep "^[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{32\}$" &&
	(cd a/* && ceremony verify t.jsonl --outputs .)
'

test_expect_success 'archive needs at least two destinations (policy 4.5.3)' '
	"$SAMPLE" t.jsonl && mkdir a &&
	test_exit_code 2 ceremony archive t.jsonl --to a 2>err &&
	test_grep "at least two destinations" err &&
	test_exit_code 2 ceremony archive t.jsonl --to a --to a/ 2>err &&
	test_grep "same destination" err
'

test_expect_success 'a destination that cannot be written fails and is named; the other is done' '
	"$SAMPLE" t.jsonl && mkdir a && touch notadir &&
	test_exit_code 1 ceremony archive t.jsonl --to a --to /proc/sys >o 2>err &&
	test_grep "^/proc/sys: FAILED" o &&
	test_grep "^a: ok" o &&
	test_grep "1 of 2 destinations failed" err &&
	test_exit_code 1 ceremony archive t.jsonl --to notadir --to /proc/sys >o 2>err &&
	test_grep "^notadir: FAILED: notadir: not a directory" o
'

test_expect_success 'an existing file is never overwritten' '
	"$SAMPLE" t.jsonl && mkdir a b &&
	ceremony archive t.jsonl --to a --to b >o &&
	sub=$(ls a) && echo junk >b/$sub/junk && rm b/$sub/t.jsonl.p7s && echo mine >b/$sub/t.jsonl.p7s &&
	rm -r a && mkdir a &&
	test_exit_code 1 ceremony archive t.jsonl --to a --to b >o 2>err &&
	test_grep "^b: FAILED: .*refusing to overwrite" o &&
	test "$(cat b/$sub/t.jsonl.p7s)" = mine &&
	test_grep "^a: ok" o
'

test_expect_success 'an unsigned transcript is not archived (verified first: INCOMPLETE)' '
	"$SAMPLE" --no-sign t.jsonl && mkdir a b &&
	test_exit_code 3 ceremony archive t.jsonl --to a --to b 2>err &&
	test_grep "t.jsonl: INCOMPLETE: the ceremony completed but the transcript is not signed" err &&
	test_grep "refused, nothing copied" err &&
	test -z "$(find a b -mindepth 1)"
'

test_done
