"""The only door to ``resources/`` and to the per-user folders.

Resources are found in a frozen PyInstaller bundle, in an installed wheel
(``bonescan_tutor/resources``) or in the source tree (``<repo>/resources``).

User folders follow platformdirs, unless overridden, in this order: ``--home DIR``
(``set_home``), the ``BONESCAN_TUTOR_HOME`` environment variable (lab setups, tests),
then portable mode: a file named ``portable`` beside the frozen executable puts
everything in a ``data/`` folder next to it (a USB stick).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

APP_NAME = "bonescan-tutor"
APP_AUTHOR = "bonescan-tutor"
HOME_ENV = "BONESCAN_TUTOR_HOME"

_home_override: Path | None = None


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def resources_dir() -> Path:
    """The folder holding the demo dataset, icons and the style sheets."""
    candidates: list[Path] = []
    if is_frozen():
        candidates.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "resources", here.parent / "resources"]
    for c in candidates:
        if (c / "demo").is_dir() or (c / "icons").is_dir():
            return c
    raise FileNotFoundError(
        "The app's resources folder is missing (looked in: "
        + ", ".join(str(c) for c in candidates)
        + "). Reinstall bonescan-tutor."
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def demo_dataset_dir() -> Path:
    """The synthetic demo shipped with the app (IICS-UNA layout)."""
    return resource("demo")


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Point every per-user folder at ``path`` (the ``--home`` option)."""
    global _home_override
    _home_override = Path(path).expanduser().resolve() if path else None


def portable_dir() -> Path | None:
    """``<exe folder>/data`` when a ``portable`` marker file sits beside the executable."""
    exe_dir = Path(sys.executable).resolve().parent
    if is_frozen() and (exe_dir / "portable").exists():
        return exe_dir / "data"
    return None


def home_dir() -> Path | None:
    """The one folder that holds everything, when the user chose one; else None."""
    if _home_override is not None:
        return _home_override
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return portable_dir()


def _user_dir(kind: str) -> Path:
    """``kind`` ("data", "config" or "cache") under the app's home when one is set, else
    where the platform keeps an app's files of that kind."""
    home = home_dir()
    if home is not None:
        return home / kind
    import platformdirs

    where: Callable[[str, str], Path] = getattr(platformdirs, f"user_{kind}_path")
    return where(APP_NAME, APP_AUTHOR)


def user_data_dir() -> Path:
    """Where the progress file lives."""
    return _user_dir("data")


def user_config_dir() -> Path:
    """Where settings live (QSettings is given an INI file here)."""
    return _user_dir("config")


def settings_file() -> Path:
    """The app's settings: an INI file (QSettings in the app; read without Qt elsewhere)."""
    return user_config_dir() / "settings.ini"


def user_cache_dir() -> Path:
    """Where what can be made again is kept (read spreadsheets, by their checksum)."""
    return _user_dir("cache")


def datasets_dir() -> Path:
    """The default destination of downloaded datasets."""
    return user_data_dir() / "datasets"
