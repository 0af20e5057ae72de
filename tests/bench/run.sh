#!/bin/sh
# tests/bench/run.sh - `make bench`: performance shown against peers measured
# in the same run, never a pass/fail on time. Each section is its own script
# tests/bench/bench_<area>.sh (so branches merge without conflicts); add a
# line per section below.
cd "$(dirname "$0")/../.." || exit 1
status=0
bash tests/bench/bench_hsm.sh || status=1
exit $status
