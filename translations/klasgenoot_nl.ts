<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl" sourcelanguage="en">
<context>
    <name>AudioProcessingView</name>
    <message>
        <source>Sound processing</source>
        <translation>Geluidsbewerking</translation>
    </message>
    <message>
        <source>Echo cancellation (the other side does not hear itself back)</source>
        <translation>Echo-onderdrukking (de andere kant hoort zichzelf niet terug)</translation>
    </message>
    <message>
        <source>Noise suppression (chairs, talking in class)</source>
        <translation>Ruisonderdrukking (stoelen, gepraat in de klas)</translation>
    </message>
    <message>
        <source>Low rumble filter</source>
        <translation>Filter voor laag gerommel</translation>
    </message>
    <message>
        <source>Automatic loudness (off by default: it also makes a leftover echo louder)</source>
        <translation>Automatisch volume (standaard uit: het maakt ook een overgebleven echo luider)</translation>
    </message>
    <message>
        <source>Play the other side quieter while someone here talks over them (needs echo cancellation)</source>
        <translation>De andere kant zachter afspelen terwijl iemand hier erdoorheen praat (vraagt echo-onderdrukking)</translation>
    </message>
    <message>
        <source>Catch short echo leaks while the other side talks (on by default; needs echo cancellation)</source>
        <translation>Korte echolekken wegvangen terwijl de andere kant praat (standaard aan; werkt met echo-onderdrukking)</translation>
    </message>
    <message>
        <source>Loudness target of this device (higher is louder; used when automatic loudness is on)</source>
        <translation>Doelvolume van dit apparaat (hoger is luider; geldt als automatisch volume aan staat)</translation>
    </message>
    <message>
        <source>Loudness target in dBFS</source>
        <translation>Doelvolume in dBFS</translation>
    </message>
    <message>
        <source>Sound processing is on. Changes apply at once, also in a call.</source>
        <translation>Geluidsbewerking staat aan. Wijzigingen gelden meteen, ook tijdens een gesprek.</translation>
    </message>
    <message>
        <source>Sound processing is off: the microphone is sent as it is.</source>
        <translation>Geluidsbewerking staat uit: de microfoon gaat onbewerkt mee.</translation>
    </message>
    <message>
        <source>Sound processing could not start on this device. The call works, but the other side may hear an echo. Reinstall Klasgenoot or call the helpdesk.</source>
        <translation>Geluidsbewerking kon op dit apparaat niet starten. Het gesprek werkt, maar de andere kant hoort misschien een echo. Installeer Klasgenoot opnieuw of bel de helpdesk.</translation>
    </message>
    <message>
        <source>Changes apply at once, also in a call.</source>
        <translation>Wijzigingen gelden meteen, ook tijdens een gesprek.</translation>
    </message>
</context>
<context>
    <name>BannerWidget</name>
    <message>
        <source>Message</source>
        <translation>Melding</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <source>Close message</source>
        <translation>Melding sluiten</translation>
    </message>
</context>
<context>
    <name>BundleCheckView</name>
    <message>
        <source>Check the pairing file</source>
        <translation>Controleer het koppelbestand</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Pairing</source>
        <translation>Koppeling</translation>
    </message>
    <message>
        <source>Paired with</source>
        <translation>Gekoppeld met</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>Geldig tot</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Compare this CA fingerprint with the one the administrator gave you. Install only if every character matches.</source>
        <translation>Vergelijk deze CA-vingerafdruk met die van de beheerder. Installeer alleen als elk teken overeenkomt.</translation>
    </message>
    <message>
        <source>CA fingerprint</source>
        <translation>CA-vingerafdruk</translation>
    </message>
    <message>
        <source>It matches: install</source>
        <translation>Komt overeen: installeren</translation>
    </message>
    <message>
        <source>The fingerprint matches: install</source>
        <translation>De vingerafdruk komt overeen: installeren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Do not install</source>
        <translation>Niet installeren</translation>
    </message>
</context>
<context>
    <name>ClassSpeakerView</name>
    <message>
        <source>No speaker in class</source>
        <translation>Geen luidspreker in de klas</translation>
    </message>
    <message>
        <source>Whisper: {percent} %</source>
        <translation>Fluisteren: {percent} %</translation>
    </message>
    <message>
        <source>Class speaker off</source>
        <translation>Klasluidspreker uit</translation>
    </message>
    <message>
        <source>Class speaker {percent} %</source>
        <translation>Klasluidspreker {percent} %</translation>
    </message>
    <message>
        <source>There is no speaker in class: the class cannot hear you.</source>
        <translation>Er is geen luidspreker in de klas: de klas kan je niet horen.</translation>
    </message>
    <message>
        <source>You are whispering: the class speaker plays at {percent} %.</source>
        <translation>Je fluistert: de luidspreker in de klas speelt op {percent} %.</translation>
    </message>
    <message>
        <source>The class speaker is turned all the way down.</source>
        <translation>De luidspreker in de klas staat helemaal zacht.</translation>
    </message>
    <message>
        <source>The class speaker plays at {percent} %.</source>
        <translation>De luidspreker in de klas speelt op {percent} %.</translation>
    </message>
    <message>
        <source>Class speaker volume</source>
        <translation>Volume van de luidspreker in de klas</translation>
    </message>
</context>
<context>
    <name>ClassroomFeaturesView</name>
    <message>
        <source>Board view saved</source>
        <translation>Bordweergave opgeslagen</translation>
    </message>
    <message>
        <source>Pupil: Listening</source>
        <translation>Leerling: luistert mee</translation>
    </message>
    <message>
        <source>Pupil: Voice only</source>
        <translation>Leerling: alleen geluid</translation>
    </message>
    <message>
        <source>Pupil: On camera</source>
        <translation>Leerling: in beeld</translation>
    </message>
    <message>
        <source>Pupil: On camera, microphone off</source>
        <translation>Leerling: in beeld, microfoon uit</translation>
    </message>
    <message>
        <source>The lesson with the pupil ends in {minutes} minutes</source>
        <translation>De les met de leerling stopt over {minutes} minuten</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Verder</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pauze</translation>
    </message>
    <message>
        <source>The pupil asked for the board: no board view saved yet</source>
        <translation>De leerling vroeg om het bord: er is nog geen bordweergave opgeslagen</translation>
    </message>
    <message>
        <source>Board view: not set yet</source>
        <translation>Bordweergave: nog niet ingesteld</translation>
    </message>
    <message>
        <source>Board view: saved</source>
        <translation>Bordweergave: opgeslagen</translation>
    </message>
    <message>
        <source>Paused — the pupil sees a pause picture ({minutes}:{seconds:02d} left)</source>
        <translation>Gepauzeerd — de leerling ziet een pauzebeeld (nog {minutes}:{seconds:02d})</translation>
    </message>
    <message>
        <source>Whispering</source>
        <translation>Fluisteren</translation>
    </message>
    <message>
        <source>The pupil turned the speaker down</source>
        <translation>De leerling heeft de luidspreker zachter gezet</translation>
    </message>
    <message>
        <source>Save as board view</source>
        <translation>Opslaan als bordweergave</translation>
    </message>
</context>
<context>
    <name>ClassroomWindow</name>
    <message>
        <source>Klasgenoot needs an update. Ask the helpdesk.</source>
        <translation>Klasgenoot moet worden bijgewerkt. Vraag het aan de helpdesk.</translation>
    </message>
    <message>
        <source>This Klasgenoot has been revoked: contact the helpdesk.</source>
        <translation>Deze Klasgenoot is ingetrokken: neem contact op met de helpdesk.</translation>
    </message>
    <message>
        <source>The pupil&apos;s laptop is not trusted. Ask the helpdesk to check the pairing.</source>
        <translation>De laptop van de leerling wordt niet vertrouwd. Vraag de helpdesk om de koppeling te controleren.</translation>
    </message>
    <message>
        <source>Technician: the call engine is not responding. LIVE stays on until it has stopped. Restart Klasgenoot.</source>
        <translation>Technicus: de gespreksmodule reageert niet. LIVE blijft aan tot die gestopt is. Start Klasgenoot opnieuw.</translation>
    </message>
    <message>
        <source>Klasgenoot in class</source>
        <translation>Klasgenoot in de klas</translation>
    </message>
</context>
<context>
    <name>CodeEnrollWidget</name>
    <message>
        <source>Registered. Waiting for the other device of the pair, and for the consent to be recorded…</source>
        <translation>Aangemeld. Wacht op het andere apparaat van de koppeling en op de vastgelegde toestemming…</translation>
    </message>
    <message>
        <source>Helpdesk address</source>
        <translation>Adres van de helpdesk</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Check server</source>
        <translation>Server controleren</translation>
    </message>
    <message>
        <source>Check the helpdesk server</source>
        <translation>De server van de helpdesk controleren</translation>
    </message>
    <message>
        <source>It matches: enroll</source>
        <translation>Klopt: inschrijven</translation>
    </message>
    <message>
        <source>The fingerprint matches: enroll</source>
        <translation>De vingerafdruk klopt: inschrijven</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Do not enroll</source>
        <translation>Niet inschrijven</translation>
    </message>
    <message>
        <source>Compare this CA fingerprint with the one the helpdesk gave you. Enroll only if every character matches.</source>
        <translation>Vergelijk deze CA-vingerafdruk met die van de helpdesk. Schrijf alleen in als elk teken klopt.</translation>
    </message>
    <message>
        <source>CA fingerprint</source>
        <translation>CA-vingerafdruk</translation>
    </message>
</context>
<context>
    <name>ConnectionStatusBox</name>
    <message>
        <source>connected</source>
        <translation>verbonden</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>niet verbonden</translation>
    </message>
    <message>
        <source>unknown (no connection with the server)</source>
        <translation>onbekend (geen verbinding met de server)</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>(from the last call, which has ended)</source>
        <translation>(van het vorige gesprek, dat is beëindigd)</translation>
    </message>
    <message>
        <source>(not fresh: {seconds} s old)</source>
        <translation>(niet actueel: {seconds} s oud)</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>onbekend</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>inactief</translation>
    </message>
    <message>
        <source>waiting for the other device</source>
        <translation>wacht op het andere apparaat</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbinden</translation>
    </message>
    <message>
        <source>live</source>
        <translation>live</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>opnieuw verbinden</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>beëindigd</translation>
    </message>
    <message>
        <source>no call yet</source>
        <translation>nog geen gesprek</translation>
    </message>
    <message>
        <source>in {kin:.0f} kbit/s, out {kout:.0f} kbit/s, loss {loss:.1f} %, round trip {rtt} ms, {fps:.0f} frames/s, route {route}</source>
        <translation>in {kin:.0f} kbit/s, uit {kout:.0f} kbit/s, verlies {loss:.1f} %, rondreis {rtt} ms, {fps:.0f} beelden/s, route {route}</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbinding</translation>
    </message>
    <message>
        <source>Signaling server</source>
        <translation>Signaleringsserver</translation>
    </message>
    <message>
        <source>Other device</source>
        <translation>Ander apparaat</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Gesprek</translation>
    </message>
    <message>
        <source>Last measurement</source>
        <translation>Laatste meting</translation>
    </message>
