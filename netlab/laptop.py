"""A laptop's own two links: Wi-Fi to the site's router, 4G to a carrier's router.

Unlike :func:`netlab.build.switch_uplink` (the home router changes its uplink and
the laptop sees nothing), here the laptop itself loses a link: the interface goes
down and its address goes away, as NetworkManager does when the Wi-Fi drops, so
the device's engine can notice. Only the active link has an address. Source rules
keep a socket bound to one link's address on that link while both are up (the
weak host model would otherwise send it out of the preferred one, NATed anew).
"""

from __future__ import annotations

from collections.abc import Sequence

from netlab import rules
from netlab.build import add_namespace, wait_up
from netlab.system import in_ns, run
from netlab.topology import DeviceLink, MobilePlan, SitePlan, device_links


def batch(ns: str | None, lines: Sequence[str]) -> None:
    """``ip -batch`` in ``ns`` (None: the host's ip, for veths made across namespaces)."""
    argv = ["ip", "-batch", "-"] if ns is None else ["ip", "-n", ns, "-batch", "-"]
    run(argv, stdin="\n".join(lines) + "\n")


def build_mobile(plan: SitePlan, mobile: MobilePlan, core_ns: str, created: list[str]) -> None:
    """The 4G router of ``plan``'s site, its uplink to the core and the device's
    (still down) link to it; the device's source rules for both of its links."""
    add_namespace(mobile.router_ns, created)
    link, up = mobile.link, mobile.uplink
    batch(
        None,
        [
            f"link add {mobile.lan_router_if} netns {mobile.router_ns} type veth "
            f"peer name {link.device_if} netns {plan.device_ns}",
            f"link add {up.router_if} netns {mobile.router_ns} type veth "
            f"peer name {up.core_if} netns {core_ns}",
        ],
    )
    batch(core_ns, [f"addr add {up.core_ip}/24 dev {up.core_if}", f"link set {up.core_if} up"])
    batch(
        mobile.router_ns,
        [
            f"addr add {link.gateway}/24 dev {mobile.lan_router_if}",
            f"link set {mobile.lan_router_if} up",
            f"addr add {up.public_ip}/24 dev {up.router_if}",
            f"link set {up.router_if} up",
            f"route add default via {up.core_ip} dev {up.router_if}",
        ],
    )
    run(in_ns(mobile.router_ns, ["iptables-restore"]), stdin=rules.mobile_rules(mobile))
    wifi = device_links(plan, mobile)["wifi"]
    device = [f"rule add from {one.device_ip} lookup {one.table}" for one in (wifi, link)]
    device += ["route del default", *_routes(wifi)]  # Wi-Fi's default gets its metric
    batch(plan.device_ns, device)
    wait_up(mobile.router_ns, [up.router_if])
    wait_up(core_ns, [up.core_if])


def switch_device_link(plan: SitePlan, mobile: MobilePlan, old: str, new: str) -> None:
    """Bring the device's ``new`` link up (once it passes packets, it gets its address
    and routes), then take ``old`` down: its address and routes go with it."""
    links = device_links(plan, mobile)
    to, fro = links[new], links[old]
    router_ns, router_if = _router_end(plan, mobile, new)
    batch(plan.device_ns, [f"link set {to.device_if} up"])
    wait_up(plan.device_ns, [to.device_if])
    wait_up(router_ns, [router_if])
    batch(plan.device_ns, [f"addr add {to.device_ip}/24 dev {to.device_if}", *_routes(to)])
    batch(plan.device_ns, [f"addr flush dev {fro.device_if}", f"link set {fro.device_if} down"])


def _routes(link: DeviceLink) -> list[str]:
    return [
        f"route add default via {link.gateway} dev {link.device_if} metric {link.metric}",
        f"route add default via {link.gateway} dev {link.device_if} table {link.table}",
    ]


def _router_end(plan: SitePlan, mobile: MobilePlan, which: str) -> tuple[str, str]:
    if which == "wifi":
        return plan.router_ns, plan.lan_router_if
    return mobile.router_ns, mobile.lan_router_if
