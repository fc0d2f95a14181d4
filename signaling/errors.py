"""Errors of the signaling package; each docstring is the sentence a person sees."""

from __future__ import annotations

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


class ListenFailed(SignalingError):
    """De server kan niet luisteren op die poort. Is die al in gebruik?"""
