"""Translations of everything the bot says: Babel catalogs, Vietnamese source, English second.

Strings are marked where they are written, ``_("…")`` with ``_ = turn.t.gettext`` in flows and
``N_("…")`` for module-level labels translated later, so ``make i18n-extract`` finds them all.
The eligibility data files' questions and labels are extracted too (``extract_eligibility``,
wired in ``babel.cfg``) and translated at display time. Vietnamese is the source language: its
catalog is the identity, kept so that the workflow is the same for every language.

Catalog workflow (Makefile): ``i18n-extract`` writes ``bot/locale/messages.pot``; ``i18n-update``
merges it into each ``messages.po``; ``i18n-compile`` writes the ``.mo`` files the bot loads. A
test fails when the committed template no longer matches the code.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO, Any

import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
# The language names are shown in their own language, so they are not translated.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
# Keys of the eligibility data files whose values people read.
_ELIGIBILITY_KEYS = frozenset({"dimension", "question", "next_steps", "rural", "urban"})
_ELIGIBILITY_SKIP = frozenset({"income_lines"})


def N_(message: str) -> str:  # noqa: N802 - the conventional name pybabel looks for
    """Mark a string for translation without translating it yet (module-level labels)."""
    return message


def normalize_language(value: str | None) -> str:
    """A supported language code from a stored or requested one, the source language otherwise."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else SOURCE_LANGUAGE


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], DOMAIN)


class Translator:
    """Translate and format for one language."""

    def __init__(self, language: str) -> None:
        self.language = normalize_language(language)
        self._catalog = _translations(self.language)
        self._locale = Locale.parse(self.language)

    def gettext(self, message: str) -> str:
        """The message in this language (the Vietnamese source when no translation exists)."""
        return self._catalog.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form for ``count`` (Vietnamese has one form)."""
        return self._catalog.ngettext(singular, plural, count)

    def date(self, day: dt.date) -> str:
        """A date the way people read it: "thứ Năm, 10/12/2026"; "Thursday, 10 December 2026"."""
        if self.language == "vi":
            text = format_date(day, "EEEE, dd/MM/yyyy", locale=self._locale)
            # Mid-sentence Vietnamese writes "thứ Năm" and "Chủ nhật".
            return text.replace("Thứ ", "thứ ", 1).replace("Chủ Nhật", "Chủ nhật", 1)
        return format_date(day, "EEEE, d MMMM y", locale=self._locale)

    def short_date(self, day: dt.date) -> str:
        """A date without the weekday: "02/03/2026"; "2 Mar 2026"."""
        return format_date(day, "dd/MM/yyyy" if self.language == "vi" else "d MMM y", locale=self._locale)

    def money(self, amount: int) -> str:
        """An amount of đồng: "1.500.000 đồng"; "1,500,000 dong"."""
        return self.gettext("{amount} đồng").format(amount=format_decimal(amount, locale=self._locale))

    def number(self, value: int) -> str:
        """A whole number with the language's grouping."""
        return format_decimal(value, locale=self._locale)

    def choice_hint(self, count: int) -> str:
        """ "Trả lời 1, 2 hoặc 3." for a channel that shows choices as numbers."""
        if count <= 1:
            return self.gettext("Trả lời 1.")
        first = ", ".join(str(number) for number in range(1, count))
        return self.gettext("Trả lời {first} hoặc {last}.").format(first=first, last=count)


@functools.cache
def translator(language: str) -> Translator:
    """The shared translator of a language."""
    return Translator(normalize_language(language))


def extract_eligibility(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extractor for knowledge/eligibility/*.yaml: every text a person reads there."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))

    def walk(value: Any, key: str | None) -> Iterator[str]:
        if isinstance(value, dict):
            for child_key, child in value.items():
                if str(child_key) not in _ELIGIBILITY_SKIP:
                    yield from walk(child, str(child_key))
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, key)
        elif isinstance(value, str) and key in _ELIGIBILITY_KEYS:
            yield value

    for text in walk(data, None):
        yield 0, None, text, []
