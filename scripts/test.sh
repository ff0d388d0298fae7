#!/bin/bash
# Runs the whole test suite (unit, conformance natively and under sentry, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/sentry ] || ./scripts/setup.sh
cmake --build build -j2
cd build && ctest --output-on-failure -j2 "$@"
