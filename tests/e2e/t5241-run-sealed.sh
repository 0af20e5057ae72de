#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Shares sealed to cards (delivery: card, docs/share-format.md "Sealed
# shares"): one SoftHSM token per key holder stands in for their card (the
# key made on the card with pkcs11-tool --keypairgen: RSA 2048 for bob, dave,
# grace; EC P-256 for carol, frank; the certificate made with openssl from the
# card's public key; irene and judy have cards too). A token-init seals the
# user PIN's shares to the cards (the SO PIN's: delivery both, words and
# sealed); a later root-ca opens the quorum with the cards and logs in;
# key.backup seals the wrapping key and key.restore opens it with the cards;
# pin.rotate and shares.reshare open and reseal, a later login opens the new
# sealed shares. Failing twins: a share sealed to carol opened with bob's
# card, bob presenting carol's card, a wrong card PIN, a tampered sealed file,
# lint refusing card delivery for a holder without a certificate. grace's card
# in another module (NSS softokn) seals and opens a wrap-key share; its twin:
# a wrong PIN on that card. bob's card pulled out while it opens his share
# (faultmod pull=): back in time, the share opens; never back, refused.
# verify --outputs names a missing or changed sealed file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
C=$TEST_TMP/cards
S=$TEST_TMP/scripts
INIT=$TEST_TMP/init
CARD_PIN=24681357
export CE_CARD_WAIT_S=2

card() { # ID KEYTYPE: token ID-card, a key pair on it, $C/ID.pem
	softhsm_token "$1-card" "$TEST_SO_PIN" "$CARD_PIN" &&
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$1-card" --login \
		--pin "$CARD_PIN" --keypairgen --key-type "$2" --label card --id 01 \
		>/dev/null 2>&1 &&
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$1-card" --read-object \
		--type pubkey --id 01 -o "$C/$1.pub.der" >/dev/null 2>&1 &&
	openssl pkey -pubin -inform DER -in "$C/$1.pub.der" -out "$C/$1.pub.pem" &&
	openssl x509 -new -subj "/CN=$1 card" -key "$C/ca.key" -force_pubkey "$C/$1.pub.pem" \
		-days 365 -out "$C/$1.pem" 2>/dev/null
}
roster_card() { # ID: certificate: and token: for ID in the test roster
	sed -i "/^  - id: $1\$/,/^  - id:/ s|^    roles: \[key-holder\]\$|&\n    certificate: $C/$1.pem\n    token: pkcs11:token=$1-card|" \
		"$S/example-roster.yaml"
}
pins() { # DIR: the card PINs as a rehearsal reads them
	for h in bob carol dave frank grace irene judy; do
		printf "%s\n" "$CARD_PIN" >"$1/rehearsal/$h.card-pin" || return 1
	done
}
later() { # OUTDIR [ARG...]: root-ca.yaml, the quorum opened with the cards
	lo=$1
	shift
	run_rehearsal root-ca.yaml "$(run_answers root-ca)" "$lo" --issued-in "$INIT/transcript.jsonl" "$@"
}

test_expect_success 'setup: seven cards, their certificates in the roster, user-pin delivered to cards' '
	mkdir -p "$C" &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$C/ca.key" 2>/dev/null &&
	card bob rsa:2048 && card carol EC:prime256v1 && card dave rsa:2048 &&
	card frank EC:prime256v1 && card grace rsa:2048 && card irene rsa:2048 &&
	card judy EC:prime256v1 &&
	for h in bob carol dave frank grace irene judy; do roster_card $h || exit 1; done &&
	sed -i -e "s/^    roles: \[system-auditor, key-holder\]/    roles: [system-auditor]/" \
		"$S/example-roster.yaml" &&
	sed -i -e "s/^\(  user-pin: .*group-threshold: 1\)}/\1, delivery: card}/" \
		-e "s/^\(  so-pin: .*group-threshold: 1\)}/\1, delivery: both}/" "$S/token-init.yaml" &&
	test_grep "user-pin: .*delivery: card" "$S/token-init.yaml" &&
	test_grep "so-pin: .*delivery: both" "$S/token-init.yaml" &&
	ceremony lint "$S/token-init.yaml" >lint.out 2>&1
'

