#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# scripts/root-rollover.yaml runs end to end in rehearsal after root-ca: a new
# root key and certificate, and the link certificates old->new and new->old
# under the cross profile. Relying parties trusting either root reach the
# other: `openssl verify -x509_strict` on every chain; each certificate
# passes `ceremony x509 lint` against its profile. Failing twins: a link
# certificate with an EKU, and one that would outlive its issuer, are refused
# by `ceremony lint` at their FILE:LINE:COL with the rule's source.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
R=$TEST_TMP/rollover
ISSUED="--issued-in $TEST_TMP/root-init/transcript.jsonl"

test_expect_success 'set-up: root token (token-init, root-ca)' '
	run_root_setup
'

test_expect_success 'root-rollover.yaml runs end to end; transcript verifies' '
	mkdir -p "$R" && cp "$TEST_TMP/root/root-ca.pem" "$R/" &&
	run_rehearsal root-rollover.yaml "$(run_answers root-rollover)" "$R" $ISSUED >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$R"
'

test_expect_success 'the new root is a valid self-signed root (x509_strict), linted as root-ca' '
	openssl verify -x509_strict -CAfile "$R/root-ca-2036.pem" "$R/root-ca-2036.pem" &&
	ceremony x509 lint "$R/root-ca-2036.pem" --profile root-ca >out &&
	test_grep "certificate OK" out
'

test_expect_success 'link old->new: the new root key chains to the old root (x509_strict)' '
	openssl verify -x509_strict -CAfile "$R/root-ca.pem" "$R/link-2026-to-2036.pem" &&
	openssl x509 -in "$R/link-2026-to-2036.pem" -noout -text >txt &&
	test_grep "Issuer: C = FR, O = Example TSP, CN = Example Root CA 2026" txt &&
	test_grep "Subject: C = FR, O = Example TSP, CN = Example Root CA 2036" txt &&
	test_grep "CA:TRUE, pathlen:1" txt &&
	! grep -q "Extended Key Usage" txt &&
	openssl x509 -in "$R/link-2026-to-2036.pem" -noout -pubkey >a &&
	openssl x509 -in "$R/root-ca-2036.pem" -noout -pubkey >b && cmp a b &&
	ceremony x509 lint "$R/link-2026-to-2036.pem" --issuer-cert "$R/root-ca.pem" \
		--profile cross >out &&
	test_grep "certificate OK" out
'

test_expect_success 'link new->old: the old root key chains to the new root (x509_strict)' '
	openssl verify -x509_strict -CAfile "$R/root-ca-2036.pem" "$R/link-2036-to-2026.pem" &&
	openssl x509 -in "$R/link-2036-to-2026.pem" -noout -pubkey >a &&
	openssl x509 -in "$R/root-ca.pem" -noout -pubkey >b && cmp a b &&
	ceremony x509 lint "$R/link-2036-to-2026.pem" --issuer-cert "$R/root-ca-2036.pem" \
		--profile cross >out &&
	test_grep "certificate OK" out
'

test_expect_success 'failing twin: a link linted against the wrong issuer is refused' '
	test_exit_code 1 ceremony x509 lint "$R/link-2036-to-2026.pem" --issuer-cert "$R/root-ca.pem" \
		--profile cross >out &&
	test_grep -F "issuer-name [RFC 5280 4.1.2.4, 6.1]" out &&
	test_grep -F "signature [RFC 5280 4.1.1.3]" out
'

test_expect_success 'failing twin: a link certificate with an EKU is refused at lint' '
	sed "0,/      profile: cross/s//      profile: cross\n      ext-key-usage: [serverAuth]/" \
		"$TEST_TMP/scripts/root-rollover.yaml" >"$TEST_TMP/scripts/rollover-eku.yaml" &&
	test_exit_code 1 ceremony lint "$TEST_TMP/scripts/rollover-eku.yaml" --today "$RUN_TODAY" >out 2>&1 &&
	test_grep "rollover-eku.yaml:82:22: error: .*an extendedKeyUsage on a root or cross certificate" out &&
	test_grep -F "[root-no-eku, CA/B BR 7.1.2.1.2]" out
'

test_expect_success 'failing twin: a link that outlives its new issuer is refused at lint' '
	sed "s/      validity-days: 7305/      validity-days: 365/" \
		"$TEST_TMP/scripts/root-rollover.yaml" >"$TEST_TMP/scripts/rollover-long.yaml" &&
	test_exit_code 1 ceremony lint "$TEST_TMP/scripts/rollover-long.yaml" --today "$RUN_TODAY" >out 2>&1 &&
	test_grep "rollover-long.yaml:[0-9]*:[0-9]*: error: step .link-new-old.: the certificate would end after its issuer" out &&
	test_grep -F "[validity-issuer, RFC 5280 6.1.3 (a)(2)" out
'

test_done
