"""Errors of the signaling package; each docstring is the sentence a person sees."""

from __future__ import annotations

import errno
import socket

from common.errors import KlasgenootError


class SignalingError(KlasgenootError):
    """Er ging iets mis met de verbinding met de Klasgenoot-server."""


class ProtocolError(SignalingError):
    """Er kwam een bericht binnen dat niet klopt. Het is genegeerd."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


class PayloadTooLarge(SignalingError):
    """Het bericht is te groot om via de server te versturen."""


class ServerConfigError(SignalingError):
    """De servermap is niet compleet of niet leesbaar. Controleer de vlootbestanden."""


class BackplaneUrlInvalid(SignalingError):
    """Het Redis-adres klopt niet. Gebruik redis://HOST:POORT, rediss://HOST:POORT (met
    TLS) of unix:///PAD, eventueel met een wachtwoord: redis://:WACHTWOORD@HOST:POORT."""


class BackplaneUrlUnsafe(BackplaneUrlInvalid):
    """Het Redis-adres zet de controle van het TLS-certificaat van Redis (deels) uit.
    Dat staat de server niet toe. Haal ssl_cert_reqs, ssl_check_hostname en
    ssl_exclude_verify_flags uit het adres; geef voor een eigen CA ssl_ca_certs=PAD op."""


class BackplaneUrlFileUnreadable(SignalingError):
    """Het Redis-adres kan niet uit het bestand van --redis-file worden gelezen. Zet er
    één regel in, alleen het adres, bijvoorbeeld rediss://:WACHTWOORD@HOST:6380/0, en
    maak het leesbaar voor de server."""


class ServerStateUnwritable(SignalingError):
    """De server kan zijn logboekmap niet aanmaken of beschrijven. Controleer de rechten
    van de map state in de servermap."""


class ListenFailed(SignalingError):
    """De server kan niet luisteren op dat adres en die poort."""


class PortInUse(ListenFailed):
    """De server kan niet luisteren op die poort: een ander programma gebruikt hem al.
    Stop dat programma of kies een andere poort."""


class AddressNotLocal(ListenFailed):
    """De server kan niet luisteren op dat adres: het hoort niet bij deze computer.
    Kies een adres van deze computer, of * voor alle adressen."""


class HostUnknown(ListenFailed):
    """De server kan niet luisteren op die naam: die is onbekend. Kies een adres van
    deze computer, of * voor alle adressen."""


class ListenNotPermitted(ListenFailed):
    """De server mag niet luisteren op die poort. Poorten onder 1024 vragen extra
    rechten: kies een hogere poort."""


def listen_error(exc: OSError, where: str) -> ListenFailed:
    """The refusal that says why binding ``where`` (e.g. "port 8443") failed."""
    detail = f"{where}: {exc.strerror or type(exc).__name__}"
    if isinstance(exc, socket.gaierror):
        return HostUnknown(detail)
    if exc.errno == errno.EADDRINUSE:
        return PortInUse(detail)
    if exc.errno == errno.EADDRNOTAVAIL:
        return AddressNotLocal(detail)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ListenNotPermitted(detail)
    return ListenFailed(detail)
