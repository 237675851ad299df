#!/usr/bin/env bash
# Open the demo room: a window when there is a display, else offscreen with a screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
exec "$VENV/bin/groupkap" demo "$@"
