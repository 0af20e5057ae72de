#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Personal tokens in a whole ceremony (issue 14): one SoftHSM token per person
# as the stand-in card (key generated on the card by pkcs11-tool, its
# certificate issued by a software CA from the card's public key, both in the
# roster: certificate:, token:). tests/vectors/run/witness.yaml with
# attendance: card: each seated person's card signs the attendance challenge
# (recorded in the attendance event, re-checked by verify --script/--roster);
# after ceremony.end each co-signs the transcript on their card. Then verify
# --require-cosigners all is OK and stock openssl cms -verify checks every
# signer. At a terminal (script(1)) the PINs are typed without echo; one
# person's card is NSS softokn, in another module named by its module file
# in the roster's token: URI. Failing twins: another person's card (refused
# naming whose it is), an expired certificate (lint), a wrong card PIN (tries
# left said, then the right one), a final try (tried only after yes), a locked
# PIN, a skipped co-signer (FAILED naming who), a card never inserted
# (timeout), a forged transcript re-signed with a fresh key, a wrong or
# missing attendance signature, an unknown co-signer (lint).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
S=$TEST_TMP/scripts
K=$S/cards
TODAY=$(date -u +%F)
M=$SOFTHSM_MODULE
RUN="ceremony run --rehearsal --today $TODAY --module $M"
export CE_CARD_WAIT_S=2

# A stand-in card for ID: a SoftHSM token card-ID (user PIN pin-ID), an EC
# key generated on it, its certificate from the card CA into $K/ID.pem.
card() { # ID
	softhsm_token "card-$1" "$TEST_SO_PIN" "pin-$1" &&
	pkcs11-tool --module "$M" --token-label "card-$1" --login --pin "pin-$1" --keypairgen \
		--key-type EC:prime256v1 --id 01 --label "$1 card" >/dev/null 2>&1 &&
	pkcs11-tool --module "$M" --token-label "card-$1" --read-object --type pubkey --id 01 \
		-o "$K/$1.pub.der" >/dev/null 2>&1 &&
	openssl pkey -pubin -inform DER -in "$K/$1.pub.der" -out "$K/$1.pub.pem" &&
	openssl req -new -key "$K/ca.key" -subj "/CN=$1 card" -out "$K/$1.csr" 2>/dev/null &&
	printf "keyUsage=critical,digitalSignature\n" >"$K/ext" &&
	openssl x509 -req -in "$K/$1.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial \
		-force_pubkey "$K/$1.pub.pem" -days 365 -extfile "$K/ext" -out "$K/$1.pem" 2>/dev/null
}
# The roster line for ID: its certificate and its card's URI (default: its own).
roster_card() { # ID [TOKEN-LABEL]
	sed -i "s|^  - id: $1\$|&\n    certificate: cards/$1.pem\n    token: pkcs11:token=${2:-card-$1}|" \
		"$S/example-roster.yaml"
}
answers() { # extra lines on stdin appended
	cat >answers <<-EOF
	operator = alice
	seat.security-officer.1 = alice
	seat.system-auditor.1 = olivia
	seat.key-holder.1 = olivia
	seat.key-holder.2 = bob
	present.alice = alice
	present.olivia = olivia
	present.bob = bob
	identity.attendance.alice = confirm
	transcript-key.olivia = confirm
	witness.attendance.olivia = confirm
	actor-of.check.key-holder.1 = bob
	witness-of.check.system-auditor.1 = olivia
	record.check.envelopes = 5
	witness.check.olivia = confirm
	EOF
	cat >>answers
}
cosign_all() { printf "cosign.alice = card\ncosign.olivia = card\ncosign.bob = card\n"; }
pins() { printf "%s\n" "$@"; }
verify_cards() { # DIR [ARG...]
	vc_dir=$1; shift
	ceremony verify "$vc_dir/transcript.jsonl" --script "$S/cards.yaml" \
		--roster "$S/example-roster.yaml" "$@"
}

