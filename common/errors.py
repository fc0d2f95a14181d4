"""One base error for the whole product.

Each package has its own base (``PairingError(KlasgenootError)``) and each leaf's
docstring *is* the message a person sees, in Dutch: the UI catches the base and
shows :meth:`KlasgenootError.message` in a banner, so a person never sees a
traceback. ``detail`` carries a short technical addition (never secrets, never IPs).
"""

from __future__ import annotations

import inspect


class KlasgenootError(Exception):
    """Er ging iets mis. Probeer het opnieuw of neem contact op met de helpdesk."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message())
        self.detail = detail

    @classmethod
    def message(cls) -> str:
        """The person-facing sentence: the class docstring, whitespace folded."""
        doc = inspect.getdoc(cls) or KlasgenootError.__doc__ or ""
        return " ".join(doc.split())

    def __str__(self) -> str:
        text = self.message()
        return f"{text} ({self.detail})" if self.detail else text
