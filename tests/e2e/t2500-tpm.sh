#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tpm2-pkcs11 on a software TPM (swtpm behind tpm2-abrmd on a private D-Bus
# bus, tests/e2e/lib-tpm.sh): the ready token-init and a root-ca variant run
# end to end on it and verify (ceremony verify, openssl verify). The TPM's
# own behaviour is held: one serial for every token, fields padded with NULs
# (no %00 in any URI), no CKA_EXTRACTABLE on a sensitive key (the shipped
# root-ca is refused and nothing is left on the token), RSA up to 3072 bits,
# no EdDSA, no AES key wrap. Every daemon is stopped by its PID, even when
# the test shell fails or is killed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"
. "$(dirname "$0")/lib-tpm.sh"

missing=$(tpm_missing)
if [ -n "$missing" ]; then
	test_skip 'tpm2-pkcs11 on a software TPM' "not installed: $missing (make deps installs them)"
	test_done
	exit
fi
tpm_start >"$TEST_TMP/tpm-start.log" 2>&1
tpm_rc=$?
# run_rehearsal passes --module "$SOFTHSM_MODULE": here, the TPM's module.
SOFTHSM_MODULE=$TPM2_PKCS11_MODULE
TPM=$TPM2_PKCS11_MODULE
INIT=$TEST_TMP/root-init
ROOT_URI="pkcs11:token=Root%20CA%202026"
run_scripts_setup

# root-ca.yaml with its key.generate line rewritten: WITH is the new
# "type: ..., label: ..., id: ..." part; DIGEST the certificate's digest.
root_variant() { # NAME WITH DIGEST
	sed -e "s/type: ec, curve: p-384, label: root-ca-2026, id: \"01\", extractable: true/$2/" \
	    -e "s/digest: sha384/digest: $3/" \
	    "$TEST_TMP/scripts/root-ca.yaml" >"$TEST_TMP/scripts/root-ca-$1.yaml" &&
	! grep -q "extractable: true" "$TEST_TMP/scripts/root-ca-$1.yaml"
}

# A root-ca variant refused by the TPM: exit 1, no certificate, no key
# labelled LABEL on the token.
refused_root() { # NAME OUTDIR LABEL
	test_exit_code 1 run_rehearsal "root-ca-$1.yaml" "$(run_answers root-ca)" "$2" \
		--issued-in "$INIT/transcript.jsonl" >"$2.log" 2>&1 &&
	! grep -q "Ceremony completed" "$2.log" &&
	test ! -e "$2/root-ca.pem" &&
	ceremony hsm objects "$ROOT_URI" --module "$TPM" >"$2.objects" &&
	! grep -q "$3" "$2.objects"
}

test_expect_success 'set-up: swtpm, a private session bus and tpm2-abrmd answer; the module is not registered with p11-kit' '
	{ test $tpm_rc = 0 || { cat "$TEST_TMP/tpm-start.log"; false; }; } &&
	for p in $TPM_PIDS; do kill -0 $p || exit 1; done &&
	tpm2_getrandom --hex 16 >r && test $(wc -c <r) = 32 &&
	ceremony hsm list --module "$TPM" >list &&
	test_grep "(blank: not initialised)" list &&
	p11-kit list-modules >registered 2>&1 &&
	! grep -q tpm2 registered
'

test_expect_success 'token-init (the ready script) runs end to end on the TPM and verifies' '
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$INIT" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	head -n 1 "$INIT/transcript.jsonl" | grep -q "\"module\":\"[^\"]*libtpm2_pkcs11" &&
	grep "\"type\":\"transcript.key\"" "$INIT/transcript.jsonl" | grep -q "\"key_store\":\"token\"" &&
	run_verified "$INIT" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	ceremony hsm list --module "$TPM" >list &&
	test_grep "token  *Root CA 2026" list &&
	test_grep "serial  *0000000000000000" list
'

test_expect_success 'the NUL-padded model is trimmed: no %00 in a URI, in the transcript or in hsm list' '
	ceremony hsm list --module "$TPM" >list &&
	test_grep "uri  *pkcs11:model=SW%20%20%20TPM;manufacturer=IBM;serial=0000000000000000;token=Root%20CA%202026" list &&
	! grep -q "%00" list &&
	! grep -q "%00" "$INIT/transcript.jsonl"
