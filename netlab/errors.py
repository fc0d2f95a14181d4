"""The network lab's errors: one base, each leaf's docstring is the Dutch sentence shown."""

from __future__ import annotations

from common.errors import KlasgenootError


class NetlabError(KlasgenootError):
    """Het netwerklab gaf een fout."""


class LabUnavailable(NetlabError):
    """Het netwerklab kan op deze computer niet worden gebouwd."""

    def __str__(self) -> str:
        # One sentence that names what is missing: the demo prints it and exits 1.
        if not self.detail:
            return self.message()
        return f"{self.message().rstrip('.')}: {self.detail}."


class LabCommandFailed(NetlabError):
    """Het netwerklab kon een netwerkopdracht niet uitvoeren."""


class UnknownPlace(NetlabError):
    """Die plek bestaat niet in dit netwerklab."""


class CoturnNotListening(NetlabError):
    """De TURN-server in het netwerklab startte niet of luistert niet op zijn poorten."""


class BadCap(NetlabError):
    """Een snelheidslimiet moet een heel aantal kbit/s zijn, minstens 8."""
