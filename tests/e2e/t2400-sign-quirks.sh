#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Signing on tokens without hash-and-sign mechanisms (docs/pkcs11.md
# "Signing"): token-init then root-ca (an RSA variant, the transcript key RSA
# too as EC key generation is hidden) through the fault module with every
# CKM_SHA*_RSA_PKCS and PSS mechanism hidden complete; the tool hashes
# locally, builds the DigestInfo and signs with CKM_RSA_PKCS. `ceremony
# verify` says OK and `openssl verify` accepts the certificate. Failing twin:
# CKM_RSA_PKCS hidden too is refused naming both mechanisms. A module that
# refuses C_VerifyInit with a private key (FAULTMOD_QUIRKS=no-priv-verify)
# still completes: signatures are verified with the public key read back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
TOK=$TEST_TMP/softhsm/tokens
FAULTMOD=$TEST_BUILD/tests/libfaultmod.so
# CKM_SHA256/384/512/224_RSA_PKCS, their PSS twins, CKM_SHA1_RSA_PKCS(_PSS),
# CKM_RSA_PKCS_PSS, and CKM_EC_KEY_PAIR_GEN (so the transcript key is RSA).
HASH_RSA=0x40,0x41,0x42,0x43,0x44,0x45,0x46,0x47,0x6,0xd,0xe
NO_EC=0x1040

sed -e "s/type: ec, curve: p-384/type: rsa, size: 3072/" -e "s/digest: sha384/digest: sha256/" \
	"$TEST_TMP/scripts/root-ca.yaml" >"$TEST_TMP/scripts/root-ca-rsa.yaml"

# ceremony run of SCRIPT in rehearsal through the fault module hiding HIDE
# (and FAULTMOD_QUIRKS=$QUIRKS when set).
quirk_run() { # HIDE SCRIPT ANSWERS OUTDIR [ARG...]
	qr_hide=$1 qr_script=$2 qr_answers=$3 qr_out=$4
	shift 4
	mkdir -p "$qr_out" &&
	(
		export FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_HIDE_MECHS=$qr_hide
		[ -z "${QUIRKS:-}" ] || export FAULTMOD_QUIRKS=$QUIRKS
		[ -z "${CALLS:-}" ] || export FAULTMOD_LOG=$CALLS
		run_pinned ceremony run "$TEST_TMP/scripts/$qr_script" --rehearsal \
			--today "$RUN_TODAY" --module "$FAULTMOD" --input "$qr_answers" \
			--outdir "$qr_out" "$@" </dev/null
	)
}

test_expect_success 'token-init through the fault module without hash-and-sign RSA nor EC' '
	quirk_run $HASH_RSA,$NO_EC token-init.yaml "$(run_answers token-init)" \
		"$TEST_TMP/init" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$TEST_TMP/init" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	cp -a "$TOK" "$TEST_TMP/tokens.init"
'

test_expect_success 'root-ca (RSA key, RSA transcript key) completes with CKM_RSA_PKCS only' '
	quirk_run $HASH_RSA,$NO_EC root-ca-rsa.yaml "$(run_answers root-ca)" "$TEST_TMP/root" \
		--issued-in "$TEST_TMP/init/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	grep "\"type\":\"transcript.key\"" "$TEST_TMP/root/transcript.jsonl" >tk &&
	test_grep "\"key_store\":\"token\"" tk && test_grep "RSA" tk &&
	run_verified "$TEST_TMP/root" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	openssl verify -CAfile "$TEST_TMP/root/root-ca.pem" "$TEST_TMP/root/root-ca.pem" &&
	openssl x509 -in "$TEST_TMP/root/root-ca.pem" -noout -text >cert.txt &&
	test_grep "sha256WithRSAEncryption" cert.txt
'

# root-ca again on the token as token-init left it.
root_again() { # HIDE SCRIPT OUTDIR
	rm -rf "$TOK" && cp -a "$TEST_TMP/tokens.init" "$TOK" &&
	quirk_run "$1" "$2" "$(run_answers root-ca)" "$3" \
		--issued-in "$TEST_TMP/init/transcript.jsonl"
}

