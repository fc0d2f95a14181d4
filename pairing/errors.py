"""Errors of the pairing package; each docstring is the sentence a person sees."""

from __future__ import annotations

from common.errors import KlasgenootError


class PairingError(KlasgenootError):
    """Er ging iets mis met de koppeling van dit apparaat."""


class DeviceIdInvalid(PairingError):
    """Dat is geen geldige apparaatcode. Controleer de tekens en probeer het opnieuw."""


class CertificateInvalid(PairingError):
    """Het certificaat van dit apparaat is niet geldig."""


class PeerUntrusted(PairingError):
    """Het andere apparaat kon niet worden vertrouwd. De verbinding is geweigerd."""


class RevocationListInvalid(PairingError):
    """De intrekkingslijst is niet geldig en is genegeerd."""


class FleetError(PairingError):
    """De beheermap van de vloot is niet bruikbaar."""


class PassphraseWrong(FleetError):
    """Het wachtwoord van de vloot-CA klopt niet."""
