"""``GET /turn`` from the device side: one TURN credential without going online.

The network self-test needs a credential but must not open the WebSocket: the
server keeps one WebSocket per device, so a second one would replace (and so
disconnect) the kiosk that is running on the same device. The endpoint is on the
server's main port, behind the same client-certificate check as ``/ws``.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import aiohttp

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from pairing.credentials import DeviceCredentials
from signaling.errors import SignalingError
from signaling.tls import client_context
from signaling.turn import TurnCredential

MAX_BODY = 4096


class TurnFetchFailed(SignalingError):
    """De server gaf geen TURN-inloggegevens."""


class TurnNotOffered(TurnFetchFailed):
    """De server heeft geen TURN-geheim: de beheerder heeft `fleet turn` nog niet gedaan."""


class TurnRefused(TurnFetchFailed):
    """De server weigert dit apparaat (certificaat ingetrokken of verlopen?)."""


class TurnAnswerInvalid(TurnFetchFailed):
    """Het antwoord van de server op de vraag om TURN-inloggegevens klopt niet."""


def turn_url(signaling_url: str) -> str:
    """``wss://host:port/ws`` → ``https://host:port/turn`` (same host, port and TLS)."""
    parts = urlsplit(signaling_url)
    scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, "/turn", "", ""))


async def fetch_turn(
    signaling_url: str, credentials: DeviceCredentials, *, limit: float
) -> TurnCredential:
    """One credential; raises a TurnFetchFailed leaf or aiohttp/OSError on the network."""
    session_timeout = aiohttp.ClientTimeout(total=limit)
    connector = aiohttp.TCPConnector(ssl=client_context(credentials), force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector, timeout=session_timeout) as session,
        session.get(turn_url(signaling_url), allow_redirects=False) as response,
    ):
        body = await response.content.read(MAX_BODY + 1)
        if response.status == 503:
            raise TurnNotOffered()
        if response.status == 403:
            raise TurnRefused()
        if response.status != 200 or len(body) > MAX_BODY:
            raise TurnAnswerInvalid(f"status {response.status}")
    return _parse(body)


def _parse(body: bytes) -> TurnCredential:
    try:
        doc = jsondoc.loads(body, limit=MAX_BODY)
        username, password, expires = doc["username"], doc["password"], doc["expires"]
    except (JsonDocInvalid, KeyError) as exc:
        raise TurnAnswerInvalid("not a credential") from exc
    if not (
        isinstance(username, str)
        and isinstance(password, str)
        and isinstance(expires, int)
        and 0 < len(username) <= 256
        and 0 < len(password) <= 256
        and username.split(":", 1)[0] == str(expires)
    ):
        raise TurnAnswerInvalid("fields")
    return TurnCredential(username, password, float(expires))
