"""A dataset's files, from an extracted folder or straight from a zip.

Readers list relative POSIX paths and read bytes through a ``FileTree``, so one reader
serves both. Hidden files and the ``__MACOSX`` folders archivers add are skipped.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bonescan_tutor.core.cases import Projection, View
from bonescan_tutor.core.errors import DatasetError, ImageError
from bonescan_tutor.datasets.images import (
    MAX_IMAGE_BYTES,
    PNG_SIGNATURE,
    PNG_TAIL,
    ImageHeader,
    read_header,
)
from bonescan_tutor.files import zips


@dataclass(frozen=True)
class Probe:
    """What indexing learns of an image file without decoding it."""

    header: ImageHeader
    size: int
    truncated: bool


def _skipped(rel: str) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" or p == "Thumbs.db" for p in rel.split("/"))


@dataclass
class FileTree:
    """The files under ``root`` (a folder) or inside ``archive`` (a zip)."""

    root: Path
    archive: zipfile.ZipFile | None = None
    _listing: list[str] | None = None

    @classmethod
    def open(cls, path: Path) -> FileTree:
        if path.is_dir():
            return cls(path)
        if path.is_file() and (zipfile.is_zipfile(path) or zips.looks_like_zip(path)):
            return cls(path, zips.open_zip(path, error=DatasetError))
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
        """Every regular file, as a path relative to the root with forward slashes
        (listed once per tree)."""
        if self._listing is None:
            self._listing = self._list()
        return self._listing

    def _list(self) -> list[str]:
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
        return os.path.join(self._root_text, rel)

    @property
    def _root_text(self) -> str:
        return str(self.root)

    def size(self, rel: str) -> int:
        if self.archive is not None:
            return self.archive.getinfo(rel).file_size
        return os.stat(os.path.join(self._root_text, rel)).st_size

    def read_bytes(self, rel: str, max_bytes: int = zips.MAX_MEMBER_BYTES) -> bytes:
        """A file's bytes (a table, not an image); ``DatasetError`` beyond ``max_bytes``."""
        if self.archive is not None:
            return zips.read_member(self.archive, rel, self.display(rel), max_bytes=max_bytes,
                                    error=DatasetError)
        path = self.root / rel
        try:
            if path.stat().st_size > max_bytes:
                raise DatasetError(f"{path}: too large ({path.stat().st_size / 1e6:.0f} MB; at "
                                   f"most {max_bytes / 1e6:.0f} MB).")
            return path.read_bytes()
        except OSError as exc:
            raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc

    def probe(self, rel: str) -> Probe:
        """Header, size and (for a folder PNG) whether it was cut short, in one open.

        Inside a zip the CRC catches a cut file at decode time instead.
        Raises ``ImageError`` naming the file.
        """
        name = self.display(rel)
        if self.archive is not None:
            info = self.archive.getinfo(rel)
            problem = zips.inflation_problem(info.file_size, info.compress_size,
                                             max_bytes=MAX_IMAGE_BYTES)
            if problem:
                raise ImageError(f"{name}: refused: {problem}, a possible zip bomb. Replace "
                                 "the zip with the original download.")
            head = zips.read_member_head(self.archive, info, 33, name, error=ImageError)
            data = head if head.startswith(PNG_SIGNATURE) else zips.read_member(
                self.archive, info, name, max_bytes=MAX_IMAGE_BYTES, error=ImageError)
            return Probe(read_header(data, name), info.file_size, False)
        try:
            with open(name, "rb") as f:
                head = f.read(33)
                size = os.fstat(f.fileno()).st_size
                truncated = False
                if head.startswith(PNG_SIGNATURE):
                    if size < len(PNG_TAIL) + len(head):
                        truncated = True
                    else:
                        f.seek(size - len(PNG_TAIL))
                        truncated = f.read() != PNG_TAIL
        except OSError as exc:
            raise ImageError(f"{name}: could not be read ({exc}).") from exc
        header = read_header(head if head.startswith(PNG_SIGNATURE) else name, name)
        return Probe(header, size, truncated)

    def view(self, projection: Projection, rel: str, header: ImageHeader | None,
             size: int | None = None) -> View:
        return View(
            projection=projection,
            path=rel if self.archive is not None else os.path.join(self._root_text, rel),
            archive=self._root_text if self.archive is not None else None,
            size_bytes=self.size(rel) if size is None else size,
            width=header.width if header else None,
            height=header.height if header else None,
            mode=header.mode if header else None,
        )
