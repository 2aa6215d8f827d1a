"""``bonescan-tutor fetch``: download the IICS-UNA dataset from Zenodo and unpack it."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from bonescan_tutor import paths
from bonescan_tutor.datasets import fetch
from bonescan_tutor.datasets.fetch import human_size


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "fetch",
        help="download the IICS-UNA dataset from Zenodo (about 80 MB)",
        description=(
            "Download the IICS-UNA bone-scan record from Zenodo, verify its checksums and "
            "unpack it. An interrupted download resumes when run again."
        ),
    )
    p.add_argument("--dest", metavar="DIR", help="where to put it (default: the app's data folder)")
    p.add_argument(
        "--server",
        metavar="URL",
        help=f"Zenodo server or mirror (default: ${fetch.SERVER_ENV} or {fetch.DEFAULT_SERVER})",
    )
    p.add_argument("--record", metavar="ID", default=fetch.RECORD_ID, help="Zenodo record number")
    p.add_argument("--yes", "-y", action="store_true", help="download without asking")
    p.add_argument("--keep-zip", action="store_true", help="keep the zip after unpacking it")
    p.add_argument(
        "--no-extract",
        action="store_true",
        help="keep the zip as it is (the app opens it directly)",
    )
    p.set_defaults(func=run)


class TerminalProgress:
    """A one-line progress bar on stderr, redrawn in place at most every ``interval`` s."""

    def __init__(self, stream: TextIO, interval: float = 0.2, width: int = 30) -> None:
        self.stream = stream
        self.interval = interval
        self.width = width
        self._last = float("-inf")
        self._name: str | None = None
        self._started = time.monotonic()
        self._tty = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, name: str) -> None:
        now = time.monotonic()
        if name != self._name:
            self.finish()
            self._name, self._started, self._last = name, now, float("-inf")
        complete = total > 0 and done >= total
        if not complete and now - self._last < (self.interval if self._tty else 5.0):
            return
        self._last = now
        frac = min(done / total, 1.0) if total else 0.0
        filled = int(frac * self.width)
        elapsed = now - self._started
        rate = f"  {human_size(done / elapsed)}/s" if elapsed >= 1.0 else ""
        line = (
            f"{name[:32]:<32} {frac * 100:5.1f}% [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{human_size(done)} / {human_size(total)}{rate}"
        )
        self.stream.write(("\r" + line) if self._tty else (line + "\n"))
        if complete and self._tty:
            self.stream.write("\n")
            self._name = None
        self.stream.flush()

    def finish(self) -> None:
        if self._name is not None and self._tty:
            self.stream.write("\n")
            self.stream.flush()
        self._name = None


def _confirm(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    server = (args.server or fetch.default_server()).rstrip("/")
    dest = Path(args.dest).expanduser() if args.dest else paths.datasets_dir()
    files = fetch.list_files(server, args.record)
    print(f"Zenodo record {args.record} at {server}:")
    for f in files:
        print(f"  {f.name}  {human_size(f.size)}  {f.checksum or 'no checksum'}")
    total = sum(f.size for f in files)
    if not args.yes and not _confirm(
        f"Download {len(files)} file(s), {human_size(total)}, into {dest}? [y/N] "
    ):
        print("Nothing downloaded. Run again with --yes to download without asking.")
        return 1
    bar = TerminalProgress(sys.stderr)
    try:
        target = fetch.fetch_record(
            dest,
            server=server,
            record_id=args.record,
            progress=bar,
            extract=not args.no_extract,
            keep_zip=args.keep_zip,
            files=files,
        )
    except KeyboardInterrupt:
        bar.finish()
        print("Download interrupted; run the same command again to resume it.", file=sys.stderr)
        return 130
    finally:
        bar.finish()
    print(f"Dataset ready: {target}")
    print(f'Open it with:  bonescan-tutor --dataset "{target}"')
    return 0
