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
configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSOCKJS_BUILD_PYTHON=ON -DSOCKJS_BUILD_GO=ON -DSOCKJS_BUILD_RUBY=ON
(cd build && ctest --output-on-failure -j "$JOBS") || status=1

configure build-asan -DCMAKE_BUILD_TYPE=Debug -DSOCKJS_SANITIZE="address;undefined" \
  -DSOCKJS_BUILD_EXAMPLES=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$JOBS" -L 'core|loopback') || status=1

configure build-tsan -DCMAKE_BUILD_TYPE=Debug -DSOCKJS_SANITIZE=thread \
  -DSOCKJS_BUILD_EXAMPLES=ON
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j "$JOBS" -L 'threads') || status=1

exit $status
