#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The command line: verbs, help, version, usage errors, and the one option
# syntax of every verb and sub-verb (--opt VALUE and --opt=VALUE, -h, "--").
. "$(dirname "$0")/lib.sh"

EX=$TEST_TOP/scripts/example-roster.yaml
LINT=$TEST_TOP/tests/data/lint
SAMPLE=$TEST_BUILD/tests/transcript-sample
NOMOD=/nonexistent/module.so
SECRET=00112233445566778899aabbccddeeff

# Every verb and sub-verb, one a line.
EVERY="help
version
lint
run
roster
roster check
hsm
hsm list
hsm mechanisms
hsm objects
x509
x509 self-sign
x509 csr
x509 issue
x509 crl
verify
replay
archive
print
shares
shares split
shares combine
shares card"

# usage_error_is WHO MESSAGE: err is exactly the usage error of WHO ("VERB" or
# "VERB SUB"): one line naming the mistake, then where the usage is.
usage_error_is() {
	printf "ceremony: %s: %s\nTry 'ceremony %s --help'.\n" "$1" "$2" "$1" >expect &&
	test_cmp expect err
}

# same_both_ways EXIT CMD... -- OPT VALUE: CMD with "--OPT VALUE" and with
# "--OPT=VALUE" exits EXIT both times, with the same stdout and stderr.
same_both_ways() {
	want=$1
	shift
	opt=${*: -2:1} val=${*: -1}
	set -- "${@:1:$#-3}"
	test_exit_code "$want" ceremony "$@" "--$opt" "$val" >out1 2>err1 </dev/null &&
	test_exit_code "$want" ceremony "$@" "--$opt=$val" >out2 2>err2 </dev/null &&
	test_cmp out1 out2 && test_cmp err1 err2
}

test_expect_success 'ceremony --version prints the version' '
	ceremony --version >out &&
	test_grep "^ceremony [0-9]" out &&
	ceremony -V >out2 && test_cmp out out2 &&
	ceremony version >out2 && test_cmp out out2 &&
	ceremony version -- >out2 && test_cmp out out2
'

test_expect_success 'ceremony help lists the verbs' '
	ceremony help >out &&
	test_grep "^  help" out &&
	test_grep "^  version" out &&
	ceremony --help >out2 && test_cmp out out2 &&
	ceremony help -- >out2 && test_cmp out out2
'

test_expect_success 'ceremony help VERB shows its usage; "--" before the verb is fine' '
	ceremony help lint >out &&
	ceremony lint --help >out2 && test_cmp out out2 &&
	ceremony help -- lint >out2 && test_cmp out out2 &&
	test_exit_code 2 ceremony help lint run 2>err &&
	usage_error_is help "too many arguments"
'

test_expect_success 'every verb has --help that exits 0' '
	for v in $(ceremony help | sed -n "s/^  \([a-z][a-z0-9-]*\) .*/\1/p"); do
		ceremony $v --help >out || { echo "$v --help failed"; exit 1; }
		test_grep -q "usage" out || exit 1
	done
'

test_expect_success 'every verb and sub-verb: --help and -h print the usage to stdout, exit 0' '
	while read -r cmd; do
		ceremony $cmd --help >out 2>err </dev/null || { echo "$cmd --help failed"; exit 1; }
		test_grep -q "^usage: ceremony ${cmd%% *}" out || { echo "$cmd: no usage"; exit 1; }
		test ! -s err || { echo "$cmd --help wrote to stderr"; exit 1; }
		ceremony $cmd -h >out2 2>err </dev/null && test_cmp out out2 || exit 1
	done <<-EOT
	$EVERY
	EOT
'

test_expect_success 'every verb and sub-verb: an unknown option is two lines on stderr, exit 2' '
	while read -r cmd; do
		test_exit_code 2 ceremony $cmd --frob </dev/null >out 2>err || exit 1
		test ! -s out || { echo "$cmd --frob wrote to stdout"; exit 1; }
		usage_error_is "$cmd" "unknown option '"'"'--frob'"'"'" || exit 1
		test_exit_code 2 ceremony $cmd -Z </dev/null >out 2>err || exit 1
		usage_error_is "$cmd" "unknown option '"'"'-Z'"'"'" || exit 1
	done <<-EOT
	$EVERY
	EOT
'

test_expect_success 'a missing value, a value to a flag, an abbreviation: two lines, exit 2' '
	test_exit_code 2 ceremony lint x.yaml --roster 2>err &&
	usage_error_is lint "option '"'"'--roster'"'"' needs a value" &&
	test_exit_code 2 ceremony verify t.jsonl --json=yes 2>err &&
	usage_error_is verify "option '"'"'--json'"'"' takes no value" &&
	test_exit_code 2 ceremony run x.yaml --rehears 2>err &&
	usage_error_is run "unknown option '"'"'--rehears'"'"'" &&
	test_exit_code 2 ceremony hsm list --json=1 2>err &&
	usage_error_is "hsm list" "option '"'"'--json'"'"' takes no value" &&
	test_exit_code 2 ceremony x509 crl --revoke 2>err &&
	usage_error_is "x509 crl" "option '"'"'--revoke'"'"' needs a value"
