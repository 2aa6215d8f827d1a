"""A dataset's files, from an extracted folder, straight from a zip, or one named table.

Readers list relative POSIX paths and read bytes through a ``FileTree``, so one reader
serves both. Hidden files and the ``__MACOSX`` folders archivers add are skipped. A
``.csv``/``.xlsx`` file opened on its own is a tree of that one file (``named``) in its
folder: its other files are reached by name, never listed.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
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

TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})


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
    named: str | None = None
    _member_set: set[str] | None = None
    _real_root_text: str | None = None

    @classmethod
    def open(cls, path: Path) -> FileTree:
        path = Path(path)
        if path.is_dir():
            return cls(path)
        if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
            return cls(path.parent, named=path.name)
        if path.is_file() and (zipfile.is_zipfile(path) or zips.looks_like_zip(path)):
            return cls(path, zips.open_zip(path, error=DatasetError))
        if path.is_file():
            raise DatasetError(
                f"{path}: this file is neither a folder nor a zip. Open the dataset's folder, "
                "its zip as downloaded from Zenodo, or a case manifest (.csv/.xlsx)."
            )
        raise DatasetError(f"{path}: no such file or folder. Check the path and try again.")

    @classmethod
    @contextmanager
    def opened(cls, source: FileTree | str | os.PathLike[str]) -> Iterator[FileTree]:
        """``source`` itself when it is a tree (left open), else the tree at that path
        (closed afterwards)."""
        if isinstance(source, FileTree):
            yield source
            return
        with cls.open(Path(source)) as tree:
            yield tree

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
        (listed once per tree; a named table's tree lists that file only)."""
        if self._listing is None:
            self._listing = [self.named] if self.named is not None else self._list()
        return self._listing

    def children(self, folder: str = "") -> tuple[list[str], list[str]]:
        """(files, folders) directly inside ``folder`` ("" = the root), as paths relative to
        the root, sorted; a folder is read with one directory scan, not a walk."""
        prefix = folder + "/" if folder else ""
        if self.archive is not None or self.named is not None:
            files: set[str] = set()
            folders: set[str] = set()
            for rel in self.files():
                if rel.startswith(prefix):
                    first, _, rest = rel[len(prefix):].partition("/")
                    (folders if rest else files).add(prefix + first)
            return sorted(files), sorted(folders)
        files_list: list[str] = []
        folders_list: list[str] = []
        try:
            with os.scandir(os.path.join(self._root_text, folder)) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if _skipped(rel):
                        continue
                    if entry.is_dir():
                        folders_list.append(rel)
                    elif entry.is_file():
                        files_list.append(rel)
        except OSError:
            return [], []
        return sorted(files_list), sorted(folders_list)

    def base(self) -> str:
        """Where the dataset starts: "" (the root), or the one folder a zip wraps all
        its files in (as zipping a folder does)."""
        if self.archive is None:
            return ""
        files, folders = self.children()
        return folders[0] if not files and len(folders) == 1 else ""

    def is_file(self, rel: str) -> bool:
        if self.archive is not None:
            return rel in self._members()
        return os.path.isfile(os.path.join(self._root_text, rel))

    def _members(self) -> set[str]:
        if self._member_set is None:
            self._member_set = set(self.files())
        return self._member_set

    def inside(self, rel: str) -> bool:
        """True when ``rel`` (a folder file) does not lead out of the root through a
        symbolic link; zip members always stay inside."""
        if self.archive is not None:
            return True
        real = os.path.realpath(os.path.join(self._root_text, rel))
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    @property
    def _real_root(self) -> str:
        if self._real_root_text is None:
            self._real_root_text = os.path.realpath(self._root_text)
        return self._real_root_text

    @staticmethod
    def join(folder: str, rel: str) -> str:
        """``rel`` (forward slashes, already checked not to climb out) under ``folder``."""
        return posixpath.normpath(posixpath.join(folder, rel)) if folder else \
            posixpath.normpath(rel)

    def _list(self) -> list[str]:
        if self.archive is not None:
            names = [i.filename for i in self.archive.infolist()
                     if i.filename and not i.is_dir()]  # a crafted entry may have no name
        else:
            names = []
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__MACOSX"]
                rel_dir = Path(dirpath).relative_to(self.root).as_posix()
                prefix = "" if rel_dir == "." else rel_dir + "/"
                names.extend(prefix + f for f in filenames
                             if not f.startswith(".") and f != "Thumbs.db")
            return sorted(names)  # hidden and __MACOSX folders were not entered
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

    def locate(self, rel: str) -> tuple[str, str | None]:
        """(path, archive) of a file as a ``View`` names it: a folder file's full path, or
        a member name and the zip it is in."""
        if self.archive is not None:
            return rel, self._root_text
        return os.path.join(self._root_text, rel), None

    def view(self, projection: Projection, rel: str, header: ImageHeader | None,
             size: int | None = None) -> View:
        path, archive = self.locate(rel)
        return View(
            projection=projection,
            path=path,
            archive=archive,
            size_bytes=self.size(rel) if size is None else size,
            width=header.width if header else None,
            height=header.height if header else None,
            mode=header.mode if header else None,
        )
