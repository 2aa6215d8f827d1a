"""bonescan-tutor: teaching quizzes on whole-body planar bone scans.

Layers (arrows point down only): ``gui`` -> ``storage``, ``datasets`` -> ``core``.
``cli`` is the front door and starts the GUI lazily. See ARCHITECTURE.md.
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("bonescan-tutor")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
