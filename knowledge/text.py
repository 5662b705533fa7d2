"""Vietnamese text normalisation: one pipeline for the index and for every question.

People type the same word in many ways: NFD or NFC, old or new tone placement
("hoà"/"hòa"), without diacritics ("ho ngheo"), stretched ("nghèoooo"), in teencode
("ko", "dc") or as an abbreviation ("BHYT"). ``Normalizer.tokens`` maps all of them to
one accented form; ``fold`` gives the form without diacritics used as a second key.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_QUESTION_CHARS = 2000

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NOT_WORD = re.compile(r"[^\w.]+|(?<!\d)\.|\.(?!\d)|_")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Strip every diacritic and map đ to d: "Đường" -> "duong"."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")


def has_diacritics(text: str) -> bool:
    """Tell whether the text carries any Vietnamese diacritic (so it was not typed folded)."""
    return fold(text) != text


def place_tone(syllable: str) -> str:
    """Put the tone mark of a lowercase syllable where the traditional rule puts it.

    "hoà" -> "hòa", "thuỷ" -> "thủy", "qúy" -> "quý"; anything that is not a Vietnamese
    syllable with one tone comes back unchanged.
    """
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) != 1:
        return syllable
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    position = _tone_position(bare)
    if position is None:
        return syllable
    marked = bare[: position + 1] + tones[0] + bare[position + 1 :]
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", marked))


def _tone_position(bare: str) -> int | None:
    vowels = [i for i, c in enumerate(bare) if c in _VOWELS]
    if not vowels:
        return None
    # "qu" and "gi" before another vowel are consonants: quý, giữa.
    if len(vowels) > 1 and vowels[0] == 1 and bare[:2] in ("qu", "gi"):
        vowels = vowels[1:]
    cluster = [vowels[0]]
    for i in vowels[1:]:
        if i != cluster[-1] + 1:
            break
        cluster.append(i)
    marked = [i for i in cluster if bare[i] in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    if len(cluster) == 3:
        return cluster[1]
    if len(cluster) == 2:
        has_final_consonant = cluster[-1] < len(bare) - 1
        return cluster[1] if has_final_consonant else cluster[0]
    return cluster[0]


def clean(text: str) -> str:
    """Return lowercase NFC text with control/format characters gone and symbols as spaces."""
    text = text[:MAX_QUESTION_CHARS]
    text = unicodedata.normalize("NFC", text)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":  # zero-width joiners, RTL marks, BOM: invisible, drop them
            continue
        if category[0] in "CZ" or category[0] == "S":  # controls, separators, symbols, emoji
            kept.append(" ")
        else:
            kept.append(char)
    text = "".join(kept).lower()
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL_COMMA.sub(".", text)
    return _NOT_WORD.sub(" ", text)


@functools.lru_cache(maxsize=65536)
def _canonical_word(raw: str) -> str:
    # Collapse stretched letters before and after moving the tone: "nghèooo", "eaaà".
    return _STRETCHED.sub(r"\1", place_tone(_STRETCHED.sub(r"\1", raw)))


@dataclass(frozen=True, slots=True)
class Rewrite:
    """One rewrite rule: a phrase as people type it, and the words it stands for.

    Matching is literal on normalised tokens, so a phrase written without diacritics
    ("ko") only rewrites words typed without them, never the accented word ("kỏ").
    """

    phrase: tuple[str, ...]
    replacement: tuple[str, ...]


class Normalizer:
    """Turn raw text into canonical accented tokens: synonyms applied, filler words gone."""

    def __init__(self, synonyms: Mapping[str, str] | None = None, fillers: Iterable[str] = ()) -> None:
        self._rules: dict[str, list[Rewrite]] = {}
        pairs = [(phrase, replacement) for phrase, replacement in (synonyms or {}).items()]
        pairs += [(filler, "") for filler in fillers]
        for phrase, replacement in pairs:
            words = tuple(self._basic_tokens(phrase))
            if not words:
                continue
            rule = Rewrite(words, tuple(self._basic_tokens(replacement)))
            self._rules.setdefault(words[0], []).append(rule)
        for rules in self._rules.values():
            rules.sort(key=lambda rule: len(rule.phrase), reverse=True)

    @staticmethod
    def _basic_tokens(text: str) -> list[str]:
        return [_canonical_word(raw) for raw in clean(text).split()]

    def tokens(self, text: str) -> list[str]:
        """Return the canonical accented tokens of a text."""
        words = self._basic_tokens(text)
        if not self._rules:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            rule = self._match(words, i)
            if rule is None:
                out.append(words[i])
                i += 1
            else:
                out.extend(rule.replacement)
                i += len(rule.phrase)
        return out

    def _match(self, words: list[str], start: int) -> Rewrite | None:
        for rule in self._rules.get(words[start], ()):
            end = start + len(rule.phrase)
            if tuple(words[start:end]) == rule.phrase:
                return rule
        return None


def fold_tokens(tokens: Iterable[str]) -> list[str]:
    """Fold every token: the key that matches text typed without diacritics."""
    return [fold(token) for token in tokens]
