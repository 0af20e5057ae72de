#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Secret hygiene of a live process (issue 6 section 6), shown on a
# `ceremony shares combine` waiting at its prompt in a real terminal (tmux)
# with part of a share typed:
#  - its memory holding the share is locked (VmLck > 0 in /proc/PID/status);
#  - its core limit is 0 (/proc/PID/limits) though it was started with
#    `ulimit -c unlimited`, and sent SIGSEGV or SIGABRT it leaves no core
#    file; the failing twin: an ordinary process set up the same way does;
#  - it is not dumpable: run as an unprivileged user, its /proc/PID files
#    belong to root, not to that user (the kernel's mark of a non-dumpable
#    process); the twin: an ordinary process of that user owns them;
#  - the typed words are in neither its argv nor its environment.
# The core files land in the test's directory: core_pattern must be a plain
# file name (the usual "core"); with a pipe or a path the core-file cases say
# so and fail rather than pass unchecked.
. "$(dirname "$0")/lib.sh"

T() { tmux -S "$TEST_TMP/tmux.$test_count.sock" "$@"; }
kill_terms() {
	for s in "$TEST_TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	test_cleanup
}
trap kill_terms EXIT

wait_for() { # PATTERN: until the screen shows it (20 s at most)
	for _ in $(seq 200); do
		T capture-pane -p -t t | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "wait_for: no '$1' on the screen:" >&2
	T capture-pane -p -t t >&2
	return 1
}

wait_gone() { # until the terminal's process has exited (10 s at most)
	for _ in $(seq 100); do
		[ "$(T display -p -t t "#{pane_dead}")" = 1 ] && return 0
		sleep 0.1
	done
	echo "wait_gone: still running" >&2
	return 1
}

vmlck() { # PID: locked memory in kB
	awk "/^VmLck:/ { print \$2 }" "/proc/$1/status"
}

UNPRIV=65534

# run CMD in a terminal in the cwd with core files allowed; PID of CMD in ./pid
start_in_term() { # CMD
	T new-session -d -s t -x 100 -y 50 -c "$PWD" \
		"ulimit -c unlimited; export PATH='$PATH'; exec $1" &&
	T set-option -t t remain-on-exit on >/dev/null &&
	T display -p -t t "#{pane_pid}" >pid
}

core_pattern_is_local() {
	case "$(cat /proc/sys/kernel/core_pattern)" in
	*/* | \|*) echo "core_pattern is not a plain file name: cannot look for the core" >&2
		return 1 ;;
	esac
}

no_core_here() { # no core file in the cwd
	if ls core* >/dev/null 2>&1; then
		echo "a core file was written:" >&2
		ls -l core* >&2
		return 1
	fi
}

# A combine with the first words of a share typed, waiting for the rest.
start_combine() { # [PREFIX]: e.g. a setpriv command line
	read -a w <"$TEST_TMP/share1" &&
	start_in_term "${1:-}${1:+ }$(command -v ceremony) shares combine" &&
	wait_for "Next key holder, please step up" && T send-keys -t t Enter &&
	wait_for "Type abort to stop" &&
	for x in "${w[@]:0:6}"; do T send-keys -t t -l "$x " || return 1; done &&
	wait_for "word 6 ok" &&
	pid=$(cat pid) &&
	test "$(readlink "/proc/$pid/exe")" = "$(command -v ceremony)"
}

mkdir -p "$TEST_TMP/g" &&
(cd "$TEST_TMP/g" && echo 0123456789abcdeffedcba9876543210 >secret.hex &&
	ceremony shares split --batch --group 2/3 --iteration-exponent 0 <secret.hex >shares &&
	head -n 1 shares >"$TEST_TMP/share1") ||
	echo "could not make the shares" >&2

test_expect_success 'combine waiting for words: share memory locked (VmLck > 0)' '
	start_combine &&
	lck=$(vmlck "$pid") && echo "VmLck $lck kB" && test "$lck" -gt 0
'

test_expect_success 'twin: an ordinary process shows VmLck 0' '
	start_in_term "sleep 30" && pid=$(cat pid) &&
	lck=$(vmlck "$pid") && echo "VmLck $lck kB" && test "$lck" = 0 && kill "$pid"
'

test_expect_success 'combine waiting for words: core size limit 0, though started unlimited' '
	start_combine &&
	grep "^Max core file size" "/proc/$pid/limits" >lim && cat lim &&
	grep -E "^Max core file size +0 +0 " lim
'

test_expect_success 'combine waiting for words: the typed words are in neither argv nor environment' '
	start_combine &&
	tr "\0" "\n" <"/proc/$pid/cmdline" >argv && tr "\0" "\n" <"/proc/$pid/environ" >env &&
	test "$(tr "\n" " " <argv)" = "$(command -v ceremony) shares combine " && test -s env &&
	for i in 0 1 2 3 4; do
		! grep -F -- "${w[$i]} ${w[$((i + 1))]}" argv env || return 1
	done &&
	! grep -F -- "${w[0]}${w[1]}" argv env
'

test_expect_success 'twin: words in a process environment are found by the same check' '
	read -a w <"$TEST_TMP/share1" &&
	start_in_term "env SHARE=\"${w[0]} ${w[1]} ${w[2]}\" sleep 30" && pid=$(cat pid) &&
	sleep 0.3 && tr "\0" "\n" <"/proc/$pid/environ" >env &&
	grep -F -- "${w[0]} ${w[1]}" env && kill "$pid"
'

test_expect_success 'twin: an ordinary process sent SIGSEGV leaves a core file here' '
	core_pattern_is_local &&
	start_in_term "sleep 30" && pid=$(cat pid) &&
	kill -SEGV "$pid" && wait_gone &&
	for _ in $(seq 50); do ls core* >/dev/null 2>&1 && break; sleep 0.1; done &&
	ls core* && rm -f core*
'

test_expect_success 'SIGSEGV to a waiting combine: no core' '
	core_pattern_is_local &&
	start_combine &&
	kill -SEGV "$pid" && wait_gone && sleep 1 &&
	no_core_here
'

test_expect_success 'SIGABRT to a waiting combine: no core' '
	core_pattern_is_local &&
	start_combine &&
	kill -ABRT "$pid" && wait_gone && sleep 1 &&
	no_core_here
'

test_expect_success 'combine run by an unprivileged user is not dumpable (/proc/PID owned by root)' '
	chmod 755 . && chmod 644 "$TEST_TMP/share1" &&
	start_combine "setpriv --reuid=$UNPRIV --regid=$UNPRIV --clear-groups --" &&
	grep -E "^Uid:[[:space:]]+$UNPRIV[[:space:]]" "/proc/$pid/status" &&
	test "$(stat -c %u "/proc/$pid/status")" = 0 &&
	test "$(vmlck "$pid")" -gt 0
'

test_expect_success 'twin: an ordinary process of that user owns its /proc/PID' '
	start_in_term "setpriv --reuid=$UNPRIV --regid=$UNPRIV --clear-groups -- sleep 30" &&
	pid=$(cat pid) && sleep 0.3 &&
	test "$(stat -c %u "/proc/$pid/status")" = $UNPRIV && kill "$pid"
'

test_done
