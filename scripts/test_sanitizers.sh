#!/bin/bash
# The whole test suite again, with sentry's own code built with
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/,
# -DSENTRY_SANITIZE=address,undefined): any report aborts sentry and fails
# its test. The guest programs stay plain. Pass ctest arguments through.
# SENTRY_SANITIZE=thread ./scripts/test_sanitizers.sh uses build-tsan/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
san=${SENTRY_SANITIZE:-address,undefined}
dir=build-asan
[ "$san" = thread ] && dir=build-tsan
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENTRY_SANITIZE="$san" >/dev/null
cmake --build "$dir" -j2
cd "$dir" && ctest --output-on-failure -j2 "$@"
