"""``caunoi faq eval``: measure the engine on questions written the way citizens type.

The eval file (YAML) has ``questions`` (each ``q`` with its expected entry id ``expect``
and optionally the ``date`` it is asked on) and ``out_of_scope`` (questions the FAQ must
not answer). A question counts as top-1 when the first thing shown to the citizen is the
expected entry, and top-3 when it is among the first three shown; a fallback shows none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from knowledge.engine import AnswerEngine, Outcome, Reply, Tuning
from knowledge.text import has_diacritics

FALSE_ANSWER_GOAL = 0.05


class EvalQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1)
    expect: str
    date: dt.date | None = None


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None  # the day all questions are asked on, unless one says otherwise
    questions: list[EvalQuestion]
    out_of_scope: list[str] = Field(default_factory=list)


def load_eval_set(path: Path) -> EvalSet:
    """Read and validate an eval file."""
    return EvalSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class Tally:
    total: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, top1: bool, top3: bool) -> None:
        self.total += 1
        self.top1 += top1
        self.top3 += top3

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


@dataclass
class Miss:
    question: str
    expected: str
    outcome: Outcome
    shown: list[str]


@dataclass
class EvalReport:
    overall: Tally = field(default_factory=Tally)
    folded: Tally = field(default_factory=Tally)  # questions typed without diacritics
    by_topic: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    answered: int = 0
    answered_wrong: int = 0
    out_of_scope: int = 0
    out_of_scope_answered: int = 0
    out_of_scope_fallback: int = 0
    misses: list[Miss] = field(default_factory=list)
    false_answers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def false_answer_rate(self) -> float:
        return self.out_of_scope_answered / self.out_of_scope if self.out_of_scope else 0.0

    @property
    def wrong_answer_rate(self) -> float:
        return self.answered_wrong / self.overall.total if self.overall.total else 0.0


def _shown(reply: Reply) -> list[str]:
    if reply.outcome in (Outcome.FALLBACK, Outcome.SMALLTALK):
        return []
    return reply.ranked_ids


def evaluate(engine: AnswerEngine, eval_set: EvalSet, today: dt.date) -> EvalReport:
    """Ask every eval question and tally what the citizen would have been shown."""
    report = EvalReport()
    default_date = eval_set.date or today
    for item in eval_set.questions:
        reply = engine.ask(item.q, item.date or default_date)
        shown = _shown(reply)
        top1 = shown[:1] == [item.expect]
        top3 = item.expect in shown[:3]
        report.overall.add(top1, top3)
        if not has_diacritics(item.q):
            report.folded.add(top1, top3)
        report.by_topic[engine.base.topic_of.get(item.expect, "?")].add(top1, top3)
        if reply.outcome is Outcome.ANSWER:
            report.answered += 1
            report.answered_wrong += not top1
        if not top1:
            report.misses.append(Miss(item.q, item.expect, reply.outcome, shown))
    for question in eval_set.out_of_scope:
        reply = engine.ask(question, default_date)
        report.out_of_scope += 1
        report.out_of_scope_fallback += reply.outcome is Outcome.FALLBACK
        if reply.outcome is Outcome.ANSWER and reply.answer:
            report.out_of_scope_answered += 1
            report.false_answers.append((question, reply.answer.id))
    return report


def unknown_expectations(engine: AnswerEngine, eval_set: EvalSet) -> list[str]:
    """Return expected ids that are not in the knowledge base (a broken eval file)."""
    return sorted({q.expect for q in eval_set.questions} - set(engine.base.by_id))


def format_report(report: EvalReport) -> str:
    """Render the report for a person: rates first, then every miss."""

    def pct(value: float) -> str:
        return f"{100 * value:5.1f}%"

    lines = [
        f"questions: {report.overall.total}   out of scope: {report.out_of_scope}",
        f"top-1: {pct(report.overall.top1_rate)}   top-3: {pct(report.overall.top3_rate)}",
        f"without diacritics ({report.folded.total}): top-1 {pct(report.folded.top1_rate)}"
        f"   top-3 {pct(report.folded.top3_rate)}",
        f"answered: {report.answered}   answered wrongly: {report.answered_wrong}"
        f" ({pct(report.wrong_answer_rate)} of questions)",
        f"out-of-scope answered (false answers): {report.out_of_scope_answered} ({pct(report.false_answer_rate)})",
        "",
        "per topic:",
    ]
    for topic, tally in sorted(report.by_topic.items()):
        lines.append(f"  {topic:<24} {tally.total:4d}  top-1 {pct(tally.top1_rate)}  top-3 {pct(tally.top3_rate)}")
    if report.misses:
        lines += ["", f"misses ({len(report.misses)}):"]
        for miss in report.misses:
            lines.append(f"  [{miss.outcome}] {miss.question!r}: expected {miss.expected}, shown {miss.shown}")
    if report.false_answers:
        lines += ["", f"false answers ({len(report.false_answers)}):"]
        lines += [f"  {question!r} -> {entry_id}" for question, entry_id in report.false_answers]
    return "\n".join(lines)


@dataclass(frozen=True)
class SweepRow:
    tuning: Tuning
    top1: float
    top3: float
    folded_top1: float
    false_answer_rate: float
    wrong_answer_rate: float

    def __str__(self) -> str:
        t = self.tuning
        return (
            f"answer={t.answer:.2f} suggest={t.suggest:.2f} margin={t.margin:.2f}"
            f"  top1={self.top1:.3f} top3={self.top3:.3f} folded_top1={self.folded_top1:.3f}"
            f" false={self.false_answer_rate:.3f} wrong={self.wrong_answer_rate:.3f}"
        )


def sweep(engine: AnswerEngine, eval_set: EvalSet, today: dt.date, grid: Iterable[Tuning]) -> list[SweepRow]:
    """Evaluate a grid of tunings; best first: within the false-answer goal, most top-1, fewest wrong answers."""
    rows = []
    for tuning in grid:
        report = evaluate(engine.with_thresholds(tuning), eval_set, today)
        rows.append(
            SweepRow(
                tuning,
                report.overall.top1_rate,
                report.overall.top3_rate,
                report.folded.top1_rate,
                report.false_answer_rate,
                report.wrong_answer_rate,
            )
        )
    return sorted(
        rows,
        key=lambda r: (r.false_answer_rate <= FALSE_ANSWER_GOAL, r.top1, r.top3, -r.wrong_answer_rate),
        reverse=True,
    )


def default_grid(base: Tuning) -> list[Tuning]:
    """The outcome thresholds tried by ``caunoi faq eval --sweep`` (ranking knobs stay as they are)."""
    return [
        dataclasses.replace(base, answer=a, suggest=s, margin=m)
        for a in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
        for s in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45)
        for m in (0.0, 0.05, 0.1, 0.15, 0.2)
        if s < a
    ]