test_expect_success 'failing twin: without CKM_RSA_PKCS too, refused at preflight naming both mechanisms, nothing written' '
	test_exit_code 1 root_again $HASH_RSA,$NO_EC,0x1 root-ca-rsa.yaml "$PWD/out" >log 2>&1 &&
	test_grep "^MISSING cert (cert.self-sign) token .root.: RSA 3072 PKCS#1 v1.5 signature with SHA-256 (key .root-ca-2026.); token offers: no CKM_SHA256_RSA_PKCS, no CKM_RSA_PKCS" log &&
	test_grep "refusing to start; nothing was written to the token or the output directory" log &&
	! grep -q "\"type\":\"attendance" out/transcript.jsonl 2>/dev/null &&
	! grep -q "Ceremony completed" log &&
	test ! -e out/root-ca.pem && test ! -e out/transcript.jsonl.p7s
'

test_expect_success 'a module refusing C_VerifyInit on private keys: root-ca (EC) completes, nothing verified on the token' '
	QUIRKS=no-priv-verify CALLS=$PWD/calls root_again "" root-ca.yaml "$PWD/ec" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/ec" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	openssl verify -CAfile ec/root-ca.pem ec/root-ca.pem &&
	grep -q "^C_Sign " calls && ! grep -q "^C_VerifyInit" calls
'

test_expect_success 'the same without hash-and-sign RSA: root-ca (RSA) completes, nothing verified on the token' '
	QUIRKS=no-priv-verify CALLS=$PWD/calls root_again $HASH_RSA,$NO_EC root-ca-rsa.yaml \
		"$PWD/rsa" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/rsa" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	openssl verify -CAfile rsa/root-ca.pem rsa/root-ca.pem &&
	grep -q "^C_Sign " calls && ! grep -q "^C_VerifyInit" calls
'

# ---- RFC 7512 URI attributes (docs/pkcs11.md "URI rules"): each one
# honoured, or refused with the reason; never silently ignored. A token of
# its own, in its own SoftHSM directory.
uri_setup() {
	mkdir -p "$TEST_TMP/uri/tokens" &&
	printf "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n" \
		"$TEST_TMP/uri/tokens" >"$TEST_TMP/uri/softhsm2.conf" &&
	export SOFTHSM2_CONF=$TEST_TMP/uri/softhsm2.conf &&
	softhsm_token Uri &&
	for k in "EC:prime256v1 ec 0a" "rsa:2048 rsa 0b"; do
		set -- $k
		pkcs11-tool --module "$SOFTHSM_MODULE" --token-label Uri --login \
			--pin "$TEST_USER_PIN" --keypairgen --key-type "$1" --label "$2" --id "$3" \
			>/dev/null 2>&1 || return 1
	done
}
hsm_uri() { # HSM-VERB URI
	SOFTHSM2_CONF=$TEST_TMP/uri/softhsm2.conf \
		ceremony hsm "$1" "$2" --module "$SOFTHSM_MODULE"
}

test_expect_success 'set-up: a token with an EC and an RSA key pair' '
	(uri_setup) &&
	hsm_uri objects "pkcs11:token=Uri" >out &&
	test $(grep -c "^public-key" out) = 2
'

test_expect_success 'hsm objects filters by object=, id= and type=' '
	hsm_uri objects "pkcs11:token=Uri;object=ec" >out &&
	test $(grep -c "^public-key" out) = 1 && test_grep " ec " out &&
	hsm_uri objects "pkcs11:token=Uri;id=%0b" >out &&
	test $(grep -c "^public-key" out) = 1 && test_grep " rsa " out &&
	hsm_uri objects "pkcs11:token=Uri;type=public" >out &&
	test $(grep -c "^public-key" out) = 2 &&
	hsm_uri objects "pkcs11:token=Uri;type=public;object=rsa;id=%0b" >out &&
	test $(grep -c "^public-key" out) = 1 && test_grep " rsa " out
