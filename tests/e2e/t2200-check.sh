#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony check: the capability preflight (docs/pkcs11.md, "Preflight").
# On SoftHSM, token-init.yaml (a blank token, checked through what it
# reports before init) and root-ca.yaml pass: exit 0, every line OK or
# UNKNOWN. Through the fault module (tests/faultmod, FAULTMOD_HIDE_MECHS) a
# token without EC key generation, EdDSA key generation, AES key wrap with
# padding or RSA key generation is refused, and so are EdDSA and AES key
# wrap with padding through p11-kit remoting: exit 1, naming the requirement,
# the step and what the token offers; --json says the same. Nothing is
# written to the token (its directory is compared byte for byte). `ceremony
# run` refuses the same token before attendance, writing nothing; a
# transcript key whose test signature fails stops the run before any share
# is issued; a script issuing shares before its first user login (where the
# token transcript key is made) is refused before anything is written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
TOK=$TEST_TMP/softhsm/tokens
FAULTMOD=$TEST_BUILD/tests/libfaultmod.so
S=$TEST_TMP/scripts

tok_sum() { (cd "$TOK" && find . -type f | sort | xargs -r sha256sum; find . | sort) ; }

# check SCRIPT [HIDE]: ceremony check through the fault module (mechanisms
# HIDE hidden), output in check.out, the token directory compared.
check_fm() { # SCRIPT [HIDE] [ARG...]
	cf_s=$1 cf_h=$2
	shift 2
	tok_sum >before &&
	env FAULTMOD_MODULE=$SOFTHSM_MODULE ${cf_h:+FAULTMOD_HIDE_MECHS=$cf_h} \
		ceremony check "$S/$cf_s" --module "$FAULTMOD" "$@" >check.out 2>check.err
	cf_rc=$?
	tok_sum >after && cmp before after || { echo "the token changed"; return 99; }
	return $cf_rc
}

sed -e "s/type: ec, curve: p-384/type: ed25519/" "$S/root-ca.yaml" >"$S/root-ed.yaml"
sed -e "s/type: ec, curve: p-384/type: rsa, size: 3072/" -e "/digest: sha384/d" \
	"$S/root-ca.yaml" >"$S/root-rsa.yaml"

test_expect_success 'token-init.yaml on a blank SoftHSM slot: every requirement OK, nothing written' '
	tok_sum >before &&
	ceremony check "$S/token-init.yaml" --module "$SOFTHSM_MODULE" >out &&
	tok_sum >after && cmp before after &&
	test_grep "^OK      init (token) token .root.: a blank token for pkcs11:token=Root%20CA%202026" out &&
	test_grep "^OK      init (token.init) token .root.: SO and user PINs: 24 typeable characters (56 symbols): 128.0 bits (floor 64); token offers: PIN length 4..255" out &&
	test_grep "^OK      init (token.init) token .root.: random numbers from the token" out &&
	test_grep "^OK      init (transcript) token .root.: the transcript signed through OpenSSL (pkcs11-provider)" out &&
	! grep -q "^MISSING\|^UNKNOWN" out &&
	test_grep "0 MISSING, 0 UNKNOWN" out
'

test_expect_success 'failing twin: root-ca.yaml before its token exists names the token MISSING' '
	test_exit_code 1 ceremony check "$S/root-ca.yaml" --module "$SOFTHSM_MODULE" >out &&
	test_grep "^MISSING login (token) token .root.: the token pkcs11:token=Root%20CA%202026; token offers: " out
'

test_expect_success 'set-up: the root token' '
	softhsm_token "Root CA 2026" &&
	softhsm_token "Root CA 2026 backup"
'

test_expect_success 'failing twin: token-init.yaml once the token is initialised is MISSING a blank token' '
	test_exit_code 1 ceremony check "$S/token-init.yaml" --module "$SOFTHSM_MODULE" >out &&
	test_grep "^MISSING init (token) token .root.: a blank token for pkcs11:token=Root%20CA%202026; token offers: that token is already initialised" out
'

test_expect_success 'root-ca.yaml on SoftHSM: OK (the attributes UNKNOWN until the step), nothing written' '
	tok_sum >before &&
	ceremony check "$S/root-ca.yaml" --module "$SOFTHSM_MODULE" >out &&
	tok_sum >after && cmp before after &&
	test_grep "^OK      login (quorum.login) token .root.: user login" out &&
	test_grep "^OK      keygen (key.generate) token .root.: EC p384 key pair generation (384 bits); token offers: CKM_EC_KEY_PAIR_GEN 112..521" out &&
	test_grep "^OK      keygen (key.generate) token .root.: EC parameters of p384 given as a named curve" out &&
	test_grep "^UNKNOWN keygen (key.generate) token .root.: attributes .*CKA_EXTRACTABLE=TRUE" out &&
	test_grep "^OK      cert (cert.self-sign) token .root.: ECDSA p384 signature" out &&
	test_grep "0 MISSING, 1 UNKNOWN" out
