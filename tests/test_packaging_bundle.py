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