</context>
<context>
    <name>ControlsView</name>
    <message>
        <source>Microphone</source>
        <translation>Microfoon</translation>
    </message>
    <message>
        <source>Microphone on</source>
        <translation>Microfoon aan</translation>
    </message>
    <message>
        <source>Microphone off</source>
        <translation>Microfoon uit</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>Camera aan</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>Camera uit</translation>
    </message>
    <message>
        <source>Leave lesson</source>
        <translation>Les verlaten</translation>
    </message>
    <message>
        <source>Join again</source>
        <translation>Opnieuw meedoen</translation>
    </message>
</context>
<context>
    <name>DayView</name>
    <message>
        <source>Add lesson time</source>
        <translation>Lestijd toevoegen</translation>
    </message>
    <message>
        <source>Add a lesson time on {day}</source>
        <translation>Een lestijd toevoegen op {day}</translation>
    </message>
    <message>
        <source>{day}, lesson time {n}, start</source>
        <translation>{day}, lestijd {n}, begin</translation>
    </message>
    <message>
        <source>{day}, lesson time {n}, end</source>
        <translation>{day}, lestijd {n}, einde</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Weghalen</translation>
    </message>
    <message>
        <source>Remove lesson time {n} on {day}</source>
        <translation>Lestijd {n} op {day} weghalen</translation>
    </message>
</context>
<context>
    <name>Demo</name>
    <message>
        <source>pupil</source>
        <translation>leerling</translation>
    </message>
    <message>
        <source>class</source>
        <translation>klas</translation>
    </message>
</context>
<context>
    <name>DeviceTester</name>
    <message>
        <source>A test tone is playing. Do you hear it?</source>
        <translation>Er klinkt nu een testtoon. Hoort u die?</translation>
    </message>
    <message>
        <source>No camera: a test picture is sent instead.</source>
        <translation>Geen camera: er wordt een testbeeld verstuurd.</translation>
    </message>
    <message>
        <source>The camera gives a picture ({fps} frames a second).</source>
        <translation>De camera geeft beeld ({fps} beelden per seconde).</translation>
    </message>
    <message>
        <source>No picture from the camera. Check the cable or choose another camera.</source>
        <translation>Geen beeld van de camera. Controleer de kabel of kies een andere camera.</translation>
    </message>
    <message>
        <source>No microphone: the class hears nothing from this device.</source>
        <translation>Geen microfoon: de klas hoort niets van dit apparaat.</translation>
    </message>
    <message>
        <source>The microphone hears nothing. Speak, or choose another microphone.</source>
        <translation>De microfoon hoort niets. Zeg iets, of kies een andere microfoon.</translation>
    </message>
    <message>
        <source>The microphone hears sound ({level} dB).</source>
        <translation>De microfoon hoort geluid ({level} dB).</translation>
    </message>
</context>
<context>
    <name>DigitPad</name>
    <message>
        <source>Digit {digit}</source>
        <translation>Cijfer {digit}</translation>
    </message>
    <message>
        <source>Erase the last digit</source>
        <translation>Laatste cijfer wissen</translation>
    </message>
</context>
<context>
    <name>EchoIndicatorView</name>
    <message>
        <source>on</source>
        <translation>actief</translation>
    </message>
    <message>
        <source>Echo cancellation is on: the pupil does not hear themselves back.</source>
        <translation>Echo-onderdrukking is actief: de leerling hoort zichzelf niet terug.</translation>
    </message>
    <message>
        <source>adjusting</source>
        <translation>stelt zich in</translation>
    </message>
    <message>
        <source>Echo cancellation is adjusting to the room. It needs the pupil to speak for a few seconds.</source>
        <translation>Echo-onderdrukking stelt zich in op het lokaal. Daarvoor moet de leerling een paar seconden praten.</translation>
    </message>
    <message>
        <source>off</source>
        <translation>uit</translation>
    </message>
    <message>
        <source>Echo cancellation is switched off: the pupil may hear themselves back. Turn the volume down or ask the technician.</source>
        <translation>Echo-onderdrukking staat uit: de leerling hoort zichzelf misschien terug. Zet het volume lager of vraag de technicus.</translation>
    </message>
    <message>
        <source>not available</source>
        <translation>niet beschikbaar</translation>
    </message>
    <message>
        <source>Echo cancellation could not start on this Klasgenoot: the pupil may hear themselves back. Turn the volume down and call the helpdesk.</source>
        <translation>Echo-onderdrukking kon niet starten op deze Klasgenoot: de leerling hoort zichzelf misschien terug. Zet het volume lager en bel de helpdesk.</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>Echo-onderdrukking</translation>
    </message>
</context>
<context>
    <name>FaultReportSection</name>
    <message>
        <source>Fault report #{n} sent to the helpdesk.</source>
        <translation>Storingsmelding #{n} is naar de helpdesk gestuurd.</translation>
    </message>
    <message>
        <source>Helpdesk</source>
        <translation>Helpdesk</translation>
    </message>
    <message>
        <source>Report a fault…</source>
        <translation>Storing melden…</translation>
    </message>
    <message>
        <source>Report a fault to the helpdesk</source>
        <translation>Een storing melden bij de helpdesk</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Versturen</translation>
    </message>
    <message>
        <source>Send this report</source>
        <translation>Deze melding versturen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Do not send</source>
        <translation>Niet versturen</translation>
    </message>
    <message>
        <source>This is exactly what will be sent: technical data only, no picture, sound, addresses or names.</source>
        <translation>Precies dit wordt verstuurd: alleen technische gegevens, geen beeld, geluid, adressen of namen.</translation>
    </message>
    <message>
        <source>The report</source>
        <translation>De melding</translation>
    </message>
</context>
<context>
    <name>FeatureSettingsMode</name>
    <message>
        <source>The settings could not be saved: too many days off. Remove some. Nothing was saved.</source>
        <translation>De instellingen konden niet worden opgeslagen: te veel vrije dagen. Haal er een paar weg. Er is niets opgeslagen.</translation>
    </message>
    <message>
        <source>Nothing was saved.</source>
        <translation>Er is niets opgeslagen.</translation>
    </message>
</context>
<context>
    <name>FeatureSwitchesView</name>
    <message>
        <source>1 minute</source>
        <translation>1 minuut</translation>
    </message>
    <message>
        <source>{n} minutes</source>
        <translation>{n} minuten</translation>
    </message>
    <message>
        <source>The school decides which features this pairing uses. A feature that is off is hidden on both devices. Changes apply at once, also in a call.</source>
        <translation>De school bepaalt welke functies deze koppeling gebruikt. Een functie die uit staat, is op beide apparaten verborgen. Wijzigingen gelden meteen, ook tijdens een gesprek.</translation>
    </message>
    <message>
        <source>Raise hand</source>
        <translation>Vinger opsteken</translation>
    </message>
    <message>
        <source>The pupil can raise a hand; the class hears a soft chime.</source>
        <translation>De leerling kan een vinger opsteken; de klas hoort een zacht belletje.</translation>
    </message>
    <message>
        <source>Listening, voice or video</source>
        <translation>Luisteren, geluid of beeld</translation>
    </message>
    <message>
        <source>The pupil chooses to only listen, to talk, or to be seen.</source>
        <translation>De leerling kiest of hij alleen luistert, praat of ook te zien is.</translation>
    </message>
    <message>
        <source>Looking around</source>
        <translation>Rondkijken</translation>
    </message>
    <message>
        <source>The pupil can zoom into the class picture, e.g. the board.</source>
        <translation>De leerling kan inzoomen op het klasbeeld, bijvoorbeeld op het bord.</translation>
    </message>
    <message>
        <source>Teacher pause</source>
        <translation>Pauze door de leraar</translation>
    </message>
    <message>
        <source>The teacher can pause the picture and sound for a private moment.</source>
        <translation>De leraar kan beeld en geluid pauzeren voor een privémoment.</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>Fluisteren</translation>
    </message>
    <message>
        <source>The pupil can turn the class speaker down.</source>
        <translation>De leerling kan de luidspreker in de klas zachter zetten.</translation>
    </message>
    <message>
        <source>Reactions</source>
        <translation>Reacties</translation>
    </message>
    <message>
        <source>Thumbs up, “I don&apos;t understand”, “please repeat” on the class screen.</source>
        <translation>Duim omhoog, „Ik snap het niet”, „Nog een keer, graag” op het scherm in de klas.</translation>
    </message>
    <message>
        <source>Am I heard?</source>
        <translation>Hoort de klas mij?</translation>
    </message>
    <message>
        <source>The pupil sees how loud their voice arrives in class.</source>
        <translation>De leerling ziet hoe luid zijn stem in de klas aankomt.</translation>
    </message>
    <message>
        <source>School hours</source>
        <translation>Schooltijden</translation>
    </message>
    <message>
        <source>The pupil is let in only during the lesson times.</source>
        <translation>De leerling komt alleen binnen tijdens de lestijden.</translation>
    </message>
    <message>
        <source>Enter lesson times first; then this turns on by itself.</source>
        <translation>Vul eerst lestijden in; dan gaat dit vanzelf aan.</translation>
    </message>
    <message>
        <source>A teacher pause ends by itself after</source>
        <translation>Een pauze door de leraar stopt vanzelf na</translation>
    </message>
    <message>
        <source>Length of a teacher pause</source>
        <translation>Duur van een pauze door de leraar</translation>
    </message>
</context>
<context>
    <name>FeaturesPage</name>
    <message>
        <source>School hours and features</source>
        <translation>Schooltijden en functies</translation>
    </message>
    <message>
        <source>School hours</source>
        <translation>Schooltijden</translation>
    </message>
    <message>
        <source>Features</source>
        <translation>Functies</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <source>Back to technician mode</source>
        <translation>Terug naar de technicusmodus</translation>
    </message>
</context>
<context>
    <name>FeaturesView</name>
    <message>
        <source>Reactions</source>
        <translation>Reacties</translation>
    </message>
    <message>
        <source>Thumbs up</source>
        <translation>Duim omhoog</translation>
    </message>
    <message>
        <source>I don&apos;t understand</source>
        <translation>Ik snap het niet</translation>
    </message>
    <message>
        <source>Please repeat</source>
        <translation>Nog een keer, graag</translation>
    </message>
    <message>
        <source>Sent: thumbs up</source>
        <translation>Verstuurd: duim omhoog</translation>
    </message>
    <message>
        <source>Sent: I don&apos;t understand</source>
        <translation>Verstuurd: ik snap het niet</translation>
    </message>
    <message>
        <source>Sent: please repeat</source>
        <translation>Verstuurd: nog een keer, graag</translation>
    </message>
    <message>
        <source>Your hand is up — lower it</source>
        <translation>Je vinger is op — laat zakken</translation>
    </message>
    <message>
        <source>Raise your hand</source>
        <translation>Vinger opsteken</translation>
    </message>
    <message>
        <source>Raise hand</source>
        <translation>Vinger opsteken</translation>
    </message>
    <message>
        <source>Your hand is up</source>
        <translation>Je vinger is op</translation>
    </message>
    <message>
        <source>Your hand is down</source>
        <translation>Je vinger is niet op</translation>
    </message>
    <message>
        <source>Whispering</source>
        <translation>Aan het fluisteren</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>Fluisteren</translation>
    </message>
    <message>
        <source>The class speaker is turned down</source>
        <translation>De luidspreker in de klas staat zachter</translation>
    </message>