'

test_expect_success 'an unknown verb or sub-verb: two lines, exit 2' '
	test_exit_code 2 ceremony frobnicate >out 2>err &&
	test ! -s out &&
	printf "%s\n" "ceremony: unknown verb '"'"'frobnicate'"'"'" "Try '"'"'ceremony help'"'"'." >expect &&
	test_cmp expect err &&
	test_exit_code 2 ceremony --frob 2>err &&
	printf "%s\n" "ceremony: unknown option '"'"'--frob'"'"'" "Try '"'"'ceremony help'"'"'." >expect &&
	test_cmp expect err &&
	test_exit_code 2 ceremony hsm frob 2>err &&
	usage_error_is hsm "unknown sub-command '"'"'frob'"'"' (list, mechanisms, objects)" &&
	test_exit_code 2 ceremony x509 2>err &&
	usage_error_is x509 "needs a sub-command: self-sign, csr, issue, crl, lint"
'

test_expect_success 'no verb at all prints usage and exits 2' '
	test_exit_code 2 ceremony 2>err &&
	test_grep "usage:" err
'

test_expect_success 'a usage error found after the options is two lines too' '
	test_exit_code 2 ceremony version --bogus 2>err &&
	usage_error_is version "unknown option '"'"'--bogus'"'"'" &&
	test_exit_code 2 ceremony version extra 2>err &&
	usage_error_is version "takes no arguments" &&
	test_exit_code 2 ceremony x509 self-sign --key k --out x.pem 2>err &&
	usage_error_is "x509 self-sign" "needs --subject" &&
	test_exit_code 2 ceremony shares card --out x.pdf extra 2>err </dev/null &&
	usage_error_is "shares card" "unexpected argument '"'"'extra'"'"'"
'

# --opt=VALUE where --opt VALUE is accepted, verb by verb.

test_expect_success 'lint: --today=, --roster=, --outdir= as their spaced twins' '
	cp "$LINT/ok-base.yaml" "$LINT/roster.yaml" . && mkdir out &&
	same_both_ways 0 lint ok-base.yaml --outdir out --roster roster.yaml -- today 2026-11-27 &&
	same_both_ways 0 lint ok-base.yaml --today 2026-11-27 --outdir out -- roster roster.yaml &&
	same_both_ways 0 lint ok-base.yaml --today 2026-11-27 -- outdir out &&
	test_grep "^ok-base.yaml: 0 errors, 0 warnings" out1 &&
	same_both_ways 2 lint ok-base.yaml -- today tomorrow &&
	test_grep "not '"'"'tomorrow'"'"'" err1
'

test_expect_success 'run: --today=, --input=, --issued-in= as their spaced twins' '
	same_both_ways 2 run s.yaml -- today 2026-11-27 &&
	test_grep "for rehearsals only" err1 &&
	same_both_ways 2 run s.yaml -- input answers &&
	test_grep "needs --allow-scripted-input" err1 &&
	same_both_ways 1 run --rehearsal --today 2026-11-27 nosuch.yaml -- issued-in t.jsonl &&
	test_grep "nosuch.yaml" out1
'

test_expect_success 'roster check: --today= as --today' '
	same_both_ways 0 roster check "$EX" -- today 2026-11-27 &&
	test_grep "15 people, 0 errors, 0 warnings" out1 &&
	same_both_ways 2 roster check "$EX" -- today tomorrow && mv err1 err &&
	usage_error_is "roster check" "--today wants YYYY-MM-DD, not '"'"'tomorrow'"'"'"
'

test_expect_success 'hsm list, mechanisms, objects: --module= as --module' '
	same_both_ways 1 hsm list -- module $NOMOD &&
	test_grep "$NOMOD" err1 &&
	same_both_ways 1 hsm mechanisms pkcs11:token=x --json -- module $NOMOD &&
	test_grep "$NOMOD" err1 &&
	same_both_ways 1 hsm objects pkcs11:token=x -- module $NOMOD &&
	test_grep "$NOMOD" err1
'

test_expect_success 'x509 self-sign, csr, issue, crl: --opt= as --opt' '
	K=pkcs11:token=x &&
	same_both_ways 2 x509 self-sign --key $K --subject /CN=x --out x.pem -- days soon &&
	test_grep "days '"'"'soon'"'"': a number" err1 &&
	same_both_ways 1 x509 csr --key $K --out x.pem --module $NOMOD -- subject /CN=x &&
	test_grep "$NOMOD" err1 &&
	same_both_ways 2 x509 issue --key $K --out x.pem --days 1 --csr c --issuer-cert i -- pathlen 1 &&
	test_grep "pathlen needs --ca" err1 &&
	same_both_ways 2 x509 crl --key $K --out x.pem --days 1 --issuer-cert i -- number many &&
	test_grep "number '"'"'many'"'"'" err1 &&
	same_both_ways 2 x509 crl --key $K --out x.pem --days 1 --issuer-cert i --number 1 -- revoke 1:99 &&
	test_grep "revoke reason '"'"'99'"'"'" err1
