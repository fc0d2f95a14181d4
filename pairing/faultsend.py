"""Send a fault report to the helpdesk console, signed with the device key.

The report is technical JSON built by the app (app/faultreport.py); this module only
proves who sends it: the device signs ``DOMAIN || report`` with its key (ECDSA
P-256, SHA-256) and sends its certificate along, so the console checks chain, CRL
and signature the way the peer checks a sealed offer. The console is reached over
TLS pinned to the fleet CA the device already holds.
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from pairing.certificates import certificate_pem
from pairing.codeenroll import ConsoleUrl, pinned_context
from pairing.credentials import DeviceCredentials
from pairing.errors import (
    CaFingerprintMismatch,
    EnrollmentServerRefused,
    EnrollmentServerUnreachable,
)

DOMAIN = b"klasgenoot-fault-report-v1\x00"
MAX_REPORT = 64 * 1024
MAX_ANSWER = 4096  # {"report": <number>}
TIMEOUT = 15.0


def sign(credentials: DeviceCredentials, report: bytes) -> str:
    signature = credentials.key.sign(DOMAIN + report, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()


def envelope(credentials: DeviceCredentials, report: bytes) -> bytes:
    return json.dumps({
        "report": report.decode(),
        "certificate": certificate_pem(credentials.certificate).decode(),
        "signature": sign(credentials, report),
    }).encode()  # fmt: skip


def send_report(url: ConsoleUrl, credentials: DeviceCredentials, report: bytes) -> int:
    """The console's number for the report; EnrollmentServer… errors otherwise."""
    if len(report) > MAX_REPORT:
        raise EnrollmentServerRefused("report too large")
    try:
        conn = http.client.HTTPSConnection(
            url.host, url.port, context=pinned_context(credentials.ca_certificate),
            timeout=TIMEOUT,
        )  # fmt: skip
        conn.request("POST", "/reports", envelope(credentials, report),
                     {"Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        raw = response.read(MAX_ANSWER)
        conn.close()
    except ssl.SSLError as exc:
        raise CaFingerprintMismatch(type(exc).__name__) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise EnrollmentServerUnreachable(type(exc).__name__) from exc
    try:
        answer = jsondoc.loads(raw, limit=MAX_ANSWER)
        number = int(answer["report"])
    except (JsonDocInvalid, ValueError, KeyError, TypeError) as exc:
        raise EnrollmentServerRefused(str(response.status)) from exc
    if response.status != 201:
        raise EnrollmentServerRefused(str(response.status))
    return number
