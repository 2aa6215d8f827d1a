"""``bonescan-tutor report``: a trainee's figures from the progress file, and exports.

Only attempts whose label was shown (finished cases) count. Attempts recorded on
another version of the dataset (a different fingerprint) are kept, counted and marked
"older dataset version"; the current version is the one of ``--dataset`` when given,
else the one of the most recent answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.metric_registry import Kind, Metric, Table, figures_json, metrics_for
from bonescan_tutor.core.scoring import Summary, summary


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "report",
        help="print a trainee's figures from the progress file; export xlsx/CSV/iMRMC/RJafroc",
        description=(
            "Print sensitivity, specificity, accuracy, kappa, AUC and more (95 % intervals) "
            "for a trainee's finished cases, counting the latest answer to each case "
            "(--every-answer counts each answer). Without --trainee, every trainee in the "
            "progress file is reported. The progress file is the one under --home. Exports "
            "always hold every answer."
        ),
    )
    p.add_argument("--trainee", metavar="NAME", help="whose figures (default: everyone)")
    p.add_argument("--since", metavar="DATE", help="only answers from DATE on (YYYY-MM-DD, UTC)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument(
        "--every-answer",
        action="store_true",
        help="count every answer in the figures, a case read twice twice (default: the "
        "latest answer to each case, as the dashboard does)",
    )
    p.add_argument(
        "--export", metavar="FILE", help="also write the attempts to FILE.xlsx or FILE.csv"
    )
    p.add_argument(
        "--imrmc",
        metavar="FILE",
        help="also write an iMRMC input file (FILE.imrmc; .imrmc is added to another "
        "ending) with its reader and case key tables FILE.readers.csv and FILE.cases.csv",
    )
    p.add_argument(
        "--annotations", metavar="FILE", action="append",
        help="case annotations (.bstann) for localization figures from the trainees' marks; "
        "repeat to merge several (default: annotations.bstann beside the dataset of "
        "'bonescan-tutor --dataset PATH report')",
    )
    p.add_argument(
        "--rjafroc", metavar="FILE",
        help="also write the marks as RJafroc's JAFROC workbook FILE.xlsx (FROC data), "
        "with FILE.readers.csv and FILE.cases.csv (needs annotations)",
    )
    p.set_defaults(func=run)


def parse_since(text: str | None) -> float | None:
    """Epoch seconds of a date (UTC midnight) or an ISO date-time; None for None."""
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r}: give a date as YYYY-MM-DD.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def _estimate(e: Any, digits: int = 2) -> str:
    if e.value is None:
        return str(e.note)
    if e.low is not None and e.high is not None:
        return f"{e.value:.{digits}f} ({e.low:.{digits}f}-{e.high:.{digits}f})"
    return f"{e.value:.{digits}f}"


def metric_text(metric: Metric, s: Summary) -> str | None:
    """One figure as the report's text (None: nothing to say, the line is left out)."""
    plain = metric.plain(s)
    if plain is not None:
        return plain
    v = metric.of(s)
    if metric.kind is Kind.PROPORTION:
        return str(v)
    if metric.kind is Kind.ESTIMATE:
        return _estimate(v, metric.digits)
    if metric.kind is Kind.SECONDS:
        if v.median_s is None:
            return None
        return f"{v.median_s:.1f} s per case (IQR {v.iqr_s or 0:.1f} s)"
    return str(v)  # pragma: no cover - every kind is handled above


def summary_lines(s: Summary) -> list[str]:
    """The report's figure lines, one per metric it carries (``core.metric_registry``)."""
    lines = []
    for metric in metrics_for(Table.REPORT):
        text = metric_text(metric, s)
        if text is not None:
            lines.append(f"  {metric.label + ':':<20}{text}")
    return lines


@dataclass(frozen=True)
class TraineeBlock:
    """One trainee's part of the report."""

    trainee_id: int
    name: str
    finished: list[Any]  # every finished attempt
    older: int  # of them, on another dataset version
    summary: Summary
    skipped: int  # earlier answers to cases read again, left out of the figures
    waiting: int = 0  # xAPI statements waiting to be sent to the Learning Record Store


def run(args: argparse.Namespace) -> int:
    since = parse_since(args.since)
    export = Path(args.export) if args.export else None
    if export is not None and export.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"--export {export}: the file name must end in .xlsx or .csv.")
    loaded = _load(args, since)
    if loaded is None:
        return 1
    chosen, attempts, cards, waiting = loaded
    current, layout = _current_dataset(args, attempts)
    if not attempts:
        _print_nothing_yet(args, chosen)
        return 0
    annotations = _annotations(args, current)
    located = _localization(attempts, annotations)
    blocks = _blocks(args, chosen, attempts, current, waiting)
    if args.json:
        print(json.dumps(_as_json(args, current, blocks, cards, located), indent=2))
    else:
        for block in blocks:
            _print_block(args, block, located if annotations is not None else None)
    names = {t.id: t.name for t in chosen}
    if export is not None:
        _export(args, export, attempts, blocks, names, current, layout)
    if args.imrmc:
        _export_imrmc(args, attempts, names, current, layout)
    if args.rjafroc:
        _export_rjafroc(args, attempts, annotations, names)
    return 0


