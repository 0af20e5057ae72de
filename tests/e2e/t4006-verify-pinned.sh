#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pinned trust: ceremony verify --expect-key (the paper log's words, or the
# SPKI SHA-256 in hex) FAILS a whole forgery made with a fresh key, re-chained
# and re-signed, which without it verifies OK; every verdict says what it
# proves; --require-production FAILS rehearsals and scripted runs; archive
# verifies first and copies nothing it refuses.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample
DATA=$TEST_TOP/tests/data/verify

mkdir -p "$TEST_TMP/g" "$TEST_TMP/forged" "$TEST_TMP/cut" "$TEST_TMP/prod" &&
(cd "$TEST_TMP/g" && "$SAMPLE" --outputs out t.jsonl) &&
(cd "$TEST_TMP/forged" && "$SAMPLE" --outputs out t.jsonl) &&
(cd "$TEST_TMP/cut" && "$SAMPLE" --no-end t.jsonl) &&
(cd "$TEST_TMP/prod" && "$SAMPLE" --production t.jsonl) ||
	echo "could not make the sample transcripts" >&2

# The words and the hex of the genuine transcript key, as the paper log has them.
key_words() { grep "\"type\":\"transcript.key\"" "$1" | sed -n "s/.*\"fingerprint\":\"\([a-z ]*\)\".*/\1/p"; }
key_hex() { grep "\"type\":\"transcript.key\"" "$1" | sed -n "s/.*\"spki_sha256\":\"\([0-9a-f]*\)\".*/\1/p"; }
WORDS=$(key_words "$TEST_TMP/g/t.jsonl")
HEX=$(key_hex "$TEST_TMP/g/t.jsonl")

genuine() { cp -r "$TEST_TMP/g/t.jsonl" "$TEST_TMP/g/t.jsonl.p7s" "$TEST_TMP/g/t-signer.pem" "$TEST_TMP/g/out" .; }
forged() { cp -r "$TEST_TMP/forged/t.jsonl" "$TEST_TMP/forged/t.jsonl.p7s" "$TEST_TMP/forged/t-signer.pem" .; }

