#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make install / make uninstall: the files a distribution packages, under
# DESTDIR and PREFIX; the installed binary, man page and bash completion work;
# uninstall leaves no file behind. Each check has a failing twin.
. "$(dirname "$0")/lib.sh"

# The build under test, whatever make's other variables (check-asan passes
# its own B, SAN_FLAGS and CFLAGS down through MAKEFLAGS).
mk() {
	make -C "$TEST_TOP" --no-print-directory -s B="$TEST_BUILD" "$@"
}

# What install must put under PREFIX, from the source tree: one path a line.
expected_files() { # PREFIX
	local p=${1#/} f
	{
		echo "$p/bin/ceremony"
		test -f "$TEST_BUILD/ceremony-verify" && echo "$p/bin/ceremony-verify"
		for f in "$TEST_TOP"/docs/*.1; do echo "$p/share/man/man1/${f##*/}"; done
		for f in README.md LICENSE NOTICE "$TEST_TOP"/docs/*.md; do
			echo "$p/share/doc/ceremony/${f##*/}"
		done
		for f in "$TEST_TOP"/scripts/*.yaml; do echo "$p/share/ceremony/scripts/${f##*/}"; done
		for f in "$TEST_TOP"/scripts/demo/*.answers; do
			echo "$p/share/ceremony/scripts/demo/${f##*/}"
		done
		echo "$p/share/bash-completion/completions/ceremony"
		test -f "$TEST_BUILD/ceremony-verify" &&
			echo "$p/share/bash-completion/completions/ceremony-verify"
	} | sort
}

installed_files() { # ROOT
	(cd "$1" && find . -type f -o -type l) | sed 's|^\./||' | sort
}

# Fails, naming each file, if anything but directories is left under ROOT.
no_file_left() { # ROOT
	local left
	left=$(cd "$1" && find . ! -type d | sed 's|^\./||')
	if [ -n "$left" ]; then
		echo "left behind by uninstall:" >&2
		echo "$left" | sed 's/^/  /' >&2
		return 1
	fi
}

# Every verb of `ceremony help` and every option of each --help text is known
# to the completion script COMPLETION.
completion_knows_cli() { # COMPLETION
	local v opt bad=0
	for v in $(ceremony help | sed -n "s/^  \([a-z][a-z0-9-]*\) .*/\1/p"); do
		grep -q "verbs=.*\b$v\b" "$1" || { echo "completion lacks verb $v" >&2; bad=1; }
	done
	for v in help version shares lint run roster hsm x509 verify replay archive \
		"shares card"; do
		for opt in $(ceremony $v --help </dev/null | grep -o -- "--[a-z][a-z0-9-]*" | sort -u); do
			grep -q -- "$opt\b" "$1" || { echo "completion lacks $v $opt" >&2; bad=1; }
		done
	done
	return $bad
}

complete_line() { # WORDS...: the completions bash offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ceremony;
		printf "%s\n" "${COMPREPLY[@]}"' complete "$ROOT/usr/share/bash-completion/completions/ceremony" "$@"
}

test_expect_success 'install under DESTDIR and PREFIX=/usr puts exactly the expected files' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	expected_files /usr >expect &&
	installed_files root >got &&
	test_cmp expect got &&
	test "$(stat -c %a root/usr/bin/ceremony)" = 755 &&
	test "$(stat -c %a root/usr/share/doc/ceremony/NOTICE)" = 644 &&
	test "$(stat -c %a root/usr/share/ceremony/scripts/root-ca.yaml)" = 644
'

test_expect_success 'failing twin: a file install did not list is caught by the file list' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	: >root/usr/share/doc/ceremony/stray.md &&
	expected_files /usr >expect &&
	installed_files root >got &&
	! test_cmp expect got >diff &&
	test_grep "^+usr/share/doc/ceremony/stray.md" diff
'

test_expect_success 'PREFIX moves everything; nothing lands outside it' '
	mk install DESTDIR="$PWD/root" PREFIX=/opt/ceremony >log 2>&1 &&
	expected_files /opt/ceremony >expect &&
	installed_files root >got &&
	test_cmp expect got &&
	! test -e root/usr
'

test_expect_success 'the installed binary runs: --version' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	root/usr/bin/ceremony --version >out &&
	test_grep "^ceremony [0-9]" out &&
	ceremony --version >expect &&
	test_cmp expect out
'

