"""What people type instead of tapping: yes and no, cancel and menu words, a code in a sentence.

Found by trying the bot as an elderly citizen would: a typed "2" in the middle of a story must not
throw the story away, "khong" under a list of suggestions must not send the question off, and
"đồng ý", "xa", "menu" or "huy dang ky" should do what they say.
"""

from __future__ import annotations

from bot.events import Text
from bot.flows.router import SURE
from tests.bot.conftest import Chat
from tests.bot.test_eligibility import answer_household, answer_indicators
from tests.bot.test_report import to_description

STORY = "Đường vào bản bị sạt lở từ tuần trước."


async def written_draft(chat: Chat) -> None:
    await to_description(chat)
    await chat.say(STORY)
    assert "Đã ghi lại" in chat.text


async def test_a_typed_number_meant_as_the_cancel_choice_asks_before_throwing_the_story_away(chat: Chat) -> None:
    await written_draft(chat)
    await chat.say("2")  # the second button is "✖ Huỷ", but "2" may be part of what happened
    assert "bỏ phản ánh đang viết" in chat.text and await chat.tickets() == []
    await chat.tap("Viết tiếp")
    assert "kể lại sự việc" in chat.text
    await chat.say("Có 2 nhà bị ảnh hưởng.")
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.text == f"{STORY}\n\nCó 2 nhà bị ảnh hưởng."


async def test_typed_cancel_words_ask_too_and_the_confirmed_choice_cancels(chat: Chat) -> None:
    await written_draft(chat)
    await chat.say("huy")
    assert "bỏ phản ánh đang viết" in chat.text
    assert any(payload.endswith(f":{SURE}") for payload in chat.payloads)
    await chat.tap("Bỏ phản ánh này")
    assert "Đã huỷ" in chat.text
    await chat.say("xong")  # nothing is open any more: not a story, not a ticket
    assert await chat.tickets() == []


async def test_the_steps_own_cancel_button_and_the_command_cancel_at_once(chat: Chat) -> None:
    await written_draft(chat)
    await chat.tap("Huỷ")
    assert "Đã huỷ" in chat.text
    await written_draft(chat)
    await chat.say("/huy")
    assert "Đã huỷ" in chat.text


async def test_an_old_menu_button_in_the_middle_of_a_story_asks_first(chat: Chat) -> None:
    await written_draft(chat)
    await chat.press("m:check")  # "Tự kiểm tra hộ nghèo" from the greeting, scrolled up
    assert "bỏ phản ánh đang viết" in chat.text
    await chat.tap("Bỏ phản ánh này")
    assert "Nông thôn" in " ".join(chat.labels)  # the self-check started


async def test_an_faq_question_tapped_in_the_middle_of_a_form_answers_and_the_form_goes_on(chat: Chat) -> None:
    await written_draft(chat)
    await chat.press("q:bhyt-ho-ngheo")
    assert "Căn cứ" in chat.text
    assert "Bạn đang làm dở: gửi phản ánh" in chat.text and "kể lại sự việc" in chat.text
    await chat.tap("Tiếp tục")  # the story is still there
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    assert STORY in chat.text


async def test_done_words_in_the_story_step_move_on_instead_of_joining_the_story(chat: Chat) -> None:
    await written_draft(chat)
    await chat.say("xong")
    assert "để lại số điện thoại" in chat.text
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.text == STORY


async def test_done_before_telling_anything_is_taken_as_the_story(chat: Chat) -> None:
    await to_description(chat)
    await chat.say("xong")
    assert "Đã ghi lại" in chat.text  # with nothing told yet, "xong" is taken as the story's words


async def test_natural_yes_words_answer_a_consent_question(chat: Chat) -> None:
    await written_draft(chat)
    await chat.tap("Tiếp tục")
    await chat.tap("Để lại số điện thoại")
    await chat.say("0912345678")
    await chat.say("dong y")
    assert "giữ kín" in chat.text.lower()
    await chat.say("co")  # yes: keep it confidential
    assert "Giữ kín với cán bộ xã: Có" in chat.text
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.contact_phone == "0912345678" and ticket.confidential