</context>
<context>
    <name>FileDialog</name>
    <message>
        <source>Choose</source>
        <translation>Kiezen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Opslaan</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Openen</translation>
    </message>
    <message>
        <source>Look in:</source>
        <translation>Zoeken in:</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Map:</translation>
    </message>
    <message>
        <source>File name:</source>
        <translation>Bestandsnaam:</translation>
    </message>
    <message>
        <source>Files of type:</source>
        <translation>Bestandstype:</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
<context>
    <name>FirstRunView</name>
    <message>
        <source>Where should the request go?</source>
        <translation>Waar moet de aanvraag komen?</translation>
    </message>
    <message>
        <source>Request written to {path}. Give it to the administrator; install the pairing file you get back.</source>
        <translation>Aanvraag opgeslagen in {path}. Geef hem aan de beheerder en installeer daarna het koppelbestand dat u terugkrijgt.</translation>
    </message>
    <message>
        <source>Choose the pairing file</source>
        <translation>Kies het koppelbestand</translation>
    </message>
    <message>
        <source>Pairing files (*{ext});;All files (*)</source>
        <translation>Koppelbestanden (*{ext});;Alle bestanden (*)</translation>
    </message>
    <message>
        <source>Not installed; nothing was changed.</source>
        <translation>Niet geïnstalleerd; er is niets veranderd.</translation>
    </message>
    <message>
        <source>Set up this device</source>
        <translation>Dit apparaat inrichten</translation>
    </message>
    <message>
        <source>This device ({role}) is not paired yet. Write an enrollment request for the administrator, then install the pairing file you get back.</source>
        <translation>Dit apparaat ({role}) is nog niet gekoppeld. Schrijf een aanvraag voor de beheerder en installeer daarna het koppelbestand dat u terugkrijgt.</translation>
    </message>
    <message>
        <source>Device code:</source>
        <translation>Apparaatcode:</translation>
    </message>
    <message>
        <source>Device code</source>
        <translation>Apparaatcode</translation>
    </message>
    <message>
        <source>Write enrollment request…</source>
        <translation>Aanvraag schrijven…</translation>
    </message>
    <message>
        <source>Write enrollment request</source>
        <translation>Aanvraag schrijven</translation>
    </message>
    <message>
        <source>Install pairing file…</source>
        <translation>Koppelbestand installeren…</translation>
    </message>
    <message>
        <source>Install pairing file</source>
        <translation>Koppelbestand installeren</translation>
    </message>
    <message>
        <source>Enroll with a code…</source>
        <translation>Inschrijven met een code…</translation>
    </message>
    <message>
        <source>Enroll with a code from the helpdesk</source>
        <translation>Inschrijven met een code van de helpdesk</translation>
    </message>
</context>
<context>
    <name>HandView</name>
    <message>
        <source>Hand raised
Tap to answer</source>
        <translation>Vinger opgestoken
Tik om te reageren</translation>
    </message>
    <message>
        <source>The pupil raises their hand</source>
        <translation>De leerling steekt een vinger op</translation>
    </message>
    <message>
        <source>Tap to let the pupil know you saw it</source>
        <translation>Tik zodat de leerling weet dat u het zag</translation>
    </message>
</context>
<context>
    <name>HeardMeterView</name>
    <message>
        <source>Your microphone is off</source>
        <translation>Je microfoon staat uit</translation>
    </message>
    <message>
        <source>The class hears you</source>
        <translation>De klas hoort je</translation>
    </message>
    <message>
        <source>The class hears nothing from you</source>
        <translation>De klas hoort niets van je</translation>
    </message>
    <message>
        <source>Am I heard?</source>
        <translation>Hoort de klas mij?</translation>
    </message>
</context>
<context>
    <name>KeptDataView</name>
    <message>
        <source>What this device keeps</source>
        <translation>Wat dit apparaat bewaart</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exporteren…</translation>
    </message>
    <message>
        <source>Erase logs</source>
        <translation>Logboeken wissen</translation>
    </message>
    <message>
        <source>Wipe device (service end)</source>
        <translation>Apparaat wissen (einde dienst)</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <source>What is kept, field by field</source>
        <translation>Wat bewaard wordt, veld voor veld</translation>
    </message>
    <message>
        <source>Recent connection log</source>
        <translation>Recent verbindingslogboek</translation>
    </message>
    <message>
        <source>Only technical connection data, never pictures, sound or names. Connection logs are kept {days} days, the audit trail {months} months. Now: {sessions} calls, {events} events, {audit} audit records.</source>
        <translation>Alleen technische verbindingsgegevens, nooit beeld, geluid of namen. Verbindingslogboeken worden {days} dagen bewaard, het auditlogboek {months} maanden. Nu: {sessions} gesprekken, {events} gebeurtenissen, {audit} auditregels.</translation>
    </message>
    <message>
        <source>the log database cannot be opened or made</source>
        <translation>de database van het logboek kan niet worden geopend of gemaakt</translation>
    </message>
    <message>
        <source>another program kept the log database locked</source>
        <translation>een ander programma hield de database van het logboek bezet</translation>
    </message>
    <message>
        <source>the disk is full</source>
        <translation>de schijf is vol</translation>
    </message>
    <message>
        <source>the log database is damaged</source>
        <translation>de database van het logboek is beschadigd</translation>
    </message>
    <message>
        <source>the disk cannot be written to</source>
        <translation>er kan niet op de schijf worden geschreven</translation>
    </message>
    <message>
        <source>more came in than the disk could take</source>
        <translation>er kwam meer binnen dan de schijf kon bijhouden</translation>
    </message>
    <message>
        <source>a record with a value outside the fixed lists was refused</source>
        <translation>een regel met een waarde buiten de vaste lijsten is geweigerd</translation>
    </message>
    <message>
        <source>records came in after the log was closed</source>
        <translation>er kwamen regels binnen nadat het logboek was gesloten</translation>
    </message>
    <message>
        <source>Logging works.</source>
        <translation>Het logboek werkt.</translation>
    </message>
    <message>
        <source>The audit trail in it was intact and was kept.</source>
        <translation>Het auditlogboek erin was heel en is bewaard.</translation>
    </message>
    <message>
        <source>The audit trail in it could not be read; a new one began.</source>
        <translation>Het auditlogboek erin was niet te lezen; er is een nieuw begonnen.</translation>
    </message>
    <message>
        <source>The log database was damaged. On {when} it was set aside (kept as long as the logs, never exported) and a new log was started. {kept}</source>
        <translation>De database van het logboek was beschadigd. Op {when} is hij apart gezet (zo lang bewaard als de logboeken, nooit geëxporteerd) en is een nieuw logboek begonnen. {kept}</translation>
    </message>
    <message>
        <source>Logging has a fault: {fault}. The call is not affected; {dropped} records were not written.</source>
        <translation>Het logboek heeft een storing: {fault}. Het gesprek gaat gewoon door; {dropped} regels zijn niet opgeslagen.</translation>
    </message>
    <message>
        <source>The audit trail&apos;s key is missing: new actions are not recorded and the trail cannot be checked. No new key is made, so the old trail is not lost; call the helpdesk.</source>
        <translation>De sleutel van het auditlogboek ontbreekt: nieuwe handelingen worden niet vastgelegd en het auditlogboek kan niet worden gecontroleerd. Er wordt geen nieuwe sleutel gemaakt, zodat het oude auditlogboek niet verloren gaat; bel de helpdesk.</translation>
    </message>
    <message>
        <source>The stored retention setting is not valid; the default of {days} days applies.</source>
        <translation>De opgeslagen bewaartermijn klopt niet; de standaard van {days} dagen geldt.</translation>
    </message>
    <message>
        <source>Export the connection log</source>
        <translation>Het verbindingslogboek exporteren</translation>
    </message>
    <message>
        <source>The file could not be written.</source>
        <translation>Het bestand kon niet worden geschreven.</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Geëxporteerd naar {path}</translation>
    </message>
    <message>
        <source>Erase all connection and program logs?</source>
        <translation>Alle verbindings- en programmalogboeken wissen?</translation>
    </message>
    <message>
        <source>The damaged database was removed whole, with every call, event and the audit trail in it.</source>
        <translation>De beschadigde database is in zijn geheel verwijderd, met alle gesprekken, gebeurtenissen en het auditlogboek erin.</translation>
    </message>
    <message>
        <source>Erased: {sessions} calls, {events} events.</source>
        <translation>Gewist: {sessions} gesprekken, {events} gebeurtenissen.</translation>
    </message>
    <message>
        <source>Wipe this device? Its key, pairing, settings and logs are deleted; it starts at first run again.</source>
        <translation>Dit apparaat wissen? De sleutel, koppeling, instellingen en logboeken worden verwijderd; het apparaat begint daarna opnieuw bij het inrichten.</translation>
    </message>
    <message>
        <source>Are you sure? This cannot be undone.</source>
        <translation>Weet u het zeker? Dit kan niet ongedaan worden gemaakt.</translation>
    </message>
    <message>
        <source>Please confirm</source>
        <translation>Bevestig alstublieft</translation>
    </message>
</context>
<context>
    <name>KeyProblemView</name>
    <message>
        <source>This device&apos;s key cannot be read</source>
        <translation>De sleutel van dit apparaat kan niet worden gelezen</translation>
    </message>
    <message>
        <source>Key store</source>
        <translation>Sleutelopslag</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Waar</translation>
    </message>
    <message>
        <source>For the technician: 1. Restart the device. 2. Still this screen? The key belongs to another machine, the TPM was cleared or replaced, or the file is damaged: wipe the device (klasgenoot wipe) and have it enrolled and paired again. See the deployment guide, &apos;Technician screen at boot&apos;.</source>
        <translation>Voor de technicus: 1. Herstart het apparaat. 2. Blijft dit scherm? Dan hoort de sleutel bij een andere computer, is de TPM gewist of vervangen, of is het bestand beschadigd: wis het apparaat (klasgenoot wipe) en laat het opnieuw inrichten en koppelen. Zie de installatiehandleiding, &apos;Technicusscherm bij het opstarten&apos;.</translation>
    </message>