test_expect_success 'setup: a card per person (key made on the card), certificates in the roster' '
	mkdir -p "$K" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/ca.key" \
		-subj "/CN=cards CA" -days 3650 -out "$K/ca.pem" 2>/dev/null &&
	for id in alice olivia bob carol; do card $id || exit 1; done &&
	for id in alice olivia bob carol; do roster_card $id || exit 1; done &&
	sed -e "s|^roster: .*|roster: example-roster.yaml|" -e "s|^roles:|attendance: card\n&|" \
		"$TEST_TOP/tests/vectors/run/witness.yaml" >"$S/cards.yaml" &&
	ceremony roster check "$S/example-roster.yaml" --today $TODAY >out &&
	test "$(grep -c "^card " out)" = 4 && test_grep "0 errors" out &&
	ceremony lint "$S/cards.yaml" --today $TODAY >out 2>&1 &&
	test_grep "has no certificate: (the script seats persons by card)" out
'

test_expect_success 'a whole ceremony: attendance by card, everyone co-signs; verify and stock openssl' '
	answers </dev/null && cosign_all >>answers &&
	mkdir out &&
	pins pin-alice pin-olivia pin-bob pin-alice pin-olivia pin-bob |
		$RUN "$S/cards.yaml" --input answers --outdir out >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	test "$(grep -c "card checked (challenge signed" log)" = 3 &&
	test "$(grep -c "co-signed the transcript" log)" = 3 &&
	! grep -q "pin-" out/transcript.jsonl log &&
	test "$(grep -c "\"type\":\"attendance\"" out/transcript.jsonl)" = 3 &&
	test "$(grep "\"type\":\"attendance\"" out/transcript.jsonl | grep -c "\"signature\":")" = 3 &&
	verify_cards out --require-cosigners all >vout &&
	test_grep "transcript.jsonl: OK" vout &&
	test "$(grep -c "^  co-signed:   " vout)" = 3 &&
	cat out/transcript-signer.pem "$K/ca.pem" >anchors.pem &&
	openssl cms -verify -binary -inform PEM -in out/transcript.jsonl.p7s \
		-content out/transcript.jsonl -CAfile anchors.pem -purpose any -out /dev/null 2>err &&
	test_grep "CMS Verification successful" err &&
	cat out/transcript-signer.pem "$K/alice.pem" "$K/olivia.pem" >cards.pem &&
	test_must_fail openssl cms -verify -binary -inform PEM -in out/transcript.jsonl.p7s -partial_chain \
		-content out/transcript.jsonl -CAfile cards.pem -purpose any -out /dev/null 2>/dev/null &&
	cat "$K/bob.pem" >>cards.pem &&
	openssl cms -verify -binary -inform PEM -in out/transcript.jsonl.p7s -partial_chain \
		-content out/transcript.jsonl -CAfile cards.pem -purpose any -out /dev/null 2>err &&
	test_grep "CMS Verification successful" err &&
	openssl cms -cmsout -print -inform PEM -in out/transcript.jsonl.p7s >dump &&
	test "$(grep -c "d.issuerAndSerialNumber" dump)" = 4 &&
	cp -r out "$TEST_TMP/good"
'

# At a terminal (script(1) gives the run one): each card PIN typed once its
# prompt shows, without echo.
tty_cards() { # OUT LOG PIN...
	tc_out=$1 tc_log=$2
	shift 2
	(n=0
	 for pin in "$@"; do
		n=$((n + 1))
		for _ in $(seq 300); do
			[ "$(grep -o "the PIN of your card (not shown): " "$tc_log" 2>/dev/null | wc -l)" -ge $n ] && break
			sleep 0.1
		done
		printf "%s\r" "$pin"
	 done
	 sleep 1) |
	script -qec "ceremony run $S/cards.yaml --rehearsal --today $TODAY --module $M \
		--input answers --outdir $tc_out" /dev/null >"$tc_log" 2>&1
}

