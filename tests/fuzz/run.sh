#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz, then runs each one for N
# seconds (default 20) from its seed corpus in tests/fuzz/corpus/<target>/. Fails, with
# the fuzzer's report, if any target crashes, leaks, trips a sanitizer or an assertion.
#   tests/fuzz/run.sh [seconds]
# New inputs go to build-fuzz/corpus/<target> (the committed seeds stay as they are);
# a crashing input is saved as build-fuzz/artifacts/<target>-crash-*: replay it with
#   build-fuzz/fuzz/<target> build-fuzz/artifacts/<target>-crash-...
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-20}"

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPAGELOAD_FUZZ=ON -DPAGELOAD_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --target fuzzers -j "$(nproc)"

mkdir -p build-fuzz/artifacts
failed=()
for bin in build-fuzz/fuzz/fuzz_*; do
  name="$(basename "$bin")"
  mkdir -p "build-fuzz/corpus/$name"
  log="build-fuzz/$name.log"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/artifacts/$name-" \
       "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
    echo "fuzz: $name ok: $runs inputs in ${seconds}s, $cov"
  else
    echo "fuzz: $name FAILED (log $log):"
    grep -v '^#' "$log" | tail -60
    failed+=("$name")
  fi
done
if (( ${#failed[@]} )); then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
