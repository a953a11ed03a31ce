#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit and integration).
# Integration tests start their own private MariaDB and the real daemons on ephemeral ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" test
build=${GLANCE_TEST_BUILD_DIR:-$root/build/test}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGLANCE_BUILD_TESTS=ON \
  $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
