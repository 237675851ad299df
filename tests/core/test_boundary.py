"""The core runs with Qt absent: every `groupkap` module imports, and the core tests pass, in
a process where importing PySide6, pyqtgraph, shiboken6 or `ui` fails (STYLE.md, Shape).

The block is `tests/qt_block/sitecustomize.py` on PYTHONPATH, so the processes the core tests
start (the CLI, the permission checks) run without Qt too. `make test` runs `tests/core` under
it (scripts/run-tests.sh); any other run of this file proves the rule in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = ROOT / "tests" / "qt_block"
BLOCKED = ("PySide6", "pyqtgraph", "shiboken6", "ui")

WALK = textwrap.dedent("""
    import importlib, pkgutil, sys

    assert any(type(f).__name__ == "BlockQt" for f in sys.meta_path), "block not installed"
    import groupkap
    imported = []
    for info in pkgutil.walk_packages(groupkap.__path__, "groupkap."):
        importlib.import_module(info.name)
        imported.append(info.name)
    print("IMPORTED", len(imported), " ".join(imported), flush=True)
""")

CORE_SUITE = textwrap.dedent(f"""
    import sys
    import pytest

    BLOCKED = {set(BLOCKED)!r}
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


def _blocked_here() -> bool:
    return any(type(f).__name__ == "BlockQt" for f in sys.meta_path)


def _leaked() -> list[str]:
    return sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)


@pytest.fixture
def blocked_env() -> ChildEnv:
    path = os.pathsep.join(p for p in (str(BLOCK), os.environ.get("PYTHONPATH")) if p)
    return ChildEnv(os.environ, PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")


def _run(code: str, env: ChildEnv, *args: str, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


def test_the_block_really_blocks(blocked_env):
    """Without this, the tests below could pass while proving nothing."""
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
    result = _run(probe, blocked_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ALL BLOCKED" in result.stdout


def test_every_core_module_imports_with_qt_blocked(blocked_env):
    result = _run(WALK, blocked_env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    imported = next(line for line in result.stdout.splitlines() if line.startswith("IMPORTED"))
    count, *names = imported.split()[1:]
    assert int(count) == len(names)
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


@pytest.mark.slow
def test_the_core_suite_passes_with_qt_blocked(blocked_env, tmp_path):
    """Under `make test` this very run is blocked: nothing Qt may have been imported by any
    core test so far (an import would have failed that test). Run any other way, the core
    suite runs again in a blocked child process."""
    if _blocked_here():
        assert _leaked() == []
        return
    result = _run(CORE_SUITE, blocked_env, str(tmp_path / "inner"), timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    leaked = next(line for line in result.stdout.splitlines() if line.startswith("LEAKED"))
    assert leaked.split()[1:] == []
    assert " passed" in result.stdout and " failed" not in result.stdout
