#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Certificate profiles and CRL rules refused at `ceremony lint`, before
# anything reaches the HSM: each contradictory or malformed profile field is
# reported at its FILE:LINE:COL with the rule and its source (docs/x509.md).
# Then, with a SoftHSM token: subjects keep multi-valued RDNs ("/CN=x+O=y" is
# two attributes in one RDN, never one CN), UTF8String and a PrintableString
# country; `x509 issue --profile`; `x509 crl` refuses a nextUpdate past the
# cap and a cRLNumber not above the previous CRL's; `x509 lint` on files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"

TODAY=2026-11-27
S=$TEST_TMP/s
mkdir -p "$S" && cp "$TEST_TOP"/scripts/*.yaml "$S/"

# variant NAME SED: scripts/ocsp-responder.yaml edited, linted; log in out.
variant() {
	sed "$2" "$S/ocsp-responder.yaml" >"$S/$1.yaml" &&
	test_exit_code 1 ceremony lint "$S/$1.yaml" --today $TODAY >out 2>&1
}
AFTER_PROFILE="/      profile: ocsp-responder/a\\"

test_expect_success 'the ready profiles lint clean (twin of every refusal below)' '
	for f in ocsp-responder tsu root-rollover sub-ca crl; do
		ceremony lint "$S/$f.yaml" --today $TODAY >out 2>&1 || { cat out; exit 1; }
	done
'

test_expect_success 'CA:FALSE with keyCertSign is refused at the key-usage field' '
	variant ku "$AFTER_PROFILE
      key-usage: [digitalSignature, keyCertSign]" &&
	test_grep "ku.yaml:47:18: error: step .issue.: keyCertSign on a certificate with CA:FALSE" out &&
	test_grep -F "[ku-certsign-not-ca, RFC 5280 4.2.1.3, 4.2.1.9]" out
'

test_expect_success 'a pathLen on a leaf is refused at the pathlen field' '
	variant pl "$AFTER_PROFILE
      pathlen: 0" &&
	test_grep "pl.yaml:47:16: error: .*pathLenConstraint on a certificate that is not a CA" out &&
	test_grep -F "[bc-pathlen-leaf, RFC 5280 4.2.1.9]" out
'

test_expect_success 'an EKU on a root profile is refused' '
	variant eku "s/profile: ocsp-responder/profile: root-ca\n      ext-key-usage: [OCSPSigning]/" &&
	test_grep "eku.yaml:47:22: error: .*an extendedKeyUsage on a root or cross certificate" out &&
	test_grep -F "[root-no-eku, CA/B BR 7.1.2.1.2]" out
'

test_expect_success 'CA:TRUE on an OCSP responder, and no ocsp-nocheck, are refused' '
	variant ca "$AFTER_PROFILE
      ca: true\\
      ocsp-nocheck: false" &&
	test_grep "ca.yaml:47:11: error: .*is for a leaf but says CA:TRUE" out &&
	test_grep -F "[ocsp-nocheck, RFC 6960 4.2.2.2.1; CA/B BR 4.9.9]" out
'

test_expect_success 'malformed fields are refused at their place' '
	variant bad "$AFTER_PROFILE
      not-after: 2030-02-31\\
      policies: [{oid: not.an.oid}]\\
      crl-urls: [\"ldap://x\"]\\
      ski-method: md5" &&
	test_grep "bad.yaml:47:18: error: not-after must be YYYY-MM-DD" out &&
	test_grep "bad.yaml:50:19: error: ski-method must be sha1" out
'

test_expect_success 'policy OIDs and URLs are checked against their rules' '
	variant pol "$AFTER_PROFILE
      policies: [{oid: 1.2.x}, {oid: 1.2.3}, {oid: 1.2.3, notice: hi}]\\
      ocsp-urls: [\"ftp://ocsp.example.org\"]" &&
	test_grep -F "[policy-oid, RFC 5280 4.2.1.4]" out &&
	test_grep -F "[policy-unique, RFC 5280 4.2.1.4]" out &&
	test_grep "pol.yaml:48:18: error: .*ftp://ocsp.example.org. is not an http:// URL" out
'

test_expect_success 'a subject country that is not two capital letters is refused' '
	variant c "s/- {C: FR}/- {C: France}/" &&
	test_grep "c.yaml:[0-9]*:[0-9]*: error: subject: .*countryName .France. is not two capital letters" out
'

test_expect_success 'validity past the issuer made in the same script is refused' '
	sed -e "s/validity-days: 7305/validity-days: 1000/" -e "s/      validity-days: 3652/      validity-days: 2000/" \
		"$S/root-rollover.yaml" >"$S/past.yaml" &&
	test_exit_code 1 ceremony lint "$S/past.yaml" --today $TODAY >out 2>&1 &&
	test_grep "past.yaml:100:22: error: step .link-new-old.: the certificate would end after its issuer" out &&
	test_grep -F "[validity-issuer, RFC 5280 6.1.3 (a)(2); ETSI EN 319 411-1 6.3.1]" out
'

test_expect_success 'CRL: the same serial twice and a nextUpdate past the cap are refused at lint' '
	sed -e "s/next-update-days: 365/next-update-days: 400/" \
	    -e "s/      digest: sha384/      revoked:\n        - {serial: \"1a2b\", date: 2026-11-20, reason: key-compromise}\n        - {serial: \"001A2B\", date: 2026-11-21, reason: superseded}\n      digest: sha384/" \
	    "$S/crl.yaml" >"$S/crl-bad.yaml" &&
	test_exit_code 1 ceremony lint "$S/crl-bad.yaml" --today $TODAY >out 2>&1 &&
	test_grep "crl-bad.yaml:42:25: error: .*nextUpdate 400 days after thisUpdate, at most 365" out &&
	test_grep -F "[crl-next-update-cap, CA/B BR 4.9.7; Boulder crl.go]" out &&
	test_grep "crl-bad.yaml:45:20: error: .*serial 001A2B is listed twice" out &&
	test_grep -F "[crl-serial-unique, RFC 5280 5.1.2.6]" out
'

test_expect_success 'a root valid longer than the root-ca profile allows is refused at lint' '
	sed "s/validity-days: 7305/validity-days: 9500/" "$S/root-ca.yaml" >"$S/root-long.yaml" &&
	test_exit_code 1 ceremony lint "$S/root-long.yaml" --today $TODAY >out 2>&1 &&
	test_grep "root-long.yaml:[0-9]*:22: error: .*validity of 9500 days exceeds profile root-ca" out
'

test_expect_success 'CRL: a nextUpdate after the issuer made in the same script is refused' '
	sed -e "s/validity-days: 7305/validity-days: 30/" "$S/root-ca.yaml" >"$S/root-crl.yaml" &&
	sed -n "/^  - id: crl/,\$p" "$S/crl.yaml" >>"$S/root-crl.yaml" &&
	sed -i "s/next-update-days: 365/next-update-days: 60/; s/root-ca-1.crl/r.crl/g" "$S/root-crl.yaml" &&
	test_exit_code 1 ceremony lint "$S/root-crl.yaml" --today $TODAY >out 2>&1 &&
	test_grep -F "[crl-next-update-issuer, RFC 5280 5.1.2.5; Boulder crl.go]" out
'

test_expect_success 'CRL: a cap lowered below next-update-days is refused' '
	sed "s/next-update-days: 365/next-update-days: 30\n      max-next-update-days: 7/" \
		"$S/crl.yaml" >"$S/crl-cap.yaml" &&
	test_exit_code 1 ceremony lint "$S/crl-cap.yaml" --today $TODAY >out 2>&1 &&
	test_grep "nextUpdate 30 days after thisUpdate, at most 7" out
'

# tsu_rule RULE SED: scripts/tsu.yaml edited is refused for RULE.
tsu_rule() {
	sed "$2" "$S/tsu.yaml" >"$S/tsu-$1.yaml" &&
	test_exit_code 1 ceremony lint "$S/tsu-$1.yaml" --today $TODAY >out 2>&1 &&
	grep -F "[$1, " out | grep -q "tsu-$1.yaml:[0-9]*:[0-9]*: error: " ||
		{ echo "rule $1 not reported:"; cat out; return 1; }
}
AFTER_TSU="/      profile: tsu/a\\"

test_expect_success 'each profile rule has a case that breaks it (tsu.yaml variants)' '
	tsu_rule validity-one-way "$AFTER_TSU
      not-after: 2028-01-01" &&
	tsu_rule validity-order "$AFTER_TSU
      not-before: 2030-01-01\\
      not-after: 2029-01-01" &&
	tsu_rule sig-alg-known "s/signature-algorithm: ecdsa-with-SHA256/signature-algorithm: rot13/" &&
	tsu_rule tsu-ku "$AFTER_TSU
      key-usage: [digitalSignature, keyEncipherment]" &&
	tsu_rule nc-ca-only "$AFTER_TSU
      name-constraints: {permitted: [dns:example.org]}" &&
	tsu_rule nocheck-ocsp-only "$AFTER_TSU
      ocsp-nocheck: true" &&
	tsu_rule revocation-info "/crl-urls:/d" &&
	tsu_rule aia-ca-issuers "/ca-issuers-urls:/d" &&
	tsu_rule policies-required "/policies:/,/- {oid/d" &&
	tsu_rule policy-notice-length "s/cps: \"http:\/\/pki.example.org\/tsa-policy\"/notice: $(printf "%0201d" 0)/" &&
	tsu_rule policy-cps-uri "s/http:\/\/pki.example.org\/tsa-policy/file:\/\/x/" &&
	tsu_rule ca-profile-ca "s/profile: tsu/profile: sub-ca\n      ca: false/" &&
	tsu_rule ca-crlsign "s/profile: tsu/profile: cross\n      key-usage: [keyCertSign]/" &&
	tsu_rule root-no-aia-crldp "s/profile: tsu/profile: root-ca/" &&
	tsu_rule crldp-required "s/profile: tsu/profile: cross\n      ca: true/;/crl-urls:/d"
'

softhsm_setup
softhsm_token CA
printf '%s\n' "$TEST_USER_PIN" >"$TEST_TMP/pin"
pkcs11-tool --module $SOFTHSM_MODULE --token-label CA --login --pin $TEST_USER_PIN \
	--keypairgen --key-type EC:secp384r1 --label root --id 01 >/dev/null 2>&1 &&
pkcs11-tool --module $SOFTHSM_MODULE --token-label CA --login --pin $TEST_USER_PIN \
	--keypairgen --key-type EC:prime256v1 --label ee --id 02 >/dev/null 2>&1 || exit 1
M="--module $SOFTHSM_MODULE"
P="--pin-fd 3"
ROOT="pkcs11:token=CA;object=root"
H=$TEST_TMP/h
mkdir -p "$H"

test_expect_success 'a multi-valued RDN stays two attributes; UTF8String values, PrintableString C' '
	cd "$H" &&
	ceremony x509 self-sign --key "$ROOT" $M $P --subject "/C=FR/O=Exämple TSP/CN=Root+OU=PKI" \
		--days 3650 --pathlen 0 --out root.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in root.pem -noout -subject -nameopt RFC2253,-esc_msb >s &&
	test_grep -F "subject=OU=PKI+CN=Root,O=Exämple TSP,C=FR" s ||
	test_grep -F "subject=CN=Root+OU=PKI,O=Exämple TSP,C=FR" s &&
	openssl asn1parse -in root.pem >a &&
	test_grep -A1 ":countryName" a | test_grep "PRINTABLESTRING *:FR" &&
	test_grep -A1 ":organizationName" a | test_grep "UTF8STRING" &&
	openssl verify -x509_strict -CAfile root.pem root.pem &&
	ceremony x509 lint root.pem --profile root-ca >out && test_grep "certificate OK" out
'

test_expect_success 'twin: an escaped plus stays in the value (one CN)' '
	cd "$H" &&
	ceremony x509 self-sign --key "$ROOT" $M $P --subject "/CN=Root\\+1" \
		--days 30 --out plus.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in plus.pem -noout -subject -nameopt RFC2253 | test_grep -F "subject=CN=Root\\+1"
'

test_expect_success 'x509 issue --profile tsu without policies nor URLs is refused before the HSM signs' '
	cd "$H" &&
	ceremony x509 csr --key "pkcs11:token=CA;object=ee" $M $P --subject "/CN=TSU 1" \
		--out ee.csr 3<"$TEST_TMP/pin" >/dev/null &&
	test_exit_code 1 ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr ee.csr \
		--days 365 --profile tsu --out tsu.pem 3<"$TEST_TMP/pin" >/dev/null 2>err &&
	test_grep -F "[policies-required, CA/B BR 7.1.2.10.5" err && test ! -e tsu.pem
'

test_expect_success 'twin: x509 issue --profile tsu with policy and URLs verifies strictly as a TSU' '
	cd "$H" &&
	ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr ee.csr --days 365 \
		--profile tsu --policy 0.4.0.2023.1.1=http://pki.example.org/tsa \
		--crl-url http://crl.example.org/root.crl \
		--ca-issuers-url http://pki.example.org/root.cer \
		--out tsu.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl verify -x509_strict -purpose timestampsign -CAfile root.pem tsu.pem &&
	openssl x509 -in tsu.pem -noout -text >txt &&
	test_grep -A1 "Extended Key Usage: critical" txt | test_grep "Time Stamping" &&
	test_grep "CPS: http://pki.example.org/tsa" txt &&
	ceremony x509 lint tsu.pem --issuer-cert root.pem --profile tsu >out &&
	test_grep "certificate OK" out
'

test_expect_success 'twin: x509 issue --profile end-entity passes lint and verifies strictly' '
	cd "$H" &&
	ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr ee.csr --days 365 \
		--profile end-entity --out ee.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl verify -x509_strict -CAfile root.pem ee.pem &&
	ceremony x509 lint ee.pem --issuer-cert root.pem --profile end-entity >out &&
	test_grep "certificate OK" out
'

test_expect_success 'x509 issue --not-after and --signature-algorithm: explicit, and checked' '
	cd "$H" &&
	ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr ee.csr \
		--not-after 2027-06-30T12:00:00Z --signature-algorithm ecdsa-with-SHA384 \
		--profile end-entity --out na.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl x509 -in na.pem -noout -enddate | test_grep -x "notAfter=Jun 30 12:00:00 2027 GMT" &&
	test_exit_code 1 ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr ee.csr \
		--days 30 --signature-algorithm ecdsa-with-SHA256 --profile end-entity \
		--out sa.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep -F "[sig-alg-profile, profile (Boulder signature-algorithm)]" err &&
	test ! -e sa.pem
'

test_expect_success 'x509 crl: a nextUpdate past the cap is refused before the HSM signs' '
	cd "$H" &&
	test_exit_code 1 ceremony x509 crl --key "$ROOT" $M $P --issuer-cert root.pem --days 400 \
		--number 1 --out c400.crl 3<"$TEST_TMP/pin" 2>err &&
	test_grep -F "crl-next-update-cap" err && test ! -e c400.crl
'

test_expect_success 'x509 crl: a CRL within the cap verifies; the next must have a greater number' '
	cd "$H" &&
	ceremony x509 crl --key "$ROOT" $M $P --issuer-cert root.pem --days 30 --number 5 \
		--revoke 1a2b:1 --out c5.crl 3<"$TEST_TMP/pin" >/dev/null &&
	openssl crl -in c5.crl -CAfile root.pem -noout -verify 2>&1 | test_grep "verify OK" &&
	ceremony x509 lint c5.crl --issuer-cert root.pem >out && test_grep "CRL OK" out &&
	test_exit_code 1 ceremony x509 crl --key "$ROOT" $M $P --issuer-cert root.pem --days 30 \
		--number 5 --previous c5.crl --out c5b.crl 3<"$TEST_TMP/pin" 2>err &&
	test_grep -F "crl-number-increase" err && test ! -e c5b.crl &&
	ceremony x509 crl --key "$ROOT" $M $P --issuer-cert root.pem --days 30 --number 6 \
		--previous c5.crl --out c6.crl 3<"$TEST_TMP/pin" >/dev/null &&
	ceremony x509 lint c6.crl --issuer-cert root.pem --previous c5.crl >out &&
	test_grep "CRL OK" out
'

test_expect_success 'x509 lint: a CRL checked with a lower cap, and a CRL checked against itself' '
	cd "$H" &&
	test_exit_code 1 ceremony x509 lint c6.crl --issuer-cert root.pem --max-days 7 >out &&
	test_grep -F "crl-next-update-cap [CA/B BR 4.9.7; Boulder crl.go]" out &&
	test_exit_code 1 ceremony x509 lint c6.crl --previous c6.crl >out &&
	test_grep -F "crl-number-increase" out
'

test_expect_success 'x509 lint: a foreign certificate with CA:FALSE and keyCertSign is refused' '
	cd "$H" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem \
		-subj "/CN=bad" -days 30 -addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=critical,keyCertSign,digitalSignature" -out bad.pem 2>/dev/null &&
	test_exit_code 1 ceremony x509 lint bad.pem >out &&
	test_grep -F "bad.pem: ku-certsign-not-ca [RFC 5280 4.2.1.3, 4.2.1.9]" out
'

test_done
