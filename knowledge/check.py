"""``caunoi faq check``: everything an editor can get wrong, with file and line.

Errors fail the check; warnings are shown but do not. The checks: the schema (via the
loader), unique ids, dangling ``related`` and ``supersedes``, overlapping validity,
answer length and markup, review dates, near-duplicate questions across entries, and
self-consistency: the question and every variant must find their own entry first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import combinations

from rapidfuzz import fuzz

from knowledge.engine import AnswerEngine
from knowledge.loader import KnowledgeBase, LoadResult, Problem, Severity
from knowledge.schema import Entry
from knowledge.text import Normalizer, fold_tokens, has_diacritics

MAX_ANSWER_CHARS = 1500
LONG_ANSWER_CHARS = 1000
NEAR_DUPLICATE_SIMILARITY = 97.0
REVIEW_DUE_DAYS = 365
_HTML = re.compile(r"</?[a-zA-Z][^>]*>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def check_knowledge(loaded: LoadResult, today: dt.date, engine: AnswerEngine | None = None) -> list[Problem]:
    """Return every problem of a loaded base: the loader's and the checks' own.

    ``engine`` may be one already built over the same base, to save building another.
    """
    base = loaded.base
    problems = list(loaded.problems)
    problems += _references(base)
    for entry in base.entries:
        problems += _entry_problems(base, entry, today)
    problems += _near_duplicates(base)
    problems += _self_consistency(engine or AnswerEngine(base), today)
    return sorted(problems, key=lambda p: (str(p.path), p.line, p.message))


def _problem(
    base: KnowledgeBase,
    entry: Entry,
    field: str,
    message: str,
    *,
    item: int | None = None,
    severity: Severity = Severity.ERROR,
) -> Problem:
    where = base.locations[entry.id]
    return Problem(severity, where.path, where.line_of(field, item), f"{entry.id}: {message}")


def _references(base: KnowledgeBase) -> Iterator[Problem]:
    for entry in base.entries:
        for number, related in enumerate(entry.related):
            if related not in base.by_id:
                yield _problem(base, entry, "related", f"related id '{related}' does not exist", item=number)
            elif related == entry.id:
                yield _problem(base, entry, "related", "an entry cannot be related to itself", item=number)
        if not entry.supersedes:
            continue
        previous = base.by_id.get(entry.supersedes)
        if previous is None:
            yield _problem(base, entry, "supersedes", f"supersedes unknown id '{entry.supersedes}'")
        elif entry.valid_from and (previous.valid_until is None or previous.valid_until >= entry.valid_from):
            yield _problem(
                base,
                entry,
                "valid_from",
                f"validity overlaps '{previous.id}': it must end (valid_until) before {entry.valid_from}",
            )


def _entry_problems(base: KnowledgeBase, entry: Entry, today: dt.date) -> Iterator[Problem]:
    length = len(entry.answer)
    if length > MAX_ANSWER_CHARS:
        yield _problem(base, entry, "answer", f"answer has {length} characters (at most {MAX_ANSWER_CHARS})")
    elif length > LONG_ANSWER_CHARS:
        yield _problem(
            base, entry, "answer", f"answer has {length} characters; aim for under 800", severity=Severity.WARNING
        )
    yield from _markup_problems(base, entry)
    if entry.reviewed > today:
        yield _problem(base, entry, "reviewed", f"reviewed date {entry.reviewed} is in the future")
    elif (today - entry.reviewed).days > REVIEW_DUE_DAYS:
        yield _problem(
            base, entry, "reviewed", f"last reviewed {entry.reviewed}: review is due", severity=Severity.WARNING
        )
    if (
        entry.valid_until
        and entry.valid_until < today
        and not any(other.supersedes == entry.id for other in base.entries)
    ):
        yield _problem(
            base,
            entry,
            "valid_until",
            f"expired on {entry.valid_until} and nothing replaces it",
            severity=Severity.WARNING,
        )
    if entry.change_summary and entry.change_summary.lower().startswith(("từ ngày", "từ ")):
        yield _problem(
            base,
            entry,
            "change_summary",
            "change_summary is shown after 'Sắp thay đổi (từ ngày …):'; do not repeat the date",
            severity=Severity.WARNING,
        )
    if not has_diacritics(entry.question):
        yield _problem(base, entry, "question", "the canonical question must be written with diacritics")


def _markup_problems(base: KnowledgeBase, entry: Entry) -> Iterator[Problem]:
    text = entry.answer
    if _HTML.search(text):
        yield _problem(base, entry, "answer", "HTML tags are not allowed; use **bold**, '- ' lists, [text](url)")
    if _HEADING.search(text):
        yield _problem(base, entry, "answer", "headings (#) are not allowed; use a **bold** line")
    if text.count("**") % 2:
        yield _problem(base, entry, "answer", "unbalanced ** (bold must open and close)")
    for label, url in _LINK.findall(text):
        if not label.strip() or not re.fullmatch(r"https?://\S+", url):
            yield _problem(base, entry, "answer", f"broken link [{label}]({url})")


def _near_duplicates(base: KnowledgeBase) -> Iterator[Problem]:
    """Warn about questions with the same words, or the same text but for a typo.

    One different word is not a duplicate: "hộ nghèo" and "hộ cận nghèo" ask different things.
    """
    normalizer = Normalizer(base.synonyms, base.smalltalk.fillers)
    words = {entry.id: fold_tokens(normalizer.tokens(entry.question)) for entry in base.entries}
    for first, second in combinations(base.entries, 2):
        if first.supersedes == second.id or second.supersedes == first.id:
            continue  # the same question for two periods is the point of supersedes
        a, b = words[first.id], words[second.id]
        similarity = 100.0 if set(a) == set(b) else fuzz.ratio(" ".join(a), " ".join(b))
        if similarity >= NEAR_DUPLICATE_SIMILARITY:
            yield _problem(
                base,
                second,
                "question",
                f"question is nearly the same as '{first.id}' ({similarity:.0f}%); merge them or ask differently",
                severity=Severity.WARNING,
            )


def _checking_date(entry: Entry, today: dt.date) -> dt.date:
    if entry.in_force(today):
        return today
    if entry.valid_from and entry.valid_from > today:
        return entry.valid_from
    return entry.valid_until or today


def _self_consistency(engine: AnswerEngine, today: dt.date) -> Iterator[Problem]:
    base = engine.base
    if not base.entries:
        return
    for entry in base.entries:
        on = _checking_date(entry, today)
        phrasings: list[tuple[str, int | None, str]] = [("question", None, entry.question)]
        phrasings += [("variants", n, variant) for n, variant in enumerate(entry.variants)]
        for field, item, text in phrasings:
            tokens = engine.normalizer.tokens(text)
            ranked = engine.rank(tokens, on, accented=has_diacritics(text))
            if not ranked or ranked[0].entry.id != entry.id:
                found = ranked[0].entry.id if ranked else "nothing"
                yield _problem(base, entry, field, f"'{text}' finds '{found}' first, not this entry", item=item)