'

test_expect_success 'verify: --signature=, --signer= as their spaced twins' '
	"$SAMPLE" t.jsonl &&
	same_both_ways 0 verify t.jsonl --signer t-signer.pem -- signature t.jsonl.p7s &&
	same_both_ways 0 verify t.jsonl --json -- signer t-signer.pem &&
	test_grep "\"verdict\":\"OK\"" out1 &&
	same_both_ways 2 verify t.jsonl -- roster "$EX" &&
	test_grep "needs --script" err1
'

test_expect_success 'archive: --to= as --to, repeatable in either form; --outputs=' '
	"$SAMPLE" --outputs o t.jsonl && mkdir a b c &&
	ceremony archive t.jsonl --to=a --to b --to=c --outputs=o >out &&
	test $(grep -c ": ok, 4 files" out) = 3
'

test_expect_success 'archive: the same destination twice, however written, is refused' '
	"$SAMPLE" t.jsonl && mkdir a &&
	test_exit_code 2 ceremony archive t.jsonl --to=a --to a/ 2>err &&
	test_grep "same destination" err
'

test_expect_success 'shares split, combine, card: --opt= as --opt' '
	echo "$SECRET" >secret && printf "pass" >pf &&
	ceremony shares split --batch --group=2/3 --passphrase-file=pf <secret >s1 &&
	test $(wc -l <s1) = 3 &&
	head -n 2 s1 | ceremony shares combine --batch --passphrase-file=pf >got &&
	test_cmp secret got &&
	head -n 2 s1 | ceremony shares combine --batch --passphrase-file pf >got &&
	test_cmp secret got &&
	same_both_ways 2 shares split --batch -- group two &&
	test_grep "not '"'"'two'"'"'" err1 &&
	head -n 1 s1 | ceremony shares card --holder=Alice --label="Root CA" --out=c1.pdf 2>err &&
	head -c 5 c1.pdf | test_grep "%PDF-" &&
	head -n 1 s1 | ceremony shares card --holder Alice --label "Root CA" --out c2.pdf 2>err &&
	test -s c2.pdf
'

# "--" ends the options: what follows is an operand, even if named like one.

test_expect_success 'lint and roster check: a file named like an option, after --' '
	cp "$LINT/ok-base.yaml" ./--today && cp "$LINT/roster.yaml" . && mkdir out &&
	ceremony lint --today=2026-11-27 --outdir=out -- --today >out1 &&
	test_grep "^--today: 0 errors, 0 warnings" out1 &&
	test_exit_code 2 ceremony lint --today=2026-11-27 --outdir=out --today 2>err &&
	usage_error_is lint "option '"'"'--today'"'"' needs a value" &&
	cp "$EX" ./--r.yaml &&
	ceremony roster check --today 2026-11-27 -- --r.yaml >out1 &&
	test_grep "^--r.yaml: 15 people, 0 errors" out1 &&
	test_exit_code 2 ceremony roster check --today 2026-11-27 --r.yaml 2>err &&
	usage_error_is "roster check" "unknown option '"'"'--r.yaml'"'"'"
'

test_expect_success 'verify, replay, archive: a transcript named like an option, after --' '
	"$SAMPLE" ./--t.jsonl && mkdir a b &&
	ceremony verify -- --t.jsonl >out && test_grep "^--t.jsonl: OK" out &&
	ceremony replay -- --t.jsonl >out && test_grep "^--t.jsonl: OK" out &&
	ceremony archive --to a --to=b -- --t.jsonl >out &&
	test $(grep -c ": ok, 3 files" out) = 2 &&
	test_exit_code 2 ceremony verify --t.jsonl 2>err &&
	usage_error_is verify "unknown option '"'"'--t.jsonl'"'"'" &&
	test_exit_code 2 ceremony replay --t.jsonl 2>err &&
	usage_error_is replay "unknown option '"'"'--t.jsonl'"'"'"
'

test_expect_success 'run, hsm, x509, shares: "--" ends the options' '
	test_exit_code 1 ceremony run --rehearsal --today 2026-11-27 -- --s.yaml >out 2>err &&
	test_grep -- "--s.yaml" out &&
	test_exit_code 1 ceremony hsm objects --module=$NOMOD -- pkcs11:token=x 2>err &&
	test_exit_code 2 ceremony hsm list --module=$NOMOD -- --json 2>err &&
	usage_error_is "hsm list" "unexpected argument '"'"'--json'"'"'" &&
	test_exit_code 2 ceremony x509 csr --key k --subject /CN=x --out x.pem -- --ca 2>err &&
	usage_error_is "x509 csr" "unexpected argument '"'"'--ca'"'"'" &&
	echo "$SECRET" | ceremony shares split --batch --group 1/1 -- >s &&
	test $(wc -l <s) = 1 &&
	test_exit_code 2 ceremony shares split --group 1/1 -- --batch 2>err </dev/null &&
	usage_error_is "shares split" "unexpected argument '"'"'--batch'"'"'"
'

test_done
