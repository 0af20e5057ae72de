#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cert.self-sign takes the same profile fields as cert.issue (profile root-ca
# unless named): explicit not-before/not-after, a subject as an ordered RDN
# list, policies, nameConstraints, the SKI method, a serial. Each field is
# checked at `ceremony lint` with FILE:LINE:COL and the rule's source, the
# certificate is linted with a throwaway key before the HSM signs and checked
# again after. scripts/root-ca.yaml (string subject, validity-days) is
# unchanged (t5201, t5230, t5231 run it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
S=$TEST_TMP/scripts
O=$TEST_TMP/prof

# profiled FILE [EXTRA-LINE...]: root-ca.yaml whose cert.self-sign step
# carries profile fields instead of subject/validity-days, EXTRA lines
# added after ski-method.
profiled() {
	pf=$1
	shift
	sed -n "1,/^      subject: /p" "$S/root-ca.yaml" | sed "\$d" >"$S/$pf"
	cat >>"$S/$pf" <<'YAML'
      profile: root-ca
      subject:
        - {C: FR}
        - {O: Example TSP}
        - {OU: Roots, CN: Example Root CA 2026}
      not-before: 2026-11-27
      not-after: 2046-11-27T12:00:00Z
      pathlen: 1
      serial: "0a1b2c3d4e5f60718293"
      policies:
        - {oid: 1.3.6.1.4.1.99999.1.1, cps: "https://pki.example.test/cps"}
      name-constraints: {permitted: ["dns:example.test"]}
      ski-method: sha256
YAML
	for l in "$@"; do printf "      %s\n" "$l" >>"$S/$pf"; done
	sed -n "/^      digest: sha384/,\$p" "$S/root-ca.yaml" >>"$S/$pf"
}

# refused FILE: ceremony lint refuses it; log in out.
refused() {
	test_exit_code 1 ceremony lint "$S/$1" --today "$RUN_TODAY" >out 2>&1
}

test_expect_success 'a self-sign step with profile fields lints clean (twin of the refusals)' '
	profiled prof.yaml &&
	ceremony lint "$S/prof.yaml" --today "$RUN_TODAY" >out 2>&1 || { cat out; false; }
'

test_expect_success 'an EKU on the self-signed root is refused at its field' '
	profiled eku.yaml "ext-key-usage: [serverAuth]" &&
	refused eku.yaml &&
	test_grep "eku.yaml:[0-9]*:22: error: step .cert.: an extendedKeyUsage on a root" out &&
	test_grep -F "[root-no-eku, CA/B BR 7.1.2.1.2]" out
'

test_expect_success 'a malformed not-after is refused at its place' '
	profiled prof.yaml && sed "s/not-after: 2046-11-27T12:00:00Z/not-after: 2046-02-31/" \
		"$S/prof.yaml" >"$S/na.yaml" &&
	refused na.yaml &&
	test_grep "na.yaml:[0-9]*:18: error: not-after must be YYYY-MM-DD" out
'

test_expect_success 'a not-after past the root-ca cap is refused with the rule' '
	sed "s/not-after: 2046-11-27T12:00:00Z/not-after: 2056-11-27/" "$S/prof.yaml" >"$S/long.yaml" &&
	refused long.yaml &&
	test_grep "long.yaml:[0-9]*:18: error: .*validity of 10958 days exceeds profile root-ca" out &&
	test_grep -F "[validity-max, profile (docs/x509.md); CA/B BR 6.3.2]" out
'

test_expect_success 'not-after and validity-days together are refused' '
	profiled both.yaml "validity-days: 7305" &&
	refused both.yaml &&
	test_grep -F "[validity-one-way, docs/x509.md]" out
'

test_expect_success 'a bad subject RDN and a bad SKI method are refused at their places' '
	sed -e "s/{C: FR}/{C: France}/" -e "s/ski-method: sha256/ski-method: md5/" "$S/prof.yaml" \
		>"$S/bad.yaml" &&
	refused bad.yaml &&
	test_grep "bad.yaml:[0-9]*:9: error: subject: subject countryName .France. is not two" out &&
	test_grep "bad.yaml:[0-9]*:19: error: ski-method must be sha1" out
'

test_expect_success 'a root with a CRL URL is refused with the rule' '
	profiled crl.yaml "crl-urls: [\"http://crl.example.test/r.crl\"]" &&
	refused crl.yaml &&
	test_grep "crl.yaml:[0-9]*:17: error: .*a root certificate carries no CRL DP nor AIA" out &&
	test_grep -F "[root-no-aia-crldp, CA/B BR 7.1.2.1.2]" out
'

test_expect_success 'an unknown profile name is refused' '
	sed "s/profile: root-ca/profile: rooot/" "$S/prof.yaml" >"$S/pn.yaml" &&
	refused pn.yaml &&
	test_grep "pn.yaml:[0-9]*:16: error: profile: one of root-ca|" out
