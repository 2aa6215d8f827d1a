"""The front door: the GUI by default, and the headless sub-commands.

Each sub-command lives in ``bonescan_tutor.commands.<name>`` and registers its own
parser. Headless commands never import Qt (nor pandas unless they need it); the GUI
is imported lazily, only to start it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from bonescan_tutor import __version__, paths
from bonescan_tutor.core.errors import BonescanError

# Sub-command modules, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = (
    "validate",
    "make_demo",
    "render",
    "analyze",
    "deidentify",
    "fetch",
    "quizset",
    "report",
    "cohort",
    "annotations",
)

DESCRIPTION = """\
Teaching quizzes on whole-body bone scans (IICS-UNA dataset) for nuclear-medicine
residents. With no sub-command, opens the app (on the built-in synthetic demo when
no --dataset is given)."""

EPILOG = """\
The demo dataset is synthetic and not for clinical learning; open the real IICS-UNA
dataset with --dataset PATH (its folder or its zip)."""


def commands_needed(argv: Sequence[str] | None) -> tuple[str, ...]:
    """The sub-command modules to load for ``argv``: none to start the app, only the
    named one to run it, all of them for help or anything unclear (so argparse can
    list the choices). Starting the app then loads no command code at all."""
    if argv is None:
        return COMMANDS
    by_name = {module.replace("_", "-"): module for module in COMMANDS}
    for arg in argv:
        if arg in ("-h", "--help"):
            return COMMANDS
        if arg in by_name:
            return (by_name[arg],)
    words = [a for a in argv if not a.startswith("-")]
    return COMMANDS if words and not _values_of_options(argv) >= set(words) else ()


def _values_of_options(argv: Sequence[str]) -> set[str]:
    """Words that are the values of the app's own options (``--dataset PATH``)."""
    takes_value = {"--dataset", "--quiz-set", "--trainee", "--home"}
    return {argv[i + 1] for i, a in enumerate(argv[:-1]) if a in takes_value}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bonescan-tutor",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bonescan-tutor {__version__}")
    parser.add_argument(
        "--dataset", metavar="PATH", help="dataset folder or zip to open (default: the demo)"
    )
    parser.add_argument(
        "--quiz-set", metavar="FILE",
        help="take the quiz set FILE (.bstquiz) on the dataset as soon as it is open",
    )
    parser.add_argument(
        "--trainee", metavar="NAME", dest="trainee_name",
        help="read as NAME (default: the last trainee on this computer, or your user name)",
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        help=f"keep settings and progress in DIR (also: ${paths.HOME_ENV})",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="build the window offscreen on the demo in a temporary home, show a case, run a "
        "short quiz, export it to xlsx, check them and the LRS client's libraries, exit 0 on "
        "success (nothing is written to your folders)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands_needed(argv):
        module = importlib.import_module(f"bonescan_tutor.commands.{name}")
        module.register(sub)
    return parser


QUIET_LOGGERS = ("PIL", "matplotlib", "urllib3", "asyncio")


def run(argv: Sequence[str]) -> int:
    parser = build_parser(list(argv))
    args = parser.parse_args(list(argv))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # Third-party debug lines name the file being read (Pillow prints each PNG's chunks),
    # and a file's folder can hold a hidden case's label: they stay quiet even with -v.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if args.home:
        paths.set_home(args.home)
    try:
        if args.command:
            return int(args.func(args))
        return _start_gui(args)
    except BonescanError as exc:
        print(f"bonescan-tutor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bonescan-tutor: interrupted", file=sys.stderr)
        return 130


def _no_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return False
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


NO_DISPLAY_HELP = """\
bonescan-tutor: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).
  To run without a screen, set QT_QPA_PLATFORM=offscreen, for example
      QT_QPA_PLATFORM=offscreen bonescan-tutor --self-test
  or use a headless sub-command (bonescan-tutor --help lists them)."""


SELF_TEST_FOLDERS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                     "MPLCONFIGDIR")


def _self_test(args: argparse.Namespace) -> int:
    """The self-test in a temporary home: the user's settings, progress, caches (the
    app's, Qt's and fontconfig's) are neither read nor written, and nothing is left."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="bonescan-self-test-") as home:
        paths.set_home(home)
        for name in SELF_TEST_FOLDERS:
            os.environ[name] = os.path.join(home, name.lower())
        from bonescan_tutor.gui.app import run_app

        return run_app(args)


def _start_gui(args: argparse.Namespace) -> int:
    if args.self_test:
        return _self_test(args)
    if _no_display():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    from bonescan_tutor.gui.app import run_app

    return run_app(args)
