"""The engine's numpy shortcuts against plain Python computations of the same quantities."""

from collections import Counter

import numpy as np
import pytest

from knowledge.engine import AnswerEngine
from knowledge.index import BM25_B, BM25_K1, BM25Index, features
from knowledge.loader import DEFAULT_DIRECTORY, load_knowledge
from knowledge.text import fold


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine(load_knowledge(DEFAULT_DIRECTORY).base)


def _jaccard(engine: AnswerEngine, question: list[str], text: str) -> float:
    """Idf-weighted Jaccard similarity of the folded features of a question and a phrasing."""
    phrasing = frozenset(features(engine.normalizer.tokens(text), accented=False))
    idf = engine._single.feature_idf
    shared = sum(idf(f) for f in question if f in phrasing)
    union = sum(idf(f) for f in question) + sum(idf(f) for f in phrasing) - shared
    return shared / union if union else 0.0


@pytest.mark.parametrize("pick", [0, 7, 42, -1])
def test_best_similarity_is_the_best_jaccard_over_each_entrys_phrasings(engine: AnswerEngine, pick: int) -> None:
    entries = engine.base.entries
    families = engine._supersession_families(engine.base)
    repeat = engine.tuning.question_repeat
    for text in (entries[pick].question, fold(entries[pick].variants[0]), "hộ nghèo vay vốn xyzabc bao nhiêu"):
        question = list(features(engine.normalizer.tokens(text), accented=False))
        rows = np.arange(len(entries))
        expected = [
            max(
                _jaccard(engine, question, phrasing)
                for member in families[entry.id]
                for phrasing in (*[member.question] * repeat, *member.variants)
            )
            for entry in entries
        ]
        assert engine._best_similarity(question, rows).tolist() == pytest.approx(expected, rel=1e-12)
        some = rows[::-7]  # any subset, in any order
        assert engine._best_similarity(question, some).tolist() == pytest.approx([expected[r] for r in some], rel=1e-12)
    assert max(expected) < 1.0  # the last question has a word no phrasing has
    own = list(features(engine.normalizer.tokens(entries[pick].question), accented=False))
    assert engine._best_similarity(own, rows)[pick % len(entries)] == pytest.approx(1.0)


def test_bm25_scores_and_shared_mass_match_their_definitions() -> None:
    documents = [["hộ", "nghèo", "hộ", "nghèo", "vay"], ["hộ", "cận", "nghèo"], ["lãi", "suất", "vay", "vay"]]
    index = BM25Index(documents, bigram_weight=0.4)
    bags = [features(d, accented=True) for d in documents]
    average = sum(sum(b.values()) for b in bags) / len(bags)
    query = Counter({"a:hộ": 2, "f:ngheo": 1, "f:ho_ngheo": 3, "a:vay": 1, "f:unknown": 1})
    expected = []
    for bag in bags:
        norm = BM25_K1 * (1 - BM25_B + BM25_B * sum(bag.values()) / average)
        expected.append(
            sum(
                tf * index.feature_idf(f) * bag[f] * (BM25_K1 + 1) / (bag[f] + norm) * (0.4 if "_" in f else 1.0)
                for f, tf in query.items()
                if f in bag
            )
        )
    assert index.scores(query).tolist() == pytest.approx(expected, rel=1e-12)
    weights = {"f:ho": 1.5, "f:ngheo": 0.25, "a:vay": 2.0, "f:unknown": 9.0}
    shared = [sum(w for f, w in weights.items() if f in bag) for bag in bags]
    assert index.shared_mass(weights).tolist() == pytest.approx(shared, rel=1e-12)
    assert index.scores(Counter({"f:unknown": 1})).tolist() == [0.0, 0.0, 0.0]
