#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# scripts/ocsp-responder.yaml and scripts/tsu.yaml run end to end in
# rehearsal: the root issues its OCSP responder certificate, the sub-CA a
# timestamping unit certificate, each from a request brought in; every chain
# passes `openssl verify -x509_strict`, every certificate `ceremony x509 lint`
# against its profile, field by field (RFC 6960 4.2.2.2, RFC 3161 2.3).
# Failing twins: a TSU EKU that is not critical, and an OCSP responder valid
# longer than its profile allows, are refused by `ceremony lint` with
# FILE:LINE:COL and the rule's source, and by the run before anything is
# signed (nothing written).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
SUB=$TEST_TMP/subca
O=$TEST_TMP/ocsp
T=$TEST_TMP/tsu
ISSUED_ROOT="--issued-in $TEST_TMP/root-init/transcript.jsonl"
ISSUED_SUB="--issued-in $TEST_TMP/sub-init/transcript.jsonl"

# A request made by an online service: a software key and its CSR.
csr_make() { # FILE SUBJECT
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null &&
	openssl req -new -key "$1.key" -subj "$2" -out "$1"
}

test_expect_success 'set-up: root (token-init, root-ca), sub-CA (sub-token-init, sub-ca)' '
	run_root_setup &&
	run_rehearsal sub-token-init.yaml "$(run_answers sub-token-init)" "$TEST_TMP/sub-init" \
		>log 2>&1 &&
	mkdir -p "$SUB" && cp "$TEST_TMP/root/root-ca.pem" "$SUB/" &&
	run_rehearsal sub-ca.yaml "$(run_answers sub-ca)" "$SUB" $ISSUED_ROOT $ISSUED_SUB \
		>log 2>&1 &&
	test_grep "Ceremony completed" log
'

test_expect_success 'ocsp-responder.yaml runs end to end; transcript verifies' '
	mkdir -p "$O" && cp "$TEST_TMP/root/root-ca.pem" $O/ &&
	csr_make $O/ocsp-responder.csr "/CN=ocsp request" &&
	run_rehearsal ocsp-responder.yaml "$(run_answers ocsp-responder)" "$O" \
		$ISSUED_ROOT >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$O"
'

test_expect_success 'the OCSP responder certificate: x509_strict chain, its profile field by field' '
	openssl verify -x509_strict -CAfile $O/root-ca.pem $O/ocsp-responder.pem &&
	openssl x509 -in $O/ocsp-responder.pem -noout -text >txt &&
	test_grep "Subject: C = FR, O = Example TSP, CN = Example Root CA 2026 OCSP Responder" txt &&
	test_grep -A1 "X509v3 Basic Constraints: critical" txt | grep -q "CA:FALSE" &&
	test_grep -A1 "X509v3 Key Usage: critical" txt | grep -qx " *Digital Signature" &&
	test_grep -A1 "X509v3 Extended Key Usage:" txt | grep -qx " *OCSP Signing" &&
	test_grep "OCSP No Check" txt &&
	test_grep "ecdsa-with-SHA384" txt &&
	test_grep "X509v3 Authority Key Identifier" txt &&
	nb=$(openssl x509 -in $O/ocsp-responder.pem -noout -startdate | cut -d= -f2) &&
	na=$(openssl x509 -in $O/ocsp-responder.pem -noout -enddate | cut -d= -f2) &&
	test $(( ($(date -d "$na" +%s) - $(date -d "$nb" +%s)) / 86400 )) -eq 365 &&
	ceremony x509 lint $O/ocsp-responder.pem --issuer-cert $O/root-ca.pem \
		--profile ocsp-responder >out &&
	test_grep "certificate OK" out
'

test_expect_success 'failing twin: the same certificate linted as a TSU breaks the TSU rules' '
	test_exit_code 1 ceremony x509 lint $O/ocsp-responder.pem --issuer-cert $O/root-ca.pem \
		--profile tsu >out &&
	test_grep -F "tsu-eku [RFC 3161 2.3" out
