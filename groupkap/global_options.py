"""The one home of the global options `--db` and `--config`, shown in every command's help.

DESIGN.md: every global option is accepted before or after the command name, so each
subcommand declares them again; declared here once, their help says the same everywhere and
`groupkap export --help` shows `--db` as `groupkap --help` does. On a subcommand the default
is SUPPRESS, so `groupkap --db X export …` keeps the X given before the command name.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from groupkap.store.store import default_db_path

NAMES = ("db", "config")


def _help(name: str) -> str:
    if name == "db":
        return f"session database (default: GROUPKAP_DB or {default_db_path()})"
    return "settings file (TOML)"


def add_global_options(
    parser: argparse.ArgumentParser, names: tuple[str, ...] = NAMES, *, root: bool = False
) -> None:
    """Declare `--db` and/or `--config` on `parser` with their help shown (`root`: the
    top-level parser, whose default is None)."""
    for name in names:
        default = None if root else argparse.SUPPRESS
        parser.add_argument(
            f"--{name}", type=Path, default=default, metavar="FILE", help=_help(name)
        )
