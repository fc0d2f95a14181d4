"""What an enrolled device holds in memory to prove itself and check its peer."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pairing.certificates import DeviceCertInfo
from pairing.deviceid import DeviceId


@dataclass(frozen=True, slots=True)
class DeviceCredentials:
    """The device key (from the keyring), its certificate and the fleet CA certificate."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca_certificate: x509.Certificate
    info: DeviceCertInfo

    @property
    def device_id(self) -> DeviceId:
        return self.info.device_id

    @property
    def pinned_peer(self) -> DeviceId:
        return self.info.peer_id

    def __repr__(self) -> str:  # never print the key
        return f"DeviceCredentials({self.info.role.value}, {self.device_id.short})"
