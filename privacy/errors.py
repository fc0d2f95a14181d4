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


class DeviceFolderMissing(PrivacyError):
    """Die instellingenmap bestaat niet, dus daar staat geen apparaat. Controleer de map
    na --config."""


class LogDamaged(PrivacyError):
    """De database met de logboeken van dit apparaat is beschadigd. Wis de logboeken: de
    beschadigde database wordt dan in zijn geheel verwijderd, met het auditlogboek erin."""


class LogUnavailable(PrivacyError):
    """Het logboek van dit apparaat kan nu niet worden gelezen of geschreven. Probeer het
    opnieuw; helpt dat niet, wis dan de logboeken."""


class AuditUnavailable(PrivacyError):
    """Het auditlogboek kan nu niet worden bijgewerkt. Probeer het opnieuw."""


class AuditValueInvalid(PrivacyError):
    """Deze wijziging kan zo niet in het auditlogboek worden vastgelegd."""


class AuditUnreadable(PrivacyError):
    """Het auditlogboek kan nu niet worden gelezen. Probeer het opnieuw."""


class AuditSecretMissing(PrivacyError):
    """De sleutel van het auditlogboek ontbreekt, dus het auditlogboek kan niet worden
    gecontroleerd en er wordt niets meer aan toegevoegd. Zet de sleutel terug in de
    sleutelbos of neem contact op met de helpdesk."""


class AuditChainBroken(PrivacyError):
    """Het auditlogboek is gewijzigd of beschadigd: vanaf het genoemde record klopt het
    niet meer."""


class ExportFailed(PrivacyError):
    """De export kon niet worden geschreven. Controleer de map of de USB-stick en probeer
    het opnieuw."""


class ExportPathInvalid(PrivacyError):
    """Geef na --out een bestandsnaam of een bestaande map op, bijvoorbeeld die van de
    USB-stick."""


class EraseIncomplete(PrivacyError):
    """Niet alles kon worden gewist. Sluit Klasgenoot af en probeer het opnieuw."""


class WipeIncomplete(PrivacyError):
    """Het apparaat is niet volledig gewist. Sluit Klasgenoot af en probeer het opnieuw;
    lukt het dan nog niet, neem contact op met de helpdesk."""
