#!/usr/bin/env bash
# The project's one test command (README quick start, .ci/run): installs
# what is missing, builds each configuration once, and runs every test.
#   1. RelWithDebInfo: all tests and all bindings, in parallel.
#   2. ASan+UBSan: the C and C++ tests (bindings never load sanitized code).
#   3. TSan: the tests that exercise threads (runner, event queue, C ABI).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
scripts/install-deps.sh --browser --python --ruby --cluster

configure() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DSOCKJS_BUILD_TESTS=ON -DSOCKJS_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

status=0
failed=()  # "<build dir>: <test>" of every failed test, for the summary
run_ctest() {  # dir, extra ctest args...
  local dir=$1; shift
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" "$@") && return 0
  status=1
  local log="$dir/Testing/Temporary/LastTestsFailed.log"
  if [ -f "$log" ]; then
    while IFS= read -r line; do failed+=("$dir: ${line#*:}"); done <"$log"
  else
    failed+=("$dir: (ctest failed before running tests)")
  fi
}

configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSOCKJS_BUILD_PYTHON=ON -DSOCKJS_BUILD_GO=ON -DSOCKJS_BUILD_RUBY=ON
run_ctest build

configure build-asan -DCMAKE_BUILD_TYPE=Debug -DSOCKJS_SANITIZE="address;undefined" \
  -DSOCKJS_BUILD_EXAMPLES=ON
ASAN_OPTIONS=detect_leaks=1 run_ctest build-asan -L 'core|loopback'

configure build-tsan -DCMAKE_BUILD_TYPE=Debug -DSOCKJS_SANITIZE=thread \
  -DSOCKJS_BUILD_EXAMPLES=ON
TSAN_OPTIONS=halt_on_error=1 run_ctest build-tsan -L 'threads'

# The end of the log is what a CI summary shows: name what failed there,
# with the last lines of each failed test's output.
if ((${#failed[@]})); then
  echo "==== FAILED TESTS ===="
  for f in "${failed[@]}"; do
    echo "$f"
    dir=${f%%: *}
    name=${f#*: }
    awk -v n="$name" 'index($0, " Test: ") && substr($0, index($0, " Test: ") + 7) == n {p=1}
      p {print} p && $0 == "<end of output>" {exit}' \
      "$dir/Testing/Temporary/LastTest.log" 2>/dev/null | tail -n 40
  done
fi
exit $status
