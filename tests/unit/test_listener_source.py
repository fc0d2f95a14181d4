"""signaling.listener counts pending handshakes per source: IPv4 address or IPv6 /64."""

from __future__ import annotations

import pytest

from signaling.listener import _source


@pytest.mark.parametrize(
    ("address", "key"),
    [
        (("198.18.0.7", 50000), "198.18.0.7"),
        (("198.18.0.8", 50001), "198.18.0.8"),
        (("2001:db8:1:2::1", 443, 0, 0), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:ffff::9", 443, 0, 0), "2001:db8:1:2::/64"),  # same machine's /64
        (("2001:db8:1:3::1", 443, 0, 0), "2001:db8:1:3::/64"),
        (("fe80::1%eth0", 443, 0, 2), "fe80::/64"),
        ("/run/klasgenoot.sock", "/run/klasgenoot.sock"),
    ],
)
def test_source_key(address: object, key: str) -> None:
    assert _source(address) == key
