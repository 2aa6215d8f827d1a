"""The LRS settings form's rules without widgets: what loads, what is written, what is
proposed (a dict stands in for QSettings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.gui.dialogs.lrs_settings_model import (
    LrsForm,
    decline,
    should_propose,
)
from bonescan_tutor.storage.lrs_config import (
    ENV_PASSWORD,
    ENV_URL,
    ENV_USER,
    SETTING_HOME_PAGE,
    SETTING_URL,
    SETTING_USER,
    PasswordStore,
)
from tests.gui.lrs_dialog_helpers import MemoryKeyring, no_keyring, using_keyring

ENDPOINT = "https://lrs.example.org/xAPI/"


class FakeSettings(dict):
    def value(self, key: str, defaultValue: Any = None) -> Any:
        return self.get(key, defaultValue)

    def setValue(self, key: str, value: Any) -> None:
        self[key] = value

    def remove(self, key: str) -> None:
        self.pop(key, None)


def test_the_environment_wins_field_by_field_and_is_never_saved(tmp_path: Path) -> None:
    settings = FakeSettings({SETTING_URL: ENDPOINT, SETTING_USER: "mine"})
    env = {ENV_USER: "lab", ENV_PASSWORD: "env-pw"}
    with using_keyring(MemoryKeyring()) as ring:
        form = LrsForm.load(settings, env, PasswordStore(tmp_path))
        assert (form.url, form.user, form.password) == (ENDPOINT, "lab", "")
        assert (form.url_from_env, form.user_from_env, form.password_from_env) == (
            False, True, True)
        assert form.config(env).password == "env-pw"
        assert form.save(settings, PasswordStore(tmp_path)) is None
    assert settings == {SETTING_URL: ENDPOINT, SETTING_USER: "mine"}
    assert ring.kept == {}


def test_clearing_the_address_removes_the_lrs_and_the_default_home_is_not_stored(
        tmp_path: Path) -> None:
    settings = FakeSettings({SETTING_URL: ENDPOINT, SETTING_USER: "u",
                             SETTING_HOME_PAGE: "https://nm.example.edu"})
    with using_keyring(no_keyring()):
        LrsForm(home_page="https://bonescan-tutor.invalid").save(settings, PasswordStore(tmp_path))
    assert settings == {}


def test_problems_block_saving_and_testing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Give the LRS address too"):
        LrsForm(user="ana", password="pw").save(FakeSettings())
    with pytest.raises(UsageError, match=r"The home page 'nm\.example\.edu' must be an http"):
        LrsForm(url=ENDPOINT, home_page="nm.example.edu").save(FakeSettings())
    with pytest.raises(UsageError, match="Give the LRS address first"):
        LrsForm().config({})


def test_a_quiz_sets_endpoint_is_proposed_until_declined() -> None:
    settings = FakeSettings({SETTING_URL: ENDPOINT})
    other = "https://other.example.org/xAPI"
    assert should_propose(settings, "q1", other, {})
    assert not should_propose(settings, "q1", ENDPOINT.rstrip("/").upper(), {})  # the same
    assert not should_propose(settings, "q1", None, {})
    assert not should_propose(settings, "q1", "not a url", {})
    assert not should_propose(settings, "q1", other, {ENV_URL: "http://lab/xAPI/"})
    decline(settings, "q1", other)
    decline(settings, "q1", other)  # kept once
    assert settings["lrs/declined_proposals"] == [f"q1 {other}"]
    assert not should_propose(settings, "q1", other, {})
    assert should_propose(settings, "q2", other, {})
    assert should_propose(settings, "q1", "https://third.example.org/xAPI", {})
