"""Errors of the media package; each leaf's docstring is the sentence a person sees.

A peer that fails any identity check raises :class:`pairing.errors.PeerUntrusted`
(also from :mod:`media.sealing`), so the UI has one message for "not our peer".
"""

from __future__ import annotations

from common.errors import KlasgenootError


class MediaError(KlasgenootError):
    """Er ging iets mis met de verbinding met het andere apparaat."""


class SessionDescriptionInvalid(MediaError):
    """De verbinding kon niet worden opgezet. Probeer het opnieuw."""
