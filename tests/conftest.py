"""Test-wide configuration: Qt runs offscreen, set before any QApplication exists."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
