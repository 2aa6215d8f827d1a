"""THIRD-PARTY-LICENSES.txt: the licence of every installed distribution in the bundle.

The spec writes the source path of every collected file (``bundle-sources.txt`` in the
work folder); a distribution is in the bundle when one of its installed files is among
them. For each: name, version, licence field and classifiers, and the text of its
licence files. Collected files that belong to no distribution (the Python runtime,
system libraries on Linux) are listed at the end.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENCE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
OWN_DISTRIBUTION = "bonescan-tutor"
RULE = "=" * 78


def _norm(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def file_owners(dists: Iterable[metadata.Distribution]) -> dict[str, metadata.Distribution]:
    """Every installed file (normalised path) -> the distribution that installed it."""
    owners: dict[str, metadata.Distribution] = {}
    for dist in dists:
        for file in dist.files or ():
            owners.setdefault(_norm(dist.locate_file(file)), dist)  # type: ignore[arg-type]
    return owners


def bundled_distributions(
    sources: Iterable[str], dists: Iterable[metadata.Distribution] | None = None
) -> tuple[list[metadata.Distribution], list[str]]:
    """The distributions owning any of ``sources``, and the sources no distribution owns."""
    owners = file_owners(metadata.distributions() if dists is None else dists)
    found: dict[str, metadata.Distribution] = {}
    orphans: list[str] = []
    for source in sources:
        dist = owners.get(_norm(source))
        if dist is None:
            orphans.append(source)
        elif dist.metadata["Name"] and _canonical(dist.metadata["Name"]) != OWN_DISTRIBUTION:
            found.setdefault(_canonical(dist.metadata["Name"]), dist)
    return [found[name] for name in sorted(found)], orphans


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def licence_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(name, text) of the licence files a distribution installed, if any."""
    texts: list[tuple[str, str]] = []
    for file in dist.files or ():
        name = Path(str(file)).name.upper()
        in_metadata = ".dist-info" in str(file) or ".egg-info" in str(file)
        if in_metadata and name.startswith(LICENCE_NAMES):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                texts.append((str(file), path.read_text(encoding="utf-8", errors="replace")))
    return sorted(texts)


def licence_summary(dist: metadata.Distribution) -> list[str]:
    """The licence expression or field and the licence classifiers, one per line."""
    meta = dist.metadata
    lines = []
    for key in ("License-Expression", "License"):
        value = meta.get(key)
        if value and value.strip() and value.strip().upper() != "UNKNOWN":
            first = value.strip().splitlines()[0]
            more = " (full text below)" if "\n" in value.strip() else ""
            lines.append(f"{key}: {first[:200]}{more}")
    lines += [f"Classifier: {c}" for c in meta.get_all("Classifier") or () if c.startswith("License")]
    return lines or ["License: not stated in the distribution's metadata"]


def project_url(dist: metadata.Distribution) -> str:
    """The distribution's home page, or its PyPI page."""
    meta = dist.metadata
    for entry in meta.get_all("Project-URL") or ():
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "source code", "repository"):
            return url.strip()
    return meta.get("Home-page") or f"https://pypi.org/project/{meta['Name']}/"


def _python_section() -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    lines = [RULE, f"Python {sys.version.split()[0]} (the interpreter and standard library)", RULE]
    licence = stdlib / "LICENSE.txt"
    if licence.is_file():
        lines.append(licence.read_text(encoding="utf-8", errors="replace"))
    else:
        lines.append("Python Software Foundation License; see https://docs.python.org/3/license.html")
    return lines


def _is_system_library(source: str) -> bool:
    """Not ours, not Python's own, not inside an installed distribution."""
    path = Path(_norm(source))
    python_dirs = {Path(_norm(sysconfig.get_paths()[key])) for key in ("stdlib", "platstdlib")}
    return not (
        path.suffix in (".py", ".pyc")
        or path.name.startswith("libpython")  # the interpreter: the Python section covers it
        or path.is_relative_to(Path(_norm(ROOT)))
        or any(path.is_relative_to(d) for d in python_dirs)
        or "site-packages" in path.parts
    )


def render(dists: list[metadata.Distribution], orphans: list[str]) -> str:
    lines = [
        "Third-party software in this bonescan-tutor bundle",
        "",
        "bonescan-tutor is MIT-licensed. It ships with the following distributions, each under",
        "its own licence, reproduced below from its installed metadata.",
        "",
        *(f"  {d.metadata['Name']} {d.version}" for d in dists),
        "",
    ]
    for dist in dists:
        lines += [RULE, f"{dist.metadata['Name']} {dist.version}", RULE, *licence_summary(dist)]
        long_licence = (dist.metadata.get("License") or "").strip()
        if "\n" in long_licence:
            lines += ["", long_licence]
        texts = licence_files(dist)
        for name, text in texts:
            lines += ["", f"--- {name}", text.rstrip()]
        if not texts and "\n" not in long_licence:
            lines.append("No licence file is installed with this distribution; its full licence "
                         "text is at " + project_url(dist))
        lines.append("")
    lines += _python_section()
    libraries = sorted({Path(o).name for o in orphans if _is_system_library(o)})
    if libraries:
        lines += ["", RULE, "Other files collected from the build machine (system libraries)", RULE,
                  "Their licences are those of the operating-system packages they came from:", ""]
        lines += [f"  {name}" for name in libraries]
    return "\n".join(lines) + "\n"


def write_licence_file(target: Path, sources_list: Path) -> Path:
    """Write ``target`` for the files named in ``sources_list`` (one path a line)."""
    sources = [s for s in sources_list.read_text(encoding="utf-8").splitlines() if s.strip()]
    dists, orphans = bundled_distributions(sources)
    target.write_text(render(dists, orphans), encoding="utf-8")
    return target