def _load(args: argparse.Namespace, since: float | None
          ) -> tuple[list[Any], list[Any], dict[int, Any], dict[str, int]] | None:
    """The chosen trainees, their finished attempts, review cards and statements waiting
    to be sent (by trainee name); None (after saying so) when ``--trainee`` names nobody
    known."""
    from bonescan_tutor.storage.progress import ProgressStore

    with ProgressStore.open() as store:
        if store.recovered_from is not None:
            from bonescan_tutor.storage.progress_file import recovery_message

            print(f"bonescan-tutor report: {recovery_message(store.path, store.recovered_from)}",
                  file=sys.stderr)
        known = store.trainees()
        chosen = known
        if args.trainee:
            wanted = args.trainee.strip().casefold()
            chosen = [t for t in known if t.name.casefold() == wanted]
            if not chosen:
                names = ", ".join(t.name for t in known) or "none yet"
                print(
                    f"bonescan-tutor report: no trainee named {args.trainee!r}. Known trainees: {names}."
                )
                return None
        attempts = [a for t in chosen for a in store.attempts(t, since) if a.label_shown]
        cards = {t.id: store.review_cards(t) for t in chosen}
        waiting = store.waiting_statements()
    return chosen, attempts, cards, waiting


def _print_nothing_yet(args: argparse.Namespace, chosen: list[Any]) -> None:
    who = chosen[0].name if len(chosen) == 1 else "anyone"
    when = f" since {args.since}" if args.since else ""
    message = (
        f"No finished cases yet for {who}{when}. Answer a few quiz cases and your "
        "figures will appear here."
    )
    print(json.dumps({"trainees": [], "message": message}) if args.json else message)


def _blocks(args: argparse.Namespace, chosen: list[Any], attempts: list[Any],
            current: str | None, waiting: dict[str, int]) -> list[TraineeBlock]:
    """Each chosen trainee with finished cases, with the figures of the answers counted."""
    from bonescan_tutor.storage.progress_records import latest_attempts

    blocks = []
    for t in chosen:
        mine = [a for a in attempts if a.trainee_id == t.id]
        if not mine:
            continue
        counted = mine if args.every_answer else latest_attempts(mine)
        older = sum(1 for a in mine if current and a.dataset_fingerprint != current)
        blocks.append(TraineeBlock(t.id, t.name, mine, older, summary([a.answer for a in counted]),
                                   len(mine) - len(counted), waiting.get(t.name, 0)))
    return blocks


def _as_json(args: argparse.Namespace, current: str | None, blocks: list[TraineeBlock],
             cards: dict[int, Any], located: dict[int, dict[str, object]]) -> dict[str, object]:
    from bonescan_tutor.core import review

    return {
        "current_dataset_fingerprint": current,
        "trainees": [
            {
                "trainee": b.name,
                "finished_cases": len(b.finished),
                "older_dataset_version": b.older,
                "summary": b.summary.as_dict(),
                "figures": figures_json(b.summary),
                "review": review.schedule(cards[b.trainee_id]),
                "counted": "every answer" if args.every_answer else "latest answer per case",
                "earlier_answers_not_counted": b.skipped,
                "localization": located.get(b.trainee_id),
                "statements_waiting": b.waiting,
            }
            for b in blocks
        ],
    }


def _print_block(args: argparse.Namespace, b: TraineeBlock,
                 located: dict[int, dict[str, object]] | None) -> None:
    """One trainee's text: counts, what was counted, the figures, localization."""
    print(f"{b.name}: {len(b.finished)} finished case(s), {b.summary.n_answered} answered")
    if args.every_answer:
        print("  (every answer counted: a case read twice counts twice)")
    elif b.skipped:
        print(
            f"  (latest answer per case counted; {b.skipped} earlier answer(s) to cases "
            "read again left out; --every-answer counts them)"
        )
    if b.older:
        print(
            f"  ({b.older} of them on an older dataset version; kept and marked "
            "'older dataset version' in exports)"
        )
    if b.waiting:
        print(
            f"  ({b.waiting} statement(s) waiting to be sent to the Learning Record "
            "Store; the app sends them when it runs and the LRS answers)"
        )
    print("\n".join(summary_lines(b.summary)))
    if located is not None:
        print(localization_line(located.get(b.trainee_id)))


