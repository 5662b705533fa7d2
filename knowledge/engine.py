"""The answer engine: a question in, one of four outcomes out.

- ``answer``: one entry is clearly the right one;
- ``suggest``: a few entries might be meant ("Có phải bạn muốn hỏi…?");
- ``fallback``: nothing good enough; the bot offers to forward the question to an official;
- ``smalltalk``: a greeting, thanks or the like, not a policy question.

Ranking: BM25 over two fields of each entry, all its phrasings together (question, variants,
tags) and its answer, plus the best single phrasing; then the leading candidates get a
bonus when one phrasing is a near-exact match (idf-weighted overlap of words and word
pairs), so "hộ nghèo là gì" finds its own entry before "hộ cận nghèo là gì", while one
rare word of difference ("cận") still counts for a lot. Unknown words are corrected to
the nearest known word with rapidfuzz. Confidence: the share of the question's words
(weighted by rarity) that the entry explains, words found only in its answer earning part
credit. An answer needs enough confidence and a clear lead over the runner-up. The
thresholds come from ``caunoi faq eval --sweep`` on tests/data/faq_eval.yaml.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.index import BM25Index, FloatArray, IntArray, features
from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry
from knowledge.text import Normalizer, fold, has_diacritics

SUCCESSOR_NOTICE_DAYS = 60
MAX_SUGGESTIONS = 3
_CANDIDATES = 10
_NO_DATE = dt.date.max.toordinal()

_Weighted = tuple[list[tuple[str, float]], float]  # a question's features with their idf, and its total idf


OPENINGS = frozenset({"greeting", "help"})  # small talk a question may open with, dropped before matching


class Outcome(enum.StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    FALLBACK = "fallback"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True, slots=True)
class Tuning:
    """The engine's knobs; the defaults are what the eval sweep chose."""

    answer: float = 0.65  # confidence needed to answer outright
    suggest: float = 0.30  # confidence needed to offer suggestions
    margin: float = 0.20  # the runner-up must score at most (1 - margin) of the best to answer
    answer_field_weight: float = 1.0  # BM25 weight of the answer text against the phrasings
    best_phrasing_weight: float = 0.25  # BM25 weight of the single best-matching phrasing
    answer_only_credit: float = 0.5  # coverage credit of a word found only in the answer
    unknown_word_weight: float = 0.5  # weight of a word no entry uses, relative to the rarest known
    similar_phrasing_bonus: float = 0.5  # re-ranking bonus for a near-exact phrasing match
    similar_phrasing_from: float = 0.75  # weighted overlap (0..1) where that bonus starts
    bigram_weight: float = 0.4  # BM25 weight of a word pair against a single word
    coverage_weight: float = 1.0  # re-ranking weight of the confidence (coverage) itself
    pair_weight: float = 0.3  # share of word pairs (against single words) in the confidence
    question_repeat: int = 2  # the canonical question counts this many times among the phrasings
    typo_min_length: int = 5  # shorter unknown words are never "corrected"
    typo_min_similarity: float = 80.0  # rapidfuzz ratio an unknown word needs to a known one


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: Entry
    confidence: float  # share of the question this entry explains, 0..1
    relative_score: float  # ranking score relative to the best candidate, 0..1


@dataclass(frozen=True)
class Reply:
    """What the engine makes of one question on one date."""

    outcome: Outcome
    confidence: float
    asked_on: dt.date
    answer: Entry | None = None
    answer_text: str | None = None  # the answer with any notice of an upcoming change
    suggestions: list[Candidate] = field(default_factory=list)  # "Có phải bạn muốn hỏi…?"
    related: list[Entry] = field(default_factory=list)  # shown under an answer, from its ``related``
    smalltalk: str | None = None  # the small-talk intent, for the bot to reply in kind

    @property
    def ranked_ids(self) -> list[str]:
        """The ids shown to the citizen, in order (the answer first, then its related questions)."""
        shown = [self.answer.id] if self.answer else []
        return shown + [e.id for e in self.related] + [c.entry.id for c in self.suggestions]


