"""The helpdesk console's address, remembered from enrollment by code.

Stored as ``helpdesk_url`` in the device's settings file, so technician mode can
offer "Report a fault" without anyone typing the address again. A device enrolled
from a file has none, and technician mode then offers no report button.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.settings import SettingsStore
from common.errors import KlasgenootError
from pairing.codeenroll import ConsoleUrl

logger = logging.getLogger(__name__)

HELPDESK_SETTING = "helpdesk_url"


class HelpdeskUnknown(KlasgenootError):
    """Het adres van de helpdesk is niet bekend op dit apparaat. Geef het op met --url."""


def read_helpdesk_url(config: Path) -> str | None:
    value = SettingsStore(config).load().extra.get(HELPDESK_SETTING)
    if not isinstance(value, str):
        return None
    try:
        ConsoleUrl.parse(value)
    except KlasgenootError:
        logger.warning("%s is not an https:// address: ignored", HELPDESK_SETTING)
        return None
    return value


def save_helpdesk_url(config: Path, url: str) -> None:
    ConsoleUrl.parse(url)  # only an address that worked for enrollment gets here
    store = SettingsStore(config)
    store.update(extra={**store.load().extra, HELPDESK_SETTING: url.strip()})