</context>
<context>
    <name>KeyStores</name>
    <message>
        <source>OS keyring (unlocked by the user&apos;s login)</source>
        <translation>Sleutelbos van het systeem (ontgrendeld door het inloggen)</translation>
    </message>
    <message>
        <source>Developer file (not for real use)</source>
        <translation>Ontwikkelaarsbestand (niet voor echt gebruik)</translation>
    </message>
    <message>
        <source>systemd-creds, sealed with the TPM2 and the host key</source>
        <translation>systemd-creds, versleuteld met de TPM2 en de hostsleutel</translation>
    </message>
    <message>
        <source>systemd-creds, sealed with the host key (no TPM2)</source>
        <translation>systemd-creds, versleuteld met de hostsleutel (geen TPM2)</translation>
    </message>
    <message>
        <source>systemd-creds (not sealed yet)</source>
        <translation>systemd-creds (nog niet versleuteld)</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Klasgenoot</source>
        <translation>Klasgenoot</translation>
    </message>
    <message>
        <source>Technician mode</source>
        <translation>Technicusmodus</translation>
    </message>
    <message>
        <source>Hold for three seconds, or press Ctrl+Alt+Shift+T, to open technician mode.</source>
        <translation>Houd drie seconden ingedrukt, of druk op Ctrl+Alt+Shift+T, om de technicusmodus te openen.</translation>
    </message>
</context>
<context>
    <name>LessonTimesView</name>
    <message>
        <source>Open for the pupil until midnight today (opened by a technician).</source>
        <translation>Open voor de leerling tot middernacht vandaag (geopend door een technicus).</translation>
    </message>
    <message>
        <source>School hours are off: the pupil can join at any time.</source>
        <translation>Schooltijden staan uit: de leerling kan altijd meedoen.</translation>
    </message>
    <message>
        <source>Open now, until {time}.</source>
        <translation>Nu open, tot {time}.</translation>
    </message>
    <message>
        <source>Closed now. Next lesson: {when}.</source>
        <translation>Nu dicht. Volgende les: {when}.</translation>
    </message>
    <message>
        <source>Closed now. No lesson is planned.</source>
        <translation>Nu dicht. Er is geen les gepland.</translation>
    </message>
    <message>
        <source>Saved. The classroom uses the new school hours now.</source>
        <translation>Opgeslagen. De klas gebruikt de nieuwe schooltijden nu.</translation>
    </message>
    <message>
        <source>{where}: type a time as hours:minutes, for example 08:30.</source>
        <translation>{where}: typ een tijd als uren:minuten, bijvoorbeeld 08:30.</translation>
    </message>
    <message>
        <source>{where}: the end must be after the start.</source>
        <translation>{where}: het einde moet na het begin liggen.</translation>
    </message>
    <message>
        <source>{where} overlaps another lesson time on the same day.</source>
        <translation>{where} overlapt met een andere lestijd op dezelfde dag.</translation>
    </message>
    <message>
        <source>{where}: at most {ranges} lesson times a day.</source>
        <translation>{where}: hoogstens {ranges} lestijden per dag.</translation>
    </message>
    <message>
        <source>The last day off is before the first.</source>
        <translation>De laatste vrije dag ligt voor de eerste.</translation>
    </message>
    <message>
        <source>At most {days} days off.</source>
        <translation>Hoogstens {days} vrije dagen.</translation>
    </message>
    <message>
        <source>The time zone is not known on this device.</source>
        <translation>Deze tijdzone is op dit apparaat niet bekend.</translation>
    </message>
    <message>
        <source>The lesson times are not valid.</source>
        <translation>De lestijden zijn niet geldig.</translation>
    </message>
    <message>
        <source>{day}, lesson time {n}</source>
        <translation>{day}, lestijd {n}</translation>
    </message>
    <message>
        <source>Nothing was saved.</source>
        <translation>Er is niets opgeslagen.</translation>
    </message>
    <message>
        <source>The pupil is let in only during these times. Outside them the pupil sees when the next lesson starts; a call gets a notice 5 minutes before the end.</source>
        <translation>De leerling komt alleen binnen tijdens deze tijden. Daarbuiten ziet de leerling wanneer de volgende les begint; een gesprek krijgt 5 minuten voor het einde een melding.</translation>
    </message>
    <message>
        <source>Time zone: {zone}</source>
        <translation>Tijdzone: {zone}</translation>
    </message>
    <message>
        <source>Days off (holidays, study days)</source>
        <translation>Vrije dagen (vakanties, studiedagen)</translation>
    </message>
    <message>
        <source>Days off</source>
        <translation>Vrije dagen</translation>
    </message>
    <message>
        <source>to</source>
        <translation>tot en met</translation>
    </message>
    <message>
        <source>First day off</source>
        <translation>Eerste vrije dag</translation>
    </message>
    <message>
        <source>Last day off</source>
        <translation>Laatste vrije dag</translation>
    </message>
    <message>
        <source>Add days off</source>
        <translation>Vrije dagen toevoegen</translation>
    </message>
    <message>
        <source>Remove chosen days</source>
        <translation>Gekozen dagen weghalen</translation>
    </message>
    <message>
        <source>Save school hours</source>
        <translation>Schooltijden opslaan</translation>
    </message>
    <message>
        <source>Nothing changes until you press Save.</source>
        <translation>Er verandert niets tot je op Opslaan drukt.</translation>
    </message>
    <message>
        <source>Open for the rest of today</source>
        <translation>Open voor de rest van vandaag</translation>
    </message>
    <message>
        <source>Back to the normal school hours</source>
        <translation>Terug naar de gewone schooltijden</translation>
    </message>
</context>
<context>
    <name>LinkQuality</name>
    <message>
        <source>Connection quality unknown</source>
        <translation>Verbindingskwaliteit onbekend</translation>
    </message>
    <message>
        <source>Weak connection</source>
        <translation>Zwakke verbinding</translation>
    </message>
    <message>
        <source>Fair connection</source>
        <translation>Redelijke verbinding</translation>
    </message>
    <message>
        <source>Good connection</source>
        <translation>Goede verbinding</translation>
    </message>
</context>
<context>
    <name>LinkQualityWidget</name>
    <message>
        <source>Connection quality</source>
        <translation>Verbindingskwaliteit</translation>
    </message>
    <message>
        <source>{kbps} kbit/s in, {loss} % lost, round trip {rtt} ms</source>
        <translation>{kbps} kbit/s binnen, {loss} % verloren, rondreis {rtt} ms</translation>
    </message>
</context>
<context>
    <name>LiveIndicatorWidget</name>
    <message>
        <source>LIVE</source>
        <translation>LIVE</translation>
    </message>
    <message>
        <source>The pupil sees and hears the class</source>
        <translation>De leerling ziet en hoort de klas</translation>
    </message>
</context>
<context>
    <name>LookAroundView</name>
    <message>
        <source>Zoom in</source>
        <translation>Inzoomen</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Uitzoomen</translation>
    </message>
    <message>
        <source>Look left</source>
        <translation>Naar links kijken</translation>
    </message>
    <message>
        <source>Look right</source>
        <translation>Naar rechts kijken</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>Omhoog kijken</translation>
    </message>
    <message>
        <source>Look down</source>
        <translation>Omlaag kijken</translation>
    </message>
    <message>
        <source>Board</source>
        <translation>Bord</translation>
    </message>
    <message>
        <source>Look at the board</source>
        <translation>Naar het bord kijken</translation>
    </message>
    <message>
        <source>Whole class</source>
        <translation>Hele klas</translation>
    </message>
    <message>
        <source>Show the whole class again</source>
        <translation>Weer de hele klas laten zien</translation>
    </message>
    <message>
        <source>Look around</source>
        <translation>Rondkijken</translation>
    </message>
</context>
<context>
    <name>MicOffBadge</name>
    <message>
        <source>Microphone off</source>
        <translation>Microfoon uit</translation>
    </message>
    <message>
        <source>The pupil&apos;s microphone is off</source>
        <translation>De microfoon van de leerling staat uit</translation>
    </message>
</context>
<context>
    <name>NetTestView</name>
    <message>
        <source>The test is running (at most {s} seconds)…</source>
        <translation>De test loopt (hoogstens {s} seconden)…</translation>
    </message>
    <message>
        <source>Testing: {what}…</source>
        <translation>Bezig: {what}…</translation>
    </message>
    <message>
        <source>The test itself failed. Try again.</source>
        <translation>De test zelf liep vast. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>A call is possible from this network.</source>
        <translation>Vanaf dit netwerk kan Klasgenoot bellen.</translation>
    </message>
    <message>
        <source>No call is possible from this network. Give the advice below to the IT department.</source>
        <translation>Vanaf dit netwerk lukt een gesprek niet. Geef de adviezen hieronder aan de ICT-afdeling.</translation>
    </message>
    <message>
        <source>Network test</source>
        <translation>Netwerktest</translation>
    </message>
    <message>
        <source>Tests whether this device reaches the Klasgenoot server and the relay (TURN) from this network, how fast, and what to ask the IT department if not. The call keeps running, but may stutter while the speed is measured.</source>
        <translation>Test of dit apparaat vanaf dit netwerk de Klasgenoot-server en de relay (TURN) bereikt, hoe snel, en wat u anders aan de ICT-afdeling vraagt. Het gesprek loopt door, maar kan even haperen terwijl de snelheid wordt gemeten.</translation>
    </message>
    <message>
        <source>Start network test</source>
        <translation>Netwerktest starten</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <source>Back to technician mode</source>
        <translation>Terug naar de technicusmodus</translation>
    </message>
    <message>
        <source>Network test results</source>
        <translation>Uitslag van de netwerktest</translation>
    </message>
    <message>
        <source>Not run yet.</source>
        <translation>Nog niet uitgevoerd.</translation>
    </message>
</context>
<context>
    <name>PauseNoticeView</name>
    <message>
        <source>Paused by the teacher
The lesson goes on in a moment. You do not need to do anything.</source>
        <translation>Gepauzeerd door de leraar
De les gaat zo verder. Je hoeft niets te doen.</translation>
    </message>
    <message>
        <source>Paused by the teacher</source>
        <translation>Gepauzeerd door de leraar</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>That PIN is not right. Tries left before a 5-minute pause: {n}.</source>
        <translation>Die pincode klopt niet. Pogingen over voor een pauze van 5 minuten: {n}.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Try again in {minutes} min.</source>
        <translation>Te vaak een verkeerde pincode. Probeer het over {minutes} min. opnieuw.</translation>
    </message>
    <message>
        <source>You can try again now.</source>
        <translation>U kunt het nu opnieuw proberen.</translation>
    </message>
    <message>
        <source>Technician mode</source>
        <translation>Technicusmodus</translation>
    </message>
    <message>
        <source>Enter the technician PIN.</source>
        <translation>Voer de pincode van de technicus in.</translation>
    </message>
    <message>
        <source>Technician PIN</source>
        <translation>Pincode technicus</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Openen</translation>
    </message>
    <message>
        <source>Open technician mode</source>
        <translation>Technicusmodus openen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
<context>
    <name>PinLockedDialog</name>
    <message>
        <source>Technician mode</source>
        <translation>Technicusmodus</translation>
    </message>
    <message>
        <source>Technician mode is locked: the technician PIN on this device is missing or damaged, so it cannot be checked. A new PIN can only be set on this device&apos;s command line:

{command}

