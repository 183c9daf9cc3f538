#!/bin/sh
# pageload's HAR export validated and read by others' tools (har_check.mjs).
#   har_check.sh PAGE_LAB PAGELOAD OUT_DIR
# Exit 77 (ctest: skipped) when node is missing. Needs `npm ci --prefix tests/browser` once.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null 2>&1 || { echo "SKIP: node not installed"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 not installed"; exit 77; }
if [ ! -d "$here/node_modules/har-to-k6" ]; then
  echo "FAIL: har-to-k6 missing: run 'npm ci --prefix tests/browser'" >&2
  exit 1
fi
exec node "$here/har_check.mjs" "$@"
