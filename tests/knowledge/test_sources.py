"""Truth in content: every entry is cited, and no answer states what docs/sources.md lists as unconfirmed."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.loader import DEFAULT_DIRECTORY, KnowledgeBase, load_knowledge

SOURCES_DOC = Path(__file__).resolve().parents[2] / "docs" / "sources.md"
_UNCONFIRMED_HEADING = "## Unconfirmed"


def unconfirmed_claims(markdown: str) -> list[dict[str, Any]]:
    """Read the YAML list under the "Unconfirmed" heading of docs/sources.md."""
    section = markdown[markdown.index(_UNCONFIRMED_HEADING) :]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block, "docs/sources.md must hold a ```yaml block under its Unconfirmed heading"
    claims = yaml.safe_load(block.group(1))
    assert isinstance(claims, list)
    return claims


@pytest.fixture(scope="module")
def base() -> KnowledgeBase:
    return load_knowledge(DEFAULT_DIRECTORY).base


@pytest.fixture(scope="module")
def claims() -> list[dict[str, Any]]:
    return unconfirmed_claims(SOURCES_DOC.read_text(encoding="utf-8"))


def test_every_entry_cites_a_document_and_a_review_date(base: KnowledgeBase) -> None:
    uncited = [e.id for e in base.entries if not e.sources or not all(s.document.strip() for s in e.sources)]
    assert uncited == []
    assert all(e.reviewed for e in base.entries)


def test_the_unconfirmed_list_is_substantial_and_well_formed(claims: list[dict[str, Any]], base: KnowledgeBase) -> None:
    assert len(claims) >= 8
    for claim in claims:
        assert claim.get("claim") and claim.get("pattern"), claim
        re.compile(claim["pattern"])
        unknown = set(claim.get("allowed_in") or []) - set(base.by_id)
        assert not unknown, f"{claim['claim']}: allowed_in names unknown entries {unknown}"


def test_no_answer_states_an_unconfirmed_figure(claims: list[dict[str, Any]], base: KnowledgeBase) -> None:
    stated = []
    for claim in claims:
        pattern = re.compile(claim["pattern"], re.IGNORECASE)
        allowed = set(claim.get("allowed_in") or [])
        for entry in base.entries:
            text = "\n".join([entry.answer, entry.change_summary or ""])
            if entry.id not in allowed and pattern.search(text):
                stated.append(f"{entry.id}: {claim['claim']}")
    assert stated == []


def test_the_check_would_catch_a_planted_unconfirmed_figure(claims: list[dict[str, Any]]) -> None:
    """Guard against patterns that can never match: each one finds its own claim's wording or example."""
    for claim in claims:
        sample = claim.get("example") or claim["claim"]
        assert re.search(claim["pattern"], sample, re.IGNORECASE), f"pattern does not match: {claim['claim']}"