def _export(args: argparse.Namespace, export: Path, attempts: list[Any],
            blocks: list[TraineeBlock], names: dict[int, str], current: str | None,
            layout: Any) -> None:
    from bonescan_tutor.storage.export import export_attempts_csv, export_workbook

    if export.suffix.lower() == ".csv":
        export_attempts_csv(attempts, export, names, current, layout)
    else:
        summaries = {b.name: b.summary for b in blocks}
        export_workbook(attempts, summaries, export, names, current, layout)
    if not args.json:
        print(f"Wrote {export}")


def _export_imrmc(args: argparse.Namespace, attempts: list[Any], names: dict[int, str],
                  current: str | None, layout: Any) -> None:
    from bonescan_tutor.storage.export import export_imrmc, imrmc_key_paths, imrmc_path

    target, note = imrmc_path(Path(args.imrmc))
    written = export_imrmc(
        attempts, target, trainee_names=names, current_fingerprint=current, current_layout=layout
    )
    readers, cases = imrmc_key_paths(written)
    if note:
        print(f"bonescan-tutor report: {note}", file=sys.stderr)
    if not args.json:
        print(f"Wrote {written} (reader and case keys: {readers.name}, {cases.name})")


def _export_rjafroc(args: argparse.Namespace, attempts: list[Any],
                    annotations: AnnotationSet | None, names: dict[int, str]) -> None:
    if annotations is None:
        raise UsageError(
            "--rjafroc needs case annotations: give --annotations FILE.bstann, or "
            "--dataset PATH with annotations.bstann beside it.")
    from bonescan_tutor.storage.rjafroc import export_rjafroc

    written, notes = export_rjafroc(attempts, annotations, Path(args.rjafroc), names)
    for note in notes:
        print(f"bonescan-tutor report: {note}", file=sys.stderr)
    if not args.json:
        print(f"Wrote {written}")


def _annotations(args: argparse.Namespace, current: str | None) -> AnnotationSet | None:
    """The annotations given with --annotations (merged), else those beside --dataset;
    a file made on another dataset version than ``current`` is named on stderr."""
    from bonescan_tutor.storage.annotations import annotations_beside, read_merged

    paths = [Path(p) for p in args.annotations or []]
    if not paths and getattr(args, "dataset", None):
        beside = annotations_beside(args.dataset)
        paths = [beside] if beside else []
    if not paths:
        return None
    merged, warnings = read_merged(paths)
    if current and merged.dataset_fingerprint != current:
        warnings.append(f"{paths[0]}: made on dataset version {merged.dataset_fingerprint}, "
                        f"the answers are on {current}; check that the marks still fit.")
    for warning in warnings:
        print(f"bonescan-tutor report: warning: {warning}", file=sys.stderr)
    return merged


def _localization(attempts: list[Any], annotations: AnnotationSet | None
                  ) -> dict[int, dict[str, object]]:
    """Each trainee's localization figures as JSON, by trainee id (none without annotations)."""
    if annotations is None:
        return {}
    from bonescan_tutor.core.localization import operating_points
    from bonescan_tutor.storage.rjafroc import localization_by_trainee

    return {t: {**loc.as_dict(), "operating_points": operating_points(scores).as_dict()}
            for t, (loc, scores) in localization_by_trainee(attempts, annotations).items()}


def localization_line(loc: dict[str, Any] | None) -> str:
    """One text line of a trainee's localization figures."""
    if loc is None or not loc["cases"]:
        return "  Localization:       no annotated case answered"
    parts = [f"{loc['lesions_hit']} of {loc['lesions']} lesions found"]
    if loc["llf"] is not None:
        parts[0] += f" (LLF {loc['llf']:.2f})"
    parts.append(f"NLF {loc['nlf']:.2f} false marks per case")
    if loc["wafroc"] is not None:
        parts.append(f"wAFROC {loc['wafroc']:.2f}")
    line = "  Localization:       " + ", ".join(parts)
    if loc["unannotated_metastatic_cases"]:
        line += ("\n  (left out, metastatic without annotations: "
                 + ", ".join(loc["unannotated_metastatic_cases"]) + ")")
    return line


def _current_dataset(args: argparse.Namespace, attempts: list[Any]) -> tuple[str | None, Any]:
    """The current dataset version's fingerprint and, with ``--dataset``, its layout."""
    if getattr(args, "dataset", None):
        from bonescan_tutor.datasets.detect import open_dataset

        dataset, _ = open_dataset(args.dataset)
        return dataset.fingerprint, dataset.layout
    if not attempts:
        return None, None
    latest = max(attempts, key=lambda a: (a.answer.answered_at, a.id))
    fingerprint: str = latest.dataset_fingerprint
    return fingerprint, None
