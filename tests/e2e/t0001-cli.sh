#!/bin/bash
# The command line: verbs, help, version, usage errors.
. "$(dirname "$0")/lib.sh"

test_expect_success 'ceremony --version prints the version' '
	ceremony --version >out &&
	test_grep "^ceremony [0-9]" out
'

test_expect_success 'ceremony help lists the verbs' '
	ceremony help >out &&
	test_grep "^  help" out &&
	test_grep "^  version" out
'

test_expect_success 'every verb has --help that exits 0' '
	for v in $(ceremony help | sed -n "s/^  \([a-z][a-z0-9-]*\) .*/\1/p"); do
		ceremony $v --help >out || { echo "$v --help failed"; exit 1; }
		test_grep -q "usage" out || exit 1
	done
'

test_expect_success 'every sub-verb has --help that exits 0 with its usage' '
	for sv in "shares split" "shares combine" "shares card" "hsm list" \
		"hsm mechanisms" "hsm objects" "roster check" "x509 self-sign" \
		"x509 csr" "x509 issue" "x509 crl"; do
		ceremony $sv --help >out </dev/null || { echo "$sv --help failed"; exit 1; }
		test_grep -q "usage" out || { echo "$sv: no usage"; exit 1; }
	done
'

test_expect_success 'an unknown verb prints usage and exits 2' '
	test_exit_code 2 ceremony frobnicate 2>err &&
	test_grep "unknown verb" err &&
	test_grep "usage:" err
'

test_expect_success 'no verb at all prints usage and exits 2' '
	test_exit_code 2 ceremony 2>err &&
	test_grep "usage:" err
'

test_expect_success 'an unknown option to a verb exits 2' '
	test_exit_code 2 ceremony version --bogus 2>err &&
	test_grep "usage:" err
'

test_done
