"""Pages and actions on one pairing beyond the basics: consent, ending the service,
erasing, and its fault reports. Operator-only actions are marked with ``requires``."""

from __future__ import annotations

import datetime as dt
import json

import aiohttp_jinja2
from aiohttp import web

from console import registry, reports, service
from console.accounts import Role
from console.errors import ConsoleError
from console.security import STORE_KEY, requires, session_of
from pairing.errors import PairingError

FLEET_KEY = web.AppKey("fleet", service.FleetAccess)


def pairing_id(request: web.Request) -> int:
    try:
        return int(request.match_info["pid"])
    except ValueError as exc:
        raise web.HTTPNotFound() from exc


def _back(pid: int) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/pairings/{pid}")


@requires(Role.OPERATOR)
async def record_consent(request: web.Request) -> web.StreamResponse:
    form, pid = await request.post(), pairing_id(request)
    try:
        day = dt.date.fromisoformat(str(form.get("consent_day", ""))[:10])
        service.record_consent(request.app[STORE_KEY], pid, day,
                               str(form.get("consent_ref", ""))[:80],
                               session_of(request).user)  # fmt: skip
    except ValueError as exc:
        raise web.HTTPBadRequest(text=service.ConsentInvalid.message()) from exc
    except ConsoleError as exc:
        raise web.HTTPBadRequest(text=exc.message()) from exc
    raise _back(pid)


@requires(Role.OPERATOR)
async def end_service(request: web.Request) -> web.StreamResponse:
    form, pid = await request.post(), pairing_id(request)
    fleet = request.app[FLEET_KEY]
    try:
        reason = service.ServiceEndReason(str(form.get("reason", "")))
        service.end_service(request.app[STORE_KEY], fleet.folder, fleet.passphrase, pid,
                            reason=reason, actor=session_of(request).user)  # fmt: skip
    except ValueError as exc:
        raise web.HTTPBadRequest(text="Kies een reden.") from exc
    except (ConsoleError, PairingError) as exc:
        raise web.HTTPBadRequest(text=exc.message()) from exc
    raise _back(pid)


@requires(Role.OPERATOR)
async def erase(request: web.Request) -> web.StreamResponse:
    store, pid = request.app[STORE_KEY], pairing_id(request)
    try:
        pairing = registry.get_pairing(store, pid)
    except ConsoleError as exc:
        raise web.HTTPNotFound(text=exc.message()) from exc
    if pairing.ended is None:
        raise web.HTTPBadRequest(text="Beëindig eerst de dienst; daarna kan wissen.")
    service.erase_pairing(store, request.app[FLEET_KEY].folder, pairing,
                          session_of(request).user)  # fmt: skip
    raise web.HTTPSeeOther("/")


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@aiohttp_jinja2.template("report.html")
async def report_page(request: web.Request) -> dict[str, object]:
    store = request.app[STORE_KEY]
    try:
        report = reports.get_report(store, int(request.match_info["rid"]))
    except (ConsoleError, ValueError) as exc:
        raise web.HTTPNotFound() from exc
    pairing = registry.get_pairing(store, report.pairing)
    pretty = json.dumps(json.loads(report.body), indent=2, ensure_ascii=False)
    session = session_of(request)
    return {"session": session, "csrf": session.csrf, "server_known": True,
            "r": report, "p": pairing, "pretty": pretty, "when": _when(report.received),
            "states": reports.STATE_WORDS}  # fmt: skip


async def report_state(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    store = request.app[STORE_KEY]
    try:
        report = reports.get_report(store, int(request.match_info["rid"]))
        state = reports.ReportState(str(form.get("state", "")))
    except (ConsoleError, ValueError) as exc:
        raise web.HTTPBadRequest(text="Onbekende melding of toestand.") from exc
    label = registry.get_pairing(store, report.pairing).label
    reports.set_state(store, report.id, state, session_of(request).user, label)
    raise web.HTTPSeeOther(f"/reports/{report.id}")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/pairings/{pid}/consent", record_consent)
    app.router.add_post("/pairings/{pid}/end", end_service)
    app.router.add_post("/pairings/{pid}/erase", erase)
    app.router.add_get("/reports/{rid}", report_page)
    app.router.add_post("/reports/{rid}/state", report_state)
