#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run scripts/reshare.yaml in rehearsal: bob's key-holder role
# withdrawn and judy's granted (role.revoke / role.assign), the user PIN
# recovered by carol, dave and frank (checked by logging in) and split anew
# for carol, dave, frank, grace and judy; transcript verified. Afterwards a
# later quorum.login (crl.yaml) with the new shares works, and judy's share
# is part of a quorum. Failing twins: the old shares are refused as void,
# naming the holder; the old shares with only the token-init transcript
# known still open the token (the PIN did not change: reshare is not
# rotation); a wrong typed confirmation of the change is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
RS=$TEST_TMP/rs
INIT=$TEST_TMP/root-init/transcript.jsonl

later_login() { # DIR H1 H2 H3 [--issued-in ...]: crl.yaml as a later quorum.login
	ll_dir=$1
	mkdir -p "$ll_dir" && cp "$TEST_TMP/root/root-ca.pem" "$ll_dir/" &&
	run_crl_answers "$2" "$3" "$4" >"$ll_dir.answers" &&
	shift 4 &&
	run_rehearsal crl.yaml "$ll_dir.answers" "$ll_dir" "$@"
}

test_expect_success 'set-up: root token (token-init, root-ca)' '
	run_root_setup
'

test_expect_success 'reshare.yaml runs end to end; transcript verifies OK' '
	run_rehearsal reshare.yaml "$(run_answers reshare)" "$RS" --issued-in "$INIT" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$RS" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out
'

test_expect_success 'the change is on record: bob revoked, judy assigned, acknowledged' '
	grep "\"type\":\"role.revoke\"" "$RS/transcript.jsonl" >rev &&
	test_grep "\"id\":\"bob\"" rev &&
	test_grep "\"role\":\"key-holder\"" rev &&
	test_grep "\"acknowledged\":true" rev &&
	grep "\"type\":\"role.assign\"" "$RS/transcript.jsonl" | grep "\"step\":\"add-judy\"" >add &&
	test_grep "\"id\":\"judy\"" add
'

test_expect_success 'the recovered PIN was checked by a login; five new shares, judy has one' '
	grep "\"type\":\"login\"" "$RS/transcript.jsonl" | grep -q "\"step\":\"reshare\"" &&
	test $(grep "\"type\":\"share.issued\"" "$RS/transcript.jsonl" | grep -c "\"step\":\"reshare\"") = 5 &&
	test $(grep -c "^user-pin " "$RS/rehearsal/judy.shares") = 1 &&
	test ! -e "$RS/rehearsal/bob.shares" &&
	old=$(run_pin "$TEST_TMP/root-init" user-pin bob carol dave) &&
	new=$(run_pin "$RS" user-pin judy grace carol) &&
	test -n "$old" && test "$old" = "$new"
'

test_expect_success 'a later quorum.login with the new shares works (judy, grace, carol)' '
	# the new shares are read from $RS/rehearsal (beside its transcript):
	# a rehearsal reads the holder files of the newest issuance first
	later_login "$PWD/new" judy grace carol --issued-in "$INIT" \
		--issued-in "$RS/transcript.jsonl" \
		>log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/new"
'

test_expect_success 'failing twin: the old shares are refused as void, naming the holder' '
	# the holders present their old shares: the newer issuance is given
	# from a copy without its holder files, so the old ones are read
	cp -r "$RS" rs-copy && rm -r rs-copy/rehearsal &&
	test_exit_code 1 later_login "$PWD/old" carol dave frank --issued-in "$INIT" \
		--issued-in "$PWD/rs-copy/transcript.jsonl" >log 2>&1 &&
	test_grep "these shares are void" log &&
	test_grep "carol" log &&
	grep "\"type\":\"quorum.share\"" old/transcript.jsonl | grep -q "\"accepted\":false" &&
	! grep -q "\"type\":\"quorum.met\"" old/transcript.jsonl &&
	test ! -e old/root-ca-1.crl
'

test_expect_success 'twin of the twin: reshare does not change the PIN (old shares, old registry)' '
	later_login "$PWD/stale" carol dave frank --issued-in "$INIT" >log 2>&1 &&
	test_grep "Ceremony completed" log
'

test_expect_success 'failing twin: a wrong person typed for the change is refused' '
	sed "s/^change.retire-bob.person = bob/change.retire-bob.person = carol\nchange.retire-bob.person = carol\nchange.retire-bob.person = carol/" \
		"$(run_answers reshare)" >wrong.answers &&
	test_exit_code 1 run_rehearsal reshare.yaml wrong.answers "$PWD/w" --issued-in "$INIT" \
		>log 2>&1 &&
	test_grep "change.retire-bob.person" log &&
	! grep -q "\"type\":\"role.revoke\"" w/transcript.jsonl
'

test_expect_success 'failing twin: a retired key holder has no seat left in the ceremony' '
	sed -e "s/actors: {key-holder: 5}/actors: {key-holder: 4}/" \
	    -e "/secret: user-pin, groups/s/count: 5/count: 4/" \
		"$TEST_TMP/scripts/reshare.yaml" >"$TEST_TMP/scripts/reshare4.yaml" &&
	sed -e "s/^holder.reshare.1 = carol/actor-of.reshare.key-holder.1 = bob\nholder.reshare.1 = carol/" \
		"$(run_answers reshare)" >retired.answers &&
	test_exit_code 1 run_rehearsal reshare4.yaml retired.answers "$PWD/ret" --issued-in "$INIT" \
		>log 2>&1 &&
	test_grep "Bob .* no longer sits as key-holder" log &&
	test_grep ".bob. is not seated as key-holder" log &&
	! grep "\"step\":\"reshare\"" ret/transcript.jsonl | grep -q "\"id\":\"bob\""
'

test_done
