"""The device's own identity key: EC P-256, made on the device, kept in its key store.

The key is stored as an unencrypted PKCS#8 PEM inside the key store entry (the
keyring itself is the protection; about 240 bytes, well within Windows' limit). It
never leaves the device: enrollment sends only a CSR.
"""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pairing.deviceid import DeviceId
from pairing.errors import DeviceKeyInvalid
from pairing.keystore import KeyStore

logger = logging.getLogger(__name__)

DEVICE_KEY = "device-key"


def device_id(key: ec.EllipticCurvePrivateKey) -> DeviceId:
    return DeviceId.from_public_key(key.public_key())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _parse(pem: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise DeviceKeyInvalid("not a PEM key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise DeviceKeyInvalid("not a P-256 key")
    return key


def load_device_key(store: KeyStore) -> ec.EllipticCurvePrivateKey | None:
    """The stored device key, or None if this device has none yet."""
    pem = store.get(DEVICE_KEY)
    return None if pem is None else _parse(pem)


def load_or_create_device_key(store: KeyStore) -> ec.EllipticCurvePrivateKey:
    """The device key; made and stored on first use.

    A damaged entry raises DeviceKeyInvalid rather than being replaced: a new key
    would silently turn this device into another one.
    """
    key = load_device_key(store)
    if key is not None:
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    store.set(DEVICE_KEY, _key_pem(key))
    # Read back: a backend that silently drops values would otherwise lose the identity.
    stored = load_device_key(store)
    if stored is None or device_id(stored) != device_id(key):
        raise DeviceKeyInvalid("key store did not keep the key")
    logger.info("created device key %s", device_id(key).short)
    return key


def delete_device_key(store: KeyStore) -> None:
    """Forget the device key (wipe at service end)."""
    store.delete(DEVICE_KEY)
