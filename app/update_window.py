"""When a classroom unit may take an update: outside the lessons its school hours set.

An update (``apt-daily-upgrade.service`` with unattended-upgrades, then a reboot)
must never land in a lesson. The kiosk package puts ``klasgenoot update-window``
in front of it as an ``ExecCondition=`` (packaging/kiosk/), and the timer tries
every hour, so the first hour outside the lessons takes the update.

- **School hours on** (lesson times stored and their switch on): the classroom
  lets the pupil in only while a lesson is open and ends the call when it closes
  (media.features.classroom), so outside them there is no call to interrupt.
  Allowed when closed now and the next lesson starts at least ``LEAD`` later (an
  update and its reboot are done well before the pupil can call again). A day
  the technician opened "for the rest of today" counts as open.
- **School hours off**: the pupil may call at any time, so only the night window
  (``NIGHT``, the schedule's time zone, by default Europe/Amsterdam) is allowed.

Reads the device's settings.json only (a damaged file gives the defaults, hence
the night window); writes nothing. No Qt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.feature_settings import FeatureSettings
from media.features.schedule import DEFAULT_TZ

LEAD = dt.timedelta(minutes=60)
NIGHT = (dt.time(1, 0), dt.time(5, 0))  # local time: start inclusive, end exclusive


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    sentence: str  # Dutch, for the journal and the technician


def decide(settings: FeatureSettings, now: dt.datetime) -> Verdict:
    """May the unit update at ``now`` (aware)?"""
    schedule = settings.schedule
    if schedule is not None and settings.effective_switches.schedule:
        local = now.astimezone(schedule.zone)
        if schedule.open_day == local.date():
            return Verdict(
                False, "Vandaag opengezet door de technicus: bijwerken wacht tot morgen."
            )
        closes = schedule.closes_at(now)
        if closes is not None:
            until = closes.astimezone(schedule.zone)
            return Verdict(False, f"Les bezig tot {until:%H:%M}: bijwerken wacht tot daarna.")
        start = schedule.next_start(now)
        if start is not None and start - now < LEAD:
            at = start.astimezone(schedule.zone)
            return Verdict(False, f"Om {at:%H:%M} begint een les: bijwerken wacht tot daarna.")
        return Verdict(True, f"Buiten de lestijden ({local:%H:%M}): bijwerken mag nu.")
    zone = schedule.zone if schedule is not None else ZoneInfo(DEFAULT_TZ)
    local = now.astimezone(zone)
    first, last = NIGHT
    if first <= local.time() < last:
        return Verdict(
            True, f"Geen lestijden ingesteld; nachtvenster ({local:%H:%M}): bijwerken mag nu."
        )
    return Verdict(
        False,
        f"Geen lestijden ingesteld: de leerling kan altijd bellen, dus bijwerken alleen "
        f"tussen {first:%H:%M} en {last:%H:%M}.",
    )
