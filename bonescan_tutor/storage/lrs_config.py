"""Which Learning Record Store to send to, and with which credentials.

The environment wins over the settings, field by field: ``BONESCAN_TUTOR_LRS_URL``,
``BONESCAN_TUTOR_LRS_USER`` and ``BONESCAN_TUTOR_LRS_PASSWORD`` (for lab computers set
up once for everyone). A password that came from the environment is never written
anywhere: ``settings_values`` holds only the endpoint and the user, and ``LrsConfig``
leaves the password out of its ``repr`` (so out of any log line made from it).

A password typed by the trainee or instructor is kept by ``PasswordStore``: in the
operating system's keyring through the ``keyring`` package, or, where no keyring
backend exists (a bare Linux lab PC), in a file readable by its owner alone
(``lrs-passwords.json`` in the user data folder, mode 0600), with a warning saying so.

The URL is the LRS's xAPI endpoint, such as ``https://lrs.example.org/xAPI/``: the
statements resource is ``<endpoint>/statements``.
"""

from __future__ import annotations

import configparser
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bonescan_tutor import paths
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.xapi import DEFAULT_HOME_PAGE
from bonescan_tutor.storage.quizset_fields import endpoint_problem

ENV_URL = "BONESCAN_TUTOR_LRS_URL"
ENV_USER = "BONESCAN_TUTOR_LRS_USER"
ENV_PASSWORD = "BONESCAN_TUTOR_LRS_PASSWORD"
SETTING_URL = "lrs/url"
SETTING_USER = "lrs/user"
SETTING_HOME_PAGE = "lrs/home_page"
"""The program's URL: the actor's account home page in every statement."""
KEYRING_SERVICE = "bonescan-tutor LRS"
PASSWORD_FILE = "lrs-passwords.json"


class LrsConfigError(BonescanError):
    """An LRS setting that cannot be used; the message says which and how to fix it."""


@dataclass(frozen=True)
class LrsConfig:
    """An LRS endpoint and its credentials; the password never appears in ``repr``."""

    url: str
    user: str = ""
    password: str = field(default="", repr=False)
    password_from_env: bool = False

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise LrsConfigError(
                f"The LRS address {self.url!r} is not an http(s) URL; give its xAPI endpoint, "
                "such as https://lrs.example.org/xAPI/"
            )

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.user, self.password) if self.user or self.password else None

    def settings_values(self) -> dict[str, str]:
        """What may be written to the settings file: never the password."""
        return {SETTING_URL: self.url, SETTING_USER: self.user}


def settings_file_values(path: Path | None = None) -> dict[str, str]:
    """The LRS keys of the app's settings file, read without Qt (for the command line):
    the ``[lrs]`` group of the INI file QSettings writes. Empty when there is no file or
    it cannot be read: the command line then has the environment alone."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path or paths.settings_file(), encoding="utf-8")
    except (OSError, UnicodeError, configparser.Error):
        return {}
    found: dict[str, str] = {}
    for key in (SETTING_URL, SETTING_USER, SETTING_HOME_PAGE):
        group, name = key.split("/")
        value = parser.get(group, name, fallback="").strip()
        if value.startswith("@"):  # a QVariant QSettings wrote, never text
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':  # quoted: it held a comma
            value = value[1:-1]
        found[key] = value.replace('\\"', '"').replace("\\\\", "\\")
    return found


def url_problem(url: str, what: str = "The LRS address") -> str | None:
    """Why ``url`` cannot name an LRS endpoint or a home page, or None when it can: the
    rule quiz sets follow (``quizset_fields.endpoint_problem``), nothing secret in it, as
    such a URL ends up in files."""
    problem = endpoint_problem(url.strip())
    if problem is None:
        return None
    problem = problem.replace('"lrs_endpoint"', what).replace(
        " (a quiz set is handed out); each trainee types the credentials in Settings",
        "; give them in the user and password fields")
    return problem + "."


class PasswordStore:
    """Typed passwords: the OS keyring, or a user-only file when there is no keyring."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    @property
    def file(self) -> Path:
        return (self._folder or paths.user_data_dir()) / PASSWORD_FILE

    @property
    def uses_file(self) -> bool:
        """True where no keyring backend exists: typed passwords go to ``file``."""
        return not self._keyring_usable()

    @staticmethod
    def _keyring_usable() -> bool:
        import keyring
        from keyring.backends import fail

        return not isinstance(keyring.get_keyring(), fail.Keyring)

    @staticmethod
    def _key(url: str, user: str) -> str:
        return f"{user}@{url}"

    def get(self, url: str, user: str) -> str | None:
        if self._keyring_usable():
            import keyring
            from keyring.errors import KeyringError

            try:
                return keyring.get_password(KEYRING_SERVICE, self._key(url, user))
            except KeyringError as exc:
                raise LrsConfigError(
                    f"The system keyring did not give the LRS password ({exc}); unlock it and "
                    "try again."
                ) from None
        return self._read_file().get(self._key(url, user))

    def set(self, url: str, user: str, password: str) -> str | None:
        """Keep ``password``; return a warning when it went to the file, else None."""
        if self._keyring_usable():
            import keyring
            from keyring.errors import KeyringError

            try:
                keyring.set_password(KEYRING_SERVICE, self._key(url, user), password)
            except KeyringError as exc:
                raise LrsConfigError(
                    f"The system keyring did not keep the LRS password ({exc}); unlock it "
                    "and press OK again."
                ) from None
            return None
        stored = self._read_file()
        stored[self._key(url, user)] = password
        path = self.file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(stored, f)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return (
            f"No system keyring is available, so the LRS password is kept in {path}, "
            "readable by your user account alone. Install a keyring service to keep it there."
        )

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise LrsConfigError(
                f"The LRS password file {self.file} cannot be read ({exc}); delete it and "
                "type the password again."
            ) from exc
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}


def resolve(
    settings: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    passwords: PasswordStore | None = None,
) -> LrsConfig | None:
    """The LRS to use now (environment over settings), or None when none is configured."""
    env = os.environ if environ is None else environ
    url = env.get(ENV_URL) or settings.get(SETTING_URL, "")
    if not url:
        return None
    user = env.get(ENV_USER) or settings.get(SETTING_USER, "")
    password = env.get(ENV_PASSWORD)
    if password:
        return LrsConfig(url, user, password, password_from_env=True)
    stored = (passwords or PasswordStore()).get(url, user)
    return LrsConfig(url, user, stored or "")


def home_page(settings: Mapping[str, str]) -> str:
    """The program's home page, on which trainees' xAPI accounts live (the setting
    ``lrs/home_page``); ``DEFAULT_HOME_PAGE`` when it is blank or not an http(s) URL."""
    value = str(settings.get(SETTING_HOME_PAGE, "") or "").strip()
    return value if value.startswith(("http://", "https://")) else DEFAULT_HOME_PAGE
