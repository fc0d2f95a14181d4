"""The technician PIN: a salted scrypt hash, and a lockout that survives a restart.

Qt-free. The PIN is 4 to 12 digits, set during first run. After ``MAX_TRIES``
wrong PINs in a row technician mode stays shut for ``LOCKOUT_SECONDS``; the
count and the end of the lockout are kept in the settings file, so switching the
device off and on does not reset them. Wall-clock time is used (monotonic time
does not survive a restart); a clock set back cannot stretch a lockout beyond
``LOCKOUT_SECONDS`` from now.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.settings import DeviceSettings, PinRecord, SettingsNotSaved, SettingsStore
from common.errors import KlasgenootError

logger = logging.getLogger(__name__)

MIN_DIGITS, MAX_DIGITS = 4, 12
MAX_TRIES = 5
LOCKOUT_SECONDS = 5 * 60
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, DIGEST_BYTES = 16, 32

Clock = Callable[[], float]


class PinError(KlasgenootError):
    """Er ging iets mis met de pincode van de technicus."""


class PinInvalid(PinError):
    """De pincode moet uit 4 tot 12 cijfers bestaan."""


class PinMismatch(PinError):
    """De twee pincodes zijn niet gelijk. Typ dezelfde pincode twee keer."""


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The outcome of one attempt."""

    ok: bool
    tries_left: int  # before the lockout starts
    locked_for: float  # seconds until another try is allowed; 0 when not locked


def valid_pin(pin: str) -> bool:
    return MIN_DIGITS <= len(pin) <= MAX_DIGITS and pin.isascii() and pin.isdigit()


def hash_pin(pin: str, salt: bytes | None = None) -> PinRecord:
    """Raises PinInvalid unless ``pin`` is 4-12 digits."""
    if not valid_pin(pin):
        raise PinInvalid()
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return PinRecord(salt=salt, digest=digest, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n, dklen=DIGEST_BYTES
    )


def matches(record: PinRecord, pin: str) -> bool:
    """Constant-time comparison of the hash of ``pin`` with the stored one."""
    if not valid_pin(pin):
        # Still spend the time of a real check: the answer's speed tells nothing.
        pin = "0" * MIN_DIGITS
        _scrypt(pin, record.salt, record.n, record.r, record.p)
        return False
    digest = _scrypt(pin, record.salt, record.n, record.r, record.p)
    return hmac.compare_digest(digest, record.digest)


class PinStore:
    """The PIN and its lockout, kept in the device's settings file."""

    def __init__(self, settings: SettingsStore, clock: Clock = time.time) -> None:
        self._settings = settings
        self._clock = clock

    def is_set(self) -> bool:
        return self._settings.load().pin is not None

    def set_pin(self, pin: str, again: str | None = None) -> None:
        """Store a new PIN (and clear any lockout); ``again`` must match if given."""
        if again is not None and not hmac.compare_digest(pin.encode(), again.encode()):
            raise PinMismatch()
        record = hash_pin(pin)
        settings = replace(self._settings.load(), pin=record, pin_failures=0, pin_locked_until=0.0)
        self._settings.save(settings)
        logger.info("technician PIN set")

    def locked_for(self) -> float:
        """Seconds until the next try is allowed (0 when not locked)."""
        return self._remaining(self._settings.load())

    def tries_left(self) -> int:
        settings = self._settings.load()
        return 0 if self._remaining(settings) else MAX_TRIES - self._failures(settings)

    def check(self, pin: str) -> PinCheck:
        """One attempt. While locked the PIN is not even looked at."""
        settings = self._settings.load()
        remaining = self._remaining(settings)
        if remaining > 0:
            return PinCheck(ok=False, tries_left=0, locked_for=remaining)
        record = settings.pin
        if record is None:
            logger.warning("technician PIN asked for but none is set")
            return PinCheck(ok=False, tries_left=MAX_TRIES, locked_for=0.0)
        # Counted as wrong before looking, so stopping the program mid-check wins nothing.
        failures = self._failures(settings) + 1
        settings = replace(settings, pin_failures=failures, pin_locked_until=0.0)
        self._settings.save(settings)
        if matches(record, pin):
            try:
                self._settings.save(replace(settings, pin_failures=0))
            except SettingsNotSaved:
                logger.warning("PIN right, but the try counter was not reset")
            logger.info("technician mode unlocked")
            return PinCheck(ok=True, tries_left=MAX_TRIES, locked_for=0.0)
        if failures < MAX_TRIES:
            logger.info("wrong technician PIN (%d of %d)", failures, MAX_TRIES)
            return PinCheck(ok=False, tries_left=MAX_TRIES - failures, locked_for=0.0)
        self._settings.save(replace(settings, pin_locked_until=self._clock() + LOCKOUT_SECONDS))
        logger.warning(
            "technician PIN locked for %d s after %d wrong tries", LOCKOUT_SECONDS, failures
        )
        return PinCheck(ok=False, tries_left=0, locked_for=float(LOCKOUT_SECONDS))

    @staticmethod
    def _failures(settings: DeviceSettings) -> int:
        """Wrong tries that still count: an expired lockout starts a fresh round."""
        return 0 if settings.pin_locked_until else settings.pin_failures

    def _remaining(self, settings: DeviceSettings) -> float:
        if not settings.pin_locked_until:
            return 0.0
        remaining = settings.pin_locked_until - self._clock()
        return min(max(0.0, remaining), float(LOCKOUT_SECONDS))
