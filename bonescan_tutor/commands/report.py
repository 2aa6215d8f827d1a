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
from pathlib import Path
from typing import Any

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.errors import UsageError
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


def _fmt(p: Any) -> str:
    return str(p)


def _estimate(e: Any, digits: int = 2) -> str:
    if e.value is None:
        return str(e.note)
    if e.low is not None and e.high is not None:
        return f"{e.value:.{digits}f} ({e.low:.{digits}f}-{e.high:.{digits}f})"
    return f"{e.value:.{digits}f}"


def summary_lines(s: Summary) -> list[str]:
    m = s.metrics
    t = s.time
    lines = [
        f"  Accuracy:           {_fmt(m.accuracy)}",
        f"  Sensitivity:        {_fmt(m.sensitivity)}",
        f"  Specificity:        {_fmt(m.specificity)}",
        f"  Balanced accuracy:  {_estimate(m.balanced_accuracy)}",
        f"  PPV:                {_fmt(m.ppv)}",
        f"  NPV:                {_fmt(m.npv)}",
        f"  Kappa:              {_estimate(m.kappa)}",
        f"  AUC:                {_estimate(s.auc)}",
        f"  Brier score:        {_estimate(s.brier, 3)}",
    ]
    if t.median_s is not None:
        lines.append(f"  Time per case:      median {t.median_s:.1f} s (IQR {t.iqr_s or 0:.1f} s)")
    return lines


def run(args: argparse.Namespace) -> int:
    from bonescan_tutor.core import review
    from bonescan_tutor.storage.export import (
        export_attempts_csv,
        export_imrmc,
        export_workbook,
        imrmc_key_paths,
        imrmc_path,
    )
    from bonescan_tutor.storage.progress import ProgressStore

    since = parse_since(args.since)
    export = Path(args.export) if args.export else None
    if export is not None and export.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"--export {export}: the file name must end in .xlsx or .csv.")
    with ProgressStore.open() as store:
        if store.recovered_from is not None:
            from bonescan_tutor.storage.progress_file import recovery_message

            print(f"bonescan-tutor report: {recovery_message(store.path, store.recovered_from)}",
                  file=sys.stderr)
        known = store.trainees()
        if args.trainee:
            wanted = args.trainee.strip().casefold()
            chosen = [t for t in known if t.name.casefold() == wanted]
            if not chosen:
                names = ", ".join(t.name for t in known) or "none yet"
                print(
                    f"bonescan-tutor report: no trainee named {args.trainee!r}. Known trainees: {names}."
                )
                return 1
        else:
            chosen = known
        attempts = [a for t in chosen for a in store.attempts(t, since) if a.label_shown]
        cards = {t.id: store.review_cards(t) for t in chosen}
        waiting = store.waiting_statements()
    names = {t.id: t.name for t in chosen}
    current, layout = _current_dataset(args, attempts)
    if not attempts:
        who = chosen[0].name if len(chosen) == 1 else "anyone"
        when = f" since {args.since}" if args.since else ""
        message = (
            f"No finished cases yet for {who}{when}. Answer a few quiz cases and your "
            "figures will appear here."
        )
        print(json.dumps({"trainees": [], "message": message}) if args.json else message)
        return 0
    annotations = _annotations(args, current)
    located = _localization(attempts, annotations)
    blocks = []
    summaries: dict[str, Summary] = {}
    for t in chosen:
        mine = [a for a in attempts if a.trainee_id == t.id]
        if not mine:
            continue
        counted = mine if args.every_answer else latest_per_case(mine)
        s = summary([s.answer for s in counted])
        summaries[t.name] = s
        older = sum(1 for a in mine if current and a.dataset_fingerprint != current)
        blocks.append((t.id, t.name, mine, older, s, len(mine) - len(counted)))
    if args.json:
        print(
            json.dumps(
                {
                    "current_dataset_fingerprint": current,
                    "trainees": [
                        {
                            "trainee": name,
                            "finished_cases": len(mine),
                            "older_dataset_version": older,
                            "summary": s.as_dict(),
                            "review": review.schedule(cards[trainee_id]),
                            "counted": "every answer" if args.every_answer else "latest answer per case",
                            "earlier_answers_not_counted": skipped,
                            "localization": located.get(trainee_id),
                            "statements_waiting": waiting.get(name, 0),
                        }
                        for trainee_id, name, mine, older, s, skipped in blocks
                    ],
                },
                indent=2,
            )
        )
    else:
        for trainee_id, name, mine, older, s, skipped in blocks:
            print(f"{name}: {len(mine)} finished case(s), {s.n_answered} answered")
            if args.every_answer:
                print("  (every answer counted: a case read twice counts twice)")
            elif skipped:
                print(
                    f"  (latest answer per case counted; {skipped} earlier answer(s) to cases "
                    "read again left out; --every-answer counts them)"
                )
            if older:
                print(
                    f"  ({older} of them on an older dataset version; kept and marked "
                    "'older dataset version' in exports)"
                )
            if waiting.get(name):
                print(
                    f"  ({waiting[name]} statement(s) waiting to be sent to the Learning Record "
                    "Store; the app sends them when it runs and the LRS answers)"
                )
            print("\n".join(summary_lines(s)))
            if annotations is not None:
                print(localization_line(located.get(trainee_id)))
    if export is not None:
        if export.suffix.lower() == ".csv":
            export_attempts_csv(attempts, export, names, current, layout)
        else:
            export_workbook(attempts, summaries, export, names, current, layout)
        if not args.json:
            print(f"Wrote {export}")
    if args.imrmc:
        target, note = imrmc_path(Path(args.imrmc))
        written = export_imrmc(
            attempts, target, trainee_names=names, current_fingerprint=current, current_layout=layout
        )
        readers, cases = imrmc_key_paths(written)
        if note:
            print(f"bonescan-tutor report: {note}", file=sys.stderr)
        if not args.json:
            print(f"Wrote {written} (reader and case keys: {readers.name}, {cases.name})")
    if args.rjafroc:
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
    return 0


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


def latest_per_case(attempts: list[Any]) -> list[Any]:
    """The latest answer to each case (by answer time, then row), in answer order."""
    latest: dict[str, Any] = {}
    for a in sorted(attempts, key=lambda a: (a.answer.answered_at, a.id)):
        latest[a.answer.case_key] = a
    return sorted(latest.values(), key=lambda a: (a.answer.answered_at, a.id))


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
