"""LRS configuration: the environment wins, its password is never stored or shown."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from bonescan_tutor.storage import lrs_config
from bonescan_tutor.storage.lrs_config import LrsConfig, LrsConfigError, PasswordStore, resolve


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


@pytest.fixture
def no_keyring():
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


SETTINGS = {lrs_config.SETTING_URL: "https://lrs.example.org/xAPI/",
            lrs_config.SETTING_USER: "site-a"}


def test_environment_wins_and_its_password_is_never_kept(tmp_path: Path, no_keyring) -> None:
    env = {lrs_config.ENV_URL: "http://lab:8100/xAPI", lrs_config.ENV_USER: "lab",
           lrs_config.ENV_PASSWORD: "env-secret-42"}
    store = PasswordStore(tmp_path)
    config = resolve(SETTINGS, env, store)
    assert config == LrsConfig("http://lab:8100/xAPI", "lab", "env-secret-42", True)
    assert "env-secret-42" not in repr(config) and "env-secret-42" not in str(config)
    assert "env-secret-42" not in str(config.settings_values())
    assert not store.file.exists()
    assert config.statements_url == "http://lab:8100/xAPI/statements"


def test_settings_alone_and_nothing_configured(tmp_path: Path, no_keyring) -> None:
    store = PasswordStore(tmp_path)
    assert resolve({}, {}, store) is None
    config = resolve(SETTINGS, {lrs_config.ENV_USER: "other"}, store)
    assert config is not None and (config.url, config.user, config.password) == (
        "https://lrs.example.org/xAPI/", "other", "")


def test_a_typed_password_goes_to_the_keyring(tmp_path: Path, memory_keyring) -> None:
    store = PasswordStore(tmp_path)
    assert store.set("https://lrs.example.org/xAPI/", "site-a", "typed-1") is None
    assert memory_keyring.kept and not store.file.exists()
    config = resolve(SETTINGS, {}, store)
    assert config is not None and config.password == "typed-1" and not config.password_from_env


def test_without_a_keyring_a_user_only_file_with_a_warning(tmp_path: Path, no_keyring) -> None:
    store = PasswordStore(tmp_path)
    warning = store.set("https://lrs.example.org/xAPI/", "site-a", "typed-2")
    assert warning is not None and str(store.file) in warning
    assert stat.S_IMODE(store.file.stat().st_mode) == 0o600
    config = resolve(SETTINGS, {}, store)
    assert config is not None and config.password == "typed-2"


def test_bad_address_and_damaged_password_file_are_named(tmp_path: Path, no_keyring) -> None:
    with pytest.raises(LrsConfigError, match=r"'lrs\.example\.org' is not an http"):
        LrsConfig("lrs.example.org")
    store = PasswordStore(tmp_path)
    store.file.write_text("{not json")
    with pytest.raises(LrsConfigError, match=f"{store.file}.*delete it"):
        store.get("https://lrs.example.org/xAPI/", "site-a")
