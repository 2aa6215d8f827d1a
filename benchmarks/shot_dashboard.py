"""Screenshots of the progress dashboard for review: a demo-like learner's three practice
sessions (about 60 answers) plus an exam not yet submitted, at 1366 x 768, in the dark
and light themes.

    QT_QPA_PLATFORM=offscreen python benchmarks/shot_dashboard.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from benchmarks.progress_history import SessionPlan, write_history
from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.gui.app import configure_pyqtgraph
from bonescan_tutor.gui.results.presenter import progress_loader
from bonescan_tutor.gui.results.screen import DashboardScreen
from bonescan_tutor.storage.progress import ProgressStore

STYLES = Path(__file__).resolve().parents[1] / "resources" / "styles"
PLANS = [
    SessionPlan("Quick quiz", 20, fingerprint="older-fp"),
    SessionPlan("Quick quiz", 20),
    SessionPlan("Axial skeleton set", 20),
    SessionPlan("End-of-rotation exam", 10, QuizMode.EXAM, submitted=False),
]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    configure_pyqtgraph()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.sqlite3"
        trainee = write_history(path, PLANS)
        with ProgressStore.open(path) as store:
            for name in ("dark", "light"):
                app.setStyleSheet((STYLES / f"{name}.qss").read_text(encoding="utf-8"))
                screen = DashboardScreen(progress_loader(store, trainee), "current-fp")
                screen.resize(1366, 768)
                screen.show()
                app.processEvents()
                screen.grab().save(str(out / f"dashboard-{name}.png"))
                screen.tabs.setCurrentIndex(1)
                app.processEvents()
                screen.grab().save(str(out / f"dashboard-{name}-answers.png"))
                if name == "dark":
                    for h in screen.presenter.data.summary.metrics.as_dict().items():
                        print(h)
                screen.close()
                screen.deleteLater()
                app.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "shots"))