test_expect_success 'at a terminal each owner types the card PIN without echo' '
	answers </dev/null && cosign_all >>answers &&
	tty_cards out log pin-alice pin-olivia pin-bob pin-alice pin-olivia pin-bob &&
	test "$(grep -c "Olivia Chen (olivia): the PIN of your card (not shown): " log)" = 2 &&
	test_grep "Ceremony completed" log &&
	test "$(grep -c "co-signed the transcript" log)" = 3 &&
	! grep -q "pin-" log out/transcript.jsonl
'

test_expect_success 'failing twin: a changed byte of the transcript fails stock openssl for every signer' '
	cp -r "$TEST_TMP/good" g && sed -i "s/\"envelopes\":\"5\"/\"envelopes\":\"6\"/" g/transcript.jsonl &&
	cat g/transcript-signer.pem "$K/ca.pem" >anchors.pem &&
	test_must_fail openssl cms -verify -binary -inform PEM -in g/transcript.jsonl.p7s \
		-content g/transcript.jsonl -CAfile anchors.pem -purpose any -out /dev/null
'

test_expect_success 'failing twin: a skipped co-signer; --require-cosigners all is FAILED naming her' '
	answers </dev/null &&
	printf "cosign.alice = card\ncosign.olivia = skip\ncosign.bob = card\n" >>answers &&
	mkdir out &&
	pins pin-alice pin-olivia pin-bob pin-alice pin-bob |
		$RUN "$S/cards.yaml" --input answers --outdir out >log 2>&1 &&
	test_grep "SKIPPED: Olivia Chen (olivia) does not co-sign" log &&
	test -s out/transcript.jsonl.p7s &&
	verify_cards out >vout && test_grep "transcript.jsonl: OK" vout &&
	test_exit_code 4 verify_cards out --require-cosigners all >vout &&
	test_grep "transcript.jsonl: FAILED" vout &&
	test_grep "missing co-signature (--require-cosigners): Olivia Chen (olivia" vout
'

test_expect_success 'failing twin: a wrong card PIN says the tries left; the right one then seats her' '
	answers </dev/null <<-EOF &&
	present.olivia = olivia
	cosign.alice = skip
	cosign.olivia = skip
	cosign.bob = skip
	EOF
	mkdir out &&
	pins pin-alice wrong-pin pin-olivia pin-bob |
		$RUN "$S/cards.yaml" --input answers --outdir out >log 2>&1 &&
	test_grep "REFUSED: olivia is not seated: C_Login .*CKR_PIN_INCORRECT.*\[few tries left\]" log &&
	test_grep "Warning: the card of Olivia Chen (olivia) reports few PIN tries left." log &&
	test_grep "Ceremony completed" log &&
	! grep -q "wrong-pin" log out/transcript.jsonl
'

test_expect_success 'cosigners: a role list asks only those; lint refuses an unknown co-signer' '
	sed "s|^attendance: card|attendance: card\ncosigners: [key-holder]|" "$S/cards.yaml" >"$S/kh.yaml" &&
	answers <<-EOF &&
	cosign.olivia = card
	cosign.bob = card
	EOF
	mkdir out &&
	pins pin-alice pin-olivia pin-bob pin-olivia pin-bob |
		ceremony run --rehearsal --today $TODAY --module $M "$S/kh.yaml" --input answers --outdir out >log 2>&1 &&
	test_grep "Co-signatures: 2 made, 0 skipped." log &&
	! grep -q "cosign.alice" log &&
	sed "s|^attendance: card|cosigners: [bob, zed]|" "$S/cards.yaml" >"$S/zed.yaml" &&
	test_exit_code 1 ceremony lint "$S/zed.yaml" --today $TODAY >lint.out 2>&1 ;
	test_grep "cosigners: .zed. is neither a role nor a person of the roster" lint.out &&
	! grep -q "cosigners: .bob." lint.out
'