'

test_expect_success 'the TPM offers ECDSA and RSA up to 3072 bits, no EdDSA and no AES key wrap' '
	ceremony hsm mechanisms "$ROOT_URI" --module "$TPM" >mechs &&
	test_grep "CKM_ECDSA\b" mechs &&
	test_grep "CKM_RSA_PKCS_KEY_PAIR_GEN.*3072" mechs &&
	! grep -q "CKM_EC_EDWARDS_KEY_PAIR_GEN\|CKM_EDDSA" mechs &&
	! grep -q "CKM_AES_KEY_WRAP" mechs
'

test_expect_success 'failing twin: the shipped root-ca (an extractable sensitive key) is refused by the TPM; nothing is left on it' '
	cp "$TEST_TMP/scripts/root-ca.yaml" "$TEST_TMP/scripts/root-ca-shipped.yaml" &&
	ceremony hsm objects "$ROOT_URI" --module "$TPM" >before &&
	! grep -q "root-ca-2026" before &&
	refused_root shipped "$PWD/x" root-ca-2026 &&
	grep -E "CKA_EXTRACTABLE|CKR_ATTRIBUTE_VALUE_INVALID" x.log
'

test_expect_success 'root-ca for the TPM (P-384, not extractable) runs end to end: verify OK, openssl verify accepts the root' '
	root_variant tpm "type: ec, curve: p-384, label: root-ca-2026, id: \"01\"" sha384 &&
	run_rehearsal root-ca-tpm.yaml "$(run_answers root-ca)" "$TEST_TMP/root" \
		--issued-in "$INIT/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$TEST_TMP/root" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	openssl verify -x509_strict -CAfile "$TEST_TMP/root/root-ca.pem" "$TEST_TMP/root/root-ca.pem" >v &&
	test_grep ": OK" v &&
	openssl x509 -in "$TEST_TMP/root/root-ca.pem" -noout -text >cert &&
	test_grep "NIST CURVE: P-384" cert &&
	test_grep "ecdsa-with-SHA384" cert &&
	openssl x509 -in "$TEST_TMP/root/root-ca.pem" -noout -pubkey >pub &&
	test_cmp "$TEST_TMP/root/root-ca-2026.pub.pem" pub &&
	ceremony hsm objects "$ROOT_URI" --module "$TPM" >objs &&
	test_grep "root-ca-2026" objs
'

test_expect_success 'failing twin: the TPM root is not accepted for another certificate, nor a tampered transcript' '
	test_must_fail openssl verify -CAfile "$TEST_TMP/root/root-ca.pem" \
		"$TEST_TMP/root/transcript-signer.pem" >v 2>&1 &&
	test_grep "transcript-signer.pem: verification failed" v &&
	sed "3s/\"seq\":2/\"seq\":7/" "$TEST_TMP/root/transcript.jsonl" >t.jsonl &&
	! cmp -s t.jsonl "$TEST_TMP/root/transcript.jsonl" &&
	test_must_fail ceremony verify t.jsonl >out 2>&1
'

test_expect_success 'a P-256 root on the TPM (another label and id) runs end to end and verifies' '
	root_variant p256 "type: ec, curve: p-256, label: root-p256-2026, id: \"02\"" sha256 &&
	sed -i "s/key: root-ca-2026/key: root-p256-2026/" "$TEST_TMP/scripts/root-ca-p256.yaml" &&
	run_rehearsal root-ca-p256.yaml "$(run_answers root-ca)" "$PWD/p256" \
		--issued-in "$INIT/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/p256" >out 2>&1 &&
	openssl verify -CAfile p256/root-ca.pem p256/root-ca.pem &&
	openssl x509 -in p256/root-ca.pem -noout -text >cert &&
	test_grep "NIST CURVE: P-256" cert &&
	test_grep "ecdsa-with-SHA256" cert
'

