#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ceremony print`: the script as the paper the room follows, and the
# attestation of a run, as PDF; rendered to PNG (pdftoppm), their text read
# back (pdftotext) and the attestation's QR code scanned (zbarimg) against
# the transcript's SHA-256. Failing twins: an existing output is never
# written over, a bad script or no -o writes nothing, a changed transcript
# gives another QR and is FAILED on the page.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample
SCRIPTS=$TEST_TOP/scripts

text() { pdftotext -layout "$1" - | tr -s " "; }

test_expect_success 'print SCRIPT: each step, its people with initial boxes, blanks to read aloud' '
	ceremony print "$SCRIPTS/root-ca.yaml" -o s.pdf >out &&
	test_grep "wrote s.pdf" out &&
	pdftoppm -r 40 -png s.pdf page && test -s page-1.png &&
	text s.pdf >t &&
	test_grep "Ceremony script: Root CA 2026 key generation" t &&
	test_grep "Step 2 of 6 - login: Key holders log in to the root token" t &&
	test_grep "Action quorum.login" t &&
	test_grep "key-holder 3 of 3 name initials" t &&
	test_grep "user-pin: quorum met, set:" t &&
	test_grep "key fingerprint (8 words):" t &&
	test_grep "root-ca.pem, fingerprint (8 words):" t &&
	test_grep "Transcript key fingerprint (8 words):" t &&
	test_grep "security-officer 1 of 1: name and signature" t &&
	sha=$(sha256sum "$SCRIPTS/root-ca.yaml" | cut -d" " -f1) &&
	test_grep "$sha" t
'

test_expect_success 'print SCRIPT: a checklist item to record gets its blank' '
	ceremony print "$SCRIPTS/backup-token-init.yaml" -o b.pdf >/dev/null &&
	text b.pdf >t &&
	test_grep "hsm-bag-serial (read aloud):" t &&
	test_grep "backup-user-pin (pin, token backup): 3 of 5 shares needed" t &&
	test_grep "backup-user-pin: new share set identifier:" t
'

test_expect_success 'failing twin: an existing output is not written over' '
	echo keep >s.pdf &&
	test_exit_code 1 ceremony print "$SCRIPTS/root-ca.yaml" -o s.pdf 2>err &&
	test_grep "s.pdf" err && test_grep -i "exists" err &&
	test "$(cat s.pdf)" = keep
'

test_expect_success 'failing twin: an invalid script, or no -o, writes nothing' '
	printf "format: 1\nname: x\n" >bad.yaml &&
	test_exit_code 1 ceremony print bad.yaml -o x.pdf 2>err &&
	test_grep "bad.yaml" err && ! test -e x.pdf &&
	test_exit_code 2 ceremony print "$SCRIPTS/root-ca.yaml" 2>err &&
	test_grep "no output file (-o FILE)" err &&
	test_exit_code 2 ceremony print "$SCRIPTS/root-ca.yaml" --transcript t.jsonl -o y.pdf 2>err &&
	test_grep "a script or --transcript, not both" err && ! test -e y.pdf
'

test_expect_success 'print --transcript: the verdict, every step, the words, a QR of the SHA-256' '
	"$SAMPLE" --outputs o t.jsonl >/dev/null &&
	ceremony verify t.jsonl >v &&
	words=$(sed -n "s/^  fingerprint: //p" v) && test -n "$words" &&
	sha=$(sha256sum t.jsonl | cut -d" " -f1) &&
	ceremony print --transcript t.jsonl -o a.pdf >out &&
	test_grep "t.jsonl: OK" out &&
	text a.pdf >t &&
	test_grep "Ceremony attestation: root-ca" t &&
	test_grep "Transcript t.jsonl: OK" t &&
	test_grep "Transcript SHA-256: $sha" t &&
	pdftotext a.pdf - | tr "\n" " " | tr -s " " >flat &&
	test_grep "$words" flat &&
	test_grep "file root-ca.pem:" t &&
	test_grep "step keygen: done" t &&
	test_grep "alice (security-officer) logged in as user" t &&
	test_grep "Signatures" t && test_grep "(alice, security-officer)" t &&
	pdftoppm -r 100 -png -f 1 -l 1 a.pdf page &&
	zbarimg -q --raw page-1.png 2>/dev/null >qr &&
	test "$(cat qr)" = "$sha"
'

test_expect_success 'failing twin: a changed transcript prints FAILED and another QR' '
	"$SAMPLE" --outputs o t.jsonl >/dev/null &&
	sha=$(sha256sum t.jsonl | cut -d" " -f1) &&
	sed -i "s/Alice Martin/Alice Mallet/" t.jsonl &&
	ceremony print --transcript t.jsonl -o a.pdf >out &&
	test_grep "t.jsonl: FAILED" out &&
	text a.pdf >t && test_grep "Transcript t.jsonl: FAILED" t &&
	pdftoppm -r 100 -png -f 1 -l 1 a.pdf page &&
	zbarimg -q --raw page-1.png 2>/dev/null >qr &&
	test -s qr && test "$(cat qr)" != "$sha" &&
	test "$(cat qr)" = "$(sha256sum t.jsonl | cut -d" " -f1)"
'

test_expect_success 'print --transcript --script: verified against the script, named on the page' '
	Z=0000000000000000000000000000000000000000000000000000000000000000 &&
	echo "{\"type\": \"ceremony.start\", \"persons\": [\"carol:system-operator\"], \"details\": {\"ceremony\": \"x\", \"script_sha256\": \"$Z\", \"roster_sha256\": \"$Z\"}}" >e &&
	"$SAMPLE" --from e --no-sign u.jsonl &&
	ceremony print --transcript u.jsonl --script "$SCRIPTS/root-ca.yaml" -o u.pdf >out &&
	text u.pdf >t &&
	test_grep "Script: Root CA 2026 key generation, version 1.0" t
'

test_done