# The ceremony through the fault module, every card reporting user PIN flags Q.
fm_run() { # Q ANSWERS OUT
	mkdir -p "$3" &&
	env FAULTMOD_MODULE="$M" FAULTMOD_QUIRKS="user-pin=$1" ceremony run --rehearsal --today $TODAY \
		--module "$TEST_BUILD/tests/libfaultmod.so" "$S/cards.yaml" --input "$2" --outdir "$3"
}

test_expect_success 'a card on its final PIN try: said first, tried only after an explicit yes' '
	answers <<-EOF &&
	card-final-try.alice = yes
	card-final-try.olivia = yes
	card-final-try.bob = yes
	cosign.alice = skip
	cosign.olivia = skip
	cosign.bob = skip
	EOF
	pins pin-alice pin-olivia pin-bob | fm_run final answers out >log 2>&1 &&
	test_grep "WARNING: the card of Alice Martin (alice) has ONE PIN try left: a wrong PIN now locks the card." log &&
	test_grep "Ceremony completed" log
'

test_expect_success 'failing twin: final try and no yes: no PIN is tried, the person is not seated' '
	answers <<-EOF &&
	card-final-try.alice = no
	EOF
	pins pin-alice | test_must_fail fm_run final answers out >log 2>&1 ;
	test_grep "REFUSED: alice is not seated: Alice Martin (alice) did not try the last PIN try of their card" log &&
	! grep -q "Ceremony completed" log
'

test_expect_success 'failing twin: a locked card PIN is refused before any PIN is typed' '
	answers </dev/null &&
	: | test_must_fail fm_run locked answers out >log 2>&1 ;
	test_grep "REFUSED: alice is not seated: the PIN of the card of Alice Martin (alice) is locked" log
'

test_expect_success 'failing twin: the card of another person is refused, naming whose card it is' '
	cp "$S/example-roster.yaml" roster.bak &&
	sed -i "s|token: pkcs11:token=card-carol|token: pkcs11:token=card-bob|" "$S/example-roster.yaml" &&
	sed -e "s/seat.key-holder.2 = bob/seat.key-holder.2 = carol/" -e "s/present.bob = bob/present.carol = carol/" \
		-e "s/actor-of.check.key-holder.1 = bob/actor-of.check.key-holder.1 = carol/" \
		<(answers </dev/null; cat answers) >a2 &&
	mkdir out &&
	pins pin-alice pin-olivia pin-bob | test_must_fail $RUN "$S/cards.yaml" --input a2 --outdir out >log 2>&1;
	cp roster.bak "$S/example-roster.yaml" &&
	test_grep "REFUSED: carol is not seated: this is the card of Bob Laurent (bob), not of Carol Petit (carol)" log
'

test_expect_success 'failing twin: a card never inserted: the prompt, then the timeout' '
	cp "$S/example-roster.yaml" roster.bak &&
	sed -i "s|token: pkcs11:token=card-bob|token: pkcs11:token=card-nobody|" "$S/example-roster.yaml" &&
	answers </dev/null && mkdir out &&
	pins pin-alice pin-olivia | test_must_fail $RUN "$S/cards.yaml" --input answers --outdir out >log 2>&1;
	cp roster.bak "$S/example-roster.yaml" &&
	test_grep "Insert the card of Bob Laurent (bob) ... (waiting up to 2 s)" log &&
	test_grep "the card of Bob Laurent (bob) was not inserted: no token matches .pkcs11:token=card-nobody. after 2 s" log
'

test_expect_success 'failing twin: an expired card certificate is refused by lint' '
	ceremony lint "$S/cards.yaml" --today $TODAY >out 2>&1 &&
	test_exit_code 1 ceremony lint "$S/cards.yaml" --today 2028-06-01 >out 2>&1 ;
	test_grep "certificate of person .alice. expired on" out
'

