#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# roster check of personal-token certificates (certificate:, token:):
# validity on the day, key usage, key type and size, parse errors at their
# place, and the spki-sha256: form.
. "$(dirname "$0")/lib.sh"

TODAY=$(date -u +%F)

C=$TEST_TMP/certs
mkcert() { # NAME KEYALG-ARGS... : $C/NAME.pem, valid from now for 365 days
	n=$C/$1; shift; mkdir -p "$C"
	openssl genpkey "$@" -out "$n.key" 2>/dev/null &&
	openssl req -x509 -new -key "$n.key" -subj "/CN=${n##*/}" -days 365 \
		-addext "keyUsage=critical,${KU:-digitalSignature}" -out "$n.pem" 2>/dev/null
}

test_expect_success 'setup: card certificates of each kind' '
	mkcert alice -algorithm RSA -pkeyopt rsa_keygen_bits:2048 &&
	mkcert bob -algorithm EC -pkeyopt ec_paramgen_curve:P-256 &&
	mkcert small -algorithm RSA -pkeyopt rsa_keygen_bits:1024 &&
	mkcert k1 -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 &&
	mkcert ed -algorithm ED25519 &&
	KU=keyEncipherment mkcert enc -algorithm EC -pkeyopt ec_paramgen_curve:P-384
'


roster() { # ID CERT [TOKEN]
	{ echo "format: 1"; echo "people:"
	  printf "  - id: %s\n    name: Person %s\n    roles: [system-auditor]\n    vetting: 2026-01-01\n    training: 2026-06-01\n    certificate: %s\n" "$1" "$1" "$2"
	  [ -z "${3:-}" ] || printf "    token: %s\n" "$3"; } >r.yaml
}

test_expect_success 'an RSA 2048 card certificate valid today is clean and listed by its SPKI' '
	roster alice $C/alice.pem "pkcs11:token=alice" &&
	ceremony roster check r.yaml --today $TODAY >out &&
	spki=$(openssl x509 -in $C/alice.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64) &&
	test_grep "^card alice  *spki-sha256:$spki token pkcs11:token=alice" out &&
	test_grep "r.yaml: 1 person, 0 errors" out
'

test_expect_success 'an EC P-256 card certificate is clean; the spki-sha256: form too' '
	roster bob $C/bob.pem && ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "0 errors" out &&
	roster bob spki-sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef &&
	ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "^card bob  *spki-sha256:0123456789abcdef" out
'

test_expect_success 'failing twin: the certificate expired on the ceremony day' '
	roster alice $C/alice.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today 2099-01-01 >out &&
	test_grep "r.yaml:8:18: error: certificate of person .alice. expired on 20" out
'

test_expect_success 'failing twin: the certificate is not yet valid' '
	roster alice $C/alice.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today 2020-01-01 >out &&
	test_grep "error: certificate of person .alice. is not yet valid (from 20" out
'

test_expect_success 'failing twin: RSA 1024, a curve other than P-256/P-384, Ed25519' '
	roster small $C/small.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "error: certificate of person .small.: RSA key of 1024 bits (at least 2048)" out &&
	roster k1 $C/k1.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "error: certificate of person .k1.: EC key not on P-256 or P-384" out &&
	roster ed $C/ed.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "error: certificate of person .ed.: key type ED25519 (RSA or EC expected)" out
'

test_expect_success 'failing twin: key usage without digitalSignature' '
	roster enc $C/enc.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "error: certificate of person .enc.: key usage lacks digitalSignature" out
'

test_expect_success 'failing twin: a missing or unparsable file, a bad SPKI, a token that is no URI, at file:line' '
	roster gone gone.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "^r.yaml:8:18: error: certificate .gone.pem. of person .gone.: cannot read gone.pem" out &&
	echo junk >junk.pem && roster junk junk.pem &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "^r.yaml:8:18: error: certificate .junk.pem. of person .junk.: not a PEM certificate" out &&
	roster bad spki-sha256:12 &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "error: certificate of person .bad.: spki-sha256: wants 64 hex digits" out &&
	roster alice $C/alice.pem "slot 3" &&
	test_exit_code 1 ceremony roster check r.yaml --today $TODAY >out &&
	test_grep "r.yaml:9:12: error: token of person .alice. must be a PKCS#11 URI" out
'

test_expect_success 'a certificate path is relative to the roster, not to the working directory' '
	mkdir -p sub && cp $C/alice.pem sub/ && roster alice alice.pem && mv r.yaml sub/ &&
	mkdir -p elsewhere && cd elsewhere && ceremony roster check ../sub/r.yaml --today $TODAY >out &&
	test_grep "^card alice " out &&
	test_grep "0 errors" out
'

test_done
