"""The bundle: one ``.klasgenoot`` file per device, made by the fleet tool.

It holds the device's certificate, the fleet CA certificate, the role, the peer's
DeviceId, the pairing id, the signaling URL (or several: one per server instance,
tried in turn) and the ICE servers; never a private
key (that never leaves the device). It arrives on a USB stick or by mail, so every
byte is checked: size limit, exact JSON shape, URL schemes, and that the stated
fields agree with the certificate, which is signed by the stated CA.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from pairing.certificates import is_pairing_id, load_certificate, read_device_certificate
from pairing.deviceid import DeviceId
from pairing.errors import BundleInvalid, BundleIsRequest, CertificateInvalid, DeviceIdInvalid
from pairing.roles import Role

FORMAT = "klasgenoot-bundle"
FORMAT_VERSION = 1
EXTENSION = ".klasgenoot"
_REQUEST_PEM = b"-----BEGIN CERTIFICATE REQUEST-----"
MAX_BUNDLE = 64 * 1024
MAX_ICE_SERVERS = 8
MAX_ICE_URLS = 8
MAX_SIGNALING_URLS = 8
MAX_TEXT = 512
_KEYS = {
    "format", "version", "role", "pairing_id", "peer_device_id",
    "signaling_url", "ice_servers", "certificate", "ca_certificate",
}  # fmt: skip
_ICE_KEYS = {"urls"}  # never a username or credential: TURN credentials are minted live
_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_ICE_URL_RE = re.compile(
    r"^(?P<scheme>stun|turn|turns):(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
    r"(?::(?P<port>[0-9]{1,5}))?(?P<query>\?transport=(?:udp|tcp))?$"
)

IceServer = Mapping[str, Any]


def check_host(host: object) -> str:
    """A DNS name or an IP address; ValueError otherwise."""
    if not isinstance(host, str) or not host:
        raise ValueError("host: expected a name")
    try:
        return str(ipaddress.ip_address(host.strip("[]") if host.startswith("[") else host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        raise ValueError(f"not a host name: {host!r}")
    if labels[-1].isdigit():
        raise ValueError(f"not an address: {host!r}")
    return host


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise ValueError(f"{what}: expected a short text")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        raise ValueError(f"{what}: spaces or control characters")
    return value


def check_signaling_url(value: object) -> str:
    """A ``wss://host[:port]/path`` URL; ValueError otherwise."""
    url = _check_text(value, "signaling URL")
    if not url.startswith("wss://"):
        raise ValueError("signaling URL must start with wss://")
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError("signaling URL must not hold a user name")
    if parts.query or parts.fragment or parts.hostname is None:
        raise ValueError("signaling URL: host only, no query or fragment")
    if parts.port == 0:  # .port itself raises ValueError when out of range
        raise ValueError("signaling URL: port 0")
    check_host(parts.hostname)
    return url


def check_signaling_urls(value: object) -> tuple[str, ...]:
    """One URL (a string) or a list of 1 to 8 different ones; ValueError otherwise.

    Several URLs name several server instances: a device starts at a random one and
    moves to the next when its instance goes away (signaling.client)."""
    if isinstance(value, str):
        return (check_signaling_url(value),)
    if not isinstance(value, list | tuple) or not 0 < len(value) <= MAX_SIGNALING_URLS:
        raise ValueError(f"signaling URLs: expected 1 to {MAX_SIGNALING_URLS}")
    urls = tuple(check_signaling_url(url) for url in value)
    if len(set(urls)) != len(urls):
        raise ValueError("signaling URLs: the same URL twice")
    return urls


def signaling_urls_json(urls: Sequence[str]) -> str | list[str]:
    """One URL stays a plain string, as every bundle had it before there were several."""
    return urls[0] if len(urls) == 1 else list(urls)


def signaling_hosts(urls: Sequence[str]) -> tuple[str, ...]:
    """The host names in ``urls``, each once, in order (the server certificate's names)."""
    hosts = [urlsplit(url).hostname or "" for url in urls]
    return tuple(dict.fromkeys(host for host in hosts if host))


def _check_ice_url(value: object) -> str:
    url = _check_text(value, "ICE URL")
    match = _ICE_URL_RE.match(url)
    if match is None:
        raise ValueError(f"ICE URL must be stun:, turn: or turns: host[:port]: {url!r}")
    check_host(match["host"])
    if match["port"] is not None and not 0 < int(match["port"]) < 65536:
        raise ValueError("ICE URL port")
    if match["query"] and match["scheme"] == "stun":
        raise ValueError("a stun: URL has no transport")
    return url


def _check_ice_server(entry: object) -> IceServer:
    if isinstance(entry, dict) and ({"username", "credential"} & set(entry)):
        # A bundle travels by USB stick and mail and lives for a school year: a TURN
        # password in it would outlive every rotation. The signaling server mints them.
        raise ValueError("ICE server: a bundle never carries a TURN username or credential")
    if not isinstance(entry, dict) or set(entry) != _ICE_KEYS:
        raise ValueError('ICE server: expected {"urls": [...]}')
    urls = entry["urls"]
    urls = [urls] if isinstance(urls, str) else urls
    if not isinstance(urls, list) or not 0 < len(urls) <= MAX_ICE_URLS:
        raise ValueError("ICE server: urls must be a list of 1 to 8 URLs")
    return MappingProxyType({"urls": tuple(_check_ice_url(u) for u in urls)})


