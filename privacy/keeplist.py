"""The list "What this device keeps" (Wat dit apparaat bewaart), made from the schema.

The list of tables and columns comes from the database schema itself
(privacy.schema.current_schema), the words from :data:`MEANINGS`; a column
without words, or words for a column that no longer exists, fails
tests/unit/test_privacy_keeplist.py, so the list people read cannot drift from
what is stored. docs/privacy.md embeds :func:`render_markdown` (checked by a test).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from privacy.retention import AUDIT_MONTHS, Retention
from privacy.schema import SUMMARIES, current_schema

logger = logging.getLogger(__name__)

Words = tuple[str, str]  # (Dutch, English)


def _summary(name: str, words: Words) -> dict[str, Words]:
    parts = {"min": ("laagste", "lowest"), "avg": ("gemiddelde", "average"),
             "max": ("hoogste", "highest")}  # fmt: skip
    return {
        f"{name}_{part}": (
            f"{words[0]}: {nl} over de seconden van het gesprek",
            f"{words[1]}: {en} over the seconds of the call",
        )
        for part, (nl, en) in parts.items()
    }


_SUMMARY_WORDS: dict[str, Words] = {
    "bitrate_out_kbps": ("verzonden bitrate (kbit/s)", "bitrate sent (kbit/s)"),
    "bitrate_in_kbps": ("ontvangen bitrate (kbit/s)", "bitrate received (kbit/s)"),
    "packet_loss_pct": ("pakketverlies van wat binnenkwam (%)", "packet loss of what came in (%)"),
    "rtt_ms": ("rondreistijd van het netwerk (ms)", "network round-trip time (ms)"),
    "fps_out": ("verzonden beelden per seconde", "video frames sent per second"),
    "fps_in": ("ontvangen beelden per seconde", "video frames received per second"),
}

MEANINGS: dict[str, dict[str, Words]] = {
    "sessions": {
        "id": ("volgnummer van de verbinding", "sequence number of the call"),
        "role": ("rol van dit apparaat: leerling of klas",
                 "this device's role: student or classroom"),
        "peer_short": ("eerste 7 tekens van de apparaatcode van het gekoppelde apparaat",
                       "first 7 characters of the paired device's DeviceId"),
        "started_at": ("begin van de verbinding (UTC)", "when the call began (UTC)"),
        "connected_at": ("eerste moment dat beeld en geluid konden stromen",
                         "when media could first flow"),
        "ended_at": ("einde van de verbinding", "when the call ended"),
        "end_reason": ("reden van het einde, uit een vaste lijst (bijv. hangup_local)",
                       "why it ended, from a fixed list (e.g. hangup_local)"),
        "setup_ms": ("tijd om de eerste verbinding op te zetten (ms)",
                     "time to set up the first connection (ms)"),
        "candidate_type": ("netwerkpad: host (direct), srflx/prflx (via NAT) of relay (TURN)",
                           "network path: host (direct), srflx/prflx (via NAT) or relay (TURN)"),
        "relay_protocol": ("hoe dit apparaat de relay bereikte: udp, tcp of tls (geen adres)",
                           "how this device reached the relay: udp, tcp or tls (no address)"),
        "bytes_out": ("aantal verzonden bytes", "bytes sent"),
        "bytes_in": ("aantal ontvangen bytes", "bytes received"),
        **{k: v for name in SUMMARIES for k, v in _summary(name, _SUMMARY_WORDS[name]).items()},
        "freezes": ("aantal keer dat het ontvangen beeld langer dan 0,5 s stilstond",
                    "times the received video stood still for more than 0.5 s"),
        "reconnects": ("aantal keer opnieuw verbonden", "times the call reconnected"),
    },
    "events": {
        "id": ("volgnummer van de gebeurtenis", "sequence number of the event"),
        "at": ("tijdstip (UTC)", "time (UTC)"),
        "session_id": ("bij welke verbinding (leeg: buiten een verbinding)",
                       "which call it belongs to (empty: outside a call)"),
        "kind": ("soort gebeurtenis, uit een vaste lijst (bijv. signaling_up, ice_state)",
                 "kind of event, from a fixed list (e.g. signaling_up, ice_state)"),
        "code": ("detail uit een vaste lijst (bijv. de ICE-toestand), of leeg",
                 "detail from a fixed list (e.g. the ICE state), or empty"),
    },
    "audit": {
        "id": ("volgnummer (doorlopend: een ontbrekend nummer valt op)",
               "sequence number (consecutive: a missing one shows)"),
        "at": ("tijdstip (UTC)", "time (UTC)"),
        "actor": ("rol van wie het deed: technicus, leraar, leerling, beheerder of systeem",
                  "role of who did it: technician, teacher, pupil, operator or system"),
        "action": ("wat er gedaan is, uit een vaste lijst (bijv. setting_changed)",
                   "what was done, from a fixed list (e.g. setting_changed)"),
        "setting": ("naam van de gewijzigde instelling", "name of the setting changed"),
        "sensitive": ("gevoelige instelling: dan worden de waarden niet bewaard",
                      "sensitive setting: its values are then not kept"),
        "old_value": ("oude waarde (alleen bij niet-gevoelige instellingen, max. 64 tekens)",
                      "old value (non-sensitive settings only, at most 64 characters)"),
        "new_value": ("nieuwe waarde (idem)", "new value (likewise)"),
        "mac": ("HMAC-SHA256-schakel die wijzigen of weghalen van records aantoont",
                "HMAC-SHA256 chain link that shows records being changed or removed"),
    },
    "audit_anchor": {
        "id": ("altijd 1: er is één anker", "always 1: there is one anchor"),
        "last_id": ("nummer van het laatste opgeschoonde auditrecord",
                    "number of the last audit record purged"),
        "last_mac": ("de schakel van dat record, waarop de rest aansluit",
                     "that record's chain link, which the rest continues from"),
        "purged_before": ("records van vóór dit tijdstip zijn opgeschoond",
                          "records before this time have been purged"),
        "mac": ("HMAC over het anker, zodat het niet te vervalsen is",
                "HMAC over the anchor, so it cannot be forged"),
    },
}  # fmt: skip

TABLES: dict[str, Words] = {
    "sessions": ("Verbindingen: één regel per gesprek", "Sessions: one row per call"),
    "events": ("Gebeurtenissen tijdens en tussen verbindingen", "Events during and between calls"),
    "audit": ("Auditlogboek: wie wat heeft gewijzigd", "Audit trail: who changed what"),
    "audit_anchor": ("Anker van het opgeschoonde auditlogboek", "Anchor of the purged audit trail"),
}


@dataclass(frozen=True, slots=True)
class KeptField:
    column: str
    nl: str
    en: str


@dataclass(frozen=True, slots=True)
class KeptTable:
    name: str
    nl: str
    en: str
    retention_nl: str
    retention_en: str
    fields: tuple[KeptField, ...]


def _retention(table: str, retention: Retention) -> Words:
    if table in ("sessions", "events"):
        days = retention.connection_days
        return f"{days} dagen", f"{days} days"
    if table == "audit":
        return f"{AUDIT_MONTHS} maanden", f"{AUDIT_MONTHS} months"
    return "tot het wissen van het apparaat", "until the device is wiped"


def keeplist(retention: Retention | None = None) -> tuple[KeptTable, ...]:
    """Every table and column of the current schema with what it means."""
    retention = retention or Retention()
    out = []
    for table, columns in current_schema().items():
        words = MEANINGS.get(table, {})
        fields = []
        for column in columns:
            nl, en = words.get(column, ("(geen beschrijving)", "(no description)"))
            if column not in words:
                logger.warning("keeplist: no description for %s.%s", table, column)
            fields.append(KeptField(column, nl, en))
        nl, en = TABLES.get(table, (table, table))
        kept_nl, kept_en = _retention(table, retention)
        out.append(KeptTable(table, nl, en, kept_nl, kept_en, tuple(fields)))
    return tuple(out)


def missing_meanings() -> list[str]:
    schema = current_schema()
    missing = [
        f"{t}.{c}" for t, cols in schema.items() for c in cols if c not in MEANINGS.get(t, {})
    ]
    return missing + [t for t in schema if t not in TABLES]


def stale_meanings() -> list[str]:
    schema = current_schema()
    return [f"{t}.{c}" for t, cols in MEANINGS.items() for c in cols if c not in schema.get(t, [])]


PROGRAM_LOG: Words = (
    "Programmalogboek (state/logs/klasgenoot.log): technische meldingen van het programma, "
    "met korte apparaatcodes en zonder IP-adressen; zelfde bewaartermijn als de verbindingen.",
    "Program log (state/logs/klasgenoot.log): the program's technical messages, with short "
    "DeviceIds and no IP addresses; kept as long as the connection log.",
)
NEVER: Words = (
    "Nooit bewaard: beeld, geluid, frames, reacties en andere inhoud van het controlekanaal, "
    "namen, IP-adressen, geheugendumps.",
    "Never kept: video, audio, frames, reactions or other control-channel content, names, "
    "IP addresses, core dumps.",
)


def render_text(retention: Retention | None = None) -> str:
    """The Dutch list, as the technician sees it (CLI and technician screen)."""
    lines = ["Wat dit apparaat bewaart", ""]
    for table in keeplist(retention):
        lines.append(f"{table.nl} (tabel {table.name}, bewaard: {table.retention_nl})")
        lines.extend(f"  {f.column:<22} {f.nl}" for f in table.fields)
        lines.append("")
    lines += [PROGRAM_LOG[0], NEVER[0]]
    return "\n".join(lines) + "\n"


def render_markdown(retention: Retention | None = None) -> str:
    """The list for docs/privacy.md: English meaning, with the Dutch text the device shows."""
    out = []
    for table in keeplist(retention):
        out += [f"#### `{table.name}`: {table.en} (kept {table.retention_en})", "",
                "| column | meaning | shown on the device |", "|---|---|---|"]  # fmt: skip
        out += [f"| `{f.column}` | {f.en} | {f.nl} |" for f in table.fields]
        out.append("")
    out += [f"- {PROGRAM_LOG[1]}", f"- {NEVER[1]}"]
    return "\n".join(out) + "\n"
