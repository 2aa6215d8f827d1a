"""bonescan-tutor: teaching quizzes on whole-body planar bone scans.

Layers (arrows point down only): ``gui`` -> ``storage``, ``datasets``, ``figures`` -> ``core``.
``cli`` is the front door and starts the GUI lazily. See ARCHITECTURE.md.
"""

from __future__ import annotations

import time

#: When the package was first imported: start-up figures are measured from here.
STARTED = time.perf_counter()

#: The one place the version is written; pyproject.toml reads it from here.
__version__ = "0.1.0"
