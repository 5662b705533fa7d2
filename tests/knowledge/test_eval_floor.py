"""Accuracy on the eval set written the way citizens type (tests/data/faq_eval.yaml).

The goals (issue 2): top-1 >= 92%, top-3 >= 97%, top-1 without diacritics >= 90%, out-of-scope
false answers <= 5%. The floors below are what the engine measurably reaches today (see
docs/benchmarks.md); they only go up, and raising them is how an improvement is kept. A wrong
answer costs a citizen more than a suggestion, so the share of wrong answers has a ceiling too.
"""

import datetime as dt
from pathlib import Path

import pytest

from knowledge.engine import AnswerEngine
from knowledge.evaluation import EvalReport, evaluate, load_eval_set, unknown_expectations
from knowledge.loader import DEFAULT_DIRECTORY, load_knowledge
from knowledge.text import fold

EVAL_FILE = Path(__file__).resolve().parent.parent / "data" / "faq_eval.yaml"
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine(load_knowledge(DEFAULT_DIRECTORY).base)


@pytest.fixture(scope="module")
def report(engine: AnswerEngine) -> EvalReport:
    return evaluate(engine, load_eval_set(EVAL_FILE), TODAY)


def test_eval_set_is_big_enough_and_points_at_real_entries(engine: AnswerEngine) -> None:
    eval_set = load_eval_set(EVAL_FILE)
    assert len(eval_set.questions) >= 400
    assert len(eval_set.out_of_scope) >= 80
    assert unknown_expectations(engine, eval_set) == []


def test_eval_questions_are_not_copied_from_variants(engine: AnswerEngine) -> None:
    phrasings = {
        fold(text.lower()).strip(" ?.!") for entry in engine.base.entries for text in (entry.question, *entry.variants)
    }
    copied = [q.q for q in load_eval_set(EVAL_FILE).questions if fold(q.q.lower()).strip(" ?.!") in phrasings]
    assert copied == []


TOP1_FLOOR = 0.92
TOP3_FLOOR = 0.975
FOLDED_TOP1_FLOOR = 0.905
FALSE_ANSWER_CEILING = 0.05  # the goal itself
WRONG_ANSWER_CEILING = 0.02


def test_top1_accuracy_floor(report: EvalReport) -> None:
    assert report.overall.top1_rate >= TOP1_FLOOR


def test_top3_accuracy_floor(report: EvalReport) -> None:
    assert report.overall.top3_rate >= TOP3_FLOOR


def test_top1_without_diacritics_floor(report: EvalReport) -> None:
    assert report.folded.total >= 50
    assert report.folded.top1_rate >= FOLDED_TOP1_FLOOR


def test_out_of_scope_false_answer_goal(report: EvalReport) -> None:
    assert report.false_answer_rate <= FALSE_ANSWER_CEILING


def test_wrong_answers_stay_rare(report: EvalReport) -> None:
    assert report.wrong_answer_rate <= WRONG_ANSWER_CEILING
