#!/usr/bin/env bash
# Run the tests headless: Qt offscreen (tests/conftest.py sets it too), real SQLite files.
# With arguments, pytest runs exactly those. Without, the whole suite in two runs: first the core
# tests in a process where Qt cannot be imported (tests/qt_block; tests/core/test_boundary.py
# checks the block is in force), then everything else. Both always run; the exit code is the
# first failure's.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export QT_QPA_PLATFORM=offscreen
if [ $# -gt 0 ]; then
    exec "$VENV/bin/python" -m pytest "$@"
fi
# Sessions the tests record once (tests/conftest.py, recorded_once) are shared by both runs.
GROUPKAP_TEST_RECORDINGS=$(mktemp -d -t groupkap-recordings.XXXXXX)
export GROUPKAP_TEST_RECORDINGS
trap 'rm -rf "$GROUPKAP_TEST_RECORDINGS"' EXIT
PYTHONPATH="$PWD/tests/qt_block${PYTHONPATH:+:$PYTHONPATH}" \
    "$VENV/bin/python" -m pytest tests/core -p no:pytest-qt
core=$?
"$VENV/bin/python" -m pytest tests --ignore=tests/core
rest=$?
if [ "$core" -ne 0 ]; then exit "$core"; fi
exit "$rest"
