#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony verify` says what `replay` flags about the clock (a ceremony.start
# whose clock is not synchronised, a clock.held event: policy 5.5), and a
# failed run says why it stopped (its error event's message). Each with a
# twin where there is nothing to say.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample
Z=0000000000000000000000000000000000000000000000000000000000000000

# events CLOCK-SYNCHRONISED END-STATUS [EXTRA-EVENT] > EVENTS
events() {
	echo "{\"type\": \"ceremony.start\", \"persons\": [\"carol:system-operator\"], \"details\": {\"ceremony\": \"clock test\", \"script_sha256\": \"$Z\", \"roster_sha256\": \"$Z\", \"clock\": {\"synchronised\": $1, \"source\": \"adjtimex\"}}}"
	echo "{\"type\": \"step.start\", \"step\": \"keygen\", \"persons\": [\"alice:security-officer\"], \"details\": {}}"
	[ -n "${3:-}" ] && echo "$3"
	if [ "$2" = failed ]; then
		echo "{\"type\": \"error\", \"step\": \"keygen\", \"details\": {\"message\": \"C_GenerateKeyPair: CKR_DEVICE_ERROR (token root)\"}}"
		echo "{\"type\": \"step.end\", \"step\": \"keygen\", \"persons\": [\"alice:security-officer\"], \"details\": {\"status\": \"failed\"}}"
	else
		echo "{\"type\": \"step.end\", \"step\": \"keygen\", \"persons\": [\"alice:security-officer\"], \"details\": {\"status\": \"done\"}}"
	fi
	echo "{\"type\": \"ceremony.end\", \"persons\": [\"carol:system-operator\"], \"details\": {\"status\": \"$2\", \"transcript_key\": \"none\"}}"
}

test_expect_success 'an unsynchronised clock that replay flags, verify says too' '
	events false failed >e && "$SAMPLE" --from e --no-sign t.jsonl &&
	ceremony replay t.jsonl >r && test_grep "clock NOT synchronised (policy 5.5)" r &&
	test_exit_code 3 ceremony verify t.jsonl >v &&
	test_grep "clock:       NOT synchronised at the start (policy 5.5)" v
'

test_expect_success 'twin: a synchronised clock, nothing said' '
	events true failed >e && "$SAMPLE" --from e --no-sign t.jsonl &&
	ceremony replay t.jsonl >r && test_grep "clock synchronised" r &&
	test_exit_code 3 ceremony verify t.jsonl >v &&
	! grep -q "clock:" v
'

test_expect_success 'a clock that went back (clock.held) is said too' '
	events true failed "{\"type\": \"clock.held\", \"step\": \"keygen\", \"details\": {\"observed\": \"2026-01-01T00:00:00.000000Z\"}}" >e &&
	"$SAMPLE" --from e --no-sign t.jsonl &&
	test_exit_code 3 ceremony verify t.jsonl >v &&
	test_grep "clock:       the host clock went back during the run (clock.held)" v
'

test_expect_success 'verify of a failed run says why it stopped' '
	events true failed >e && "$SAMPLE" --from e --no-sign t.jsonl &&
	test_exit_code 3 ceremony verify t.jsonl >v &&
	test_grep "failed at step keygen: C_GenerateKeyPair: CKR_DEVICE_ERROR (token root)" v
'

test_expect_success 'twin: a run that did not fail gives no such reason' '
	events true completed >e && "$SAMPLE" --from e --no-sign t.jsonl &&
	test_exit_code 3 ceremony verify t.jsonl >v &&
	! grep -q "failed at step" v && ! grep -q CKR_DEVICE_ERROR v
'

test_done
