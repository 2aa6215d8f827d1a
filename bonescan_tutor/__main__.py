"""``python -m bonescan_tutor`` and the ``bonescan-tutor`` entry point."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from bonescan_tutor.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
