import datetime as dt
from pathlib import Path
from typing import Any

from knowledge.check import check_knowledge
from knowledge.loader import Problem, Severity, load_knowledge
from tests.factories import MINI_SYNONYMS, MINI_TOPICS, entry, write_knowledge

TODAY = dt.date(2026, 11, 26)


def _check(directory: Path, topics: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    return check_knowledge(load_knowledge(write_knowledge(directory, topics, MINI_SYNONYMS)), TODAY)


def _messages(problems: list[Problem], severity: Severity) -> list[str]:
    return [p.message for p in problems if p.severity is severity]


def test_mini_knowledge_is_clean(tmp_path: Path) -> None:
    assert _check(tmp_path, MINI_TOPICS) == []


def test_dangling_related_is_an_error_on_its_line(tmp_path: Path) -> None:
    topics = {
        **MINI_TOPICS,
        "extra": [entry("mot", "Câu hỏi về trợ giúp pháp lý?", ["a", "b", "tro giup"], related=["khong-co"])],
    }
    problems = _check(tmp_path, topics)
    [problem] = [p for p in problems if "khong-co" in p.message]
    assert problem.severity is Severity.ERROR
    text = problem.path.read_text(encoding="utf-8").splitlines()
    assert "khong-co" in text[problem.line - 1]


def test_overlapping_validity_of_a_successor_is_an_error(tmp_path: Path) -> None:
    first, second = MINI_TOPICS["chuan-ngheo"]
    topics = {**MINI_TOPICS, "chuan-ngheo": [{**first, "valid_until": dt.date(2027, 6, 30)}, second]}
    assert any("overlaps" in m for m in _messages(_check(tmp_path, topics), Severity.ERROR))


def test_supersedes_unknown_entry_is_an_error(tmp_path: Path) -> None:
    first, second = MINI_TOPICS["chuan-ngheo"]
    topics = {**MINI_TOPICS, "chuan-ngheo": [first, {**second, "supersedes": "khong-co"}]}
    assert any("supersedes unknown id" in m for m in _messages(_check(tmp_path, topics), Severity.ERROR))


def test_overlong_answer_is_an_error_and_long_one_a_warning(tmp_path: Path) -> None:
    extra = [
        entry("dai-qua", "Trợ giúp pháp lý miễn phí ở đâu?", ["a1", "b1", "tro giup phap ly"], answer="x " * 800),
        entry("hoi-dai", "Bảo hiểm y tế cho hộ cận nghèo thế nào?", ["a2", "b2", "bhyt can ngheo"], answer="y " * 550),
    ]
    problems = _check(tmp_path, {**MINI_TOPICS, "extra": extra})
    assert any("dai-qua: answer has 1599 characters" in m for m in _messages(problems, Severity.ERROR))
    assert any("hoi-dai: answer has 1099 characters" in m for m in _messages(problems, Severity.WARNING))


def test_markup_outside_the_subset_is_an_error(tmp_path: Path) -> None:
    extra = [
        entry("html", "Hỏi về thẻ bảo hiểm y tế?", ["a3", "b3", "the bhyt"], answer="<b>đậm</b> và **mở"),
        entry("link", "Hỏi về trợ giúp pháp lý?", ["a4", "b4", "tgpl"], answer="# Tiêu đề\n[xem](ftp://x)"),
    ]
    errors = _messages(_check(tmp_path, {**MINI_TOPICS, "extra": extra}), Severity.ERROR)
    assert any("html: HTML tags" in m for m in errors)
    assert any("html: unbalanced **" in m for m in errors)
    assert any("link: headings" in m for m in errors)
    assert any("link: broken link" in m for m in errors)


def test_near_duplicate_questions_across_entries_are_warned(tmp_path: Path) -> None:
    extra = [
        entry("gan-giong", "Hộ nghèo được vay tối đa bao nhiêu tiền ạ?", ["vay max", "muon vay", "vay nhieu nhat"])
    ]
    warnings = _messages(_check(tmp_path, {**MINI_TOPICS, "extra": extra}), Severity.WARNING)
    assert any("nearly the same as" in m and "gan-giong" in m and "vay-von-muc-toi-da" in m for m in warnings)


def test_variant_that_finds_another_entry_is_an_error(tmp_path: Path) -> None:
    stolen = "Lãi suất cho vay hộ nghèo là mấy phần trăm?"  # a variant of vay-von-lai-suat, word for word
    extra = [entry("lai-suat-2", "Tiền lãi khi vay vốn tính thế nào?", [stolen, "lai vay tinh sao", "tien lai"])]
    errors = _messages(_check(tmp_path, {**MINI_TOPICS, "extra": extra}), Severity.ERROR)
    assert any(m.startswith(("lai-suat-2:", "vay-von-lai-suat:")) and "finds" in m for m in errors)


def test_review_date_in_the_future_is_an_error_and_old_one_a_warning(tmp_path: Path) -> None:
    extra = [
        entry("tuong-lai", "Hỏi về học phí?", ["a5", "b5", "hoc phi"], reviewed=dt.date(2027, 1, 1)),
        entry("cu", "Hỏi về tiền điện?", ["a6", "b6", "tien dien"], reviewed=dt.date(2024, 1, 1)),
    ]
    problems = _check(tmp_path, {**MINI_TOPICS, "extra": extra})
    assert any("tuong-lai: reviewed date" in m for m in _messages(problems, Severity.ERROR))
    assert any("cu: last reviewed" in m for m in _messages(problems, Severity.WARNING))
