"""The shipped FAQ content: clean, cited, reviewed, and answering as of the right date."""

import datetime as dt

import pytest

from knowledge.check import check_knowledge
from knowledge.engine import AnswerEngine
from knowledge.loader import DEFAULT_DIRECTORY, KnowledgeBase, Severity, load_knowledge

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def base() -> KnowledgeBase:
    return load_knowledge(DEFAULT_DIRECTORY).base


def test_shipped_faq_passes_the_check_without_errors() -> None:
    problems = check_knowledge(load_knowledge(DEFAULT_DIRECTORY), TODAY)
    assert [str(p) for p in problems if p.severity is Severity.ERROR] == []


def test_there_are_at_least_forty_entries_each_cited_and_reviewed(base: KnowledgeBase) -> None:
    assert len(base.entries) >= 40
    for entry in base.entries:
        assert entry.sources and all(source.document for source in entry.sources), entry.id
        assert entry.reviewed <= TODAY, entry.id


def test_income_line_follows_the_date_asked(base: KnowledgeBase) -> None:
    engine = AnswerEngine(base)
    question = "chuẩn nghèo thu nhập bao nhiêu một tháng"
    in_2026 = engine.ask(question, dt.date(2026, 6, 1))
    in_2027 = engine.ask(question, dt.date(2027, 6, 1))
    assert in_2026.answer is not None and "1.500.000" in in_2026.answer.answer
    assert in_2027.answer is not None and "2.200.000" in in_2027.answer.answer
    assert any(s.document.startswith("Nghị định 351/2025") for s in in_2027.answer.sources)


def test_answer_before_the_2027_change_announces_it(base: KnowledgeBase) -> None:
    reply = AnswerEngine(base).ask("chuẩn nghèo thu nhập bao nhiêu một tháng", dt.date(2026, 12, 15))
    assert reply.answer_text is not None and "từ ngày 01/01/2027" in reply.answer_text


def test_can_ngheo_typed_without_diacritics_is_never_read_as_can(base: KnowledgeBase) -> None:
    engine = AnswerEngine(base)
    tokens = engine.normalizer.tokens
    # "cận nghèo" is one word, typed with or without diacritics ("can" alone is usually "cần").
    assert tokens("ho can ngheo") == ["ho", "cậnnghèo"]
    assert tokens("Hộ cận nghèo") == ["hộ", "cậnnghèo"]
    assert tokens("ho ngheo can giay to gi") == ["ho", "ngheo", "can", "giay", "to", "gi"]
    on = dt.date(2026, 11, 26)
    for asked, expected in [
        ("ho can ngheo duoc huong nhung gi", "ho-can-ngheo-duoc-huong-gi"),
        ("ho ngheo duoc huong nhung gi", "ho-ngheo-duoc-huong-gi"),
    ]:
        reply = engine.ask(asked, on)
        assert reply.ranked_ids[:1] == [expected], asked