'

test_expect_success 'failing twin: an OCSP responder valid 400 days is refused at lint and at run' '
	sed "s/validity-days: 365/validity-days: 400/" "$TEST_TMP/scripts/ocsp-responder.yaml" \
		>"$TEST_TMP/scripts/ocsp-long.yaml" &&
	test_exit_code 1 ceremony lint "$TEST_TMP/scripts/ocsp-long.yaml" --today "$RUN_TODAY" >out 2>&1 &&
	test_grep "ocsp-long.yaml:47:22: error: .*validity of 400 days exceeds profile ocsp-responder" out &&
	test_grep -F "[validity-max, profile (docs/x509.md); CA/B BR 6.3.2]" out &&
	mkdir -p ocsp-long && cp $O/root-ca.pem $O/ocsp-responder.csr ocsp-long/ &&
	test_exit_code 1 run_rehearsal ocsp-long.yaml "$(run_answers ocsp-responder)" \
		"$PWD/ocsp-long" $ISSUED_ROOT >log 2>&1 &&
	test_grep "validity-max" log &&
	test ! -e ocsp-long/ocsp-responder.pem
'

test_expect_success 'tsu.yaml runs end to end; transcript verifies' '
	mkdir -p "$T" && cp "$SUB/sub-ca.pem" $T/ &&
	csr_make $T/tsu.csr "/CN=tsu request" &&
	run_rehearsal tsu.yaml "$(run_answers tsu)" "$T" $ISSUED_SUB >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$T"
'

test_expect_success 'the TSU certificate: x509_strict chain root > sub-CA > TSU, its profile field by field' '
	openssl verify -x509_strict -CAfile "$SUB/root-ca.pem" -untrusted "$SUB/sub-ca.pem" \
		-purpose timestampsign $T/tsu.pem &&
	openssl x509 -in $T/tsu.pem -noout -text >txt &&
	test_grep "Subject: C = FR, O = Example TSP, organizationIdentifier = NTRFR-123456789, CN = Example TSU 2026-1" txt &&
	test_grep -A1 "X509v3 Extended Key Usage: critical" txt | grep -qx " *Time Stamping" &&
	test_grep -A1 "X509v3 Key Usage: critical" txt | grep -qx " *Digital Signature" &&
	test_grep "Policy: 0.4.0.2023.1.1" txt &&
	test_grep "URI:http://crl.example.org/sub-ca.crl" txt &&
	test_grep "CA Issuers - URI:http://pki.example.org/sub-ca.cer" txt &&
	test_grep "ecdsa-with-SHA256" txt &&
	ceremony x509 lint $T/tsu.pem --issuer-cert "$SUB/sub-ca.pem" --profile tsu >out &&
	test_grep "certificate OK" out
'

test_expect_success 'failing twin: a TSU EKU that is not critical is refused at lint, nothing signed' '
	sed "s/      profile: tsu/      profile: tsu\n      ext-key-usage-critical: false/" \
		"$TEST_TMP/scripts/tsu.yaml" >"$TEST_TMP/scripts/tsu-noncrit.yaml" &&
	test_exit_code 1 ceremony lint "$TEST_TMP/scripts/tsu-noncrit.yaml" --today "$RUN_TODAY" >out 2>&1 &&
	test_grep "tsu-noncrit.yaml:[0-9]*:[0-9]*: error: .*a TSU needs exactly id-kp-timeStamping, critical" out &&
	test_grep -F "[tsu-eku, RFC 3161 2.3" out &&
	mkdir -p tsu-bad && cp $T/sub-ca.pem $T/tsu.csr tsu-bad/ &&
	test_exit_code 1 run_rehearsal tsu-noncrit.yaml "$(run_answers tsu)" "$PWD/tsu-bad" \
		$ISSUED_SUB >log 2>&1 &&
	test ! -e tsu-bad/tsu.pem
'

test_done