'

test_expect_success 'failing twin: objects the token lacks match nothing (not the whole list)' '
	hsm_uri objects "pkcs11:token=Uri;object=nosuch" >out &&
	test_grep "no public objects on token .Uri. match" out &&
	! grep -q "^public-key" out &&
	hsm_uri objects "pkcs11:token=Uri;type=secret-key" >out &&
	! grep -q "^public-key" out &&
	hsm_uri objects "pkcs11:token=Uri;id=%0c" >out &&
	! grep -q "^public-key" out
'

test_expect_success 'module-name and module-path select the module' '
	for q in module-name=softhsm2 module-name=libsofthsm2.so \
		 "module-path=$SOFTHSM_MODULE" \
		 "module-path=$(readlink -f "$SOFTHSM_MODULE")" \
		 "module-name=softhsm2&module-path=$SOFTHSM_MODULE"; do
		hsm_uri objects "pkcs11:token=Uri?$q" >out &&
		test $(grep -c "^public-key" out) = 2 &&
		hsm_uri mechanisms "pkcs11:token=Uri?$q" >out &&
		test_grep "CKM_RSA_PKCS " out || return 1
	done
'

test_expect_success 'failing twin: module-name or module-path contradicting --module is refused' '
	test_must_fail hsm_uri objects "pkcs11:token=Uri?module-name=opensc-pkcs11" 2>err &&
	test_grep "names module-name=opensc-pkcs11, which contradicts --module" err &&
	test_must_fail hsm_uri mechanisms "pkcs11:token=Uri?module-path=/usr/lib/nosuch.so" 2>err &&
	test_grep "names module-path=/usr/lib/nosuch.so, which contradicts --module" err &&
	test_must_fail hsm_uri objects "pkcs11:token=Uri?module-name=softhsm2&module-path=/x.so" 2>err &&
	test_grep "contradicts --module" err
'

test_expect_success 'slot-description and slot-manufacturer select the slot' '
	SOFTHSM2_CONF=$TEST_TMP/uri/softhsm2.conf ceremony hsm list --module "$SOFTHSM_MODULE" \
		--json >list.json &&
	desc=$(jq -r ".[0].slots[] | select(.token.label == \"Uri\") | .description" list.json |
		sed "s/ /%20/g") &&
	test -n "$desc" &&
	hsm_uri objects "pkcs11:token=Uri;slot-description=$desc" >out &&
	test $(grep -c "^public-key" out) = 2 &&
	hsm_uri objects "pkcs11:token=Uri;slot-manufacturer=SoftHSM%20project" >out &&
	test $(grep -c "^public-key" out) = 2 &&
	hsm_uri mechanisms "pkcs11:slot-description=$desc" >out &&
	test_grep "CKM_ECDSA " out
'

test_expect_success 'failing twin: another slot description or manufacturer matches no token' '
	test_must_fail hsm_uri objects "pkcs11:token=Uri;slot-manufacturer=Other" 2>err &&
	test_grep "no initialised token matches" err &&
	test_must_fail hsm_uri objects "pkcs11:token=Uri;slot-description=SoftHSM%20slot%20ID%200x999" \
		2>err &&
	test_grep "no initialised token matches" err
'

