"""Reading amounts, counts and phone numbers the way people type them."""

from __future__ import annotations

import pytest

from bot.parsing import AmountProblem, folded, parse_amount, parse_count, parse_phone, show_phone


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


@pytest.mark.parametrize(
    ("text", "count"),
    [("4", 4), ("4 người", 4), ("bốn", 4), ("muoi hai", 12), ("0", None), ("31", None), ("nhiều", None)],
)
def test_household_sizes(text: str, count: int | None) -> None:
    assert parse_count(text, maximum=30) == count


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("02063 123 456", "02063123456"),
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
