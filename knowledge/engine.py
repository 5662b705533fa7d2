"""The answer engine: a question in, one of four outcomes out.

- ``answer``: one entry is clearly the right one;
- ``suggest``: a few entries might be meant ("Có phải bạn muốn hỏi…?");
- ``fallback``: nothing good enough; the bot offers to forward the question to an official;
- ``smalltalk``: a greeting, thanks or the like, not a policy question.

Confidence is the geometric mix of two coverages of the best passage: how much of the
question it explains and how much of it the question covers (both weighted by IDF).
The thresholds come from ``caunoi faq eval --sweep`` on tests/data/faq_eval.yaml.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.index import Passage, PassageKind, SearchIndex
from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry
from knowledge.text import Normalizer, fold, fold_tokens, has_diacritics

SUCCESSOR_NOTICE_DAYS = 60
MAX_SUGGESTIONS = 3
_SEARCH_DEPTH = 40
_TAGS_DISCOUNT = 0.8
_RUNNER_UP_SHARE = 0.75


class Outcome(enum.StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    FALLBACK = "fallback"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where confidence turns into an outcome."""

    answer: float = 0.52
    suggest: float = 0.30
    margin: float = 0.04  # the best must beat the runner-up by this much to be answered
    passage_weight: float = 0.5  # exponent of passage coverage in the confidence mix


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: Entry
    confidence: float


@dataclass(frozen=True)
class Reply:
    """What the engine makes of one question on one date."""

    outcome: Outcome
    confidence: float
    asked_on: dt.date
    answer: Entry | None = None
    answer_text: str | None = None  # the answer with any notice of an upcoming change
    suggestions: list[Candidate] = field(default_factory=list)
    smalltalk: str | None = None  # the small-talk intent, for the bot to reply in kind

    @property
    def ranked_ids(self) -> list[str]:
        """The ids shown to the citizen, in order (the answer first)."""
        shown = [self.answer.id] if self.answer else []
        return shown + [c.entry.id for c in self.suggestions]


class AnswerEngine:
    """Find answers in one loaded knowledge base. Immutable once built; cheap to query."""

    def __init__(self, base: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.base = base
        self.thresholds = thresholds or Thresholds()
        self.normalizer = Normalizer(base.synonyms, base.smalltalk.fillers)
        passages: list[tuple[Passage, Sequence[str]]] = []
        for number, entry in enumerate(base.entries):
            passages.append((Passage(number, PassageKind.QUESTION), self.normalizer.tokens(entry.question)))
            passages.extend(
                (Passage(number, PassageKind.VARIANT), self.normalizer.tokens(variant)) for variant in entry.variants
            )
            if entry.tags:
                tags = self.normalizer.tokens(" . ".join(entry.tags))
                passages.append((Passage(number, PassageKind.TAGS), tags))
        self.index = SearchIndex(passages)
        self._successors: dict[str, list[Entry]] = {}
        for entry in base.entries:
            if entry.supersedes:
                self._successors.setdefault(entry.supersedes, []).append(entry)
        self._smalltalk: dict[tuple[str, ...], str] = {}
        for intent, phrases in base.smalltalk.phrases.items():
            for phrase in phrases:
                words = tuple(fold_tokens(self.normalizer.tokens(phrase)))
                if words:
                    self._smalltalk[words] = intent
        self._smalltalk_longest = max((len(p) for p in self._smalltalk), default=0)

    def ask(self, question: str, on: dt.date) -> Reply:
        """Answer a question as of a date."""
        tokens = self.normalizer.tokens(question)
        intent = self._smalltalk_intent(tokens)
        if intent:
            return Reply(Outcome.SMALLTALK, 1.0, on, smalltalk=intent)
        candidates = self.rank(tokens, on, accented=has_diacritics(question))
        limits = self.thresholds
        if not candidates or candidates[0].confidence < limits.suggest:
            confidence = candidates[0].confidence if candidates else 0.0
            return Reply(Outcome.FALLBACK, confidence, on, suggestions=candidates[:MAX_SUGGESTIONS])
        best = candidates[0]
        runner_up = candidates[1].confidence if len(candidates) > 1 else 0.0
        # Also offer close runners-up that miss the threshold: the citizen picks among them.
        floor = min(limits.suggest, _RUNNER_UP_SHARE * best.confidence)
        plausible = [c for c in candidates if c.confidence >= floor]
        if best.confidence >= limits.answer and best.confidence - runner_up >= limits.margin:
            return Reply(
                Outcome.ANSWER,
                best.confidence,
                on,
                answer=best.entry,
                answer_text=self.answer_text(best.entry, on),
                suggestions=plausible[1:MAX_SUGGESTIONS],
            )
        return Reply(Outcome.SUGGEST, best.confidence, on, suggestions=plausible[:MAX_SUGGESTIONS])

    def rank(self, tokens: Sequence[str], on: dt.date, accented: bool = True) -> list[Candidate]:
        """Return the entries in force on a date that match the tokens, most confident first."""
        tokens = self.index.correct_typos(tokens)
        best: dict[int, tuple[float, float]] = {}
        weight = self.thresholds.passage_weight
        for hit in self.index.search(tokens, _SEARCH_DEPTH, accented):
            passage = self.index.passages[hit.passage]
            if not self.base.entries[passage.entry].in_force(on):
                continue
            confidence = hit.passage_coverage**weight * hit.query_coverage ** (1 - weight)
            if passage.kind is PassageKind.TAGS:
                confidence *= _TAGS_DISCOUNT
            key = (confidence, hit.score)
            if key > best.get(passage.entry, (-1.0, 0.0)):
                best[passage.entry] = key
        order = sorted(best.items(), key=lambda item: item[1], reverse=True)
        return [Candidate(self.base.entries[number], round(float(conf), 4)) for number, (conf, _) in order]

    def answer_text(self, entry: Entry, on: dt.date) -> str:
        """Return the answer, followed by a notice when a successor takes effect soon."""
        notices = [
            f"**Sắp thay đổi:** Từ ngày {successor.valid_from:%d/%m/%Y}, {successor.change_summary}"
            for successor in self._successors.get(entry.id, ())
            if successor.valid_from and on < successor.valid_from <= on + dt.timedelta(days=SUCCESSOR_NOTICE_DAYS)
        ]
        return "\n\n".join([entry.answer, *notices])

    def _smalltalk_intent(self, tokens: Sequence[str]) -> str | None:
        words = [fold(token) for token in tokens]
        if not words:
            return "empty"
        intent = None
        i = 0
        while i < len(words):
            for size in range(min(self._smalltalk_longest, len(words) - i), 0, -1):
                found = self._smalltalk.get(tuple(words[i : i + size]))
                if found:
                    intent = intent or found
                    i += size
                    break
            else:
                return None
        return intent
