"""Fixtures shared by these tests."""

from __future__ import annotations

from tests.fake_zenodo import fake_zenodo

__all__ = ["fake_zenodo"]
