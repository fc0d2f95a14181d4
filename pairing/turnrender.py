"""``turnserver.conf`` for the fleet's coturn, written from checked settings.

The relay must never become a way into the networks around it: it refuses peers
on loopback, link-local, private and carrier-grade-NAT ranges, multicast, the
addresses it only listens on, and the ranges the operator denies (the signaling
server next to it, say). coturn lets an ``allowed-peer-ip`` range win over a denied
one, so the explicitly allowed ranges (the lab's 198.18.0.0/15) are cut around
those before they are written.

Its relay address stays a permitted peer: when both devices can reach the relay
only over TCP or TLS (a hospital that blocks UDP, a school that lets out only
443), the call runs relay to relay, from one allocation to the other.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from pathlib import Path

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Never a relay target: "this network", loopback, RFC 1918, CGNAT (RFC 6598),
# link-local (cloud metadata lives at 169.254.169.254), ULA, IPv6 link-local and
# IPv4-mapped IPv6 (the same ranges again in another spelling). Not "::": coturn
# 4.6 reads a lone "denied-peer-ip=::" as covering every IPv4 peer too (checked:
# "A peer IP 127.0.0.2 denied in the range: ::"), which would end all relaying.
DENIED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7", "fe80::/10",
        "::ffff:0:0/96",
    )
)  # fmt: skip


def coturn_range(net: IpNetwork) -> str:
    """coturn 4.6 takes a single address or ``first-last``, not CIDR."""
    if net.num_addresses == 1:
        return str(net.network_address)
    return f"{net.network_address}-{net.broadcast_address}"


def allowed_ranges(allowed: Sequence[IpNetwork], cut: Iterable[str | IpNetwork]) -> list[IpNetwork]:
    """``allowed`` minus the addresses and ranges in ``cut`` (allowed would beat denied)."""
    nets = list(allowed)
    for item in cut:
        hole = ipaddress.ip_network(item)
        out: list[IpNetwork] = []
        for net in nets:
            if net.version != hole.version or not net.overlaps(hole):
                out.append(net)
            elif not net.subnet_of(hole):  # type: ignore[arg-type]
                out.extend(net.address_exclude(hole))  # type: ignore[arg-type]
        nets = out
    return sorted(nets, key=lambda n: (n.version, n.network_address))


def render(
    *,
    realm: str,
    secret: str,
    cert: Path,
    key: Path,
    udp_port: int,
    tls_port: int,
    relay_ports: tuple[int, int],
    listen_ips: Sequence[str],
    relay_ip: str | None,
    allowed: Sequence[IpNetwork],
    user_quota: int,
    total_quota: int,
    bps_capacity: int,
    max_bps: int,
    denied: Sequence[IpNetwork] = (),
) -> str:
    # coturn relays from relay-ip, or from the listening addresses when there is none.
    relays = [relay_ip] if relay_ip else list(listen_ips)
    listen_only = [ip for ip in listen_ips if ip not in relays]
    # ... but never one in the ranges no setting opens (a relay on loopback: tests).
    relay_peers = [
        ip for ip in relays if not any(ipaddress.ip_address(ip) in net for net in DENIED)
    ]
    lines = [
        "# Written by 'klasgenoot fleet turn'; run it again rather than editing by hand.",
        "# Holds the TURN secret: keep this file readable by root and coturn only.",
        f"listening-port={udp_port}",  # UDP and TCP
        f"tls-listening-port={tls_port}",
        *(f"listening-ip={ip}" for ip in listen_ips),
        *([f"relay-ip={relay_ip}"] if relay_ip else []),
        f"min-port={relay_ports[0]}",
        f"max-port={relay_ports[1]}",
        "use-auth-secret",
        f"static-auth-secret={secret}",
        f"realm={realm}",
        f"cert={cert}",
        f"pkey={key}",
        "fingerprint",
        "no-tlsv1",
        "no-tlsv1_1",
        "no-dtls",  # devices use TLS over TCP (turns:), never DTLS to the relay
        "no-cli",
        "no-multicast-peers",
        "no-software-attribute",
        "no-rfc5780",  # NAT-behaviour discovery answers from other ports: amplification
        "no-stun-backward-compatibility",
        "response-origin-only-with-rfc5780",
        "stale-nonce=600",
        f"user-quota={user_quota}",
        f"total-quota={total_quota}",
        f"bps-capacity={bps_capacity}",
        f"max-bps={max_bps}",
        # No 'verbose': coturn 4.6 then logs its start and errors, no sessions (with
        # verbose it would log usernames and client addresses). To syslog (the journal):
        # without it coturn run as root writes a world-readable file in /var/log.
        "syslog",
        *(f"denied-peer-ip={coturn_range(n)}" for n in DENIED),
        *(f"denied-peer-ip={coturn_range(n)}" for n in denied),
        *(f"denied-peer-ip={ip}" for ip in listen_only),
        *(
            f"allowed-peer-ip={coturn_range(n)}"
            for n in allowed_ranges(allowed, [*denied, *listen_only, *relays])
        ),
        # Relay to relay (see above); written last, as its own single address.
        *(f"allowed-peer-ip={ip}" for ip in relay_peers),
    ]
    return "\n".join(lines) + "\n"
