#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# mk/verify-loc.sh BINARY - lines of code of the repository's .c files that
# BINARY links (make verify-loc, for ceremony-verify). The files are the
# compile units in BINARY's debug information (DW_TAG_compile_unit names:
# exactly what the linker pulled from the archives; archive member names
# alone are ambiguous, e.g. ceremony/verify/chain.c and
# ceremony/transcript/chain.c are both chain.o). Lines of code: lines that
# are neither blank nor only comment, counted by a small C-comment-aware awk.
# Needs a build with -g (the default CFLAGS).
bin=${1:?usage: verify-loc.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
files=$(readelf --debug-dump=info "$bin" 2>/dev/null | awk '
	/DW_TAG_compile_unit/ { cu = 1; next }
	cu && /DW_AT_name/ { print $NF; cu = 0 }' | sort -u | while read -r f; do
		[ -f "$f" ] && echo "$f"
	done)
if [ -z "$files" ]; then
	echo "verify-loc: no debug information in $bin (build with -g)" >&2
	exit 1
fi
# shellcheck disable=SC2086
awk '
	FNR == 1 { if (f != "") printf "%6d %6d  %s\n", code, FNR_last, f; f = FILENAME; code = 0; inc = 0 }
	{ FNR_last = FNR; line = $0; out = ""
	  while (line != "") {
		if (inc) { i = index(line, "*/"); if (i == 0) { line = "" } else { inc = 0; line = substr(line, i + 2) } }
		else { i = index(line, "/*"); if (i == 0) { out = out line; line = "" }
		       else { out = out substr(line, 1, i - 1); inc = 1; line = substr(line, i + 2) } }
	  }
	  sub(/\/\/.*/, "", out); gsub(/[ \t]/, "", out)
	  if (out != "") code++ }
	END { if (f != "") printf "%6d %6d  %s\n", code, FNR_last, f }
' $files | sort -k3 | awk -v bin="$bin" '
	{ print; c += $1; l += $2; n++ }
	END { printf "%6d %6d  total: %d .c files linked into %s (code lines, all lines)\n", c, l, n, bin }'
