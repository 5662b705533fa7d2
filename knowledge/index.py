"""The search index: BM25 over syllable unigrams and bigrams, accented and folded.

A document is a bag of features: ``a:`` features keep diacritics, ``f:`` features are folded.
A question typed with diacritics is matched on both, so an exact-accent match outranks a
folded collision (đường/dương); a question typed without them uses folded features only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np

from knowledge.text import fold

BM25_K1 = 1.2
BM25_B = 0.75

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]


def features(tokens: Sequence[str], accented: bool) -> Counter[str]:
    """Return the bag of features of canonical tokens (accented ones only if asked)."""
    folded = [fold(token) for token in tokens]
    bag: Counter[str] = Counter(f"f:{token}" for token in folded)
    bag.update(f"f:{a}_{b}" for a, b in pairwise(folded))
    if accented:
        bag.update(f"a:{token}" for token in tokens)
        bag.update(f"a:{a}_{b}" for a, b in pairwise(tokens))
    return bag


class BM25Index:
    """Documents (token lists) scored against a query with BM25, all at once with numpy."""

    def __init__(self, documents: Sequence[Sequence[str]], bigram_weight: float = 1.0) -> None:
        bags = [features(tokens, accented=True) for tokens in documents]
        self.size = len(bags)
        self.vocabulary: dict[str, int] = {}
        for bag in bags:
            for feature in bag:
                self.vocabulary.setdefault(feature, len(self.vocabulary))
        frequency = np.zeros(len(self.vocabulary), dtype=np.float64)
        for bag in bags:
            for feature in bag:
                frequency[self.vocabulary[feature]] += 1
        self.idf: FloatArray = np.log((self.size - frequency + 0.5) / (frequency + 0.5) + 1.0)
        self.unknown_idf = math.log((self.size + 0.5) / 0.5 + 1.0)
        lengths = [sum(bag.values()) for bag in bags]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        columns: dict[str, list[tuple[int, float]]] = {feature: [] for feature in self.vocabulary}
        for row, bag in enumerate(bags):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[row] / average)
            for feature, tf in bag.items():
                weight = float(self.idf[self.vocabulary[feature]]) * tf * (BM25_K1 + 1) / (tf + norm)
                columns[feature].append((row, weight * bigram_weight if "_" in feature else weight))
        # Each feature's postings: the documents that contain it (ascending) and their BM25 weights,
        # keyed by the feature itself so that a query costs one dict lookup per feature.
        self._postings: dict[str, tuple[IntArray, FloatArray]] = {
            feature: (np.array([r for r, _ in c], dtype=np.int64), np.array([w for _, w in c], dtype=np.float64))
            for feature, c in columns.items()
        }
        # Each document's folded features (words and word pairs), for coverage: which parts of a
        # question it explains.
        self.folded: list[frozenset[str]] = [frozenset(f for f in bag if f.startswith("f:")) for bag in bags]
        self.words: list[frozenset[str]] = [frozenset(f[2:] for f in d if "_" not in f) for d in self.folded]

    def scores(self, bag: Counter[str]) -> FloatArray:
        """Return the BM25 score of every document for a query's bag of features."""
        rows, weights = [], []
        for feature, tf in bag.items():
            posting = self._postings.get(feature)
            if posting is not None:
                rows.append(posting[0])
                # A query rarely repeats a feature: skip building a scaled copy when it does not.
                weights.append(posting[1] if tf == 1 else posting[1] * tf)
        if not rows:
            return np.zeros(self.size, dtype=np.float64)
        return np.asarray(
            np.bincount(np.concatenate(rows), weights=np.concatenate(weights), minlength=self.size), dtype=np.float64
        )

    def shared_mass(self, weights: Mapping[str, float]) -> FloatArray:
        """Return, for every document, the sum of the given features' weights that it contains.

        The sums are taken in the mapping's order, like a Python loop over it would.
        """
        rows, masses = [], []
        for feature, weight in weights.items():
            posting = self._postings.get(feature)
            if posting is not None:
                rows.append(posting[0])
                masses.append(weight)
        if not rows:
            return np.zeros(self.size, dtype=np.float64)
        repeated = np.repeat(masses, [len(r) for r in rows])
        return np.asarray(np.bincount(np.concatenate(rows), weights=repeated, minlength=self.size), dtype=np.float64)

    def feature_idf(self, feature: str, unknown: float | None = None) -> float:
        """The idf of a feature, or ``unknown`` (default: the idf of an unseen one)."""
        column = self.vocabulary.get(feature)
        if column is not None:
            return float(self.idf[column])
        return self.unknown_idf if unknown is None else unknown
