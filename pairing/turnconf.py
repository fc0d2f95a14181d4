"""``fleet turn``: set the fleet up for its coturn relay (operator side, no network).

Writes, under ``turn/`` in the fleet folder (folder 0700, files 0600):

- ``turn-secret``    the TURN REST shared secret (32 random bytes as hex), made once
- ``pseudonym-key``  the key of the daily TURN pseudonyms (32 random bytes as hex), made once
- ``turn.pem``, ``turn-key.pem``  a TLS certificate for the TURN host, issued by the
  fleet CA (devices check ``turns:`` against the fleet CA, not the system store)
- ``turnserver.conf`` coturn's configuration (pairing.turnrender)
- ``turn.json``      the settings used, for ``fleet it-sheet`` and the next run

and points ``fleet.json``'s ICE servers at the relay (URLs only, never a credential).
Every input and the passphrase are checked before anything is written.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from common.paths import ensure_private_dir, write_private_file
from pairing.bundle import check_host, check_ice_servers
from pairing.ca import issue_turn_certificate, plain_key_pem
from pairing.certificates import certificate_pem
from pairing.errors import FileAccessFailed, FleetCorrupt, TurnNotConfigured, TurnSettingsInvalid
from pairing.fleet import load_ca, load_settings, save_settings
from pairing.turnfiles import (
    PSEUDONYM_KEY,
    TURN_CERT,
    TURN_CONF,
    TURN_DIR,
    TURN_KEY,
    TURN_SECRET,
    TURN_SETTINGS,
)
from pairing.turnrender import IpNetwork, render

logger = logging.getLogger(__name__)

VERSION = 1
MAX_SETTINGS = 64 * 1024  # the turn settings file: a few hundred bytes
DEFAULT_RELAY_PORTS = (49152, 65535)
DEFAULT_BPS_CAPACITY = 125_000_000  # bytes/s, 1 Gbit/s: about 200 calls relayed both ways
# Per allocation (coturn requires it with bps-capacity): 720p30 VP8 tops out near
# 1.5 Mbit/s plus audio, so 4 Mbit/s leaves room and still stops a flood.
DEFAULT_MAX_BPS = 500_000
_MIN_PREFIX = {4: 8, 6: 16}  # an "allowed" range wider than this is a typo, not a lab


@dataclass(frozen=True, slots=True)
class TurnOptions:
    """The checked settings of the fleet's relay (``turn/turn.json``)."""

    host: str
    realm: str
    udp_port: int
    tls_port: int
    relay_ports: tuple[int, int]
    listen_ips: tuple[str, ...]
    relay_ip: str | None
    allowed_peer_ranges: tuple[str, ...]
    user_quota: int
    total_quota: int
    bps_capacity: int
    max_bps: int = DEFAULT_MAX_BPS
    # Addresses near the relay it must never reach although allowed ranges cover them
    # (the signaling server, management hosts): written as denied and cut out of allowed.
    denied_peer_ranges: tuple[str, ...] = ()

    @property
    def ice_urls(self) -> tuple[str, ...]:
        host = f"[{self.host}]" if ":" in self.host else self.host
        udp, tls = self.udp_port, self.tls_port
        return (
            f"stun:{host}:{udp}",
            f"turn:{host}:{udp}?transport=udp",
            f"turn:{host}:{udp}?transport=tcp",
            f"turns:{host}:{tls}?transport=tcp",
        )


@dataclass(frozen=True, slots=True)
class TurnSetup:
    """What ``configure_turn`` wrote, and the ICE URLs bundles now carry."""

    options: TurnOptions
    conf: Path
    secret: Path
    pseudonym_key: Path
    certificate: Path
    key: Path
    settings: Path
    ice_urls: tuple[str, ...]
    secret_created: bool


def _port(value: int, what: str) -> int:
    if type(value) is not int or not 0 < value < 65536:
        raise TurnSettingsInvalid(f"{what}: a port is 1 to 65535")
    return value


def _ip(text: str, what: str) -> str:
    try:
        addr = ipaddress.ip_address(text.strip())
    except (ValueError, AttributeError) as exc:
        raise TurnSettingsInvalid(f"{what}: not an IP address: {text!r:.60}") from exc
    if addr.is_unspecified or addr.is_multicast:
        raise TurnSettingsInvalid(f"{what}: {addr} cannot be listened on")
    return str(addr)


