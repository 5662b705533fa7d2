"""Reading what people type on a cheap phone: amounts of money, counts, phone numbers.

Everything is forgiving (no diacritics, teencode, "2tr5", "hai triệu rưỡi") but never guesses
between two meanings; what could be read two ways is refused and the person asked again:

* an amount without a unit below 1,000 đồng could be thousands or millions (``NEEDS_UNIT``), and one
  from 1,000 to 99,999 thousands or đồng ("1500": 1,500 nghìn or 1,500 đồng?), unless "đồng" is said;
* a separator followed by exactly three digits groups thousands ("4.500k" is 4,500 × 1,000),
  one or two digits make a decimal ("2,5 triệu", "1.25tr"); after a million, a leading zero
  leaves one reading ("1tr05" is 1,050,000, "2tr50" is refused);
* "thu nhập", "tổng", "nhà tôi được", "khoảng", "tầm", "gần"... and "mỗi tháng", "/tháng" are dropped
  (the self-check needs an approximate monthly figure), but a yearly figure ("2 triệu một năm",
  "24tr/năm") is refused, and so is a negative one ("-500000", "âm 500 nghìn");
* "mỗi người", "/người", "đầu người", "bình quân" mark a share per person (``Amount.per_person``);
* a range ("3-4 triệu", "3 đến 4 triệu") and a bound ("hơn 2 triệu", "dưới 2 triệu") are reported
  (``RANGE``, ``ABOVE``, ``BELOW``) rather than turned into a figure the person did not give;
* folded "tam" is "tầm" (about) or "tám" (eight): refused when both readings are numbers
  ("tam muoi trieu": about ten or eighty million?);
* a household size must be the only number in the message ("1 vợ 2 con" is refused), surrounded
  only by words that say "my household has N people".
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, replace

from knowledge.text import fold


def folded(text: str) -> str:
    """Text reduced for matching what people type: no diacritics, lower case, words only."""
    cleaned = "".join(c if c.isalnum() else " " for c in unicodedata.normalize("NFC", text))
    return " ".join(fold(cleaned).lower().split())


def _split_digits(text: str) -> str:
    """Put a space between digits and letters: "2tr5" -> "2 tr 5", "4ng" -> "4 ng"."""
    return re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", text)


# Vietnamese number words, folded, from 0 to 999 -----------------------------------------------

_DIGIT_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
# After "mươi": "mốt" (1), "tư" (4), "lăm"/"nhăm" (5); "năm" is accepted too (l/n are often swapped).
_UNIT_AFTER_TENS = {**_DIGIT_WORDS, "lam": 5, "nham": 5}
# The spoken short form without "mươi": "hai mốt" 21, "ba tư" 34, "bốn lăm" 45. Only units that
# cannot start a new number, so "ba bốn" (three or four) stays two numbers.
_UNIT_OF_SHORT_TENS = {"mot": 1, "tu": 4, "lam": 5, "nham": 5}


def _token(tokens: list[str], i: int) -> str:
    return tokens[i] if i < len(tokens) else ""


def _read_tens(tokens: list[str], i: int) -> tuple[int, int] | None:
    """1..99 from the words at ``tokens[i]``: "chín", "mười lăm", "hai mươi mốt", "hai mốt".

    Returns the value and the index after it, or None if no number word starts there.
    """
    first = _DIGIT_WORDS.get(_token(tokens, i))
    second = _token(tokens, i + 1)
    if _token(tokens, i) == "muoi":  # "mười"
        tens, after = 10, i + 1
    elif first is not None and first >= 2 and second == "muoi":  # "hai mươi"
        tens, after = first * 10, i + 2
    elif first is not None and first >= 2 and second in _UNIT_OF_SHORT_TENS:  # "hai mốt"
        return first * 10 + _UNIT_OF_SHORT_TENS[second], i + 2
    elif first is not None:
        return first, i + 1
    else:
        return None
    unit = _UNIT_AFTER_TENS.get(_token(tokens, after))
    return (tens + unit, after + 1) if unit is not None else (tens, after)


def _read_number_words(tokens: list[str], i: int) -> tuple[int, int] | None:
    """1..999 from the words at ``tokens[i]``: "năm trăm", "một trăm linh năm", "2 trăm rưỡi", "mười lăm"."""
    word = _token(tokens, i)
    hundreds = _DIGIT_WORDS.get(word) or (int(word) if re.fullmatch(r"[1-9]", word) else None)
    if hundreds is None or _token(tokens, i + 1) != "tram":
        return _read_tens(tokens, i)
    value, after = hundreds * 100, i + 2
    following = _token(tokens, after)
    if following in ("linh", "le") and _token(tokens, after + 1) in _DIGIT_WORDS:  # "một trăm linh năm"
        return value + _DIGIT_WORDS[_token(tokens, after + 1)], after + 2
    if following == "ruoi":  # "hai trăm rưỡi" = 250
        return value + 50, after + 1
    if "muoi" in (following, _token(tokens, after + 1)):  # "một trăm mười", "hai trăm năm mươi"
        tens = _read_tens(tokens, after)
        if tens is not None:
            return value + tens[0], tens[1]
    # A bare digit after "trăm" ("hai trăm năm": 205 or 250?) is left unread, so it is refused.
    return value, after


# Amounts of money --------------------------------------------------------------------------------

MAX_AMOUNT = 10_000_000_000
_BILLION = 1_000_000_000
_MILLION = 1_000_000
_THOUSAND = 1_000
_UNITS = {
    "ty": _BILLION,  # "tỷ"
    "ti": _BILLION,  # "tỉ"
    "trieu": _MILLION,
    "tr": _MILLION,
    "cu": _MILLION,  # "củ", slang for a million
    "m": _MILLION,
    "nghin": _THOUSAND,
    "ngan": _THOUSAND,
    "k": _THOUSAND,
    "ng": _THOUSAND,
}
# A bare number below this is not taken as đồng: a household living on a few thousand đồng a month
# is implausible, while people who count in thousands say "1500" for 1,500 nghìn (1.5 million).
# From 100,000 up a bare number is read as đồng ("500000" is half a million).
_SMALLEST_BARE_DONG = 100_000
_CURRENCY = frozenset({"dong", "d", "vnd"})
_ZERO = frozenset(
    {"0", "khong", "khong co", "ko", "ko co", "khong co thu nhap", "ko co thu nhap", "chua co", "chua co thu nhap"}
)
# Words that say a range: "3 đến 4 triệu", "3 tới 4 triệu", "3 hoặc 4 triệu"; "3-4 triệu" is read as
# "3 đến 4 triệu" before the dash is mistaken for a minus.
_RANGE_WORDS = frozenset({"den", "toi", "hoac"})
_RANGE_DASH = re.compile(r"(?<=\d)(\s*[^\W\d_]*\s*)[-\u2212\u2013~]\s*(?=\d)")
_NEGATIVE = re.compile(r"(?:^|\s)[-\u2212\u2013]\s*\d")  # "-500000", "− 2tr"
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")  # "4.500", "1,200,000"
_DECIMAL = re.compile(r"(\d+)[.,](\d{1,2})")  # "2,5", "1.25"


class AmountProblem(enum.Enum):
    """Why an amount has no value; ``Amount.figures`` holds what the problem is about."""

    NOT_A_NUMBER = "not_a_number"
    NEEDS_UNIT = "needs_unit"  # "3": three million or three thousand? "1500": 1,500 nghìn or đồng? figures (1500,)
    TOO_LARGE = "too_large"
    RANGE = "range"  # "3-4 triệu": figures (3_000_000, 4_000_000)
    ABOVE = "above"  # "hơn 2 triệu": figures (2_000_000,)
    BELOW = "below"  # "dưới 2 triệu": figures (2_000_000,)


@dataclass(frozen=True, slots=True)
class Amount:
    value: int | None
    problem: AmountProblem | None = None
    per_person: bool = False  # "2 triệu mỗi người": the value (or figures) is each person's share
    figures: tuple[int, ...] = ()  # what the problem is about, see AmountProblem


_NOT_A_NUMBER = Amount(None, AmountProblem.NOT_A_NUMBER)
_NEEDS_UNIT = Amount(None, AmountProblem.NEEDS_UNIT)


class _Words(enum.Enum):
    """What the words around an amount say about it."""

    NOTHING = enum.auto()  # "thu nhập", "khoảng", "mỗi tháng", "ạ"
    YEARLY = enum.auto()
    PER_PERSON = enum.auto()
    ABOVE = enum.auto()
    BELOW = enum.auto()


def _phrases(words: str, meaning: _Words) -> dict[tuple[str, ...], _Words]:
    return {tuple(phrase.split()): meaning for phrase in words.split(",")}


# "mỗi / một / 1 / hàng / cả / trong" + "tháng" or "năm".
_PER = ("moi", "mot", "1", "hang", "ca", "trong")
_PERIODS: dict[tuple[str, ...], _Words] = {
    **{(per, "thang"): _Words.NOTHING for per in _PER},
    **{(per, "nam"): _Words.YEARLY for per in _PER},
}
_PER_PERSON = _phrases(
    "moi nguoi,mot nguoi,1 nguoi,moi ng,dau nguoi,moi dau nguoi,mot dau nguoi,1 dau nguoi,tren dau nguoi,"
    "binh quan,binh quan dau nguoi,moi khau,mot khau,moi nhan khau,mot nhan khau",
    _Words.PER_PERSON,
)
# Before the amount: what it is (thu nhập, tổng, cả nhà, nhà tôi được...) and that it is approximate:
# khoảng, chừng, gần, cỡ/có, độ, ước, xấp xỉ. "Gần X" is how people say "about X"; X is the nearest
# reading of it. "tầm" is handled apart: folded, it is also "tám" (eight). None of these is a number
# word, so only words that cannot start an amount are dropped.
_BEFORE: dict[tuple[str, ...], _Words] = {
    **_phrases(
        "thu,nhap,tong,cong,so,tien,duoc,kiem,lam,ban,nha,toi,minh,em,chau,ca,tat,la,thi,ho,gia,dinh,chi,vao,"
        "khoang,chung,gan,co,do,uoc,xap,xi",
        _Words.NOTHING,
    ),
    **_phrases("hon,tren,nhieu hon", _Words.ABOVE),
    **_phrases("duoi,it hon,chua den,chua toi,chua duoc,khong den,khong toi,khong qua", _Words.BELOW),
    **_PERIODS,
    **_PER_PERSON,
}
_AFTER: dict[tuple[str, ...], _Words] = {
    **_phrases("a,thoi,nhe,do,day,mot chut,mot it,chut it,mot xiu", _Words.NOTHING),
    **_phrases("hon,tro len", _Words.ABOVE),
    **_phrases("tro xuong,do lai", _Words.BELOW),
    **_PERIODS,
    **_PER_PERSON,
}
_LONGEST_PHRASE = max(len(phrase) for phrase in (*_BEFORE, *_AFTER))


@dataclass(frozen=True, slots=True)
class _Number:
    whole: int
    fraction: str  # the digits after a decimal separator, "" for a whole number
    width: int  # how many digits it is written with: "1 triệu 2" and "2 triệu 500" differ by it
    end: int  # index of the token after it


def parse_amount(text: str) -> Amount:
    """An amount of đồng from "3 triệu", "2tr5", "1 trieu ruoi", "3.500.000đ", "4.500k", "khoảng hai triệu", "0"."""
    text = _RANGE_DASH.sub(r"\1 den ", text)  # "3-4 triệu", "2tr - 2tr5": a range, not a minus
    if _NEGATIVE.search(text):
        return _NOT_A_NUMBER
    words = fold(unicodedata.normalize("NFC", text.replace("/", " moi "))).lower()  # "2tr/tháng"
    words = re.sub(r"[^a-z0-9.,]+", " ", words)
    words = re.sub(r"(?<=\d) (?=\d{3}\b)", "", " ".join(words.split()))  # "3 500 000"
    tokens = [token.strip(".,") for token in _split_digits(words).split()]
    in_dong = any(token in _CURRENCY for token in tokens)  # "1500 đồng" says its unit
    tokens = [token for token in tokens if token and token not in _CURRENCY]
    if "am" in tokens:  # "âm 500 nghìn": a negative amount
        return _NOT_A_NUMBER
    return _read_amount_phrase(tokens, in_dong=in_dong)


def _read_amount_phrase(tokens: list[str], *, in_dong: bool) -> Amount:
    """Drop the words around an amount ("thu nhập khoảng", "mỗi tháng"), note what they say, read the rest."""
    said: set[_Words] = set()
    while found := _words_around(tokens):
        meaning, tokens = found
        if meaning is _Words.YEARLY:
            return _NOT_A_NUMBER
        said.add(meaning)
    if len(tokens) >= 2 and tokens[-1] == "nam" and tokens[-2] in _UNITS:
        return _NOT_A_NUMBER  # "2 triệu năm": 2.5 million, or 2 million a year?
    if " ".join(tokens) in _ZERO:
        amount = Amount(0)
    elif tokens[:1] == ["tam"]:  # "tầm" (about) or "tám" (eight)
        amount = _only_reading(_read_range_or_amount(tokens, in_dong), _read_amount_phrase(tokens[1:], in_dong=in_dong))
    else:
        amount = _read_range_or_amount(tokens, in_dong)
    if said >= {_Words.ABOVE, _Words.BELOW}:
        return _NOT_A_NUMBER
    # "Hơn / trên / dưới X" is a bound, not a figure: read as X, "trên 2 triệu" would sit on the line
    # and give a verdict the person did not claim. The bound is reported so that a figure is asked for.
    for bound, problem in ((_Words.ABOVE, AmountProblem.ABOVE), (_Words.BELOW, AmountProblem.BELOW)):
        if bound in said and amount.value is not None:
            amount = Amount(None, problem, figures=(amount.value,))
    if _Words.PER_PERSON in said:
        amount = replace(amount, per_person=True)
    return amount


def _words_around(tokens: list[str]) -> tuple[_Words, list[str]] | None:
    """The longest phrase of known meaning at the start or the end of ``tokens``, and the tokens without it."""
    for length in range(min(_LONGEST_PHRASE, len(tokens)), 0, -1):
        meaning = _BEFORE.get(tuple(tokens[:length]))
        if meaning is not None:
            return meaning, tokens[length:]
        meaning = _AFTER.get(tuple(tokens[-length:]))
        if meaning is not None:
            return meaning, tokens[:-length]
    return None


def _only_reading(first: Amount, second: Amount) -> Amount:
    """The one reading that gives a value; refused when two readings give different values."""
    readings = (first, second)
    values = {reading.value for reading in readings if reading.value is not None}
    if len(values) > 1:
        return _NOT_A_NUMBER
    for reading in readings:
        if reading.value is not None:
            return reading
    return next((reading for reading in readings if reading.problem is not AmountProblem.NOT_A_NUMBER), first)


def _read_range_or_amount(tokens: list[str], in_dong: bool) -> Amount:
    """A range ("3 đến 4 triệu", "từ 2tr đến 2tr5") or a single amount."""
    split = next((i for i, token in enumerate(tokens) if token in _RANGE_WORDS and 0 < i < len(tokens) - 1), None)
    if split is not None:
        found = _read_range(tokens[:split], tokens[split + 1 :], in_dong)
        if found is not None:
            return found
    return _read_amount(tokens, in_dong)


def _read_range(low: list[str], high: list[str], in_dong: bool) -> Amount | None:
    """Both ends of a range, the first taking the unit of the second ("3 đến 4 triệu"); None if unreadable.

    A range is not turned into its middle: the self-check compares one figure with a line, and a
    range may well straddle it. The person is asked for one figure, with the middle as an example.
    """
    if low[0] == "tu" and len(low) > 1:  # "từ 3 đến 4 triệu" ("tư", four, cannot come before a number)
        low = low[1:]
    top = _read_amount(high, in_dong)
    if top.value is None:
        return None
    bottom = _read_amount(low, in_dong)
    number = _read_number(high, 0)
    if bottom.value is None and number is not None and number.end < len(high):
        bottom = _read_amount([*low, high[number.end]], in_dong)  # "3 đến 4 triệu": 3 triệu
    if bottom.value is None:
        return None
    return Amount(None, AmountProblem.RANGE, figures=tuple(sorted((bottom.value, top.value))))


def _read_number(tokens: list[str], i: int) -> _Number | None:
    """A number written with digits ("4.500", "2,5", "500") or words ("hai trăm") at ``tokens[i]``."""
    words = _read_number_words(tokens, i)
    if words is not None:
        value, end = words
        return _Number(value, "", 1 if value < 10 else 3 if value >= 100 else 2, end)
    token = _token(tokens, i)
    if _GROUPED.fullmatch(token):
        digits = re.sub(r"[.,]", "", token)
        return _Number(int(digits), "", len(digits), i + 1)
    if decimal := _DECIMAL.fullmatch(token):
        return _Number(int(decimal[1]), decimal[2], len(decimal[1]), i + 1)
    if token.isdigit():
        return _Number(int(token), "", len(token), i + 1)
    return None


def _read_amount(tokens: list[str], in_dong: bool) -> Amount:
    """A number, then a unit, then optionally "rưỡi" or what follows a million ("2tr5", "2 triệu 500 nghìn")."""
    number = _read_number(tokens, 0)
    if number is None:
        return _NOT_A_NUMBER
    if number.end == len(tokens):  # no unit
        if number.fraction or 0 < number.whole < 1000:
            return _NEEDS_UNIT
        if number.whole < _SMALLEST_BARE_DONG and not in_dong:  # "1500": 1,500 nghìn or 1,500 đồng?
            return Amount(None, AmountProblem.NEEDS_UNIT, figures=(number.whole,))
        return _bounded(number.whole)
    scale = _UNITS.get(tokens[number.end])
    if scale is None:
        return _NOT_A_NUMBER
    value = number.whole * scale
    if number.fraction:  # scale is at least 1,000 and the fraction two digits at most: exact
        value += int(number.fraction) * scale // 10 ** len(number.fraction)
    rest = tokens[number.end + 1 :]
    if not rest:
        return _bounded(value)
    if rest == ["ruoi"]:
        return _bounded(value + scale // 2) if not number.fraction else _NOT_A_NUMBER
    extra = _read_number(rest, 0)
    if scale != _MILLION or number.fraction or extra is None or extra.fraction:
        return _NOT_A_NUMBER
    after = rest[extra.end :]
    if after and len(after) == 1 and _UNITS.get(after[0]) == _THOUSAND and extra.whole < 1000:
        return _bounded(value + extra.whole * _THOUSAND)  # "2 triệu 500 nghìn"
    if not after and extra.width == 1:
        return _bounded(value + extra.whole * 100_000)  # "2tr5", "1 triệu 2", "một triệu hai"
    if not after and extra.width == 2 and extra.whole < 10:
        return _bounded(value + extra.whole * 10_000)  # "1tr05": the leading zero leaves one reading
    if not after and extra.width == 3:
        return _bounded(value + extra.whole * _THOUSAND)  # "2 triệu 500"
    return _NOT_A_NUMBER  # "2tr50": 2,050,000 or 2,500,000?


def _bounded(value: int) -> Amount:
    return Amount(value) if value <= MAX_AMOUNT else Amount(None, AmountProblem.TOO_LARGE)


# Household sizes -----------------------------------------------------------------------------------

# The words that may surround a household size: "nhà tôi có 4 người", "hộ gồm 5 nhân khẩu ạ".
# Anything else ("vợ", "con", "và", "hoặc") may change what the number counts, so it is refused.
_COUNT_WORDS = frozenset(
    (
        "nha toi minh em ho gia dinh co gom la so tat ca tong cong"  # nhà tôi có, hộ gia đình gồm, tất cả
        " nguoi ng khau nhan thanh vien chi thoi a nhe o day"  # người, nhân khẩu, thành viên, chỉ... thôi ạ
    ).split()
)


def parse_count(text: str, *, maximum: int) -> int | None:
    """A small whole number from "4", "nhà tôi có 4 người", "hai mươi mốt"; None unless one, from 1 to ``maximum``."""
    tokens = _split_digits(folded(text)).split()
    numbers: list[int] = []
    i = 0
    while i < len(tokens):
        words = _read_number_words(tokens, i)
        if words is not None:
            numbers.append(words[0])
            i = words[1]
        elif tokens[i].isdigit():
            numbers.append(int(tokens[i]))
            i += 1
        elif tokens[i] in _COUNT_WORDS:
            i += 1
        else:
            return None
    if len(numbers) != 1:  # "1 vợ 2 con", "3 hoặc 4", "ba bốn người": never guess
        return None
    return numbers[0] if 1 <= numbers[0] <= maximum else None


# Phone numbers -------------------------------------------------------------------------------------

# Mobiles: 10 digits, 03/05/07/08/09. Landlines since 2017: 02 + area code + number, 11 digits
# (Cao Bằng: 0206 xxx xxxx).
_PHONE = re.compile(r"0[35789]\d{8}|02\d{9}")


def parse_phone(text: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx (10 digits, or 11 for a landline), or None."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


def show_phone(phone: str) -> str:
    """A phone number grouped for reading aloud: "0912 345 678"."""
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
