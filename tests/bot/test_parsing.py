"""Reading amounts, counts and phone numbers the way people type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import Amount, AmountProblem, folded, parse_amount, parse_count, parse_phone, show_phone


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("3 triệu", 3_000_000),
        ("3tr", 3_000_000),
        ("2tr5", 2_500_000),
        ("1 trieu ruoi", 1_500_000),
        ("1 triệu rưỡi", 1_500_000),
        ("1,5 triệu", 1_500_000),
        ("1.5tr", 1_500_000),
        ("2 triệu 500", 2_500_000),
        ("2 trieu 500 nghin", 2_500_000),
        ("3.500.000", 3_500_000),
        ("3,500,000", 3_500_000),
        ("3 500 000", 3_500_000),
        ("4000000 đồng", 4_000_000),
        ("500k", 500_000),
        ("500 nghìn", 500_000),
        ("0", 0),
        ("không có", 0),
    ],
)
def test_amounts_in_everyday_forms(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("4.500k", 4_500_000),
        ("4,500k", 4_500_000),
        ("20.000k", 20_000_000),
        ("1.500 nghìn", 1_500_000),
        ("1.500 ngàn", 1_500_000),
        ("1.500 ngan", 1_500_000),
        ("2,5 triệu", 2_500_000),
        ("2.5tr", 2_500_000),
        ("1,25 triệu", 1_250_000),
        ("0,5 triệu", 500_000),
    ],
)
def test_three_digits_after_a_separator_group_thousands_one_or_two_make_a_decimal(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.200.000đ", 1_200_000),
        ("1.200.000 đ", 1_200_000),
        ("1.200.000 VNĐ", 1_200_000),
        ("1200000vnd", 1_200_000),
        ("500k đồng", 500_000),
        ("0đ", 0),
    ],
)
def test_amounts_with_the_currency_attached(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize(
    "text",
    [
        "khoảng 2 triệu",
        "khoang 2 trieu",
        "tầm 2tr",
        "tam 2tr",
        "chừng 2 triệu",
        "gần 2 triệu",
        "cỡ 2 triệu",
        "xấp xỉ 2 triệu",
        "2tr/thang",
        "2tr/tháng",
        "2 triệu một tháng",
        "2 trieu 1 thang",
        "2tr mỗi tháng",
        "2 triệu hàng tháng",
        "mỗi tháng 2 triệu",
        "mỗi tháng khoảng 2 triệu",
        "khoảng 2 triệu mỗi tháng",
        "tầm hai triệu",
    ],
)
def test_approximation_and_per_month_words_are_dropped(text: str) -> None:
    assert parse_amount(text).value == 2_000_000


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("hai trieu", 2_000_000),
        ("hai triệu", 2_000_000),
        ("mot trieu ruoi", 1_500_000),
        ("hai triệu rưỡi", 2_500_000),
        ("mười lăm triệu", 15_000_000),
        ("muoi lam trieu", 15_000_000),
        ("hai mươi triệu", 20_000_000),
        ("năm trăm nghìn", 500_000),
        ("nam tram nghin", 500_000),
        ("ba trăm ngàn", 300_000),
        ("tám trăm nghìn", 800_000),
        ("tam tram nghin", 800_000),
        ("tam trieu", 8_000_000),
        ("tầm tám triệu", 8_000_000),
        ("hai trăm rưỡi nghìn", 250_000),
        ("một trăm linh năm nghìn", 105_000),
        ("mot tram le nam nghin", 105_000),
        ("hai trăm năm mươi nghìn", 250_000),
        ("1 triệu 2", 1_200_000),
        ("1tr2", 1_200_000),
        ("một triệu hai", 1_200_000),
        ("mot trieu hai tram", 1_200_000),
        ("1 triệu 2 trăm nghìn", 1_200_000),
        ("1tr200k", 1_200_000),
        ("2 triệu 50 nghìn", 2_050_000),
    ],
)
def test_amounts_in_words(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize(
    "text",
    [
        "2 triệu một năm",
        "2 trieu 1 nam",
        "24tr/nam",
        "24tr/năm",
        "24 triệu mỗi năm",
        "mỗi năm 24 triệu",
        "1 năm 24tr",
        "hai triệu năm",  # 2.5 million, or 2 million a year?
    ],
)
def test_a_yearly_amount_is_not_read_as_a_monthly_one(text: str) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.NOT_A_NUMBER)


@pytest.mark.parametrize("text", ["-500000", "- 500k", "−2tr", "khoảng -2 triệu", "âm 500 nghìn", "am 500k"])
def test_negative_amounts_are_refused(text: str) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.NOT_A_NUMBER)


@pytest.mark.parametrize(
    "text",
    [
        "tam muoi trieu",  # "tầm mười" (about ten) or "tám mươi" (eighty) million
        "hai trăm năm nghìn",  # 205 or 250 thousand
        "2 triệu 15",
        "2.5tr 300k",
        "1 nghìn 2",
        "2 3 triệu",
        "2 triệu mỗi ngày",
    ],
)
def test_amounts_with_two_possible_readings_are_refused(text: str) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.NOT_A_NUMBER)


@pytest.mark.parametrize("text", ["hai", "năm trăm", "500", "1,5", "khoảng 3", "tam 3"])
def test_small_amounts_without_a_unit_ask_for_one(text: str) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.NEEDS_UNIT)


@given(st.integers(min_value=100_000, max_value=10**9))
def test_grouped_amounts_read_back_to_themselves(amount: int) -> None:
    grouped = f"{amount:,}"
    assert parse_amount(grouped.replace(",", ".")).value == amount
    assert parse_amount(grouped).value == amount


@given(st.integers(min_value=1_000, max_value=10**9))
def test_amounts_in_dong_read_back_to_themselves(amount: int) -> None:
    grouped = f"{amount:,}"
    assert parse_amount(f"{amount}đ").value == amount
    assert parse_amount(f"{grouped.replace(',', '.')} đồng").value == amount


@given(st.integers(min_value=1, max_value=999_999))
def test_a_grouped_number_of_thousands_is_multiplied_whole(thousands: int) -> None:
    assert parse_amount(f"{thousands:,}".replace(",", ".") + "k").value == thousands * 1_000


@given(st.integers(min_value=1, max_value=10**9))
def test_a_negative_amount_is_never_read(amount: int) -> None:
    assert parse_amount(f"-{amount}").value is None
    assert parse_amount(f"-{amount:,}đ".replace(",", ".")).value is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3", AmountProblem.NEEDS_UNIT),
        ("khoảng vài triệu", AmountProblem.NOT_A_NUMBER),
        ("2tr50", AmountProblem.NOT_A_NUMBER),
        ("👍", AmountProblem.NOT_A_NUMBER),
        ("99999999999999", AmountProblem.TOO_LARGE),
    ],
)
def test_amounts_that_cannot_be_read_without_guessing(text: str, problem: AmountProblem) -> None:
    assert parse_amount(text).value is None
    assert parse_amount(text).problem is problem


@pytest.mark.parametrize(("text", "number"), [("1500", 1_500), ("2000", 2_000), ("1.500", 1_500), ("99999", 99_999)])
def test_a_bare_number_of_thousands_asks_whether_it_is_thousands_or_dong(text: str, number: int) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.NEEDS_UNIT, figures=(number,))


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.500 nghìn", 1_500_000),
        ("1500k", 1_500_000),
        ("1.500 đồng", 1_500),
        ("1500 dong", 1_500),
        ("100000", 100_000),
    ],
)
def test_a_number_of_thousands_with_its_unit_or_from_100000_is_read(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("thu nhap 3 trieu", 3_000_000),
        ("thu nhập 3 triệu", 3_000_000),
        ("tong 3tr", 3_000_000),
        ("tổng cộng 3 triệu", 3_000_000),
        ("duoc 3 trieu", 3_000_000),
        ("nha toi khoang 3 trieu", 3_000_000),
        ("tổng thu nhập cả nhà khoảng 3 triệu ạ", 3_000_000),
        ("kiem duoc 3 trieu thoi", 3_000_000),
        ("nha toi khong co thu nhap", 0),
    ],
)
def test_words_saying_what_the_amount_is_are_dropped(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1tr05", 1_050_000),
        ("1 triệu 05", 1_050_000),
        ("2m08", 2_080_000),
        ("1 ty", 1_000_000_000),
        ("1,5 tỷ", 1_500_000_000),
    ],
)
def test_a_million_and_a_leading_zero_and_billions(text: str, amount: int) -> None:
    assert parse_amount(text).value == amount


@pytest.mark.parametrize("text", ["11 tỷ", "999999999999", "1000 ty"])
def test_amounts_over_ten_billion_are_too_large_not_unreadable(text: str) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.TOO_LARGE)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2 trieu mot nguoi", 2_000_000),
        ("2 triệu một người", 2_000_000),
        ("1 trieu/nguoi", 1_000_000),
        ("1 trieu/thang/nguoi", 1_000_000),
        ("moi nguoi 1 trieu", 1_000_000),
        ("mỗi người mỗi tháng 1 triệu", 1_000_000),
        ("1tr/dau nguoi", 1_000_000),
        ("1 triệu trên đầu người", 1_000_000),
        ("bình quân 1 triệu", 1_000_000),
        ("tầm 1 triệu mỗi người", 1_000_000),
    ],
)
def test_an_amount_per_person_says_so(text: str, amount: int) -> None:
    assert parse_amount(text) == Amount(amount, per_person=True)


@pytest.mark.parametrize("text", ["24 triệu/người/năm", "mỗi người 24 triệu một năm"])
def test_a_yearly_amount_per_person_is_refused_too(text: str) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.NOT_A_NUMBER)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("3-4 trieu", 3_000_000, 4_000_000),
        ("3 - 4 triệu", 3_000_000, 4_000_000),
        ("3tr-4tr", 3_000_000, 4_000_000),
        ("2tr - 2tr5", 2_000_000, 2_500_000),
        ("từ 3 đến 4 triệu", 3_000_000, 4_000_000),
        ("3 toi 4 trieu", 3_000_000, 4_000_000),
        ("3 hoặc 4 triệu", 3_000_000, 4_000_000),
        ("ba đến bốn triệu", 3_000_000, 4_000_000),
        ("khoảng 3-4 triệu", 3_000_000, 4_000_000),
        ("tầm 3-4 triệu", 3_000_000, 4_000_000),
        ("500-800k", 500_000, 800_000),
    ],
)
def test_a_range_is_reported_with_both_ends_not_guessed(text: str, low: int, high: int) -> None:
    assert parse_amount(text) == Amount(None, AmountProblem.RANGE, figures=(low, high))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tren 2 trieu", AmountProblem.ABOVE),
        ("hơn 2 triệu", AmountProblem.ABOVE),
        ("hơn 2 triệu một chút", AmountProblem.ABOVE),
        ("nhiều hơn 2 triệu", AmountProblem.ABOVE),
        ("2 triệu hơn", AmountProblem.ABOVE),
        ("2 triệu trở lên", AmountProblem.ABOVE),
        ("duoi 2 trieu", AmountProblem.BELOW),
        ("chưa đến 2 triệu", AmountProblem.BELOW),
        ("không quá 2 triệu", AmountProblem.BELOW),
        ("ít hơn 2 triệu", AmountProblem.BELOW),
        ("2 triệu trở xuống", AmountProblem.BELOW),
    ],
)
def test_a_bound_is_not_read_as_the_figure_on_it(text: str, problem: AmountProblem) -> None:
    assert parse_amount(text) == Amount(None, problem, figures=(2_000_000,))


@pytest.mark.parametrize(
    ("text", "count"),
    [("4", 4), ("4 người", 4), ("bốn", 4), ("muoi hai", 12), ("0", None), ("31", None), ("nhiều", None)],
)
def test_household_sizes(text: str, count: int | None) -> None:
    assert parse_count(text, maximum=30) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("mười", 10),
        ("mười một", 11),
        ("muoi mot", 11),
        ("mười lăm", 15),
        ("muoi lam", 15),
        ("muoi nham", 15),
        ("hai muoi", 20),
        ("hai mươi", 20),
        ("ba muoi", 30),
        ("hai mươi mốt", 21),
        ("hai mốt", 21),
        ("hai mot", 21),
        ("ba mươi tư", 34),
        ("ba muoi bon", 34),
        ("bốn mươi lăm", 45),
        ("chín mươi chín", 99),
        ("bảy người", 7),
    ],
)
def test_household_sizes_in_words_up_to_99(text: str, count: int) -> None:
    assert parse_count(text, maximum=99) == count


@pytest.mark.parametrize(
    "text",
    [
        "4",
        "4 người",
        "4 nguoi",
        "4ng",
        "4 người.",
        "nhà tôi có 4 người",
        "nha toi co 4 nguoi",
        "4 khẩu",
        "gồm 4 nhân khẩu",
        "hộ em có 4 nhân khẩu ạ",
        "nhà có bốn người",
        "tất cả 4 thành viên",
    ],
)
def test_household_size_among_words_that_say_so(text: str) -> None:
    assert parse_count(text, maximum=30) == 4


@pytest.mark.parametrize(
    "text",
    [
        "1 vo 2 con",
        "1 vợ 2 con",
        "2 vợ chồng 3 con",
        "3 hoặc 4",
        "3 4",
        "3, 4 người",
        "ba bốn người",
        "một hai người",
        "nhà có 4 người và 2 cháu",
        "bố mẹ và 2 con",  # one number, but it counts only the children
        "4.5",
    ],
)
def test_household_size_is_refused_unless_it_is_the_only_number(text: str) -> None:
    assert parse_count(text, maximum=30) is None


@given(st.integers(min_value=1, max_value=99))
def test_household_size_in_digits_reads_back_within_the_bound(size: int) -> None:
    assert parse_count(f"nhà tôi có {size} người", maximum=30) == (size if size <= 30 else None)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("02063 123 456", "02063123456"),
        ("0206 3852 123", "02063852123"),
        ("+84 206 3852 123", "02063852123"),
        ("0084912345678", "0912345678"),
        ("(+84) 912 345 678", "0912345678"),
        ("+84 912-345-678", "0912345678"),
        ("0312 345 678", "0312345678"),
        ("0512 345 678", "0512345678"),
        ("0712 345 678", "0712345678"),
        ("0812 345 678", "0812345678"),
        ("09123456789", None),  # 11 digits: only landlines (02...) have 11
        ("0912 345 67", None),
        ("0206 385 212", None),  # 10 digits from 02: landlines have 11
        ("0112 345 678", None),
        ("0412 345 678", None),
        ("0612 345 678", None),
        ("1912 345 678", None),
        ("+84 0912 345 678", None),
        ("12345", None),
        ("số tôi là", None),
    ],
)
def test_phone_numbers(text: str, phone: str | None) -> None:
    assert parse_phone(text) == phone


def test_phone_numbers_are_grouped_for_reading() -> None:
    assert show_phone("0912345678") == "0912 345 678"


def test_folding_removes_diacritics_case_and_symbols() -> None:
    assert folded("  Gửi PHẢN ánh! 👍 ") == "gui phan anh"
