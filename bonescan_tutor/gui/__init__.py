"""PySide6 + pyqtgraph screens. The only package that imports Qt."""