test_expect_success 'the installed man page renders' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	MANWIDTH=80 man -l root/usr/share/man/man1/ceremony.1 >page 2>err &&
	test_grep "^NAME" page &&
	test_grep "ceremony - " page &&
	test_grep "^EXIT STATUS" page
'

test_expect_success 'the license, the notice and the wordlist credit are installed' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	d=root/usr/share/doc/ceremony &&
	test_grep -q "Apache License" $d/LICENSE &&
	test_grep -q "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" $d/LICENSE &&
	test_grep -q "END OF TERMS AND CONDITIONS" $d/LICENSE &&
	test_grep -q "SLIP-0039" $d/NOTICE &&
	test_grep -q "shares/wordlist.c" $d/NOTICE &&
	test_grep -q "MIT License" $d/NOTICE
'

test_expect_success 'the bash completion completes verbs, sub-verbs, options and files' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	ROOT=$PWD/root &&
	bash -c ". $ROOT/usr/share/bash-completion/completions/ceremony; complete -p ceremony" &&
	complete_line ceremony sh >got && test_grep -x shares got &&
	complete_line ceremony shares "" >got &&
	test_grep -x split got && test_grep -x combine got && test_grep -x card got &&
	complete_line ceremony x509 issue --is >got && test_grep -x -- --issuer-cert got &&
	complete_line ceremony hsm list --j >got && test_grep -x -- --json got &&
	: >a-script.yaml && : >notes.txt &&
	complete_line ceremony lint "" >got &&
	test_grep -x a-script.yaml got && ! grep -x notes.txt got &&
	complete_line ceremony-verify "" >got &&
	printf "%s\n" verify replay --help --version >expect && test_cmp expect got
'

test_expect_success 'the completion knows every verb and every option of the help texts' '
	completion_knows_cli "$TEST_TOP/docs/completion/ceremony.bash"
'

test_expect_success 'failing twin: a completion missing an option is caught' '
	sed "s/ --print-secret//" "$TEST_TOP/docs/completion/ceremony.bash" >short.bash &&
	! cmp -s "$TEST_TOP/docs/completion/ceremony.bash" short.bash &&
	test_must_fail completion_knows_cli short.bash 2>err &&
	test_grep "completion lacks shares --print-secret" err
'

test_expect_success 'uninstall with the same DESTDIR and PREFIX leaves no file behind' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	mk uninstall DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	no_file_left root &&
	! test -e root/usr/share/doc/ceremony &&
	! test -e root/usr/share/ceremony
'

test_expect_success 'failing twin: a file left behind is reported by name' '
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	: >root/usr/share/ceremony/scripts/mine.yaml &&
	mk uninstall DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	test_must_fail no_file_left root 2>err &&
	test_grep "usr/share/ceremony/scripts/mine.yaml" err &&
	test "$(grep -c "^  " err)" = 1
'

test_expect_success 'uninstall removes only what install put: a neighbour stays' '
	mkdir -p root/usr/bin root/usr/share/doc/other &&
	echo keep >root/usr/bin/other && echo keep >root/usr/share/doc/other/README &&
	mk install DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	mk uninstall DESTDIR="$PWD/root" PREFIX=/usr >log 2>&1 &&
	installed_files root >got &&
	printf "usr/bin/other\nusr/share/doc/other/README\n" >expect &&
	test_cmp expect got
'

# spdx_untagged: of the paths on stdin, those without an SPDX tag in their
# first three lines.
spdx_untagged() {
	while read -r f; do
		head -n 3 "$f" | grep -q "SPDX-License-Identifier: " || echo "$f"
	done
}

# The tracked source and build files (data, prose and test inputs carry none).
sources() {
	git -C "$TEST_TOP" ls-files -- '*.c' '*.h' '*.sh' '*.py' '*.mk' '*.bash' '*.js' \
		Makefile .ci/run | grep -v '^tests/fuzz/corpus/' | sed "s|^|$TEST_TOP/|"
}

test_expect_success 'every source file carries an SPDX licence tag' '
	sources >list && test "$(wc -l <list)" -gt 200 &&
	spdx_untagged <list >untagged &&
	{ test ! -s untagged || { cat untagged; false; }; }
'

test_expect_success 'failing twin: a source file without its tag is named' '
	echo "int x;" >probe.c &&
	{ sources; echo "$PWD/probe.c"; } | spdx_untagged >untagged &&
	test "$(cat untagged)" = "$PWD/probe.c"
'

test_done