test_expect_success 'a card of another implementation in another module: NSS softokn (its module file named in token:)' '
	N=$TEST_TMP/nss &&
	nss_setup "$N" nss-pin-carol &&
	printf "nss-pin-carol\n" >pw && head -c 64 /dev/urandom >noise &&
	certutil -S -d "sql:$N" -n carol -s "CN=carol nss card" -x -t ",," -k ec -q nistp256 \
		--keyUsage digitalSignature -f pw -z noise -v 12 >/dev/null 2>&1 &&
	rm -f pw &&
	certutil -L -d "sql:$N" -n carol -a >"$K/carol-nss.pem" &&
	cp "$S/example-roster.yaml" "$S/nss-roster.yaml" &&
	sed -i -e "s|certificate: cards/carol.pem|certificate: cards/carol-nss.pem|" \
		-e "s|token: pkcs11:token=card-carol|token: \"pkcs11:token=NSS%20Certificate%20DB;module-path=$N/nss.module\"|" \
		"$S/nss-roster.yaml" &&
	sed -e "s|^roster: .*|roster: nss-roster.yaml|" "$S/cards.yaml" >"$S/nss.yaml" &&
	sed -e "s/seat.key-holder.2 = bob/seat.key-holder.2 = carol/" -e "s/present.bob = bob/present.carol = carol/" \
		-e "s/actor-of.check.key-holder.1 = bob/actor-of.check.key-holder.1 = carol/" \
		<(answers </dev/null; cat answers) >a2 &&
	printf "cosign.alice = card\ncosign.olivia = card\ncosign.carol = card\n" >>a2 &&
	mkdir out &&
	pins pin-alice pin-olivia nss-pin-carol pin-alice pin-olivia nss-pin-carol |
		$RUN "$S/nss.yaml" --input a2 --outdir out >log 2>&1 &&
	test_grep "Carol Petit (carol): card checked" log &&
	test_grep "Carol Petit (carol) co-signed the transcript." log &&
	ceremony verify out/transcript.jsonl --script "$S/nss.yaml" --roster "$S/nss-roster.yaml" \
		--require-cosigners all >vout &&
	test_grep "transcript.jsonl: OK" vout &&
	test "$(grep -c "^  co-signed:   " vout)" = 3 &&
	test_grep "\"label\":\"NSS Certificate DB\"" out/transcript.jsonl
'

test_expect_success 'cards in three modules at once: the run module, NSS softokn (RFC 7512 ?module-path=), another library (;module-path=), a module by name' '
	cp "$S/nss-roster.yaml" "$S/multi-roster.yaml" &&
	sed -i "s|NSS%20Certificate%20DB;module-path=|NSS%20Certificate%20DB?module-path=|" "$S/multi-roster.yaml" &&
	grep -q "DB?module-path=" "$S/multi-roster.yaml" &&
	sed -i "s|token: pkcs11:token=card-alice\$|token: \"pkcs11:token=card-alice?module-name=softhsm2\"|" "$S/multi-roster.yaml" &&
	grep -q "card-alice?module-name=softhsm2" "$S/multi-roster.yaml" &&
	sed -i "s|token: pkcs11:token=card-olivia|token: \"pkcs11:token=card-olivia;module-path=$TEST_BUILD/tests/libfaultmod.so\"|" \
		"$S/multi-roster.yaml" &&
	sed -e "s|^roster: .*|roster: multi-roster.yaml|" "$S/cards.yaml" >"$S/multi.yaml" &&
	sed -e "s/seat.key-holder.2 = bob/seat.key-holder.2 = carol/" -e "s/present.bob = bob/present.carol = carol/" \
		-e "s/actor-of.check.key-holder.1 = bob/actor-of.check.key-holder.1 = carol/" \
		<(answers </dev/null; cat answers) >a2 &&
	printf "cosign.alice = card\ncosign.olivia = card\ncosign.carol = card\n" >>a2 &&
	mkdir out3 &&
	pins pin-alice pin-olivia nss-pin-carol pin-alice pin-olivia nss-pin-carol |
		env FAULTMOD_MODULE="$M" $RUN "$S/multi.yaml" --input a2 --outdir out3 >log3 2>&1 &&
	test_grep "Olivia Chen (olivia): card checked" log3 &&
	test_grep "Carol Petit (carol): card checked" log3 &&
	test "$(grep -c "co-signed the transcript." log3)" = 3 &&
	ceremony verify out3/transcript.jsonl --script "$S/multi.yaml" --roster "$S/multi-roster.yaml" \
		--require-cosigners all >vout3 &&
	test_grep "transcript.jsonl: OK" vout3 &&
	test "$(grep -c "^  co-signed:   " vout3)" = 3
