import datetime as dt
from pathlib import Path

import pytest

from knowledge.engine import AnswerEngine, Outcome
from knowledge.loader import load_knowledge

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def engine(mini_knowledge: Path) -> AnswerEngine:
    return AnswerEngine(load_knowledge(mini_knowledge).base)


def test_clear_question_gets_its_answer(engine: AnswerEngine) -> None:
    reply = engine.ask("Lãi suất vay vốn ngân hàng chính sách xã hội cho hộ nghèo là bao nhiêu?", TODAY)
    assert reply.outcome is Outcome.ANSWER
    assert reply.answer is not None and reply.answer.id == "vay-von-lai-suat"
    assert 0 < reply.confidence <= 1


def test_question_without_diacritics_and_teencode_finds_the_same_entry(engine: AnswerEngine) -> None:
    reply = engine.ask("lai suat vay nhcsxh cho ho ngheo la bn", TODAY)
    assert reply.ranked_ids[0] == "vay-von-lai-suat"
    assert reply.outcome in (Outcome.ANSWER, Outcome.SUGGEST)


def test_typo_is_corrected_to_a_known_word(engine: AnswerEngine) -> None:
    assert engine.ask("lãi xuất vay nhcsxh hộ nghèo", TODAY).ranked_ids[0] == "vay-von-lai-suat"
    assert engine.ask("lai xuaat vay von nhcsxh", TODAY).ranked_ids[0] == "vay-von-lai-suat"


@pytest.mark.parametrize(("question", "expected"), [("đường", "lam-duong"), ("dương", "duong-tinh")])
def test_exact_accent_match_ranks_before_a_folded_collision(engine: AnswerEngine, question: str, expected: str) -> None:
    tokens = engine.normalizer.tokens(question)
    ranked = engine.rank(tokens, TODAY, accented=True)
    assert [c.entry.id for c in ranked[:2]] == [expected, {"lam-duong", "duong-tinh"}.difference({expected}).pop()]
    assert ranked[1].relative_score < ranked[0].relative_score == 1.0


def test_out_of_scope_question_falls_back(engine: AnswerEngine) -> None:
    reply = engine.ask("giá vàng hôm nay bao nhiêu", TODAY)
    assert reply.outcome is Outcome.FALLBACK
    assert reply.answer is None


@pytest.mark.parametrize(
    ("text", "intent"), [("alo", "greeting"), ("Xin chào ạ", "greeting"), ("cảm ơn ạ!!", "thanks")]
)
def test_greetings_and_thanks_are_small_talk(engine: AnswerEngine, text: str, intent: str) -> None:
    reply = engine.ask(text, TODAY)
    assert reply.outcome is Outcome.SMALLTALK
    assert reply.smalltalk == intent


def test_greeting_with_a_question_is_not_small_talk(engine: AnswerEngine) -> None:
    assert engine.ask("xin chào, lãi suất vay nhcsxh hộ nghèo bao nhiêu", TODAY).outcome is not Outcome.SMALLTALK


def test_text_with_no_words_is_small_talk_not_a_crash(engine: AnswerEngine) -> None:
    for text in ["", "   ", "😀👍", "\u200f\u200b", "???"]:
        assert engine.ask(text, TODAY).outcome is Outcome.SMALLTALK


def test_vague_question_gets_suggestions_not_an_answer(engine: AnswerEngine) -> None:
    reply = engine.ask("hộ nghèo vay", TODAY)
    assert reply.outcome is Outcome.SUGGEST
    assert set(reply.ranked_ids[:2]) == {"vay-von-lai-suat", "vay-von-muc-toi-da"}


def test_answer_in_force_on_the_date_asked(engine: AnswerEngine) -> None:
    question = "Thu nhập bao nhiêu thì được tính là hộ nghèo?"
    assert engine.ask(question, dt.date(2026, 6, 1)).ranked_ids[0] == "chuan-ngheo-2026"
    assert engine.ask(question, dt.date(2027, 1, 1)).ranked_ids[0] == "chuan-ngheo-2027"
    assert "chuan-ngheo-2026" not in engine.ask(question, dt.date(2027, 1, 1)).ranked_ids


def test_successor_within_sixty_days_is_announced(engine: AnswerEngine) -> None:
    question = "Thu nhập bao nhiêu thì được tính là hộ nghèo?"
    soon = engine.ask(question, dt.date(2026, 11, 2))  # 60 days before 2027-01-01
    assert soon.answer_text is not None
    assert "từ ngày 01/01/2027" in soon.answer_text and "2.200.000" in soon.answer_text
    later = engine.ask(question, dt.date(2026, 11, 1))  # 61 days before
    assert later.answer_text == later.answer.answer if later.answer else False


def test_answer_comes_with_its_related_questions_not_runner_ups(engine: AnswerEngine) -> None:
    reply = engine.ask("hộ nghèo vay vốn ngân hàng chính sách xã hội lãi suất bao nhiêu", TODAY)
    assert reply.outcome is Outcome.ANSWER
    assert [e.id for e in reply.related] == ["vay-von-muc-toi-da"]
    assert reply.suggestions == []
    assert reply.ranked_ids == ["vay-von-lai-suat", "vay-von-muc-toi-da"]
