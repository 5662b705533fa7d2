"""Events as adapters build them; replies and the helpers channels use to show them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.events import Command, Event, Text, text_or_command
from bot.i18n import translator
from bot.replies import Button, Reply, choice_number, is_valid_payload, label, render_numbered, split_text
from casework.channels import Channel


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/start", Command("start")),
        ("/HUY", Command("huy")),
        ("/start@CauNoiBot", Command("start")),
        ("/ngon_ngu en", Command("ngon_ngu", "en")),
        ("  /huy_dang_ky  ", Command("huy_dang_ky")),
        ("ho ngheo / can ngheo", Text("ho ngheo / can ngheo")),
        ("/", Text("/")),
        ("", Text("")),
    ],
)
def test_typed_text_becomes_a_command_only_when_it_starts_with_one(raw: str, expected: object) -> None:
    assert text_or_command(raw) == expected


def test_an_event_needs_a_chat_and_an_update_id_of_sane_length() -> None:
    with pytest.raises(ValueError, match="chat_ref"):
        Event(Channel.WEB, "", "u1", Text("x"))
    with pytest.raises(ValueError, match="update_id"):
        Event(Channel.WEB, "chat", "u" * 129, Text("x"))


def test_an_event_cannot_come_from_a_channel_without_chats() -> None:
    with pytest.raises(ValueError, match="not a chat channel"):
        Event(Channel.PAPER, "chat", "u1", Text("x"))


@pytest.mark.parametrize("payload", ["", "x" * 65, "dấu", "a\nb"])
def test_button_payloads_are_short_printable_ascii(payload: str) -> None:
    assert not is_valid_payload(payload)
    with pytest.raises(ValueError, match="payload"):
        Button("Nhãn", payload)


def test_a_reply_holds_at_most_eight_buttons_and_some_text() -> None:
    with pytest.raises(ValueError, match="at most 8"):
        Reply("x", tuple(Button(str(n), f"m:{n}") for n in range(9)))
    with pytest.raises(ValueError, match="needs text"):
        Reply("  ")


def test_long_labels_are_shortened_with_an_ellipsis() -> None:
    shortened = label("Hộ nghèo " * 20)
    assert len(shortened) <= 64
    assert shortened.endswith("…")


def test_long_labels_are_cut_between_words_never_inside_one() -> None:
    question = "Hộ cận nghèo có được hỗ trợ tiền đóng bảo hiểm y tế miễn phí không, và được bao nhiêu phần trăm?"
    shortened = label(question)
    assert len(shortened) <= 64 and shortened.endswith("…")
    assert question.startswith(shortened[:-1]) and question[len(shortened) - 1] == " "
    assert label("x" * 100).endswith("…") and len(label("x" * 100)) == 64  # one long word: cut where it must


def test_buttons_become_numbered_choices_for_channels_without_buttons() -> None:
    reply = Reply("Bạn muốn gì?", (Button("Hỏi", "m:ask"), Button("Gửi", "m:report"), Button("Tra cứu", "m:track")))
    assert (
        render_numbered(reply, translator("vi")) == "Bạn muốn gì?\n\n1. Hỏi\n2. Gửi\n3. Tra cứu\n\nTrả lời 1, 2 hoặc 3."
    )
    assert render_numbered(reply, translator("en")).endswith("Reply 1, 2 or 3.")
    assert render_numbered(Reply("Chỉ chữ"), translator("vi")) == "Chỉ chữ"


@pytest.mark.parametrize(
    ("text", "expected"), [("1", 1), (" 3 ", 3), ("2.", 2), ("2)", 2), ("4", None), ("0", None), ("hai", None)]
)
def test_a_typed_number_picks_a_choice(text: str, expected: int | None) -> None:
    assert choice_number(text, 3) == expected


def test_long_text_splits_at_paragraphs_first() -> None:
    text = "Đoạn một.\n\nĐoạn hai dài hơn một chút.\n\nĐoạn ba."
    assert split_text(text, 30) == ["Đoạn một.", "Đoạn hai dài hơn một chút.", "Đoạn ba."]
    assert split_text(text, 1000) == [text]


def test_a_paragraph_longer_than_the_limit_splits_at_lines_then_words() -> None:
    parts = split_text("một hai ba bốn năm sáu bảy tám chín mười", 12)
    assert all(len(part) <= 12 for part in parts)
    assert " ".join(parts) == "một hai ba bốn năm sáu bảy tám chín mười"


def test_a_word_longer_than_the_limit_is_cut_without_losing_characters() -> None:
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=300), st.integers(min_value=1, max_value=40))
def test_splitting_never_exceeds_the_limit_nor_drops_a_letter(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
