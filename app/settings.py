"""The device's own UI settings: language, chosen camera/microphone/speaker, technician PIN.

One small JSON file in the device's config folder (``settings.json``, 0600, written
atomically). It is read at start and checked field by field against fixed limits; a
damaged or unknown file gives the defaults and a warning in the log, never a crash
(the device must still start for the class). The PIN is stored only as a salted
scrypt hash (see app.technician.pin); the lockout counter lives here too so it
survives a restart.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeGuard

from common import jsondoc
from common.errors import KlasgenootError
from common.jsondoc import JsonDocInvalid
from common.paths import ensure_private_dir, write_private_file

logger = logging.getLogger(__name__)

FILENAME = "settings.json"
VERSION = 1
MAX_FILE = 16 * 1024
MAX_DEVICE_ID = 512  # Qt Multimedia device ids are short byte strings
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


class SettingsNotSaved(KlasgenootError):
    """De instelling kon niet worden opgeslagen. Controleer of de schijf vol of
    schrijfbeveiligd is."""


class SettingsInvalid(ValueError):
    """Internal: the file does not hold valid settings (never shown to people)."""


@dataclass(frozen=True, slots=True)
class PinRecord:
    """A salted scrypt hash of the technician PIN, with its cost parameters."""

    salt: bytes
    digest: bytes
    n: int
    r: int
    p: int

    def to_json(self) -> dict[str, Any]:
        return {
            "salt": base64.b64encode(self.salt).decode(),
            "digest": base64.b64encode(self.digest).decode(),
            "n": self.n,
            "r": self.r,
            "p": self.p,
        }

    @classmethod
    def from_json(cls, doc: Any) -> PinRecord:
        if not isinstance(doc, dict):
            raise SettingsInvalid("pin")
        try:
            salt = base64.b64decode(doc["salt"], validate=True)
            digest = base64.b64decode(doc["digest"], validate=True)
        except (KeyError, TypeError, binascii.Error) as exc:
            raise SettingsInvalid("pin encoding") from exc
        n, r, p = doc.get("n"), doc.get("r"), doc.get("p")
        if not (16 <= len(salt) <= 64 and 16 <= len(digest) <= 64):
            raise SettingsInvalid("pin sizes")
        if not (_is_int(n) and _is_int(r) and _is_int(p)):
            raise SettingsInvalid("pin parameters")
        # Bounded so a tampered file cannot make every PIN check take minutes.
        if n & (n - 1) or not (2**10 <= n <= 2**17 and 1 <= r <= 16 and 1 <= p <= 4):
            raise SettingsInvalid("pin parameters")
        return cls(salt=salt, digest=digest, n=n, r=r, p=p)


@dataclass(frozen=True, slots=True)
class DeviceSettings:
    language: str = DEFAULT_LANGUAGE
    camera: str | None = None  # a device-catalog id; None = the system default
    microphone: str | None = None
    speaker: str | None = None
    pin: PinRecord | None = None
    pin_failures: int = 0  # wrong PINs in a row
    pin_locked_until: float = 0.0  # wall-clock seconds (time.time()); 0 = not locked
    # Keys this module does not know (another part's setting, e.g. app.retention_setting's
    # log_retention_days): kept as they are, so saving never drops them.
    extra: dict[str, Any] = field(default_factory=dict)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _device_choice(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_DEVICE_ID:
        raise SettingsInvalid(key)
    return value


def parse(raw: bytes) -> DeviceSettings:
    """Checked settings from the file's bytes; SettingsInvalid on anything wrong."""
    try:
        doc = jsondoc.loads(raw, limit=MAX_FILE)
    except JsonDocInvalid as exc:
        raise SettingsInvalid(exc.detail) from exc
    if doc.get("version") != VERSION:
        raise SettingsInvalid("version")
    language = doc.get("language", DEFAULT_LANGUAGE)
    if language not in LANGUAGES:
        raise SettingsInvalid("language")
    failures = doc.get("pin_failures", 0)
    locked_until = doc.get("pin_locked_until", 0.0)
    if not _is_int(failures) or not 0 <= failures <= 1000:
        raise SettingsInvalid("pin_failures")
    if not isinstance(locked_until, int | float) or isinstance(locked_until, bool):
        raise SettingsInvalid("pin_locked_until")
    if not math.isfinite(locked_until) or locked_until < 0:
        raise SettingsInvalid("pin_locked_until")
    pin = doc.get("pin")
    known = {f.name for f in fields(DeviceSettings)} | {"version"}
    return DeviceSettings(
        language=language,
        camera=_device_choice(doc, "camera"),
        microphone=_device_choice(doc, "microphone"),
        speaker=_device_choice(doc, "speaker"),
        pin=None if pin is None else PinRecord.from_json(pin),
        pin_failures=failures,
        pin_locked_until=float(locked_until),
        extra={k: v for k, v in doc.items() if k not in known},
    )


def dump(settings: DeviceSettings) -> bytes:
    doc: dict[str, Any] = {**settings.extra, "version": VERSION}
    for item in fields(DeviceSettings):
        if item.name != "extra":
            doc[item.name] = getattr(settings, item.name)
    doc["pin"] = None if settings.pin is None else settings.pin.to_json()
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


class SettingsStore:
    """Reads and writes one device's settings file; every write is atomic."""

    def __init__(self, config_dir: Path) -> None:
        self._dir = config_dir

    @property
    def path(self) -> Path:
        return self._dir / FILENAME

    def load(self) -> DeviceSettings:
        """The stored settings; the defaults (and a warning) if missing or damaged."""
        try:
            with self.path.open("rb") as fh:
                raw = fh.read(MAX_FILE + 1)
        except FileNotFoundError:
            return DeviceSettings()
        except OSError as exc:
            logger.warning("settings unreadable, using defaults: %s", type(exc).__name__)
            return DeviceSettings()
        try:
            return parse(raw)
        except SettingsInvalid as exc:
            logger.warning("settings damaged (%s), using defaults", exc)
            return DeviceSettings()

    def save(self, settings: DeviceSettings) -> None:
        """Raises SettingsNotSaved if the folder cannot be written (callers show a banner)."""
        try:
            ensure_private_dir(self._dir)
            write_private_file(self.path, dump(settings))
        except OSError as exc:
            logger.error("settings not saved: %s", type(exc).__name__)
            raise SettingsNotSaved(type(exc).__name__) from exc

    def update(self, **changes: Any) -> DeviceSettings:
        """Load, change some fields, save; returns the new settings."""
        settings = replace(self.load(), **changes)
        self.save(settings)
        return settings
