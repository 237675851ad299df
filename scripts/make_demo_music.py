"""Synthesise GroupKAP's demo music library (ambient drones, a circle chime, phase playlists).

Run: .venv/bin/python scripts/make_demo_music.py [folder]   (default: the user cache folder,
~/.cache/groupkap/demo-library on Linux)
Only missing files are written, or all of them when the generator version changed; the demo
calls the same function at start-up, so running this by hand is optional.
"""

import argparse
from pathlib import Path

from groupkap.demo.music_library import demo_library_folder, ensure_demo_library


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=demo_library_folder(),
        help="where to write the library (default: %(default)s)",
    )
    folder = parser.parse_args().folder
    written = ensure_demo_library(folder)
    for path in written:
        print(f"wrote {path}  ({path.stat().st_size / 1e6:.2f} MB)")
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    state = f"wrote {len(written)} files" if written else "already up to date"
    print(f"{folder}: {state}; library is {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