test_expect_success 'token-init seals each user PIN share to its holder card, never the words' '
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$INIT" >init.log 2>&1 &&
	test_grep "sealed to their card: .*/sealed/user-pin-bob-" init.log &&
	ls "$INIT/sealed" >files &&
	test $(grep -c "^user-pin-.*\.p7m\$" files) = 5 &&
	test_grep "^user-pin-carol-" files &&
	! grep -q "^user-pin " "$INIT/rehearsal/bob.shares" &&
	grep "\"type\":\"share.issued\"" "$INIT/transcript.jsonl" | grep "\"secret\":\"user-pin\"" >issued &&
	test $(grep -c "\"delivery\":\"card\"" issued) = 5 &&
	test_grep "\"sealed_to\":\"[0-9a-f]\{64\}\"" issued &&
	f=$(ls "$INIT"/sealed/user-pin-bob-*.p7m) &&
	sha=$(sha256sum "$f" | cut -c1-64) &&
	test_grep "\"sealed_sha256\":\"$sha\"" issued &&
	head -n 1 "$f" | grep -q "BEGIN CMS" &&
	run_verified "$INIT"
'

test_expect_success 'delivery both: the SO PIN shares are shown and typed back as words, and sealed too' '
	ls "$INIT/sealed" >files &&
	test $(grep -c "^so-pin-.*\.p7m\$" files) = 3 &&
	grep -q "^so-pin " "$INIT/rehearsal/bob.shares" &&
	grep "\"type\":\"share.issued\"" "$INIT/transcript.jsonl" | grep "\"secret\":\"so-pin\"" >so &&
	test $(grep -c "\"delivery\":\"both\"" so) = 3 &&
	grep "\"type\":\"share.verified\"" "$INIT/transcript.jsonl" | grep "\"secret\":\"so-pin\"" >sov &&
	test $(grep -c "\"result\":\"ok\"" sov) = 3
'

test_expect_success 'a sealed file is CMS EnvelopedData: RSA-OAEP to an RSA card, ECDH to an EC card' '
	openssl cms -cmsout -print -inform PEM -in "$(ls "$INIT"/sealed/user-pin-bob-*.p7m)" >bob.txt &&
	test_grep "algorithm: rsaesOaep" bob.txt &&
	test_grep "algorithm: aes-256-cbc" bob.txt &&
	openssl cms -cmsout -print -inform PEM -in "$(ls "$INIT"/sealed/user-pin-carol-*.p7m)" >carol.txt &&
	test_grep "algorithm: dhSinglePass-stdDH-sha256kdf-scheme" carol.txt &&
	test_grep "OBJECT *:id-aes256-wrap" carol.txt
'

test_expect_success 'verify --outputs checks every sealed share file; a missing or changed one is FAILED, named' '
	ceremony verify "$INIT/transcript.jsonl" --outputs "$INIT" >v.out &&
	test_grep "transcript.jsonl: OK" v.out &&
	cp -r "$INIT" out2 &&
	f=$(cd out2 && ls sealed/user-pin-carol-*.p7m) &&
	rm "out2/$f" &&
	test_exit_code 4 ceremony verify out2/transcript.jsonl --outputs out2 >v2.out &&
	test_grep "sealed share $f of carol is missing from out2" v2.out &&
	cp "$INIT/$f" "out2/$f" && printf "\n" >>"out2/$f" &&
	test_exit_code 4 ceremony verify out2/transcript.jsonl --outputs out2 >v3.out &&
	test_grep "sealed share $f of carol in out2 has SHA-256 [0-9a-f]*, the transcript says" v3.out &&
	cp "$INIT/$f" "out2/$f" &&
	ceremony verify out2/transcript.jsonl --outputs out2 >v4.out &&
	test_grep "transcript.jsonl: OK" v4.out
'

test_expect_success 'a later ceremony opens the quorum with the cards and logs in' '
	pins "$INIT" &&
	later "$TEST_TMP/root" >root.log 2>&1 &&
	test_grep "Bob Laurent (bob): insert your card and type its PIN" root.log &&
	test_grep "opened with the card and accepted" root.log &&
	test_grep "Quorum met for user-pin" root.log &&
	grep "\"type\":\"quorum.share\"" "$TEST_TMP/root/transcript.jsonl" >qs &&
	test $(grep -c "\"delivery\":\"card\"" qs) = 3 &&
	run_verified "$TEST_TMP/root"
