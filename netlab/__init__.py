"""A lab of network namespaces for tests, benchmarks and ``klasgenoot demo --network``.

Homes, a carrier NAT, a hospital and a school, each a device behind its own router,
all joined to an `internet` namespace that holds the signaling server and coturn.
Only 198.18.0.0/15 is used; nothing leaves the lab (see :meth:`Lab.leaks`). Never
used on the product's call path. docs/network.md ("The lab") has the drawing.
"""

from __future__ import annotations

from netlab.errors import (
    BadCap,
    CoturnNotListening,
    LabCommandFailed,
    LabUnavailable,
    NetlabError,
    UnknownPlace,
)
from netlab.lab import INTERNET, Lab
from netlab.nsloop import NamespaceLoop
from netlab.system import check_requirements, cleanup_stale
from netlab.topology import SERVER_IP, SITES, TURN_IP

__all__ = [
    "INTERNET",
    "SERVER_IP",
    "SITES",
    "TURN_IP",
    "BadCap",
    "CoturnNotListening",
    "Lab",
    "LabCommandFailed",
    "LabUnavailable",
    "NamespaceLoop",
    "NetlabError",
    "UnknownPlace",
    "check_requirements",
    "cleanup_stale",
]