or by wiping the device and installing a new bundle. Ask the helpdesk.</source>
        <translation>Technicusmodus is op slot: de pincode van de technicus op dit apparaat ontbreekt of is beschadigd en kan dus niet worden gecontroleerd. Een nieuwe pincode kan alleen worden ingesteld op de opdrachtregel van dit apparaat:

{command}

of door het apparaat te wissen en een nieuwe bundel te installeren. Vraag het de helpdesk.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
</context>
<context>
    <name>PinSetupWidget</name>
    <message>
        <source>Choose a technician PIN of 4 to 12 digits. It opens technician mode on this device; keep it with the device records.</source>
        <translation>Kies een pincode voor de technicus van 4 tot 12 cijfers. Daarmee gaat de technicusmodus op dit apparaat open; bewaar hem bij de gegevens van het apparaat.</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>Nieuwe pincode</translation>
    </message>
    <message>
        <source>New PIN again</source>
        <translation>Nieuwe pincode nogmaals</translation>
    </message>
    <message>
        <source>Save PIN</source>
        <translation>Pincode opslaan</translation>
    </message>
    <message>
        <source>Save the technician PIN</source>
        <translation>Pincode van de technicus opslaan</translation>
    </message>
</context>
<context>
    <name>PupilView</name>
    <message>
        <source>No connection with the server</source>
        <translation>Geen verbinding met de server</translation>
    </message>
    <message>
        <source>The pupil cannot join until it is back. Klasgenoot keeps trying by itself; if it lasts, tell the technician.</source>
        <translation>De leerling kan pas meedoen als de verbinding er weer is. Klasgenoot blijft het zelf proberen; duurt het lang, meld het dan aan de technicus.</translation>
    </message>
    <message>
        <source>Klasgenoot is ready</source>
        <translation>Klasgenoot staat klaar</translation>
    </message>
    <message>
        <source>The pupil is not connected right now.</source>
        <translation>De leerling is nu niet verbonden.</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>Luistert mee</translation>
    </message>
    <message>
        <source>The pupil is listening along with the class.</source>
        <translation>De leerling luistert mee met de klas.</translation>
    </message>
    <message>
        <source>Voice only</source>
        <translation>Alleen geluid</translation>
    </message>
    <message>
        <source>The pupil can talk. Their camera is off.</source>
        <translation>De leerling kan praten. De camera staat uit.</translation>
    </message>
    <message>
        <source>The pupil&apos;s camera is off</source>
        <translation>De camera van de leerling staat uit</translation>
    </message>
    <message>
        <source>The pupil is listening and can talk.</source>
        <translation>De leerling luistert mee en kan praten.</translation>
    </message>
    <message>
        <source>The pupil is listening. Their microphone is off.</source>
        <translation>De leerling luistert mee. De microfoon staat uit.</translation>
    </message>
    <message>
        <source>Pupil</source>
        <translation>Leerling</translation>
    </message>
    <message>
        <source>The pupil&apos;s camera</source>
        <translation>Camera van de leerling</translation>
    </message>
    <message>
        <source>The pupil&apos;s camera. The pupil&apos;s microphone is off.</source>
        <translation>Camera van de leerling. De microfoon van de leerling staat uit.</translation>
    </message>
</context>
<context>
    <name>ReactionView</name>
    <message>
        <source>Thumbs up</source>
        <translation>Duim omhoog</translation>
    </message>
    <message>
        <source>I don&apos;t understand</source>
        <translation>Ik snap het niet</translation>
    </message>
    <message>
        <source>Please repeat</source>
        <translation>Nog een keer, graag</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>pupil&apos;s laptop</source>
        <translation>leerlinglaptop</translation>
    </message>
    <message>
        <source>classroom unit</source>
        <translation>klasapparaat</translation>
    </message>
</context>
<context>
    <name>SelfView</name>
    <message>
        <source>Your own camera picture</source>
        <translation>Je eigen camerabeeld</translation>
    </message>
    <message>
        <source>Your camera is off</source>
        <translation>Je camera staat uit</translation>
    </message>
</context>
<context>
    <name>SoundCheckView</name>
    <message>
        <source>Say something… ({s} s)</source>
        <translation>Zeg iets… ({s} s)</translation>
    </message>
    <message>
        <source>No speaker on this laptop</source>
        <translation>Geen luidspreker op deze laptop</translation>
    </message>
    <message>
        <source>Listen: the class ({s} s)</source>
        <translation>Luister: de klas ({s} s)</translation>
    </message>
    <message>
        <source>Heard well</source>
        <translation>Goed gehoord</translation>
    </message>
    <message>
        <source>Too soft</source>
        <translation>Te zacht</translation>
    </message>
    <message>
        <source>Nothing heard</source>
        <translation>Niets gehoord</translation>
    </message>
    <message>
        <source>Microphone off</source>
        <translation>Microfoon uit</translation>
    </message>
    <message>
        <source>Class speaker off</source>
        <translation>Luidspreker in de klas uit</translation>
    </message>
    <message>
        <source>The class hears you well.</source>
        <translation>De klas hoort je goed.</translation>
    </message>
    <message>
        <source>The class hears you, but too softly: speak up or move closer to the microphone.</source>
        <translation>De klas hoort je, maar te zacht: praat wat harder of kom dichter bij de microfoon.</translation>
    </message>
    <message>
        <source>The class heard nothing: check that the right microphone is chosen.</source>
        <translation>De klas heeft niets gehoord: kijk of de goede microfoon gekozen is.</translation>
    </message>
    <message>
        <source>Your microphone is off: switch it on and try again.</source>
        <translation>Je microfoon staat uit: zet hem aan en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>Your sound arrives, but the class speaker is off: ask the teacher to turn it up.</source>
        <translation>Je geluid komt aan, maar de luidspreker in de klas staat uit: vraag de leraar om hem harder te zetten.</translation>
    </message>
    <message>
        <source>You cannot hear the class: plug in headphones or a speaker.</source>
        <translation>Je kunt de klas niet horen: sluit een koptelefoon of luidspreker aan.</translation>
    </message>
    <message>
        <source>Does my sound work?</source>
        <translation>Doet mijn geluid het?</translation>
    </message>
    <message>
        <source>Stop the check</source>
        <translation>Stop de controle</translation>
    </message>
    <message>
        <source>The class&apos;s sound</source>
        <translation>Het geluid van de klas</translation>
    </message>
    <message>
        <source>Your sound as the class receives it</source>
        <translation>Jouw geluid zoals de klas het ontvangt</translation>
    </message>
    <message>
        <source>Sound check</source>
        <translation>Geluidscontrole</translation>
    </message>
</context>
<context>
    <name>SpeakerSink</name>
    <message>
        <source>Sound plays through {name}.</source>
        <translation>Het geluid komt uit {name}.</translation>
    </message>
    <message>
        <source>Sound is off.</source>
        <translation>Het geluid staat uit.</translation>
    </message>
    <message>
        <source>No speaker found. The picture keeps working; connect a speaker.</source>
        <translation>Geen luidspreker gevonden. Het beeld blijft werken; sluit een luidspreker aan.</translation>
    </message>
</context>
<context>
    <name>StartPresenceView</name>
    <message>
        <source>How the pupil starts</source>
        <translation>Hoe de leerling begint</translation>
    </message>
    <message>
        <source>Listening (microphone and camera off)</source>
        <translation>Luisteren (microfoon en camera uit)</translation>
    </message>
    <message>
        <source>Voice (microphone on, camera off)</source>
        <translation>Geluid (microfoon aan, camera uit)</translation>
    </message>
    <message>
        <source>Video (microphone and camera on)</source>
        <translation>Beeld (microfoon en camera aan)</translation>
    </message>
    <message>
        <source>Presence level at start</source>
        <translation>Aanwezigheid bij het starten</translation>
    </message>
    <message>
        <source>Used each time Klasgenoot starts. The pupil can change it at any time during the lesson.</source>
        <translation>Geldt elke keer dat Klasgenoot start. De leerling kan het tijdens de les altijd veranderen.</translation>
    </message>
</context>
<context>
    <name>StudentCallView</name>
    <message>
        <source>Lesson</source>
        <translation>Les</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbinding</translation>
    </message>
</context>
<context>
    <name>StudentStatus</name>
    <message>
        <source>Starting…</source>
        <translation>Opstarten…</translation>
    </message>
    <message>
        <source>No connection with the server</source>
        <translation>Geen verbinding met de server</translation>
    </message>
    <message>
        <source>The class is not online yet</source>
        <translation>De klas is nog niet online</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinden…</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbonden</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Verbinding herstellen…</translation>
    </message>
    <message>
        <source>Outside lesson hours</source>
        <translation>Buiten lestijd</translation>
    </message>
    <message>
        <source>You left the lesson</source>
        <translation>Je hebt de les verlaten</translation>
    </message>
    <message>
        <source>The call has ended</source>
        <translation>Het gesprek is beëindigd</translation>
    </message>
    <message>
        <source>An update is needed</source>
        <translation>Er is een update nodig</translation>
    </message>
    <message>
        <source>This Klasgenoot is not trusted</source>
        <translation>Deze Klasgenoot wordt niet vertrouwd</translation>
    </message>
    <message>
        <source>This laptop has been revoked</source>
        <translation>Deze laptop is ingetrokken</translation>
    </message>
    <message>
        <source>Check the Wi-Fi. Klasgenoot keeps trying by itself.</source>
        <translation>Controleer de wifi. Klasgenoot blijft het zelf proberen.</translation>
    </message>
    <message>
        <source>You are connected as soon as the class is there.</source>
        <translation>Je bent verbonden zodra de klas er is.</translation>
    </message>
    <message>
        <source>Just a moment.</source>
        <translation>Een ogenblik.</translation>
    </message>
    <message>
        <source>The connection dropped. Hold on.</source>
        <translation>De verbinding viel weg. Even geduld.</translation>
    </message>
    <message>
        <source>You can join again when class starts.</source>
        <translation>Je kunt weer meedoen als de les begint.</translation>
    </message>
    <message>
        <source>Press “Join again” when you want to be back.</source>
        <translation>Druk op “Opnieuw meedoen” als je terug wilt.</translation>
    </message>
    <message>
        <source>Press “Join again” to go back to class.</source>
        <translation>Druk op “Opnieuw meedoen” om terug te gaan naar de klas.</translation>
    </message>
    <message>
        <source>Ask the helpdesk to update Klasgenoot.</source>
        <translation>Vraag de helpdesk om Klasgenoot bij te werken.</translation>
    </message>
    <message>
        <source>Ask the helpdesk to check the pairing.</source>
        <translation>Vraag de helpdesk om de koppeling te controleren.</translation>
    </message>
    <message>
        <source>Contact the helpdesk. Klasgenoot stops trying until a new pairing is installed.</source>
        <translation>Neem contact op met de helpdesk. Klasgenoot probeert het pas weer als er een nieuwe koppeling is geïnstalleerd.</translation>
    </message>
