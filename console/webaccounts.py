"""Operators manage the console's accounts in the browser.

A new account's TOTP secret is shown once, as a QR code (and its ``otpauth://`` URI)
on the answer to the form that made it; the page is never cached.
"""

from __future__ import annotations

import aiohttp_jinja2
import segno
from aiohttp import web

from console import accounts
from console.accounts import Role
from console.errors import ConsoleError
from console.security import STORE_KEY, requires, session_of


def _context(request: web.Request, **extra: object) -> dict[str, object]:
    session = session_of(request)
    users = accounts.list_users(request.app[STORE_KEY])
    return {"session": session, "csrf": session.csrf, "server_known": True, "operator": True,
            "users": users, "error": None, "new": None, **extra}  # fmt: skip


@requires(Role.OPERATOR)
async def show(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template("accounts.html", request, _context(request))


@requires(Role.OPERATOR)
async def add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = str(form.get("name", ""))[:40]
    try:
        uri = accounts.add_user(
            request.app[STORE_KEY], name, Role(str(form.get("role", ""))),
            str(form.get("password", ""))[:256], actor=session_of(request).user,
        )  # fmt: skip
    except (ConsoleError, ValueError) as exc:
        error = exc.message() if isinstance(exc, ConsoleError) else "Kies een rol."
        context = _context(request, error=error)
        return aiohttp_jinja2.render_template("accounts.html", request, context, status=400)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5)
    new = {"name": name, "uri": uri, "qr": qr}
    return aiohttp_jinja2.render_template("accounts.html", request, _context(request, new=new))


@requires(Role.OPERATOR)
async def remove(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        accounts.remove_user(request.app[STORE_KEY], str(form.get("name", ""))[:40],
                             session_of(request).user)  # fmt: skip
    except ConsoleError as exc:
        raise web.HTTPBadRequest(text=exc.message()) from exc
    raise web.HTTPSeeOther("/accounts")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/accounts", show)
    app.router.add_post("/accounts", add)
    app.router.add_post("/accounts/remove", remove)
