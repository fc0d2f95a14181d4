"""The console's pages and the devices' enrollment endpoint (aiohttp + Jinja2).

Server-rendered, no JavaScript. Each handler reads or changes the store and renders
a template; who may do what is checked by console/security.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from console import (
    lastcall,
    registry,
    reports,
    service,
    webaccounts,
    webactions,
    webdevices,
    weblogin,
)
from console.accounts import Role
from console.enrollment import Enroller
from console.errors import ConsoleError
from console.history import server_history
from console.presence import Presence
from console.security import (
    IDLE_KEY,
    STORE_KEY,
    AddressLimiter,
    headers,
    requires,
    session_of,
    sessions,
)
from console.store import Store
from pairing import enrollcode as codes
from pairing.issued import add_months
from pairing.roles import Role as DeviceRole

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
PRESENCE_KEY = web.AppKey("presence", Presence)
FINGERPRINT_KEY = web.AppKey("fingerprint", str)
ROLE_WORDS = {DeviceRole.STUDENT: "leerlinglaptop", DeviceRole.CLASSROOM: "klasapparaat"}
STATE_WORDS = {
    "open": "code uitgegeven",
    "waiting": "wacht op het andere apparaat",
    "enrolled": "ingeschreven",
    "revoked": "code ingetrokken",
    "expired": "code verlopen",
    "none": "geen code",
}
SERVICE_WORDS = {
    "no consent": "wacht op toestemming",
    "consent": "toestemming, nog niet actief",
    "active": "actief",
    "ended": "beëindigd",
}


def _when(ts: float | None) -> str:
    if ts is None:
        return "nooit"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _grouped(fingerprint: str) -> list[str]:
    """The CA fingerprint in four rows of eight pairs, as every screen shows it."""
    pairs = fingerprint.split(":")
    return [":".join(pairs[i : i + 8]) for i in range(0, len(pairs), 8)]


def _device_rows(request: web.Request, pairing: registry.Pairing) -> list[dict[str, str]]:
    online = request.app[PRESENCE_KEY].online()
    store = request.app[STORE_KEY]
    rows = []
    for slot in pairing.slots:
        status, seen, version = "—", "—", "—"
        if slot.device_id is not None:
            if online is None:
                status = "onbekend"
            elif slot.device_id in online:
                status = "online"
                seen = "sinds " + online[slot.device_id].since.strftime("%Y-%m-%d %H:%M UTC")
                version = online[slot.device_id].version or "onbekend"
            else:
                status = "offline"
            if status != "online":
                row = store.conn.execute(
                    "SELECT last_seen FROM seen WHERE device_id = ?", (slot.device_id,)
                ).fetchone()
                seen = _when(row[0] if row else None)
        rows.append({
            "role": ROLE_WORDS[slot.role],
            "state": STATE_WORDS[slot.state.value],
            "device": slot.device_id[:7] if slot.device_id else "—",
            "status": status,
            "seen": seen,
            "version": version,
        })  # fmt: skip
    return rows


def _last_call(request: web.Request, pairing: registry.Pairing) -> lastcall.Found:
    """The more recent of the two devices' last calls, as the server holds them."""
    shorts = {s.role: s.device_id[:7] for s in pairing.slots if s.device_id}
    return lastcall.latest(request.app[PRESENCE_KEY].calls(), shorts)


def _base(request: web.Request) -> dict[str, object]:
    session = session_of(request)
    online = request.app[PRESENCE_KEY].online()
    return {"session": session, "csrf": session.csrf, "server_known": online is not None,
            "operator": session.role is Role.OPERATOR}  # fmt: skip


@aiohttp_jinja2.template("overview.html")
async def overview(request: web.Request) -> dict[str, object]:
    search = request.query.get("q", "")[:64]
    wanted = request.query.get("status", "")
    rows = []
    for p in registry.list_pairings(request.app[STORE_KEY], search):
        devices = _device_rows(request, p)
        if wanted and not any(d["status"] == wanted for d in devices):
            continue
        rows.append({"pairing": p, "devices": devices,
                     "last_call": lastcall.describe(_last_call(request, p)),
                     "reports": reports.open_count(request.app[STORE_KEY], p.id)})  # fmt: skip
    return {**_base(request), "rows": rows, "q": search, "status": wanted,
            "services": SERVICE_WORDS}  # fmt: skip


@aiohttp_jinja2.template("new_pairing.html")
async def new_pairing(request: web.Request) -> dict[str, object]:
    until = add_months(dt.datetime.now(dt.UTC).date(), 12)
    return {**_base(request), "until": until.isoformat(), "error": None,
            "today": dt.datetime.now(dt.UTC).date().isoformat()}  # fmt: skip


def _codes_page(request: web.Request, label: str, issued: dict[DeviceRole, str]) -> web.Response:
    shown = [(ROLE_WORDS[r], codes.shown(c)) for r, c in issued.items()]
    context = {**_base(request), "label": label, "codes": shown,
               "fingerprint": _grouped(request.app[FINGERPRINT_KEY])}  # fmt: skip
    return aiohttp_jinja2.render_template("codes.html", request, context)


