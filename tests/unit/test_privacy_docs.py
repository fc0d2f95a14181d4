"""docs/privacy.md stays true: every control message type is listed, and every file
and test it cites as proof exists."""

from __future__ import annotations

import re
from pathlib import Path

from media.control import SCHEMA

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = DOCS.index(f"## {title}")
    end = DOCS.find("\n## ", start + 1)
    return DOCS[start : end if end != -1 else None]


def test_every_control_message_type_is_documented() -> None:
    table = _section("Control-channel features")
    rows = set(re.findall(r"^\| `(\w+)` \| control \|", table, re.MULTILINE))
    assert set(SCHEMA) <= rows, f"add rows for {sorted(set(SCHEMA) - rows)}"
    assert "| heartbeat | heartbeat |" in table


def test_cited_files_and_tests_exist() -> None:
    cited = 0
    for line in DOCS.splitlines():
        current: Path | None = None
        for token in re.findall(r"`([^`]+)`", line):
            path, _, test = token.partition("::")
            if path.endswith(".py") and "/" in path:
                current = ROOT / path
                assert current.is_file(), token
                cited += 1
            elif not path and test and current is not None:
                test = token[2:]
            else:
                continue
            if test:
                assert current is not None
                assert f"def {test}(" in current.read_text(encoding="utf-8"), token
    assert cited >= 20


def test_every_promise_cites_a_source_and_a_test() -> None:
    table = _section("Promises, the code that keeps them, the test that proves it")
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| promise")]
    assert len(rows) >= 12
    for row in rows:
        promise, _, proof = row.strip("|").split(" | ")[:3]
        assert re.search(r"\b00[0-4]\b|DESIGN\.md", promise), promise
        assert "tests/" in proof or "::" in proof, proof