async def test_the_word_in_brackets_picks_the_area(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.say("xa")  # the prompt says the commune (xã) is rural
    assert "người" in chat.text.lower() and "Bạn hãy chọn" not in chat.text


async def test_english_yes_and_no_are_read_as_typed_before_being_translated(chat: Chat) -> None:
    await chat.press("lang:en")
    await chat.tap("self-check")
    await chat.say("rural")
    await chat.say("4")
    await chat.say("4 trieu")
    await chat.say("yes")
    assert "Question 2/12" in chat.text
    await chat.say("no")
    assert "Question 3/12" in chat.text


async def test_no_under_the_suggestions_asks_before_sending_the_question_to_an_official(chat: Chat) -> None:
    await chat.say("vay von ngan hang chinh sach")
    assert "Có phải bạn muốn hỏi" in chat.text, chat.text
    await chat.say("khong")
    assert "gửi câu hỏi này cho cán bộ" in chat.text
    assert "xã, phường" not in chat.text and await chat.tickets() == []
    await chat.say("khong")
    assert await chat.tickets() == []


async def test_tapping_none_of_these_still_sends_the_question_on(chat: Chat) -> None:
    await chat.say("vay von ngan hang chinh sach")
    await chat.tap("Không phải")
    assert "xã, phường" in chat.text  # straight to the commune, as the button says


async def test_yes_no_or_a_number_with_nothing_to_answer_shows_the_menu(chat: Chat) -> None:
    for typed in ("co", "khong", "1"):
        await chat.send(Text(typed))
        if "Bạn hãy chọn một mục dưới đây" not in chat.text:
            # "1" right after the menu is its first item, as it should be
            assert typed == "1" and "gõ câu hỏi" in chat.text.lower()
        assert "Căn cứ" not in chat.text


async def test_menu_and_unsubscribe_typed_as_words(chat: Chat) -> None:
    await chat.say("menu")
    assert "Gửi phản ánh" in chat.labels
    await chat.say("quay lai")
    assert "Gửi phản ánh" in chat.labels and "Căn cứ" not in chat.text
    await chat.say("huy dang ky")
    assert "Căn cứ" not in chat.text and "thông báo" in chat.text.lower()


async def test_cancel_words_leave_the_self_check(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.tap("Nông thôn")
    await chat.say("thoi")
    assert "Đã huỷ" in chat.text


async def test_a_tracking_code_inside_a_sentence_is_looked_up(chat: Chat) -> None:
    await written_draft(chat)
    await chat.tap("Tiếp tục")
    await chat.tap("Không để lại số")
    await chat.tap("Không cần giữ kín")
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    await chat.say(f"cho toi hoi ma so {ticket.code.lower()} voi")
    assert ticket.code in chat.text and "Đã nhận" in chat.text


async def test_greetings_help_and_are_you_human_are_small_talk_with_the_menu(chat: Chat) -> None:
    for typed in ("xin chao ban", "chau chao bac", "giup toi voi", "ban co phai nguoi that khong"):
        await chat.say(typed)
        assert "Gửi phản ánh" in chat.labels, typed
        assert "Căn cứ" not in chat.text and "gửi câu hỏi cho cán bộ" not in chat.text, typed


async def test_a_question_after_a_greeting_is_answered_like_the_question_alone(chat: Chat) -> None:
    await chat.say("ho ngheo duoc ho tro gi")
    alone = chat.text
    await chat.say("xin chao, cho hoi ho ngheo duoc ho tro gi")
    assert "Căn cứ" in chat.text and chat.text == alone


async def test_the_old_city_typed_as_the_commune_offers_the_wards_that_replaced_it(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Phản ánh, kiến nghị")
    await chat.say("thanh pho cao bang")
    assert "không còn thành phố Cao Bằng" in chat.text
    assert {"Phường Thục Phán", "Phường Nùng Trí Cao", "Phường Tân Giang"} <= set(chat.labels)
    await chat.tap("Tân Giang")
    assert "kể lại sự việc" in chat.text


async def test_the_language_can_be_switched_by_typing_its_name(chat: Chat) -> None:
    await chat.say("english")
    assert "Send a report" in chat.labels
    await chat.say("tieng viet")
    assert "Gửi phản ánh" in chat.labels and "Đã chuyển sang tiếng Việt" in chat.text


async def test_menu_words_and_commands_ask_before_throwing_a_draft_away(chat: Chat) -> None:
    for leaving in ("quay lai", "menu", "/menu", "/start"):
        await written_draft(chat)
        await chat.say(leaving)
        assert "bỏ phản ánh đang viết" in chat.text, leaving
        await chat.tap("Viết tiếp")
        assert "kể lại sự việc" in chat.text, leaving
        await chat.say("/huy")  # the explicit command cancels at once
    await written_draft(chat)
    await chat.say("ve menu")
    await chat.tap("Bỏ phản ánh này")
    assert "Gửi phản ánh" in chat.labels and await chat.tickets() == []


async def test_switching_language_in_the_middle_of_a_report_keeps_it(chat: Chat) -> None:
    await written_draft(chat)
    await chat.say("english")
    assert "Switched to English" in chat.text and "bỏ phản ánh" not in chat.text
    await chat.say("There were 3 houses.")
    await chat.tap("Continue")
    await chat.tap("No phone number")
    await chat.tap("No need to keep it confidential")
    await chat.tap("Send")
    [ticket] = await chat.tickets()
    assert ticket.text == f"{STORY}\n\nThere were 3 houses."


async def test_i_dont_know_typed_picks_the_unknown_answer(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.tap("Nông thôn")
    await chat.say("4")
    await chat.say("1 trieu")
    first_question = chat.text
    await chat.say("khong biet")
    assert chat.text != first_question and "Bạn hãy chọn một nút" not in chat.text
    await chat.say("co a")
    assert "Bạn hãy chọn một nút" not in chat.text


async def test_an_amount_with_nothing_to_answer_shows_the_menu_not_an_offer_to_forward_it(chat: Chat) -> None:
    await chat.say("/start")
    for typed in ("5tr", "1.500.000 đồng", "1500", "3-4 trieu"):
        await chat.say(typed)
        assert "Bạn hãy chọn một mục dưới đây" in chat.text, typed
        assert "gửi câu hỏi cho cán bộ" not in chat.text, typed


async def test_leaving_a_request_for_review_is_asked_in_its_own_words(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="4 triệu")
    await answer_indicators(chat, yes=3)
    await chat.tap("Gửi đề nghị rà soát cho xã")
    await chat.say("menu")
    assert "bỏ đề nghị rà soát đang làm" in chat.text and "phản ánh" not in chat.text
    await chat.tap("Làm tiếp")
    assert "xã, phường" in chat.text


async def test_each_self_check_answer_is_said_back_and_a_typed_number_cannot_silently_cancel(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="4 triệu")
    await chat.say("2")  # meant as "two people", read as the second button: the citizen sees which
    assert "Câu 1: bạn trả lời **Không**." in chat.text and "Câu 2/12" in chat.text
    await chat.say("dung")  # "đúng" answers "…, có đúng không?"
    assert "Câu 2: bạn trả lời **Có**." in chat.text
    await chat.say("4")  # the fourth button is "✖ Huỷ": asked first, the answers are kept
    assert "bỏ phần tự kiểm tra đang làm" in chat.text
    await chat.tap("Làm tiếp")
    assert "Câu 3/12" in chat.text


async def test_a_phone_number_typed_when_asked_whether_to_leave_one_is_taken(chat: Chat) -> None:
    await written_draft(chat)
    await chat.tap("Tiếp tục")
    await chat.say("0912 345 678")
    assert "Đồng ý lưu số điện thoại" in chat.text


async def test_a_ward_picked_after_answering_rural_is_told_to_the_commune_too(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="4 triệu")
    await answer_indicators(chat, yes=3)
    await chat.tap("Gửi đề nghị rà soát cho xã")
    await chat.say("thuc phan")
    await chat.tap("Phường Thục Phán")
    assert "Lưu ý: Phường Thục Phán thuộc khu vực **thành thị**" in chat.text
    await chat.tap("Không để lại số")
    await chat.tap("Gửi")
    assert "Xem đề nghị đã gửi" in chat.labels
    [ticket] = await chat.tickets()
    assert (
        "- Lưu ý: Phường Thục Phán thuộc khu vực thành thị, khác khu vực người dân đã khai (nông thôn)" in ticket.text
    )
