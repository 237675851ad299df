#!/usr/bin/env bash
# Install what GroupKAP needs, only what is missing: Debian packages (as root, or print the
# command to run), then a virtual environment with the pinned Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

DEB_PACKAGES=(
  libvlc5 vlc-plugin-base            # libVLC for music, chimes and alarm sounds
  pulseaudio pulseaudio-utils        # per-seat audio devices (null sinks) for the audio tests
  xvfb xauth                         # a virtual X display for screenshots
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 fonts-dejavu-core
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxkbcommon-x11-0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0   # Qt's xcb platform
  sqlite3                            # reading the database by hand
  poppler-utils                      # the PDF report tests render pages (pdftoppm, pdftotext)
  sox libsox-fmt-all                 # the music tests make real Ogg Vorbis and FLAC files
  python3-venv
)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    echo "then run this command again." >&2
    exit 2
  fi
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: GroupKAP needs Python 3.11 or newer; $($PYTHON --version) found" >&2
  exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating the virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when pyproject.toml or constraints.txt changed since the last successful
# install. The ranges are in pyproject.toml; constraints.txt pins the set the tests passed with.
stamp="$VENV/.groupkap-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "setup: installing GroupKAP and its tested dependencies into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]"
  touch "$stamp"
fi
