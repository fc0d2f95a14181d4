"""Errors of the privacy package; each docstring is the sentence a person sees.

The connection log itself never raises into a call (its faults show in
``ConnectionLog.health``); these errors are for the people who read, export, erase
or verify the logs, and for whoever configures retention.
"""

from __future__ import annotations

from common.errors import KlasgenootError


class PrivacyError(KlasgenootError):
    """Er ging iets mis met de logboeken van dit apparaat."""


class RetentionTooLong(PrivacyError):
    """Verbindingslogboeken mogen hoogstens 183 dagen bewaard worden. Kies een kortere
    bewaartermijn."""


class RetentionInvalid(PrivacyError):
    """Die bewaartermijn klopt niet. Kies een aantal dagen tussen 1 en 183."""


class LogUnavailable(PrivacyError):
    """Het logboek van dit apparaat kan nu niet worden gelezen of geschreven. Probeer het
    opnieuw; helpt dat niet, wis dan de logboeken."""


class AuditUnavailable(PrivacyError):
    """Het auditlogboek kan nu niet worden bijgewerkt. Probeer het opnieuw."""


class AuditValueInvalid(PrivacyError):
    """Deze wijziging kan zo niet in het auditlogboek worden vastgelegd."""


class AuditSecretMissing(PrivacyError):
    """De sleutel van het auditlogboek ontbreekt, dus het auditlogboek kan niet worden
    gecontroleerd."""


class AuditChainBroken(PrivacyError):
    """Het auditlogboek is gewijzigd of beschadigd: vanaf het genoemde record klopt het
    niet meer."""


class ExportFailed(PrivacyError):
    """De export kon niet worden geschreven. Controleer de map of de USB-stick en probeer
    het opnieuw."""


class EraseIncomplete(PrivacyError):
    """Niet alles kon worden gewist. Sluit Klasgenoot af en probeer het opnieuw."""


class WipeIncomplete(PrivacyError):
    """Het apparaat is niet volledig gewist. Sluit Klasgenoot af en probeer het opnieuw;
    lukt het dan nog niet, neem contact op met de helpdesk."""