'

test_expect_success 'set-up: root token (token-init)' '
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/root-init" \
		>init.log 2>&1 || { cat init.log; false; }
'

test_expect_success 'the profiled self-sign runs end to end; transcript verifies' '
	run_rehearsal prof.yaml "$(run_answers root-ca)" "$O" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" >log 2>&1 || { cat log; false; }
	test_grep "Ceremony completed" log &&
	run_verified "$O"
'

test_expect_success 'the certificate says what the profile fields say (x509_strict)' '
	openssl verify -x509_strict -CAfile "$O/root-ca.pem" "$O/root-ca.pem" &&
	openssl x509 -in "$O/root-ca.pem" -noout -text -nameopt RFC2253 >txt &&
	test_grep "Issuer: CN=Example Root CA 2026+OU=Roots,O=Example TSP,C=FR" txt &&
	test_grep "Subject: CN=Example Root CA 2026+OU=Roots,O=Example TSP,C=FR" txt &&
	test_grep "0a:1b:2c:3d:4e:5f:60:71:82:93" txt &&
	test_grep "Not Before: Nov 27 00:00:00 2026 GMT" txt &&
	test_grep "Not After : Nov 27 12:00:00 2046 GMT" txt &&
	test_grep "Policy: 1.3.6.1.4.1.99999.1.1" txt &&
	test_grep "CPS: https://pki.example.test/cps" txt &&
	test_grep "DNS:example.test" txt &&
	test_grep "pathlen:1" txt &&
	ceremony x509 lint "$O/root-ca.pem" --profile root-ca >out &&
	test_grep "certificate OK" out
'

# ski_of PEM DGST [LEN]: the leftmost 160 bits of DGST over the key BIT
# STRING, its last LEN bytes (97: P-384, 65: P-256).
ski_of() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
		tail -c "${3:-97}" | openssl dgst "-$2" -binary | head -c 20 | od -An -tx1 | tr -d " \n"
}
ski_in() {
	openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d " :" |
		tr A-F a-f
}

test_expect_success 'ski-method sha256: the SKI is RFC 7093 method 1, not SHA-1' '
	test "$(ski_in "$O/root-ca.pem")" = "$(ski_of "$O/root-ca.pem" sha256)" &&
	test "$(ski_in "$O/root-ca.pem")" != "$(ski_of "$O/root-ca.pem" sha1)"
'

test_expect_success 'a run of a refused profile stops at lint; nothing is signed' '
	test_must_fail run_rehearsal eku.yaml "$(run_answers root-ca)" "$TEST_TMP/eku" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" >log 2>&1 &&
	test_grep -F "[root-no-eku, CA/B BR 7.1.2.1.2]" log &&
	! test -e "$TEST_TMP/eku/root-ca.pem"
'

softhsm_token CLI
printf '%s\n' "$TEST_USER_PIN" >"$TEST_TMP/pin"
pkcs11-tool --module $SOFTHSM_MODULE --token-label CLI --login --pin $TEST_USER_PIN \
	--keypairgen --key-type EC:secp384r1 --label r --id 01 >/dev/null 2>&1 &&
pkcs11-tool --module $SOFTHSM_MODULE --token-label CLI --login --pin $TEST_USER_PIN \
	--keypairgen --key-type EC:prime256v1 --label ee --id 02 >/dev/null 2>&1 || exit 1
M="--module $SOFTHSM_MODULE"
P="--pin-fd 3"
K="pkcs11:token=CLI;object=r"
H=$TEST_TMP/h
mkdir -p "$H"

test_expect_success 'x509 self-sign --profile root-ca with overrides: the fields as asked' '
	cd "$H" &&
	ceremony x509 self-sign --profile root-ca --key "$K" $M $P --subject "/C=FR/O=T/CN=R" \
		--not-after 2040-01-01 --pathlen 0 --policy 1.3.6.1.4.1.99999.1.2 \
		--permitted dns:example.test --ski-method sha256 --out r.pem 3<"$TEST_TMP/pin" \
		>/dev/null &&
	openssl verify -x509_strict -CAfile r.pem r.pem &&
	openssl x509 -in r.pem -noout -text >txt &&
	test_grep "Not After : Jan  1 00:00:00 2040 GMT" txt &&
	test_grep "Policy: 1.3.6.1.4.1.99999.1.2" txt &&
	test_grep "DNS:example.test" txt &&
	test "$(ski_in r.pem)" = "$(ski_of r.pem sha256)" &&
	ceremony x509 lint r.pem --profile root-ca >out && test_grep "certificate OK" out
'

test_expect_success 'failing twin: self-sign --profile root-ca with an EKU is refused, nothing written' '
	cd "$H" &&
	test_exit_code 1 ceremony x509 self-sign --profile root-ca --key "$K" $M $P \
		--subject "/CN=R2" --days 365 --eku serverAuth --out r2.pem 3<"$TEST_TMP/pin" \
		>/dev/null 2>err &&
	test_grep -F "[root-no-eku, CA/B BR 7.1.2.1.2]" err && test ! -e r2.pem
