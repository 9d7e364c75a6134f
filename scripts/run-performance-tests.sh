#!/usr/bin/env bash
# Run the performance test suite (basic, stress, spike, endurance; each shortened by --scale) against
# --base-url, analyze the suite's window (--prometheus URL), write one combined report (--output FILE)
# and exit 0 / 99 by the thresholds and the analyzer's gate. All options: --help.
#
#   scripts/run-performance-tests.sh --base-url http://127.0.0.1:8000 --scale 0.05 \
#       --prometheus http://127.0.0.1:9090 --output reports/suite.json --verbose
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-$root/.venv/bin/python}"
if [[ ! -x "$py" ]]; then
  echo "run-performance-tests: $py not found; run 'make venv' first (or set PYTHON)" >&2
  exit 2
fi
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
exec "$py" -m demo.suite "$@"
