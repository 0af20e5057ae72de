#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run scripts/sub-ca.yaml in rehearsal (after token-init, root-ca and
# sub-token-init): the sub-CA key and CSR on the sub token, the certificate
# issued by the root token's key; transcript verified (ceremony verify,
# openssl cms -verify), chain by openssl verify.
# Failing twins: a CSR tampered before cert.issue is refused (nothing
# written, the transcript ends failed); the same request untampered passes;
# a digest that does not follow the key is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
SUB=$TEST_TMP/subca

# A ceremony that issues from a request brought in (csr: in the outdir).
cat >"$TEST_TMP/scripts/issue-only.yaml" <<'YAML'
format: 1
name: Sub CA certificate from a request brought in
version: "1.0"
roster: example-roster.yaml
tokens:
  root: "pkcs11:token=Root%20CA%202026"
roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 3}
secrets:
  user-pin: {kind: pin, token: root, groups: [{threshold: 3, count: 5}], group-threshold: 1}
steps:
  - id: attendance
    title: Attendance and identity check
    action: attendance
    actors: [security-officer]
    witnesses: [system-auditor]
  - id: login
    title: Key holders log in to the root token
    action: quorum.login
    with: {token: root, secret: user-pin}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
  - id: crl
    title: The root signs the sub-CA certificate
    action: cert.issue
    with: {token: root, key: root-ca-2026, issuer-cert: root-ca.pem, csr: sub-ca.csr,
           profile: sub-ca, validity-days: 365, pathlen: 0, serial: "7a0b0c0d0e0f101112",
           policies: [{oid: 1.3.6.1.4.1.99999.1.1}],
           crl-urls: ["http://crl.example.org/root.crl"],
           ca-issuers-urls: ["http://pki.example.org/root.cer"], output: sub-ca-2.pem}
    actors: [hsm-administrator]
    witnesses: [security-officer, system-auditor]
    outputs: [sub-ca-2.pem]
YAML
# crl.answers fit it: same people, same step ids (login, crl) but fingerprint.
grep -v '^fingerprint\|^witness\.fingerprint' "$(run_answers crl)" >"$TEST_TMP/issue-only.answers"

test_expect_success 'set-up: root token (token-init, root-ca), sub token (sub-token-init)' '
	run_root_setup &&
	run_rehearsal sub-token-init.yaml "$(run_answers sub-token-init)" "$TEST_TMP/sub-init" \
		>log 2>&1 &&
	test_grep "Ceremony completed" log
'

test_expect_success 'sub-ca.yaml runs end to end; transcript verifies OK' '
	mkdir -p "$SUB" && cp "$TEST_TMP/root/root-ca.pem" "$SUB/" &&
	run_rehearsal sub-ca.yaml "$(run_answers sub-ca)" "$SUB" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" \
		--issued-in "$TEST_TMP/sub-init/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log && cp log "$TEST_TMP/sub-run.log" &&
	run_verified "$SUB" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	test_grep "CMS Verification successful" out
'

test_expect_success 'the closing summary shows the certificate DER fingerprint read aloud and replayed; the file hash apart' '
	der=$(openssl x509 -in "$SUB/sub-ca.pem" -outform DER | sha256sum | cut -d" " -f1) &&
	file=$(sha256sum <"$SUB/sub-ca.pem" | cut -d" " -f1) &&
	test_grep "cert  .*sub-ca.pem: .* (DER SHA-256 $der)" "$TEST_TMP/sub-run.log" &&
	test_grep "file  .*sub-ca.pem: .* (file SHA-256 $file)" "$TEST_TMP/sub-run.log" &&
	w=$(sed -n "s/.*cert  .*sub-ca.pem: \(.*\) (DER SHA-256.*/\1/p" "$TEST_TMP/sub-run.log") &&
	fw=$(sed -n "s/.*file  .*sub-ca.pem: \(.*\) (file SHA-256.*/\1/p" "$TEST_TMP/sub-run.log") &&
	test -n "$w" && test "$w" != "$fw" &&
	ceremony replay "$SUB/transcript.jsonl" >r &&
	test_grep -F "certificate sub-ca.pem, SHA-256 $file [$w]" r
'