# tpm2-pkcs11 makes every RSA key able to decrypt: the sign-only template
# (CKA_DECRYPT false, docs/pkcs11.md) fails in C_GenerateKeyPair with
# CKR_GENERAL_ERROR ("User specified and TPM specified attr mismatch").
test_expect_success 'failing twin: an RSA 2048 root (the TPM cannot make a sign-only RSA key) is refused; nothing is left on the token' '
	root_variant rsa "type: rsa, size: 2048, label: root-rsa-2026, id: \"03\"" sha256 &&
	refused_root rsa "$PWD/rsa" root-rsa-2026 &&
	test_grep "C_GenerateKeyPair on rsa2048 key .root-rsa-2026.*CKR_" rsa.log
'

test_expect_success 'failing twin: an RSA 4096 key (the TPM stops at 3072 bits) is refused; nothing is left on the token' '
	root_variant rsa4096 "type: rsa, size: 4096, label: root-big-2026, id: \"04\"" sha256 &&
	refused_root rsa4096 "$PWD/big" root-big-2026 &&
	test_grep "4096" big.log
'

test_expect_success 'failing twin: an Ed25519 key (no EdDSA on the TPM) is refused, naming the mechanism; nothing is left on the token' '
	root_variant ed "type: ed25519, label: root-ed-2026, id: \"05\"" sha256 &&
	sed -i "/digest: sha256/d" "$TEST_TMP/scripts/root-ca-ed.yaml" &&
	refused_root ed "$PWD/ed" root-ed-2026 &&
	test_grep "CKM_EC_EDWARDS_KEY_PAIR_GEN" ed.log
'

test_expect_success 'a second token on the same TPM (same serial, another label) is initialised and told apart by its label' '
	run_token_variant two "TPM Two" two &&
	run_rehearsal token-init-two.yaml "$TEST_TMP/two.answers" "$PWD/two" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/two" >out 2>&1 &&
	ceremony hsm list --module "$TPM" >list &&
	test $(grep -c "serial  *0000000000000000" list) -ge 3 &&
	test_grep "token  *TPM Two" list && test_grep "token  *Root CA 2026" list &&
	ceremony hsm objects "$ROOT_URI" --module "$TPM" >objs &&
	test_grep "root-ca-2026" objs
'

# A test file of its own that starts the daemons and then fails (exit 3) or
# is killed (SIGKILL, no trap runs): its daemons must be gone after it.
inner_tpm() { # DIR fail|kill
	mkdir -p "$1/e2e" &&
	cp "$TEST_TOP/tests/e2e/lib.sh" "$TEST_TOP/tests/e2e/lib-tpm.sh" "$1/e2e/" &&
	cat >"$1/e2e/inner.sh" <<-\EOF
	. "$(dirname "$0")/lib.sh"
	. "$(dirname "$0")/lib-tpm.sh"
	tpm_start >/dev/null 2>&1 || exit 9
	echo "$TPM_PIDS" >"$INNER_OUT/pids"
	[ "$1" = kill ] && kill -9 $$
	exit 3
	EOF
	INNER_OUT=$1 TMPDIR=$1 bash "$1/e2e/inner.sh" "$2"
}

tpm_gone() { # PIDS-FILE: every PID in it is gone within 5 s
	tg=0
	while [ $tg -lt 50 ]; do
		tg_alive=0
		for p in $(cat "$1"); do kill -0 $p 2>/dev/null && tg_alive=1; done
		[ $tg_alive = 0 ] && return 0
		sleep 0.1
		tg=$((tg + 1))
	done
	echo "still running: $(cat "$1")" >&2
	return 1
}

test_expect_success 'a failing test file stops its swtpm, dbus-daemon and tpm2-abrmd by PID' '
	test_exit_code 3 inner_tpm "$PWD/f" fail &&
	test $(wc -w <f/pids) = 3 &&
	tpm_gone f/pids
'

test_expect_success 'failing twin: a test file killed with SIGKILL (no trap runs) still leaves no daemon behind' '
	test_exit_code 137 inner_tpm "$PWD/k" kill &&
	test $(wc -w <k/pids) = 3 &&
	tpm_gone k/pids
'

test_done
