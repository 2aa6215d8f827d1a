"""A dataset's files, from an extracted folder or straight from a zip.

Readers list relative POSIX paths and read bytes through a ``FileTree``, so one reader
serves both. Hidden files and the ``__MACOSX`` folders archivers add are skipped.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bonescan_tutor.core.cases import Projection, View
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.datasets.images import ImageHeader, png_looks_truncated, read_header


def _skipped(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return any(p.startswith(".") or p == "__MACOSX" or p == "Thumbs.db" for p in parts)


@dataclass
class FileTree:
    """The files under ``root`` (a folder) or inside ``archive`` (a zip)."""

    root: Path
    archive: zipfile.ZipFile | None = None

    @classmethod
    def open(cls, path: Path) -> FileTree:
        if path.is_dir():
            return cls(path)
        if path.is_file() and zipfile.is_zipfile(path):
            try:
                return cls(path, zipfile.ZipFile(path))
            except (OSError, zipfile.BadZipFile) as exc:
                raise DatasetError(f"{path}: the zip file cannot be opened ({exc}).") from exc
        if path.is_file():
            raise DatasetError(
                f"{path}: this file is neither a folder nor a zip. Open the dataset's folder, "
                "its zip as downloaded from Zenodo, or a case manifest (.csv/.xlsx)."
            )
        raise DatasetError(f"{path}: no such file or folder. Check the path and try again.")

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def __enter__(self) -> FileTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_zip(self) -> bool:
        return self.archive is not None

    def files(self) -> list[str]:
        """Every regular file, as a path relative to the root with forward slashes."""
        if self.archive is not None:
            names = [i.filename for i in self.archive.infolist() if not i.is_dir()]
        else:
            names = []
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__MACOSX"]
                rel_dir = Path(dirpath).relative_to(self.root).as_posix()
                prefix = "" if rel_dir == "." else rel_dir + "/"
                names.extend(prefix + f for f in filenames)
        return sorted(n for n in names if not _skipped(n))

    def display(self, rel: str) -> str:
        """How a file is named in messages."""
        if self.archive is not None:
            return f"{self.root}!{rel}"
        return str(self.root / rel)

    def size(self, rel: str) -> int:
        if self.archive is not None:
            return self.archive.getinfo(rel).file_size
        return (self.root / rel).stat().st_size

    def read_bytes(self, rel: str) -> bytes:
        if self.archive is not None:
            return self.archive.read(rel)
        return (self.root / rel).read_bytes()

    def local_path(self, rel: str) -> Path | None:
        """The file on disk, or None inside a zip."""
        return None if self.archive is not None else self.root / rel

    def header(self, rel: str) -> ImageHeader:
        """The image header, reading only the first bytes; raises ``ImageError``."""
        name = self.display(rel)
        if self.archive is not None:
            with self.archive.open(rel) as f:
                head = f.read(33)
            if head.startswith(b"\x89PNG"):
                return read_header(head, name)
            return read_header(self.archive.read(rel), name)
        return read_header(self.root / rel, name)

    def looks_truncated(self, rel: str) -> bool:
        """A folder PNG cut short; inside a zip the CRC catches it at decode time."""
        path = self.local_path(rel)
        return path is not None and png_looks_truncated(path)

    def view(self, projection: Projection, rel: str, header: ImageHeader | None) -> View:
        return View(
            projection=projection,
            path=rel if self.archive is not None else str(self.root / rel),
            archive=str(self.root) if self.archive is not None else None,
            size_bytes=self.size(rel),
            width=header.width if header else None,
            height=header.height if header else None,
            mode=header.mode if header else None,
        )