def _range(text: str) -> IpNetwork:
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except (ValueError, AttributeError) as exc:
        raise TurnSettingsInvalid(f"not a CIDR range: {text!r:.60}") from exc


def _allowed(text: str) -> IpNetwork:
    net = _range(text)
    if net.prefixlen < _MIN_PREFIX[net.version]:
        raise TurnSettingsInvalid(f"{net}: too wide a range to allow")
    # Loopback and link-local stay closed whatever is allowed: no setting opens them.
    for never in ("127.0.0.0/8", "169.254.0.0/16", "::1/128", "fe80::/10", "0.0.0.0/8"):
        if net.overlaps(ipaddress.ip_network(never)):
            raise TurnSettingsInvalid(f"{net}: loopback or link-local cannot be allowed")
    return net


def check_options(
    host: str,
    *,
    realm: str | None = None,
    udp_port: int = 3478,
    tls_port: int = 443,
    relay_ports: tuple[int, int] = DEFAULT_RELAY_PORTS,
    listen_ips: Sequence[str] = (),
    relay_ip: str | None = None,
    allowed_peer_ranges: Sequence[str] = (),
    user_quota: int = 12,
    total_quota: int = 1200,
    bps_capacity: int = DEFAULT_BPS_CAPACITY,
    max_bps: int = DEFAULT_MAX_BPS,
    denied_peer_ranges: Sequence[str] = (),
) -> TurnOptions:
    """Validated settings; TurnSettingsInvalid naming what is wrong."""
    try:
        host = check_host(host)
        realm = check_host(realm) if realm is not None else host
    except ValueError as exc:
        raise TurnSettingsInvalid(str(exc)) from exc
    if _port(udp_port, "UDP/TCP port") == _port(tls_port, "TLS port"):
        raise TurnSettingsInvalid("the TLS port must differ from the UDP/TCP port")
    low, high = (_port(p, "relay port") for p in relay_ports)
    if not low < high or {udp_port, tls_port} & set(range(low, high + 1)):
        raise TurnSettingsInvalid("relay ports: a range that leaves out the listening ports")
    for value, what in ((user_quota, "user quota"), (total_quota, "total quota")):
        if type(value) is not int or not 0 < value <= 100_000:
            raise TurnSettingsInvalid(f"{what}: 1 to 100000")
    if type(bps_capacity) is not int or not 100_000 <= bps_capacity <= 10**11:
        raise TurnSettingsInvalid("bandwidth cap: 100000 to 10^11 bytes per second")
    if type(max_bps) is not int or not 50_000 <= max_bps <= bps_capacity:
        raise TurnSettingsInvalid("per-session cap: 50000 bytes per second to the total cap")
    nets = [_allowed(r) for r in allowed_peer_ranges]
    denied = [_range(r) for r in denied_peer_ranges]
    return TurnOptions(
        host=host,
        realm=realm,
        udp_port=udp_port,
        tls_port=tls_port,
        relay_ports=(low, high),
        listen_ips=tuple(dict.fromkeys(_ip(ip, "listening IP") for ip in listen_ips)),
        relay_ip=_ip(relay_ip, "relay IP") if relay_ip is not None else None,
        allowed_peer_ranges=tuple(str(n) for n in nets),
        user_quota=user_quota,
        total_quota=total_quota,
        bps_capacity=bps_capacity,
        max_bps=max_bps,
        denied_peer_ranges=tuple(str(n) for n in denied),
    )


def _read_or_make(path: Path) -> tuple[str, bool]:
    """A secret made once: the existing file if it holds one, else 32 new random bytes."""
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        return secrets.token_hex(32), True
    except (OSError, UnicodeDecodeError) as exc:
        raise FleetCorrupt(path.name) from exc
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise FleetCorrupt(path.name)
    return text, False