'

test_expect_success 'key.backup seals the wrapping key shares; key.restore opens them with the cards in the same ceremony' '
	run_rehearsal backup-token-init.yaml "$(run_answers backup-token-init)" \
		"$TEST_TMP/backup-init" >bi.log 2>&1 &&
	sed -i "s/^\(  wrap-key: .*group-threshold: 1\)}/\1, delivery: card}/" "$S/backup-restore.yaml" &&
	run_rehearsal backup-restore.yaml "$(run_answers backup-restore)" "$TEST_TMP/br" \
		--issued-in "$INIT/transcript.jsonl" \
		--issued-in "$TEST_TMP/backup-init/transcript.jsonl" >br.log 2>&1 &&
	ls "$TEST_TMP/br/sealed" >files &&
	test $(grep -c "^wrap-key-.*\.p7m\$" files) = 3 &&
	test_grep "Frank [A-Za-z]*: share .* of wrap-key sealed to their card" br.log &&
	test_grep "Grace [A-Za-z]*: share .* opened with the card and accepted" br.log &&
	test_grep "Quorum met for wrap-key" br.log &&
	run_verified "$TEST_TMP/br"
'

# grace's card is NSS softokn (RSA key made in its database by certutil), in
# another module named by its module file in her roster token: URI.
nss_grace() {
	N=$TEST_TMP/nss &&
	nss_setup "$N" "$CARD_PIN" &&
	printf "%s\n" "$CARD_PIN" >pw && head -c 64 /dev/urandom >noise &&
	certutil -S -d "sql:$N" -n grace -s "CN=grace nss card" -x -t ",," -k rsa -g 2048 \
		--keyUsage keyEncipherment -f pw -z noise -v 12 >/dev/null 2>&1 &&
	rm -f pw &&
	certutil -L -d "sql:$N" -n grace -a >"$C/grace-nss.pem" &&
	sed -i -e "s|certificate: $C/grace.pem|certificate: $C/grace-nss.pem|" \
		-e "s|token: pkcs11:token=grace-card|token: \"pkcs11:token=NSS%20Certificate%20DB;module-path=$N/nss.module\"|" \
		"$S/example-roster.yaml"
}

test_expect_success 'a holder card in another module (NSS softokn): key.backup seals to it, key.restore opens with it' '
	cp "$S/example-roster.yaml" roster.keep &&
	nss_grace &&
	test_grep "grace-nss.pem" "$S/example-roster.yaml" &&
	softhsm2-util --delete-token --token "Root CA 2026 backup" >/dev/null &&
	run_rehearsal backup-token-init.yaml "$(run_answers backup-token-init)" \
		"$TEST_TMP/backup-init2" >bi2.log 2>&1 &&
	run_rehearsal backup-restore.yaml "$(run_answers backup-restore)" "$TEST_TMP/br-nss" \
		--issued-in "$INIT/transcript.jsonl" \
		--issued-in "$TEST_TMP/backup-init2/transcript.jsonl" >nss.log 2>&1 &&
	run_verified "$TEST_TMP/br-nss";
	rc=$?; cp roster.keep "$S/example-roster.yaml"; test $rc = 0 &&
	test_grep "Grace [A-Za-z]*: share .* opened with the card and accepted" nss.log &&
	test_grep "Quorum met for wrap-key" nss.log &&
	openssl cms -cmsout -print -inform PEM -in "$(ls "$TEST_TMP"/br-nss/sealed/wrap-key-grace-*.p7m)" >g.txt &&
	test_grep "CN=grace nss card" g.txt
'

