"""The measured run: the real headless demo call, observed from outside.

:func:`app.demo.headless.run_call` keeps its parties to itself, so for the length
of one run the module's ``Party`` is replaced by a subclass that only remembers
each instance (nothing of the call changes); the window reads each party's
engine meter (the demo runs its engines with ``measure=True``, so its own marker
reading is part of the demo's cost, as the raw run's is of the baseline). The
window begins at the first progress report after both parties have a first
frame, which ``run_call`` makes right after its own set-up ends; the call runs
``MARGIN_S`` longer than the window so that its hang-up never falls inside it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from app.demo import headless
from app.demo.headless import Party, media_flowed, run_call
from app.demo.workspace import prepare
from bench.window import MediaWindow, Metered
from pairing.roles import Role

MARGIN_S = 1.0
REPORT_KEYS = ("connected", "peer_verified", "setup_ms", "rtt_ms", "candidate_type", "end_reason")


class SetupFailed(RuntimeError):
    """The demo call ended without pictures both ways."""


class _ObservedParty(Party):
    seen: list[Party] = []  # noqa: RUF012 - one process runs one call

    def __init__(self, role: Role) -> None:
        super().__init__(role)
        _ObservedParty.seen.append(self)


@contextlib.contextmanager
def _observed() -> Iterator[list[Party]]:
    _ObservedParty.seen = []
    headless.Party = _ObservedParty  # type: ignore[misc, assignment]
    try:
        yield _ObservedParty.seen
    finally:
        headless.Party = Party  # type: ignore[misc]


def _engines(parties: list[Party]) -> dict[Role, Metered]:
    return {p.role: p.engine for p in parties if p.engine is not None}


def _peer_connections(parties: list[Party]) -> dict[Role, Any]:
    links = {p.role: p.engine.session.link if p.engine else None for p in parties}
    return {role: link.pc for role, link in links.items() if link is not None}


async def run_demo(seconds: float, window: MediaWindow) -> dict[str, Any]:
    """Make a temporary fleet and pairing, run the demo call, measure ``seconds`` of it."""
    workspace, _ = prepare(None)
    try:
        with _observed() as seen:

            def progress(_text: str) -> None:
                if not window.begun and seen and all(p.first_frame for p in seen):
                    window.begin(_engines(seen), _peer_connections(seen))

            started = time.monotonic()
            report = await run_call(workspace, seconds + MARGIN_S, progress)
        if not window.begun or not media_flowed(report):
            raise SetupFailed(str({k: report.get(k) for k in REPORT_KEYS}))
        measured = await window.result()
    finally:
        workspace.cleanup()
    setup_ms = report["setup_ms"]
    firsts = [p.first_frame for p in seen if p.first_frame is not None]
    return {
        "setup_s": round(setup_ms / 1000, 3) if setup_ms is not None else None,
        "setup_with_server_s": round(max(firsts) - started, 3) if firsts else None,
        **measured,
        "report": {k: report.get(k) for k in REPORT_KEYS},
    }
