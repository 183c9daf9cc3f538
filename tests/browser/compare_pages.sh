#!/bin/sh
# The lab's pages in headless Chromium and in pageload, compared (compare_pages.mjs).
#   compare_pages.sh PAGE_LAB PAGELOAD OUT_DIR [PAGE_FILTER]
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
exec node "$here/compare_pages.mjs" "$@"
