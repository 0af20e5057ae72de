#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run --outdir (issue 11 part 8): the output directory must be owned
# by the user running ceremony and writable by nobody else, and a rehearsal
# writes its holder files only into OUTDIR/rehearsal made by the run itself
# (mode 0700, files O_CREAT|O_EXCL|O_NOFOLLOW, 0600). Each refusal comes
# before anything is written and before the blank token is initialised.
# Refused: a symlinked rehearsal/, a pre-made rehearsal/, a world-writable and
# a group-writable outdir, an outdir owned by another uid (nobody). Twin: a
# fresh outdir runs token-init to the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
ANS=$(run_answers token-init)

# token-init in rehearsal into OUT (which the caller prepared).
ti() { # OUT
	ceremony run "$TEST_TMP/scripts/token-init.yaml" --rehearsal --today "$RUN_TODAY" \
		--module "$SOFTHSM_MODULE" --input "$ANS" --outdir "$1"
}
# The token store holds no token (token.init never ran).
token_untouched() {
	test -z "$(ls -A "$TEST_TMP/softhsm/tokens")"
}

test_expect_success 'a symlinked OUTDIR/rehearsal is refused, nothing written, token untouched' '
	mkdir -m 700 o-link elsewhere &&
	ln -s ../elsewhere o-link/rehearsal &&
	test_must_fail ti o-link >out 2>err &&
	test_grep "o-link/rehearsal: already exists as a symbolic link: refused" err &&
	test_grep "folder it makes itself" err &&
	test "$(ls -A o-link)" = rehearsal && test -z "$(ls -A elsewhere)" &&
	token_untouched
'

test_expect_success 'a pre-made OUTDIR/rehearsal is refused, nothing written, token untouched' '
	mkdir -m 700 -p o-made/rehearsal &&
	test_must_fail ti o-made >out 2>err &&
	test_grep "o-made/rehearsal: already exists: refused" err &&
	test "$(ls -A o-made)" = rehearsal && test -z "$(ls -A o-made/rehearsal)" &&
	token_untouched
'

test_expect_success 'a world-writable outdir is refused (path, owner, mode), nothing written' '
	mkdir o-world && chmod 0777 o-world &&
	test_must_fail ti o-world >out 2>err &&
	test_grep "output directory o-world is owned by uid 0 with mode 0777: refused" err &&
	test -z "$(ls -A o-world)" && token_untouched &&
	mkdir o-sticky && chmod 1777 o-sticky &&
	test_must_fail ti o-sticky >out 2>err &&
	test_grep "o-sticky is owned by uid 0 with mode 1777: refused" err &&
	test -z "$(ls -A o-sticky)" && token_untouched
'

test_expect_success 'a group-writable outdir is refused, nothing written' '
	mkdir o-group && chmod 0770 o-group &&
	test_must_fail ti o-group >out 2>err &&
	test_grep "output directory o-group is owned by uid 0 with mode 0770: refused" err &&
	test_grep "writable by nobody else" err &&
	test -z "$(ls -A o-group)" && token_untouched
'

test_expect_success 'an outdir owned by another uid (nobody) is refused, nothing written' '
	mkdir -m 700 o-nobody && chown nobody o-nobody &&
	test_must_fail ti o-nobody >out 2>err &&
	test_grep "output directory o-nobody is owned by uid $(id -u nobody) with mode 0700: refused" err &&
	test_grep "(uid $(id -u))" err &&
	test -z "$(ls -A o-nobody)" && token_untouched
'

test_expect_success 'twin: a fresh outdir works; rehearsal/ made 0700 by the run, files 0600' '
	mkdir o-fresh && ti o-fresh >out 2>err &&
	test_grep "Ceremony completed" out &&
	test "$(stat -c %a o-fresh/rehearsal)" = 700 &&
	test "$(stat -c %u o-fresh/rehearsal)" = "$(id -u)" &&
	for h in bob carol dave frank grace; do
		test "$(stat -c %a o-fresh/rehearsal/$h.shares)" = 600 || exit 1
		head -n 1 o-fresh/rehearsal/$h.shares | grep -q "REHEARSAL ONLY" || exit 1
	done &&
	! token_untouched &&
	run_verified o-fresh >v && test_grep "transcript.jsonl: OK" v
'

test_expect_success 'twin: a missing outdir is made by the run (0700) and accepted' '
	rm -rf "$TEST_TMP/softhsm/tokens"/* &&
	ti o-new >out 2>err &&
	test_grep "Ceremony completed" out &&
	test "$(stat -c %a o-new)" = 700
'

test_done
