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


class KeyStoreInsecure(PairingError):
    """De sleutelbos van dit systeem is niet veilig (bijvoorbeeld onversleuteld of
    uitgeschakeld). Gebruik een echte sleutelbos, zoals GNOME Keyring, KWallet of
    Windows Referentiebeheer."""


class KeyStoreUnavailable(PairingError):
    """De sleutelbos van dit systeem is niet bereikbaar of vergrendeld. Ontgrendel hem
    en probeer het opnieuw."""


class KeyStoreChoiceInvalid(PairingError):
    """De gekozen sleutelopslag van dit apparaat is onbekend of beschadigd. Kies
    'keyring', 'systemd-creds' of 'dev-file'. Er is niets veranderd."""


class KeyStoreChoiceConflict(PairingError):
    """Dit apparaat bewaart zijn sleutel al in een andere sleutelopslag. Wis het apparaat
    eerst als de sleutel ergens anders moet komen. Er is niets veranderd."""


class CredentialUnreadable(KeyStoreUnavailable):
    """De sleutel van dit apparaat kon niet worden ontsleuteld: het versleutelde bestand
    hoort bij een andere computer, de TPM-chip is gewist of vervangen, of het bestand is
    beschadigd. Herstart het apparaat; blijft deze melding, wis het apparaat dan en
    richt het opnieuw in."""


class CredentialSealFailed(KeyStoreUnavailable):
    """De sleutel van dit apparaat kon niet versleuteld worden opgeslagen
    (systemd-creds). Controleer of klasgenoot-kiosk-seal.path actief is, of richt het
    apparaat in met 'sudo klasgenoot enroll request'. Er is niets opgeslagen."""


class CredentialToolMissing(KeyStoreUnavailable):
    """Het programma systemd-creds ontbreekt op dit apparaat. Installeer het pakket
    systemd (versie 250 of nieuwer) of kies een andere sleutelopslag."""


class DeviceKeyInvalid(PairingError):
    """De sleutel van dit apparaat in de sleutelbos is beschadigd. Laat het apparaat
    opnieuw inrichten."""


class EnrollmentRequestInvalid(PairingError):
    """Dit aanvraagbestand is niet geldig. Maak op het apparaat een nieuwe aanvraag."""


class EnrollmentRequestWrongRole(PairingError):
    """Een aanvraagbestand hoort bij de andere rol. Controleer welk bestand van de
    leerlinglaptop en welk van het klasapparaat komt."""


class SameDevice(PairingError):
    """Beide aanvragen komen van hetzelfde apparaat. Een koppeling is altijd een
    leerlinglaptop met een klasapparaat."""


class BundleInvalid(PairingError):
    """Dit koppelbestand is niet geldig of beschadigd. Vraag de beheerder om een nieuw
    bestand."""


class BundleIsRequest(BundleInvalid):
    """Dit is een aanmeldverzoek (.csr), niet het koppelbestand. Kies het bestand dat u
    van de beheerder terugkreeg: het eindigt op .klasgenoot."""


class BundleWrongDevice(PairingError):
    """Dit koppelbestand is voor een ander apparaat gemaakt. Controleer of u het goede
    bestand op het goede apparaat installeert."""


class BundleWrongRole(PairingError):
    """Dit koppelbestand is voor de andere rol gemaakt (leerling of klas). Controleer of
    u het goede bestand op het goede apparaat installeert."""


class BundleExpired(PairingError):
    """Dit koppelbestand is verlopen of nog niet geldig. Vraag de beheerder om een nieuw
    bestand."""


class NotEnrolled(PairingError):
    """Dit apparaat is nog niet gekoppeld. Laat een technicus het apparaat inrichten."""


class DeviceKeyMissing(NotEnrolled):
    """Dit apparaat heeft nog geen sleutel. Maak eerst een aanvraag met 'klasgenoot
    enroll request'."""


class DeviceConfigInvalid(PairingError):
    """De instellingen van dit apparaat zijn beschadigd. Laat het apparaat opnieuw
    inrichten."""


class RoleConflict(PairingError):
    """Dit apparaat is al ingericht voor de andere rol. Gebruik een nieuwe
    instellingenmap of wis het apparaat eerst."""


class FileAccessFailed(PairingError):
    """Een bestand of map kon niet worden gelezen of geschreven. Controleer de naam en
    de rechten."""


