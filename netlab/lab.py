"""The network lab: namespaces for the internet, homes, hospitals and schools.

Built on ``__enter__``, torn down on ``__exit__``/``close()`` whatever happened in
between, and on atexit or SIGTERM for the process that built it. docs/network.md
("The lab") has the drawing and the address plan.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self

from netlab import build, laptop
from netlab.coturn import TURN_SOCKETS, Coturn
from netlab.errors import BadCap, UnknownPlace
from netlab.nsloop import NamespaceLoop
from netlab.rules import BLOCK_CHAIN, GUARD_CHAIN, dropped_packets
from netlab.system import check_requirements, cleanup_stale, delete_namespace, in_ns, run
from netlab.topology import (
    DEVICE_LINKS,
    SITES,
    MobilePlan,
    SitePlan,
    internet_ns,
    mobile_plan,
    new_tag,
    site_plan,
)

logger = logging.getLogger(__name__)

INTERNET = "internet"
ROUTER_SUFFIX = "-nat"  # place name of a site's router: "home-nat"
MOBILE_SUFFIX = "-4g"  # place name of a site's 4G router: "home-4g"


class Lab:
    """The lab for ``sites`` (a subset of SITES), one run tag for all its names.

    ``mobile``: sites whose device also has a 4G link of its own (a laptop with a
    hotspot or dongle), for :meth:`set_device_link`.
    """

    def __init__(
        self, sites: Iterable[str] = SITES, *, tag: str | None = None, mobile: Iterable[str] = ()
    ) -> None:
        wanted = tuple(dict.fromkeys(sites))
        with_4g = tuple(dict.fromkeys(mobile))
        unknown = [site for site in (*wanted, *with_4g) if site not in SITES]
        unknown += [site for site in with_4g if site in SITES and site not in wanted]
        if unknown:
            raise UnknownPlace(", ".join(unknown))
        self.tag = tag or new_tag()
        self.core_ns = internet_ns(self.tag)
        self.sites: dict[str, SitePlan] = {site: site_plan(site, self.tag) for site in wanted}
        self._active = dict.fromkeys(wanted, build.ACTIVE_UPLINK)
        self.mobile: dict[str, MobilePlan] = {site: mobile_plan(site, self.tag) for site in with_4g}
        self._device_link = dict.fromkeys(wanted, DEVICE_LINKS[0])
        self._created: list[str] = []
        self._loops: dict[str, NamespaceLoop] = {}
        self._coturn: Coturn | None = None
        self._workdir: Path | None = None
        self._lock = threading.RLock()  # close() may run from a SIGTERM handler mid-call
        self._open = False

    # Building and tearing down

    def __enter__(self) -> Self:
        check_requirements(coturn=False)
        cleanup_stale()
        _register(self)
        self._open = True
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _build(self) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix=f"kgl{self.tag}-"))
        build.add_namespace(self.core_ns, self._created)
        for plan in self.sites.values():
            build.add_namespace(plan.router_ns, self._created)
            build.add_namespace(plan.device_ns, self._created)
            build.link_site(plan, self.core_ns)
        build.address_core(self.core_ns, list(self.sites.values()))
        for plan in self.sites.values():
            build.address_site(plan)
        build.wait_active(self.core_ns, list(self.sites.values()))
        for site, mobile in self.mobile.items():
            laptop.build_mobile(self.sites[site], mobile, self.core_ns, self._created)
        logger.info("lab %s built: %s", self.tag, ", ".join(self.sites))

    def close(self) -> None:
        """Stop loops and coturn, delete every namespace. Safe to call twice."""
        with self._lock:
            if not self._open:
                return
            self._open = False
        for nsloop in self._loops.values():
            with contextlib.suppress(Exception):  # teardown goes on whatever one part did
                nsloop.close()
        self._loops.clear()
        if self._coturn is not None:
            with contextlib.suppress(Exception):
                self._coturn.stop()
            self._coturn = None
        for ns in reversed(self._created):
            delete_namespace(ns)
        self._created.clear()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        _unregister(self)
        logger.info("lab %s torn down", self.tag)

    # Places

    def namespace(self, place: str) -> str:
        """The netns name of ``place``: "internet", a site (its device), "SITE-nat" or
        (a mobile site) "SITE-4g"."""
        if place == INTERNET:
            return self.core_ns
        if place in self.sites:
            return self.sites[place].device_ns
        carrier = place.removesuffix(MOBILE_SUFFIX)
        if place.endswith(MOBILE_SUFFIX) and carrier in self.mobile:
            return self.mobile[carrier].router_ns
        site = place.removesuffix(ROUTER_SUFFIX)
        if place.endswith(ROUTER_SUFFIX) and site in self.sites:
            return self.sites[site].router_ns
        raise UnknownPlace(place)

    def namespaces(self) -> list[str]:
        """Every namespace this lab made, in the order it made them."""
        return list(self._created)

    def device_ip(self, site: str) -> str:
        """The device's private address on its active link (Wi-Fi: 198.19.N.2)."""
        plan = self._plan(site)
        if self._device_link[site] == "4g":
            return self.mobile[site].link.device_ip
        return plan.device_ip

    def public_ip(self, site: str) -> str:
        """The address the internet sees the site's device as: its active uplink's
        (the 4G router's while the device is on 4G)."""
        if self._device_link[self._plan(site).name] == "4g":
            return self.mobile[site].uplink.public_ip
        return self._plan(site).uplink(self._active[site]).public_ip

    def active_uplink(self, site: str) -> str:
        return self._active[self._plan(site).name]

    def _plan(self, site: str) -> SitePlan:
        if site not in self.sites:
            raise UnknownPlace(site)
        return self.sites[site]

    # Running things inside

    def loop(self, place: str) -> NamespaceLoop:
        """An asyncio loop on a thread inside ``place``'s namespace (one per place)."""
        ns = self.namespace(place)
        with self._lock:
            if place not in self._loops:
                self._loops[place] = NamespaceLoop(ns)
            return self._loops[place]

    def exec(self, place: str, argv: Sequence[str], **kw: Any) -> subprocess.CompletedProcess[Any]:
        """``subprocess.run(argv, **kw)`` inside ``place``'s namespace."""
        return subprocess.run(in_ns(self.namespace(place), argv), **kw)  # noqa: PLW1510

    def start_coturn(
        self, config: Path, *, sockets: Iterable[tuple[str, int]] = TURN_SOCKETS
    ) -> None:
        """``turnserver -c config`` in `internet`; returns once it listens on TURN_IP
        (UDP and TCP 3478, TLS 443 unless ``sockets`` says otherwise). Stopped at close."""
        check_requirements(coturn=True)
        if self._coturn is not None:
            self._coturn.stop()
        assert self._workdir is not None, "start_coturn needs a built lab (use `with Lab()`)"
        self._coturn = Coturn(self.core_ns, config, self._workdir)
        self._coturn.wait_listening(sockets)

    def coturn_pid(self) -> int | None:
        """coturn's process id while it runs (for tests and diagnostics)."""
        return None if self._coturn is None else self._coturn.process.pid

    # Shaping the network

    def cap(self, site: str, kbit: int | None, *, latency_ms: int = 100) -> None:
        """Cap the site's uplinks to ``kbit`` kbit/s each way (tc tbf); None lifts it."""
        plan = self._plan(site)
        if kbit is not None and (isinstance(kbit, bool) or not isinstance(kbit, int) or kbit < 8):
            raise BadCap(repr(kbit))
        build.set_cap(plan, self.core_ns, kbit, latency_ms)

    def set_uplink(self, site: str, which: str) -> None:
        """Make uplink ``which`` ("a" or "b") the site's active one; the old one goes down."""
        plan = self._plan(site)
        try:
            plan.uplink(which)
        except KeyError:
            raise UnknownPlace(f"{site} uplink {which!r}") from None
        old = self._active[site]
        if old == which:
            return
        build.switch_uplink(plan, self.core_ns, old, which)
        self._active[site] = which

    def device_link(self, site: str) -> str:
        """The device's own active link: "wifi" or "4g"."""
        return self._device_link[self._plan(site).name]

    def set_device_link(self, site: str, which: str) -> None:
        """The laptop itself changes network: ``which`` ("wifi" or "4g") comes up and
        passes packets, then the active one goes down *on the device*, taking its
        address and routes along (the Wi-Fi drops). Needs ``mobile`` to name the site.
        """
        plan = self._plan(site)
        if site not in self.mobile or which not in DEVICE_LINKS:
            raise UnknownPlace(f"{site} link {which!r}")
        old = self._device_link[site]
        if old == which:
            return
        laptop.switch_device_link(plan, self.mobile[site], old, which)
        self._device_link[site] = which

    def blackhole(self, site: str, on: bool) -> None:
        """Drop everything the site's router would forward, both ways, while ``on``.

        An outage with the links still up (a dead access point, a carrier that stops
        passing traffic): unlike :meth:`set_uplink` no interface changes, so only
        timers tell the two ends that the path is gone.
        """
        router = self._plan(site).router_ns
        run(in_ns(router, ["iptables", "-F", BLOCK_CHAIN]))  # calling it twice adds nothing
        if on:
            run(in_ns(router, ["iptables", "-A", BLOCK_CHAIN, "-j", "DROP"]))

    # The leak guard

    def leaks(self) -> int:
        """Packets dropped in any namespace for heading outside 198.18.0.0/15."""
        return sum(
            dropped_packets(run(in_ns(ns, ["iptables", "-n", "-v", "-x", "-L", GUARD_CHAIN])))
            for ns in self.namespaces()
        )


# Teardown when the building process ends: atexit, and SIGTERM (whose default
# action would otherwise kill the process without running atexit).

_LIVE: set[Lab] = set()
_LIVE_LOCK = threading.RLock()  # the SIGTERM handler may interrupt _register
_hooks_installed = False


def _register(lab: Lab) -> None:
    global _hooks_installed  # noqa: PLW0603 - installed once per process
    with _LIVE_LOCK:
        _LIVE.add(lab)
        if _hooks_installed:
            return
        _hooks_installed = True
    atexit.register(_close_all)
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, lambda signum, frame: _on_sigterm(previous, signum, frame))


def _unregister(lab: Lab) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(lab)


def _close_all() -> None:
    with _LIVE_LOCK:
        labs = list(_LIVE)
    for lab in labs:
        lab.close()


def _on_sigterm(previous: Any, signum: int, frame: FrameType | None) -> None:
    _close_all()
    if callable(previous):
        previous(signum, frame)
    elif previous != signal.SIG_IGN:
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)
