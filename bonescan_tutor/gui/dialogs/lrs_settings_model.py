"""Settings > Learning Record Store as plain values and rules, without widgets.

``LrsForm.load`` reads what the dialog shows: the settings, overridden field by field
by the lab's environment variables (shown read-only), whether a password is already
kept, and whether typed passwords go to a user-only file because no keyring exists.
``LrsForm.save`` writes the endpoint, user and home page to the settings and a typed
password to the ``PasswordStore`` (never to the settings); a value that came from the
environment is never written. ``LrsForm.config`` is what the Test button tries.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.xapi import DEFAULT_HOME_PAGE
from bonescan_tutor.storage.lrs_config import (
    ENV_PASSWORD,
    ENV_URL,
    ENV_USER,
    SETTING_HOME_PAGE,
    SETTING_URL,
    SETTING_USER,
    LrsConfig,
    LrsConfigError,
    PasswordStore,
    url_problem,
)

LRS_KEYS = (SETTING_URL, SETTING_USER, SETTING_HOME_PAGE)


class Settings(Protocol):
    """The part of ``QSettings`` used here (a dict-backed fake in tests)."""

    def value(self, key: str, defaultValue: Any = ...) -> Any: ...
    def setValue(self, key: str, value: Any) -> None: ...
    def remove(self, key: str) -> None: ...


def lrs_settings(settings: Settings) -> dict[str, str]:
    """The LRS keys of ``settings`` as the mapping ``lrs_config.resolve`` reads."""
    return {k: str(settings.value(k, "") or "") for k in LRS_KEYS}


@dataclass(frozen=True)
class LrsForm:
    """The dialog's fields; ``*_from_env`` fields are shown read-only."""

    url: str = ""
    user: str = ""
    password: str = ""  # typed now; never filled from a store or the environment
    home_page: str = ""
    url_from_env: bool = False
    user_from_env: bool = False
    password_from_env: bool = False
    password_kept: bool = False  # a password is kept for this endpoint and user
    password_file: str | None = None  # where typed passwords go when there is no keyring

    @classmethod
    def load(cls, settings: Settings, environ: Mapping[str, str] | None = None,
             passwords: PasswordStore | None = None, *, look_up: bool = True) -> LrsForm:
        """The form as saved; ``look_up=False`` leaves the keyring alone until a password
        is needed (a locked keyring may ask to be unlocked)."""
        env = os.environ if environ is None else environ
        stored = lrs_settings(settings)
        store = passwords or PasswordStore()
        form = cls(
            url=env.get(ENV_URL) or stored[SETTING_URL],
            user=env.get(ENV_USER) or stored[SETTING_USER],
            home_page=stored[SETTING_HOME_PAGE],
            url_from_env=bool(env.get(ENV_URL)),
            user_from_env=bool(env.get(ENV_USER)),
            password_from_env=bool(env.get(ENV_PASSWORD)),
            password_file=str(store.file) if store.uses_file else None,
        )
        if not look_up:
            return form
        return replace(form, password_kept=form.kept_password(store) is not None)

    @property
    def from_env(self) -> bool:
        return self.url_from_env or self.user_from_env or self.password_from_env

    def kept_password(self, store: PasswordStore) -> str | None:
        if not self.url or self.password_from_env:
            return None
        try:
            return store.get(self.url.strip(), self.user.strip())
        except LrsConfigError:  # a damaged password file: said when a password is saved
            return None

    def problems(self) -> list[str]:
        """What stops the form from being saved or tested, each a sentence."""
        found = []
        if self.url.strip():
            problem = url_problem(self.url)
            if problem:
                found.append(problem)
        elif self.user.strip() or self.password:
            found.append("Give the LRS address too, or clear the user and password.")
        if self.home_page.strip():
            problem = url_problem(self.home_page, "The home page")
            if problem:
                found.append(problem)
        return found

    def config(self, environ: Mapping[str, str] | None = None,
               passwords: PasswordStore | None = None) -> LrsConfig:
        """The LRS the form names now: the typed password, else the environment's, else
        the one kept for this endpoint and user. ``UsageError`` when it cannot be tried."""
        if not self.url.strip():
            raise UsageError("Give the LRS address first, such as https://lrs.example.org/xAPI/")
        problems = self.problems()
        if problems:
            raise UsageError(" ".join(problems))
        env = os.environ if environ is None else environ
        if self.password:
            password = self.password
        elif self.password_from_env:
            password = env.get(ENV_PASSWORD, "")
        else:
            password = self.kept_password(passwords or PasswordStore()) or ""
        return LrsConfig(self.url.strip(), self.user.strip(), password,
                         password_from_env=self.password_from_env and not self.password)

    def save(self, settings: Settings, passwords: PasswordStore | None = None) -> str | None:
        """Write the form (``UsageError`` when it has problems); return the password
        store's warning when a typed password went to a file, else None."""
        problems = self.problems()
        if problems:
            raise UsageError(" ".join(problems))
        warning = None  # the password first: a keyring that refuses it leaves all unchanged
        if self.password and not self.password_from_env:
            warning = (passwords or PasswordStore()).set(self.url.strip(), self.user.strip(),
                                                        self.password)
        for key, value, from_env in ((SETTING_URL, self.url, self.url_from_env),
                                     (SETTING_USER, self.user, self.user_from_env)):
            if from_env:
                continue
            if value.strip():
                settings.setValue(key, value.strip())
            else:
                settings.remove(key)
        home = self.home_page.strip()
        if home and home != DEFAULT_HOME_PAGE:
            settings.setValue(SETTING_HOME_PAGE, home)
        else:
            settings.remove(SETTING_HOME_PAGE)
        return warning


SETTING_DECLINED = "lrs/declined_proposals"
"""Quiz sets whose proposed endpoint the trainee declined: ``<quiz set id> <endpoint>``."""


def _same_endpoint(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def _declined(settings: Settings) -> list[str]:
    value = settings.value(SETTING_DECLINED, [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [str(v) for v in items if v]


def should_propose(settings: Settings, quiz_set_id: str, endpoint: str | None,
                   environ: Mapping[str, str] | None = None) -> bool:
    """Propose ``endpoint`` (a quiz set's) to the trainee: it is a usable URL, not the
    configured one, the lab environment names none, and it was not declined for this
    quiz set before."""
    env = os.environ if environ is None else environ
    if not endpoint or env.get(ENV_URL) or url_problem(endpoint) is not None:
        return False
    if _same_endpoint(str(settings.value(SETTING_URL, "") or ""), endpoint):
        return False
    return f"{quiz_set_id} {endpoint.strip()}" not in _declined(settings)


def decline(settings: Settings, quiz_set_id: str, endpoint: str) -> None:
    """Remember not to propose ``endpoint`` again for this quiz set."""
    entry = f"{quiz_set_id} {endpoint.strip()}"
    settings.setValue(SETTING_DECLINED, [*[d for d in _declined(settings) if d != entry], entry])


def accept_endpoint(settings: Settings, endpoint: str) -> None:
    """Use ``endpoint`` from now on (the user is asked for credentials next)."""
    settings.setValue(SETTING_URL, endpoint.strip())