</context>
<context>
    <name>StudentWindow</name>
    <message>
        <source>Next lesson: {when}</source>
        <translation>Volgende les: {when}</translation>
    </message>
    <message>
        <source>The teacher saw your raised hand.</source>
        <translation>De leraar heeft je opgestoken vinger gezien.</translation>
    </message>
    <message>
        <source>The lesson ends in 5 minutes</source>
        <translation>De les stopt over 5 minuten</translation>
    </message>
    <message>
        <source>The lesson ends in {minutes} minutes</source>
        <translation>De les stopt over {minutes} minuten</translation>
    </message>
    <message>
        <source>The camera is not connected. It comes back by itself when it is plugged in again.</source>
        <translation>De camera is niet aangesloten. Hij doet het weer vanzelf als je hem opnieuw aansluit.</translation>
    </message>
    <message>
        <source>No speaker found: you can see the class but not hear it. Plug in headphones or a speaker.</source>
        <translation>Geen luidspreker gevonden: je ziet de klas, maar je hoort niets. Sluit een koptelefoon of luidspreker aan.</translation>
    </message>
</context>
<context>
    <name>TechnicianView</name>
    <message>
        <source>None found</source>
        <translation>Niets gevonden</translation>
    </message>
    <message>
        <source>Technician mode</source>
        <translation>Technicusmodus</translation>
    </message>
    <message>
        <source>This device</source>
        <translation>Dit apparaat</translation>
    </message>
    <message>
        <source>Camera, microphone and speaker</source>
        <translation>Camera, microfoon en luidspreker</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Device code</source>
        <translation>Apparaatcode</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Pairing</source>
        <translation>Koppeling</translation>
    </message>
    <message>
        <source>Paired with</source>
        <translation>Gekoppeld met</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>Geldig tot</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>CA fingerprint (SHA-256)</source>
        <translation>CA-vingerafdruk (SHA-256)</translation>
    </message>
    <message>
        <source>Key store</source>
        <translation>Sleutelopslag</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Test camera</source>
        <translation>Camera testen</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Microfoon</translation>
    </message>
    <message>
        <source>Test microphone</source>
        <translation>Microfoon testen</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Luidspreker</translation>
    </message>
    <message>
        <source>Test speaker</source>
        <translation>Luidspreker testen</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Testen</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <source>Back to the call</source>
        <translation>Terug naar het gesprek</translation>
    </message>
    <message>
        <source>What this device keeps</source>
        <translation>Wat dit apparaat bewaart</translation>
    </message>
    <message>
        <source>School hours and features</source>
        <translation>Schooltijden en functies</translation>
    </message>
    <message>
        <source>Network test</source>
        <translation>Netwerktest</translation>
    </message>
    <message>
        <source>Exit to desktop</source>
        <translation>Naar het bureaublad</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>No picture yet</source>
        <translation>Nog geen beeld</translation>
    </message>
</context>
<context>
    <name>ViewOverviewWidget</name>
    <message>
        <source>The pupil sees the whole class</source>
        <translation>De leerling ziet de hele klas</translation>
    </message>
    <message>
        <source>The pupil looks at part of the class, zoomed {zoom}×</source>
        <translation>De leerling kijkt naar een deel van de klas, {zoom}× ingezoomd</translation>
    </message>
