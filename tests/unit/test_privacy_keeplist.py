"""The list "What this device keeps" follows the schema: every column described, none made up,
and docs/privacy.md carries exactly the generated table."""

from __future__ import annotations

from pathlib import Path

from privacy.keeplist import (
    keeplist,
    missing_meanings,
    render_markdown,
    render_text,
    stale_meanings,
)
from privacy.retention import Retention
from privacy.schema import current_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def test_every_column_has_a_meaning() -> None:
    assert missing_meanings() == [], "describe these in privacy/keeplist.py MEANINGS"


def test_no_meaning_for_a_column_that_is_gone() -> None:
    assert stale_meanings() == []


def test_the_list_follows_the_schema() -> None:
    schema = current_schema()
    kept = keeplist()
    assert [t.name for t in kept] == list(schema)
    for table in kept:
        assert [f.column for f in table.fields] == schema[table.name]
        assert all(f.nl and f.en and "geen beschrijving" not in f.nl for f in table.fields)


def test_text_shows_retention_and_every_column() -> None:
    text = render_text(Retention(120))
    assert text.startswith("Wat dit apparaat bewaart")
    assert "bewaard: 120 dagen" in text and "bewaard: 13 maanden" in text
    for columns in current_schema().values():
        for column in columns:
            assert f"  {column} " in text
    assert "IP-adressen" in text  # what is never kept is said too


def test_docs_carry_the_generated_table() -> None:
    assert render_markdown() in DOCS.read_text(encoding="utf-8"), (
        "docs/privacy.md is out of date: paste privacy.keeplist.render_markdown() into it"
    )