def check_ice_servers(value: object) -> tuple[IceServer, ...]:
    """A list of ICE servers with stun:/turn:/turns: URLs only and no credentials;
    ValueError otherwise."""
    if not isinstance(value, list | tuple) or len(value) > MAX_ICE_SERVERS:
        raise ValueError("ICE servers: expected a list of at most 8")
    return tuple(_check_ice_server(dict(e) if isinstance(e, Mapping) else e) for e in value)


def ice_servers_json(servers: Sequence[IceServer]) -> list[dict[str, Any]]:
    """Plain JSON-ready dicts (urls as lists)."""
    return [{k: list(v) if k == "urls" else v for k, v in s.items()} for s in servers]


@dataclass(frozen=True, slots=True)
class Bundle:
    """What one device needs to join its pairing; holds no private key."""

    certificate_pem: bytes
    ca_certificate_pem: bytes
    role: Role
    peer_device_id: DeviceId
    pairing_id: str
    signaling_urls: tuple[str, ...]
    ice_servers: tuple[IceServer, ...]
    version: int = FORMAT_VERSION

    @property
    def signaling_url(self) -> str:
        """The first signaling URL (what a person is shown first)."""
        return self.signaling_urls[0]

    @property
    def certificate(self) -> x509.Certificate:
        return load_certificate(self.certificate_pem)

    @property
    def ca_certificate(self) -> x509.Certificate:
        return load_certificate(self.ca_certificate_pem)


def dump(bundle: Bundle) -> bytes:
    doc = {
        "format": FORMAT,
        "version": bundle.version,
        "role": bundle.role.value,
        "pairing_id": bundle.pairing_id,
        "peer_device_id": bundle.peer_device_id.text,
        "signaling_url": signaling_urls_json(bundle.signaling_urls),
        "ice_servers": ice_servers_json(bundle.ice_servers),
        "certificate": bundle.certificate_pem.decode("ascii"),
        "ca_certificate": bundle.ca_certificate_pem.decode("ascii"),
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


def _parse_json(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_BUNDLE:
        raise BundleInvalid("too large")
    if data.lstrip().startswith(_REQUEST_PEM):
        # The technician picked the request they took to the operator: say so, or they
        # would ask the operator for a new bundle they already have.
        raise BundleIsRequest("an enrollment request, not a bundle")
    try:
        doc = jsondoc.loads(data, limit=MAX_BUNDLE)
    except JsonDocInvalid as exc:
        raise BundleInvalid(exc.detail) from exc
    if doc.get("format") != FORMAT:
        raise BundleInvalid("not a Klasgenoot bundle")
    if doc.get("version") != FORMAT_VERSION or type(doc.get("version")) is not int:
        raise BundleInvalid(f"unsupported version {doc.get('version')!r}")
    if set(doc) != _KEYS:
        raise BundleInvalid("unexpected or missing fields")
    return doc


def _certificates(doc: dict[str, Any]) -> tuple[bytes, bytes, x509.Certificate]:
    cert_text, ca_text = doc["certificate"], doc["ca_certificate"]
    if not isinstance(cert_text, str) or not isinstance(ca_text, str):
        raise BundleInvalid("certificates must be PEM text")
    cert_pem, ca_pem = cert_text.encode(), ca_text.encode()
    try:
        cert, ca = load_certificate(cert_pem), load_certificate(ca_pem)
        basic = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
        if not basic.ca or cert.issuer != ca.subject:
            raise BundleInvalid("CA certificate is not the issuer")
        cert.verify_directly_issued_by(ca)
    except (CertificateInvalid, x509.ExtensionNotFound, ValueError, TypeError) as exc:
        raise BundleInvalid("certificates") from exc
    except InvalidSignature as exc:
        raise BundleInvalid("certificate not signed by the bundle's CA") from exc
    return cert_pem, ca_pem, cert


def load_bundle(data: bytes) -> Bundle:
    """Parse and fully check a bundle file; BundleInvalid on anything wrong."""
    doc = _parse_json(data)
    cert_pem, ca_pem, cert = _certificates(doc)
    try:
        bundle = Bundle(
            certificate_pem=cert_pem,
            ca_certificate_pem=ca_pem,
            role=Role(doc["role"]),
            peer_device_id=DeviceId.parse(doc["peer_device_id"]),
            pairing_id=doc["pairing_id"],
            signaling_urls=check_signaling_urls(doc["signaling_url"]),
            ice_servers=check_ice_servers(doc["ice_servers"]),
        )
        info = read_device_certificate(cert)
    except (ValueError, DeviceIdInvalid, CertificateInvalid) as exc:
        raise BundleInvalid(str(exc) if isinstance(exc, ValueError) else exc.detail) from exc
    if not isinstance(bundle.pairing_id, str) or not is_pairing_id(bundle.pairing_id):
        raise BundleInvalid("pairing id")
    stated = (bundle.role, bundle.pairing_id, bundle.peer_device_id)
    if stated != (info.role, info.pairing_id, info.peer_id):
        raise BundleInvalid("fields disagree with the certificate")
    return bundle
