"""The audit trail's secret in the key store: found, made once, never silently replaced.

The secret keys the audit trail's HMAC chain (privacy/audit.py). It is made when a
trail starts (first use, after a wipe, after a damaged database was removed whole)
and only then: a secret lost while records exist is reported, because a new one
would make the old trail look tampered with and never checkable again.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from common.errors import KlasgenootError
from pairing.errors import KeyStoreUnavailable
from pairing.keystore import KeyStore
from privacy.audit import AUDIT_SECRET_NAME, new_secret, trail_started
from privacy.errors import AuditSecretMissing, AuditUnavailable, PrivacyError
from privacy.files import state_dir

logger = logging.getLogger(__name__)

# The GUI thread (technician actions) and the engine thread (connection log) may
# both ask first: without this they could each make a secret and sign with it.
_SECRET_LOCK = threading.Lock()


def audit_secret(store: KeyStore, *, create: bool, state: Path | None = None) -> bytes | None:
    """The audit secret from the key store, or None.

    With ``create`` one is made when there is none, but only while the trail in
    ``state`` has not started (no record, no anchor: first use, or after a wipe). A
    secret lost while records exist is never replaced: a new one would make the old
    trail look tampered with and never checkable again. AuditSecretMissing instead.
    """
    with _SECRET_LOCK:
        secret = store.get(AUDIT_SECRET_NAME)
        if secret is not None or not create:
            return secret
        if state is None:
            raise ValueError("the state folder decides whether a secret may be made")
        if trail_started(state):
            raise AuditSecretMissing("er zijn al auditrecords")
        store.set(AUDIT_SECRET_NAME, new_secret())
        secret = store.get(AUDIT_SECRET_NAME)  # read back: some backends drop values
        if secret is None:
            raise AuditUnavailable("key store did not keep the audit secret")
        return secret


def log_secret(config: Path, store: KeyStore) -> bytes | None:
    """The secret the running connection log purges the audit trail with.

    A lost secret or an unreadable trail must not stop the device: then None (the
    audit trail is left alone) and a warning; technician mode shows the fault.
    """
    try:
        return audit_secret(store, create=True, state=state_dir(config))
    except (PrivacyError, KeyStoreUnavailable) as exc:  # e.g. the kiosk's seal unit is down
        logger.warning("audit trail left alone: %s", type(exc).__name__)
        return None


def audit_key_lost(config: Path, store: KeyStore) -> bool:
    """True when audit records exist but their secret is gone (for technician mode)."""
    try:
        return store.get(AUDIT_SECRET_NAME) is None and trail_started(state_dir(config))
    except KlasgenootError:
        return False  # an unreadable log or key store shows through its own message