'

test_expect_success 'failing twin: a self-signed root past the root-ca cap, and a bad --ski-method' '
	cd "$H" &&
	test_exit_code 1 ceremony x509 self-sign --profile root-ca --key "$K" $M $P \
		--subject "/CN=R3" --days 9500 --out r3.pem 3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep -F "[validity-max, profile (docs/x509.md); CA/B BR 6.3.2]" err && test ! -e r3.pem &&
	test_exit_code 2 ceremony x509 self-sign --profile root-ca --key "$K" $M $P \
		--subject "/CN=R3" --days 30 --ski-method md5 --out r3.pem 3<"$TEST_TMP/pin" \
		>/dev/null 2>err &&
	test_grep "ski-method .md5.: sha1" err && test ! -e r3.pem
'

test_expect_success 'x509 issue --eku-not-critical, --no-ocsp-nocheck: the tsu and OCSP rules refuse them' '
	cd "$H" &&
	ceremony x509 csr --key "pkcs11:token=CLI;object=ee" $M $P --subject "/CN=E" \
		--out ee.csr 3<"$TEST_TMP/pin" >/dev/null &&
	test_exit_code 1 ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr \
		--days 30 --profile tsu --policy 0.4.0.2023.1.1 --crl-url http://c.example.test/r.crl \
		--ca-issuers-url http://c.example.test/r.cer --eku-not-critical --out t.pem \
		3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep -F "[tsu-eku, RFC 3161 2.3" err && test ! -e t.pem &&
	test_exit_code 1 ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr \
		--days 30 --profile ocsp-responder --no-ocsp-nocheck --out o.pem \
		3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep -F "[ocsp-nocheck, RFC 6960 4.2.2.2.1" err && test ! -e o.pem
'

test_expect_success 'twin: x509 issue --eku-critical, --ski-method, nameConstraints are written' '
	cd "$H" &&
	ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr --days 30 \
		--profile end-entity --eku clientAuth --eku-critical --ski-method sha256 \
		--out e.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in e.pem -noout -text >txt &&
	test_grep "Extended Key Usage: critical" txt &&
	test "$(ski_in e.pem)" = "$(ski_of e.pem sha256 65)" &&
	test_exit_code 1 ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr \
		--days 30 --profile end-entity --ocsp-nocheck --out n.pem 3<"$TEST_TMP/pin" \
		>/dev/null 2>err &&
	test_grep -F "[nocheck-ocsp-only, RFC 6960 4.2.2.2.1]" err && test ! -e n.pem &&
	ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr --days 30 \
		--profile sub-ca --policy 1.3.6.1.4.1.99999.1.2 --crl-url http://c.example.test/r.crl \
		--ca-issuers-url http://c.example.test/r.cer --permitted dns:a.example.test \
		--excluded dns:b.example.test --out s.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in s.pem -noout -text >txt &&
	test_grep -A4 "Name Constraints" txt >nc &&
	test_grep -A1 "Permitted" nc | test_grep "DNS:a.example.test" &&
	test_grep -A1 "Excluded" nc | test_grep "DNS:b.example.test"
'

test_expect_success 'x509 issue and self-sign --rdn: an ordered subject with a multi-valued RDN' '
	cd "$H" &&
	ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr --days 30 \
		--profile end-entity --rdn C=FR --rdn "O=Example TSP" --rdn CN=E1 --rdn +OU=Unit \
		--out rdn.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in rdn.pem -noout -subject -nameopt RFC2253 >s &&
	{ test_grep -F "subject=CN=E1+OU=Unit,O=Example TSP,C=FR" s ||
	  test_grep -F "subject=OU=Unit+CN=E1,O=Example TSP,C=FR" s; } &&
	ceremony x509 self-sign --profile root-ca --key "$K" $M $P --rdn C=FR --rdn CN=R4 \
		--days 30 --out r4.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in r4.pem -noout -subject -nameopt RFC2253 | test_grep -F "subject=CN=R4,C=FR"
'

test_expect_success 'failing twins: --rdn joining nothing, --rdn with --subject, a bad country' '
	cd "$H" &&
	test_exit_code 2 ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr \
		--days 30 --rdn +CN=E --out x.pem 3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep "the first attribute has no RDN to join" err &&
	test_exit_code 2 ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr \
		--days 30 --rdn CN=E --subject /CN=E --out x.pem 3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep "give --subject or --rdn, not both" err &&
	test_exit_code 1 ceremony x509 issue --key "$K" $M $P --issuer-cert r.pem --csr ee.csr \
		--days 30 --profile end-entity --rdn C=France --rdn CN=E --out x.pem \
		3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep "France" err && test ! -e x.pem
'

test_done
