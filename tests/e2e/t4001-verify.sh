#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony verify: a genuine transcript verifies (with our tool, with stock
# openssl, with sha256sum and a shell hash-chain check); every tampering is
# FAILED (exit 4) with a precise reason; every cut is INCOMPLETE (exit 3).
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample

# flip BYTE-OFFSET FILE: xor one byte with 0x01, in place
flip() {
	python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[o] ^= 1; open(p, "wb").write(b)' "$2" "$1"
}

# sed on line N only, with a python regex: sub N FROM TO FILE
sub() {
	python3 -c 'import re, sys
n, a, b, p = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ls = open(p, "rb").read().split(b"\n")
new = re.sub(a.encode(), b.encode(), ls[n - 1], count=1)
assert new != ls[n - 1], "no change"
ls[n - 1] = new
open(p, "wb").write(b"\n".join(ls))' "$@"
}

mkdir -p "$TEST_TMP/g" &&
(cd "$TEST_TMP/g" && "$SAMPLE" --outputs out t.jsonl && mkdir other && cd other && "$SAMPLE" --outputs out t.jsonl) ||
	echo "could not make the sample transcripts" >&2

# fresh copy of the genuine sample into the test directory
genuine() { cp -r "$TEST_TMP/g/t.jsonl" "$TEST_TMP/g/t.jsonl.p7s" "$TEST_TMP/g/t-signer.pem" "$TEST_TMP/g/out" .; }

test_expect_success 'a genuine transcript verifies OK' '
	genuine &&
	ceremony verify t.jsonl --outputs out >out.txt &&
	test_grep "^t.jsonl: OK" out.txt &&
	test_grep "signature:   valid, by the announced key" out.txt &&
	test_grep "outputs:     2 checked" out.txt
'

test_expect_success 'the fingerprint words printed by verify are those of the signer key' '
	genuine &&
	ceremony verify --json t.jsonl >v.json &&
	spki=$(openssl x509 -in t-signer.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d" " -f1) &&
	test_grep "\"signer_spki_sha256\":\"$spki\"" v.json &&
	test_grep "\"verdict\":\"OK\"" v.json && test_grep "\"exit\":0" v.json
'

test_expect_success 'stock openssl cms -verify accepts it (the command of the doc)' '
	genuine &&
	openssl cms -verify -binary -inform PEM -in t.jsonl.p7s \
		-content t.jsonl -CAfile t-signer.pem -purpose any -out /dev/null 2>err &&
	test_grep "CMS Verification successful" err
'

test_expect_success 'the signer is the announced key and the one inside the .p7s (auditor guide)' '
	genuine &&
	a=$(openssl x509 -in t-signer.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d" " -f1) &&
	b=$(grep "\"type\":\"transcript.key\"" t.jsonl | sed "s/.*\"spki_sha256\":\"\([0-9a-f]*\)\".*/\1/") &&
	test "$a" = "$b" &&
	openssl cms -verify -binary -inform PEM -in t.jsonl.p7s \
		-content t.jsonl -noverify -signer signer-in-p7s.pem -out /dev/null &&
	cmp signer-in-p7s.pem t-signer.pem &&
	! cmp signer-in-p7s.pem "$TEST_TMP/g/other/t-signer.pem"
'

test_expect_success 'stock openssl cms -verify refuses a changed byte' '
	genuine && flip 100 t.jsonl &&
	test_exit_code 4 openssl cms -verify -binary -inform PEM -in t.jsonl.p7s \
		-content t.jsonl -CAfile t-signer.pem -purpose any -out /dev/null 2>err &&
	test_grep "Verification failure" err
'

