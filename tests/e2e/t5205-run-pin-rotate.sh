#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run scripts/pin-rotate.yaml in rehearsal: a quorum recovers the
# user PIN and logs in, a new PIN from the token's RNG is issued in shares to
# the five holders (each typed back) and then set; pin.changed; transcript
# verified. Afterwards the new shares open the token in a later quorum.login
# and by pkcs11-tool. Failing twins: the old shares are refused as void; with
# only the token-init transcript known they pass the registry but the token
# refuses the old PIN (login.failed, CKR_PIN_INCORRECT); the old PIN fails
# at pkcs11-tool; an abort at a share prompt leaves the old PIN in force.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
PR=$TEST_TMP/pr
INIT=$TEST_TMP/root-init/transcript.jsonl

later_login() { # DIR H1 H2 H3 [--issued-in ...]: crl.yaml as a later quorum.login
	ll_dir=$1
	mkdir -p "$ll_dir" && cp "$TEST_TMP/root/root-ca.pem" "$ll_dir/" &&
	run_crl_answers "$2" "$3" "$4" >"$ll_dir.answers" &&
	shift 4 &&
	run_rehearsal crl.yaml "$ll_dir.answers" "$ll_dir" "$@"
}
p11_login() { # PIN
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026" --login --pin "$1" \
		--list-objects >/dev/null 2>&1
}

test_expect_success 'set-up: root token (token-init, root-ca)' '
	run_root_setup
'

test_expect_success 'failing twin: an abort at a share prompt leaves the old PIN in force' '
	sed "s/^issue.rotate.user-pin.dave = dave/issue.rotate.user-pin.dave = abort\nabort.reason = dave is not sure he wrote it down/" \
		"$(run_answers pin-rotate)" >abort.answers &&
	test_exit_code 3 run_rehearsal pin-rotate.yaml abort.answers "$PWD/ab" --issued-in "$INIT" \
		>log 2>&1 &&
	! grep -q "\"type\":\"pin.changed\"" ab/transcript.jsonl &&
	p11_login "$(run_pin "$TEST_TMP/root-init" user-pin bob carol dave)"
'

test_expect_success 'pin-rotate.yaml runs end to end; transcript verifies OK' '
	run_rehearsal pin-rotate.yaml "$(run_answers pin-rotate)" "$PR" --issued-in "$INIT" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PR" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	grep "\"type\":\"pin.changed\"" "$PR/transcript.jsonl" | grep -q "\"user\":\"user\"" &&
	test $(grep "\"type\":\"share.verified\"" "$PR/transcript.jsonl" | grep -c "\"result\":\"ok\"") = 5
'

test_expect_success 'the new PIN opens the token; the old one does not' '
	old=$(run_pin "$TEST_TMP/root-init" user-pin bob carol dave) &&
	new=$(run_pin "$PR" user-pin frank grace bob) &&
	test ${#new} = 24 && test "$old" != "$new" &&
	p11_login "$new" &&
	! p11_login "$old"
'

test_expect_success 'a later quorum.login with the new shares works' '
	# the new shares are read from $PR/rehearsal (beside its transcript):
	# a rehearsal reads the holder files of the newest issuance first
	later_login "$PWD/new" frank grace bob --issued-in "$INIT" \
		--issued-in "$PR/transcript.jsonl" \
		>log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/new"
'

test_expect_success 'failing twin: the old shares are refused as void' '
	# the holders present their old shares: the newer issuance is given
	# from a copy without its holder files, so the old ones are read
	cp -r "$PR" pr-copy && rm -r pr-copy/rehearsal &&
	test_exit_code 1 later_login "$PWD/old" bob carol dave --issued-in "$INIT" \
		--issued-in "$PWD/pr-copy/transcript.jsonl" >log 2>&1 &&
	test_grep "these shares are void" log &&
	! grep -q "\"type\":\"quorum.met\"" old/transcript.jsonl
'

test_expect_success 'failing twin: old shares the registry still accepts are refused by the token' '
	test_exit_code 1 later_login "$PWD/stale" bob carol dave --issued-in "$INIT" >log 2>&1 &&
	grep "\"type\":\"login.failed\"" stale/transcript.jsonl | grep -q CKR_PIN_INCORRECT &&
	test ! -e stale/root-ca-1.crl
'

test_done
