"""Sessions, CSRF and roles for the console's pages.

- The session cookie is ``__Host-`` prefixed, Secure, HttpOnly and SameSite=Strict.
- Every POST carries the session's CSRF token in a hidden field (the login form a
  token bound to a short-lived cookie, since there is no session yet); a POST
  without it is refused before its handler runs.
- Login attempts are counted per address in memory only, besides the per-account
  lockout in console/accounts.py.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from aiohttp import web

from console import accounts
from console.accounts import Role, Session
from console.store import Store

COOKIE = "__Host-kg-session"
LOGIN_COOKIE = "__Host-kg-login"
STORE_KEY = web.AppKey("store", Store)
IDLE_KEY = web.AppKey("idle", float)
SESSION_KEY = web.RequestKey("session", Session)  # the logged-in session, per request
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths reached without a session: /enroll and POST /reports are the devices' endpoints,
# guarded by the code and by the device certificate and signature.
PUBLIC = frozenset({"/login", "/enroll", "/reports", "/ca.pem", "/static/console.css"})
LOGIN_TRIES, LOGIN_WINDOW = 10, 15 * 60.0


def set_cookie(response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, path="/", secure=True, httponly=True, samesite="Strict", max_age=max_age
    )


def session_of(request: web.Request) -> Session:
    session = request.get(SESSION_KEY)
    assert isinstance(session, Session)
    return session


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"  # codes and otpauth URIs: never cached
    response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


@web.middleware
async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Find the session; no session → the login page; a POST without the right token
    → 403, before anything happens."""
    if request.path in PUBLIC:
        return await handler(request)
    token = request.cookies.get(COOKIE, "")
    store = request.app[STORE_KEY]
    session = accounts.find_session(store, token, request.app[IDLE_KEY]) if token else None
    if session is None:
        if request.method == "POST":
            raise web.HTTPForbidden(text="Niet ingelogd.")
        raise web.HTTPSeeOther("/login")
    if request.method == "POST":
        form = await request.post()
        sent = form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf):
            store.audit(session.user, "refused: missing CSRF token", request.path[:80])
            raise web.HTTPForbidden(text="Formulier verlopen of ongeldig. Laad de pagina opnieuw.")
    request[SESSION_KEY] = session
    return await handler(request)


def requires(role: Role) -> Callable[[Handler], Handler]:
    """Operator-only actions: a helpdesk account gets 403 and an audit entry."""

    def wrap(handler: Handler) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            session = session_of(request)
            if role is Role.OPERATOR and session.role is not Role.OPERATOR:
                request.app[STORE_KEY].audit(session.user, "refused: operator action",
                                               request.path[:80])  # fmt: skip
                raise web.HTTPForbidden(text="Dit mag alleen een beheerder (operator).")
            return await handler(request)

        return checked

    return wrap


class AddressLimiter:
    """At most ``tries`` attempts per address in ``window`` seconds; memory only."""

    def __init__(self, tries: int = LOGIN_TRIES, window: float = LOGIN_WINDOW) -> None:
        self._tries, self._window = tries, window
        self._seen: defaultdict[str, list[float]] = defaultdict(list)

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        if len(self._seen) > 10_000:
            self._seen.clear()
        times = [t for t in self._seen[address] if now - t < self._window]
        times.append(now)
        self._seen[address] = times
        return len(times) <= self._tries


def new_login_token() -> str:
    return secrets.token_urlsafe(24)