</context>
<context>
    <name>VolumeView</name>
    <message>
        <source>Volume</source>
        <translation>Volume</translation>
    </message>
    <message>
        <source>Volume down</source>
        <translation>Zachter</translation>
    </message>
    <message>
        <source>Volume up</source>
        <translation>Harder</translation>
    </message>
    <message>
        <source>No speaker found</source>
        <translation>Geen luidspreker gevonden</translation>
    </message>
    <message>
        <source>{percent} %</source>
        <translation>{percent} %</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Beide aanvragen komen van hetzelfde apparaat. Een koppeling is altijd een leerlinglaptop met een klasapparaat.</source>
        <translation>Beide aanvragen komen van hetzelfde apparaat. Een koppeling is altijd een leerlinglaptop met een klasapparaat.</translation>
    </message>
    <message>
        <source>Dat apparaat of die koppeling was al ingetrokken. Er is niets veranderd.</source>
        <translation>Dat apparaat of die koppeling was al ingetrokken. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>Dat is geen geldige apparaatcode. Controleer de tekens en probeer het opnieuw.</source>
        <translation>Dat is geen geldige apparaatcode. Controleer de tekens en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>De beheermap van de vloot is niet bruikbaar.</source>
        <translation>De beheermap van de vloot is niet bruikbaar.</translation>
    </message>
    <message>
        <source>De database met de logboeken van dit apparaat is beschadigd. Wis de logboeken: de beschadigde database wordt dan in zijn geheel verwijderd, met het auditlogboek erin.</source>
        <translation>De database met de logboeken van dit apparaat is beschadigd. Wis de logboeken: de beschadigde database wordt dan in zijn geheel verwijderd, met het auditlogboek erin.</translation>
    </message>
    <message>
        <source>De demo kwam niet op gang: er kwam geen beeld aan. Probeer het opnieuw.</source>
        <translation>De demo kwam niet op gang: er kwam geen beeld aan. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>De einddatum moet vandaag of later zijn en hoogstens 13 maanden vooruit liggen.</source>
        <translation>De einddatum moet vandaag of later zijn en hoogstens 13 maanden vooruit liggen.</translation>
    </message>
    <message>
        <source>De export kon niet worden geschreven. Controleer de map of de USB-stick en probeer het opnieuw.</source>
        <translation>De export kon niet worden geschreven. Controleer de map of de USB-stick en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>De instelling kon niet worden opgeslagen. Controleer of de schijf vol of schrijfbeveiligd is.</source>
        <translation>De instelling kon niet worden opgeslagen. Controleer of de schijf vol of schrijfbeveiligd is.</translation>
    </message>
    <message>
        <source>De instellingen van dit apparaat zijn beschadigd. Laat het apparaat opnieuw inrichten.</source>
        <translation>De instellingen van dit apparaat zijn beschadigd. Laat het apparaat opnieuw inrichten.</translation>
    </message>
    <message>
        <source>De intrekkingslijst is niet geldig en is genegeerd.</source>
        <translation>De intrekkingslijst is niet geldig en is genegeerd.</translation>
    </message>
    <message>
        <source>De lestijden zijn niet geldig. Er is niets veranderd; controleer de invoer.</source>
        <translation>De lestijden zijn niet geldig. Er is niets veranderd; controleer de invoer.</translation>
    </message>
    <message>
        <source>De naam of het adres van de signaleringsserver of de lijst met ICE-servers klopt niet.</source>
        <translation>De naam of het adres van de signaleringsserver of de lijst met ICE-servers klopt niet.</translation>
    </message>
    <message>
        <source>De pincode moet uit 4 tot 12 cijfers bestaan.</source>
        <translation>De pincode moet uit 4 tot 12 cijfers bestaan.</translation>
    </message>
    <message>
        <source>De schermafbeeldingen konden niet worden opgeslagen. Controleer de map.</source>
        <translation>De schermafbeeldingen konden niet worden opgeslagen. Controleer de map.</translation>
    </message>
    <message>
        <source>De servermap is niet compleet of niet leesbaar. Controleer de vlootbestanden.</source>
        <translation>De servermap is niet compleet of niet leesbaar. Controleer de vlootbestanden.</translation>
    </message>
    <message>
        <source>De sleutel van dit apparaat in de sleutelbos is beschadigd. Laat het apparaat opnieuw inrichten.</source>
        <translation>De sleutel van dit apparaat in de sleutelbos is beschadigd. Laat het apparaat opnieuw inrichten.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op dat adres en die poort.</source>
        <translation>De server kan niet luisteren op dat adres en die poort.</translation>
    </message>
    <message>
        <source>De gekozen sleutelopslag van dit apparaat is onbekend of beschadigd. Kies &apos;keyring&apos;, &apos;systemd-creds&apos; of &apos;dev-file&apos;. Er is niets veranderd.</source>
        <translation>De gekozen sleutelopslag van dit apparaat is onbekend of beschadigd. Kies &apos;keyring&apos;, &apos;systemd-creds&apos; of &apos;dev-file&apos;. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>De helpdeskserver is niet bereikbaar. Controleer het adres en de netwerkverbinding.</source>
        <translation>De helpdeskserver is niet bereikbaar. Controleer het adres en de netwerkverbinding.</translation>
    </message>
    <message>
        <source>De helpdeskserver weigerde deze aanvraag. Er is niets veranderd.</source>
        <translation>De helpdeskserver weigerde deze aanvraag. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>De instellingen voor de TURN-server kloppen niet (naam, poort, IP-adres of adresbereik). Er is niets veranderd.</source>
        <translation>De instellingen voor de TURN-server kloppen niet (naam, poort, IP-adres of adresbereik). Er is niets veranderd.</translation>
    </message>
    <message>
        <source>De intrekkingslijst zou te groot worden voor de servers en de apparaten: er zijn te veel geldige certificaten ingetrokken. Er is niets veranderd.</source>
        <translation>De intrekkingslijst zou te groot worden voor de servers en de apparaten: er zijn te veel geldige certificaten ingetrokken. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>De koppeling is nog niet actief: het andere apparaat is nog niet ingeschreven of de toestemming is nog niet vastgelegd. Dit apparaat is aangemeld: probeer het daarna opnieuw met dezelfde code.</source>
        <translation>De koppeling is nog niet actief: het andere apparaat is nog niet ingeschreven of de toestemming is nog niet vastgelegd. Dit apparaat is aangemeld: probeer het daarna opnieuw met dezelfde code.</translation>
    </message>
    <message>
        <source>De server gaf geen TURN-inloggegevens.</source>
        <translation>De server gaf geen TURN-inloggegevens.</translation>
    </message>
    <message>
        <source>De server heeft geen TURN-geheim: de beheerder heeft `fleet turn` nog niet gedaan.</source>
        <translation>De server heeft geen TURN-geheim: de beheerder heeft `fleet turn` nog niet gedaan.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op dat adres: het hoort niet bij deze computer. Kies een adres van deze computer, of * voor alle adressen.</source>
        <translation>De server kan niet luisteren op dat adres: het hoort niet bij deze computer. Kies een adres van deze computer, of * voor alle adressen.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op die naam: die is onbekend. Kies een adres van deze computer, of * voor alle adressen.</source>
        <translation>De server kan niet luisteren op die naam: die is onbekend. Kies een adres van deze computer, of * voor alle adressen.</translation>
    </message>
    <message>
        <source>De server kan niet luisteren op die poort: een ander programma gebruikt hem al. Stop dat programma of kies een andere poort.</source>
        <translation>De server kan niet luisteren op die poort: een ander programma gebruikt hem al. Stop dat programma of kies een andere poort.</translation>
    </message>
    <message>
        <source>De server kan zijn logboekmap niet aanmaken of beschrijven. Controleer de rechten van de map state in de servermap.</source>
        <translation>De server kan zijn logboekmap niet aanmaken of beschrijven. Controleer de rechten van de map state in de servermap.</translation>
    </message>
    <message>
        <source>De server mag niet luisteren op die poort. Poorten onder 1024 vragen extra rechten: kies een hogere poort.</source>
        <translation>De server mag niet luisteren op die poort. Poorten onder 1024 vragen extra rechten: kies een hogere poort.</translation>
    </message>
    <message>
        <source>De server weigert dit apparaat (certificaat ingetrokken of verlopen?).</source>
        <translation>De server weigert dit apparaat (certificaat ingetrokken of verlopen?).</translation>
    </message>
    <message>
        <source>De sleutel van dit apparaat kon niet versleuteld worden opgeslagen (systemd-creds). Controleer of klasgenoot-kiosk-seal.path actief is, of richt het apparaat in met &apos;sudo klasgenoot enroll request&apos;. Er is niets opgeslagen.</source>
        <translation>De sleutel van dit apparaat kon niet versleuteld worden opgeslagen (systemd-creds). Controleer of klasgenoot-kiosk-seal.path actief is, of richt het apparaat in met &apos;sudo klasgenoot enroll request&apos;. Er is niets opgeslagen.</translation>
    </message>
    <message>
        <source>De sleutel van dit apparaat kon niet worden ontsleuteld: het versleutelde bestand hoort bij een andere computer, de TPM-chip is gewist of vervangen, of het bestand is beschadigd. Herstart het apparaat; blijft deze melding, wis het apparaat dan en richt het opnieuw in.</source>
        <translation>De sleutel van dit apparaat kon niet worden ontsleuteld: het versleutelde bestand hoort bij een andere computer, de TPM-chip is gewist of vervangen, of het bestand is beschadigd. Herstart het apparaat; blijft deze melding, wis het apparaat dan en richt het opnieuw in.</translation>
    </message>
    <message>
        <source>De sleutel van het auditlogboek ontbreekt, dus het auditlogboek kan niet worden gecontroleerd en er wordt niets meer aan toegevoegd. Zet de sleutel terug in de sleutelbos of neem contact op met de helpdesk.</source>
        <translation>De sleutel van het auditlogboek ontbreekt, dus het auditlogboek kan niet worden gecontroleerd en er wordt niets meer aan toegevoegd. Zet de sleutel terug in de sleutelbos of neem contact op met de helpdesk.</translation>
    </message>
    <message>
        <source>De sleutelbos van dit systeem is niet bereikbaar of vergrendeld. Ontgrendel hem en probeer het opnieuw.</source>
        <translation>De sleutelbos van dit systeem is niet bereikbaar of vergrendeld. Ontgrendel hem en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>De sleutelbos van dit systeem is niet veilig (bijvoorbeeld onversleuteld of uitgeschakeld). Gebruik een echte sleutelbos, zoals GNOME Keyring, KWallet of Windows Referentiebeheer.</source>
        <translation>De sleutelbos van dit systeem is niet veilig (bijvoorbeeld onversleuteld of uitgeschakeld). Gebruik een echte sleutelbos, zoals GNOME Keyring, KWallet of Windows Referentiebeheer.</translation>
    </message>
    <message>
        <source>De twee pincodes zijn niet gelijk. Typ dezelfde pincode twee keer.</source>
        <translation>De twee pincodes zijn niet gelijk. Typ dezelfde pincode twee keer.</translation>
    </message>
    <message>
        <source>De twee wachtwoorden zijn niet gelijk. Er is niets veranderd.</source>
        <translation>De twee wachtwoorden zijn niet gelijk. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>De verbinding kon niet worden opgezet. Probeer het opnieuw.</source>
        <translation>De verbinding kon niet worden opgezet. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>De vingerafdruk van de server klopt niet met die van de helpdesk. Er is niets veranderd: schrijf dit apparaat niet in en bel de helpdesk.</source>
        <translation>De vingerafdruk van de server klopt niet met die van de helpdesk. Er is niets veranderd: schrijf dit apparaat niet in en bel de helpdesk.</translation>
    </message>
    <message>
        <source>Deze gegevens zijn beschadigd of te groot en zijn niet gebruikt.</source>
        <translation>Deze gegevens zijn beschadigd of te groot en zijn niet gebruikt.</translation>
    </message>
    <message>
        <source>Deze wijziging kan zo niet in het auditlogboek worden vastgelegd.</source>
        <translation>Deze wijziging kan zo niet in het auditlogboek worden vastgelegd.</translation>
    </message>
    <message>
        <source>Die bewaartermijn klopt niet. Kies een aantal dagen tussen 1 en 183.</source>
        <translation>Die bewaartermijn klopt niet. Kies een aantal dagen tussen 1 en 183.</translation>
    </message>
    <message>
        <source>Die code is niet geldig: verkeerd, al gebruikt, ingetrokken of verlopen. Vraag de helpdesk om een nieuwe code. Er is niets veranderd.</source>
        <translation>Die code is niet geldig: verkeerd, al gebruikt, ingetrokken of verlopen. Vraag de helpdesk om een nieuwe code. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>Die code is niet goed overgenomen: een teken klopt niet. Controleer de code en probeer het opnieuw.</source>
        <translation>Die code is niet goed overgenomen: een teken klopt niet. Controleer de code en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>Die datum klopt niet. Schrijf hem als JJJJ-MM-DD, bijvoorbeeld 2026-07-01.</source>
        <translation>Die datum klopt niet. Schrijf hem als JJJJ-MM-DD, bijvoorbeeld 2026-07-01.</translation>
    </message>
    <message>
        <source>Die demomap hoort bij een demo met een ander netwerk (wel of geen --network). Kies een nieuwe, lege map.</source>
        <translation>Die demomap hoort bij een demo met een ander netwerk (wel of geen --network). Kies een nieuwe, lege map.</translation>
    </message>
    <message>
        <source>Die demomap is onvolledig of beschadigd. Kies een nieuwe, lege map.</source>
        <translation>Die demomap is onvolledig of beschadigd. Kies een nieuwe, lege map.</translation>
    </message>
    <message>
        <source>Die instellingenmap bestaat niet, dus daar staat geen apparaat. Controleer de map na --config.</source>
        <translation>Die instellingenmap bestaat niet, dus daar staat geen apparaat. Controleer de map na --config.</translation>
    </message>
    <message>
        <source>Die korte apparaatcode past bij meer dan één apparaat van deze vloot. Geef de volledige apparaatcode (acht groepen van zeven tekens, zoals &apos;fleet pair&apos; ze toonde en issued.json ze bewaart). Er is niets ingetrokken.</source>
        <translation>Die korte apparaatcode past bij meer dan één apparaat van deze vloot. Geef de volledige apparaatcode (acht groepen van zeven tekens, zoals &apos;fleet pair&apos; ze toonde en issued.json ze bewaart). Er is niets ingetrokken.</translation>
    </message>
    <message>
        <source>Die map is niet leeg en bevat geen Klasgenoot-demo. Kies een lege map.</source>
        <translation>Die map is niet leeg en bevat geen Klasgenoot-demo. Kies een lege map.</translation>
    </message>
    <message>
        <source>Dit aanvraagbestand is niet geldig. Maak op het apparaat een nieuwe aanvraag.</source>
        <translation>Dit aanvraagbestand is niet geldig. Maak op het apparaat een nieuwe aanvraag.</translation>
    </message>
    <message>
        <source>Dit apparaat bewaart zijn sleutel al in een andere sleutelopslag. Wis het apparaat eerst als de sleutel ergens anders moet komen. Er is niets veranderd.</source>
        <translation>Dit apparaat bewaart zijn sleutel al in een andere sleutelopslag. Wis het apparaat eerst als de sleutel ergens anders moet komen. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>Dit apparaat heeft nog geen sleutel. Maak eerst een aanvraag met &apos;klasgenoot enroll request&apos;.</source>
        <translation>Dit apparaat heeft nog geen sleutel. Maak eerst een aanvraag met &apos;klasgenoot enroll request&apos;.</translation>
    </message>
    <message>
        <source>Dit apparaat is al ingericht voor de andere rol. Gebruik een nieuwe instellingenmap of wis het apparaat eerst.</source>
        <translation>Dit apparaat is al ingericht voor de andere rol. Gebruik een nieuwe instellingenmap of wis het apparaat eerst.</translation>
    </message>
    <message>
        <source>Dit apparaat is nog niet gekoppeld. Laat een technicus het apparaat inrichten.</source>
        <translation>Dit apparaat is nog niet gekoppeld. Laat een technicus het apparaat inrichten.</translation>
    </message>
    <message>
        <source>Dit is een aanmeldverzoek (.csr), niet het koppelbestand. Kies het bestand dat u van de beheerder terugkreeg: het eindigt op .klasgenoot.</source>
        <translation>Dit is een aanmeldverzoek (.csr), niet het koppelbestand. Kies het bestand dat u van de beheerder terugkreeg: het eindigt op .klasgenoot.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is niet geldig of beschadigd. Vraag de beheerder om een nieuw bestand.</source>
        <translation>Dit koppelbestand is niet geldig of beschadigd. Vraag de beheerder om een nieuw bestand.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is verlopen of nog niet geldig. Vraag de beheerder om een nieuw bestand.</source>
        <translation>Dit koppelbestand is verlopen of nog niet geldig. Vraag de beheerder om een nieuw bestand.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is voor de andere rol gemaakt (leerling of klas). Controleer of u het goede bestand op het goede apparaat installeert.</source>
        <translation>Dit koppelbestand is voor de andere rol gemaakt (leerling of klas). Controleer of u het goede bestand op het goede apparaat installeert.</translation>
    </message>
    <message>
        <source>Dit koppelbestand is voor een ander apparaat gemaakt. Controleer of u het goede bestand op het goede apparaat installeert.</source>
        <translation>Dit koppelbestand is voor een ander apparaat gemaakt. Controleer of u het goede bestand op het goede apparaat installeert.</translation>
    </message>
    <message>
        <source>Een aanvraagbestand hoort bij de andere rol. Controleer welk bestand van de leerlinglaptop en welk van het klasapparaat komt.</source>
        <translation>Een aanvraagbestand hoort bij de andere rol. Controleer welk bestand van de leerlinglaptop en welk van het klasapparaat komt.</translation>
    </message>
    <message>
        <source>Een bericht van een andere serverinstantie klopte niet en is genegeerd.</source>
        <translation>Een bericht van een andere serverinstantie klopte niet en is genegeerd.</translation>
    </message>
    <message>
        <source>Een bericht van het andere apparaat was ongeldig en is genegeerd.</source>
        <translation>Een bericht van het andere apparaat was ongeldig en is genegeerd.</translation>
    </message>
    <message>
        <source>Een bestand in de beheermap van de vloot is beschadigd. Zet de reservekopie terug.</source>
        <translation>Een bestand in de beheermap van de vloot is beschadigd. Zet de reservekopie terug.</translation>
    </message>
    <message>
        <source>Een bestand of map kon niet worden gelezen of geschreven. Controleer de naam en de rechten.</source>
        <translation>Een bestand of map kon niet worden gelezen of geschreven. Controleer de naam en de rechten.</translation>
    </message>
    <message>
        <source>Een demo over het netwerklab draait zonder vensters en zonder --exercise, --room, --screenshots of --camera.</source>
        <translation>Een demo over het netwerklab draait zonder vensters en zonder --exercise, --room, --screenshots of --camera.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de koppeling van dit apparaat.</source>
        <translation>Er ging iets mis met de koppeling van dit apparaat.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de logboeken van dit apparaat.</source>
        <translation>Er ging iets mis met de logboeken van dit apparaat.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de pincode van de technicus.</source>
        <translation>Er ging iets mis met de pincode van de technicus.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de verbinding met de Klasgenoot-server.</source>
        <translation>Er ging iets mis met de verbinding met de Klasgenoot-server.</translation>
    </message>
    <message>
        <source>Er ging iets mis met de verbinding met het andere apparaat.</source>
        <translation>Er ging iets mis met de verbinding met het andere apparaat.</translation>
    </message>
    <message>
        <source>Er ging iets mis. Probeer het opnieuw of neem contact op met de helpdesk.</source>
        <translation>Er ging iets mis. Probeer het opnieuw of neem contact op met de helpdesk.</translation>
    </message>
    <message>
        <source>Er is geen apparaat of koppeling met die code gevonden. Er is niets ingetrokken.</source>
        <translation>Er is geen apparaat of koppeling met die code gevonden. Er is niets ingetrokken.</translation>
    </message>
    <message>
        <source>Er is geen wachtwoord voor de vloot-CA opgegeven. Er is niets veranderd.</source>
        <translation>Er is geen wachtwoord voor de vloot-CA opgegeven. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>Er kwam een bericht binnen dat niet klopt. Het is genegeerd.</source>
        <translation>Er kwam een bericht binnen dat niet klopt. Het is genegeerd.</translation>
    </message>
    <message>
        <source>Geef na --out een bestandsnaam of een bestaande map op, bijvoorbeeld die van de USB-stick.</source>
        <translation>Geef na --out een bestandsnaam of een bestaande map op, bijvoorbeeld die van de USB-stick.</translation>
    </message>
    <message>
        <source>Het Redis-adres kan niet uit het bestand van --redis-file worden gelezen. Zet er één regel in, alleen het adres, bijvoorbeeld rediss://:WACHTWOORD@HOST:6380/0, en maak het leesbaar voor de server.</source>
        <translation>Het Redis-adres kan niet uit het bestand van --redis-file worden gelezen. Zet er één regel in, alleen het adres, bijvoorbeeld rediss://:WACHTWOORD@HOST:6380/0, en maak het leesbaar voor de server.</translation>
    </message>
    <message>
        <source>Het Redis-adres klopt niet. Gebruik redis://HOST:POORT, rediss://HOST:POORT (met TLS) of unix:///PAD, eventueel met een wachtwoord: redis://:WACHTWOORD@HOST:POORT.</source>
        <translation>Het Redis-adres klopt niet. Gebruik redis://HOST:POORT, rediss://HOST:POORT (met TLS) of unix:///PAD, eventueel met een wachtwoord: redis://:WACHTWOORD@HOST:POORT.</translation>
    </message>
    <message>
        <source>Het Redis-adres zet de controle van het TLS-certificaat van Redis (deels) uit. Dat staat de server niet toe. Haal ssl_cert_reqs, ssl_check_hostname en ssl_exclude_verify_flags uit het adres; geef voor een eigen CA ssl_ca_certs=PAD op.</source>
        <translation>Het Redis-adres zet de controle van het TLS-certificaat van Redis (deels) uit. Dat staat de server niet toe. Haal ssl_cert_reqs, ssl_check_hostname en ssl_exclude_verify_flags uit het adres; geef voor een eigen CA ssl_ca_certs=PAD op.</translation>
    </message>
    <message>
        <source>Het adres van de helpdesk is niet bekend op dit apparaat. Geef het op met --url.</source>
        <translation>Het adres van de helpdesk is niet bekend op dit apparaat. Geef het op met --url.</translation>
    </message>
    <message>
        <source>Het andere apparaat gebruikt een andere versie. Een update is nodig.</source>
        <translation>Het andere apparaat gebruikt een andere versie. Een update is nodig.</translation>
    </message>
    <message>
        <source>Het andere apparaat kon niet worden vertrouwd. De verbinding is geweigerd.</source>
        <translation>Het andere apparaat kon niet worden vertrouwd. De verbinding is geweigerd.</translation>
    </message>
    <message>
        <source>Het antwoord van de server op de vraag om TURN-inloggegevens klopt niet.</source>
        <translation>Het antwoord van de server op de vraag om TURN-inloggegevens klopt niet.</translation>
    </message>
    <message>
        <source>Het apparaat is niet volledig gewist. Sluit Klasgenoot af en probeer het opnieuw; lukt het dan nog niet, neem contact op met de helpdesk.</source>
        <translation>Het apparaat is niet volledig gewist. Sluit Klasgenoot af en probeer het opnieuw; lukt het dan nog niet, neem contact op met de helpdesk.</translation>
    </message>
    <message>
        <source>Het auditlogboek is gewijzigd of beschadigd: vanaf het genoemde record klopt het niet meer.</source>
        <translation>Het auditlogboek is gewijzigd of beschadigd: vanaf het genoemde record klopt het niet meer.</translation>
    </message>
    <message>
        <source>Het auditlogboek kan nu niet worden bijgewerkt. Probeer het opnieuw.</source>
        <translation>Het auditlogboek kan nu niet worden bijgewerkt. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>Het auditlogboek kan nu niet worden gelezen. Probeer het opnieuw.</source>
        <translation>Het auditlogboek kan nu niet worden gelezen. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>Het bericht is te groot om via de server te versturen.</source>
        <translation>Het bericht is te groot om via de server te versturen.</translation>
    </message>
    <message>
        <source>Het certificaat van dit apparaat is niet geldig.</source>
        <translation>Het certificaat van dit apparaat is niet geldig.</translation>
    </message>
    <message>
        <source>Het logboek van dit apparaat kan nu niet worden gelezen of geschreven. Probeer het opnieuw; helpt dat niet, wis dan de logboeken.</source>
        <translation>Het logboek van dit apparaat kan nu niet worden gelezen of geschreven. Probeer het opnieuw; helpt dat niet, wis dan de logboeken.</translation>
    </message>
    <message>
        <source>Het programma systemd-creds ontbreekt op dit apparaat. Installeer het pakket systemd (versie 250 of nieuwer) of kies een andere sleutelopslag.</source>
        <translation>Het programma systemd-creds ontbreekt op dit apparaat. Installeer het pakket systemd (versie 250 of nieuwer) of kies een andere sleutelopslag.</translation>
    </message>
    <message>
        <source>Het rapport kon niet worden geschreven. Controleer de map en de rechten.</source>
        <translation>Het rapport kon niet worden geschreven. Controleer de map en de rechten.</translation>
    </message>
    <message>
        <source>Het wachtwoord van de vloot-CA klopt niet.</source>
        <translation>Het wachtwoord van de vloot-CA klopt niet.</translation>
    </message>
    <message>
        <source>Het wachtwoord van de vloot-CA moet minstens 12 tekens lang zijn.</source>
        <translation>Het wachtwoord van de vloot-CA moet minstens 12 tekens lang zijn.</translation>
    </message>
    <message>
        <source>In deze map staan al andere bestanden, maar geen vloot. Maak een nieuwe vloot in een lege of nieuwe map; er is niets veranderd.</source>
        <translation>In deze map staan al andere bestanden, maar geen vloot. Maak een nieuwe vloot in een lege of nieuwe map; er is niets veranderd.</translation>
    </message>
    <message>
        <source>In deze map staat al een vloot. Een bestaande vloot wordt nooit overschreven; kies een lege map.</source>
        <translation>In deze map staat al een vloot. Een bestaande vloot wordt nooit overschreven; kies een lege map.</translation>
    </message>
    <message>
        <source>In deze map staat geen vloot. Maak er eerst een met &apos;klasgenoot fleet init&apos;.</source>
        <translation>In deze map staat geen vloot. Maak er eerst een met &apos;klasgenoot fleet init&apos;.</translation>
    </message>
    <message>
        <source>Inschrijven met een code is niet gelukt.</source>
        <translation>Inschrijven met een code is niet gelukt.</translation>
    </message>
    <message>
        <source>Klasgenoot draait al met deze instellingenmap. Er kan maar één tegelijk draaien: dit tweede exemplaar stopt en maakt geen verbinding.</source>
        <translation>Klasgenoot draait al met deze instellingenmap. Er kan maar één tegelijk draaien: dit tweede exemplaar stopt en maakt geen verbinding.</translation>
    </message>
    <message>
        <source>Klasgenoot kon niet starten met deze instellingenmap.</source>
        <translation>Klasgenoot kon niet starten met deze instellingenmap.</translation>
    </message>
    <message>
        <source>Meer dan één server kan alleen in de demo zonder vensters op loopback: gebruik --headless en laat --network weg.</source>
        <translation>Meer dan één server kan alleen in de demo zonder vensters op loopback: gebruik --headless en laat --network weg.</translation>
    </message>
    <message>
        <source>Niet alles kon worden gewist. Sluit Klasgenoot af en probeer het opnieuw.</source>
        <translation>Niet alles kon worden gewist. Sluit Klasgenoot af en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>Schermafbeeldingen kunnen alleen met synthetisch beeld: er wordt nooit een beeld van een echte klas of leerling opgeslagen. Laat --camera weg.</source>
        <translation>Schermafbeeldingen kunnen alleen met synthetisch beeld: er wordt nooit een beeld van een echte klas of leerling opgeslagen. Laat --camera weg.</translation>
    </message>
    <message>
        <source>Schermafbeeldingen kunnen alleen met vensters: laat --headless weg.</source>
        <translation>Schermafbeeldingen kunnen alleen met vensters: laat --headless weg.</translation>
    </message>
    <message>
        <source>Te veel verkeerde codes vanaf dit adres. Wacht een kwartier en probeer het opnieuw.</source>
        <translation>Te veel verkeerde codes vanaf dit adres. Wacht een kwartier en probeer het opnieuw.</translation>
    </message>
    <message>
        <source>Verbindingslogboeken mogen hoogstens 183 dagen bewaard worden. Kies een kortere bewaartermijn.</source>
        <translation>Verbindingslogboeken mogen hoogstens 183 dagen bewaard worden. Kies een kortere bewaartermijn.</translation>
    </message>
    <message>
        <source>Voor deze vloot is nog geen TURN-server ingesteld. Doe dat eerst met &apos;klasgenoot fleet turn&apos;.</source>
        <translation>Voor deze vloot is nog geen TURN-server ingesteld. Doe dat eerst met &apos;klasgenoot fleet turn&apos;.</translation>
    </message>
    <message>
        <source>Voor meer dan één server heeft de demo redis-server nodig. Installeer het pakket redis-server (./dev setup doet dat).</source>
        <translation>Voor meer dan één server heeft de demo redis-server nodig. Installeer het pakket redis-server (./dev setup doet dat).</translation>
    </message>
</context>
</TS>
