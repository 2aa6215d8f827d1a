"""The Windows version resource (Explorer's Properties > Details) built from the package version."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imports pefile, which PyInstaller installs on Windows only
    from PyInstaller.utils.win32.versioninfo import VSVersionInfo

PRODUCT = "bonescan-tutor"
DESCRIPTION = "Teaching quizzes on whole-body bone scans"
COMPANY = "bonescan-tutor developers"
LANG_US_UNICODE = "040904B0"  # U.S. English, Unicode code page


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """``"1.2.3rc1"`` -> ``(1, 2, 3, 0)``: Windows wants exactly four 16-bit numbers."""
    # Only the leading dotted release counts, not the digits of a pre-release or local tag.
    release = re.match(r"\d+(?:\.\d+)*", version)
    numbers = [int(n) for n in release.group(0).split(".")[:4]] if release else []
    numbers = [min(n, 0xFFFF) for n in numbers] + [0] * (4 - len(numbers))
    return (numbers[0], numbers[1], numbers[2], numbers[3])


def version_resource(version: str, file_name: str, description: str = DESCRIPTION) -> VSVersionInfo:
    """The VSVersionInfo PyInstaller embeds in ``file_name`` (an ``.exe``)."""
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    numbers = numeric_version(version)
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            StringFileInfo([
                StringTable(LANG_US_UNICODE, [
                    StringStruct("CompanyName", COMPANY),
                    StringStruct("FileDescription", description),
                    StringStruct("FileVersion", version),
                    StringStruct("InternalName", file_name.removesuffix(".exe")),
                    StringStruct("LegalCopyright", f"MIT licence, {COMPANY}"),
                    StringStruct("OriginalFilename", file_name),
                    StringStruct("ProductName", PRODUCT),
                    StringStruct("ProductVersion", version),
                ])
            ]),
            VarFileInfo([VarStruct("Translation", [0x0409, 1200])]),
        ],
    )
