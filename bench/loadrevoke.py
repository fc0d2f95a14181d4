"""A revocation while every device is connected (bench.signaling_load ``--revoke``).

Each instance's ``crl.pem`` is replaced by a CRL one number higher that lists one
more certificate (none of the devices'), as ``fleet revoke`` and the copy job do:
every instance then pushes it to every device it holds. The pairs that time relays
keep relaying through it. Measured: how long until every device of this process
holds the new CRL, relay round trips meanwhile, and the instances' resident memory
before and after (a large CRL pushed to thousands of devices at once is the case).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from bench.fleetcache import crl_with
from bench.loadparts import Device, Figures, Instance, pct
from common.paths import write_private_file

GIVE_UP = 60.0  # seconds: a push that has not reached every device by then is reported


async def revoke(
    instances: list[Instance], here: list[Device], figures: Figures, fleet_dir: Path, listed: int
) -> dict[str, Any]:
    crl = crl_with(fleet_dir, listed + 1, number=2)
    rss0 = sum(i.rss() for i in instances)
    figures.phase = "revoke"
    started = time.monotonic()
    for instance in instances:
        write_private_file(instance.folder / "crl.pem", crl)
    reached = [d for d in here if d.crl_number == 2]
    while len(reached) < len(here) and time.monotonic() - started < GIVE_UP:
        await asyncio.sleep(0.01)
        reached = [d for d in here if d.crl_number == 2]
    took = time.monotonic() - started
    await asyncio.sleep(1.0)  # relays a second after
    figures.phase = "after_revoke"
    rtts = figures.rtts["revoke"]
    return {
        "revoke_crl_pem_kb": round(len(crl) / 1000, 1),
        "revoke_devices_reached": len(reached),
        "revoke_of": len(here),
        "revoke_push_s": round(took, 2),  # from writing the file: includes the 0.5 s poll
        "relay_rtt_ms_p50_during_revoke": pct(rtts, 0.5),
        "relay_rtt_ms_p99_during_revoke": pct(rtts, 0.99),
        "relay_rtt_ms_max_during_revoke": pct(rtts, 1.0),
        "relay_samples_during_revoke": len(rtts),
        "revoke_server_rss_growth_mb": round((sum(i.rss() for i in instances) - rss0) / 2**20, 1),
    }
