"""The app's door to the audit trail (privacy.audit): who changed what, on this device.

It never raises: a locked or damaged log must not stop a technician's work, so a
fault is logged (and shows in "What this device keeps") instead. Values of
sensitive settings (the PIN) and of unbounded ones (device ids) are never stored.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.cli_logs import audit_secret
from common.errors import KlasgenootError
from pairing.keystore import KeyStore
from privacy.audit import AuditTrail
from privacy.codes import ActorRole, AuditAction
from privacy.files import state_dir

logger = logging.getLogger(__name__)


class AuditLog:
    def __init__(
        self, config: Path, store: KeyStore, actor: ActorRole = ActorRole.TECHNICIAN
    ) -> None:
        self._config, self._store, self._actor = config, store, actor

    def _trail(self) -> AuditTrail | None:
        try:
            secret = audit_secret(self._store, create=True, state=state_dir(self._config))
        except KlasgenootError:
            logger.warning("audit trail unavailable: no audit secret")
            return None
        return AuditTrail(state_dir(self._config), secret) if secret else None

    def action(self, action: AuditAction) -> None:
        try:
            trail = self._trail()
            if trail is not None:
                trail.record(self._actor, action)
        except KlasgenootError as exc:
            logger.warning("audit record not written (%s)", type(exc).__name__)

    def setting(self, name: str, old: object, new: object, *, sensitive: bool = False) -> None:
        try:
            trail = self._trail()
            if trail is not None:
                trail.setting_changed(self._actor, name, None if sensitive else old,
                                      None if sensitive else new, sensitive=sensitive)  # fmt: skip
        except KlasgenootError as exc:
            logger.warning("audit record not written (%s)", type(exc).__name__)
