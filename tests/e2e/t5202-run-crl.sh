#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run scripts/crl.yaml in rehearsal: the root signs CRL 1; the CRL
# verifies with `openssl crl -verify` against root-ca.pem, the transcript with
# ceremony verify and openssl cms -verify. A variant revokes two serials with
# reasons. Failing twins: an issuer certificate that is not the key's is
# refused (nothing written); an unknown key label is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
ISSUED="--issued-in $TEST_TMP/root-init/transcript.jsonl"

test_expect_success 'set-up: root token (token-init, root-ca)' '
	run_root_setup
'

test_expect_success 'crl.yaml runs end to end; the CRL and the transcript verify' '
	mkdir -p "$TEST_TMP/crl" && cp "$TEST_TMP/root/root-ca.pem" "$TEST_TMP/crl/" &&
	run_rehearsal crl.yaml "$(run_answers crl)" "$TEST_TMP/crl" $ISSUED >log 2>&1 &&
	run_verified "$TEST_TMP/crl" &&
	openssl crl -in "$TEST_TMP/crl/root-ca-1.crl" -CAfile "$TEST_TMP/crl/root-ca.pem" \
		-noout -verify -text >txt 2>&1 &&
	test_grep "verify OK" txt &&
	test_grep -A1 "X509v3 CRL Number" txt &&
	grep -A1 "X509v3 CRL Number" txt | tail -n 1 | grep -qx " *1" &&
	test_grep "No Revoked Certificates" txt &&
	sha=$(sha256sum <"$TEST_TMP/crl/root-ca-1.crl" | cut -d" " -f1) &&
	grep "\"type\":\"crl.created\"" "$TEST_TMP/crl/transcript.jsonl" >ev &&
	test_grep "\"sha256\":\"$sha\"" ev &&
	test_grep "\"number\":1" ev
'

test_expect_success 'a CRL with revoked entries carries their serials, dates and reasons' '
	sed -e "s/crl-number: 1$/crl-number: 2/" -e "s/root-ca-1.crl/root-ca-2.crl/g" \
	    -e "s/      digest: sha384/      revoked:\n        - {serial: \"1a2b3c\", date: 2026-11-20, reason: key-compromise}\n        - {serial: \"0f\", date: 2026-11-21, reason: unspecified}\n      digest: sha384/" \
	    "$TEST_TMP/scripts/crl.yaml" >"$TEST_TMP/scripts/crl-2.yaml" &&
	mkdir -p out && cp "$TEST_TMP/root/root-ca.pem" out/ &&
	run_rehearsal crl-2.yaml "$(run_answers crl)" "$PWD/out" $ISSUED >log 2>&1 &&
	run_verified "$PWD/out" &&
	openssl crl -in out/root-ca-2.crl -CAfile out/root-ca.pem -noout -verify -text >txt 2>&1 &&
	test_grep "verify OK" txt &&
	test_grep "Serial Number: 1A2B3C" txt &&
	test_grep "Key Compromise" txt &&
	test_grep "Serial Number: 0F" txt &&
	test_grep "Nov 20 00:00:00 2026 GMT" txt &&
	grep "\"type\":\"crl.created\"" out/transcript.jsonl | grep -q "\"reason\":\"key-compromise\""
'

test_expect_success 'failing twin: an issuer certificate that is not the key'"'"'s is refused' '
	mkdir -p bad &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout k.pem \
		-subj "/CN=Not the root" -days 30 -out bad/root-ca.pem 2>/dev/null &&
	test_exit_code 1 run_rehearsal crl.yaml "$(run_answers crl)" "$PWD/bad" $ISSUED >log 2>&1 &&
	test_grep "the issuer certificate does not carry the key" log &&
	test ! -e bad/root-ca-1.crl &&
	tail -n 1 bad/transcript.jsonl | grep -q "\"status\":\"failed\""
'

test_expect_success 'failing twin: an unknown key label is refused, nothing written' '
	sed "s/key: root-ca-2026/key: root-ca-2099/" "$TEST_TMP/scripts/crl.yaml" \
		>"$TEST_TMP/scripts/crl-nokey.yaml" &&
	mkdir -p nk && cp "$TEST_TMP/root/root-ca.pem" nk/ &&
	test_exit_code 1 run_rehearsal crl-nokey.yaml "$(run_answers crl)" "$PWD/nk" $ISSUED \
		>log 2>&1 &&
	test_grep "root-ca-2099" log &&
	test ! -e nk/root-ca-1.crl
'

test_done
