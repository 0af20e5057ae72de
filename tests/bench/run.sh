#!/bin/sh
# make bench: runs each section script, one line per section.
cd "$(dirname "$0")/../.." || exit 1
status=0
sh tests/bench/bench_verify.sh || status=1
exit $status
