#!/usr/bin/env bash
# Run the whole suite headless: Qt offscreen (tests/conftest.py sets it too), real SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export QT_QPA_PLATFORM=offscreen
exec "$VENV/bin/python" -m pytest "$@"