class FleetAlreadyInitialised(FleetError):
    """In deze map staat al een vloot. Een bestaande vloot wordt nooit overschreven;
    kies een lege map."""


class FleetFolderNotEmpty(FleetError):
    """In deze map staan al andere bestanden, maar geen vloot. Maak een nieuwe vloot in
    een lege of nieuwe map; er is niets veranderd."""


class FleetNotInitialised(FleetError):
    """In deze map staat geen vloot. Maak er eerst een met 'klasgenoot fleet init'."""


class FleetCorrupt(FleetError):
    """Een bestand in de beheermap van de vloot is beschadigd. Zet de reservekopie
    terug."""


class FleetSettingsInvalid(FleetError):
    """De naam of het adres van de signaleringsserver of de lijst met ICE-servers klopt
    niet."""


class PassphraseTooShort(FleetError):
    """Het wachtwoord van de vloot-CA moet minstens 12 tekens lang zijn."""


class PassphraseMismatch(FleetError):
    """De twee wachtwoorden zijn niet gelijk. Er is niets veranderd."""


class PassphraseMissing(FleetError):
    """Er is geen wachtwoord voor de vloot-CA opgegeven. Er is niets veranderd."""


class DateInvalid(FleetError):
    """Die datum klopt niet. Schrijf hem als JJJJ-MM-DD, bijvoorbeeld 2026-07-01."""


class EndDateInvalid(FleetError):
    """De einddatum moet vandaag of later zijn en hoogstens 13 maanden vooruit liggen."""


class RevokeTargetUnknown(FleetError):
    """Er is geen apparaat of koppeling met die code gevonden. Er is niets ingetrokken."""


class RevokeTargetAmbiguous(FleetError):
    """Die korte apparaatcode past bij meer dan één apparaat van deze vloot. Geef de
    volledige apparaatcode (acht groepen van zeven tekens, zoals 'fleet pair' ze toonde
    en issued.json ze bewaart). Er is niets ingetrokken."""


class AlreadyRevoked(FleetError):
    """Dat apparaat of die koppeling was al ingetrokken. Er is niets veranderd."""


class CrlTooLarge(FleetError):
    """De intrekkingslijst zou te groot worden voor de servers en de apparaten: er zijn
    te veel geldige certificaten ingetrokken. Er is niets veranderd."""


class TurnSettingsInvalid(FleetError):
    """De instellingen voor de TURN-server kloppen niet (naam, poort, IP-adres of
    adresbereik). Er is niets veranderd."""


class TurnNotConfigured(FleetError):
    """Voor deze vloot is nog geen TURN-server ingesteld. Doe dat eerst met 'klasgenoot
    fleet turn'."""


class EnrollmentByCodeError(PairingError):
    """Inschrijven met een code is niet gelukt."""


class EnrollmentCodeMistyped(EnrollmentByCodeError):
    """Die code is niet goed overgenomen: een teken klopt niet. Controleer de code en
    probeer het opnieuw."""


class EnrollmentCodeRefused(EnrollmentByCodeError):
    """Die code is niet geldig: verkeerd, al gebruikt, ingetrokken of verlopen. Vraag de
    helpdesk om een nieuwe code. Er is niets veranderd."""


class EnrollmentLockedOut(EnrollmentByCodeError):
    """Te veel verkeerde codes vanaf dit adres. Wacht een kwartier en probeer het opnieuw."""


class EnrollmentServerUnreachable(EnrollmentByCodeError):
    """De helpdeskserver is niet bereikbaar. Controleer het adres en de netwerkverbinding."""


class EnrollmentServerRefused(EnrollmentByCodeError):
    """De helpdeskserver weigerde deze aanvraag. Er is niets veranderd."""


class CaFingerprintMismatch(EnrollmentByCodeError):
    """De vingerafdruk van de server klopt niet met die van de helpdesk. Er is niets
    veranderd: schrijf dit apparaat niet in en bel de helpdesk."""


class EnrollmentTimedOut(EnrollmentByCodeError):
    """De koppeling is nog niet actief: het andere apparaat is nog niet ingeschreven of de
    toestemming is nog niet vastgelegd. Dit apparaat is aangemeld: probeer het daarna
    opnieuw met dezelfde code."""
