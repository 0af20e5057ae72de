# SPDX-License-Identifier: Apache-2.0
# tests/e2e/lib-tty.sh - driving `ceremony` in a real terminal (tmux) and
# reading the screen as a person would: what is visible now (screen), what
# is left in the scrollback (history), whether echo is off. Source after
# lib.sh. One tmux server per test, all killed at the end.

# one tmux server per test, all killed at the end
T() { tmux -S "$TEST_TMP/tmux.$test_count.sock" "$@"; }
kill_terms() {
	for s in "$TEST_TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	test_cleanup
}
trap kill_terms EXIT

start_term() { # [COLS ROWS]: a fresh terminal (100x60) running a plain shell in the cwd
	T new-session -d -s t -x "${1:-100}" -y "${2:-60}" -c "$PWD" "bash --norc --noprofile -i" &&
	T send-keys -t t "PS1='$ '; export PATH='$PATH'" Enter &&
	wait_for '^\$ *$'
}

screen() { T capture-pane -p -J -t t; }       # what is on the screen (wrapped lines joined)
history() { T capture-pane -p -J -S - -t t; } # screen and scrollback

wait_for() { # PATTERN: until the screen shows it (20 s at most)
	for _ in $(seq 200); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "wait_for: no '$1' on the screen:" >&2
	screen >&2
	return 1
}

wait_noecho() { # until the program has turned the terminal's echo off
	for _ in $(seq 200); do
		stty -a -F "$(T display -p -t t "#{pane_tty}")" | tr " ;" "\n\n" |
			grep -q -x -e -echo && return 0
		sleep 0.1
	done
	echo "wait_noecho: the terminal still echoes" >&2
	return 1
}

type_words() { # WORD...: each then a space, a few at a time
	for w in "$@"; do
		T send-keys -t t -l "$w " || return 1
	done
}

screen_words() { # the share's words as shown, in order, one line
	screen | python3 -c '
import re, sys
words = {}
for line in sys.stdin:
    for n, w in re.findall(r"(\d+)\. ([a-z]+)", line):
        words[int(n)] = w
print(" ".join(words[k] for k in sorted(words)))'
}

qr_from_screen() { # OUT.pgm: the half-block QR code on the screen as an image
	screen | python3 -c '
import sys
rows = []
for line in sys.stdin:
    line = line.rstrip("\n")
    if any(c in line for c in "\u2588\u2580\u2584"):
        top = [c in "\u2588\u2580" for c in line]
        bottom = [c in "\u2588\u2584" for c in line]
        rows += [top, bottom]
left = min(r.index(True) for r in rows if True in r)
right = max(len(r) - r[::-1].index(True) for r in rows if True in r)
mods = [(r + [False] * right)[left:right] for r in rows]
while not any(mods[-1]):
    mods.pop()
q, s = 4, 4
w = (right - left + 2 * q) * s
h = (len(mods) + 2 * q) * s
out = bytearray()
for y in range(h):
    my = y // s - q
    for x in range(w):
        mx = x // s - q
        dark = 0 <= my < len(mods) and 0 <= mx < len(mods[my]) and mods[my][mx]
        out.append(0 if dark else 255)
sys.stdout.buffer.write(b"P5 %d %d 255\n" % (w, h) + bytes(out))' >"$1"
}

wait_gone() { # PATTERN: until the screen no longer shows it (20 s at most)
	for _ in $(seq 200); do
		screen | grep -q -- "$1" || return 0
		sleep 0.1
	done
	echo "wait_gone: '$1' still on the screen:" >&2
	screen >&2
	return 1
}

stays_for() { # SECONDS PATTERN: the screen keeps showing it that long
	for _ in $(seq "$(($1 * 10))"); do
		screen | grep -q -- "$2" || { echo "stays_for: '$2' went" >&2; return 1; }
		sleep 0.1
	done
}

term_is_cooked() { # the shell's terminal has echo and icanon back
	T send-keys -t t "echo RAW=\$(stty -a | tr \" ;\" \"\n\n\" | grep -c -x -e -echo -e -icanon)" Enter &&
	wait_for "^RAW=0$"
}

type_share() { # FILE [LETTERS]: type the mnemonic in FILE, each word cut to LETTERS
	for w in $(cat "$1"); do
		if [ -n "${2:-}" ]; then w=${w:0:$2}; fi
		T send-keys -t t -l "$w " || return 1
	done
}

in_history() { # FILE: some word of the mnemonic in FILE is in the scrollback as shown
	history >hist.now &&
	for w in $(cat "$1"); do
		grep -q -- "[0-9]\. $w\b" hist.now && return 0
	done
	return 1
}
