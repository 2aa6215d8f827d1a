"""Errors a user can cause, each with a message a resident can act on.

Bugs are not raised as these; they propagate as ordinary exceptions and are shown
with their traceback.
"""

from __future__ import annotations


class BonescanError(Exception):
    """Base of every error the user can cause and fix (a bad file, a missing folder)."""


class DatasetError(BonescanError):
    """A path that cannot be opened as a dataset at all."""


class ImageError(BonescanError):
    """An image file that cannot be decoded into a scan view."""


class UsageError(BonescanError):
    """A request that does not fit the data (unknown case key, preset, colour map)."""