'

test_expect_success 'no EC key generation (0x1040 hidden): MISSING, naming step, need and offer' '
	test_exit_code 1 check_fm root-ca.yaml 0x1040 &&
	test_grep "^MISSING keygen (key.generate) token .root.: EC p384 key pair generation (384 bits); token offers: no CKM_EC_KEY_PAIR_GEN" check.out &&
	test_grep "^OK      login (transcript) token .root.: the transcript key: EC P-256 (or RSA 2048) key pair generation; token offers: CKM_RSA_PKCS_KEY_PAIR_GEN .*; path: RSA 2048" check.out &&
	test_grep "1 MISSING" check.out
'

test_expect_success 'twin: the same module without the knob passes' '
	check_fm root-ca.yaml "" &&
	test_grep "0 MISSING" check.out
'

test_expect_success 'no EdDSA key generation (0x1055 hidden): MISSING for the ed25519 key' '
	check_fm root-ed.yaml "" &&
	test_grep "^OK      keygen (key.generate) token .root.: Ed25519 key pair generation" check.out &&
	test_exit_code 1 check_fm root-ed.yaml 0x1055 &&
	test_grep "^MISSING keygen (key.generate) token .root.: Ed25519 key pair generation; token offers: no CKM_EC_EDWARDS_KEY_PAIR_GEN" check.out
'

test_expect_success 'no RSA key generation (0x0 hidden): MISSING for the RSA key' '
	check_fm root-rsa.yaml "" &&
	test_grep "^OK      keygen (key.generate) token .root.: RSA 3072 key pair generation" check.out &&
	test_grep "^OK      cert (cert.self-sign) token .root.: RSA 3072 PKCS#1 v1.5 signature with SHA-256.*path: hash-and-sign CKM_SHA256_RSA_PKCS" check.out &&
	test_exit_code 1 check_fm root-rsa.yaml 0x0 &&
	test_grep "^MISSING keygen (key.generate) token .root.: RSA 3072 key pair generation; token offers: no CKM_RSA_PKCS_KEY_PAIR_GEN" check.out
'

test_expect_success 'RSA without hash-and-sign (0x40 hidden): OK through CKM_RSA_PKCS over a DigestInfo' '
	check_fm root-rsa.yaml 0x40 &&
	test_grep "^OK      cert (cert.self-sign) token .root.: RSA 3072 PKCS#1 v1.5 .*path: CKM_RSA_PKCS over a DigestInfo built by the tool" check.out
'

test_expect_success 'no AES key wrap with padding (0x210a hidden): key.backup and key.restore MISSING' '
	check_fm backup-restore.yaml "" &&
	test_grep "^OK      backup (key.backup) token .root.: AES key wrap with padding (RFC 5649) under an AES-256 key" check.out &&
	test_exit_code 1 check_fm backup-restore.yaml 0x210a &&
	test_grep "^MISSING backup (key.backup) token .root.: AES key wrap with padding (RFC 5649) under an AES-256 key; token offers: no CKM_AES_KEY_WRAP_PAD" check.out &&
	test_grep "^MISSING restore (key.restore) token .backup.: AES key unwrap with padding" check.out &&
	test_grep "2 MISSING" check.out
'

test_expect_success '--json says the same, parsed by python3' '
	test_exit_code 1 check_fm backup-restore.yaml 0x210a --json &&
	python3 -c "
