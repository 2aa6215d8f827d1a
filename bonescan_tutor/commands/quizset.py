"""``bonescan-tutor quizset create|check``: build a quiz-set file, or check one on a dataset.

``create`` draws the cases with ``storage.quizsets.draw_cases`` (stratified by label,
numpy ``Generator(seed)``), the same function the GUI builder calls, so a seed names
one selection. The seed also orders each trainee's cases.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "quizset",
        help="create a quiz-set file (.bstquiz) or check one against a dataset",
        description="Quiz sets are files an instructor hands out: which cases, how they are shown.",
    )
    sub = p.add_subparsers(dest="quizset_command", metavar="ACTION", required=True)

    c = sub.add_parser(
        "create",
        help="draw cases at random and write a quiz-set file",
        description="Draw N quiz-eligible cases (stratified by label) and write a .bstquiz file.",
    )
    c.add_argument("--dataset", dest="quiz_dataset", metavar="PATH", help="dataset folder or zip")
    c.add_argument("--cases", type=int, required=True, metavar="N", help="how many cases")
    c.add_argument(
        "--prevalence",
        type=float,
        metavar="P",
        help="share of cases with metastases, 0-1 (default: the dataset's own; 0.5 = balanced)",
    )
    c.add_argument(
        "--seed", type=int, metavar="S", help="random seed (default: a new one, printed)"
    )
    c.add_argument("--mode", choices=[m.value for m in QuizMode], default="practice")
    c.add_argument("--time-per-case", type=float, metavar="SEC", help="time limit per case")
    c.add_argument("--time-total", type=float, metavar="SEC", help="time limit for the whole quiz")
    c.add_argument("--no-clinical", action="store_true", help="hide age, sex and other details")
    c.add_argument(
        "--tools",
        metavar="LIST",
        help=f"comma-separated viewer tools allowed (default: all; 'none' for none): "
        f"{', '.join(t.value for t in Tool)}",
    )
    c.add_argument("--no-certainty", action="store_true", help="do not ask for a certainty")
    c.add_argument("--author", default="", metavar="NAME")
    c.add_argument("--instructions", default="", metavar="TEXT", help="shown before the quiz")
    c.add_argument("--results-folder", metavar="DIR", help="where trainees' results files go")
    c.add_argument("--title", required=True, metavar="T")
    c.add_argument("--out", required=True, metavar="FILE", help="the .bstquiz file to write")
    c.set_defaults(func=run_create)

    k = sub.add_parser(
        "check",
        help="check a quiz-set file against a dataset",
        description="List which cases of a quiz set a dataset has. Exit 1 when none is usable.",
    )
    k.add_argument("file", metavar="FILE", help="the .bstquiz file")
    k.add_argument("--dataset", dest="quiz_dataset", metavar="PATH", help="dataset folder or zip")
    k.set_defaults(func=run_check)


def _dataset_path(args: argparse.Namespace) -> str:
    path = args.quiz_dataset or getattr(args, "dataset", None)
    if not path:
        raise UsageError("Give the dataset with --dataset PATH.")
    return str(path)


def parse_tools(text: str | None) -> frozenset[Tool]:
    if text is None or text.strip().lower() == "all":
        return frozenset(Tool)
    if text.strip().lower() == "none":
        return frozenset()
    known = {t.value: t for t in Tool}
    names = [n.strip().lower().replace("-", "_") for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(
            f"--tools: unknown tool(s) {', '.join(unknown)}; known: {', '.join(known)}."
        )
    return frozenset(known[n] for n in names)


def run_create(args: argparse.Namespace) -> int:
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.storage.quizsets import QuizSet, draw_cases, write_quizset

    dataset, _report = open_dataset(_dataset_path(args))
    seed = args.seed if args.seed is not None else secrets.randbits(31)
    keys = draw_cases(dataset, args.cases, args.prevalence, seed)
    spec = QuizSpec.create(
        args.title,
        keys,
        QuizMode(args.mode),
        seed=seed,
        instructions=args.instructions,
        time_limit_per_case_s=args.time_per_case,
        time_limit_total_s=args.time_total,
        show_clinical=not args.no_clinical,
        tools_allowed=parse_tools(args.tools),
        certainty_required=not args.no_certainty,
    )
    qs = QuizSet.for_dataset(spec, dataset, author=args.author, results_folder=args.results_folder)
    out = Path(args.out)
    write_quizset(qs, out)
    n_pos = sum(1 for k in keys if dataset.case(k).diagnosis.is_positive)
    print(
        f"Wrote {out}: quiz set {args.title!r}, {len(keys)} case(s) ({n_pos} with metastases, "
        f"{len(keys) - n_pos} without), {args.mode} mode, seed {seed}."
    )
    if out.suffix != ".bstquiz":
        print("Note: quiz-set files are usually named *.bstquiz.", file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.storage.quizsets import check_against, read_quizset

    qs = read_quizset(Path(args.file))
    dataset, _report = open_dataset(_dataset_path(args))
    check = check_against(qs, dataset)
    print(f"Quiz set {qs.title!r} ({len(qs.spec.case_keys)} cases, {qs.spec.mode.value} mode)")
    print(f"  made on:  {qs.dataset_name} [{qs.dataset_fingerprint}]")
    print(f"  dataset:  {dataset.name} [{dataset.fingerprint}]")
    for message in check.messages:
        print(f"  {message}")
    return 0 if check.ok else 1
