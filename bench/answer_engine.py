"""Benchmark the answer engine against two baselines, on the real base and a synthetic one.

Run: ``.venv/bin/python bench/answer_engine.py`` (or ``make bench``). Prints Markdown tables
for docs/benchmarks.md. Latency is per question on one core (this process is single-threaded);
the synthetic base has 5,000 entries made by recombining the real entries' phrasings.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
from rapidfuzz import fuzz, process

from knowledge.engine import AnswerEngine, Outcome
from knowledge.evaluation import EvalSet, load_eval_set
from knowledge.loader import DEFAULT_DIRECTORY, KnowledgeBase, load_knowledge
from knowledge.text import fold

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "tests" / "data" / "faq_eval.yaml"
TODAY = dt.date(2026, 11, 26)
ROUNDS = 5
SYNTHETIC_SIZE = 5000


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(answer: Callable[[str], object], questions: Sequence[str], rounds: int = ROUNDS) -> dict[str, float]:
    """Time every question ``rounds`` times; return median, p99 (ms) and questions per second."""
    for question in questions[:20]:  # warm caches
        answer(question)
    latencies = []
    started = time.perf_counter()
    for _ in range(rounds):
        for question in questions:
            t0 = time.perf_counter_ns()
            answer(question)
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
    elapsed = time.perf_counter() - started
    return {
        "median_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 0.99),
        "qps": len(latencies) / elapsed,
    }


def synthetic_base(base: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """Make ``size`` entries by recombining words of the real questions and variants."""
    rng = random.Random(seed)
    phrasings = [text for entry in base.entries for text in (entry.question, *entry.variants)]
    words = [word for text in phrasings for word in text.split()]
    template = base.entries[0]
    entries = list(base.entries)
    for number in range(size - len(entries)):

        def sentence() -> str:
            return " ".join(rng.choice(words) for _ in range(rng.randint(5, 12)))

        entries.append(
            template.model_copy(
                update={
                    "id": f"synthetic-{number}",
                    "question": sentence() + "?",
                    "variants": [sentence(), sentence(), fold(sentence()).lower()],
                    "supersedes": None,
                    "change_summary": None,
                    "valid_from": None,
                    "valid_until": None,
                    "related": [],
                }
            )
        )
    topic_of = {entry.id: base.topic_of.get(entry.id, "synthetic") for entry in entries}
    return KnowledgeBase(tuple(entries), topic_of, base.topics, base.locations, base.synonyms, base.smalltalk)


def accuracy(ranked: Callable[[str, dt.date], list[str]], eval_set: EvalSet) -> tuple[float, float]:
    """Top-1 and top-3 of a ranking function on the in-scope eval questions, each on its date."""
    top1 = top3 = 0
    for item in eval_set.questions:
        ids = ranked(item.q, item.date or eval_set.date or TODAY)
        top1 += ids[:1] == [item.expect]
        top3 += item.expect in ids[:3]
    total = len(eval_set.questions)
    return top1 / total, top3 / total


def baselines(base: KnowledgeBase) -> dict[str, Callable[[str, dt.date], list[str]]]:
    """The two baselines: rapidfuzz WRatio over canonical questions, and BM25 over all phrasings."""
    questions = [fold(entry.question.lower()) for entry in base.entries]

    def wratio(question: str, on: dt.date = TODAY) -> list[str]:  # baselines know no dates
        matches = process.extract(fold(question.lower()), questions, scorer=fuzz.WRatio, limit=3)
        return [base.entries[index].id for _, _, index in matches]

    owners = []
    corpus = []
    for entry in base.entries:
        for text in (entry.question, *entry.variants):
            owners.append(entry.id)
            corpus.append(fold(text.lower()))
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)

    def bm25(question: str, on: dt.date = TODAY) -> list[str]:
        tokens = bm25s.tokenize([fold(question.lower())], stopwords=None, show_progress=False)
        if not tokens.vocab:
            return []
        results, _ = retriever.retrieve(tokens, k=min(30, len(corpus)), show_progress=False)
        ranked: list[str] = []
        for index in results[0]:
            if owners[index] not in ranked:
                ranked.append(owners[index])
        return ranked

    return {"rapidfuzz WRatio (canonical questions)": wratio, "BM25 (bm25s, all phrasings, folded)": bm25}


def engine_ranked(engine: AnswerEngine) -> Callable[[str, dt.date], list[str]]:
    def ranked(question: str, on: dt.date = TODAY) -> list[str]:
        reply = engine.ask(question, on)
        return [] if reply.outcome in (Outcome.FALLBACK, Outcome.SMALLTALK) else reply.ranked_ids

    return ranked


def batch_rss_mb(questions: Sequence[str]) -> float:
    """Peak resident memory of ``caunoi ask`` in batch mode over the questions (MB)."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run([sys.executable, '-m', 'caunoi', 'ask'], stdin=sys.stdin, stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input="\n".join(questions).encode(), capture_output=True, check=True
    )
    return int(result.stdout) / 1024


def main() -> None:
    base = load_knowledge(DEFAULT_DIRECTORY).base
    eval_set = load_eval_set(EVAL_FILE)
    questions = [item.q for item in eval_set.questions] + eval_set.out_of_scope
    print(f"# {len(base.entries)} real entries, {len(questions)} eval questions, {ROUNDS} rounds\n")
    print("| base | method | top-1 | top-3 | median ms | p99 ms | questions/s |")
    print("|---|---|---|---|---|---|---|")
    for label, knowledge in (("real", base), (f"synthetic {SYNTHETIC_SIZE}", synthetic_base(base, SYNTHETIC_SIZE))):
        t0 = time.perf_counter()
        engine = AnswerEngine(knowledge)
        build = time.perf_counter() - t0
        methods = {f"Cầu Nối engine (index built in {build:.2f} s)": engine_ranked(engine)}
        methods.update(baselines(knowledge))
        for name, ranked in methods.items():
            top1, top3 = accuracy(ranked, eval_set)
            speed = measure(ranked, questions)
            print(
                f"| {label} | {name} | {100 * top1:.1f}% | {100 * top3:.1f}% | {speed['median_ms']:.3f} "
                f"| {speed['p99_ms']:.3f} | {speed['qps']:.0f} |"
            )
    print(f"\nPeak RSS of batch `caunoi ask` over the eval questions: {batch_rss_mb(questions):.0f} MB")
    print(f"(this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