test_expect_success 'the sub-CA certificate chains to the root (x509_strict), carries the TSP profile' '
	openssl verify -x509_strict -CAfile "$SUB/root-ca.pem" "$SUB/sub-ca.pem" &&
	openssl x509 -in "$SUB/sub-ca.pem" -noout -text >txt &&
	test_grep "CA:TRUE, pathlen:0" txt &&
	test_grep "ecdsa-with-SHA384" txt &&
	test_grep "Subject: C = FR, O = Example TSP, organizationIdentifier = NTRFR-123456789, CN = Example Sub CA 2026" txt &&
	test_grep "Policy: 1.3.6.1.4.1.99999.1.1" txt &&
	test_grep "CPS: http://pki.example.org/cps" txt &&
	test_grep "URI:http://crl.example.org/root-ca.crl" txt &&
	test_grep "CA Issuers - URI:http://pki.example.org/root-ca.cer" txt &&
	ceremony x509 lint "$SUB/sub-ca.pem" --issuer-cert "$SUB/root-ca.pem" --profile sub-ca &&
	openssl req -in "$SUB/sub-ca.csr" -noout -verify 2>&1 | grep -q "verify OK"
'

test_expect_success 'the certificate carries the sub token key; events name the files and hashes' '
	openssl x509 -in "$SUB/sub-ca.pem" -noout -pubkey >cert.pub &&
	openssl req -in "$SUB/sub-ca.csr" -noout -pubkey >csr.pub &&
	cmp cert.pub csr.pub &&
	csr=$(sha256sum <"$SUB/sub-ca.csr" | cut -d" " -f1) &&
	crt=$(sha256sum <"$SUB/sub-ca.pem" | cut -d" " -f1) &&
	grep "\"type\":\"csr.created\"" "$SUB/transcript.jsonl" | grep -q "\"sha256\":\"$csr\"" &&
	grep "\"type\":\"cert.created\"" "$SUB/transcript.jsonl" >ev &&
	test_grep "\"sha256\":\"$crt\"" ev &&
	test_grep "\"csr_sha256\":\"$csr\"" ev &&
	test_grep "\"profile\":\"sub-ca\"" ev
'

test_expect_success 'failing twin: a tampered CSR is refused, nothing written, transcript ends failed' '
	mkdir -p bad && cp "$TEST_TMP/root/root-ca.pem" bad/ &&
	openssl req -in "$SUB/sub-ca.csr" -outform DER -out csr.der &&
	perl -pi -e "s/Example Sub CA/Example Sux CA/" csr.der &&
	! cmp -s csr.der <(openssl req -in "$SUB/sub-ca.csr" -outform DER) &&
	openssl req -inform DER -in csr.der -out bad/sub-ca.csr &&
	test_exit_code 1 run_rehearsal issue-only.yaml "$TEST_TMP/issue-only.answers" "$PWD/bad" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" >log 2>&1 &&
	test_grep "signature does not verify" log &&
	test ! -e bad/sub-ca-2.pem &&
	tail -n 1 bad/transcript.jsonl | grep -q "\"status\":\"failed\"" &&
	test_exit_code 3 ceremony verify bad/transcript.jsonl >out &&
	test_grep INCOMPLETE out
'

test_expect_success 'the same request untampered is issued, with the serial asked for' '
	mkdir -p good && cp "$TEST_TMP/root/root-ca.pem" "$SUB/sub-ca.csr" good/ &&
	run_rehearsal issue-only.yaml "$TEST_TMP/issue-only.answers" "$PWD/good" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" >log 2>&1 &&
	openssl verify -CAfile good/root-ca.pem good/sub-ca-2.pem &&
	openssl x509 -in good/sub-ca-2.pem -noout -serial | grep -qx "serial=7A0B0C0D0E0F101112" &&
	run_verified "$PWD/good"
'

test_expect_success 'failing twin: a short serial is refused at lint, nothing reaches the HSM' '
	sed "s/serial: \"7a0b0c0d0e0f101112\"/serial: \"0a0b0c\"/" \
		"$TEST_TMP/scripts/issue-only.yaml" >"$TEST_TMP/scripts/issue-short.yaml" &&
	test_exit_code 1 ceremony lint "$TEST_TMP/scripts/issue-short.yaml" --today "$RUN_TODAY" >out 2>&1 &&
	test_grep "issue-short.yaml:[0-9]*:[0-9]*: error: .*fewer than 64 bits" out &&
	test_grep -F "[serial-entropy, CA/B BR 7.1]" out
'

test_expect_success 'failing twin: a digest that does not follow the key is refused' '
	mkdir -p dg && cp "$TEST_TMP/root/root-ca.pem" "$SUB/sub-ca.csr" dg/ &&
	sed "s/serial: \"7a0b0c0d0e0f101112\"/digest: sha256/" "$TEST_TMP/scripts/issue-only.yaml" \
		>"$TEST_TMP/scripts/issue-sha256.yaml" &&
	test_exit_code 1 run_rehearsal issue-sha256.yaml "$TEST_TMP/issue-only.answers" "$PWD/dg" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" >log 2>&1 &&
	test_grep "digest sha256 asked, but key .root-ca-2026. signs with SHA384" log &&
	test ! -e dg/sub-ca-2.pem
'

test_done
