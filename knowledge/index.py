"""The search index: BM25 over syllable unigrams and bigrams, accented and folded.

Each entry contributes several passages (its question, each variant, its tags). A
passage is a bag of features: ``a:`` features keep diacritics, ``f:`` features are folded.
A question typed with diacritics is matched on both, so an exact-accent match outranks
a folded collision (đường/dương); a question typed without them uses folded features only.
Unknown words are corrected to the nearest indexed word with rapidfuzz when close enough.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.text import fold

BM25_K1 = 1.2
BM25_B = 0.75
TYPO_MIN_LENGTH = 3
TYPO_MIN_SIMILARITY = 80.0


class PassageKind(enum.StrEnum):
    QUESTION = "question"
    VARIANT = "variant"
    TAGS = "tags"


@dataclass(frozen=True, slots=True)
class Passage:
    entry: int  # index into the indexed entries
    kind: PassageKind


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage that matched a query, with what the query and passage share."""

    passage: int
    score: float  # BM25
    query_coverage: float  # share of the query's weight found in the passage
    passage_coverage: float  # share of the passage's weight found in the query


def features(tokens: Sequence[str], accented: bool) -> Counter[str]:
    """Return the bag of features of canonical tokens (accented ones only if asked)."""
    folded = [fold(token) for token in tokens]
    bag: Counter[str] = Counter()
    bag.update(f"f:{token}" for token in folded)
    bag.update(f"f:{a}_{b}" for a, b in pairwise(folded))
    if accented:
        bag.update(f"a:{token}" for token in tokens)
        bag.update(f"a:{a}_{b}" for a, b in pairwise(tokens))
    return bag


class SearchIndex:
    """Passages of every entry, searchable by a tokenised question."""

    def __init__(self, passages: Sequence[tuple[Passage, Sequence[str]]]) -> None:
        self.passages = [passage for passage, _ in passages]
        bags = [features(tokens, accented=True) for _, tokens in passages]
        self._vocabulary: dict[str, int] = {}
        for bag in bags:
            for feature in bag:
                self._vocabulary.setdefault(feature, len(self._vocabulary))
        count = len(bags)
        document_frequency = np.zeros(len(self._vocabulary), dtype=np.float64)
        for bag in bags:
            for feature in bag:
                document_frequency[self._vocabulary[feature]] += 1
        self.idf = np.log((count - document_frequency + 0.5) / (document_frequency + 0.5) + 1.0)
        self.unknown_idf = math.log((count + 0.5) / 0.5 + 1.0)
        lengths = np.array([sum(bag.values()) for bag in bags], dtype=np.float64)
        average = float(lengths.mean()) if count else 1.0

        # Column-major postings: for each feature, the passages holding it and their weight.
        columns: list[list[tuple[int, float]]] = [[] for _ in self._vocabulary]
        self._rows: list[np.ndarray] = []
        self.passage_mass = np.zeros(count, dtype=np.float64)
        for row, bag in enumerate(bags):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[row] / average)
            ids = np.fromiter((self._vocabulary[f] for f in bag), dtype=np.int64, count=len(bag))
            self._rows.append(np.sort(ids))
            self.passage_mass[row] = float(self.idf[ids].sum())
            for feature, tf in bag.items():
                column = self._vocabulary[feature]
                weight = self.idf[column] * tf * (BM25_K1 + 1) / (tf + norm)
                columns[column].append((row, weight))
        self._column_rows = [np.array([r for r, _ in c], dtype=np.int64) for c in columns]
        self._column_weights = [np.array([w for _, w in c], dtype=np.float64) for c in columns]
        self._words = sorted({f[2:] for f in self._vocabulary if f.startswith("f:") and "_" not in f})
        self._word_set = frozenset(self._words)

    def correct_typos(self, tokens: Sequence[str]) -> list[str]:
        """Replace words the index has never seen by the closest indexed word, if close."""
        corrected = []
        for token in tokens:
            folded = fold(token)
            if folded in self._word_set or len(folded) < TYPO_MIN_LENGTH or folded.isdigit():
                corrected.append(token)
                continue
            match = process.extractOne(folded, self._words, scorer=fuzz.ratio, score_cutoff=TYPO_MIN_SIMILARITY)
            corrected.append(match[0] if match else token)
        return corrected

    def search(self, tokens: Sequence[str], limit: int, accented: bool) -> list[Hit]:
        """Return the best passages for a tokenised question, best first.

        ``accented`` says whether the person typed diacritics; only then do the accented
        features count (a question typed without them would otherwise favour the variants
        that happen to be written without diacritics too).
        """
        bag = features(tokens, accented=accented)
        known = [(self._vocabulary[f], tf) for f, tf in bag.items() if f in self._vocabulary]
        query_mass = sum(self.idf[i] for i, _ in known) + self.unknown_idf * (len(bag) - len(known))
        if not known or not self.passages:
            return []
        rows = np.concatenate([self._column_rows[i] for i, _ in known])
        weights = np.concatenate([self._column_weights[i] * tf for i, tf in known])
        scores = np.bincount(rows, weights=weights, minlength=len(self.passages))
        top = min(limit, int(np.count_nonzero(scores)))
        if top == 0:
            return []
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        query_ids = np.array(sorted(i for i, _ in known), dtype=np.int64)
        hits = []
        for row in best:
            shared = np.intersect1d(query_ids, self._rows[row], assume_unique=True)
            shared_mass = float(self.idf[shared].sum())
            hits.append(
                Hit(
                    passage=int(row),
                    score=float(scores[row]),
                    query_coverage=shared_mass / query_mass,
                    passage_coverage=shared_mass / float(self.passage_mass[row]),
                )
            )
        return hits
