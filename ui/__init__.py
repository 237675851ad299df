"""The Qt face of GroupKAP: it draws what the core holds and forwards commands to it."""

import os

# pyqtgraph must bind to PySide6, never to a PyQt that happens to be installed.
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
