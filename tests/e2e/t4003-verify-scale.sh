#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony verify streams: a 1,000,000-event transcript verifies within
# 32 MiB of resident memory (issue 5 section 5), and a change near its end is
# still found.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample
VMHWM=$TEST_BUILD/tests/vmhwm
LIMIT_KIB=32768

test_expect_success 'a 1,000,000-event transcript verifies OK in at most 32 MiB' '
	"$SAMPLE" --no-fsync --events 1000000 big.jsonl &&
	test $(wc -l <big.jsonl) -gt 1000000 &&
	"$VMHWM" rss ceremony verify big.jsonl >o &&
	test_grep "^big.jsonl: OK" o &&
	echo "max RSS $(cat rss) KiB" &&
	test "$(cat rss)" -le $LIMIT_KIB &&
	size=$(wc -c <big.jsonl) &&
	python3 -c "import sys
p, o = sys.argv[1], int(sys.argv[2])
with open(p, \"r+b\") as f:
    f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 1]))" big.jsonl $((size - 2000)) &&
	{ "$VMHWM" rss ceremony verify big.jsonl >o; test $? = 4; } &&
	test "$(cat rss)" -le $LIMIT_KIB &&
	test_grep "FAILED" o
'

test_done
