"""The device's log retention setting: ``log_retention_days`` in its settings file.

Read by everything that keeps or shows logs (the kiosk at start, the technician
screen, ``klasgenoot logs``) and set by ``klasgenoot logs retention --days N``. A
bad stored value never blocks anything: the rights of access and export, and the
classroom's start, matter more than a typo. It falls back to the default (90 days)
and says so; :class:`privacy.retention.Retention` refuses the bad value itself, so
it never applies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.settings import FILENAME, MAX_FILE, SettingsStore
from common import jsondoc
from common.jsondoc import JsonDocInvalid
from privacy.errors import PrivacyError
from privacy.retention import Retention

logger = logging.getLogger(__name__)

RETENTION_SETTING = "log_retention_days"


@dataclass(frozen=True, slots=True)
class RetentionSetting:
    retention: Retention  # what applies
    stored: object = None  # the value in the settings file; None if there is none
    problem: PrivacyError | None = None  # why ``stored`` does not apply

    @property
    def is_default(self) -> bool:
        return self.stored is None or self.problem is not None


def read_retention(config: Path) -> RetentionSetting:
    """The setting as stored, and what applies; never raises."""
    try:
        doc = jsondoc.read(config / FILENAME, limit=MAX_FILE)
    except (OSError, JsonDocInvalid):
        return RetentionSetting(Retention())  # no file, or one app.settings also ignores
    if doc.get(RETENTION_SETTING) is None:
        return RetentionSetting(Retention())
    stored = doc[RETENTION_SETTING]
    try:
        return RetentionSetting(Retention.from_setting(stored), stored)
    except PrivacyError as exc:
        return RetentionSetting(Retention(), stored, exc)


def retention(config: Path) -> Retention:
    """What applies on this device; a bad stored value gives the default and a warning."""
    setting = read_retention(config)
    if setting.problem is not None:
        logger.warning("%s is not valid: the default of %d days applies",
                       RETENTION_SETTING, setting.retention.connection_days)  # fmt: skip
    return setting.retention


def save_retention(config: Path, keep: Retention) -> None:
    """Store the (already validated) term; raises SettingsNotSaved if it cannot."""
    store = SettingsStore(config)
    settings = store.load()
    store.update(extra={**settings.extra, RETENTION_SETTING: keep.connection_days})