async def create_pairing(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    store, user = request.app[STORE_KEY], session_of(request).user
    consent_day, consent_ref = (
        str(form.get("consent_day", ""))[:10],
        str(form.get("consent_ref", "")),
    )
    try:
        until = dt.date.fromisoformat(str(form.get("until", ""))[:10])
        consent = None
        if consent_day and session_of(request).role is Role.OPERATOR:
            day = dt.date.fromisoformat(consent_day)
            consent = (day, service.check_consent(day, consent_ref[:80]))
        pid, issued = registry.create_pairing(store, str(form.get("label", ""))[:40], until, user)
        if consent is not None:
            service.record_consent(store, pid, consent[0], consent[1], user)
    except (ConsoleError, ValueError) as exc:
        message = exc.message() if isinstance(exc, ConsoleError) else "Die datum klopt niet."
        context = {**_base(request), "until": str(form.get("until", ""))[:10], "error": message}
        return aiohttp_jinja2.render_template("new_pairing.html", request, context, status=400)
    return _codes_page(request, registry.get_pairing(store, pid).label, issued)


def _pairing_id(request: web.Request) -> int:
    try:
        return int(request.match_info["pid"])
    except ValueError as exc:
        raise web.HTTPNotFound() from exc


@aiohttp_jinja2.template("pairing.html")
async def pairing_detail(request: web.Request) -> dict[str, object]:
    store = request.app[STORE_KEY]
    try:
        p = registry.get_pairing(store, _pairing_id(request))
    except ConsoleError as exc:
        raise web.HTTPNotFound(text=exc.message()) from exc
    audit = [{"at": _when(r["at"]), "actor": r["actor"], "action": r["action"]}
             for r in store.audit_rows(p.label)]  # fmt: skip
    faults = [{"id": r.id, "when": _when(r.received), "device": r.device,
               "state": reports.STATE_WORDS[r.state], "by": r.handled_by or "—"}
              for r in reports.reports_of(store, p.id)]  # fmt: skip
    fleet = request.app[webactions.FLEET_KEY].folder
    shorts = [s.device_id[:7] for s in p.slots if s.device_id]
    history = server_history(fleet, [*shorts, p.fleet_pairing or ""])
    ends = {"history": history, "erase_after": _when(p.erase_after) if p.erase_after else None,
            "ended": _when(p.ended) if p.ended else None,
            "today": dt.datetime.now(dt.UTC).date().isoformat()}  # fmt: skip
    return {**_base(request), "p": p, "devices": _device_rows(request, p), "audit": audit,
            "reports": faults, "last_call": lastcall.describe(_last_call(request, p)),
            **ends}  # fmt: skip


async def new_code(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    store, user = request.app[STORE_KEY], session_of(request).user
    try:
        p = registry.get_pairing(store, _pairing_id(request))
        role = DeviceRole(str(form.get("role", "")))
        code = registry.issue_code(store, p.id, role, user)
    except (ConsoleError, ValueError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    return _codes_page(request, p.label, {role: code})


@requires(Role.OPERATOR)
async def revoke_codes(request: web.Request) -> web.StreamResponse:
    store = request.app[STORE_KEY]
    pid = _pairing_id(request)
    try:
        registry.revoke_codes(store, pid, session_of(request).user)
    except ConsoleError as exc:
        raise web.HTTPNotFound(text=exc.message()) from exc
    raise web.HTTPSeeOther(f"/pairings/{pid}")


async def export_pairing(request: web.Request) -> web.StreamResponse:
    store = request.app[STORE_KEY]
    try:
        p = registry.get_pairing(store, _pairing_id(request))
    except ConsoleError as exc:
        raise web.HTTPNotFound(text=exc.message()) from exc
    store.audit(session_of(request).user, "export", p.label)
    shorts = [s.device_id[:7] for s in p.slots if s.device_id]
    fleet = request.app[webactions.FLEET_KEY].folder
    doc = {"label": p.label, "until": p.until.isoformat(), "fleet_pairing": p.fleet_pairing,
           "consent": {"day": p.consent_day, "reference": p.consent_ref},
           "ended": p.ended, "end_reason": p.end_reason, "erase_after": p.erase_after,
           "devices": _device_rows(request, p),
           "last_call": lastcall.exported(_last_call(request, p)),
           "fault_reports": [{"id": r.id, "received": r.received, "device": r.device,
                              "state": r.state.value, "handled_by": r.handled_by,
                              "report": json.loads(r.body)}
                             for r in reports.reports_of(store, p.id)],
           "server_log": server_history(fleet, [*shorts, p.fleet_pairing or ""]),
           "audit": [dict(r) for r in store.audit_rows(p.label)]}  # fmt: skip
    return web.json_response(doc, dumps=lambda d: json.dumps(d, indent=2, default=str))


def build_app(
    store: Store,
    *,
    enroller: Enroller,
    inbox: reports.ReportInbox,
    fleet: service.FleetAccess,
    presence: Presence,
    fingerprint: str,
    idle: float,
) -> web.Application:
    app = web.Application(middlewares=[headers, sessions], client_max_size=64 * 1024)
    app[STORE_KEY], app[webdevices.ENROLLER_KEY], app[PRESENCE_KEY] = store, enroller, presence
    app[webdevices.INBOX_KEY], app[webactions.FLEET_KEY] = inbox, fleet
    app[FINGERPRINT_KEY], app[IDLE_KEY] = fingerprint, idle
    app[weblogin.LIMITER_KEY] = AddressLimiter()
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    weblogin.add_routes(app)
    app.router.add_get("/", overview)
    app.router.add_get("/pairings/new", new_pairing)
    app.router.add_post("/pairings", create_pairing)
    app.router.add_get("/pairings/{pid}", pairing_detail)
    app.router.add_post("/pairings/{pid}/code", new_code)
    app.router.add_post("/pairings/{pid}/revoke-codes", revoke_codes)
    app.router.add_get("/pairings/{pid}/export", export_pairing)
    app.router.add_post("/enroll", webdevices.enroll)
    app.router.add_post("/reports", webdevices.receive_report)
    webactions.add_routes(app)
    webaccounts.add_routes(app)
    app.router.add_static("/static", HERE / "static")
    return app
