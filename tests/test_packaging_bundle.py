"""The bundle's build helpers in packaging/: size report, licence file, Windows version.

packaging/ is a folder of scripts, not a package (a package named ``packaging`` would
shadow the PyPI one), so its modules are loaded from their files.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parent.parent / "packaging"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bundle_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


layout = load("bundle_layout")
licences = load("third_party_licenses")
winver = load("windows_version")


def write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def test_largest_parts_splits_the_folder_that_dominates_the_bundle(tmp_path: Path) -> None:
    write(tmp_path / "bonescan-tutor", 300)
    write(tmp_path / "_internal" / "PySide6" / "Qt" / "libQt6Gui.so", 500)
    write(tmp_path / "_internal" / "PySide6" / "QtCore.so", 250)
    write(tmp_path / "_internal" / "numpy" / "a.so", 100)
    write(tmp_path / "_internal" / "numpy" / "b.so", 100)
    write(tmp_path / "_internal" / "base_library.zip", 50)

    parts = layout.largest_parts(tmp_path, 4)

    assert parts == [
        ("_internal/PySide6/Qt/libQt6Gui.so", 500),
        ("bonescan-tutor", 300),
        ("_internal/PySide6/QtCore.so", 250),
        ("_internal/numpy", 200),
    ]
    assert layout.folder_size(tmp_path) == 1300


def test_bundle_resources_are_found_in_the_contents_folder_first(tmp_path: Path) -> None:
    (tmp_path / "_internal" / "resources").mkdir(parents=True)
    assert layout.resources_dir(tmp_path) == tmp_path / "_internal" / "resources"
    with pytest.raises(FileNotFoundError, match=r"packaging/build\.py"):
        layout.resources_dir(tmp_path / "elsewhere")


def test_executable_names_follow_the_platform(tmp_path: Path) -> None:
    name = layout.executable(tmp_path, layout.CLI).name
    assert name == ("bonescan-tutor-cli.exe" if sys.platform == "win32" else "bonescan-tutor-cli")


@pytest.mark.parametrize(
    ("version", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3rc1", (1, 2, 3, 0)), ("2.0.dev4+g1a2b3c", (2, 0, 0, 0)),
     ("1.2.3.4.5", (1, 2, 3, 4)), ("70000.1", (65535, 1, 0, 0)), ("unknown", (0, 0, 0, 0))],
)
def test_windows_version_numbers_are_four_16_bit_fields(version: str, numbers: tuple) -> None:
    assert winver.numeric_version(version) == numbers


class FakeDistribution(metadata.Distribution):
    """An installed distribution in tmp_path, with a licence file in its dist-info."""

    def __init__(self, root: Path, name: str, licence: str, files: list[str]) -> None:
        self.root = root
        self.name_ = name
        info = f"{name}-1.0.dist-info"
        self.meta = (f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0\n"
                     f"License-Expression: {licence}\n"
                     "Classifier: License :: OSI Approved :: MIT License\n"
                     "Classifier: Programming Language :: Python\n")
        self.listed = [*files, f"{info}/METADATA", f"{info}/licenses/LICENSE"]
        for file in files:
            write(root / file, 10)
        (root / info / "licenses").mkdir(parents=True)
        (root / info / "licenses" / "LICENSE").write_text(f"The {name} licence text.\n")

    def read_text(self, filename: str) -> str | None:
        if filename == "METADATA":
            return self.meta
        if filename == "RECORD":
            return "".join(f"{f},,\n" for f in self.listed)
        return None

    def locate_file(self, path: str | Path) -> Path:  # type: ignore[override]
        return self.root / path


def test_licence_file_covers_exactly_the_bundled_distributions(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    used = FakeDistribution(site, "usedlib", "MIT", ["usedlib/__init__.py", "usedlib/_core.so"])
    unused = FakeDistribution(site, "unusedlib", "GPL-3.0-only", ["unusedlib/__init__.py"])
    system_lib = tmp_path / "usr" / "lib" / "libfoo.so.1"
    write(system_lib, 5)
    sources = [str(site / "usedlib" / "_core.so"), str(system_lib)]

    dists, orphans = licences.bundled_distributions(sources, [used, unused])
    text = licences.render(dists, orphans)

    assert [d.metadata["Name"] for d in dists] == ["usedlib"]
    assert orphans == [str(system_lib)]
    assert "usedlib 1.0" in text and "License-Expression: MIT" in text
    assert "Classifier: License :: OSI Approved :: MIT License" in text
    assert "The usedlib licence text." in text
    assert "unusedlib" not in text
    assert "libfoo.so.1" in text
    assert "Python " in text  # the interpreter's own licence section


def test_licence_file_is_written_from_the_sources_list(tmp_path: Path) -> None:
    sources = tmp_path / "bundle-sources.txt"
    sources.write_text(f"{metadata.distribution('numpy').locate_file('numpy/__init__.py')}\n")
    target = licences.write_licence_file(tmp_path / "THIRD-PARTY-LICENSES.txt", sources)
    text = target.read_text(encoding="utf-8")
    assert f"numpy {metadata.version('numpy')}" in text
    assert "pandas" not in text.split("=" * 78)[0]


def test_components_name_each_part_of_the_bundle(tmp_path: Path) -> None:
    write(tmp_path / "bonescan-tutor", 300)
    write(tmp_path / "_internal" / "PySide6" / "Qt" / "lib" / "libQt6Gui.so.6", 500)
    write(tmp_path / "_internal" / "PySide6" / "Qt" / "lib" / "libicudata.so.73", 40)
    write(tmp_path / "_internal" / "numpy.libs" / "libopenblas.so", 200)
    write(tmp_path / "_internal" / "libX11.so.6", 30)
    write(tmp_path / "_internal" / "python3.11" / "lib-dynload" / "_ssl.so", 20)
    write(tmp_path / "_internal" / "certifi" / "cacert.pem", 10)

    parts = dict(layout.components(tmp_path))

    assert parts == {
        "Qt: PySide6, its libraries and plugins": 500,
        "the executables, with every Python module": 300,
        "numpy and its OpenBLAS": 200,
        "ICU data (Qt's text services, trimmed)": 40,
        "system libraries (X11, xcb, fonts, OpenSSL, D-Bus, ...)": 30,
        "Python: interpreter and standard library": 20,
        "other Python packages and metadata": 10,
    }
    assert sum(parts.values()) == layout.folder_size(tmp_path)


icu = load("icu_data")


def package(names: list[str]) -> bytes:
    """A little-endian ICU common data package holding one small item per name."""
    header = bytearray(32)
    header[0:4] = bytes([32, 0, 0xDA, 0x27])
    header[4:6] = (20).to_bytes(2, "little")
    header[8:12] = bytes([0, 0, 2, 0])  # little-endian, ASCII, 2-byte UChar
    header[12:16] = b"CmnD"
    return icu.write_package(bytes(header), [(n, n.encode() * 3) for n in names])


def test_icu_package_round_trips_and_keeps_what_qt_uses() -> None:
    names = sorted(["icudt73l/coll/root.res", "icudt73l/coll/de.res", "icudt73l/coll/ucadata.icu",
                    "icudt73l/en_GB.res", "icudt73l/fr.res", "icudt73l/root.res",
                    "icudt73l/res_index.res", "icudt73l/zoneinfo64.res", "icudt73l/nfkc.nrm",
                    "icudt73l/brkitr/cjdict.dict", "icudt73l/brkitr/word.brk",
                    "icudt73l/translit/root.res", "icudt73l/zone/pool.res", "icudt73l/lang/de.res"])
    _, items = icu.read_package(package(names))

    assert [name for name, _ in items] == names
    assert all(item.startswith(name.encode() * 3) for name, item in items)
    kept = [name for name, item in items if icu.wanted(name, len(item))]
    assert kept == sorted(["icudt73l/coll/root.res", "icudt73l/coll/ucadata.icu",
                           "icudt73l/en_GB.res", "icudt73l/root.res", "icudt73l/res_index.res",
                           "icudt73l/zoneinfo64.res", "icudt73l/nfkc.nrm",
                           "icudt73l/brkitr/word.brk", "icudt73l/zone/pool.res"])
    assert not icu.wanted("icudt73l/gb18030.cnv", 232_000)
    assert icu.wanted("icudt73l/ibm-1252_P100-2000.cnv", 2_000)
    with pytest.raises(ValueError, match="ICU common data"):
        icu.read_package(b"\x20\x00\xda\x27" + bytes(28))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt links ICU on Linux only")
def test_trimmed_icu_library_holds_the_wanted_part_of_qts(tmp_path: Path) -> None:
    import shutil

    qt_lib = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt" / "lib"  # type: ignore[arg-type, union-attr]
    original = next(qt_lib.glob("libicudata.so.*"), None)
    if original is None or not all(shutil.which(t) for t in ("as", "ld", "nm", "readelf")):
        pytest.skip("no ICU data library or no binutils here")
    trimmed = icu.trimmed_library(original, tmp_path)
    assert trimmed is not None and trimmed.name == original.name
    _, offset, size = icu._symbol(trimmed)
    _, items = icu.read_package(trimmed.read_bytes()[offset:offset + size])
    _, offset, size = icu._symbol(original)
    _, full = icu.read_package(original.read_bytes()[offset:offset + size])
    kept = {n.split("/", 1)[1] for n, _ in items}
    assert {"coll/root.res", "coll/ucadata.icu", "en.res", "root.res", "uts46.nrm"} <= kept
    assert not {"coll/de.res", "brkitr/cjdict.dict", "fr.res"} & kept
    assert [n for n, _ in items] == [n for n, item in full if icu.wanted(n, len(item))]
    assert trimmed.stat().st_size < original.stat().st_size / 4


@pytest.mark.skipif(sys.platform == "win32", reason="Windows builds a console executable")
def test_cli_script_starts_the_app_with_its_arguments(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    monkeypatch.syspath_prepend(str(PACKAGING))
    build = load("build")
    app = tmp_path / "bundle" / layout.GUI
    app.parent.mkdir()
    app.write_text('#!/bin/sh\nprintf "%s|" "$@"\n')
    app.chmod(0o755)
    build.write_cli_script(app.parent)
    link = tmp_path / "bin" / "bst"  # started through a link elsewhere, as from ~/bin
    link.parent.mkdir()
    link.symlink_to(app.parent / layout.CLI)

    result = subprocess.run([str(link), "validate", "my dir"], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "validate|my dir|"
