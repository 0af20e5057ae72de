#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony hsm list|mechanisms|objects on throwaway tokens: SoftHSM (by
# --module and through p11-kit's registered modules), NSS softokn through a
# p11-kit module file, and SoftHSM through p11-kit server. Errors: bad URI,
# URI with a PIN, no such token, two tokens matching.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"

softhsm_setup
softhsm_token A
softhsm_token B
softhsm_token Dup
softhsm_token Dup
M="--module $SOFTHSM_MODULE"

test_expect_success 'hsm list shows each token with serial, model, PIN state and URI' '
	ceremony hsm list $M >out &&
	test_grep "token         A$" out &&
	test_grep "token         B$" out &&
	test_grep "model         SoftHSM v2" out &&
	test_grep "PIN state     ok" out &&
	test_grep "uri           pkcs11:.*token=A$" out &&
	test_grep "blank: not initialised" out &&
	sha=$(sha256sum "$(readlink -f $SOFTHSM_MODULE)" | cut -d" " -f1) &&
	test_grep "^  sha256 $sha$" out
'

test_expect_success 'hsm list --json is JSON with the same tokens' '
	ceremony hsm list $M --json >out.json &&
	python3 -c "import json,sys; d=json.load(open(\"out.json\")); \
labels=[s[\"token\"][\"label\"] for m in d for s in m[\"slots\"] if \"token\" in s]; \
sys.exit(0 if \"A\" in labels and \"B\" in labels else 1)"
'

test_expect_success 'hsm list without --module uses the modules registered with p11-kit' '
	ceremony hsm list >out &&
	test_grep "^module softhsm2" out &&
	test_grep "token         A$" out
'

test_expect_success 'hsm list --module with a missing file fails naming it' '
	test_must_fail ceremony hsm list --module /nonexistent/lib.so 2>err &&
	test_grep "/nonexistent/lib.so" err
'

test_expect_success 'hsm mechanisms lists mechanisms with key sizes and flags' '
	ceremony hsm mechanisms "pkcs11:token=A" $M >out &&
	test_grep "^CKM_ECDSA  *[0-9]* *[0-9]* *sign,verify" out &&
	test_grep "^CKM_RSA_PKCS_KEY_PAIR_GEN .*generate-key-pair" out &&
	! grep -q "^CKM_AES_CTR .*sign" out
'

test_expect_success 'hsm objects shows public objects only, with their URI' '
	pkcs11-tool --module $SOFTHSM_MODULE --token-label A --login --pin $TEST_USER_PIN \
		--keypairgen --key-type EC:prime256v1 --label signer --id 0a0b >/dev/null 2>&1 &&
	ceremony hsm objects "pkcs11:token=A" $M >out &&
	test_grep "^public-key  *EC  *256  *signer  *0a0b  *pkcs11:.*object=signer" out &&
	! grep -q private-key out &&
	ceremony hsm objects "pkcs11:token=B" $M >out2 &&
	test_grep "no public objects" out2
'

test_expect_success 'hsm objects --json names class, key type, id and URI' '
	ceremony hsm objects "pkcs11:token=A" $M --json >out.json &&
	python3 -c "import json,sys; o=json.load(open(\"out.json\"))[0]; \
sys.exit(0 if o[\"class\"]==\"public-key\" and o[\"id\"]==\"0a0b\" and \"type=public\" in o[\"uri\"] else 1)"
'

test_expect_success 'a bad URI is refused with the reason' '
	test_must_fail ceremony hsm objects "token=A" $M 2>err &&
	test_grep "bad PKCS#11 URI" err &&
	test_must_fail ceremony hsm objects "pkcs11:tokn=A" $M 2>err &&
	test_grep "misspelt" err
'

test_expect_success 'a URI carrying a PIN is refused' '
	test_must_fail ceremony hsm objects "pkcs11:token=A;pin-value=$TEST_USER_PIN" $M 2>err &&
	test_grep "pin-value: refused" err &&
	test_must_fail ceremony hsm mechanisms "pkcs11:token=A?pin-source=file:/tmp/p" $M 2>err &&
	test_grep "pin-source: refused" err
'

test_expect_success 'no such token' '
	test_must_fail ceremony hsm objects "pkcs11:token=Nope" $M 2>err &&
	test_grep "no initialised token matches .pkcs11:token=Nope" err
'

test_expect_success 'two tokens matching are listed; serial= picks one' '
	test_must_fail ceremony hsm objects "pkcs11:token=Dup" $M 2>err &&
	test_grep "2 tokens match" err &&
	test_grep "add serial=" err &&
	serial=$(ceremony hsm list $M --json | python3 -c "import json,sys; \
print([s[\"token\"][\"serial\"] for m in json.load(sys.stdin) for s in m[\"slots\"] \
if s.get(\"token\",{}).get(\"label\")==\"Dup\"][0])") &&
	ceremony hsm objects "pkcs11:token=Dup;serial=$serial" $M >out &&
	test_grep "no public objects" out
'

test_expect_success 'usage errors exit 2' '
	test_exit_code 2 ceremony hsm 2>err &&
	test_exit_code 2 ceremony hsm frob 2>err &&
	test_grep "unknown sub-command" err &&
	test_exit_code 2 ceremony hsm objects $M 2>err &&
	test_grep "needs a TOKEN-URI" err &&
	test_exit_code 2 ceremony hsm list --bogus 2>err &&
	ceremony hsm objects --help >out &&
	test_grep "usage: ceremony hsm list" out
'

test_expect_success 'NSS softokn through a p11-kit module file with x-init-reserved' '
	nss_setup "$TEST_TMP/nss" nss-test-pin &&
	ceremony hsm list --module "$TEST_TMP/nss/nss.module" >out &&
	test_grep "token         NSS Certificate DB" out &&
	ceremony hsm mechanisms "pkcs11:token=NSS%20Certificate%20DB" \
		--module "$TEST_TMP/nss/nss.module" >mech &&
	test_grep "^CKM_ECDSA " mech &&
	printf "module: %s\n" "$NSS_SOFTOKN" >bad.module &&
	test_must_fail ceremony hsm list --module bad.module 2>err &&
	test_grep "C_Initialize" err
'

test_expect_success 'a module file without a module: line is refused' '
	printf "x-init-reserved: x\n" >empty.module &&
	test_must_fail ceremony hsm list --module empty.module 2>err &&
	test_grep "no .module:. line" err
'

test_expect_success 'SoftHSM through p11-kit server and p11-kit-client' '
	p11kit_server_start "pkcs11:token=A" &&
	ceremony hsm list --module "$P11KIT_CLIENT" >out &&
	ceremony hsm objects "pkcs11:token=A" --module "$P11KIT_CLIENT" >objs;
	rc=$?
	pid=$P11KIT_SERVER_PID
	p11kit_server_stop &&
	! kill -0 $pid 2>/dev/null &&
	[ $rc = 0 ] &&
	test_grep "token         A$" out &&
	! grep -q "token         B$" out &&
	test_grep "signer" objs
'

test_expect_success 'p11-kit-client with the server gone fails cleanly' '
	P11_KIT_SERVER_ADDRESS=unix:path=$TEST_TMP/no-such.sock \
		ceremony hsm objects "pkcs11:token=A" --module "$P11KIT_CLIENT" >out 2>err
	rc=$?
	[ $rc = 1 ]
'

test_done
