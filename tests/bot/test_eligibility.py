"""The self-check: the standard in force on the day, the three outcomes, honesty about 2027, nothing stored."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.eligibility_result import area_mismatch_note
from bot.i18n import translator
from bot.parsing import folded
from casework.conversations.models import Conversation
from casework.tickets.models import TicketKind
from knowledge.eligibility import DIRECTORY, Area, Verdict, assess, default_standards, load_standards
from knowledge.gazetteer import UnitKind, search_units
from tests.bot.conftest import NOW, Chat, Clock

IN_2027 = dt.datetime(2027, 3, 1, 3, 0, tzinfo=dt.UTC)


async def answer_household(chat: Chat, *, area: str, size: str, income: str) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.tap(area)
    await chat.say(size)
    await chat.say(income)


async def answer_indicators(chat: Chat, yes: int, unknown: int = 0) -> None:
    for number in range(12):
        if number < yes:
            await chat.tap("Có")
        elif number < yes + unknown:
            await chat.tap("Không rõ")
        else:
            await chat.say("khong")  # typed, as many do


async def test_2026_uses_decree_07_and_a_low_income_household_with_three_deprivations_may_be_poor(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    assert "Nghị định 07/2021/NĐ-CP" in chat.text and "không được lưu" in chat.text
    await chat.tap("Nông thôn")
    await chat.say("4")
    await chat.say("4 triệu")
    assert "Câu 1/12 (Việc làm)" in chat.text
    await answer_indicators(chat, yes=3)
    assert "**có thể thuộc hộ nghèo**" in chat.text
    assert "1.000.000 đồng/người/tháng" in chat.text and "1.500.000 đồng" in chat.text
    assert "Chỉ có **rà soát của UBND xã, phường** mới quyết định" in chat.text
    assert "Mẫu số 01" in chat.text and "UBND xã" in chat.text  # what to bring, where to go


async def test_fewer_than_three_deprivations_may_be_near_poor(chat: Chat) -> None:
    await answer_household(chat, area="Thành thị", size="3", income="5tr")
    await answer_indicators(chat, yes=1, unknown=1)  # even if the unknown one is a deprivation: 2 < 3
    assert "**có thể thuộc hộ cận nghèo**" in chat.text
    assert "2.000.000 đồng" in chat.text  # the urban line
    assert '1 câu bạn trả lời "Không rõ"' in chat.text


async def test_income_above_the_line_is_neither_and_skips_the_indicators(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="2", income="3.500.000")
    assert "**có thể không thuộc**" in chat.text
    assert "Câu 1/12" not in chat.text
    assert "vẫn có thể đề nghị xã rà soát" in chat.text and "Nộp ở đâu" in chat.text
    assert "Gửi đề nghị rà soát cho xã" not in chat.labels


async def test_from_2027_the_new_lines_apply_and_the_unconfirmed_indicators_are_said_so(
    chat: Chat, clock: Clock
) -> None:
    clock.now = IN_2027
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    assert "Nghị định 351/2025/NĐ-CP" in chat.text and "chưa xác minh" in chat.text
    await chat.tap("Nông thôn")
    await chat.say("3")
    await chat.say("6 triệu")  # 2,000,000 each: poor-line income in 2027, not in 2026
    assert "trả lời thêm vài câu" in chat.text
    await chat.tap("Chỉ xét thu nhập")
    assert "**có thể thuộc hộ nghèo hoặc hộ cận nghèo**" in chat.text
    assert "2.200.000 đồng" in chat.text


async def test_from_2027_the_old_indicators_can_still_be_answered_as_an_indication(chat: Chat, clock: Clock) -> None:
    clock.now = IN_2027
    await answer_household(chat, area="Nông thôn", size="3", income="6 triệu")
    await chat.tap("Trả lời thêm")
    await answer_indicators(chat, yes=4)
    assert "**có thể thuộc hộ nghèo**" in chat.text and "Nghị định 351/2025/NĐ-CP" in chat.text
    # The result says again whose indicators were asked, without claiming they are Nghị định 351's.
    assert "chỉ số của Nghị định 07/2021/NĐ-CP" in chat.text and "chưa xác minh" in chat.text


async def test_in_2026_the_result_has_no_borrowed_indicators_note(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="3", income="3 triệu")
    await answer_indicators(chat, yes=4)
    assert "**có thể thuộc hộ nghèo**" in chat.text and "chưa xác minh" not in chat.text


async def test_from_2027_the_request_to_the_commune_names_the_indicators_asked(chat: Chat, clock: Clock) -> None:
    clock.now = IN_2027
    await answer_household(chat, area="Nông thôn", size="3", income="6 triệu")
    await chat.tap("Trả lời thêm")
    await answer_indicators(chat, yes=1)
    await send_to(chat, "Thục Phán")
    [ticket] = await chat.tickets()
    assert "Nghị định 07/2021/NĐ-CP" in ticket.text and "chưa xác minh" in ticket.text


async def test_after_the_last_standard_the_self_check_says_it_cannot(chat: Chat, clock: Clock) -> None:
    clock.now = dt.datetime(2031, 2, 1, tzinfo=dt.UTC)
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    assert "chưa có chuẩn nghèo" in chat.text


async def test_unreadable_answers_are_asked_again(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.say("nong thon")
    await chat.say("nhiều lắm")
    assert "từ 1 đến 30" in chat.text
    await chat.say("bốn")
    await chat.say("3")
    assert "ghi rõ đơn vị" in chat.text
    await chat.say("khoảng vài triệu")
    assert "chưa đọc được số tiền" in chat.text
    await chat.say("4tr")
    assert "Câu 1/12" in chat.text


async def test_nothing_is_kept_unless_the_household_sends_it(
    chat: Chat, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="4 triệu")
    await answer_indicators(chat, yes=3)
    await chat.tap("Menu chính")
    assert await chat.tickets() == []
    async with sessions() as session:
        found = (await session.scalars(select(Conversation).where(Conversation.chat_ref == chat.chat_ref))).one()
    assert found.state["data"] == {} and "4000000" not in str(found.state)


async def test_the_result_can_be_sent_to_the_commune_as_a_request_for_review(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="4 triệu")
    await answer_indicators(chat, yes=3)
    await chat.tap("Gửi đề nghị rà soát cho xã")
    assert "chưa phải giấy đề nghị chính thức" in chat.text  # the paper form is still needed
    await chat.say("thuc phan")
    await chat.tap("Thục Phán")
    assert "hẹn rà soát" in chat.text
    await chat.tap("Không để lại số")
    # Addressed to the commune by nature: no "keep it from the commune's staff?" question.
    assert "Đề nghị rà soát hộ nghèo" in chat.text and "Giữ kín" not in chat.text
    await chat.tap("Gửi")
    [ticket] = await chat.tickets()
    assert ticket.kind is TicketKind.FEEDBACK and ticket.topic == "de-nghi-ra-soat"
    assert "Số người trong hộ: 4" in ticket.text and "có thể thuộc hộ nghèo" in ticket.text
    assert "Số chỉ số thiếu hụt: 3/12" in ticket.text
    await chat.say("/tra_cuu")
    assert f"**{ticket.code}**: Đề nghị rà soát hộ nghèo" in chat.text  # not "Phản ánh, kiến nghị"


def test_the_shipped_standards_cover_2022_to_2030_without_gaps() -> None:
    standards = default_standards()
    assert [s.id for s in standards.items] == ["nd-07-2021", "nd-351-2025"]
    assert standards.on(dt.date(2026, 12, 31)).id == "nd-07-2021"  # type: ignore[union-attr]
    assert standards.on(dt.date(2027, 1, 1)).id == "nd-351-2025"  # type: ignore[union-attr]
    assert standards.on(dt.date(2021, 12, 31)) is None
    new = standards.by_id("nd-351-2025")
    assert new is not None and not new.indicators_confirmed
    assert len(standards.indicators_of(new)) == 12


@pytest.mark.parametrize(
    ("income", "deprivations", "verdict"),
    [
        (4_500_000, 3, Verdict.POOR),  # exactly the line for 3 rural people
        (4_500_000, 2, Verdict.NEAR_POOR),
        (4_500_001, 5, Verdict.NEITHER),
        (0, None, Verdict.LOW_INCOME),
    ],
)
def test_the_rule_compares_the_household_total_with_the_line(
    income: int, deprivations: int | None, verdict: Verdict
) -> None:
    standard = default_standards().by_id("nd-07-2021")
    assert standard is not None
    result = assess(standard, area=Area.RURAL, household_size=3, monthly_income=income, deprivations=deprivations)
    assert result.verdict is verdict


def test_a_broken_standard_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\nvalid_from: 2030-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        load_standards(tmp_path)


def test_the_standard_files_are_nfc() -> None:
    paths = sorted(DIRECTORY.glob("*.yaml"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path


async def test_above_the_line_within_the_middle_band_mentions_the_middle_income_household(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="3", income="6tr")  # 2,000,000 each
    assert "**có thể không thuộc**" in chat.text
    assert "**hộ có mức sống trung bình**" in chat.text and "2.250.000" in chat.text
    assert "làm nông, lâm, ngư" in chat.text


async def test_above_the_middle_band_or_under_the_line_there_is_no_middle_income_note(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="3", income="7tr")  # 2,333,333 each
    assert "mức sống trung bình" not in chat.text
    await answer_household(chat, area="Thành thị", size="2", income="3tr")  # under the urban line: indicators next
    assert "mức sống trung bình" not in chat.text


def test_the_middle_band_is_only_where_the_standard_states_it() -> None:
    standards = default_standards()
    old, new = standards.by_id("nd-07-2021"), standards.by_id("nd-351-2025")
    assert old is not None and new is not None
    within = assess(old, area=Area.URBAN, household_size=2, monthly_income=6_000_000, deprivations=None)
    assert within.verdict is Verdict.NEITHER and within.middle_line == 3_000_000
    above = assess(old, area=Area.URBAN, household_size=2, monthly_income=6_000_001, deprivations=None)
    assert above.middle_line is None
    # 2027–2030: the middle-income standard is not confirmed, so nothing is said about it.
    assert new.middle_income_lines is None
    assert (
        assess(new, area=Area.RURAL, household_size=1, monthly_income=2_300_000, deprivations=None).middle_line is None
    )


async def send_to(chat: Chat, unit: str) -> None:
    """Send the result shown last to a commune, leaving no phone number."""
    await chat.tap("Gửi đề nghị rà soát cho xã")
    await chat.say(folded(unit))
    await chat.tap(unit)
    await chat.tap("Không để lại số")
    await chat.tap("Gửi")


@pytest.mark.parametrize(("yes", "unknown"), [(0, 12), (2, 2), (1, 2)])
async def test_unknown_answers_that_could_make_three_deprivations_leave_poor_or_near_poor_open(
    chat: Chat, yes: int, unknown: int
) -> None:
    await answer_household(chat, area="Nông thôn", size="1", income="0")
    await answer_indicators(chat, yes=yes, unknown=unknown)
    assert "**có thể thuộc hộ nghèo hoặc hộ cận nghèo**" in chat.text
    assert "**có thể thuộc hộ cận nghèo**" not in chat.text
    assert f"Số chỉ số thiếu hụt: {yes} (từ 3 trở lên là hộ nghèo)" in chat.text
    assert f'Có {unknown} câu bạn trả lời "Không rõ" (câu {yes + 1}, {yes + 2}' in chat.text
    assert f"Nếu trong số này có từ {3 - yes} câu trở lên là thiếu hụt" in chat.text
    assert "Rà soát của UBND xã, phường sẽ xác định các câu này" in chat.text


@pytest.mark.parametrize(("yes", "unknown", "verdict"), [(3, 9, "hộ nghèo"), (1, 1, "hộ cận nghèo")])
async def test_unknown_answers_that_cannot_change_the_result_leave_it_as_it_is(
    chat: Chat, yes: int, unknown: int, verdict: str
) -> None:
    await answer_household(chat, area="Nông thôn", size="1", income="0")
    await answer_indicators(chat, yes=yes, unknown=unknown)
    assert f"**có thể thuộc {verdict}**" in chat.text
    assert f'Có {unknown} câu bạn trả lời "Không rõ": cán bộ sẽ hỏi kỹ khi rà soát.' in chat.text


async def test_the_request_to_the_commune_carries_the_unknown_answers(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="1", income="0")
    await answer_indicators(chat, yes=2, unknown=2)
    await send_to(chat, "Thục Phán")
    [ticket] = await chat.tickets()
    assert "có thể thuộc hộ nghèo hoặc hộ cận nghèo" in ticket.text and "cận nghèo\n" not in ticket.text
    assert "Số chỉ số thiếu hụt: 2/12 (và 2 câu không rõ)" in ticket.text
    assert 'Câu trả lời "không rõ":' in ticket.text


@pytest.mark.parametrize(
    ("yes", "unknown", "deprivations", "verdict"),
    [
        (0, 12, 0, Verdict.LOW_INCOME),
        (2, 1, 2, Verdict.LOW_INCOME),
        (2, 0, 2, Verdict.NEAR_POOR),
        (1, 1, 1, Verdict.NEAR_POOR),
        (3, 9, 3, Verdict.POOR),
    ],
)
def test_unknown_answers_count_as_neither_deprived_nor_not(
    yes: int, unknown: int, deprivations: int, verdict: Verdict
) -> None:
    standard = default_standards().by_id("nd-07-2021")
    assert standard is not None
    result = assess(standard, area=Area.RURAL, household_size=1, monthly_income=0, deprivations=yes, unknown=unknown)
    assert (result.verdict, result.deprivations, result.unknown) == (verdict, deprivations, unknown)


def test_unknown_answers_need_the_indicators_asked() -> None:
    standard = default_standards().by_id("nd-07-2021")
    assert standard is not None
    with pytest.raises(ValueError, match="unknown"):
        assess(standard, area=Area.RURAL, household_size=1, monthly_income=0, deprivations=None, unknown=1)


@pytest.mark.parametrize(
    ("when", "typed", "line"),
    [
        (IN_2027, "thanh thi", "chuẩn nghèo đô thị: 2.800.000 đồng"),
        (IN_2027, "Thành thị", "chuẩn nghèo đô thị: 2.800.000 đồng"),
        (IN_2027, "thị trấn", "chuẩn nghèo đô thị: 2.800.000 đồng"),
        (IN_2027, "nha toi o do thi", "chuẩn nghèo đô thị: 2.800.000 đồng"),
        (IN_2027, "thon", "chuẩn nghèo nông thôn: 2.200.000 đồng"),
        (NOW, "do thi", "chuẩn nghèo thành thị: 2.000.000 đồng"),
        (NOW, "đô thị", "chuẩn nghèo thành thị: 2.000.000 đồng"),
        (NOW, "thi tran", "chuẩn nghèo thành thị: 2.000.000 đồng"),
        (NOW, "phuong", "chuẩn nghèo thành thị: 2.000.000 đồng"),
        (NOW, "bản", "chuẩn nghèo nông thôn: 1.500.000 đồng"),
        (NOW, "ở xã", "chuẩn nghèo nông thôn: 1.500.000 đồng"),
        (NOW, "Nông thôn", "chuẩn nghèo nông thôn: 1.500.000 đồng"),
    ],
)
async def test_the_area_can_be_typed_in_the_words_people_use(
    chat: Chat, clock: Clock, when: dt.datetime, typed: str, line: str
) -> None:
    clock.now = when
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.say(typed)
    assert "bao nhiêu người" in chat.text
    await chat.say("1")
    await chat.say("10 triệu")  # above every line: the result names the line used
    assert line in chat.text


@pytest.mark.parametrize("typed", ["thành thị hay nông thôn", "xa lắm", "không biết"])
async def test_an_area_answer_naming_both_or_neither_is_asked_again(chat: Chat, typed: str) -> None:
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    await chat.say(typed)
    assert "bao nhiêu người" not in chat.text and "Nhà bạn ở nông thôn hay thành thị?" in chat.text


@pytest.mark.parametrize(("when", "question"), [(NOW, "nông thôn hay thành thị?"), (IN_2027, "nông thôn hay đô thị?")])
async def test_the_area_question_uses_the_standards_own_words(
    chat: Chat, clock: Clock, when: dt.datetime, question: str
) -> None:
    clock.now = when
    await chat.say("/start")
    await chat.tap("Tự kiểm tra hộ nghèo")
    assert f"Nhà bạn ở {question}" in chat.text


@pytest.mark.parametrize(
    ("area", "size", "income", "line"),
    [
        ("Nông thôn", "4", "6000001", "1.500.000 đồng"),
        ("Nông thôn", "10", "15000001", "1.500.000 đồng"),
        ("Thành thị", "10", "20000001", "2.000.000 đồng"),
        ("Thành thị", "10", "30000001", "3.000.000 đồng"),  # just above the middle band's top
    ],
)
async def test_an_average_just_above_the_line_is_not_shown_as_the_line(
    chat: Chat, area: str, size: str, income: str, line: str
) -> None:
    await answer_household(chat, area=area, size=size, income=income)
    assert "**có thể không thuộc**" in chat.text
    assert f"khoảng {line}/người/tháng" not in chat.text
    assert f"hơn {line}/người/tháng một chút" in chat.text


async def test_an_average_exactly_on_the_line_is_shown_as_it_is(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="6000000")
    await answer_indicators(chat, yes=0)
    assert "**có thể thuộc hộ cận nghèo**" in chat.text and "khoảng 1.500.000 đồng/người/tháng" in chat.text


@pytest.mark.parametrize(
    ("size", "income", "just_above"),
    [(4, 6_000_001, True), (4, 6_000_000, False), (4, 6_000_004, False), (3, 6_750_001, True), (3, 6_750_000, False)],
)
def test_an_average_rounded_down_onto_a_line_is_marked(size: int, income: int, just_above: bool) -> None:
    standard = default_standards().by_id("nd-07-2021")
    assert standard is not None
    result = assess(standard, area=Area.RURAL, household_size=size, monthly_income=income, deprivations=None)
    assert result.just_above_line is just_above


def test_a_unit_of_the_other_area_gets_a_gentle_note_with_both_lines() -> None:
    t, standards = translator("vi"), default_standards()
    ward, commune = search_units("thuc phan")[0].unit, search_units("ha lang")[0].unit
    assert (ward.kind, commune.kind) == (UnitKind.PHUONG, UnitKind.XA)
    note = area_mismatch_note(t, standards, {"std": "nd-07-2021", "area": "rural"}, ward.code)
    assert note is not None
    assert "Phường Thục Phán" in note and "**nông thôn**" in note and "**thành thị**" in note
    assert "1.500.000 đồng" in note and "2.000.000 đồng" in note and "vẫn có thể gửi" in note
    note = area_mismatch_note(t, standards, {"std": "nd-351-2025", "area": "urban"}, commune.code)
    assert note is not None and "**đô thị**" in note and "2.200.000 đồng" in note and "2.800.000 đồng" in note
    assert area_mismatch_note(t, standards, {"std": "nd-07-2021", "area": "urban"}, ward.code) is None
    assert area_mismatch_note(t, standards, {"std": "nd-07-2021", "area": "rural"}, commune.code) is None
    assert area_mismatch_note(t, standards, None, ward.code) is None
    assert area_mismatch_note(t, standards, {"std": "nd-07-2021", "area": "rural"}, None) is None
    assert area_mismatch_note(t, standards, {"std": "gone", "area": "rural"}, ward.code) is None


async def test_a_rural_household_picking_a_ward_for_its_request_is_told_gently(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income="4 triệu")
    await answer_indicators(chat, yes=3)
    await chat.tap("Gửi đề nghị rà soát cho xã")
    await chat.say("thuc phan")
    await chat.tap("Thục Phán")
    assert "chuẩn nghèo thành thị" in chat.text and "hẹn rà soát" in chat.text  # noted, not blocked


async def test_a_bare_number_of_thousands_asks_thousands_or_dong_and_either_answer_is_taken(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="1", income="1500")
    assert "**1.500 nghìn** (1.500.000 đồng) hay **1.500 đồng**?" in chat.text
    assert "Câu 1/12" not in chat.text and "Kết quả" not in chat.text
    await chat.say("1.500 nghin")
    assert "Câu 1/12" in chat.text  # 1,500,000: exactly the rural line
    await chat.say("/huy")  # /start now asks before dropping the answers; /huy does not
    await answer_household(chat, area="Nông thôn", size="1", income="2000")
    await chat.say("2000 dong")
    assert "Câu 1/12" in chat.text


@pytest.mark.parametrize("income", ["thu nhap 3 trieu", "tổng thu nhập khoảng 3 triệu ạ", "nha toi duoc 3tr"])
async def test_words_around_the_income_are_read_away(chat: Chat, income: str) -> None:
    await answer_household(chat, area="Nông thôn", size="1", income=income)
    assert "**có thể không thuộc**" in chat.text and "khoảng 3.000.000 đồng/người/tháng" in chat.text


@pytest.mark.parametrize("income", ["2 trieu mot nguoi", "moi nguoi 2 trieu", "2tr/nguoi", "2 trieu/thang/nguoi"])
async def test_an_income_per_person_is_multiplied_by_the_household_and_said_back(chat: Chat, income: str) -> None:
    await answer_household(chat, area="Nông thôn", size="4", income=income)
    assert "Tôi hiểu là 2.000.000 đồng mỗi người, tức 8.000.000 đồng cả nhà 4 người mỗi tháng." in chat.text
    assert "**có thể không thuộc**" in chat.text and "khoảng 2.000.000 đồng/người/tháng" in chat.text


async def test_an_income_per_person_under_the_line_goes_on_to_the_questions(chat: Chat) -> None:
    await answer_household(chat, area="Nông thôn", size="3", income="1tr/dau nguoi")
    assert "tức 3.000.000 đồng cả nhà 3 người" in chat.text and "Câu 1/12" in chat.text


@pytest.mark.parametrize(("size", "income"), [("1", "999999999999"), ("1", "11 tỷ"), ("3", "5 ty moi nguoi")])
async def test_a_too_large_income_gets_its_own_message(chat: Chat, size: str, income: str) -> None:
    await answer_household(chat, area="Nông thôn", size=size, income=income)
    assert "lớn quá" in chat.text and "10.000.000.000 đồng" in chat.text
    assert "chưa đọc được" not in chat.text and "Tôi hiểu là" not in chat.text and "Kết quả" not in chat.text


async def test_a_range_asks_for_one_figure_offering_the_middle(chat: Chat) -> None:
    await answer_household(chat, area="Thành thị", size="2", income="3-4 trieu")
    assert "từ 3.000.000 đồng đến 4.000.000 đồng" in chat.text
    assert "**một con số**" in chat.text and "ví dụ số ở giữa: **3.500.000 đồng**" in chat.text
    assert "Kết quả" not in chat.text and "Câu 1/12" not in chat.text
    await chat.say("3500000")
    assert "Câu 1/12" in chat.text  # 1,750,000 each, under the urban line


async def test_a_range_per_person_keeps_saying_per_person(chat: Chat) -> None:
    await answer_household(chat, area="Thành thị", size="2", income="1-2 trieu moi nguoi")
    assert "ví dụ số ở giữa: **1.500.000 đồng mỗi người**" in chat.text


@pytest.mark.parametrize(
    ("income", "said"),
    [
        ("tren 2 trieu", "Bạn ghi là hơn 2.000.000 đồng."),
        ("hơn 2 triệu", "Bạn ghi là hơn 2.000.000 đồng."),
        ("duoi 2 trieu", "Bạn ghi là dưới 2.000.000 đồng."),
    ],
)
async def test_more_or_less_than_a_figure_asks_for_the_figure_instead_of_sitting_on_the_line(
    chat: Chat, income: str, said: str
) -> None:
    await answer_household(chat, area="Thành thị", size="1", income=income)  # 2,000,000: the urban line
    assert said in chat.text and "**một con số**" in chat.text
    assert "Kết quả" not in chat.text and "Câu 1/12" not in chat.text
    await chat.say("khoang 2tr5")
    assert "**có thể không thuộc**" in chat.text
