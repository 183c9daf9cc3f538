#!/usr/bin/env bash
# valgrind on `pageload demo` (lab, DNS, TLS, redirects, the store and the report, in one
# process): fails on any memory error and on any definitely-lost block. Blocks still
# reachable at exit (libcurl's, OpenSSL's and c-ares' global state) are not leaks.
# No suppression is needed today; if a third-party one ever is, put it in a committed
# tests/valgrind/*.supp with a comment saying why, and pass it with --suppressions.
#   tests/valgrind/demo.sh [path/to/pageload]        (default: build/pageload)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(realpath "${1:-$root/build/pageload}")"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cd "$dir"  # the demo writes pageload.db and its reports here

status=0
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
  "$bin" demo >demo.out 2>valgrind.log || status=$?
grep -E "definitely lost|ERROR SUMMARY" valgrind.log | sed 's/^==[0-9]*== /valgrind: /'
if (( status != 0 )); then
  echo "valgrind: pageload demo failed (exit $status)"
  cat valgrind.log
  tail -20 demo.out
  exit 1
fi
echo "valgrind: pageload demo: no memory error, no definite leak"