test_expect_success 'failing twin: the NSS card with a wrong PIN is refused, naming her card' '
	cp "$S/example-roster.yaml" roster.keep &&
	sed -i -e "s|certificate: $C/grace.pem|certificate: $C/grace-nss.pem|" \
		-e "s|token: pkcs11:token=grace-card|token: \"pkcs11:token=NSS%20Certificate%20DB;module-path=$TEST_TMP/nss/nss.module\"|" \
		"$S/example-roster.yaml" &&
	printf "wrong-pin-1\n" >"$INIT/rehearsal/grace.card-pin" &&
	test_exit_code 1 run_rehearsal backup-restore.yaml "$(run_answers backup-restore)" "$TEST_TMP/br-nss2" \
		--issued-in "$INIT/transcript.jsonl" \
		--issued-in "$TEST_TMP/backup-init2/transcript.jsonl" >nss2.log 2>&1;
	rc=$?; cp roster.keep "$S/example-roster.yaml"; pins "$INIT"; test $rc = 0 &&
	test_grep "grace.s card PIN refused: C_Login on token .NSS Certificate DB.* CKR_PIN_INCORRECT" nss2.log &&
	! grep -q "Grace [A-Za-z]*: share .* opened with the card" nss2.log
'

# bob's card reached through the fault module (module-path= in his token:
# URI), which pulls it out at its first C_Decrypt, back BACK s later (0:
# never); a CRL signed (crl.yaml: the quorum opened with the cards) into
# OUT, verified while that roster holds.
pull_later() { # BACK OUT
	cp "$S/example-roster.yaml" roster.keep &&
	sed -i "s|token: pkcs11:token=bob-card|token: \"pkcs11:token=bob-card;module-path=$TEST_BUILD/tests/libfaultmod.so\"|" \
		"$S/example-roster.yaml" &&
	mkdir -p "$2" && cp "$TEST_TMP/root/root-ca.pem" "$2/" &&
	run_crl_answers bob carol dave >"$2.answers" &&
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_QUIRKS=pull=C_Decrypt:1:$1 \
		run_rehearsal crl.yaml "$2.answers" "$2" --issued-in "$INIT/transcript.jsonl" >"$2.log" 2>&1
	pl_rc=$?
	if [ $pl_rc = 0 ]; then run_verified "$2" >"$2.verify" 2>&1 || pl_rc=9; else
		ceremony verify "$2/transcript.jsonl" >"$2.verify" 2>&1; fi
	cp roster.keep "$S/example-roster.yaml"
	return $pl_rc
}

test_expect_success 'a card pulled out while it opens a sealed share: said, asked back, opened after a fresh login' '
	pins "$INIT" &&
	pull_later 1 "$TEST_TMP/pulled" &&
	test_grep "CARD REMOVED: the card of Bob Laurent (bob) was pulled out during the opening of their sealed share of user-pin (.*CKR_DEVICE_REMOVED" "$TEST_TMP/pulled.log" &&
	test_grep "Insert the card of Bob Laurent (bob) ... (waiting up to 2 s)" "$TEST_TMP/pulled.log" &&
	test_grep "Bob Laurent: share .* opened with the card and accepted" "$TEST_TMP/pulled.log" &&
	test_grep "Quorum met for user-pin" "$TEST_TMP/pulled.log" &&
	test_grep "transcript.jsonl: OK" "$TEST_TMP/pulled.verify"
'

test_expect_success 'failing twin: the card pulled out and not inserted again: refused naming whose card and when; INCOMPLETE transcript' '
	test_exit_code 1 pull_later 0 "$TEST_TMP/pulled2" &&
	test_grep "CARD REMOVED: the card of Bob Laurent (bob) was pulled out during the opening" "$TEST_TMP/pulled2.log" &&
	test_grep "the card of Bob Laurent (bob) was removed during the opening of their sealed share of user-pin and not inserted again" "$TEST_TMP/pulled2.log" &&
	! grep -q "Quorum met" "$TEST_TMP/pulled2.log" &&
	test_grep "transcript.jsonl: INCOMPLETE" "$TEST_TMP/pulled2.verify" &&
	test_grep "failed at step [a-z-]*: the card of Bob Laurent (bob) was removed during the opening" "$TEST_TMP/pulled2.verify"
'

test_expect_success 'failing twin: a share sealed to carol presented with bob card' '
	f=$(ls "$INIT"/sealed/user-pin-bob-*.p7m) && cp "$f" bob.keep &&
	cp "$(ls "$INIT"/sealed/user-pin-carol-*.p7m)" "$f" &&
	test_exit_code 1 later "$TEST_TMP/swap" >swap.log 2>&1;
	rc=$?; cp bob.keep "$f"; test $rc = 0 &&
	test_grep "this share is sealed to .* (carol), not to the card presented (bob" swap.log
