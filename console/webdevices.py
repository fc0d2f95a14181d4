"""The devices' endpoints on the console: enrollment by code and fault reports.

No session here: a device proves itself with its code (enrollment) or with its
certificate and signature (reports). Answers are JSON with a Dutch sentence.
"""

from __future__ import annotations

import logging

from aiohttp import web

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from console.enrollment import Enroller
from console.errors import ConsoleError, EnrollmentCodeRejected, EnrollmentLocked, ReportRefused
from console.reports import ReportInbox
from pairing.errors import EnrollmentCodeMistyped, PairingError

logger = logging.getLogger(__name__)

ENROLLER_KEY = web.AppKey("enroller", Enroller)
INBOX_KEY = web.AppKey("inbox", ReportInbox)
MAX_ENROLL_BODY = 16 * 1024
MAX_REPORT_BODY = 96 * 1024  # the report (64 KiB at most), certificate and signature


def _enroll_answer(request: web.Request, code: str, pem: str | None) -> web.Response:
    enroller, address = request.app[ENROLLER_KEY], request.remote or ""
    if pem is None:  # a new device asks which role its code is for
        return web.json_response({"role": enroller.role_of(address, code).value})
    bundle = enroller.enroll(address, code, pem.encode())
    if bundle is None:
        return web.json_response({"state": "waiting"}, status=202)
    return web.json_response({"state": "enrolled", "bundle": bundle.decode()})


async def enroll(request: web.Request) -> web.StreamResponse:
    """A device's code and request → 200 with its bundle, 202 to wait, 4xx in Dutch."""
    try:
        body = await request.content.read(MAX_ENROLL_BODY + 1)
        doc = jsondoc.loads(body, limit=MAX_ENROLL_BODY)
        code, pem = doc["code"], doc.get("request")
        if not isinstance(code, str) or not isinstance(pem, str | None):
            raise TypeError("code")
    except (JsonDocInvalid, TypeError, KeyError):
        return web.json_response({"error": "Ongeldige aanvraag.", "reason": "request"}, status=400)
    try:
        return _enroll_answer(request, code, pem)
    except EnrollmentLocked as exc:
        return web.json_response({"error": exc.message(), "reason": "locked"}, status=429)
    except (EnrollmentCodeMistyped, EnrollmentCodeRejected) as exc:
        reason = "typo" if isinstance(exc, EnrollmentCodeMistyped) else "code"
        return web.json_response({"error": exc.message(), "reason": reason}, status=400)
    except (ConsoleError, PairingError) as exc:
        return web.json_response({"error": exc.message(), "reason": "request"}, status=400)


async def receive_report(request: web.Request) -> web.StreamResponse:
    """A device's signed fault report → 201 with its number, or 400 in Dutch."""
    body = await request.content.read(MAX_REPORT_BODY + 1)
    try:
        if len(body) > MAX_REPORT_BODY:
            raise ReportRefused("too large")
        number = request.app[INBOX_KEY].receive(body)
    except ReportRefused as exc:
        logger.warning("fault report refused: %s", exc.detail)
        return web.json_response({"error": exc.message()}, status=400)
    return web.json_response({"report": number}, status=201)