'

# olivia's card reached through the fault module (module-path= in her
# token: URI), which pulls it out at its Nth C_Sign, back BACK s later (0:
# never): FAULTMOD_QUIRKS pull=C_Sign:N:BACK. Her first C_Sign is the
# attendance challenge, her second the co-signature.
pull_run() { # N:BACK OUT PIN...
	pr_q=$1 pr_out=$2
	shift 2
	cp "$S/example-roster.yaml" roster.bak &&
	sed -i "s|token: pkcs11:token=card-olivia|token: \"pkcs11:token=card-olivia;module-path=$TEST_BUILD/tests/libfaultmod.so\"|" \
		"$S/example-roster.yaml" &&
	mkdir -p "$pr_out" &&
	pins "$@" | env FAULTMOD_MODULE="$M" FAULTMOD_QUIRKS="pull=C_Sign:$pr_q" \
		$RUN "$S/cards.yaml" --input answers --outdir "$pr_out"
	pr_rc=$?
	cp "$S/example-roster.yaml" "$S/pulled-roster.yaml"
	cp roster.bak "$S/example-roster.yaml"
	return $pr_rc
}
verify_pulled() { # DIR [ARG...]: the transcript of a pull_run
	vp_dir=$1; shift
	ceremony verify "$vp_dir/transcript.jsonl" --script "$S/cards.yaml" \
		--roster "$S/pulled-roster.yaml" "$@"
}

test_expect_success 'a card pulled out during the co-signature: said, asked back, a fresh login, co-signed' '
	answers </dev/null && cosign_all >>answers &&
	pull_run 2:1 out pin-alice pin-olivia pin-bob pin-alice pin-olivia pin-olivia pin-bob >log 2>&1 &&
	test_grep "CARD REMOVED: the card of Olivia Chen (olivia) was pulled out during the co-signature of the transcript (.*CKR_DEVICE_REMOVED" log &&
	test_grep "Insert the card of Olivia Chen (olivia) again: the co-signature of the transcript starts again with a fresh login" log &&
	test_grep "Insert the card of Olivia Chen (olivia) ... (waiting up to 2 s)" log &&
	test "$(grep -c "co-signed the transcript" log)" = 3 &&
	verify_pulled out --require-cosigners all >vout &&
	test_grep "transcript.jsonl: OK" vout &&
	test "$(grep -c "^  co-signed:   " vout)" = 3
'

test_expect_success 'failing twin: a card pulled out and not inserted again: she is skipped, said; the transcript verifies without her' '
	answers </dev/null && cosign_all >>answers &&
	pull_run 2:0 out pin-alice pin-olivia pin-bob pin-alice pin-olivia pin-bob >log 2>&1 &&
	test_grep "CARD REMOVED: the card of Olivia Chen (olivia) was pulled out during the co-signature" log &&
	test_grep "SKIPPED: Olivia Chen (olivia) does not co-sign the transcript: the card of Olivia Chen (olivia) was removed during the co-signature of the transcript and not inserted again" log &&
	test_grep "Co-signatures: 2 made, 1 skipped." log &&
	test_grep "Ceremony completed" log &&
	verify_pulled out >vout && test_grep "transcript.jsonl: OK" vout &&
	test_exit_code 4 verify_pulled out --require-cosigners all >vout &&
	test_grep "missing co-signature (--require-cosigners): Olivia Chen (olivia" vout
'

