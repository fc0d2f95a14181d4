"""Building the lab's namespaces, links, addresses, routes and rule sets.

Everything is made inside namespaces (veths are created with both ends already in
place), so a run that dies half-way leaves nothing in the host's own namespace.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from netlab import rules
from netlab.errors import LabCommandFailed, LabUnavailable
from netlab.system import in_ns, run
from netlab.topology import SERVER_IP, TURN_IP, SitePlan

# No IPv6 in the lab (no stray router solicitations), forwarding on for the routers.
_SYSCTLS = (
    "net.ipv6.conf.all.disable_ipv6=1",
    "net.ipv6.conf.default.disable_ipv6=1",
    "net.ipv4.ip_forward=1",
)
ACTIVE_UPLINK = "a"


def add_namespace(ns: str, created: list[str]) -> None:
    """Create ``ns`` (and note it for teardown) with loopback up and the lab's sysctls."""
    try:
        run(["ip", "netns", "add", ns])
    except LabCommandFailed as exc:
        # No CAP_SYS_ADMIN (an unprivileged container): the lab cannot exist here.
        raise LabUnavailable(f"netwerknamespaces maken mag hier niet ({exc.detail})") from exc
    created.append(ns)
    run(in_ns(ns, ["sysctl", "-q", "-w", *_SYSCTLS]))
    run(["ip", "-n", ns, "link", "set", "lo", "up"])


def _batch(ns: str | None, lines: Sequence[str]) -> None:
    argv = ["ip", "-batch", "-"] if ns is None else ["ip", "-n", ns, "-batch", "-"]
    run(argv, stdin="\n".join(lines) + "\n")


def wait_up(ns: str, devices: Sequence[str], timeout: float = 5.0) -> None:
    """Return once every one of ``devices`` in ``ns`` is operationally UP.

    A veth that just got its carrier passes no packet until the kernel's link watch
    has activated it, which it does lazily (up to a second later): without this
    wait the first packets over a new uplink are silently dropped.
    """
    deadline = time.monotonic() + timeout
    while True:
        out = run(["ip", "-n", ns, "-o", "link", "show", "up"])
        up = {
            line.split()[1].split("@")[0].rstrip(":")
            for line in out.splitlines()
            if "state UP" in line
        }
        if set(devices) <= up:
            return
        if time.monotonic() > deadline:
            raise LabCommandFailed(f"links not up in {ns}: {sorted(set(devices) - up)}")
        time.sleep(0.02)


def wait_active(core_ns: str, plans: Sequence[SitePlan]) -> None:
    """Wait until every LAN link and every active uplink of ``plans`` passes packets."""
    for plan in plans:
        active = plan.uplink(ACTIVE_UPLINK)
        wait_up(plan.router_ns, [plan.lan_router_if, active.router_if])
        wait_up(plan.device_ns, [plan.lan_device_if])
    wait_up(core_ns, [plan.uplink(ACTIVE_UPLINK).core_if for plan in plans])


def link_site(plan: SitePlan, core_ns: str) -> None:
    """The veths of one site: LAN (router-device) and both uplinks (router-core)."""
    lines = [
        f"link add {plan.lan_router_if} netns {plan.router_ns} type veth "
        f"peer name {plan.lan_device_if} netns {plan.device_ns}"
    ]
    lines += [
        f"link add {link.router_if} netns {plan.router_ns} type veth "
        f"peer name {link.core_if} netns {core_ns}"
        for link in plan.uplinks
    ]
    _batch(None, lines)


def address_core(core_ns: str, plans: Sequence[SitePlan]) -> None:
    lines = [f"addr add {SERVER_IP}/32 dev lo", f"addr add {TURN_IP}/32 dev lo"]
    for plan in plans:
        for link in plan.uplinks:
            lines.append(f"addr add {link.core_ip}/24 dev {link.core_if}")
            if link.which == ACTIVE_UPLINK:
                lines.append(f"link set {link.core_if} up")
    _batch(core_ns, lines)
    run(in_ns(core_ns, ["iptables-restore"]), stdin=rules.host_rules())


def address_site(plan: SitePlan) -> None:
    """Addresses and default routes of a site: the device via its router, the router
    via the core over uplink a; uplink b has its address but stays down."""
    active = plan.uplink(ACTIVE_UPLINK)
    router = [
        f"addr add {plan.router_lan_ip}/24 dev {plan.lan_router_if}",
        f"link set {plan.lan_router_if} up",
    ]
    for link in plan.uplinks:
        router.append(f"addr add {link.public_ip}/24 dev {link.router_if}")
    router += [
        f"link set {active.router_if} up",
        f"route add default via {active.core_ip} dev {active.router_if}",
    ]
    _batch(plan.router_ns, router)
    _batch(
        plan.device_ns,
        [
            f"addr add {plan.device_ip}/24 dev {plan.lan_device_if}",
            f"link set {plan.lan_device_if} up",
            f"route add default via {plan.router_lan_ip}",
        ],
    )
    run(in_ns(plan.router_ns, ["iptables-restore"]), stdin=rules.router_rules(plan))
    run(in_ns(plan.device_ns, ["iptables-restore"]), stdin=rules.host_rules())


def switch_uplink(plan: SitePlan, core_ns: str, old: str, new: str) -> None:
    """Bring ``new`` up, move the default route to it, then take ``old`` down at both
    ends: the router loses carrier on the old link as a laptop loses its Wi-Fi."""
    to, fro = plan.uplink(new), plan.uplink(old)
    _batch(core_ns, [f"link set {to.core_if} up"])
    _batch(
        plan.router_ns,
        [
            f"link set {to.router_if} up",
            f"route replace default via {to.core_ip} dev {to.router_if} onlink",
            f"link set {fro.router_if} down",
        ],
    )
    _batch(core_ns, [f"link set {fro.core_if} down"])
    wait_up(plan.router_ns, [to.router_if])
    wait_up(core_ns, [to.core_if])


def set_cap(plan: SitePlan, core_ns: str, kbit: int | None, latency_ms: int) -> None:
    """tbf on both ends of both uplinks: egress of the router's end caps the upload,
    egress of the core's end the download. ``None`` removes it."""
    for link in plan.uplinks:
        for ns, dev in ((plan.router_ns, link.router_if), (core_ns, link.core_if)):
            if kbit is None:
                # Deleting a qdisc that is not there fails; that is the wanted state.
                with contextlib.suppress(LabCommandFailed):
                    run(["tc", "-n", ns, "qdisc", "del", "dev", dev, "root"])
                continue
            # A burst of 20 ms at the rate, but at least two full-size packets.
            burst = max(kbit * 1000 // 8 // 50, 3100)
            run(
                [
                    *("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "tbf"),
                    *("rate", f"{kbit}kbit", "burst", str(burst), "latency", f"{latency_ms}ms"),
                ]
            )
