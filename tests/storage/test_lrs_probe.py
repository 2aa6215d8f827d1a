"""The LRS probe behind Settings > Learning Record Store > Test: what it says for each
way an address can fail, over real loopback HTTP (no Qt)."""

from __future__ import annotations

import json

import pytest

from bonescan_tutor.storage.lrs_config import LrsConfig
from bonescan_tutor.storage.lrs_probe import LrsProbe, probe
from bonescan_tutor.storage.lrs_sender import LrsAuthError, LrsError
from tests.lrs_http import answering, closed_port, silent


def test_an_lrs_with_about_gives_its_versions() -> None:
    body = json.dumps({"version": ["1.0.3", "1.0.2"], "statements": []}).encode()
    with answering(200, "application/json", body) as url:
        found = probe(LrsConfig(f"{url}/xAPI/", "u", "p"))
    assert found == LrsProbe(f"{url}/xAPI/", "u", ("1.0.3", "1.0.2"))
    assert "speaks xAPI 1.0.3, 1.0.2 (from its /about)" in found.describe()


def test_refused_credentials_are_an_auth_error_without_the_password() -> None:
    refusing = answering(401, "application/json", b'{"detail": "no"}')
    with refusing as url, pytest.raises(LrsAuthError) as caught:
        probe(LrsConfig(f"{url}/xAPI/", "ana", "pw-secret"))
    assert str(caught.value) == (f"The LRS at {url}/xAPI/ refused the user 'ana' (HTTP 401): "
                                 "the user name or password is wrong.")
    assert "pw-secret" not in str(caught.value)


def test_a_server_error_names_the_status() -> None:
    failing = answering(500, "application/json", b'{"detail": "boom"}')
    with failing as url, pytest.raises(LrsError, match=r"answered HTTP 500 to a statements"):
        probe(LrsConfig(f"{url}/xAPI/"))


def test_json_that_is_not_xapi_is_not_an_lrs() -> None:
    said = r"answered /about with something else \(application/json\) \(HTTP 200\), not an xAPI"
    with answering(200, "application/json", b'{"hello": "world"}') as url, \
            pytest.raises(LrsError, match=said):
        probe(LrsConfig(f"{url}/"))


def test_an_address_without_a_host() -> None:
    with pytest.raises(LrsError, match="names no host"):
        probe(LrsConfig("http:///xAPI/"))


def test_refused_and_silent() -> None:
    port = closed_port()
    with pytest.raises(LrsError, match=f"refused the connection: nothing answers on "
                                       f"127.0.0.1:{port}"):
        probe(LrsConfig(f"http://127.0.0.1:{port}/xAPI/"))
    with silent() as url, pytest.raises(LrsError, match=r"sent no answer within 0.3 s"):
        probe(LrsConfig(f"{url}/xAPI/"), timeout=(2.0, 0.3))
