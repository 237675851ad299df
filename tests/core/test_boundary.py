"""The core runs with Qt absent: every `groupkap` module imports, and the core tests pass, in
a process where importing PySide6, pyqtgraph, shiboken6 or `ui` fails (STYLE.md, Shape)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("PySide6", "pyqtgraph", "shiboken6", "ui")

CHILD = textwrap.dedent("""
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = {blocked!r}

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ImportError(f"{{name}} is blocked: the core must run without Qt or ui")
            return None

    sys.meta_path.insert(0, BlockQt())

    import groupkap
    imported = []
    for info in pkgutil.walk_packages(groupkap.__path__, "groupkap."):
        importlib.import_module(info.name)
        imported.append(info.name)
    print("IMPORTED", len(imported), " ".join(imported), flush=True)

    import pytest
    # The entry point is named "pytest-qt": `-p no:pytestqt` would leave it loaded.
    code = pytest.main(["tests/core", "-q", "-p", "no:pytest-qt", "-p", "no:cacheprovider",
                        "-k", "not boundary"])
    leaked = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)
    print("LEAKED", " ".join(leaked), flush=True)
    sys.exit(int(code))
""").format(blocked=set(BLOCKED))


@pytest.mark.slow
def test_core_imports_and_passes_with_qt_blocked():
    result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    imported = next(line for line in result.stdout.splitlines() if line.startswith("IMPORTED"))
    names = imported.split()[2:]
    for module in ("groupkap.cli", "groupkap.session", "groupkap.store.store",
                   "groupkap.room.buffers", "groupkap.settings"):
        assert module in names
    assert int(imported.split()[1]) == len(names)
    leaked = next(line for line in result.stdout.splitlines() if line.startswith("LEAKED"))
    assert leaked.split()[1:] == [], leaked
    assert " passed" in result.stdout and " failed" not in result.stdout


def test_the_blocker_really_blocks():
    """The child's finder must make these imports fail, or the test above proves nothing."""
    probe = CHILD.split("import groupkap")[0] + textwrap.dedent("""
        for name in BLOCKED:
            try:
                importlib.import_module(name)
            except ImportError:
                continue
            sys.exit(f"{name} imported despite the block")
        print("ALL BLOCKED")
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ALL BLOCKED" in result.stdout
