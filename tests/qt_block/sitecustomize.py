"""Qt blocked: on PYTHONPATH, this makes importing PySide6, pyqtgraph, shiboken6 or `ui` fail
in the process and in every process it starts (the CLI runs the core tests make).

`scripts/run-tests.sh` runs `tests/core` under it, so the core suite proves the core needs no
Qt (STYLE.md, Shape); `tests/core/test_boundary.py` checks the block holds.
"""

import importlib.abc
import sys

BLOCKED = frozenset({"PySide6", "pyqtgraph", "shiboken6", "ui"})


class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: the core must run without Qt or ui")
        return None


sys.meta_path.insert(0, BlockQt())
