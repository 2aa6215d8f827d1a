"""Screenshots of the instructor dialogs on the shipped demo, for review: the quiz-set
builder after a draw with a case previewed, and the cohort view of nine made-up
trainees (plus two files that cannot be merged), at 1400 x 860, dark and light themes.

    QT_QPA_PLATFORM=offscreen python benchmarks/shot_instructor.py OUT_DIR
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from bonescan_tutor import paths
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Dataset, Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.quiz_draw import draw_cases
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.app import configure_pyqtgraph, make_settings
from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog
from bonescan_tutor.gui.instructor.model import Mix
from bonescan_tutor.gui.instructor.quizset_dialog import QuizSetDialog
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import write_results

STYLES = Path(__file__).resolve().parents[1] / "resources" / "styles"
TRAINEES = {"Ana Benítez": 0.9, "Bruno Gómez": 0.8, "Carla Duarte": 0.75, "Diego Ortiz": 0.7,
            "Elena Ruiz": 0.65, "Félix Acosta": 0.6, "Gabriela Sosa": 0.85,
            "Hugo Martínez": 0.55, "Inés Villalba": 0.7}


def write_cohort(dataset: Dataset, folder: Path) -> None:
    """Nine trainees answering a 16-case exam, each right with their own probability."""
    keys = draw_cases(dataset, 16, 0.25, seed=7)
    spec = QuizSpec(id="demo-exam", title="End-of-rotation exam", case_keys=keys,
                    mode=QuizMode.EXAM, seed=7)
    qs = QuizSet.for_dataset(spec, dataset, author="Dr. Rivas")
    rng = np.random.default_rng(3)
    hard = set(keys[:3])  # a few cases most trainees miss
    for i, (name, skill) in enumerate(TRAINEES.items()):
        rows = []
        for pos, key in enumerate(keys, start=1):
            truth = dataset.case(key).diagnosis
            p = skill * (0.45 if key in hard else 1.0)
            right = rng.random() < p
            if rng.random() < 0.03:
                decision = None
            else:
                decision = truth if right else (Diagnosis.NO_METASTASES if truth.is_positive
                                                else Diagnosis.METASTASES)
            rows.append(Answer(
                case_key=key, position=pos, decision=decision, started_at=None,
                certainty=int(rng.choice([60, 70, 80, 90])) if decision else None,
                time_on_case_s=float(rng.uniform(20, 90)), answered_at=1000.0 + pos,
                timed_out=decision is None, truth=truth))
        write_results(qs, name, rows, folder, now=dt.datetime(2026, 3, 2, 10, i, tzinfo=dt.UTC))
    (folder / "notes from the lab.txt").write_text("not a results file")
    broken = sorted(folder.glob("*.bstresult"))[0].read_text(encoding="utf-8")
    (folder / "copy-cut-short.bstresult").write_text(broken[: len(broken) // 2], encoding="utf-8")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    configure_pyqtgraph()
    dataset, _ = open_dataset(paths.demo_dataset_dir())
    cache = ImageCache()
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        write_cohort(dataset, inbox)
        settings = make_settings(Path(tmp) / "settings.ini")
        for name in ("dark", "light"):
            app.setStyleSheet((STYLES / f"{name}.qss").read_text(encoding="utf-8"))
            builder = QuizSetDialog(dataset, settings, cache)
            builder.resize(1400, 860)
            builder.show()
            builder.n_cases.setValue(10)
            builder.mix.setCurrentIndex(builder.mix.findData(Mix.BALANCED))
            builder.seed.setValue(2024)
            builder.draw()
            builder.form.title.setText("Week 3: mixed cases")
            builder.form.author.setText("Dr. Rivas")
            builder.table.setCurrentCell(2, 0)
            app.processEvents()
            builder.grab().save(str(out / f"builder-{name}.png"))
            builder.close()

            dialog = CohortDialog(settings, dataset)
            dialog.resize(1400, 860)
            dialog.show()
            done: list[object] = []
            dialog.loaded.connect(done.append)
            dialog.load([inbox])
            while not done:
                app.processEvents()
            app.processEvents()
            dialog.grab().save(str(out / f"cohort-{name}.png"))
            for index, label in ((1, "missed"), (2, "problems")):
                dialog.tabs.setCurrentIndex(index)
                app.processEvents()
                dialog.grab().save(str(out / f"cohort-{name}-{label}.png"))
            dialog.close()
            for w in (builder, dialog):
                w.deleteLater()
            app.processEvents()
    cache.close()
    print(f"wrote screenshots to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "shots"))
