#!/bin/sh
# Browser checks of generated reports: runs check.mjs (or SCRIPT: compare_check.mjs for
# the compare view; playwright-core driving the system Chromium) over the pages a fixture
# program wrote into PAGES_DIR.
#   check_reports.sh PAGES_DIR [SCRIPT]
# Exit 77 (ctest: skipped) when /usr/bin/chromium or node is missing. Needs
# `npm ci --prefix tests/browser` once (installs playwright-core, no browser download).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium not installed"; exit 77; }
command -v node >/dev/null 2>&1 || { echo "SKIP: node not installed"; exit 77; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "FAIL: playwright-core missing: run 'npm ci --prefix tests/browser'" >&2
  exit 1
fi
exec node "$here/${2:-check.mjs}" "$1"
