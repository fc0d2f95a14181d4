"""Enrollment by code, the device's side: fetch the fleet CA, pin it, send the request.

1. ``fetch_ca`` reads the fleet CA certificate from the console (``/ca.pem``) over a
   TLS connection that trusts nothing yet; the technician compares its fingerprint
   (four rows of eight pairs) with the one the helpdesk shows, or passes it in.
2. From then on that CA is the only trust anchor: ``request_bundle`` posts the code
   and the enrollment request over TLS verified against it (host name checked too).
3. The console answers with the bundle, or "waiting" while the pairing's other device
   has not used its code (the two certificates must name each other); the caller
   asks again with the same code and request.

Only the standard library is used: the first-run screen runs this on a worker thread.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import ssl
import urllib.parse
from dataclasses import dataclass

from cryptography import x509

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from pairing.bundle import MAX_BUNDLE, load_bundle
from pairing.certificates import certificate_pem, fingerprint, load_certificate
from pairing.errors import (
    CaFingerprintMismatch,
    CertificateInvalid,
    EnrollmentCodeMistyped,
    EnrollmentCodeRefused,
    EnrollmentLockedOut,
    EnrollmentServerRefused,
    EnrollmentServerUnreachable,
)
from pairing.roles import Role

logger = logging.getLogger(__name__)

TIMEOUT = 15.0
MAX_CA = 16 * 1024
_REASONS: dict[str, type[Exception]] = {
    "typo": EnrollmentCodeMistyped,
    "code": EnrollmentCodeRefused,
    "locked": EnrollmentLockedOut,
}


@dataclass(frozen=True, slots=True)
class ConsoleUrl:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> ConsoleUrl:
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise EnrollmentServerUnreachable("not an https:// address")
        try:
            port = parts.port or 443
        except ValueError as exc:
            raise EnrollmentServerUnreachable("port") from exc
        return cls(parts.hostname, port)


def grouped(fp: str) -> list[str]:
    """A SHA-256 fingerprint as four rows of eight pairs, as every screen shows it."""
    pairs = fp.split(":")
    return [":".join(pairs[i : i + 8]) for i in range(0, len(pairs), 8)]


def same_fingerprint(expected: str, ca: x509.Certificate) -> bool:
    """Compare what a person typed (colons, spaces, rows, case ignored)."""
    typed = re.sub(r"[^0-9A-F]", "", expected.upper())
    return typed == fingerprint(ca).replace(":", "")


def _connect(url: ConsoleUrl, ctx: ssl.SSLContext) -> http.client.HTTPSConnection:
    return http.client.HTTPSConnection(url.host, url.port, context=ctx, timeout=TIMEOUT)


def fetch_ca(url: ConsoleUrl) -> x509.Certificate:
    """The CA as the console offers it: to be trusted only after the fingerprint matched."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # nothing to verify against yet: pinned by a person
    try:
        conn = _connect(url, ctx)
        conn.request("GET", "/ca.pem")
        response = conn.getresponse()
        body = response.read(MAX_CA + 1)
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        raise EnrollmentServerUnreachable(type(exc).__name__) from exc
    if response.status != 200 or len(body) > MAX_CA:
        raise EnrollmentServerRefused(f"ca {response.status}")
    try:
        return load_certificate(body)
    except CertificateInvalid as exc:
        raise EnrollmentServerRefused("ca") from exc


def pinned_context(ca: x509.Certificate) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cadata=certificate_pem(ca).decode())
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def _post(
    url: ConsoleUrl, ca: x509.Certificate, doc: dict[str, str]
) -> tuple[int, dict[str, object]]:
    body = json.dumps(doc).encode()
    try:
        conn = _connect(url, pinned_context(ca))
        conn.request("POST", "/enroll", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read(MAX_BUNDLE + 1024)
        conn.close()
    except ssl.SSLError as exc:  # not the pinned CA's server: say so, never retry blind
        raise CaFingerprintMismatch(type(exc).__name__) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise EnrollmentServerUnreachable(type(exc).__name__) from exc
    try:
        answer: dict[str, object] = jsondoc.loads(raw, limit=MAX_BUNDLE + 1024)
    except JsonDocInvalid as exc:
        raise EnrollmentServerRefused(str(response.status)) from exc
    if response.status not in (200, 202):
        error = _REASONS.get(str(answer.get("reason")), EnrollmentServerRefused)
        raise error(str(response.status))
    return response.status, answer


def role_for_code(url: ConsoleUrl, ca: x509.Certificate, code: str) -> Role:
    """Which device an open code is for, so a fresh device makes the right request."""
    _, answer = _post(url, ca, {"code": code})
    try:
        return Role(str(answer.get("role")))
    except ValueError as exc:
        raise EnrollmentServerRefused("role") from exc


def request_bundle(
    url: ConsoleUrl, ca: x509.Certificate, code: str, request_pem: bytes
) -> bytes | None:
    """The bundle, or None while the other device has not used its code yet."""
    status, answer = _post(url, ca, {"code": code, "request": request_pem.decode()})
    if status == 202:
        return None
    if not isinstance(answer.get("bundle"), str):
        raise EnrollmentServerRefused("no bundle")
    bundle = str(answer["bundle"]).encode()
    if not same_fingerprint(fingerprint(ca), load_bundle(bundle).ca_certificate):
        raise CaFingerprintMismatch("bundle")  # a bundle of another fleet: refuse it
    return bundle
