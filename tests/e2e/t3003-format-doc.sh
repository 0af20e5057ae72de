#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# docs/script-format.md: every action's example and both complete examples
# lint clean, so a script written from the document alone is accepted.
. "$(dirname "$0")/lib.sh"

DOC=$TEST_TOP/docs/script-format.md
ROSTER=$TEST_TOP/scripts/example-roster.yaml

test_expect_success 'the document shows one example per action of the table' '
	python3 "$TEST_TOP/tests/e2e/doc-snippets.py" "$DOC" . "$ROSTER" >counts &&
	test "$(cat counts)" = "17 2" &&
	for a in attendance checklist token.init quorum.login key.generate key.export-public \
		cert.self-sign csr.create cert.issue crl.sign key.backup key.restore \
		shares.reshare pin.rotate key.destroy fingerprint roster.change; do
		test_grep -q "^    action: $a\$" actions.yaml || exit 1
	done
'

test_expect_success 'every action example lints clean as one ceremony' '
	python3 "$TEST_TOP/tests/e2e/doc-snippets.py" "$DOC" . "$ROSTER" >/dev/null &&
	ceremony lint actions.yaml --today 2026-11-27 >log &&
	test_grep "^actions.yaml: 0 errors, 0 warnings" log
'

test_expect_success 'and a typo in one of them is caught at its place' '
	python3 "$TEST_TOP/tests/e2e/doc-snippets.py" "$DOC" . "$ROSTER" >/dev/null &&
	line=$(grep -n "action: key.generate" actions.yaml | cut -d: -f1) &&
	sed -i "${line}s/key.generate/key.genrate/" actions.yaml &&
	test_must_fail ceremony lint actions.yaml --today 2026-11-27 >log &&
	test_grep "^actions.yaml:$line:13: error: unknown action .key.genrate." log
'

test_expect_success 'both complete examples lint clean' '
	python3 "$TEST_TOP/tests/e2e/doc-snippets.py" "$DOC" . "$ROSTER" >/dev/null &&
	ceremony lint example-1.yaml --today 2026-11-27 >log &&
	test_grep " 0 errors" log &&
	ceremony lint example-2.yaml --today 2026-11-27 >log &&
	test_grep " 0 errors" log
'

test_done
