"""Reading what people type on a cheap phone: amounts of money, counts, phone numbers.

Everything is forgiving (no diacritics, teencode, "2tr5") but never guesses between two
meanings: an amount without a unit below 1,000 đồng could be thousands or millions, so it is
refused and the person asked again.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from knowledge.text import fold


def folded(text: str) -> str:
    """Text reduced for matching what people type: no diacritics, lower case, words only."""
    cleaned = "".join(c if c.isalnum() else " " for c in unicodedata.normalize("NFC", text))
    return " ".join(fold(cleaned).lower().split())


MAX_AMOUNT = 10_000_000_000
_UNITS = {
    "trieu": 1_000_000,
    "tr": 1_000_000,
    "cu": 1_000_000,  # "củ", slang for a million
    "m": 1_000_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "k": 1_000,
    "ng": 1_000,
}
_CURRENCY = re.compile(r"\b(dong|d|vnd)\b")
_NUMBER_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_ZERO = frozenset({"0", "khong", "khong co", "ko", "ko co", "khong co thu nhap", "chua co"})


class AmountProblem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    NEEDS_UNIT = "needs_unit"  # "3": three million or three thousand?
    TOO_LARGE = "too_large"


@dataclass(frozen=True, slots=True)
class Amount:
    value: int | None
    problem: AmountProblem | None = None


_PLAIN = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d+")
_WITH_UNIT = re.compile(r"(\d+(?:[.,]\d+)?) ?(trieu|tr|cu|m|nghin|ngan|ng|k) ?(ruoi|\d{1,3})? ?(nghin|ngan|ng|k)?")


def parse_amount(text: str) -> Amount:
    """An amount of đồng from "3 triệu", "2tr5", "1 trieu ruoi", "3.500.000", "500k", "0"."""
    words = fold(unicodedata.normalize("NFC", text)).lower()
    words = re.sub(r"[^a-z0-9.,]+", " ", words)
    words = _CURRENCY.sub(" ", words)
    words = re.sub(r"(?<=\d) (?=\d{3}\b)", "", " ".join(words.split()))  # "3 500 000"
    words = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", words).strip(" .,")
    if words in _ZERO:
        return Amount(0)
    if _PLAIN.fullmatch(words):
        plain = int(re.sub(r"[.,]", "", words))
        if 0 < plain < 1000:
            return Amount(None, AmountProblem.NEEDS_UNIT)
        return _bounded(plain)
    match = _WITH_UNIT.fullmatch(words)
    if match is None:
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    number, unit, rest, rest_unit = match.groups()
    scale = _UNITS[unit]
    value = float(number.replace(",", ".")) * scale
    if rest == "ruoi":
        value += scale / 2
    elif rest and scale == 1_000_000 and (rest_unit or len(rest) == 3):
        value += int(rest) * 1_000  # "2 triệu 500 (nghìn)"
    elif rest and scale == 1_000_000 and len(rest) == 1:
        value += int(rest) * 100_000  # "2tr5"
    elif rest or rest_unit:
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    return _bounded(round(value))


def _bounded(value: int) -> Amount:
    return Amount(value) if value <= MAX_AMOUNT else Amount(None, AmountProblem.TOO_LARGE)


def parse_count(text: str, *, maximum: int) -> int | None:
    """A small whole number from "4", "4 người", "bốn"; None if it is not one between 1 and ``maximum``."""
    words = folded(text).split()
    if not words:
        return None
    first = words[0]
    if first.isdigit():
        value = int(first)
    elif first in _NUMBER_WORDS:
        value = _NUMBER_WORDS[first]
        if first == "muoi" and len(words) > 1 and words[1] in _NUMBER_WORDS:
            value += _NUMBER_WORDS[words[1]]
    else:
        return None
    return value if 1 <= value <= maximum else None


def parse_phone(text: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx (10 digits, or 11 for a landline), or None."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0\d{9,10}", digits) else None


def show_phone(phone: str) -> str:
    """A phone number grouped for reading aloud: "0912 345 678"."""
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
