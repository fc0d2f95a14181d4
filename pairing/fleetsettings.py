"""Fleet settings (``fleet.json``): what every bundle of the fleet is told.

The signaling server's name (for its TLS certificate), the signaling URL (or one per
server instance) and the ICE servers; checked as hard as a bundle, because they end
up in every bundle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from pairing.bundle import (
    IceServer,
    check_host,
    check_ice_servers,
    check_signaling_urls,
    ice_servers_json,
    signaling_urls_json,
)
from pairing.errors import FleetSettingsInvalid

VERSION = 1
MAX_SETTINGS = 256 * 1024  # fleet.json: URLs and ICE servers, a few kB
DEFAULT_PORT = 8443


@dataclass(frozen=True, slots=True)
class FleetSettings:
    server_name: str
    signaling_urls: tuple[str, ...]
    ice_servers: tuple[IceServer, ...]

    @property
    def signaling_url(self) -> str:
        """The first signaling URL (the one shown first; the IT sheet lists them all)."""
        return self.signaling_urls[0]


def check_settings(
    server_name: str, signaling_url: str | Sequence[str] | None, ice_servers: object
) -> FleetSettings:
    """Validated settings; FleetSettingsInvalid otherwise."""
    try:
        host = check_host(server_name)
        default = f"wss://{f'[{host}]' if ':' in host else host}:{DEFAULT_PORT}/ws"
        urls = list(signaling_url) if isinstance(signaling_url, list | tuple) else signaling_url
        return FleetSettings(
            server_name=host,
            signaling_urls=check_signaling_urls(default if urls is None else urls),
            ice_servers=check_ice_servers(ice_servers),
        )
    except ValueError as exc:
        raise FleetSettingsInvalid(str(exc)) from exc


def dump_settings(settings: FleetSettings) -> bytes:
    doc = {
        "version": VERSION,
        "server_name": settings.server_name,
        "signaling_url": signaling_urls_json(settings.signaling_urls),
        "ice_servers": ice_servers_json(settings.ice_servers),
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


def parse_settings(data: bytes) -> FleetSettings:
    """Read ``fleet.json``; FleetSettingsInvalid on anything wrong."""
    try:
        doc = jsondoc.loads(data, limit=MAX_SETTINGS)
        if doc.get("version") != VERSION:
            raise FleetSettingsInvalid("version")
        if not isinstance(doc["signaling_url"], str | list):  # no silent fallback to the default
            raise FleetSettingsInvalid("signaling_url")
        return check_settings(doc["server_name"], doc["signaling_url"], doc["ice_servers"])
    except (JsonDocInvalid, KeyError) as exc:
        raise FleetSettingsInvalid("fleet.json") from exc