class AnswerEngine:
    """Find answers in one loaded knowledge base. Immutable once built; cheap to query."""

    def __init__(self, base: KnowledgeBase, tuning: Tuning | None = None) -> None:
        self.base = base
        self.tuning = tuning or Tuning()
        self.normalizer = Normalizer(base.synonyms, base.smalltalk.fillers)
        tokens = self.normalizer.tokens
        # Entries that answer the same question for different periods share their phrasings:
        # only one of them is in force on a given day, and each must be found by all of them.
        family = self._supersession_families(base)
        repeat = self.tuning.question_repeat
        texts = [
            [t for member in family[e.id] for t in (*[member.question] * repeat, *member.variants)]
            for e in base.entries
        ]
        bigram = self.tuning.bigram_weight
        self._phrasings = BM25Index(
            [[w for text in (*own, *e.tags) for w in tokens(text)] for e, own in zip(base.entries, texts, strict=True)],
            bigram,
        )
        self._answers = BM25Index([tokens(e.answer) for e in base.entries], bigram)
        owners, phrasings = [], []
        for row, own in enumerate(texts):
            for text in own:
                owners.append(row)
                phrasings.append(tokens(text))
        self._single = BM25Index(phrasings, bigram)
        # The phrasings are numbered entry by entry: an entry's run from its start, its count long.
        self._phrasing_owner = np.array(owners, dtype=np.int64)
        self._phrasing_count = np.bincount(self._phrasing_owner, minlength=len(base.entries))
        self._phrasing_start = np.cumsum(self._phrasing_count) - self._phrasing_count
        # Each phrasing's total idf of its folded features, for the near-exact bonus.
        self._phrasing_mass = np.array(
            [sum(self._single.feature_idf(f) for f in frozenset(features(p, accented=False))) for p in phrasings],
            dtype=np.float64,
        )
        self._words = sorted(set().union(*self._phrasings.words, *self._answers.words))
        self._word_set = frozenset(self._words)
        self._valid_from = np.array([e.valid_from.toordinal() if e.valid_from else 0 for e in base.entries])
        self._valid_until = np.array([e.valid_until.toordinal() if e.valid_until else _NO_DATE for e in base.entries])
        known_idf = self._phrasings.idf
        self._unknown_idf = self.tuning.unknown_word_weight * (float(known_idf.max()) if known_idf.size else 1.0)
        self._successors: dict[str, list[Entry]] = {}
        for entry in base.entries:
            if entry.supersedes:
                self._successors.setdefault(entry.supersedes, []).append(entry)
        self._smalltalk: dict[tuple[str, ...], str] = {}
        for intent, phrases in base.smalltalk.phrases.items():
            for phrase in phrases:
                words = tuple(fold(token) for token in tokens(phrase))
                if words:
                    self._smalltalk[words] = intent
        self._smalltalk_longest = max((len(p) for p in self._smalltalk), default=0)

    @staticmethod
    def _supersession_families(base: KnowledgeBase) -> dict[str, list[Entry]]:
        """Map each entry id to the entries of its supersedes chain (itself included)."""
        parent = {entry.id: entry.id for entry in base.entries}

        def root(entry_id: str) -> str:
            while parent[entry_id] != entry_id:
                entry_id = parent[entry_id]
            return entry_id

        for entry in base.entries:
            if entry.supersedes in parent:
                parent[root(entry.id)] = root(entry.supersedes)
        groups: dict[str, list[Entry]] = {}
        for entry in base.entries:
            groups.setdefault(root(entry.id), []).append(entry)
        return {entry.id: groups[root(entry.id)] for entry in base.entries}

    def with_thresholds(self, tuning: Tuning) -> AnswerEngine:
        """A copy sharing this engine's index, deciding outcomes with other thresholds.

        Only ``answer``, ``suggest`` and ``margin`` may differ: the other knobs shape the index.
        """
        ranking = ("answer", "suggest", "margin")
        if any(
            getattr(tuning, f.name) != getattr(self.tuning, f.name) for f in fields(Tuning) if f.name not in ranking
        ):
            raise ValueError("with_thresholds can only change answer, suggest and margin")
        twin = copy.copy(self)
        twin.tuning = tuning
        return twin

    def ask(self, question: str, on: dt.date) -> Reply:
        """Answer a question as of a date."""
        tokens = self.normalizer.tokens(question)
        intent = self._smalltalk_intent(tokens)
        if intent:
            return Reply(Outcome.SMALLTALK, 1.0, on, smalltalk=intent)
        candidates = self.rank(self._without_opening(tokens), on, accented=has_diacritics(question))
        tuning = self.tuning
        if not candidates or candidates[0].confidence < tuning.suggest:
            return Reply(Outcome.FALLBACK, candidates[0].confidence if candidates else 0.0, on)
        best = candidates[0]
        runner_up = candidates[1].relative_score if len(candidates) > 1 else 0.0
        if best.confidence >= tuning.answer and runner_up <= 1 - tuning.margin:
            related = [self.base.by_id[i] for i in best.entry.related if i in self.base.by_id]
            return Reply(
                Outcome.ANSWER,
                best.confidence,
                on,
                answer=best.entry,
                answer_text=self.answer_text(best.entry, on),
                related=[e for e in related if e.in_force(on)][:MAX_SUGGESTIONS],
            )
        offered = [best] + [
            c for c in candidates[1:MAX_SUGGESTIONS] if c.confidence >= tuning.suggest or c.relative_score >= 0.75
        ]
        return Reply(Outcome.SUGGEST, best.confidence, on, suggestions=offered)

    def rank(self, tokens: Sequence[str], on: dt.date, accented: bool = True) -> list[Candidate]:
        """Return the entries in force on a date that match the tokens, best first."""
        tokens = self.correct_typos(tokens)
        bag = features(tokens, accented)
        scores = self._phrasings.scores(bag) + self.tuning.answer_field_weight * self._answers.scores(bag)
        best_phrasing = np.zeros_like(scores)
        np.maximum.at(best_phrasing, self._phrasing_owner, self._single.scores(bag))
        scores += self.tuning.best_phrasing_weight * best_phrasing
        day = on.toordinal()
        scores[(self._valid_from > day) | (self._valid_until < day)] = 0.0
        found = int(np.count_nonzero(scores))
        if not found:
            return []
        top = min(_CANDIDATES, found)
        best = np.argpartition(-scores, top - 1)[:top]
        # The question's folded features, in the order ``features(tokens, accented=False)`` makes them.
        question = [f for f in bag if f.startswith("f:")]
        similarity = self._best_similarity(question, best)
        folded = frozenset(question)
        words = frozenset(f for f in folded if "_" not in f)
        pairs = folded - words
        word_weights, pair_weights = self._weighted(words), self._weighted(pairs)
        leader = float(scores.max())
        tuning = self.tuning
        reranked = []
        for row, relevance, similar in zip(best.tolist(), scores[best].tolist(), similarity.tolist(), strict=True):
            bonus = max(0.0, similar - tuning.similar_phrasing_from) / (1 - tuning.similar_phrasing_from)
            coverage = self._confidence(word_weights, pair_weights, row)
            score = relevance / leader + tuning.similar_phrasing_bonus * bonus + tuning.coverage_weight * coverage
            reranked.append((score, coverage, row))
        reranked.sort(reverse=True)
        top_score = reranked[0][0]
        return [
            Candidate(self.base.entries[row], round(coverage, 4), round(score / top_score, 4))
            for score, coverage, row in reranked
        ]

    def _best_similarity(self, question: Sequence[str], rows: IntArray) -> FloatArray:
        """Each entry's best idf-weighted Jaccard similarity of a phrasing's folded features to the question's.

        numpy rather than a Python loop over each candidate's phrasings, the engine's costliest step:
        the shared mass comes from the postings for all phrasings at once, the rest is computed only
        for the given entries' phrasings.
        """
        weights = {f: self._single.feature_idf(f) for f in question}
        counts = self._phrasing_count[rows]
        offsets = np.cumsum(counts) - counts  # where each entry's phrasings start among the selected
        phrasings = np.arange(int(counts.sum())) + np.repeat(self._phrasing_start[rows] - offsets, counts)
        shared = self._single.shared_mass(weights)[phrasings]
        union = sum(weights.values()) + self._phrasing_mass[phrasings] - shared
        similarity = np.divide(shared, union, out=np.zeros_like(shared), where=union != 0)
        # Every entry has phrasings (its question and variants), so no segment is empty.
        return np.asarray(np.maximum.reduceat(similarity, offsets), dtype=np.float64)

    def _weighted(self, question: frozenset[str]) -> _Weighted:
        """The question's folded features with their idf, and their total: computed once, not per entry."""
        weighted = [(f, self._phrasings.feature_idf(f, self._unknown_idf)) for f in question]
        total = 0.0
        for _, weight in weighted:  # added like ``explained`` in _coverage, so that all of it gives exactly 1
            total += weight
        return weighted, total

    def _coverage(self, question: _Weighted, row: int) -> float:
        """The idf-weighted share of the question's folded features that an entry explains."""
        phrasings, answer = self._phrasings.folded[row], self._answers.folded[row]
        weighted, total = question
        explained = 0.0
        for feature, weight in weighted:
            if feature in phrasings:
                explained += weight
            elif feature in answer:
                explained += self.tuning.answer_only_credit * weight
        return explained / total if total else 0.0

    def _confidence(self, words: _Weighted, pairs: _Weighted, row: int) -> float:
        """How much of the question an entry explains: its words, and its word pairs."""
        word_share = self._coverage(words, row)
        if not pairs[0]:
            return word_share
        weight = self.tuning.pair_weight
        return float(word_share ** (1 - weight) * self._coverage(pairs, row) ** weight)

    def correct_typos(self, tokens: Sequence[str]) -> list[str]:
        """Replace words no entry uses by the closest word an entry uses, when close enough."""
        corrected = []
        for token in tokens:
            folded = fold(token)
            if folded in self._word_set or len(folded) < self.tuning.typo_min_length or not folded.isalpha():
                corrected.append(token)
                continue
            match = process.extractOne(
                folded, self._words, scorer=fuzz.ratio, score_cutoff=self.tuning.typo_min_similarity
            )
            corrected.append(match[0] if match else token)
        return corrected

    def answer_text(self, entry: Entry, on: dt.date) -> str:
        """Return the answer, followed by a notice when a successor takes effect soon."""
        notices = [
            f"**Sắp thay đổi (từ ngày {successor.valid_from:%d/%m/%Y}):** {successor.change_summary}"
            for successor in self._successors.get(entry.id, ())
            if successor.valid_from and on < successor.valid_from <= on + dt.timedelta(days=SUCCESSOR_NOTICE_DAYS)
        ]
        return "\n\n".join([entry.answer, *notices])

    def _without_opening(self, tokens: Sequence[str]) -> Sequence[str]:
        """The question without the greeting or plea it opens with ("xin chào, cho hỏi…", "giúp tôi với…")."""
        words = [fold(token) for token in tokens]
        start = 0
        while start < len(words):
            for size in range(min(self._smalltalk_longest, len(words) - start), 0, -1):
                if self._smalltalk.get(tuple(words[start : start + size])) in OPENINGS:
                    start += size
                    break
            else:
                break
        return tokens[start:]

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
