"""The core runs with Qt absent: every `groupkap` module imports, and the core tests pass, in
a process where importing PySide6, pyqtgraph, shiboken6 or `ui` fails (STYLE.md, Shape).

The block is installed by a `sitecustomize` on PYTHONPATH, so the processes the core tests
start (the CLI, the permission checks) run without Qt too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("PySide6", "pyqtgraph", "shiboken6", "ui")

SITECUSTOMIZE = textwrap.dedent(f"""
    import importlib.abc, sys

    BLOCKED = {set(BLOCKED)!r}

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ImportError(f"{{name}} is blocked: the core must run without Qt or ui")
            return None

    sys.meta_path.insert(0, BlockQt())
""")

CHILD = textwrap.dedent(f"""
    import importlib, pkgutil, sys

    assert any(type(f).__name__ == "BlockQt" for f in sys.meta_path), "block not installed"
    BLOCKED = {set(BLOCKED)!r}

    import groupkap
    imported = []
    for info in pkgutil.walk_packages(groupkap.__path__, "groupkap."):
        importlib.import_module(info.name)
        imported.append(info.name)
    print("IMPORTED", len(imported), " ".join(imported), flush=True)

    import pytest
    # The entry point is named "pytest-qt": `-p no:pytestqt` would leave it loaded.
    code = pytest.main(["tests/core", "-q", "-p", "no:pytest-qt", "-p", "no:cacheprovider",
                        "-k", "not boundary", "--basetemp", sys.argv[1]])
    leaked = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)
    print("LEAKED", " ".join(leaked), flush=True)
    sys.exit(int(code))
""")


class ChildEnv(dict):
    """os.environ plus the block; its short repr keeps the environment out of failure logs."""

    def __repr__(self) -> str:
        return f"<child environment, PYTHONPATH={self.get('PYTHONPATH')}>"


@pytest.fixture
def blocked_env(tmp_path) -> ChildEnv:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p)
    return ChildEnv(os.environ, PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")


def test_the_block_really_blocks(blocked_env):
    """Without this, the test below could pass while proving nothing."""
    probe = textwrap.dedent(f"""
        import importlib, sys
        for name in {BLOCKED!r}:
            try:
                importlib.import_module(name)
            except ImportError:
                continue
            sys.exit(f"{{name}} imported despite the block")
        print("ALL BLOCKED")
    """)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=blocked_env,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ALL BLOCKED" in result.stdout


@pytest.mark.slow
def test_core_imports_and_passes_with_qt_blocked(blocked_env, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "inner")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=blocked_env,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    lines = result.stdout.splitlines()
    imported = next(line for line in lines if line.startswith("IMPORTED")).split()
    names = imported[2:]
    assert int(imported[1]) == len(names)
    # Spot checks that the walk reached every package, libVLC's home (groupkap/audio) too.
    for module in (
        "groupkap.cli",
        "groupkap.session",
        "groupkap.store.store",
        "groupkap.room.buffers",
        "groupkap.settings",
        "groupkap.audio.libvlc",
    ):
        assert module in names
    leaked = next(line for line in lines if line.startswith("LEAKED")).split()[1:]
    assert leaked == [], leaked
    assert " passed" in result.stdout and " failed" not in result.stdout
