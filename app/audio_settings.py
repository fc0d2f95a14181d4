"""The technician's audio processing stages (issue 11), in settings.json.

Kept in :attr:`app.settings.DeviceSettings.extra` under ``audio``: one bool per
stage of :class:`media.audio.settings.AudioSettings`. A damaged value gives the
defaults and a warning in the log (never a crash, never other settings lost).
No Qt: app.technician.audio shows and changes them, app.runtime starts the
engine with them.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from app.settings import SettingsStore
from media.audio.settings import AudioSettings, AudioSettingsInvalid

if TYPE_CHECKING:
    from media.engine import Engine

logger = logging.getLogger(__name__)

KEY = "audio"


def load(store: SettingsStore) -> AudioSettings:
    value = store.load().extra.get(KEY)
    if value is None:
        return AudioSettings()
    if isinstance(value, dict):
        try:
            return AudioSettings.from_body(value)
        except AudioSettingsInvalid:
            pass
    logger.warning("setting %s damaged, using the defaults", KEY)
    return AudioSettings()


def save(store: SettingsStore, settings: AudioSettings) -> None:
    """Write the stages, keeping every other setting; raises SettingsNotSaved."""
    current = store.load()
    store.save(replace(current, extra={**current.extra, KEY: settings.to_body()}))


def apply_to(engine: Engine, settings: AudioSettings) -> None:
    """On the engine loop: the stages change from the next 10 ms of microphone on."""
    engine.set_audio_processing(settings)
