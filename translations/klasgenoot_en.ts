<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="nl">
<context>
    <name>errors</name>
    <message>
        <source>Beide aanvragen komen van hetzelfde apparaat. Een koppeling is altijd een leerlinglaptop met een klasapparaat.</source>
        <translation>Both requests come from the same device. A pairing is always a pupil&apos;s laptop with a classroom unit.</translation>
    </message>
    <message>
        <source>Dat apparaat of die koppeling was al ingetrokken. Er is niets veranderd.</source>
        <translation>That device or pairing was already revoked. Nothing was changed.</translation>
    </message>
    <message>
        <source>Dat is geen geldige apparaatcode. Controleer de tekens en probeer het opnieuw.</source>
        <translation>That is not a valid device code. Check the characters and try again.</translation>
    </message>
    <message>
        <source>De beheermap van de vloot is niet bruikbaar.</source>
        <translation>The fleet&apos;s management folder cannot be used.</translation>
    </message>
    <message>
        <source>De database met de logboeken van dit apparaat is beschadigd. Wis de logboeken: de beschadigde database wordt dan in zijn geheel verwijderd, met het auditlogboek erin.</source>
        <translation>The database with this device&apos;s logs is damaged. Erase the logs: the damaged database is then removed whole, with the audit log in it.</translation>
    </message>
    <message>
        <source>De demo kwam niet op gang: er kwam geen beeld aan. Probeer het opnieuw.</source>
        <translation>The demo did not get going: no picture arrived. Try again.</translation>
    </message>
    <message>
        <source>De einddatum moet vandaag of later zijn en hoogstens 13 maanden vooruit liggen.</source>
        <translation>The end date must be today or later and at most 13 months ahead.</translation>
    </message>
    <message>
        <source>De export kon niet worden geschreven. Controleer de map of de USB-stick en probeer het opnieuw.</source>
        <translation>The export could not be written. Check the folder or the USB stick and try again.</translation>
    </message>
    <message>
        <source>De instelling kon niet worden opgeslagen. Controleer of de schijf vol of schrijfbeveiligd is.</source>
        <translation>The setting could not be saved. Check whether the disk is full or write-protected.</translation>
    </message>
    <message>
        <source>De instellingen van dit apparaat zijn beschadigd. Laat het apparaat opnieuw inrichten.</source>
        <translation>This device&apos;s settings are damaged. Have the device set up again.</translation>
    </message>
    <message>
        <source>De intrekkingslijst is niet geldig en is genegeerd.</source>
        <translation>The revocation list is not valid and was ignored.</translation>
    </message>
    <message>
        <source>De lestijden zijn niet geldig. Er is niets veranderd; controleer de invoer.</source>
        <translation>The lesson times are not valid. Nothing was changed; check what was entered.</translation>
    </message>
    <message>
        <source>De naam of het adres van de signaleringsserver of de lijst met ICE-servers klopt niet.</source>
        <translation>The name or address of the signaling server or the list of ICE servers is not right.</translation>
    </message>
    <message>
        <source>De pincode moet uit 4 tot 12 cijfers bestaan.</source>
        <translation>The PIN must be 4 to 12 digits.</translation>
    </message>
    <message>
        <source>De schermafbeeldingen konden niet worden opgeslagen. Controleer de map.</source>
        <translation>The screenshots could not be saved. Check the folder.</translation>
    </message>
    <message>
        <source>De servermap is niet compleet of niet leesbaar. Controleer de vlootbestanden.</source>
        <translation>The server folder is incomplete or unreadable. Check the fleet files.</translation>
    </message>
    <message>
        <source>De sleutel van dit apparaat in de sleutelbos is beschadigd. Laat het apparaat opnieuw inrichten.</source>
        <translation>This device&apos;s key in the keyring is damaged. Have the device set up again.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op dat adres en die poort.</source>
        <translation>The server cannot listen on that address and port.</translation>
    </message>
    <message>
        <source>De gekozen sleutelopslag van dit apparaat is onbekend of beschadigd. Kies &apos;keyring&apos;, &apos;systemd-creds&apos; of &apos;dev-file&apos;. Er is niets veranderd.</source>
        <translation>This device&apos;s chosen key store is unknown or damaged. Choose &apos;keyring&apos;, &apos;systemd-creds&apos; or &apos;dev-file&apos;. Nothing was changed.</translation>
    </message>
    <message>
        <source>De helpdeskserver is niet bereikbaar. Controleer het adres en de netwerkverbinding.</source>
        <translation>The helpdesk server cannot be reached. Check the address and the network connection.</translation>
    </message>
    <message>
        <source>De helpdeskserver weigerde deze aanvraag. Er is niets veranderd.</source>
        <translation>The helpdesk server refused this request. Nothing was changed.</translation>
    </message>
    <message>
        <source>De instellingen voor de TURN-server kloppen niet (naam, poort, IP-adres of adresbereik). Er is niets veranderd.</source>
        <translation>The TURN server settings are not right (name, port, IP address or address range). Nothing was changed.</translation>
    </message>
    <message>
        <source>De intrekkingslijst zou te groot worden voor de servers en de apparaten: er zijn te veel geldige certificaten ingetrokken. Er is niets veranderd.</source>
        <translation>The revocation list would become too large for the servers and the devices: too many valid certificates have been revoked. Nothing was changed.</translation>
    </message>
    <message>
        <source>De koppeling is nog niet actief: het andere apparaat is nog niet ingeschreven of de toestemming is nog niet vastgelegd. Dit apparaat is aangemeld: probeer het daarna opnieuw met dezelfde code.</source>
        <translation>The pairing is not active yet: the other device has not been enrolled or consent has not been recorded. This device is registered: try again later with the same code.</translation>
    </message>
    <message>
        <source>De server gaf geen TURN-inloggegevens.</source>
        <translation>The server gave no TURN credentials.</translation>
    </message>
    <message>
        <source>De server heeft geen TURN-geheim: de beheerder heeft `fleet turn` nog niet gedaan.</source>
        <translation>The server has no TURN secret: the operator has not run `fleet turn` yet.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op dat adres: het hoort niet bij deze computer. Kies een adres van deze computer, of * voor alle adressen.</source>
        <translation>The server cannot listen on that address: it does not belong to this computer. Choose an address of this computer, or * for all addresses.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op die naam: die is onbekend. Kies een adres van deze computer, of * voor alle adressen.</source>
        <translation>The server cannot listen on that name: it is unknown. Choose an address of this computer, or * for all addresses.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op die poort: een ander programma gebruikt hem al. Stop dat programma of kies een andere poort.</source>
        <translation>The server cannot listen on that port: another program is already using it. Stop that program or choose another port.</translation>
    </message>
    <message>
        <source>De server kan zijn logboekmap niet aanmaken of beschrijven. Controleer de rechten van de map state in de servermap.</source>
        <translation>The server cannot create or write its log folder. Check the permissions of the state folder in the server folder.</translation>
    </message>
    <message>
        <source>De server mag niet luisteren op die poort. Poorten onder 1024 vragen extra rechten: kies een hogere poort.</source>
        <translation>The server may not listen on that port. Ports below 1024 need extra rights: choose a higher port.</translation>
    </message>
    <message>
        <source>De server weigert dit apparaat (certificaat ingetrokken of verlopen?).</source>
        <translation>The server refuses this device (certificate revoked or expired?).</translation>
    </message>
    <message>
        <source>De sleutel van dit apparaat kon niet versleuteld worden opgeslagen (systemd-creds). Controleer of klasgenoot-kiosk-seal.path actief is, of richt het apparaat in met &apos;sudo klasgenoot enroll request&apos;. Er is niets opgeslagen.</source>
        <translation>This device&apos;s key could not be stored encrypted (systemd-creds). Check that klasgenoot-kiosk-seal.path is active, or set up the device with &apos;sudo klasgenoot enroll request&apos;. Nothing was stored.</translation>
    </message>
    <message>
        <source>De sleutel van dit apparaat kon niet worden ontsleuteld: het versleutelde bestand hoort bij een andere computer, de TPM-chip is gewist of vervangen, of het bestand is beschadigd. Herstart het apparaat; blijft deze melding, wis het apparaat dan en richt het opnieuw in.</source>
        <translation>This device&apos;s key could not be decrypted: the encrypted file belongs to another computer, the TPM chip was cleared or replaced, or the file is damaged. Restart the device; if this message stays, wipe the device and set it up again.</translation>
    </message>
    <message>
        <source>De sleutel van het auditlogboek ontbreekt, dus het auditlogboek kan niet worden gecontroleerd en er wordt niets meer aan toegevoegd. Zet de sleutel terug in de sleutelbos of neem contact op met de helpdesk.</source>
        <translation>The audit log&apos;s key is missing, so the audit log cannot be checked and nothing more is added to it. Put the key back in the keyring or contact the helpdesk.</translation>
    </message>
    <message>
        <source>De sleutelbos van dit systeem is niet bereikbaar of vergrendeld. Ontgrendel hem en probeer het opnieuw.</source>
        <translation>This system&apos;s keyring cannot be reached or is locked. Unlock it and try again.</translation>
    </message>
    <message>
        <source>De sleutelbos van dit systeem is niet veilig (bijvoorbeeld onversleuteld of uitgeschakeld). Gebruik een echte sleutelbos, zoals GNOME Keyring, KWallet of Windows Referentiebeheer.</source>
        <translation>This system&apos;s keyring is not secure (for example unencrypted or switched off). Use a real keyring, such as GNOME Keyring, KWallet or Windows Credential Manager.</translation>
    </message>
    <message>
        <source>De twee pincodes zijn niet gelijk. Typ dezelfde pincode twee keer.</source>
        <translation>The two PINs are not the same. Type the same PIN twice.</translation>
    </message>
    <message>
        <source>De twee wachtwoorden zijn niet gelijk. Er is niets veranderd.</source>
        <translation>The two passphrases are not the same. Nothing was changed.</translation>
    </message>
    <message>
        <source>De verbinding kon niet worden opgezet. Probeer het opnieuw.</source>
        <translation>The connection could not be set up. Try again.</translation>
    </message>
    <message>
        <source>De vingerafdruk van de server klopt niet met die van de helpdesk. Er is niets veranderd: schrijf dit apparaat niet in en bel de helpdesk.</source>
        <translation>The server&apos;s fingerprint does not match the helpdesk&apos;s. Nothing was changed: do not enroll this device, and call the helpdesk.</translation>
    </message>
    <message>
        <source>Deze gegevens zijn beschadigd of te groot en zijn niet gebruikt.</source>
        <translation>This data is damaged or too large and was not used.</translation>
    </message>
    <message>
        <source>Deze wijziging kan zo niet in het auditlogboek worden vastgelegd.</source>
        <translation>This change cannot be recorded in the audit log like this.</translation>
    </message>
    <message>
        <source>Die bewaartermijn klopt niet. Kies een aantal dagen tussen 1 en 183.</source>
        <translation>That retention period is not right. Choose a number of days between 1 and 183.</translation>
    </message>
    <message>
        <source>Die code is niet geldig: verkeerd, al gebruikt, ingetrokken of verlopen. Vraag de helpdesk om een nieuwe code. Er is niets veranderd.</source>
        <translation>That code is not valid: wrong, already used, revoked or expired. Ask the helpdesk for a new code. Nothing was changed.</translation>
    </message>
    <message>
        <source>Die code is niet goed overgenomen: een teken klopt niet. Controleer de code en probeer het opnieuw.</source>
        <translation>That code was not copied correctly: a character is wrong. Check the code and try again.</translation>
    </message>
    <message>
        <source>Die datum klopt niet. Schrijf hem als JJJJ-MM-DD, bijvoorbeeld 2026-07-01.</source>
        <translation>That date is not right. Write it as YYYY-MM-DD, for example 2026-07-01.</translation>
    </message>
    <message>
        <source>Die demomap hoort bij een demo met een ander netwerk (wel of geen --network). Kies een nieuwe, lege map.</source>
        <translation>That demo folder belongs to a demo with another network (with or without --network). Choose a new, empty folder.</translation>
    </message>
    <message>
        <source>Die demomap is onvolledig of beschadigd. Kies een nieuwe, lege map.</source>
        <translation>That demo folder is incomplete or damaged. Choose a new, empty folder.</translation>
    </message>
    <message>
        <source>Die instellingenmap bestaat niet, dus daar staat geen apparaat. Controleer de map na --config.</source>
        <translation>That settings folder does not exist, so there is no device there. Check the folder after --config.</translation>
    </message>
    <message>
        <source>Die korte apparaatcode past bij meer dan één apparaat van deze vloot. Geef de volledige apparaatcode (acht groepen van zeven tekens, zoals &apos;fleet pair&apos; ze toonde en issued.json ze bewaart). Er is niets ingetrokken.</source>
        <translation>That short device code matches more than one device of this fleet. Give the full device code (eight groups of seven characters, as &apos;fleet pair&apos; showed them and issued.json keeps them). Nothing was revoked.</translation>
    </message>
    <message>
        <source>Die map is niet leeg en bevat geen Klasgenoot-demo. Kies een lege map.</source>
        <translation>That folder is not empty and holds no Klasgenoot demo. Choose an empty folder.</translation>
    </message>
    <message>
        <source>Dit aanvraagbestand is niet geldig. Maak op het apparaat een nieuwe aanvraag.</source>
        <translation>This request file is not valid. Make a new request on the device.</translation>
    </message>
    <message>
        <source>Dit apparaat bewaart zijn sleutel al in een andere sleutelopslag. Wis het apparaat eerst als de sleutel ergens anders moet komen. Er is niets veranderd.</source>
        <translation>This device already keeps its key in another key store. Wipe the device first if the key must go elsewhere. Nothing was changed.</translation>
    </message>
    <message>
        <source>Dit apparaat heeft nog geen sleutel. Maak eerst een aanvraag met &apos;klasgenoot enroll request&apos;.</source>
        <translation>This device has no key yet. First make a request with &apos;klasgenoot enroll request&apos;.</translation>
    </message>
    <message>
        <source>Dit apparaat is al ingericht voor de andere rol. Gebruik een nieuwe instellingenmap of wis het apparaat eerst.</source>
        <translation>This device is already set up for the other role. Use a new settings folder or wipe the device first.</translation>
    </message>
    <message>
        <source>Dit apparaat is nog niet gekoppeld. Laat een technicus het apparaat inrichten.</source>
        <translation>This device is not paired yet. Have a technician set it up.</translation>
    </message>
    <message>
        <source>Dit is een aanmeldverzoek (.csr), niet het koppelbestand. Kies het bestand dat u van de beheerder terugkreeg: het eindigt op .klasgenoot.</source>
        <translation>This is an enrollment request (.csr), not the pairing file. Choose the file you got back from the administrator: its name ends in .klasgenoot.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is niet geldig of beschadigd. Vraag de beheerder om een nieuw bestand.</source>
        <translation>This pairing file is not valid or is damaged. Ask the administrator for a new file.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is verlopen of nog niet geldig. Vraag de beheerder om een nieuw bestand.</source>
        <translation>This pairing file has expired or is not valid yet. Ask the administrator for a new file.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is voor de andere rol gemaakt (leerling of klas). Controleer of u het goede bestand op het goede apparaat installeert.</source>
        <translation>This pairing file was made for the other role (pupil or class). Check that you are installing the right file on the right device.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is voor een ander apparaat gemaakt. Controleer of u het goede bestand op het goede apparaat installeert.</source>
        <translation>This pairing file was made for another device. Check that you are installing the right file on the right device.</translation>
    </message>
    <message>
        <source>Een aanvraagbestand hoort bij de andere rol. Controleer welk bestand van de leerlinglaptop en welk van het klasapparaat komt.</source>
        <translation>A request file belongs to the other role. Check which file comes from the pupil&apos;s laptop and which from the classroom unit.</translation>
    </message>
    <message>
        <source>Een bericht van een andere serverinstantie klopte niet en is genegeerd.</source>
        <translation>A message from another server instance was not valid and was ignored.</translation>
    </message>
    <message>
        <source>Een bericht van het andere apparaat was ongeldig en is genegeerd.</source>
        <translation>A message from the other device was invalid and was ignored.</translation>
    </message>
    <message>
        <source>Een bestand in de beheermap van de vloot is beschadigd. Zet de reservekopie terug.</source>
        <translation>A file in the fleet&apos;s management folder is damaged. Restore the backup.</translation>
    </message>
    <message>
        <source>Een bestand of map kon niet worden gelezen of geschreven. Controleer de naam en de rechten.</source>
        <translation>A file or folder could not be read or written. Check the name and the permissions.</translation>
    </message>
    <message>
        <source>Een demo over het netwerklab draait zonder vensters en zonder --exercise, --room, --screenshots of --camera.</source>
        <translation>A demo across the network lab runs without windows and without --exercise, --room, --screenshots or --camera.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de koppeling van dit apparaat.</source>
        <translation>Something went wrong with this device&apos;s pairing.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de logboeken van dit apparaat.</source>
        <translation>Something went wrong with this device&apos;s logs.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de pincode van de technicus.</source>
        <translation>Something went wrong with the technician PIN.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de verbinding met de Klasgenoot-server.</source>
        <translation>Something went wrong with the connection to the Klasgenoot server.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de verbinding met het andere apparaat.</source>
        <translation>Something went wrong with the connection to the other device.</translation>
    </message>
    <message>
        <source>Er ging iets mis. Probeer het opnieuw of neem contact op met de helpdesk.</source>
        <translation>Something went wrong. Try again or contact the helpdesk.</translation>
    </message>
    <message>
        <source>Er is geen apparaat of koppeling met die code gevonden. Er is niets ingetrokken.</source>
        <translation>No device or pairing with that code was found. Nothing was revoked.</translation>
    </message>
    <message>
        <source>Er is geen wachtwoord voor de vloot-CA opgegeven. Er is niets veranderd.</source>
        <translation>No passphrase for the fleet CA was given. Nothing was changed.</translation>
    </message>
    <message>
        <source>Er kwam een bericht binnen dat niet klopt. Het is genegeerd.</source>
        <translation>A message arrived that is not right. It was ignored.</translation>
    </message>
    <message>
        <source>Geef na --out een bestandsnaam of een bestaande map op, bijvoorbeeld die van de USB-stick.</source>
        <translation>After --out, give a file name or an existing folder, for example the USB stick&apos;s.</translation>
    </message>
    <message>
        <source>Het Redis-adres kan niet uit het bestand van --redis-file worden gelezen. Zet er één regel in, alleen het adres, bijvoorbeeld rediss://:WACHTWOORD@HOST:6380/0, en maak het leesbaar voor de server.</source>
        <translation>The Redis address cannot be read from the file of --redis-file. Put one line in it, only the address, for example rediss://:PASSWORD@HOST:6380/0, and make it readable for the server.</translation>
    </message>
    <message>
        <source>Het Redis-adres klopt niet. Gebruik redis://HOST:POORT, rediss://HOST:POORT (met TLS) of unix:///PAD, eventueel met een wachtwoord: redis://:WACHTWOORD@HOST:POORT.</source>
        <translation>The Redis address is not valid. Use redis://HOST:PORT, rediss://HOST:PORT (with TLS) or unix:///PATH, optionally with a password: redis://:PASSWORD@HOST:PORT.</translation>
    </message>
    <message>
        <source>Het Redis-adres zet de controle van het TLS-certificaat van Redis (deels) uit. Dat staat de server niet toe. Haal ssl_cert_reqs, ssl_check_hostname en ssl_exclude_verify_flags uit het adres; geef voor een eigen CA ssl_ca_certs=PAD op.</source>
        <translation>The Redis address turns (part of) the check of Redis's TLS certificate off. The server does not allow that. Remove ssl_cert_reqs, ssl_check_hostname and ssl_exclude_verify_flags from the address; for a CA of your own, give ssl_ca_certs=PATH.</translation>
    </message>
    <message>
        <source>Het adres van de helpdesk is niet bekend op dit apparaat. Geef het op met --url.</source>
        <translation>This device does not know the helpdesk&apos;s address. Give it with --url.</translation>
    </message>
    <message>
        <source>Het andere apparaat gebruikt een andere versie. Een update is nodig.</source>
        <translation>The other device uses a different version. An update is needed.</translation>
    </message>
    <message>
        <source>Het andere apparaat kon niet worden vertrouwd. De verbinding is geweigerd.</source>
        <translation>The other device could not be trusted. The connection was refused.</translation>
    </message>
    <message>
        <source>Het antwoord van de server op de vraag om TURN-inloggegevens klopt niet.</source>
        <translation>The server&apos;s answer to the request for TURN credentials is not valid.</translation>
    </message>
    <message>
        <source>Het apparaat is niet volledig gewist. Sluit Klasgenoot af en probeer het opnieuw; lukt het dan nog niet, neem contact op met de helpdesk.</source>
        <translation>The device was not wiped completely. Close Klasgenoot and try again; if that does not work either, contact the helpdesk.</translation>
    </message>
    <message>
        <source>Het auditlogboek is gewijzigd of beschadigd: vanaf het genoemde record klopt het niet meer.</source>
        <translation>The audit log was changed or damaged: from the record named on, it no longer adds up.</translation>
    </message>
    <message>
        <source>Het auditlogboek kan nu niet worden bijgewerkt. Probeer het opnieuw.</source>
        <translation>The audit log cannot be updated right now. Try again.</translation>
    </message>
    <message>
        <source>Het auditlogboek kan nu niet worden gelezen. Probeer het opnieuw.</source>
        <translation>The audit log cannot be read right now. Please try again.</translation>
    </message>
    <message>
        <source>Het bericht is te groot om via de server te versturen.</source>
        <translation>The message is too large to send through the server.</translation>
    </message>
    <message>
        <source>Het certificaat van dit apparaat is niet geldig.</source>
        <translation>This device&apos;s certificate is not valid.</translation>
    </message>
    <message>
        <source>Het logboek van dit apparaat kan nu niet worden gelezen of geschreven. Probeer het opnieuw; helpt dat niet, wis dan de logboeken.</source>
        <translation>This device&apos;s log cannot be read or written right now. Try again; if that does not help, erase the logs.</translation>
    </message>
    <message>
        <source>Het programma systemd-creds ontbreekt op dit apparaat. Installeer het pakket systemd (versie 250 of nieuwer) of kies een andere sleutelopslag.</source>
        <translation>The program systemd-creds is missing on this device. Install the systemd package (version 250 or newer) or choose another key store.</translation>
    </message>
    <message>
        <source>Het rapport kon niet worden geschreven. Controleer de map en de rechten.</source>
        <translation>The report could not be written. Check the folder and the permissions.</translation>
    </message>
    <message>
        <source>Het wachtwoord van de vloot-CA klopt niet.</source>
        <translation>The fleet CA passphrase is not right.</translation>
    </message>
    <message>
        <source>Het wachtwoord van de vloot-CA moet minstens 12 tekens lang zijn.</source>
        <translation>The fleet CA passphrase must be at least 12 characters long.</translation>
    </message>
    <message>
        <source>In deze map staan al andere bestanden, maar geen vloot. Maak een nieuwe vloot in een lege of nieuwe map; er is niets veranderd.</source>
        <translation>This folder already holds other files, but no fleet. Create a new fleet in an empty or new folder; nothing was changed.</translation>
    </message>
    <message>
        <source>In deze map staat al een vloot. Een bestaande vloot wordt nooit overschreven; kies een lege map.</source>
        <translation>This folder already holds a fleet. An existing fleet is never overwritten; choose an empty folder.</translation>
    </message>
    <message>
        <source>In deze map staat geen vloot. Maak er eerst een met &apos;klasgenoot fleet init&apos;.</source>
        <translation>This folder holds no fleet. Make one first with &apos;klasgenoot fleet init&apos;.</translation>
    </message>
    <message>
        <source>Inschrijven met een code is niet gelukt.</source>
        <translation>Enrolling with a code did not work.</translation>
    </message>
    <message>
        <source>Klasgenoot draait al met deze instellingenmap. Er kan maar één tegelijk draaien: dit tweede exemplaar stopt en maakt geen verbinding.</source>
        <translation>Klasgenoot is already running with this settings folder. Only one can run at a time: this second copy stops and does not connect.</translation>
    </message>
    <message>
        <source>Klasgenoot kon niet starten met deze instellingenmap.</source>
        <translation>Klasgenoot could not start with this settings folder.</translation>
    </message>
    <message>
        <source>Meer dan één server kan alleen in de demo zonder vensters op loopback: gebruik --headless en laat --network weg.</source>
        <translation>More than one server works only in the demo without windows on loopback: use --headless and leave out --network.</translation>
    </message>
    <message>
        <source>Niet alles kon worden gewist. Sluit Klasgenoot af en probeer het opnieuw.</source>
        <translation>Not everything could be wiped. Close Klasgenoot and try again.</translation>
    </message>
    <message>
        <source>Schermafbeeldingen kunnen alleen met synthetisch beeld: er wordt nooit een beeld van een echte klas of leerling opgeslagen. Laat --camera weg.</source>
        <translation>Screenshots are only possible with a synthetic picture: a picture of a real class or pupil is never saved. Leave out --camera.</translation>
    </message>
    <message>
        <source>Schermafbeeldingen kunnen alleen met vensters: laat --headless weg.</source>
        <translation>Screenshots are only possible with windows: leave out --headless.</translation>
    </message>
    <message>
        <source>Te veel verkeerde codes vanaf dit adres. Wacht een kwartier en probeer het opnieuw.</source>
        <translation>Too many wrong codes from this address. Wait a quarter of an hour and try again.</translation>
    </message>
    <message>
        <source>Verbindingslogboeken mogen hoogstens 183 dagen bewaard worden. Kies een kortere bewaartermijn.</source>
        <translation>Connection logs may be kept for at most 183 days. Choose a shorter retention period.</translation>
    </message>
    <message>
        <source>Voor deze vloot is nog geen TURN-server ingesteld. Doe dat eerst met &apos;klasgenoot fleet turn&apos;.</source>
        <translation>No TURN server has been set up for this fleet yet. Do that first with &apos;klasgenoot fleet turn&apos;.</translation>
    </message>
    <message>
        <source>Voor meer dan één server heeft de demo redis-server nodig. Installeer het pakket redis-server (./dev setup doet dat).</source>
        <translation>For more than one server the demo needs redis-server. Install the redis-server package (./dev setup does that).</translation>
    </message>
</context>
</TS>
