import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.text import MAX_QUESTION_CHARS, Normalizer, clean, fold, place_tone


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("thuỷ", "thủy"),
        ("qúy", "quý"),
        ("khoẻ", "khỏe"),
        ("hoàn", "hoàn"),
        ("người", "người"),
        ("giữa", "giữa"),
        ("gìn", "gìn"),
        ("khuỷu", "khuỷu"),
        ("quốc", "quốc"),
        ("mùa", "mùa"),
        ("nghèo", "nghèo"),
    ],
)
def test_tone_mark_moves_to_one_placement(typed: str, canonical: str) -> None:
    assert place_tone(typed) == canonical


def test_fold_removes_diacritics_and_maps_d_bar() -> None:
    assert fold("Đường dương đương") == "Duong duong duong"


def test_nfd_input_gives_the_same_tokens_as_nfc() -> None:
    normalizer = Normalizer()
    text = "Hộ nghèo được hỗ trợ gì"
    assert normalizer.tokens(unicodedata.normalize("NFD", text)) == normalizer.tokens(text)


def test_stretched_letters_emoji_zero_width_and_case_are_cleaned() -> None:
    normalizer = Normalizer()
    assert normalizer.tokens("NGHÈOOOO 😭😭 hộ\u200b nghèo!!!") == ["nghèo", "hộ", "nghèo"]


def test_numbers_keep_their_value() -> None:
    assert Normalizer().tokens("1.500.000 đồng, 1,5 triệu") == ["1500000", "đồng", "1.5", "triệu"]


def test_teencode_applies_only_to_words_typed_without_diacritics() -> None:
    normalizer = Normalizer({"ko": "không", "dc": "được", "bhyt": "bảo hiểm y tế"})
    assert normalizer.tokens("ko dc BHYT") == ["không", "được", "bảo", "hiểm", "y", "tế"]
    assert normalizer.tokens("kó") == ["kó"]


def test_longest_synonym_phrase_wins_and_identity_protects_full_phrase() -> None:
    normalizer = Normalizer(
        {
            "ngân hàng chính sách": "ngân hàng chính sách xã hội",
            "ngân hàng chính sách xã hội": "ngân hàng chính sách xã hội",
        }
    )
    assert normalizer.tokens("ngân hàng chính sách xã hội") == ["ngân", "hàng", "chính", "sách", "xã", "hội"]
    assert normalizer.tokens("ngân hàng chính sách") == ["ngân", "hàng", "chính", "sách", "xã", "hội"]


def test_fillers_are_dropped() -> None:
    normalizer = Normalizer(fillers=["ạ", "cho em hỏi"])
    assert normalizer.tokens("Cho em hỏi hộ nghèo ạ") == ["hộ", "nghèo"]


def test_input_is_cut_for_matching() -> None:
    assert len(clean("a " * 5000)) <= MAX_QUESTION_CHARS


@given(st.text())
def test_any_text_normalises_to_nfc_lowercase_tokens(text: str) -> None:
    tokens = Normalizer({"ko": "không"}).tokens(text)
    for token in tokens:
        assert token
        assert unicodedata.is_normalized("NFC", token)
        assert token == token.lower()
        assert not any(unicodedata.category(c).startswith(("C", "Z")) for c in token)


@given(st.text(alphabet=st.sampled_from("aăâeêioôơuưyđhngqkt \u0300\u0301\u0303\u0309\u0323"), max_size=40))
def test_normalisation_is_idempotent(text: str) -> None:
    normalizer = Normalizer()
    once = normalizer.tokens(text)
    assert normalizer.tokens(" ".join(once)) == once