def configure_turn(
    fleet_dir: Path,
    passphrase: str,
    host: str,
    *,
    realm: str | None = None,
    udp_port: int = 3478,
    tls_port: int = 443,
    listen_ips: Sequence[str] = (),
    relay_ip: str | None = None,
    allowed_peer_ranges: Sequence[str] = (),
    denied_peer_ranges: Sequence[str] = (),
    user_quota: int = 12,
    total_quota: int = 1200,
    bps_capacity: int = DEFAULT_BPS_CAPACITY,
    relay_ports: tuple[int, int] = DEFAULT_RELAY_PORTS,
    cert_dir: Path | None = None,
) -> TurnSetup:
    """Write the relay's files and point fleet.json at it; safe to run again (the
    secret and pseudonym key are kept, the certificate is renewed).

    ``cert_dir``: where coturn will find ``turn.pem`` and ``turn-key.pem`` (the conf
    names them there), e.g. ``/etc/coturn`` on the relay; default this ``turn/`` folder.
    """
    if cert_dir is not None and not cert_dir.is_absolute():
        raise TurnSettingsInvalid("certificate folder: an absolute path")
    options = check_options(
        host, realm=realm, udp_port=udp_port, tls_port=tls_port, relay_ports=relay_ports,
        listen_ips=listen_ips, relay_ip=relay_ip, allowed_peer_ranges=allowed_peer_ranges,
        denied_peer_ranges=denied_peer_ranges, user_quota=user_quota,
        total_quota=total_quota, bps_capacity=bps_capacity,
    )  # fmt: skip
    settings = load_settings(fleet_dir)
    ca = load_ca(fleet_dir, passphrase)  # PassphraseWrong before anything is written
    folder = fleet_dir / TURN_DIR
    secret, created = _read_or_make(folder / TURN_SECRET)
    pseudonym_key, _ = _read_or_make(folder / PSEUDONYM_KEY)
    tls = issue_turn_certificate(ca, options.host)
    ice = check_ice_servers([{"urls": list(options.ice_urls)}])
    where = cert_dir or folder.resolve()
    conf = render(
        realm=options.realm, secret=secret, cert=where / TURN_CERT, key=where / TURN_KEY,
        udp_port=options.udp_port, tls_port=options.tls_port,
        relay_ports=options.relay_ports, listen_ips=options.listen_ips, relay_ip=options.relay_ip,
        allowed=[ipaddress.ip_network(n) for n in options.allowed_peer_ranges],
        denied=[ipaddress.ip_network(n) for n in options.denied_peer_ranges],
        user_quota=options.user_quota, total_quota=options.total_quota,
        bps_capacity=options.bps_capacity, max_bps=options.max_bps,
    )  # fmt: skip
    files = {
        TURN_SECRET: secret.encode() + b"\n",
        PSEUDONYM_KEY: pseudonym_key.encode() + b"\n",
        TURN_KEY: plain_key_pem(tls.key),
        TURN_CERT: certificate_pem(tls.certificate),
        TURN_CONF: conf.encode(),
        TURN_SETTINGS: dump_options(options),
    }
    try:
        ensure_private_dir(folder)
        for name, content in files.items():
            write_private_file(folder / name, content)
    except OSError as exc:
        raise FileAccessFailed(str(folder)) from exc
    save_settings(fleet_dir, replace(settings, ice_servers=ice))
    logger.info("TURN set up for %s", options.host)
    return TurnSetup(
        options, folder / TURN_CONF, folder / TURN_SECRET, folder / PSEUDONYM_KEY,
        folder / TURN_CERT, folder / TURN_KEY, folder / TURN_SETTINGS, options.ice_urls, created,
    )  # fmt: skip


def dump_options(options: TurnOptions) -> bytes:
    doc: dict[str, Any] = {"version": VERSION, **asdict(options)}
    return (json.dumps(doc, indent=2) + "\n").encode()


def load_options(fleet_dir: Path) -> TurnOptions:
    """The settings of the last ``fleet turn``; TurnNotConfigured if there was none."""
    path = fleet_dir / TURN_DIR / TURN_SETTINGS
    try:
        doc = jsondoc.read(path, limit=MAX_SETTINGS)
    except FileNotFoundError as exc:
        raise TurnNotConfigured(str(fleet_dir)) from exc
    except (OSError, JsonDocInvalid) as exc:
        raise FleetCorrupt(TURN_SETTINGS) from exc
    try:
        if doc.pop("version", None) != VERSION:
            raise ValueError("version")
        return check_options(doc.pop("host"), relay_ports=tuple(doc.pop("relay_ports")), **doc)
    except (TurnSettingsInvalid, ValueError, TypeError, KeyError) as exc:
        raise FleetCorrupt(TURN_SETTINGS) from exc
