# SPDX-License-Identifier: Apache-2.0
# tests/e2e/lib.sh - end-to-end test library, sourced by tests/e2e/t*.sh.
#
# Reads like git's t/test-lib.sh:
#   test_expect_success 'split then combine gives the secret back' '
#       ceremony shares split ... >shares &&
#       ceremony shares combine ... <shares >out &&
#       test_cmp expect out
#   '
#   test_done
# Each body runs in a subshell, in a fresh directory under $TEST_TMP, with
# `ceremony` on PATH. test_must_fail passes only on a clean failure (exit
# 1..125): a crash (signal) is still a test failure.
set -u
TEST_TOP=$(cd "$(dirname "$0")/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-$TEST_NAME.XXXXXX")
# CEREMONY_BUILD: the build directory under test (make's B: build, build-asan),
# relative to the top or absolute.
case "${CEREMONY_BUILD:-build}" in
/*) TEST_BUILD=${CEREMONY_BUILD} ;;
*) TEST_BUILD=$TEST_TOP/${CEREMONY_BUILD:-build} ;;
esac
PATH=${CEREMONY_WRAP_DIR:+$CEREMONY_WRAP_DIR:}$TEST_BUILD:$PATH
export PATH TEST_TOP TEST_TMP TEST_BUILD
SHARED_DIR=$TEST_TOP/../shared
test_count=0
test_passed=0
test_failed=0
trap 'test_cleanup' EXIT

test_cleanup() {
	if [ "${TEST_KEEP:-}" = "" ]; then rm -rf "$TEST_TMP"; fi
}

test_expect_success() { # DESCRIPTION BODY
	test_count=$((test_count + 1))
	dir=$TEST_TMP/t$test_count
	mkdir -p "$dir"
	if (cd "$dir" && eval "$2") >"$dir.log" 2>&1; then
		test_passed=$((test_passed + 1))
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$dir.log" | tail -n 40
	fi
}

test_skip() { # DESCRIPTION REASON: counts as passed only if explicitly allowed
	echo "not ok - $1 # could not run: $2"
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
}

test_must_fail() { # CMD...: passes on exit 1..125
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif [ $rc -gt 125 ]; then
		echo "test_must_fail: command died (exit $rc): $*" >&2
		return 1
	fi
	return 0
}

test_exit_code() { # CODE CMD...: passes when CMD exits with CODE
	want=$1
	shift
	"$@"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "test_exit_code: wanted $want, got $rc: $*" >&2
		return 1
	fi
	return 0
}

test_cmp() { # EXPECTED ACTUAL
	diff -u "$1" "$2"
}

test_grep() { # grep that prints the file when it fails
	if ! grep "$@"; then
		eval "f=\${$#}"
		echo "test_grep: no match for '$*' in:" >&2
		cat "$f" >&2 2>/dev/null
		return 1
	fi
}

test_done() {
	echo "# $test_passed passed, $test_failed failed"
	[ "$test_failed" = 0 ]
}