test_expect_success 'sha256sum -c checks the outputs against the transcript (auditor guide)' '
	genuine &&
	cat >guide.sh <<-\EOF &&
	sed -n '"'"'s/.*"file":"\([^"]*\)","sha256":"\([0-9a-f]\{64\}\)".*/\2  \1/p'"'"' \
	    transcript.jsonl | sort -u >SHA256SUMS
	EOF
	cp t.jsonl transcript.jsonl && sh guide.sh &&
	test "$(wc -l <SHA256SUMS)" = 1 &&
	(cd out && sha256sum -c ../SHA256SUMS) &&
	echo changed >>out/root-ca.pem &&
	! (cd out && sha256sum -c ../SHA256SUMS)
'

test_expect_success 'the hash chain checks with a few lines of shell (auditor guide)' '
	genuine &&
	prev=0000000000000000000000000000000000000000000000000000000000000000 bad=0 &&
	while IFS= read -r line; do
		p=$(printf "%s" "$line" | sed "s/.*\"prev\":\"\([0-9a-f]*\)\".*/\1/");
		[ "$p" = "$prev" ] || bad=1;
		prev=$(printf "%s" "$line" | sha256sum | cut -d" " -f1);
	done <t.jsonl &&
	test $bad = 0 &&
	sub 5 "\"present\"" "\"absent\"" t.jsonl && bad=0 &&
	prev=0000000000000000000000000000000000000000000000000000000000000000 &&
	while IFS= read -r line; do
		p=$(printf "%s" "$line" | sed "s/.*\"prev\":\"\([0-9a-f]*\)\".*/\1/");
		[ "$p" = "$prev" ] || bad=1;
		prev=$(printf "%s" "$line" | sha256sum | cut -d" " -f1);
	done <t.jsonl &&
	test $bad = 1
'

test_expect_success 'a changed prev hash is FAILED at that line' '
	genuine && sub 5 "\"prev\":\"(.)" "\"prev\":\"Z" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 5: prev does not match the SHA-256 of line 4" o
'

test_expect_success 'a changed detail is FAILED at the next line' '
	genuine && sub 5 "\"present\"" "\"absent\"" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 6: prev does not match the SHA-256 of line 5 (line 5 was changed" o
'

test_expect_success 'a changed seq is FAILED' '
	genuine && sub 5 "\"seq\":4" "\"seq\":7" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 5: seq 7, expected 4" o
'

test_expect_success 'a time going back is FAILED' '
	genuine && sub 6 "\"time\":\"[0-9]{4}" "\"time\":\"2000" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 6: time goes back" o
'

test_expect_success 'a malformed time is FAILED' '
	genuine && sub 6 "Z\",\"type\"" "+01:00\",\"type\"" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 6: time is not a UTC time" o
'

test_expect_success 'a change in the last line is caught by the signature' '
	genuine && sub 26 "completed" "completeD" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "signature does not match the transcript" o
'

test_expect_success 'flipping any byte (every 37th of the file) is FAILED, never OK or INCOMPLETE' '
	genuine && size=$(wc -c <t.jsonl) && o=0 &&
	while [ $o -lt $size ]; do
		cp t.jsonl x.jsonl && cp t.jsonl.p7s x.jsonl.p7s && flip $o x.jsonl &&
		ceremony verify x.jsonl >o 2>&1; rc=$?;
		if [ $rc != 4 ]; then echo "offset $o: exit $rc"; cat o; exit 1; fi;
		o=$((o + 37));
	done
'

# 0 when the PEM files A and B carry the same DER (a flip in the unused low
# bits of the base64 character before "=" padding changes no byte of the
# signature: nothing was tampered with, such an offset is not asked to fail)
same_der() {
	python3 -c 'import base64, sys
def der(p):
    ls = open(p, "rb").read().split(b"\n")
    return base64.b64decode(b"".join(l for l in ls if l and not l.startswith(b"-----")), validate=True)
try:
    sys.exit(0 if der(sys.argv[1]) == der(sys.argv[2]) else 1)
except Exception:
    sys.exit(1)' "$1" "$2"
}

test_expect_success 'flipping any byte of the signature (every 5th) is FAILED, never OK' '
	genuine && rm t-signer.pem && size=$(wc -c <t.jsonl.p7s) && o=0 &&
	while [ $o -lt $size ]; do
		cp t.jsonl x.jsonl && cp t.jsonl.p7s x.jsonl.p7s && flip $o x.jsonl.p7s &&
		if same_der t.jsonl.p7s x.jsonl.p7s; then o=$((o + 5)); continue; fi &&
		ceremony verify x.jsonl >o 2>&1; rc=$?;
		if [ $rc != 4 ]; then echo "offset $o: exit $rc"; cat o; exit 1; fi;
		o=$((o + 5));
	done
'

test_expect_success 'a SignerInfo version changed from 1 to 0 (no signature covers it) is FAILED' '
	genuine && openssl cms -cmsout -in t.jsonl.p7s -inform PEM -outform DER -out s.der &&
	off=$(openssl asn1parse -inform DER -in s.der | grep "d=5 *hl=2 l= *1 prim: *INTEGER *:01" | head -n 1 | cut -d: -f1) &&
	test -n "$off" &&
	python3 -c "import sys
b = bytearray(open(\"s.der\", \"rb\").read()); o = int(sys.argv[1]) + 2
assert b[o] == 1; b[o] = 0; open(\"s.der\", \"wb\").write(b)" "$off" &&
	openssl cms -cmsout -in s.der -inform DER -outform PEM -out t.jsonl.p7s &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "SignedData or SignerInfo version is not 1" o
'

test_expect_success 'twin: the same round trip through openssl without the change verifies OK' '
	genuine && openssl cms -cmsout -in t.jsonl.p7s -inform PEM -outform DER -out s.der &&
	openssl cms -cmsout -in s.der -inform DER -outform PEM -out t.jsonl.p7s &&
	ceremony verify t.jsonl >o && test_grep "^t.jsonl: OK" o
'

test_expect_success 'the last byte (the final newline) flipped is FAILED' '
	genuine && flip $(($(wc -c <t.jsonl) - 1)) t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "partial last line" o
'

test_expect_success 'a deleted line is FAILED' '
	genuine && sed -i 7d t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 7: seq 7, expected 6" o
'

test_expect_success 'a duplicated line is FAILED' '
	genuine && sed -i "7p" t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 8: seq 6, expected 7" o
'

test_expect_success 'two lines swapped are FAILED' '
	genuine && awk "NR==7{h=\$0;next} NR==8{print;print h;next} {print}" t.jsonl >x && mv x t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 7: seq 7, expected 6" o
'

test_expect_success 'the first line removed is FAILED' '
	genuine && sed -i 1d t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 1: seq 1, expected 0" o
'

test_expect_success 'truncated mid-line, signed: FAILED' '
	genuine && head -c 3000 t.jsonl >x && mv x t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "partial last line (no newline) in a signed transcript" o
'

test_expect_success 'truncated at a line boundary, signed: FAILED' '
	genuine && head -n 20 t.jsonl >x && mv x t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "signature does not match the transcript" o
'

test_expect_success 'a forged line appended with a correct prev hash is caught by the signature' '
	genuine &&
	prev=$(tail -n 1 t.jsonl | tr -d "\n" | sha256sum | cut -d" " -f1) &&
	printf "{\"details\":{\"reason\":\"forged\"},\"persons\":[],\"prev\":\"%s\",\"seq\":26,\"step\":null,\"time\":\"2099-01-01T00:00:00.000000Z\",\"type\":\"abort\",\"v\":1,\"witnesses\":[]}\n" "$prev" >>t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 27: abort after ceremony.end" o
'

test_expect_success 'a forged line appended before the end, re-chained, is caught by the signature' '
	genuine && head -n 25 t.jsonl >x &&
	prev=$(tail -n 1 x | tr -d "\n" | sha256sum | cut -d" " -f1) &&
	printf "{\"details\":{\"what\":\"forged\"},\"persons\":[],\"prev\":\"%s\",\"seq\":25,\"step\":null,\"time\":\"2099-01-01T00:00:00.000000Z\",\"type\":\"config.changed\",\"v\":1,\"witnesses\":[]}\n" "$prev" >>x &&
	mv x t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "signature does not match the transcript" o
'

test_expect_success 'another genuine transcript'"'"'s signature is FAILED' '
	genuine && cp "$TEST_TMP/g/other/t.jsonl.p7s" t.jsonl.p7s &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "signature does not match the transcript" o
'

test_expect_success 'another signer certificate beside the transcript is FAILED' '
	genuine && cp "$TEST_TMP/g/other/t-signer.pem" t-signer.pem &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "t-signer.pem is not the certificate that signed the transcript" o
'

test_expect_success '--signer with the auditor'"'"'s own copy: right one OK, another FAILED' '
	genuine && cp t-signer.pem mine.pem &&
	ceremony verify --signer mine.pem t.jsonl >o &&
	test_exit_code 4 ceremony verify --signer "$TEST_TMP/g/other/t-signer.pem" t.jsonl >o &&
	test_grep "not the one given with --signer" o
'

test_expect_success 'a transcript signed by a key other than the announced one is FAILED' '
	genuine && cp "$TEST_TMP/g/other/t.jsonl" . &&
	sub 10 "\"spki_sha256\":\"[0-9a-f]*\"" "\"spki_sha256\":\"$(sed -n 10p t.jsonl | sed "s/.*spki_sha256\":\"\([0-9a-f]*\)\".*/\1/")\"" t.jsonl 2>/dev/null;
	cp "$TEST_TMP/g/other/t.jsonl" t.jsonl && rm -f t-signer.pem &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -subj /CN=x -days 1 -out c.pem 2>/dev/null &&
	openssl cms -sign -binary -in t.jsonl -signer c.pem -inkey k.pem -outform PEM -out t.jsonl.p7s &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "signer certificate is not the key announced at line 10" o
'

test_expect_success 'two genuine transcripts spliced are FAILED' '
	genuine && head -n 12 t.jsonl >x && tail -n +13 "$TEST_TMP/g/other/t.jsonl" >>x &&
	mv x t.jsonl &&
	test_exit_code 4 ceremony verify t.jsonl >o &&
	test_grep "line 13: prev does not match the SHA-256 of line 12" o &&
	cp "$TEST_TMP/g/other/t.jsonl.p7s" . &&
	test_exit_code 4 ceremony verify t.jsonl >o
'

test_expect_success 'a cut after each event in turn is INCOMPLETE, never OK' '
	genuine && rm t.jsonl.p7s t-signer.pem && n=$(wc -l <t.jsonl) && i=1 &&
	while [ $i -lt $n ]; do
		head -n $i t.jsonl >c.jsonl &&
		ceremony verify c.jsonl >o; rc=$?;
		if [ $rc != 3 ]; then echo "cut after $i: exit $rc"; cat o; exit 1; fi;
		test_grep -q "stopped after event $((i - 1)) (line $i" o || exit 1;
		i=$((i + 1));
	done &&
	head -n 0 t.jsonl >c.jsonl && test_exit_code 3 ceremony verify c.jsonl
'

test_expect_success 'a crash mid-line (partial last line, unsigned) is INCOMPLETE' '
	genuine && rm t.jsonl.p7s t-signer.pem && head -c 3000 t.jsonl >c.jsonl &&
	test_exit_code 3 ceremony verify c.jsonl >o &&
	test_grep "a partial last line was ignored" o
'

test_expect_success 'a completed ceremony without its signature is INCOMPLETE, not OK' '
	genuine && rm t.jsonl.p7s &&
	test_exit_code 3 ceremony verify t.jsonl >o &&
	test_grep "completed but the transcript is not signed" o
'

test_expect_success 'an aborted ceremony is INCOMPLETE, saying where and why' '
	"$SAMPLE" --abort a.jsonl &&
	test_exit_code 3 ceremony verify a.jsonl >o &&
	test_grep "aborted at step keygen: the auditor left the room" o &&
	test_exit_code 3 ceremony verify --json a.jsonl >j &&
	test_grep "\"verdict\":\"INCOMPLETE\"" j && test_grep "\"exit\":3" j
'

test_expect_success 'a signed transcript without ceremony.end is INCOMPLETE' '
	"$SAMPLE" --no-end a.jsonl &&
	test_exit_code 3 ceremony verify a.jsonl >o &&
	test_grep "no ceremony.end" o
'

test_expect_success 'a wrong output file is FAILED, a missing one too' '
	genuine && echo x >>out/root-ca.pem &&
	test_exit_code 4 ceremony verify --outputs out t.jsonl >o &&
	test_grep "output root-ca.pem in out has SHA-256" o &&
	rm out/root-ca.pem &&
	test_exit_code 4 ceremony verify --outputs out t.jsonl >o &&
	test_grep "output root-ca.pem" o
'

for v in quorum-twice:"step quorum: bob presents a second share of set pin-1" \
	 quorum-short:"step quorum: quorum for set pin-1 met with 1 distinct holders, threshold 2" \
	 witness-actor:"step login: alice witnesses their own step (policy 5.2.1)" \
	 step-twice:"step login runs a second time (first at line 7)" \
	 forbidden-pair:"alice holds both security-officer and hsm-administrator"; do
	kind=${v%%:*} why=${v#*:}
	test_expect_success "a signed transcript with a semantic violation ($kind) is FAILED" '
		"$SAMPLE" --violation '"$kind"' s.jsonl &&
		test_exit_code 4 ceremony verify s.jsonl >o &&
		test_grep -F "'"$why"'" o
	'
done

test_expect_success 'an unknown event type, field or version is FAILED' '
	"$SAMPLE" --no-sign u.jsonl && rm -f u-signer.pem && cp u.jsonl w.jsonl &&
	sub 3 "\"type\":\"attendance\"" "\"type\":\"attendanse\"" u.jsonl &&
	test_exit_code 4 ceremony verify u.jsonl >o &&
	test_grep "line 3: unknown event type \"attendanse\"" o &&
	cp w.jsonl u.jsonl && sub 3 "\"v\":1" "\"v\":2" u.jsonl &&
	test_exit_code 4 ceremony verify u.jsonl >o &&
	test_grep "line 3: format version is not 1" o &&
	cp w.jsonl u.jsonl && sub 3 "^\\{" "{\"x\":1," u.jsonl &&
	test_exit_code 4 ceremony verify u.jsonl >o &&
	test_grep "line 3: unknown field \"x\"" o &&
	cp w.jsonl u.jsonl && sub 3 "\"details\":\\{\"status\":\"present\"\\}" "\"details\":{}" u.jsonl &&
	test_exit_code 4 ceremony verify u.jsonl >o &&
	test_grep "line 3: attendance: details.status missing" o
'

# 40 x U+00E9 as JSON escapes (ASCII in the file, two bytes each once read):
# the reason quotes the type cut at 60 bytes: "attendancex" is 11, so the
# cut falls inside a character.
E=$(printf '\\\\u00e9%.0s' $(seq 1 40))
test_expect_success 'a reason cut inside a UTF-8 character keeps its verdict (--json too)' '
	"$SAMPLE" --no-sign u.jsonl && rm -f u-signer.pem &&
	sub 3 "\"type\":\"attendance\"" "\"type\":\"attendancex$E\"" u.jsonl &&
	test_exit_code 4 ceremony verify u.jsonl >o &&
	test_grep "line 3: unknown event type \"attendance" o &&
	test_exit_code 4 ceremony verify --json u.jsonl >o.json &&
	python3 -c "import json, sys; j = json.load(open(sys.argv[1])); assert j[\"verdict\"] == \"FAILED\" and j[\"exit\"] == 4 and j[\"line\"] == 3, j; assert \"\\\\xc3\" in j[\"reason\"], j[\"reason\"]" o.json
'

test_expect_success 'a line over 1 MiB is FAILED without reading it all' '
	python3 -c "import sys; sys.stdout.write(\"{\" + \"x\" * 2000000 + \"}\n\")" >big.jsonl &&
	test_exit_code 4 ceremony verify big.jsonl >o &&
	test_grep "line 1: longer than 1048576 bytes" o
'

test_expect_success 'usage errors exit 2; an unreadable transcript exits 1' '
	test_exit_code 2 ceremony verify 2>err &&
	test_exit_code 2 ceremony verify --bogus t.jsonl 2>err &&
	test_exit_code 1 ceremony verify nonexistent.jsonl 2>err &&
	test_grep "nonexistent.jsonl" err
'

test_done