import json, sys
d = json.load(open(\"check.out\"))
assert d[\"result\"] == \"missing\" and d[\"missing\"] == 2, d
m = [r for r in d[\"requirements\"] if r[\"status\"] == \"MISSING\"]
assert [r[\"step\"] for r in m] == [\"backup\", \"restore\"], m
assert m[0][\"offers\"] == \"no CKM_AES_KEY_WRAP_PAD\" and m[0][\"token\"] == \"root\", m
assert m[0][\"action\"] == \"key.backup\" and \"wrap with padding\" in m[0][\"need\"], m
" &&
	check_fm root-ca.yaml "" --json &&
	python3 -c "
import json
d = json.load(open(\"check.out\"))
assert d[\"result\"] == \"ok\" and d[\"missing\"] == 0, d
"
'

test_expect_success 'failing twin: usage errors (no module, no script)' '
	test_exit_code 2 ceremony check "$S/root-ca.yaml" 2>err &&
	test_grep "module M is required" err &&
	test_exit_code 2 ceremony check --module "$SOFTHSM_MODULE" 2>err &&
	test_grep "which script" err
'

test_expect_success 'through p11-kit remoting (server and client): EdDSA and AES key wrap with padding MISSING, EC OK' '
	test -n "$P11KIT_CLIENT" &&
	p11kit_server_start "pkcs11:model=SoftHSM%20v2" &&
	ceremony check "$S/root-ca.yaml" --module "$P11KIT_CLIENT" >ok.out;
	rc1=$?
	ceremony check "$S/backup-restore.yaml" --module "$P11KIT_CLIENT" >wrap.out;
	rc2=$?
	ceremony check "$S/root-ed.yaml" --module "$P11KIT_CLIENT" >ed.out;
	rc3=$?
	p11kit_server_stop &&
	[ $rc1 = 0 ] && [ $rc2 = 1 ] && [ $rc3 = 1 ] &&
	test_grep "^OK      keygen (key.generate) token .root.: EC p384 key pair generation" ok.out &&
	test_grep "^MISSING backup (key.backup) token .root.: AES key wrap with padding .*no CKM_AES_KEY_WRAP_PAD" wrap.out &&
	test_grep "^MISSING keygen (key.generate) token .root.: Ed25519 key pair generation; token offers: no CKM_EC_EDWARDS_KEY_PAIR_GEN" ed.out
'

# ---- ceremony run: the same preflight first --------------------------------

test_expect_success 'set-up: token-init on a fresh SoftHSM (a run)' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/init" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	cp -a "$TOK" "$TEST_TMP/tokens.init"
'

root_ca_fm() { # OUT HIDE [ENV...]: root-ca.yaml through the fault module
	rf_out=$1 rf_h=$2
	shift 2
	mkdir -p "$rf_out" &&
	env FAULTMOD_MODULE=$SOFTHSM_MODULE ${rf_h:+FAULTMOD_HIDE_MECHS=$rf_h} "$@" \
		ceremony run "$S/root-ca.yaml" --rehearsal --today "$RUN_TODAY" \
		--module "$FAULTMOD" --input "$(run_answers root-ca)" --outdir "$rf_out" \
		--issued-in "$TEST_TMP/init/transcript.jsonl" \
		--issued-in-key "$(run_signer_hex "$TEST_TMP/init/transcript.jsonl")" \
		>"$rf_out.log" 2>&1 </dev/null
}

test_expect_success 'run refuses at preflight, before attendance: nothing written to the outdir or the token' '
	tok_sum >before &&
	test_exit_code 1 root_ca_fm "$PWD/r" 0x1040 &&
	tok_sum >after && cmp before after &&
	test_grep "^MISSING keygen (key.generate) token .root.: EC p384 key pair generation" r.log &&
	test_grep "preflight: 1 requirement MISSING on the token" r.log &&
	test_grep "refusing to start; nothing was written" r.log &&
	! grep -qi "attendance" r.log &&
	! grep -q "^Transcript:" r.log &&
	test "$(ls -A r | grep -v "^rehearsal$")" = "" &&
	test "$(ls -A r/rehearsal 2>/dev/null)" = ""
'

test_expect_success 'twin: the same run without the knob passes the preflight and completes' '
	root_ca_fm "$PWD/ok" "" &&
	test_grep "Ceremony completed" ok.log &&
	! grep -q "^MISSING" ok.log &&
	run_verified "$PWD/ok" >out 2>&1
'

token_init_fm() { # OUT [ENV...]: token-init.yaml through the fault module
	tf_out=$1
	shift
	rm -rf "$TOK" && mkdir -p "$TOK" "$tf_out" &&
	env FAULTMOD_MODULE=$SOFTHSM_MODULE "$@" \
		ceremony run "$S/token-init.yaml" --rehearsal --today "$RUN_TODAY" \
		--module "$FAULTMOD" --input "$(run_answers token-init)" --outdir "$tf_out" \
		>"$tf_out.log" 2>&1 </dev/null
}

test_expect_success 'a transcript key whose test signature is wrong stops token-init before the user PIN shares; only the new SO PIN is issued, to re-initialise' '
	test_exit_code 1 token_init_fm "$PWD/bad" FAULTMOD_FUNC=C_Sign FAULTMOD_MODE=corrupt &&
	test_grep "the transcript key cannot sign the transcript (OpenSSL CMS through pkcs11-provider): stopping before the shares are issued" bad.log &&
	test_grep "its SO PIN shares were issued; start again with a token-init ceremony whose token.init step says reinit: true" bad.log &&
	test_grep "is NOT signed: its transcript key could not sign" bad.log &&
	test_grep "does not verify" bad.log &&
	test "$(grep "\"type\":\"share.issued\"" bad/transcript.jsonl | grep -vc "\"secret\":\"so-pin\"")" = 0 &&
	test "$(grep "\"type\":\"share.issued\"" bad/transcript.jsonl | grep -c "\"secret\":\"so-pin\"")" = 3 &&
	grep "\"type\":\"token.initialised\"" bad/transcript.jsonl | grep -q "\"pin_derivation\":\"hkdf-sha256-v1 " &&
	tail -n 1 bad/transcript.jsonl | grep -q "\"transcript_key\":\"destroyed-unsigned\"" &&
	! grep -q "after-signing" bad/transcript.jsonl &&
	test ! -e bad/transcript.jsonl.p7s
'

test_expect_success 'failing twin: the same through the fault module without the fault issues the shares' '
	token_init_fm "$PWD/good" &&
	test_grep "The transcript key signed a test message (OpenSSL CMS through pkcs11-provider), verified" good.log &&
	test_grep "Ceremony completed" good.log &&
	test "$(grep -c "\"type\":\"share.issued\"" good/transcript.jsonl)" = 8 &&
	k=$(grep -n "\"type\":\"transcript.key\"" good/transcript.jsonl | cut -d: -f1) &&
	s=$(grep -n "\"type\":\"share.issued\"" good/transcript.jsonl | head -n 1 | cut -d: -f1) &&
	test "$k" -lt "$s"
'

cat >"$S/reshare-first.yaml" <<'YAML'
format: 1
name: Shares before the transcript key
version: "1.0"
roster: example-roster.yaml
tokens:
  root: "pkcs11:token=Root%20CA%202026"
roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 3}
secrets:
  user-pin: {kind: pin, token: root, groups: [{threshold: 3, count: 5}], group-threshold: 1}
  wrap-key: {kind: aes-256, groups: [{threshold: 2, count: 3}], group-threshold: 1}
steps:
  - id: attendance
    title: Attendance and identity check
    action: attendance
    actors: [security-officer]
    witnesses: [system-auditor]
  - id: reshare
    title: New shares of the wrapping key
    action: shares.reshare
    with: {secret: wrap-key}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
  - id: login
    title: Key holders log in to the root token
    action: quorum.login
    with: {token: root, secret: user-pin}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
YAML

test_expect_success 'a script issuing shares before the first user login (where the token key is made) is refused, nothing written' '
	ceremony lint "$S/reshare-first.yaml" --today "$RUN_TODAY" --outdir . >lint.log &&
	mkdir rf && test_exit_code 1 ceremony run "$S/reshare-first.yaml" --rehearsal \
		--today "$RUN_TODAY" --module "$SOFTHSM_MODULE" --input /dev/null --outdir "$PWD/rf" \
		>rf.log 2>&1 </dev/null &&
	test_grep "reshare-first.yaml:[0-9]*: step .reshare. issues shares before the first user login, where the transcript key is made and proves it can sign: refused" rf.log &&
	test ! -e rf/transcript.jsonl &&
	test "$(ls -A rf/rehearsal 2>/dev/null)" = ""
'

test_expect_success 'twin: the same steps with the login first pass that check' '
	awk "/- id: reshare/ {r = 1} /- id: login/ {r = 0} r {held = held \$0 \"\\n\"; next} {print} END {printf \"%s\", held}" \
		"$S/reshare-first.yaml" >"$S/login-first.yaml" &&
	grep -n "id: login\|id: reshare" "$S/login-first.yaml" >order && head -n 1 order | grep -q login &&
	ceremony lint "$S/login-first.yaml" --today "$RUN_TODAY" --outdir . >lint.log &&
	mkdir lf && test_must_fail ceremony run "$S/login-first.yaml" --rehearsal \
		--today "$RUN_TODAY" --module "$SOFTHSM_MODULE" --input /dev/null --outdir "$PWD/lf" \
		>lf.log 2>&1 </dev/null &&
	! grep -q "issues shares before the first user login" lf.log &&
	test_grep "no answer for .operator." lf.log
'

test_done
