#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# docs/compliance.md and docs/threat-model.md are read against the tree
# (tests/e2e/doc-trace.py): every file, unit test and test case they cite
# exists, and every clause of the compliance table is tagged in the code.
# Each check has a twin: a doc citing something that is not there fails.
. "$(dirname "$0")/lib.sh"

TRACE="python3 $TEST_TOP/tests/e2e/doc-trace.py $TEST_TOP"

test_expect_success 'compliance and threat model cite only what exists' '
	$TRACE >out && cat out && test_grep "0 problems" out
'

test_expect_success 'twin: a misspelled test case name is caught' '
	sed "s/a deleted line is FAILED/a deleted line is FAILD/" \
		"$TEST_TOP/docs/threat-model.md" >tm.md &&
	test_must_fail $TRACE "$PWD/tm.md" >out &&
	test_grep "no test case .a deleted line is FAILD." out
'

test_expect_success 'twin: a missing file and a missing unit test are caught' '
	sed -e "s|ceremony/verify/verify.c|ceremony/verifier.c|" -e "s/test_quorum/test_quorums/" \
		"$TEST_TOP/docs/compliance.md" >c.md &&
	test_must_fail $TRACE "$PWD/c.md" >out &&
	test_grep "ceremony/verifier.c does not exist" out &&
	test_grep "unit test test_quorums not found" out
'

test_expect_success 'twin: a clause with no policy tag in the code is caught' '
	sed "s/^| 4.3.4 |/| 4.3.9 |/" "$TEST_TOP/docs/compliance.md" >c.md &&
	test_must_fail $TRACE "$PWD/c.md" >out &&
	test_grep "clause 4.3.9 has no" out
'

test_done
