"""Translations: the catalog follows the code, English is complete, dates read the Vietnamese way."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, normalize_language, translator

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = LOCALE_DIR / "messages.pot"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def msgids(path: Path) -> set[str]:
    with path.open("rb") as stream:
        return {str(message.id) for message in read_po(stream) if message.id}


def test_the_committed_template_matches_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", f"--mapping-file={ROOT / 'babel.cfg'}", f"--output-file={fresh}", str(ROOT)]
    )
    missing, gone = msgids(fresh) - msgids(TEMPLATE), msgids(TEMPLATE) - msgids(fresh)
    assert not missing and not gone, (
        f"bot/locale/messages.pot is stale: run `make i18n-extract i18n-update`, translate, `make i18n-compile`. "
        f"New: {sorted(missing)[:5]}; gone: {sorted(gone)[:5]}"
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_catalog_holds_exactly_the_template_messages(language: str) -> None:
    assert msgids(LOCALE_DIR / language / "LC_MESSAGES" / "messages.po") == msgids(TEMPLATE)


def test_english_translates_every_message_with_the_same_placeholders() -> None:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        catalog = read_po(stream)
    for message in catalog:
        if not message.id:
            continue
        assert message.string and not message.fuzzy, message.id
        assert sorted(_PLACEHOLDER.findall(str(message.id))) == sorted(_PLACEHOLDER.findall(str(message.string)))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_compiled_catalogs_are_up_to_date(language: str) -> None:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as stream:
        source = {m.id: m.string for m in read_po(stream) if m.id and m.string and not m.fuzzy}
    with (folder / "messages.mo").open("rb") as stream:
        compiled = {m.id: m.string for m in read_mo(stream) if m.id}
    assert compiled == source, "run `make i18n-compile`"


def test_vietnamese_source_text_is_nfc() -> None:
    for message_id in msgids(TEMPLATE):
        assert unicodedata.normalize("NFC", message_id) == message_id, message_id


@pytest.mark.parametrize(
    ("day", "vi", "en"),
    [
        (dt.date(2026, 12, 10), "thứ Năm, 10/12/2026", "Thursday, 10 December 2026"),
        (dt.date(2026, 12, 13), "Chủ nhật, 13/12/2026", "Sunday, 13 December 2026"),
        (dt.date(2027, 1, 4), "thứ Hai, 04/01/2027", "Monday, 4 January 2027"),
    ],
)
def test_dates_read_the_way_people_say_them(day: dt.date, vi: str, en: str) -> None:
    assert translator("vi").date(day) == vi
    assert translator("en").date(day) == en


def test_amounts_use_each_language_grouping() -> None:
    assert translator("vi").money(1_500_000) == "1.500.000 đồng"
    assert translator("en").money(1_500_000) == "1,500,000 dong"


def test_english_is_a_full_translation_and_vietnamese_the_source() -> None:
    assert translator("en").gettext("Hỏi chính sách") == "Ask about a policy"
    assert translator("vi").gettext("Hỏi chính sách") == "Hỏi chính sách"


@pytest.mark.parametrize(
    ("raw", "code"), [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("vi", "vi"), ("fr", "vi"), (None, "vi")]
)
def test_unknown_languages_fall_back_to_vietnamese(raw: str | None, code: str) -> None:
    assert normalize_language(raw) == code
