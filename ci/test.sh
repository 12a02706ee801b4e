#!/usr/bin/env bash
# The project's test command (the README's, and what .ci/run calls). Installs what it needs, then:
#   1. release build with -Werror (g++), all CTest suites;
#   2. ASan/UBSan build (clang), all CTest suites again;
#   3. libFuzzer targets (clang, ASan/UBSan), a short run each.
# Ends with one summary line "N passed, N failed" counting CTest suites of both builds and fuzz runs.
set -uo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${MOHQ_FUZZ_SECONDS:-30}

if [ "${MOHQ_SKIP_BOOTSTRAP:-0}" != 1 ]; then
  bash ci/bootstrap.sh || { echo "bootstrap failed"; exit 2; }
fi

passed=0
failed=0
count_ctest() {  # reads ctest's "N% tests passed, F tests failed out of T"
  local log=$1 line total bad
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
}

run_suites() {  # name build-dir cmake-options...
  local name=$1 dir=$2
  shift 2
  echo "=== $name: build"
  if ! bash ci/build.sh "$dir" "$@"; then
    echo "=== $name: BUILD FAILED"
    failed=$((failed + 1))
    return
  fi
  echo "=== $name: tests"
  (cd "$dir" && ctest --output-on-failure --timeout 600) 2>&1 | tee "$dir/ctest.log"
  count_ctest "$dir/ctest.log"
}

run_suites "release (g++, -Werror)" build -DMOHQ_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_suites "asan+ubsan (clang)" build-asan -DMOHQ_WERROR=ON -DMOHQ_SANITIZE=ON -DMOHQ_BENCH=OFF \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug

echo "=== fuzz (clang, libFuzzer + ASan/UBSan, ${fuzz_seconds}s each)"
if bash ci/build.sh build-fuzz -DMOHQ_FUZZ=ON -DMOHQ_SANITIZE=ON -DMOHQ_TESTS=OFF -DMOHQ_BENCH=OFF \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug; then
  for target in build-fuzz/bin/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=fuzz/corpus/${name#fuzz_}
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    if "$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 "$work" >"build-fuzz/$name.log" 2>&1; then
      echo "$name: ok ($(grep -Eo '#[0-9]+' "build-fuzz/$name.log" | tail -1 | tr -d '#') runs)"
      passed=$((passed + 1))
    else
      echo "$name: FAILED"
      tail -40 "build-fuzz/$name.log"
      failed=$((failed + 1))
    fi
    rm -rf "$work"
  done
else
  echo "fuzz: BUILD FAILED"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
