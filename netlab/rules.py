"""The iptables rule sets of the lab's namespaces, as iptables-restore input (pure text).

Every namespace gets the leak guard: OUTPUT and FORWARD jump to ``KGLEAK``, which
lets through the lab range and loopback and drops (and so counts) anything else.
A router adds its site's NAT and firewall on top.
"""

from __future__ import annotations

from netlab.topology import CORE_NET, LAB_NET, MobilePlan, SitePlan

GUARD_CHAIN = "KGLEAK"
BLOCK_CHAIN = "KGBLOCK"  # a router's outage switch: empty, or one DROP for everything

_GUARD = [
    f":{GUARD_CHAIN} - [0:0]",
    f"-A {GUARD_CHAIN} -d {LAB_NET} -j RETURN",
    f"-A {GUARD_CHAIN} -d 127.0.0.0/8 -j RETURN",
    f"-A {GUARD_CHAIN} -j DROP",
    f"-A OUTPUT -j {GUARD_CHAIN}",
    f"-A FORWARD -j {GUARD_CHAIN}",
]


def host_rules() -> str:
    """The core's and a device's rules: only the leak guard."""
    return "\n".join(["*filter", *_GUARD, "COMMIT", ""])


def _site_filter(plan: SitePlan) -> list[str]:
    """What the site's firewall lets out of its LAN (replies always come back)."""
    lan = plan.lan_router_if
    rules = [
        f":{BLOCK_CHAIN} - [0:0]",
        f"-A FORWARD -j {BLOCK_CHAIN}",  # before the reply rule: an outage cuts live flows too
        "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        # A NAT router forwards nothing unsolicited from the outside inwards.
        f"-A FORWARD ! -i {lan} -j DROP",
    ]
    if plan.name == "hospital":  # guest Wi-Fi: UDP out blocked, TCP allowed
        rules.append(f"-A FORWARD -i {lan} -p udp -j DROP")
    elif plan.name == "school":  # only TCP 443, only to the lab's public side
        rules.append(f"-A FORWARD -i {lan} -p tcp --syn --dport 443 -d {CORE_NET} -j ACCEPT")
        rules.append(f"-A FORWARD -i {lan} -j DROP")
    rules.append(f"-A FORWARD -i {lan} -j ACCEPT")
    return rules


def router_rules(plan: SitePlan) -> str:
    """The leak guard, the site's firewall and its NAT on both uplinks.

    MASQUERADE sits on both WAN interfaces; only the one that carries the default
    route is used. Linux's MASQUERADE keeps the source port when it can, which makes
    its mapping endpoint-independent (``home``); ``--random-fully`` picks a new port
    for every flow, as a symmetric carrier NAT does (``cgnat``).
    """
    nat_extra = " --random-fully" if plan.name == "cgnat" else ""
    nat = [f"-A POSTROUTING -o {link.router_if} -j MASQUERADE{nat_extra}" for link in plan.uplinks]
    return "\n".join(
        [
            "*filter",
            *_GUARD,
            *_site_filter(plan),
            "COMMIT",
            "*nat",
            *nat,
            "COMMIT",
            "",
        ]
    )


def mobile_rules(mobile: MobilePlan) -> str:
    """A 4G carrier's router: the leak guard, nothing unsolicited in, a new port for
    every flow (symmetric NAT, as ``cgnat``)."""
    lan = mobile.lan_router_if
    return "\n".join(
        [
            "*filter",
            *_GUARD,
            f":{BLOCK_CHAIN} - [0:0]",
            f"-A FORWARD -j {BLOCK_CHAIN}",
            "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
            f"-A FORWARD ! -i {lan} -j DROP",
            f"-A FORWARD -i {lan} -j ACCEPT",
            "COMMIT",
            "*nat",
            f"-A POSTROUTING -o {mobile.uplink.router_if} -j MASQUERADE --random-fully",
            "COMMIT",
            "",
        ]
    )


def dropped_packets(listing: str) -> int:
    """Sum the packet counters of the DROP rules in ``iptables -nvxL KGLEAK`` output."""
    total = 0
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0].isdigit() and fields[2] == "DROP":
            total += int(fields[0])
    return total