'

test_expect_success 'failing twin: bob presents carol card (his roster token pattern finds hers)' '
	cp "$S/example-roster.yaml" roster.keep &&
	sed -i "s|token: pkcs11:token=bob-card|token: pkcs11:token=carol-card|" "$S/example-roster.yaml" &&
	test_exit_code 1 later "$TEST_TMP/wrongcard" >card.log 2>&1;
	rc=$?; cp roster.keep "$S/example-roster.yaml"; test $rc = 0 &&
	test_grep "this is the card of Carol Petit (carol), not of Bob Laurent (bob)" card.log
'

test_expect_success 'failing twin: a wrong card PIN is refused, tries left said' '
	printf "99999999\n" >"$INIT/rehearsal/bob.card-pin" &&
	test_exit_code 1 later "$TEST_TMP/wrongpin" >pin.log 2>&1;
	rc=$?; pins "$INIT"; test $rc = 0 &&
	test_grep "bob.s card PIN refused" pin.log &&
	test_grep "CKR_PIN_INCORRECT" pin.log &&
	test_grep "tries left" pin.log
'

test_expect_success 'failing twin: a tampered sealed file is refused' '
	f=$(ls "$INIT"/sealed/user-pin-dave-*.p7m) && cp "$f" dave.keep &&
	n=$(wc -l <"$f") && sed -i "$((n - 1))s/^\(.\)\(.\)/\2\1/" "$f" &&
	! cmp -s "$f" dave.keep &&
	test_exit_code 1 later "$TEST_TMP/tamper" >tamper.log 2>&1;
	rc=$?; cp dave.keep "$f"; test $rc = 0 &&
	test_grep "was changed after it was sealed" tamper.log
'

test_expect_success 'failing twin: lint refuses card delivery for a key holder without certificate' '
	cp "$S/example-roster.yaml" roster.keep &&
	sed -i "/^    certificate: .*frank.pem\$/d" "$S/example-roster.yaml" &&
	test_exit_code 1 ceremony lint "$S/token-init.yaml" >lint2.out 2>&1;
	rc=$?; cp roster.keep "$S/example-roster.yaml"; test $rc = 0 &&
	test_grep "example-roster.yaml:[0-9]*:[0-9]*: error: secret .user-pin. is delivered to cards (delivery: card) but key holder .frank. (Frank [A-Za-z]*): no certificate: in the roster" lint2.out
'

test_expect_success 'pin.rotate with sealed shares: opened with the cards, new shares sealed, a later login opens them' '
	sed -i "s/^\(  user-pin: .*group-threshold: 1\)}/\1, delivery: card}/" "$S/pin-rotate.yaml" &&
	run_rehearsal pin-rotate.yaml "$(run_answers pin-rotate)" "$TEST_TMP/rot" \
		--issued-in "$INIT/transcript.jsonl" >rot.log 2>&1 &&
	test_grep "opened with the card and accepted" rot.log &&
	test $(ls "$TEST_TMP/rot/sealed" | grep -c "^user-pin-.*\.p7m\$") = 5 &&
	pins "$TEST_TMP/rot" &&
	mkdir -p "$TEST_TMP/crl" && cp "$TEST_TMP/root/root-ca.pem" "$TEST_TMP/crl/" &&
	run_crl_answers bob carol dave >crl.answers &&
	run_rehearsal crl.yaml crl.answers "$TEST_TMP/crl" --issued-in "$INIT/transcript.jsonl" \
		--issued-in "$TEST_TMP/rot/transcript.jsonl" >crl.log 2>&1 &&
	test $(grep -c "opened with the card and accepted" crl.log) = 3 &&
	test_grep "Quorum met for user-pin" crl.log &&
	run_verified "$TEST_TMP/crl"
'

