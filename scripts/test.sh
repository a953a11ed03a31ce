#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit and integration) in an
# AddressSanitizer and UndefinedBehaviorSanitizer tree (build/asan), where any sanitizer report
# fails the run, then every libFuzzer target of tests/fuzz for a bounded time on its seed
# corpus, then builds the Debian packages and installs, runs and purges them in a throw-away
# overlay of this machine (scripts/package-test.sh). One tree serves the suite and the fuzz
# targets: it is also instrumented for libFuzzer's coverage (GLANCE_BUILD_FUZZERS), so the
# code is compiled once per run rather than twice. Integration tests start their own private
# MariaDB and the real daemons on ephemeral ports. Arguments go to ctest (e.g. -R regex). For
# quick local runs:
#   GLANCE_TEST_SANITIZE=0   a plain Debug tree (build/test) instead of the sanitized one, and
#                            the fuzz targets in a tree of their own (build/fuzz)
#   GLANCE_TEST_SKIP_FUZZ=1  skip the fuzz targets
#   GLANCE_TEST_SKIP_PACKAGE=1  skip building and installing the Debian packages
#   GLANCE_FUZZ_SECONDS=N    seconds per fuzz target (default 15)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" test
jobs=$(nproc)
# clang builds markedly faster than g++ here, and the sanitizer and fuzz trees need it anyway.
export CC=clang CXX=clang++
launcher=$(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache || true)

# The Debian packages build in the background, niced, while the suite runs: its integration
# tests mostly wait on their daemons, and the idle CPU is enough for the package build. Their
# install, run and purge come last (scripts/package-test.sh).
start_package_build() {
  [ "${GLANCE_TEST_SKIP_PACKAGE:-0}" = 1 ] && return
  package_log=$root/build/package-build.log
  nice -n 19 "$root/scripts/package-test.sh" build >"$package_log" 2>&1 &
  package_build=$!
}

if [ "${GLANCE_TEST_SANITIZE:-1}" = 0 ]; then
  build=$root/build/test
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGLANCE_BUILD_TESTS=ON \
    $launcher >/dev/null
  cmake --build "$build" -j "$jobs"
  start_package_build
  # One job more than cores: the integration tests mostly wait on their daemons.
  (cd "$build" && ctest --output-on-failure -j "$((jobs + 1))" --timeout 600 "$@")
else
  # The suite runs once, sanitized: a plain run would find nothing this one misses. The same
  # tree builds the fuzz targets (GLANCE_BUILD_FUZZERS: ASan, UBSan and libFuzzer's coverage
  # hooks on every target). At -O0: the coverage hooks add about a quarter to each unit's
  # compile time, -O1 would double it; a second tree at -O1 for the fuzz targets alone cost
  # more than both (measured with clang 14 on this code).
  asan=$root/build/asan
  cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGLANCE_BUILD_TESTS=ON \
    -DGLANCE_BUILD_FUZZERS=ON $launcher >/dev/null
  cmake --build "$asan" -j "$jobs"
  start_package_build
  fuzz=$asan
  # Reports go to files rather than to stderr: the daemons the integration tests start are
  # sanitized too, and their stderr is a log that may be gone with the test's directory. A
  # sanitized process writes <reports>/report.<pid> only when it has something to report;
  # any such file fails the run, whatever the test's own verdict was.
  reports=$asan/sanitizer-reports
  rm -rf "$reports" && mkdir -p "$reports"
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$reports/report:log_exe_name=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/report:log_exe_name=1"
  export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
  # ASan's quarantine keeps freed memory resident on purpose: hostile tests that compare a
  # daemon's RSS with its baseline allow for it (tests/support/process_health.h).
  export GLANCE_TEST_EXTRA_RSS_MB=128
  status=0
  (cd "$asan" && ctest --output-on-failure -j "$((jobs + 1))" --timeout 900 "$@") || status=$?
  # A failed test runs once more, alone with its fixtures, on a quieter machine: one that
  # passes then is named as intermittent below (each such case so far was a real race, in
  # the product or the test, to fix) but does not fail the run; one that fails twice does.
  # Sanitizer reports fail the run whichever run wrote them.
  if [ "$status" -ne 0 ] && [ -s "$asan/Testing/Temporary/LastTestsFailed.log" ]; then
    cp "$asan/Testing/Temporary/LastTestsFailed.log" "$asan/failed-first-run.log"
    status=0
    (cd "$asan" && ctest --output-on-failure --rerun-failed --timeout 900) || status=$?
    if [ "$status" -eq 0 ]; then
      echo "=== intermittent: failed in the full run, passed alone:" >&2
      sed 's/^/===   /' "$asan/failed-first-run.log" >&2
    fi
  fi
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS GLANCE_TEST_EXTRA_RSS_MB
  if compgen -G "$reports/report.*" >/dev/null; then
    for report in "$reports"/report.*; do
      echo "=== sanitizer report $report" >&2
      cat "$report" >&2
    done
    echo "sanitizer reports in $reports: failing" >&2
    exit 1
  fi
  [ "$status" -eq 0 ] || exit "$status"
fi

if [ "${GLANCE_TEST_SKIP_FUZZ:-0}" != 1 ]; then
  if [ -z "${fuzz:-}" ]; then
    # Only when the suite ran in the plain tree: the fuzz targets need the instrumented one.
    fuzz=$root/build/fuzz
    cmake -S "$root" -B "$fuzz" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
      -DGLANCE_BUILD_TESTS=ON -DGLANCE_BUILD_FUZZERS=ON $launcher >/dev/null
    cmake --build "$fuzz" -j "$jobs" --target fuzzers
  fi
  seconds=${GLANCE_FUZZ_SECONDS:-15}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$fuzz/artifacts"
  failed=()
  for source in "$root"/tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    # A copy: what libFuzzer adds to the corpus stays out of the source tree.
    mkdir -p "$work/$name"
    cp -r "$root/tests/fuzz/corpus/$name/." "$work/$name/"
    echo "fuzzing $name for ${seconds}s" >&2
    if ! "$fuzz/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$fuzz/artifacts/$name-" \
      "$work/$name" >"$work/$name.log" 2>&1; then
      tail -n 60 "$work/$name.log" >&2
      failed+=("$name")
    else
      grep -E '^stat::number_of_executed_units' "$work/$name.log" | sed "s/^/$name /" >&2 || true
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz targets that failed: ${failed[*]} (inputs in $fuzz/artifacts)" >&2
    exit 1
  fi
fi

if [ -n "${package_build:-}" ]; then
  if ! wait "$package_build"; then
    cat "$package_log" >&2
    echo "building the Debian packages failed" >&2
    exit 1
  fi
  "$root/scripts/package-test.sh" check
fi
