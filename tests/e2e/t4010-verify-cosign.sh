#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Co-signatures: one more SignerInfo per participant in the transcript's
# detached CMS SignedData (docs/transcript-format.md section 3). verify lists
# the co-signers, checks each over the same bytes and, with --script, against
# the roster's certificates; --require-cosigners all|ROLE FAILS a transcript
# missing one, naming who. Stock openssl adds (cms -resign) and checks (cms
# -verify) every signer. Here the co-signatures are made with stock openssl
# and software stand-in keys; the run itself does not co-sign yet.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
SEATED="alice sam hugo bob carol dave frank grace"
K=$TEST_TMP/scripts/cards
G=$TEST_TMP/genuine
TODAY=$(date -u +%F)

card() { # ID: a stand-in card key and its certificate in $K
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/$1.key" \
		-subj "/CN=$1 card" -days 365 -addext keyUsage=critical,digitalSignature \
		-out "$K/$1.pem" 2>/dev/null
}
# Add a co-signature by each ID to the transcript in DIR (stock openssl).
cosign() { # DIR ID...
	cs_dir=$1; shift
	for id in "$@"; do
		openssl cms -resign -binary -inform PEM -in "$cs_dir/transcript.jsonl.p7s" \
			-signer "$K/$id.pem" -inkey "$K/$id.key" -md sha256 -outform PEM \
			-out "$cs_dir/p7s.new" && mv "$cs_dir/p7s.new" "$cs_dir/transcript.jsonl.p7s" || return 1
	done
}
verify_all() { # DIR [ARG...]
	va_dir=$1; shift
	ceremony verify "$va_dir/transcript.jsonl" --script "$TEST_TMP/scripts/token-init.yaml" \
		--roster "$TEST_TMP/scripts/example-roster.yaml" "$@"
}
copy() { cp -r "$G" ./g; }

test_expect_success 'setup: a card certificate for each seated person in the roster, roster check clean' '
	mkdir -p "$K" && for id in $SEATED stranger; do card $id || exit 1; done &&
	for id in $SEATED; do
		sed -i "s|^  - id: $id\$|&\n    certificate: cards/$id.pem|" "$TEST_TMP/scripts/example-roster.yaml" || exit 1
	done &&
	ceremony roster check "$TEST_TMP/scripts/example-roster.yaml" --today $TODAY >out &&
	test "$(grep -c "^card " out)" = 8 && test_grep "0 errors" out
'

test_expect_success 'token-init in rehearsal with that roster; verify OK, co-signed by nobody' '
	mkdir -p "$G" &&
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$G" >run.log 2>&1 &&
	verify_all "$G" >out &&
	test_grep "transcript.jsonl: OK" out &&
	test_grep "co-signed:   by nobody (the transcript key alone)" out
'

test_expect_success 'failing twin: the same with --require-cosigners all is FAILED, naming everyone missing' '
	test_exit_code 4 verify_all "$G" --require-cosigners all >out &&
	test_grep "transcript.jsonl: FAILED" out &&
	test_grep "missing co-signatures (--require-cosigners): Alice Martin (alice, security-officer); Samira Haddad (sam, system-auditor)" out &&
	test_grep "(grace, key-holder)" out
'

test_expect_success 'every seated person co-signs: verify OK with --require-cosigners all, each listed' '
	copy && cosign g $SEATED &&
	verify_all g --require-cosigners all >out &&
	test_grep "transcript.jsonl: OK" out &&
	test "$(grep -c "^  co-signed:   " out)" = 8 &&
	spki=$(openssl x509 -in "$K/carol.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64) &&
	test_grep "co-signed:   Carol .* (carol, key-holder) card key $spki" out &&
	test_grep "co-signed:   Alice Martin (alice, security-officer) card key" out &&
	verify_all g --require-cosigners all --json >j &&
	test "$(jq -r ".cosigners | length" j)" = 8 &&
	test "$(jq -r ".cosigners[] | select(.id == \"carol\") | .spki_sha256" j)" = "$spki"
'

test_expect_success 'stock openssl cms -verify checks every signer (the auditor-guide command)' '
	copy && cosign g $SEATED &&
	cat g/transcript-signer.pem "$K"/*.pem >anchors.pem &&
	openssl cms -verify -binary -inform PEM -in g/transcript.jsonl.p7s \
		-content g/transcript.jsonl -CAfile anchors.pem -purpose any -out /dev/null 2>err &&
	test_grep "CMS Verification successful" err &&
	openssl cms -cmsout -print -inform PEM -in g/transcript.jsonl.p7s >dump &&
	test "$(grep -c "d.issuerAndSerialNumber" dump)" = 9 &&
	echo "changed" >>g/transcript.jsonl &&
	test_must_fail openssl cms -verify -binary -inform PEM -in g/transcript.jsonl.p7s \
		-content g/transcript.jsonl -CAfile anchors.pem -purpose any -out /dev/null
'

test_expect_success 'without --script the co-signers are listed by key, the verdict as before' '
	copy && cosign g alice bob &&
	ceremony verify g/transcript.jsonl >out &&
	test_grep "transcript.jsonl: OK" out &&
	test_grep "co-signed:   /CN=alice card card key .* (not checked against a roster: --script)" out &&
	test_exit_code 2 ceremony verify g/transcript.jsonl --require-cosigners all 2>err &&
	test_grep "needs --script" err
'

test_expect_success 'failing twin: one co-signature missing, --require-cosigners all names who' '
	copy && cosign g alice sam hugo bob carol dave frank &&
	test_exit_code 4 verify_all g --require-cosigners all >out &&
	test_grep "missing co-signature (--require-cosigners): Grace .* (grace, key-holder)$" out &&
	! grep "(alice" out | grep missing
'

test_expect_success 'twin: --require-cosigners by role passes when that role signed, fails when not' '
	copy && cosign g alice sam hugo bob carol dave frank &&
	verify_all g --require-cosigners security-officer --require-cosigners system-auditor >out &&
	test_grep "transcript.jsonl: OK" out &&
	test_exit_code 4 verify_all g --require-cosigners key-holder >out &&
	test_grep "missing co-signature (--require-cosigners): Grace" out &&
	test_exit_code 2 verify_all g --require-cosigners witness 2>err &&
	test_grep "wants all or a role" err
'

test_expect_success 'failing twin: a co-signer whose key is not on the roster is FAILED' '
	copy && cosign g alice stranger &&
	test_exit_code 4 verify_all g >out &&
	test_grep "co-signer /CN=stranger card (key [0-9a-f]*) is not a roster person.s certificate" out
'

test_expect_success 'failing twin: a forger re-running the ceremony without the cards is FAILED with --require-cosigners' '
	mkdir -p forger/tokens "$TEST_TMP/f" &&
	printf "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n" \
		"$PWD/forger/tokens" >forger/softhsm2.conf &&
	SOFTHSM2_CONF=$PWD/forger/softhsm2.conf &&
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/f" >run.log 2>&1 &&
	verify_all "$TEST_TMP/f" >out && test_grep "transcript.jsonl: OK" out &&
	test_exit_code 4 verify_all "$TEST_TMP/f" --require-cosigners all >out &&
	test_grep "missing co-signatures (--require-cosigners): Alice Martin" out
'

test_expect_success 'failing twin: the genuine co-signatures put on another transcript do not verify' '
	copy && cosign g $SEATED && cp -r "$TEST_TMP/f" f &&
	test_exit_code 4 ceremony verify f/transcript.jsonl --signature g/transcript.jsonl.p7s >out &&
	test_grep "FAILED" out &&
	test_grep "signature does not match the transcript" out
'

test_done
