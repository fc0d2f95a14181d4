"""Logging in and out of the console (password + TOTP; console/accounts.py)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from console import accounts
from console.errors import ConsoleError
from console.security import (
    COOKIE,
    LOGIN_COOKIE,
    STORE_KEY,
    AddressLimiter,
    new_login_token,
    session_of,
    set_cookie,
)

LIMITER_KEY = web.AppKey("limiter", AddressLimiter)
# what the login page shows, set by the handler that renders it
TOKEN_KEY = web.RequestKey("login_token", str)
ERROR_KEY = web.RequestKey("login_error", str)
TOO_MANY = "Te veel pogingen. Probeer het over een kwartier opnieuw."


@aiohttp_jinja2.template("login.html")
async def login_page(request: web.Request) -> dict[str, object]:
    # One token per browser while it logs in: a second GET (another tab, the favicon
    # redirected here) must not invalidate the form already shown.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if not 20 <= len(token) <= 64:
        token = new_login_token()
    request[TOKEN_KEY] = token
    return {"token": token, "error": request.get(ERROR_KEY)}


async def _login_form(request: web.Request, error: str) -> web.StreamResponse:
    request[ERROR_KEY] = error
    response = await login_page(request)
    set_cookie(response, LOGIN_COOKIE, request[TOKEN_KEY], 600)
    return response


async def show_login(request: web.Request) -> web.StreamResponse:
    return await _login_form(request, "")


async def do_login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    cookie, sent = request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")
    if not cookie or sent != cookie:
        raise web.HTTPForbidden(text="Formulier verlopen of ongeldig. Laad de pagina opnieuw.")
    store = request.app[STORE_KEY]
    if not request.app[LIMITER_KEY].allow(request.remote or ""):
        return await _login_form(
            request, "Te veel pogingen. Probeer het over een kwartier opnieuw."
        )
    try:
        session = accounts.login(
            store, str(form.get("name", ""))[:64], str(form.get("password", ""))[:256],
            str(form.get("totp", ""))[:12],
        )  # fmt: skip
    except ConsoleError as exc:
        return await _login_form(request, exc.message())
    response = web.HTTPSeeOther("/")
    set_cookie(response, COOKIE, accounts.open_session(store, session), 12 * 3600)
    response.del_cookie(LOGIN_COOKIE, path="/")
    raise response


async def do_logout(request: web.Request) -> web.StreamResponse:
    store = request.app[STORE_KEY]
    accounts.close_session(store, request.cookies.get(COOKIE, ""))
    store.audit(session_of(request).user, "logout")
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", show_login)
    app.router.add_post("/login", do_login)
    app.router.add_post("/logout", do_logout)
