"""Is there a Learning Record Store at this address, and does it take these credentials?

``probe`` asks the LRS's ``<endpoint>/about`` for the xAPI versions it speaks (the xAPI
About resource), then reads one statement with the credentials, and returns what it
learnt as ``LrsProbe``. An LRS without an About resource (Ralph has none) still passes
when it answers the statements query; the result says its version is unknown.

Every failure is an ``LrsError`` saying exactly what happened: no answer in time, the
connection refused, a host name not found, the credentials refused (``LrsAuthError``),
a web page or something else that is not an LRS at the address, or an address that is
not a URL. The password is never in a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bonescan_tutor.storage.lrs_config import LrsConfig
from bonescan_tutor.storage.lrs_sender import XAPI_HEADERS, LrsAuthError, LrsError

PROBE_TIMEOUT_S = (5.0, 10.0)  # connect, read


@dataclass(frozen=True)
class LrsProbe:
    """What the LRS at ``url`` said: its xAPI versions (empty when it has no /about)."""

    url: str
    user: str
    versions: tuple[str, ...]

    def describe(self) -> str:
        who = f"the user {self.user!r}" if self.user else "no user name"
        if self.versions:
            speaks = f"speaks xAPI {', '.join(self.versions)} (from its /about)"
        else:
            speaks = ("answers xAPI statement queries; it has no /about resource, so its "
                      "version is not known")
        return f"Connected: the LRS at {self.url} {speaks}, and accepts {who}."


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _network_error(config: LrsConfig, exc: requests.RequestException,
                   timeout: float | tuple[float, float]) -> LrsError:
    where = f"The LRS at {config.url}"
    read_s = timeout[1] if isinstance(timeout, tuple) else timeout
    connect_s = timeout[0] if isinstance(timeout, tuple) else timeout
    if isinstance(exc, requests.ConnectTimeout):
        return LrsError(f"{where} did not answer within {connect_s:g} s (timeout while "
                        f"connecting to {_host(config.url)}); check the address and the network.")
    if isinstance(exc, requests.ReadTimeout):
        return LrsError(f"{where} took the connection but sent no answer within {read_s:g} s "
                        "(timeout).")
    if isinstance(exc, requests.exceptions.SSLError):
        return LrsError(f"{where}: the secure connection failed ({type(exc).__name__}); check "
                        "the https address or the computer's certificates.")
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return LrsError(f"{config.url!r} is not a usable address ({exc}); give the LRS's xAPI "
                        "endpoint, such as https://lrs.example.org/xAPI/")
    text = repr(exc)
    if "Connection refused" in text or "ConnectionRefusedError" in text:
        return LrsError(f"{where} refused the connection: nothing answers on "
                        f"{_host(config.url)}. Is the LRS running, and is the port right?")
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "getaddrinfo failed" in text or "nodename nor servname" in text:
        return LrsError(f"{where} cannot be found: the host name {urlsplit(config.url).hostname!r} "
                        "is not known. Check the address.")
    return LrsError(f"{where} cannot be reached ({type(exc).__name__}).")


def _json(response: requests.Response) -> Any:
    kind = response.headers.get("content-type", "")
    if "html" in kind.lower():
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _not_an_lrs(config: LrsConfig, response: requests.Response, what: str) -> LrsError:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    page = "a web page" if "html" in kind else f"something else ({kind})"
    return LrsError(f"The address {config.url} answered {what} with {page} (HTTP "
                    f"{response.status_code}), not an xAPI Learning Record Store. Give the "
                    "LRS's xAPI endpoint, such as https://lrs.example.org/xAPI/")


def probe(config: LrsConfig,
          timeout: float | tuple[float, float] = PROBE_TIMEOUT_S) -> LrsProbe:
    """Ask the LRS of ``config`` for /about and one statement; ``LrsError`` saying why not."""
    if not urlsplit(config.url).hostname:
        raise LrsError(f"{config.url!r} names no host; give the LRS's xAPI endpoint, such as "
                       "https://lrs.example.org/xAPI/")
    base = config.url.rstrip("/")
    versions: tuple[str, ...] = ()
    with requests.Session() as session:
        try:
            about = session.get(f"{base}/about", headers=XAPI_HEADERS, timeout=timeout)
            if about.status_code == 200:
                body = _json(about)
                found = body.get("version") if isinstance(body, dict) else None
                if not isinstance(found, list):
                    raise _not_an_lrs(config, about, "/about")
                versions = tuple(str(v) for v in found)
            r = session.get(config.statements_url, params={"limit": "1"}, auth=config.auth,
                            headers=XAPI_HEADERS, timeout=timeout)
        except requests.RequestException as exc:
            raise _network_error(config, exc, timeout) from None
    if r.status_code in (401, 403):
        who = f"the user {config.user!r}" if config.user else "a request without a user name"
        raise LrsAuthError(f"The LRS at {config.url} refused {who} (HTTP {r.status_code}): the "
                           "user name or password is wrong.")
    body = _json(r)
    if r.status_code == 200 and isinstance(body, dict) and isinstance(body.get("statements"), list):
        return LrsProbe(config.url, config.user, versions)
    if r.status_code == 404 and not versions:
        raise LrsError(f"There is no xAPI LRS at {config.url} (HTTP 404 for its statements and "
                       "its /about). Give the LRS's xAPI endpoint, such as "
                       "https://lrs.example.org/xAPI/")
    if body is None or r.status_code == 200:
        raise _not_an_lrs(config, r, "a statements query")
    raise LrsError(f"The LRS at {config.url} answered HTTP {r.status_code} to a statements "
                   "query.")
