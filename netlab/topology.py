"""The lab's address plan and names: pure data, no side effects.

Only the benchmarking range 198.18.0.0/15 is used. The "public" side is 198.18.x.x:
the core's service addresses on its loopback, and one /24 per site uplink (the core
has .1, the site's router .2). The private LANs are 198.19.<site>.0/24 (router .1,
device .2). Every site is built with two uplinks, "a" (active) and "b" (down), so a
network change can be played on any of them. A site may also give its device a 4G
link of its own (a hotspot or dongle): a second router (198.18.(200+N).0/24 public,
198.19.(100+N).0/24 private), so the laptop itself can lose its Wi-Fi.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass

SERVER_IP = "198.18.0.10"  # the signaling server's address in `internet`
TURN_IP = "198.18.0.20"  # coturn's listening and relay address in `internet`
SITES = ("home", "cgnat", "hospital", "school")
UPLINKS = ("a", "b")
LAB_NET = ipaddress.ip_network("198.18.0.0/15")
CORE_NET = ipaddress.ip_network("198.18.0.0/24")  # the service addresses in `internet`
# The sites' private LANs (198.19.<site>.0/24): the lab's RFC 1918, unroutable from the core.
LAN_NET = ipaddress.ip_network("198.19.0.0/16")
PREFIX = "kgl"  # every namespace of every run starts with this: cleanup_stale's key
IFNAMSIZ = 15  # the kernel's limit on interface names

_SITE_INDEX = {site: number for number, site in enumerate(SITES, start=1)}
_UPLINK_OFFSET = {"a": 0, "b": 100}
MOBILE_OFFSET = 200  # the 4G router's public /24: 198.18.(200+N).0/24
MOBILE_LAN_OFFSET = 100  # its private LAN: 198.19.(100+N).0/24
DEVICE_LINKS = ("wifi", "4g")  # a laptop's own links, in the order of preference
# Routing tables for the device's source rules (a socket bound to one link's address
# leaves by that link, as on a laptop with both up).
_LINK_TABLE = {"wifi": 101, "4g": 102}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if number == 0:
            return out


def new_tag(pid: int | None = None) -> str:
    """A short run tag: the builder's pid in base 36, "x", two random hex digits.

    The pid lets :func:`netlab.cleanup_stale` tell a dead run's leftovers from a live
    run's; the random pair keeps two labs of one process apart.
    """
    return f"{_base36(os.getpid() if pid is None else pid)}x{secrets.token_hex(1)}"


def tag_pid(tag: str) -> int | None:
    """The pid a tag was made for, or None when the tag was not made by :func:`new_tag`."""
    head, sep, tail = tag.rpartition("x")
    if not sep or not head or len(tail) != 2:
        return None
    try:
        int(tail, 16)
        return int(head, 36)
    except ValueError:
        return None


def namespace_tag(name: str) -> str | None:
    """The run tag of a lab namespace name ("kgl<tag>-<place>"), None for any other name."""
    if not name.startswith(PREFIX) or "-" not in name:
        return None
    return name[len(PREFIX) :].split("-", 1)[0] or None


@dataclass(frozen=True, slots=True)
class Uplink:
    """One WAN link of a site: a veth between the site's router and the core."""

    which: str
    router_if: str  # in the router's namespace
    core_if: str  # in `internet`
    public_ip: str  # the router's WAN address: what the internet sees behind NAT
    core_ip: str  # the core's end: the router's default gateway


@dataclass(frozen=True, slots=True)
class SitePlan:
    """A site: a device namespace behind a router namespace with one or two uplinks."""

    name: str
    device_ns: str
    router_ns: str
    lan_router_if: str
    lan_device_if: str
    device_ip: str
    router_lan_ip: str
    uplinks: tuple[Uplink, ...]

    def uplink(self, which: str) -> Uplink:
        for link in self.uplinks:
            if link.which == which:
                return link
        raise KeyError(which)


def internet_ns(tag: str) -> str:
    return f"{PREFIX}{tag}-internet"


def site_plan(site: str, tag: str) -> SitePlan:
    """Names and addresses of one site for one run (``site`` must be in SITES)."""
    index = _SITE_INDEX[site]
    short = site[0]  # h, c, h... the index keeps home and hospital apart
    uplinks = tuple(
        Uplink(
            which=which,
            router_if=f"{tag}{short}{index}w{which}",
            core_if=f"{tag}{short}{index}c{which}",
            public_ip=f"198.18.{index + _UPLINK_OFFSET[which]}.2",
            core_ip=f"198.18.{index + _UPLINK_OFFSET[which]}.1",
        )
        for which in UPLINKS
    )
    return SitePlan(
        name=site,
        device_ns=f"{PREFIX}{tag}-{site}",
        router_ns=f"{PREFIX}{tag}-{site}-nat",
        lan_router_if=f"{tag}{short}{index}lr",
        lan_device_if=f"{tag}{short}{index}ld",
        device_ip=f"198.19.{index}.2",
        router_lan_ip=f"198.19.{index}.1",
        uplinks=uplinks,
    )


@dataclass(frozen=True, slots=True)
class DeviceLink:
    """One of a laptop's own links: its interface, address and gateway."""

    which: str  # "wifi" (to the site's router) or "4g" (to the site's 4G router)
    device_if: str
    device_ip: str
    gateway: str
    table: int  # the routing table of its source rule
    metric: int  # its default route's metric: Wi-Fi is preferred while both are up


@dataclass(frozen=True, slots=True)
class MobilePlan:
    """A site's 4G: a carrier router namespace with its own uplink, and the device's
    second link to it."""

    router_ns: str
    lan_router_if: str
    uplink: Uplink
    link: DeviceLink


def device_links(plan: SitePlan, mobile: MobilePlan) -> dict[str, DeviceLink]:
    """The device's two links: Wi-Fi (the site's LAN) and 4G."""
    wifi = DeviceLink(
        "wifi", plan.lan_device_if, plan.device_ip, plan.router_lan_ip, _LINK_TABLE["wifi"], 100
    )
    return {"wifi": wifi, "4g": mobile.link}


def mobile_plan(site: str, tag: str) -> MobilePlan:
    """Names and addresses of a site's 4G router and the device's link to it."""
    index = _SITE_INDEX[site]
    short = site[0]
    lan = f"198.19.{MOBILE_LAN_OFFSET + index}"
    return MobilePlan(
        router_ns=f"{PREFIX}{tag}-{site}-4g",
        lan_router_if=f"{tag}{short}{index}gr",
        uplink=Uplink(
            which="4g",
            router_if=f"{tag}{short}{index}gw",
            core_if=f"{tag}{short}{index}gc",
            public_ip=f"198.18.{MOBILE_OFFSET + index}.2",
            core_ip=f"198.18.{MOBILE_OFFSET + index}.1",
        ),
        link=DeviceLink(
            "4g", f"{tag}{short}{index}gd", f"{lan}.2", f"{lan}.1", _LINK_TABLE["4g"], 600
        ),
    )
