"""When the self-test's report says a call is possible, and how it says so."""

from __future__ import annotations

import pytest

from media.netcheck import Check, CheckName, NetReport, Outcome, lines

OK, WARN, FAIL, SKIP = Outcome.OK, Outcome.WARNING, Outcome.FAILED, Outcome.SKIPPED
SIGNALING = {CheckName.DNS: OK, CheckName.TCP: OK, CheckName.TLS: OK}


def report(outcomes: dict[CheckName, Outcome]) -> NetReport:
    checks = [Check(name, outcome, f"{name} zin", "advies" if outcome is not OK else "")
              for name, outcome in outcomes.items()]  # fmt: skip
    return NetReport(tuple(checks), 1.0)


@pytest.mark.parametrize(
    ("outcomes", "possible"),
    [
        ({**SIGNALING, CheckName.CREDENTIAL: OK, CheckName.TURN_UDP: WARN,
          CheckName.TURN_TCP: WARN, CheckName.TURN_TLS: OK}, True),  # the school
        ({**SIGNALING, CheckName.CREDENTIAL: OK, CheckName.TURN_UDP: FAIL,
          CheckName.TURN_TCP: FAIL, CheckName.TURN_TLS: FAIL}, False),  # no relay at all
        ({**SIGNALING, CheckName.CREDENTIAL: WARN, CheckName.TURN_UDP: SKIP,
          CheckName.TURN_TCP: SKIP, CheckName.TURN_TLS: SKIP}, True),  # no TURN: direct only
        ({**SIGNALING, CheckName.CREDENTIAL: FAIL, CheckName.TURN_UDP: SKIP}, False),  # revoked
        ({CheckName.DNS: OK, CheckName.TCP: FAIL, CheckName.TLS: SKIP}, False),  # server down
        ({CheckName.DNS: FAIL, CheckName.TCP: SKIP}, False),
    ],
)  # fmt: skip
def test_a_call_is_possible_only_with_the_server_and_a_media_path(
    outcomes: dict[CheckName, Outcome], possible: bool
) -> None:
    assert report(outcomes).call_possible is possible


def test_the_lines_name_each_outcome_and_its_advice() -> None:
    text = lines(report({**SIGNALING, CheckName.TURN_UDP: WARN, CheckName.TURN_TLS: OK}))
    assert text[0] == "[OK] Naam van de server opzoeken (DNS): dns zin"
    assert text[3] == "[LET OP] TURN-server via UDP: turn-udp zin"
    assert text[4] == "    Advies: advies"
    assert text[-1].startswith("Klasgenoot kan vanaf dit netwerk bellen, maar niet alles werkt")
    everything = {name: OK for name in CheckName}
    assert lines(report(everything))[-1] == "Alles werkt: Klasgenoot kan vanaf dit netwerk bellen."
