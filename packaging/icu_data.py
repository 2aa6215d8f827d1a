"""A smaller ICU data library for the Linux bundle (30 MB of ``libicudata`` down to ~5 MB).

Qt's Linux wheels link QtCore against ICU, whose data library carries every locale's
names, currencies, units and collations, the word-break dictionaries of Chinese,
Japanese, Thai, Lao, Khmer and Burmese, the transliterators and the East Asian code
pages. Qt formats numbers and dates from its own tables, breaks lines and words itself
and reads text as UTF-8; what it asks ICU for is case mapping, normalisation, collation
(the file dialog's sort order) and time-zone data. This module keeps that and the root
and English locale data (other locales fall back to root, as ICU does for any locale it
lacks), and drops the rest.

The library is rebuilt from the trimmed package with ``as`` and ``ld`` (binutils, which
PyInstaller on Linux needs anyway). Without them, or with a library laid out in an
unexpected way, ``trimmed_library`` returns None and the bundle keeps the full one.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

ALIGN = 16
LOCALE_RES = re.compile(r"^(root|[a-z]{2,3})(_[A-Za-z0-9]+)*\.res$")
SMALL_CONVERTER = 16 * 1024  # the single-byte code pages (windows-125x, ISO 8859-x, ...)


def wanted(name: str, size: int) -> bool:
    """True for an item of the package that Qt may still ask for (``name`` as in the
    package, e.g. ``icudt73l/coll/de.res``)."""
    folder, _, leaf = name.partition("/")[2].rpartition("/")
    if folder in ("translit", "rbnf") or leaf.endswith(".dict"):
        return False
    if leaf.endswith(".cnv"):
        return size <= SMALL_CONVERTER
    if leaf in ("res_index.res", "pool.res") or not LOCALE_RES.match(leaf):
        return True
    return leaf in ("root.res", "en.res") or leaf.startswith("en_")


def read_package(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split an ICU common data package ("CmnD") into its header and its named items."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD" or data[8] != 0:
        raise ValueError("not a little-endian ICU common data package")
    count = struct.unpack_from("<I", data, header_size)[0]
    entries = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    starts = [header_size + offset for _, offset in entries] + [len(data)]
    items = []
    for i, (name_offset, _) in enumerate(entries):
        name_start = header_size + name_offset
        name = data[name_start:data.index(b"\0", name_start)].decode("ascii")
        items.append((name, data[starts[i]:starts[i + 1]]))
    return data[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The package holding ``items`` (kept in their sorted order: ICU binary-searches it)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    data_start = -(-(toc_size + len(names)) // ALIGN) * ALIGN
    toc, blob = [struct.pack("<I", len(items))], bytearray()
    name_offset = toc_size
    for name, item in items:
        toc.append(struct.pack("<II", name_offset, data_start + len(blob)))
        name_offset += len(name) + 1
        blob += item + b"\0" * (-len(item) % ALIGN)
    body = b"".join(toc) + names
    return header + body + b"\0" * (data_start - len(body)) + bytes(blob)


def _symbol(library: Path) -> tuple[str, int, int] | None:
    """The data symbol (``icudt73_dat``), its file offset and size, from ``nm`` and the
    section table; None if the library is not laid out as expected."""
    nm, readelf = shutil.which("nm"), shutil.which("readelf")
    if nm is None or readelf is None:
        return None
    symbols = subprocess.run([nm, "-D", "-S", "--defined-only", str(library)], check=True,
                             capture_output=True, text=True).stdout.split()
    found = [(symbols[i + 3], int(symbols[i], 16), int(symbols[i + 1], 16))
             for i in range(0, len(symbols) - 3, 4) if re.fullmatch(r"icudt\d+_dat", symbols[i + 3])]
    sections = subprocess.run([readelf, "-W", "-S", str(library)], check=True,
                              capture_output=True, text=True).stdout
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if len(found) != 1 or rodata is None:
        return None
    name, address, size = found[0]
    return name, address - int(rodata.group(1), 16) + int(rodata.group(2), 16), size


def trimmed_library(library: Path, workdir: Path) -> Path | None:
    """A copy of ICU's data ``library`` holding only the wanted items, or None when it
    cannot be made here (the caller then ships the original)."""
    assembler, linker = shutil.which("as"), shutil.which("ld")
    symbol = _symbol(library) if assembler and linker else None
    if symbol is None or assembler is None or linker is None:
        return None
    name, offset, size = symbol
    try:
        header, items = read_package(library.read_bytes()[offset:offset + size])
    except (ValueError, struct.error, IndexError):
        return None
    kept = [(item_name, item) for item_name, item in items if wanted(item_name, len(item))]
    workdir.mkdir(parents=True, exist_ok=True)
    package = workdir / f"{name}.dat"
    package.write_bytes(write_package(header, kept))
    source = workdir / f"{name}.s"
    source.write_text(
        f'\t.section .rodata\n\t.globl {name}\n\t.type {name}, @object\n\t.balign {ALIGN}\n'
        f'{name}:\n\t.incbin "{package.name}"\n\t.size {name}, . - {name}\n'
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii",
    )
    out = workdir / library.name
    subprocess.run([assembler, "-o", f"{name}.o", source.name], cwd=workdir, check=True)
    subprocess.run([linker, "-shared", "-soname", library.name, "-o", str(out), f"{name}.o"],
                   cwd=workdir, check=True)
    return out
