#!/bin/sh
# make demo: a short tour on throwaway material under var/demo/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/var/demo
rm -rf "$demo"
mkdir -p "$demo/out"
cd "$demo"
C=$top/build/ceremony
echo "== ceremony $($C --version | cut -d' ' -f2): demo under $demo"
$C help