test_expect_success 'shares.reshare with sealed shares: opened with the cards, resealed to the new holders (judy)' '
	sed -i "s/^\(  user-pin: .*group-threshold: 1\)}/\1, delivery: card}/" "$S/reshare.yaml" &&
	run_rehearsal reshare.yaml "$(run_answers reshare)" "$TEST_TMP/rs" \
		--issued-in "$INIT/transcript.jsonl" --issued-in "$TEST_TMP/rot/transcript.jsonl" \
		>rs.log 2>&1 &&
	test $(grep -c "opened with the card and accepted" rs.log) = 3 &&
	ls "$TEST_TMP/rs/sealed" >files &&
	test $(grep -c "^user-pin-.*\.p7m\$" files) = 5 &&
	test_grep "^user-pin-judy-" files &&
	! grep -q "^user-pin-bob-" files &&
	pins "$TEST_TMP/rs" &&
	mkdir -p "$TEST_TMP/crl2" && cp "$TEST_TMP/root/root-ca.pem" "$TEST_TMP/crl2/" &&
	run_crl_answers judy grace carol >crl2.answers &&
	run_rehearsal crl.yaml crl2.answers "$TEST_TMP/crl2" --issued-in "$INIT/transcript.jsonl" \
		--issued-in "$TEST_TMP/rot/transcript.jsonl" --issued-in "$TEST_TMP/rs/transcript.jsonl" \
		>crl2.log 2>&1 &&
	test $(grep -c "opened with the card and accepted" crl2.log) = 3 &&
	test_grep "Judy Mercier (judy): insert your card" crl2.log &&
	run_verified "$TEST_TMP/rs"
'

cat >"$S/so-login.yaml" <<'YAML'
format: 1
name: Root token SO login
version: "1.0"
roster: example-roster.yaml
tokens:
  root: "pkcs11:token=Root%20CA%202026"
roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 3}
secrets:
  so-pin: {kind: so-pin, token: root, groups: [{threshold: 2, count: 3}], group-threshold: 1}
steps:
  - id: attendance
    title: Attendance and identity check
    action: attendance
    actors: [security-officer]
    witnesses: [system-auditor]
  - id: so-login
    title: Key holders log in to the root token as SO
    action: quorum.login
    with: {token: root, secret: so-pin}
    actors: {key-holder: 2}
    witnesses: [security-officer, hsm-administrator]
YAML
cat >"$TEST_TMP/so-login.answers" <<'ANS'
operator = hugo
seat.security-officer.1 = alice
seat.system-auditor.1 = sam
seat.hsm-administrator.1 = hugo
seat.key-holder.1 = bob
seat.key-holder.2 = carol
seat.key-holder.3 = dave
present.alice = alice
present.sam = sam
present.hugo = hugo
present.bob = bob
present.carol = carol
present.dave = dave
identity.attendance.alice = confirm
transcript-key.sam = confirm
witness.attendance.sam = confirm
actor-of.so-login.key-holder.1 = bob
actor-of.so-login.key-holder.2 = carol
holder.so-login.1 = bob
delivery.so-login.bob = card
holder.so-login.2 = carol
delivery.so-login.carol = words
witness.so-login.alice = confirm
witness.so-login.hugo = confirm
ANS

test_expect_success 'delivery both at a quorum: bob opens his SO PIN share with the card, carol types the words' '
	run_rehearsal so-login.yaml "$TEST_TMP/so-login.answers" "$TEST_TMP/sol" \
		--issued-in "$INIT/transcript.jsonl" >sol.log 2>&1 &&
	test_grep "Bob Laurent: share .* opened with the card and accepted" sol.log &&
	test_grep "Carol Petit: share .* accepted" sol.log &&
	! grep -q "Carol Petit: share .* opened with the card" sol.log &&
	test_grep "Quorum met for so-pin" sol.log &&
	grep "\"type\":\"quorum.share\"" "$TEST_TMP/sol/transcript.jsonl" >qs &&
	test $(grep -c "\"delivery\":\"card\"" qs) = 1
'

test_expect_success 'failing twin: delivery both, an answer neither card nor words' '
	sed "s/^delivery.so-login.bob = card/delivery.so-login.bob = maybe/" \
		"$TEST_TMP/so-login.answers" >bad.answers &&
	test_exit_code 1 run_rehearsal so-login.yaml bad.answers "$TEST_TMP/sol2" \
		--issued-in "$INIT/transcript.jsonl" >sol2.log 2>&1 &&
	test_grep "delivery.so-login.bob.: answer card or words" sol2.log
'

test_done
