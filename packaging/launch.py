"""Entry script of the frozen app: both executables start here and hand argv to ``main()``."""

from __future__ import annotations

import multiprocessing
import sys

from bonescan_tutor.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not start a second app
    sys.exit(main())
