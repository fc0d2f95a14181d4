"""Errors of the helpdesk console; each docstring is the sentence a person sees."""

from __future__ import annotations

from common.errors import KlasgenootError


class ConsoleError(KlasgenootError):
    """Er ging iets mis in de helpdeskconsole."""


class ConsoleStoreFailed(ConsoleError):
    """De gegevens van de helpdeskconsole konden niet worden gelezen of geschreven."""


class UserNameInvalid(ConsoleError):
    """Die gebruikersnaam kan niet: gebruik 2 tot 32 kleine letters, cijfers, punt of streep."""


class UserExists(ConsoleError):
    """Er bestaat al een account met die naam. Er is niets veranderd."""


class PasswordTooShort(ConsoleError):
    """Het wachtwoord is te kort: gebruik minstens 12 tekens."""


class PasswordMismatch(ConsoleError):
    """De twee wachtwoorden zijn niet gelijk. Er is niets veranderd."""


class PasswordMissing(ConsoleError):
    """Geef een wachtwoord op (of zet KLASGENOOT_CONSOLE_PASSWORD voor scripts)."""


class LoginRefused(ConsoleError):
    """Inloggen is niet gelukt. Controleer naam, wachtwoord en de code uit de app."""


class LoginLocked(ConsoleError):
    """Te veel mislukte pogingen. Probeer het over een kwartier opnieuw."""


class LabelInvalid(ConsoleError):
    """Dat label kan niet: gebruik een pseudoniem als KG-0042 (letters, cijfers en streepjes,
    hoogstens 24 tekens), nooit een naam of adres."""


class LabelExists(ConsoleError):
    """Er is al een koppeling met dat label. Er is niets veranderd."""


class PairingUnknown(ConsoleError):
    """Die koppeling bestaat niet (meer)."""


class EnrollmentCodeRejected(ConsoleError):
    """Die code is niet geldig: verkeerd, al gebruikt, ingetrokken of verlopen. Vraag de
    helpdesk om een nieuwe code."""


class EnrollmentLocked(ConsoleError):
    """Te veel verkeerde codes vanaf dit adres. Wacht een kwartier en probeer het opnieuw."""


class EnrollmentRequestRefused(ConsoleError):
    """De aanvraag van dit apparaat past niet bij deze code (verkeerde rol of ongeldige
    aanvraag). Er is niets veranderd."""


class StatusUnavailable(ConsoleError):
    """De signaleringsserver geeft geen status: de online-stand is onbekend."""


class RoleAlreadyEnrolled(ConsoleError):
    """Dit apparaat van de koppeling is al ingeschreven; een nieuwe code is niet nodig."""


class ReportRefused(ConsoleError):
    """De storingsmelding is geweigerd: ze kwam niet van een geldig apparaat van deze vloot."""


class ConsentInvalid(ConsoleError):
    """De toestemming kan zo niet worden vastgelegd: een datum (niet in de toekomst) en
    een verwijzing naar waar het formulier ligt (hoogstens 40 tekens, geen namen)."""


class ServiceAlreadyEnded(ConsoleError):
    """De dienst van deze koppeling is al beëindigd."""


class UserNotRemovable(ConsoleError):
    """Dat account kan niet worden verwijderd (het bestaat niet, of het is uw eigen)."""