test_expect_success 'the paper-log words and the hex were read off the genuine transcript' '
	test "$(echo $WORDS | wc -w)" = 8 && test ${#HEX} = 64
'

test_expect_success 'a forgery with a fresh key, re-chained and re-signed, is OK when nothing is pinned, and says so' '
	forged &&
	ceremony verify t.jsonl >out.txt &&
	test_grep "^t.jsonl: OK" out.txt &&
	test_grep "proven:      signer key not pinned: this proves the file was not changed after signing by key" out.txt &&
	test_grep "not that this key is the ceremony" out.txt
'

test_expect_success 'the same forgery is FAILED with --expect-key (the paper-log words), naming the key that signed' '
	forged &&
	fw=$(key_words t.jsonl) &&
	test_exit_code 4 ceremony verify t.jsonl --expect-key "$WORDS" >out.txt &&
	test_grep "^t.jsonl: FAILED" out.txt &&
	test_grep "signed by key $fw (.*) is not an expected key (--expect-key)" out.txt &&
	test_grep "signature:   valid, by the announced key, NOT an expected key" out.txt &&
	test_grep "which is none of the expected keys" out.txt
'

test_expect_success 'twin: the genuine transcript is OK with the right words, any case and spacing' '
	genuine &&
	ceremony verify t.jsonl --outputs out --expect-key "$WORDS" >out.txt &&
	test_grep "^t.jsonl: OK" out.txt &&
	test_grep "expected:    $WORDS (matches)" out.txt &&
	test_grep "proven:      signed by an expected key (--expect-key)" out.txt &&
	! grep "Compare the fingerprint words" out.txt &&
	upper=$(echo "  $WORDS " | tr a-z A-Z | sed "s/ /   /g") &&
	ceremony verify t.jsonl --expect-key "$upper" >out.txt &&
	test_grep "^t.jsonl: OK" out.txt
'

test_expect_success 'twin: the genuine transcript is OK with the hex SPKI SHA-256, and with one of several keys' '
	genuine &&
	ceremony verify t.jsonl --expect-key "$HEX" >out.txt &&
	test_grep "^t.jsonl: OK" out.txt &&
	other=$(key_hex "$TEST_TMP/forged/t.jsonl") &&
	ceremony verify t.jsonl --expect-key "$other" --expect-key "$(echo $HEX | tr a-f A-F)" >out.txt &&
	test_grep "^t.jsonl: OK" out.txt
'

test_expect_success '--json: expected keys, whether the signer matched, what is proven' '
	genuine &&
	ceremony verify --json t.jsonl --expect-key "$WORDS" >v.json &&
	test_grep "\"expected_keys\":\[\"$WORDS\"\]" v.json &&
	test_grep "\"signer_matched\":true" v.json &&
	test_grep "\"proven\":\"signed by an expected key" v.json &&
	forged &&
	test_exit_code 4 ceremony verify --json t.jsonl --expect-key "$HEX" >v.json &&
	test_grep "\"signer_matched\":false" v.json &&
	ceremony verify --json t.jsonl >v.json &&
	test_grep "\"signer_matched\":null" v.json && test_grep "\"expected_keys\":\[\]" v.json
'

test_expect_success 'failing twin: --expect-key that is not a key is a usage error naming the bad word' '
	genuine &&
	test_exit_code 2 ceremony verify t.jsonl --expect-key "not eight words" 2>err &&
	test_grep "expected key \"not eight words\": neither 8 fingerprint words" err &&
	test_exit_code 2 ceremony verify t.jsonl --expect-key "$WORDS academic" 2>err &&
	test_grep "one word too many" err &&
	test_exit_code 2 ceremony verify t.jsonl --expect-key "${HEX%?}" 2>err &&
	test_grep "expected key" err
'

test_expect_success 'a truncated forgery signed by its own key: INCOMPLETE says nothing is proven of the signer' '
	cp "$TEST_TMP/cut/t.jsonl" "$TEST_TMP/cut/t.jsonl.p7s" "$TEST_TMP/cut/t-signer.pem" . &&
	test_exit_code 3 ceremony verify t.jsonl >out.txt &&
	test_grep "^t.jsonl: INCOMPLETE" out.txt &&
	test_grep "signature:   valid, by the announced key (not pinned: see below)" out.txt &&
	test_grep "proven:      the ceremony did not complete; signer key not pinned" out.txt
'

test_expect_success 'failing twin: the truncated forgery with the paper-log words is FAILED' '
	cp "$TEST_TMP/cut/t.jsonl" "$TEST_TMP/cut/t.jsonl.p7s" "$TEST_TMP/cut/t-signer.pem" . &&
	test_exit_code 4 ceremony verify t.jsonl --expect-key "$WORDS" >out.txt &&
	test_grep "^t.jsonl: FAILED" out.txt &&
	test_grep "is not an expected key" out.txt
'

test_expect_success 'an unsigned prefix says no one is shown to have written it' '
	"$SAMPLE" --no-end --no-sign t.jsonl &&
	test_exit_code 3 ceremony verify t.jsonl >out.txt &&
	test_grep "proven:      the ceremony did not complete; not signed: nothing proves who wrote these lines" out.txt
'

test_expect_success 'a rehearsal is shown plainly; --require-production FAILS it' '
	genuine &&
	ceremony verify t.jsonl >out.txt &&
	test_grep "production:  NO: a rehearsal" out.txt &&
	test_exit_code 4 ceremony verify t.jsonl --require-production >out.txt &&
	test_grep "line 1: a rehearsal (ceremony.start rehearsal: true), not a production ceremony (--require-production)" out.txt &&
	ceremony verify --json t.jsonl >v.json &&
	test_grep "\"production\":false" v.json && test_grep "\"rehearsal\":true" v.json
'

test_expect_success 'twin: a production transcript is OK with --require-production' '
	cp "$TEST_TMP/prod/t.jsonl" "$TEST_TMP/prod/t.jsonl.p7s" "$TEST_TMP/prod/t-signer.pem" . &&
	ceremony verify t.jsonl --require-production >out.txt &&
	test_grep "^t.jsonl: OK" out.txt &&
	test_grep "production:  yes" out.txt &&
	ceremony verify --json t.jsonl >v.json &&
	test_grep "\"production\":true" v.json && test_grep "\"scripted_input\":false" v.json
'

test_expect_success 'failing twin: a non-rehearsal run answered from a file FAILS --require-production' '
	sed "s/\"details\":{\"ceremony\":\"verify-test\"}/\"details\":{\"ceremony\":\"verify-test\",\"rehearsal\":false,\"scripted_input\":true}/" \
		"$DATA/ok.events" >e.events &&
	"$SAMPLE" --from e.events --script "$DATA/script.yaml" --roster "$DATA/roster.yaml" --date 2026-06-01 t.jsonl &&
	ceremony verify t.jsonl >out.txt &&
	test_grep "SCRIPTED INPUT" out.txt &&
	test_grep "production:  NO: prompts answered from a file" out.txt &&
	test_exit_code 4 ceremony verify t.jsonl --require-production >out.txt &&
	test_grep "prompts answered from a file (ceremony.start scripted_input: true), not a production ceremony" out.txt
'

test_expect_success 'replay says plainly whether the run was production, and what is proven' '
	genuine &&
	ceremony replay t.jsonl >r.txt &&
	test_grep "^production: NO: a rehearsal, prompts answered from a file" r.txt &&
	test_grep "^proven: signer key not pinned" r.txt &&
	cp "$TEST_TMP/prod/t.jsonl" "$TEST_TMP/prod/t.jsonl.p7s" "$TEST_TMP/prod/t-signer.pem" . &&
	ceremony replay t.jsonl >r.txt &&
	test_grep "^production: yes" r.txt
'

test_expect_success 'ceremony-verify answers the pinned check exactly as ceremony verify' '
	forged &&
	test_exit_code 4 ceremony verify t.jsonl --expect-key "$WORDS" >a.txt &&
	test_exit_code 4 "$TEST_BUILD/ceremony-verify" verify t.jsonl --expect-key "$WORDS" >b.txt &&
	test_cmp a.txt b.txt
'

test_expect_success 'archive refuses a FAILED transcript with the verdict and reason; nothing copied' '
	genuine && printf x >>t.jsonl && mkdir a b &&
	test_exit_code 4 ceremony archive t.jsonl --to a --to b >o 2>err &&
	test_grep "t.jsonl: FAILED: " err &&
	test_grep "refused, nothing copied" err &&
	test -z "$(find a b -mindepth 1)"
'

test_expect_success 'archive checks the outputs before copying them: a changed output is refused' '
	genuine && echo changed >>out/root-ca.pem && mkdir a b &&
	test_exit_code 4 ceremony archive t.jsonl --to a --to b --outputs out 2>err &&
	test_grep "FAILED: .*root-ca.pem" err &&
	test -z "$(find a b -mindepth 1)"
'

test_expect_success 'archive refuses another signer than --expect-key; twin: the right key archives' '
	forged && mkdir a b &&
	test_exit_code 4 ceremony archive t.jsonl --to a --to b --expect-key "$WORDS" 2>err &&
	test_grep "is not an expected key" err && test -z "$(find a b -mindepth 1)" &&
	rm -f t.jsonl* t-signer.pem && genuine &&
	ceremony archive t.jsonl --to a --to b --expect-key "$WORDS" >o &&
	test_grep "^a: ok, 3 files" o
'

test_expect_success 'archive refuses an INCOMPLETE transcript; nothing copied' '
	cp "$TEST_TMP/cut/t.jsonl" "$TEST_TMP/cut/t.jsonl.p7s" "$TEST_TMP/cut/t-signer.pem" . &&
	mkdir a b &&
	test_exit_code 3 ceremony archive t.jsonl --to a --to b >o 2>err &&
	test_grep "t.jsonl: INCOMPLETE: stopped after event" err &&
	test_grep "allow-incomplete archives it, marked" err &&
	test -z "$(find a b -mindepth 1)"
'

test_expect_success 'twin: --allow-incomplete archives it with an INCOMPLETE marker saying why' '
	cp "$TEST_TMP/cut/t.jsonl" "$TEST_TMP/cut/t.jsonl.p7s" "$TEST_TMP/cut/t-signer.pem" . &&
	mkdir a b &&
	ceremony archive t.jsonl --to a --to b --allow-incomplete >o &&
	test_grep "INCOMPLETE, archived as such" o &&
	test_grep "^b: ok, 3 files .*, marked INCOMPLETE" o &&
	for d in a b; do
		m=$(ls -d $d/*/INCOMPLETE) &&
		test_grep "^verdict: INCOMPLETE" "$m" &&
		test_grep "^reason: stopped after event" "$m" &&
		cmp t.jsonl "$(dirname "$m")/t.jsonl" || return 1
	done
'

test_done