test_expect_success 'refused with the reason: slot-id, pin-value, pin-source, unknown attributes' '
	test_must_fail hsm_uri objects "pkcs11:token=Uri;slot-id=0" 2>err &&
	test_grep "names a slot-id: slot numbers change" err &&
	test_must_fail hsm_uri objects "pkcs11:token=Uri?pin-value=1234" 2>err &&
	test_grep "carries pin-value: refused" err &&
	test_must_fail hsm_uri objects "pkcs11:token=Uri?pin-source=file:/p" 2>err &&
	test_grep "carries pin-source: refused" err &&
	test_must_fail hsm_uri objects "pkcs11:token=Uri;tokn=Uri" 2>err &&
	test_grep "an attribute p11-kit does not know" err &&
	test_must_fail hsm_uri objects "pkcs11:token=Uri?x-vendor=1" 2>err &&
	test_grep "query attribute .x-vendor. ceremony does not honour" err &&
	test_must_fail hsm_uri mechanisms "pkcs11:token=Uri;object=ec" 2>err &&
	test_grep "object= names an object, but mechanisms belong to the token" err &&
	test_must_fail hsm_uri mechanisms "pkcs11:token=Uri;type=private" 2>err &&
	test_grep "type= names an object" err
'

test_expect_success 'x509 signs with a key URI carrying module-name (the provider accepts it)' '
	SOFTHSM2_CONF=$TEST_TMP/uri/softhsm2.conf ceremony x509 self-sign \
		--key "pkcs11:token=Uri;object=rsa?module-name=softhsm2" --subject /CN=u --days 9 \
		--out u.pem --module "$SOFTHSM_MODULE" --pin-fd 3 3<<<"$TEST_USER_PIN" &&
	openssl verify -CAfile u.pem u.pem &&
	test_must_fail env SOFTHSM2_CONF=$TEST_TMP/uri/softhsm2.conf ceremony x509 self-sign \
		--key "pkcs11:token=Uri;object=rsa?module-name=other" --subject /CN=u --days 9 \
		--out v.pem --module "$SOFTHSM_MODULE" --pin-fd 3 3<<<"$TEST_USER_PIN" 2>err &&
	test_grep "contradicts --module" err && test ! -e v.pem
'

# ceremony x509 through the fault module without hash-and-sign RSA.
x509_hidden() { # HIDE VERB ARG...
	xh_hide=$1
	shift
	SOFTHSM2_CONF=$TEST_TMP/uri/softhsm2.conf FAULTMOD_MODULE=$SOFTHSM_MODULE \
		FAULTMOD_HIDE_MECHS=$xh_hide ceremony x509 "$@" --module "$FAULTMOD" \
		--pin-fd 3 3<<<"$TEST_USER_PIN"
}

test_expect_success 'x509 certificate, CSR, issued certificate and CRL with CKM_RSA_PKCS only' '
	k="pkcs11:token=Uri;object=rsa" &&
	x509_hidden $HASH_RSA self-sign --key "$k" --subject /CN=CA --days 30 --out ca.pem &&
	openssl verify -CAfile ca.pem ca.pem &&
	x509_hidden $HASH_RSA csr --key "$k" --subject /CN=Sub --out sub.csr &&
	openssl req -in sub.csr -verify -noout &&
	x509_hidden $HASH_RSA issue --key "$k" --issuer-cert ca.pem --csr sub.csr --days 9 \
		--out sub.pem &&
	openssl verify -CAfile ca.pem sub.pem &&
	x509_hidden $HASH_RSA crl --key "$k" --issuer-cert ca.pem --days 9 --number 1 \
		--out ca.crl &&
	openssl crl -in ca.crl -CAfile ca.pem -noout 2>err && test_grep "verify OK" err &&
	openssl x509 -in sub.pem -noout -text >t && test_grep "sha256WithRSAEncryption" t
'

test_expect_success 'failing twin: x509 without CKM_RSA_PKCS too is refused naming both, nothing written' '
	test_must_fail x509_hidden $HASH_RSA,0x1 self-sign --key "pkcs11:token=Uri;object=rsa" \
		--subject /CN=CA --days 30 --out ca.pem 2>err &&
	test_grep "offers neither CKM_SHA256_RSA_PKCS nor CKM_RSA_PKCS: key .rsa. (rsa2048) cannot sign" err &&
	test ! -e ca.pem
'

# The knob's own failing twin (C_VerifyInit refused with a private key,
# accepted with a public one) is tests/unit/test_sign.c.

test_done