test_expect_success 'failing twin: a card pulled out during the attendance and not back: not seated, said, nothing half-written' '
	answers </dev/null &&
	test_must_fail pull_run 1:0 out pin-alice pin-olivia >log 2>&1;
	test_grep "CARD REMOVED: the card of Olivia Chen (olivia) was pulled out during the attendance (signing its challenge)" log &&
	test_grep "REFUSED: olivia is not seated: the card of Olivia Chen (olivia) was removed during the attendance (signing its challenge) and not inserted again" log &&
	test_grep "The transcript out/transcript.jsonl is kept: .ceremony verify. reports it as INCOMPLETE" log &&
	test_exit_code 3 verify_pulled out >vout;
	rc=$?; cat vout >&2; test $rc = 0 &&
	test_grep "transcript.jsonl: INCOMPLETE" vout &&
	test_grep "signature:   valid" vout
'

# The good transcript re-written event by event (PY applied to each event e)
# by transcript-sample: re-chained and signed by a fresh key that its own
# transcript.key announces, as a compromised workstation could; into OUT.
forge() { # PY OUT
	python3 -c '
import json, sys
out = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    n = {"type": e["type"], "details": e.get("details", {})}
    if e["type"] == "ceremony.start":
        n["details"].pop("script_sha256", None)
        n["details"].pop("roster_sha256", None)
    if e.get("step"):
        n["step"] = e["step"]
    for k in ("persons", "witnesses"):
        if e.get(k):
            n[k] = [x["id"] + (":" + x["roles"][0] if x.get("roles") else "") for x in e[k]]
    exec(sys.argv[2], {"e": n})
    out.append(json.dumps(n))
open("re.events", "w").write("\n".join(out) + "\n")' "$TEST_TMP/good/transcript.jsonl" "$1" &&
	"$TEST_BUILD/tests/transcript-sample" --from re.events --script "$S/cards.yaml" \
		--roster "$S/example-roster.yaml" --date "$TODAY" "$2"
}

test_expect_success 'failing twin: the transcript forged and re-signed with a fresh key alone is FAILED with --require-cosigners' '
	forge "pass" f.jsonl &&
	ceremony verify f.jsonl --script "$S/cards.yaml" --roster "$S/example-roster.yaml" >vout &&
	test_grep "f.jsonl: OK" vout &&
	test_exit_code 4 ceremony verify f.jsonl --script "$S/cards.yaml" \
		--roster "$S/example-roster.yaml" --require-cosigners all >vout &&
	test_grep "f.jsonl: FAILED" vout &&
	test_grep "missing co-signatures (--require-cosigners): Alice Martin (alice, security-officer)" vout
'

test_expect_success 'failing twin: an attendance signature that is not the card signature of its person is FAILED naming her' '
	osig=$(grep "\"type\":\"attendance\"" "$TEST_TMP/good/transcript.jsonl" | grep "\"id\":\"olivia\"" |
		sed -n "s/.*\"signature\":\"\([^\"]*\)\".*/\1/p") && test -n "$osig" &&
	forge "sig = \"$osig\"
if e[\"type\"] == \"attendance\" and e[\"persons\"][0].startswith(\"bob\"):
    e[\"details\"][\"card\"][\"signature\"] = sig" f.jsonl &&
	test_exit_code 4 ceremony verify f.jsonl --script "$S/cards.yaml" --roster "$S/example-roster.yaml" >vout &&
	test_grep "attendance of Bob Laurent (bob): the card signature does not verify with their roster certificate" vout
'

test_expect_success 'failing twin: the script seats by card and an attendance has no card: FAILED' '
	forge "
if e[\"type\"] == \"attendance\" and e[\"persons\"][0].startswith(\"olivia\"):
    del e[\"details\"][\"card\"]" f.jsonl &&
	test_exit_code 4 ceremony verify f.jsonl --script "$S/cards.yaml" --roster "$S/example-roster.yaml" >vout &&
	test_grep "attendance of olivia: the script seats by card, and no card signed" vout
'

test_done
