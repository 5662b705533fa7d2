"""The Cao Bằng gazetteer: its data against the two source packages, and the look-ups people use.

Expected values come from the packages' own data (quoted where used), not from the
module under test: vietnamadminunits' ``converter_2025.json`` lists, for every new unit,
the old communes merged into it as ``province_district_commune`` keys.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge import gazetteer
from knowledge.gazetteer import DATA_FILE, MIN_SCORE, UnitKind, units_of_district

ROOT = Path(__file__).resolve().parents[2]

# QĐ 353/QĐ-TTg (15/3/2022): Cao Bằng's poor districts for 2021-2025.
POOR_DISTRICTS_2021_2025 = {"Hà Quảng", "Bảo Lâm", "Bảo Lạc", "Hạ Lang", "Thạch An", "Nguyên Bình", "Trùng Khánh"}


def _names(matches: list[gazetteer.UnitMatch]) -> list[str]:
    return [match.unit.full_name for match in matches]


# ----------------------------------------------------------------------------- the units


def test_there_are_56_units_three_of_them_phuong() -> None:
    units = gazetteer.units()
    assert len(units) == 56
    assert {unit.name for unit in units if unit.kind is UnitKind.PHUONG} == {"Thục Phán", "Nùng Trí Cao", "Tân Giang"}
    assert sum(unit.kind is UnitKind.XA for unit in units) == 53


def test_161_old_communes_in_10_districts_each_in_exactly_one_unit() -> None:
    old_codes = [commune.code for unit in gazetteer.units() for commune in unit.former_communes]
    assert len(old_codes) == 161
    assert len(set(old_codes)) == 161
    assert len(gazetteer.districts()) == 10


def test_codes_are_unique_five_digits_and_each_is_one_of_its_old_communes_codes() -> None:
    codes = [unit.code for unit in gazetteer.units()]
    assert len(set(codes)) == len(codes)
    for unit in gazetteer.units():
        assert len(unit.code) == 5 and unit.code.isdigit()
        # How the codes of QĐ 19/2025/QĐ-TTg were made: a unit keeps a merged commune's code.
        assert unit.code in {commune.code for commune in unit.former_communes}, unit.full_name


def test_names_are_nfc_with_traditional_tone_placement() -> None:
    names = [unit.name for unit in gazetteer.units()]
    names += [commune.name for unit in gazetteer.units() for commune in unit.former_communes]
    names += [district.name for district in gazetteer.districts()]
    assert all(unicodedata.normalize("NFC", name) == name for name in names)
    unit = gazetteer.unit_by_code("01501")
    assert unit is not None and unit.name == "Đàm Thủy"  # vietnam-provinces spells it "Đàm Thuỷ"


def test_unit_by_code() -> None:
    unit = gazetteer.unit_by_code("01273")
    assert unit is not None and unit.full_name == "Phường Thục Phán"
    assert gazetteer.unit_by_code("99999") is None
    assert gazetteer.unit_by_code("") is None


# ----------------------------------------------------------------------------- search_units


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("thuc phan", "Phường Thục Phán"),
        ("Phường Thục Phán", "Phường Thục Phán"),
        ("xa quang lam", "Xã Quảng Lâm"),
        ("XÃ QUẢNG LÂM", "Xã Quảng Lâm"),
        ("Nùng Trí Cao", "Phường Nùng Trí Cao"),
        ("nung tri cao", "Phường Nùng Trí Cao"),
        (unicodedata.normalize("NFD", "Nùng Trí Cao"), "Phường Nùng Trí Cao"),
        ("P. Tân Giang, Cao Bằng", "Phường Tân Giang"),
        ("Đàm Thuỷ", "Xã Đàm Thủy"),
        ("UBND xã Bế Văn Đàn", "Xã Bế Văn Đàn"),
    ],
)
def test_search_finds_the_unit_first_with_or_without_diacritics(typed: str, expected: str) -> None:
    matches = gazetteer.search_units(typed)
    assert matches and matches[0].unit.full_name == expected
    assert matches[0].score == 100.0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("thuc phna", "Phường Thục Phán"),  # two letters swapped
        ("nung tri ca", "Phường Nùng Trí Cao"),  # one letter missing
        ("xa quang lamm", "Xã Quảng Lâm"),  # one letter too many
        ("Trùng Khán", "Xã Trùng Khánh"),
    ],
)
def test_search_tolerates_a_typo(typed: str, expected: str) -> None:
    matches = gazetteer.search_units(typed)
    assert matches and matches[0].unit.full_name == expected
    assert matches[0].score < 100.0


def test_search_lists_the_units_a_prefix_starts() -> None:
    names = _names(gazetteer.search_units("quang", limit=10))
    assert set(names) >= {"Xã Quảng Lâm", "Xã Quang Hán", "Xã Quang Long", "Xã Quang Trung", "Xã Quảng Uyên"}
    assert _names(gazetteer.search_units("quang", limit=2)) == names[:2]


@pytest.mark.parametrize(
    "typed", ["Hà Nội", "Lạng Sơn", "Quận 1", "xyz", "hộ nghèo", "Cao Bằng", "tỉnh Cao Bằng", "xã"]
)
def test_search_returns_nothing_for_what_is_not_a_unit(typed: str) -> None:
    assert gazetteer.search_units(typed) == []


def test_search_returns_nothing_for_a_unit_of_another_province() -> None:
    assert gazetteer.search_units("phường Tân Giang, tỉnh Hà Tĩnh") == []


def test_search_with_no_room_returns_nothing() -> None:
    assert gazetteer.search_units("thuc phan", limit=0) == []


# ----------------------------------------------------------------------------- old addresses


@pytest.mark.parametrize(
    ("commune", "district", "code", "name"),
    [
        # converter_2025.json: "xahalang": [..._huyenhalang_thitranthanhnhat,
        # ..._huyenhalang_xathongnhat, ..._huyenhalang_xathihoa]; Xã Hạ Lang is 01558.
        ("xã Thị Hoa, huyện Hạ Lang", None, "01558", "Xã Hạ Lang"),
        ("xa thi hoa, huyen ha lang", None, "01558", "Xã Hạ Lang"),
        ("Thị Hoa", "Hạ Lang", "01558", "Xã Hạ Lang"),
        ("thi hoa ha lang", None, "01558", "Xã Hạ Lang"),
        ("xóm Nà Roỏng, xã Thị Hoa, huyện Hạ Lang, tỉnh Cao Bằng", None, "01558", "Xã Hạ Lang"),
        ("Thị Hoa, H. Hạ Lang, T. CB", None, "01558", "Xã Hạ Lang"),
        ("X. Thị Hoa, Hạ Lang, tỉnh CB, Việt Nam", None, "01558", "Xã Hạ Lang"),
        # "xakimdong": [..._huyenhoaan_xahongnam, ..._huyenthachan_xakimdong,
        # ..._huyenthachan_xathaicuong]: a unit made across two old districts.
        ("Hồng Nam", "Hòa An", "01792", "Xã Kim Đồng"),
        ("xa hong nam, huyen hoa an", None, "01792", "Xã Kim Đồng"),
        # Two communes were called Vĩnh Quang: "phuongnungtricao": [..._thanhphocaobang_phuongsongbang,
        # ..._phuongngocxuan, ..._thanhphocaobang_xavinhquang] and "xalybon":
        # [..._huyenbaolam_xalybon, ..._huyenbaolam_xavinhquang]. The district decides.
        ("Vĩnh Quang", "thành phố Cao Bằng", "01279", "Phường Nùng Trí Cao"),
        ("vinh quang, huyen bao lam", None, "01294", "Xã Lý Bôn"),
        ("vinh quang bao lam", None, "01294", "Xã Lý Bôn"),
    ],
)
def test_old_commune_resolves_to_its_new_unit(commune: str, district: str | None, code: str, name: str) -> None:
    unit = gazetteer.resolve_old_address(commune, district)
    assert unit is not None
    assert (unit.code, unit.full_name) == (code, name)


def test_old_commune_with_a_typo_resolves() -> None:
    unit = gazetteer.resolve_old_address("xa thi hao")
    assert unit is not None and unit.code == "01558"


def test_a_name_three_districts_had_is_ambiguous_until_the_district_is_given() -> None:
    # Hưng Đạo was a xã of thành phố Cao Bằng, of Bảo Lạc and of Nguyên Bình.
    assert gazetteer.resolve_old_address("Hưng Đạo") is None
    candidates = gazetteer.match_old_communes("Hưng Đạo")
    assert {match.commune.district.name for match in candidates[:3]} == {"Cao Bằng", "Bảo Lạc", "Nguyên Bình"}
    unit = gazetteer.resolve_old_address("Hưng Đạo", "Bảo Lạc")
    assert unit is not None and unit.full_name == "Xã Hưng Đạo"


def test_a_district_merged_in_2020_is_understood() -> None:
    # vietnamadminunits: Huyện Hà Quảng has the alias "huyenthongnong".
    unit = gazetteer.resolve_old_address("Cần Yên", "huyện Thông Nông")
    assert unit is not None and unit.full_name == "Xã Cần Yên"


@pytest.mark.parametrize(
    ("commune", "district"),
    [
        ("Thị Hoa", "Trùng Khánh"),  # no Thị Hoa there: refuse rather than ignore the district
        ("Thị Hoa", "Hà Nội"),  # a district we do not know
        ("xã Thị Hoa, tỉnh Lạng Sơn", None),  # another province
        ("Hoàn Kiếm", "Hà Nội"),
        ("Phường Bến Nghé", None),
        ("huyện Hạ Lang", None),  # a district, no commune
        ("Hạ Lang", None),  # a new unit's name; no commune was called so
    ],
)
def test_unknown_old_address_resolves_to_nothing(commune: str, district: str | None) -> None:
    assert gazetteer.resolve_old_address(commune, district) is None
    assert gazetteer.match_old_communes(commune, district) == []


def test_examples_agree_with_vietnamadminunits_own_converter() -> None:
    from vietnamadminunits import convert_address  # type: ignore[import-untyped]

    for address, code in [
        ("Xã Thị Hoa, Huyện Hạ Lang, Tỉnh Cao Bằng", "01558"),
        ("Xã Hồng Nam, Huyện Hòa An, Tỉnh Cao Bằng", "01792"),
        ("Xã Vĩnh Quang, Thành phố Cao Bằng, Tỉnh Cao Bằng", "01279"),
        ("Xã Vĩnh Quang, Huyện Bảo Lâm, Tỉnh Cao Bằng", "01294"),
    ]:
        assert convert_address(address).ward_code == code


# ----------------------------------------------------------------------------- former districts


def test_poor_districts_of_qd_353_are_all_known_by_those_names() -> None:
    assert POOR_DISTRICTS_2021_2025 <= {district.name for district in gazetteer.districts()}


def test_unit_in_a_former_poor_district() -> None:
    unit = gazetteer.unit_by_code("01558")
    assert unit is not None and unit.full_name == "Xã Hạ Lang"
    assert [district.full_name for district in unit.former_districts] == ["Huyện Hạ Lang"]
    assert {district.name for district in unit.former_districts} <= POOR_DISTRICTS_2021_2025


def test_unit_outside_the_former_poor_districts() -> None:
    unit = gazetteer.unit_by_code("01273")  # Thục Phán: the city and Hòa An ("xahoangtung")
    assert unit is not None
    assert {district.name for district in unit.former_districts} == {"Cao Bằng", "Hòa An"}
    assert not {district.name for district in unit.former_districts} & POOR_DISTRICTS_2021_2025


def test_a_unit_straddling_a_poor_and_a_non_poor_district_is_told_apart_by_old_commune() -> None:
    # "xabachdang": [..._huyenhoaan_xabachdang, ..._huyenhoaan_xabinhduong, ..._huyennguyenbinh_xathinhvuong]
    unit = gazetteer.unit_by_code("01708")
    assert unit is not None and unit.full_name == "Xã Bạch Đằng"
    assert {district.name for district in unit.former_districts} == {"Hòa An", "Nguyên Bình"}
    [poor] = gazetteer.match_old_communes("Thịnh Vượng", "Nguyên Bình")
    [not_poor] = gazetteer.match_old_communes("Bình Dương", "Hòa An")
    assert poor.unit == not_poor.unit == unit
    assert poor.commune.district.name in POOR_DISTRICTS_2021_2025
    assert not_poor.commune.district.name not in POOR_DISTRICTS_2021_2025


# ----------------------------------------------------------------------------- garbage


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "🏠 xã 🌾", "\x00\u200b\ufeff", ",,,;;;", "x" * 5000, "ạ" * 5000, "thuc phan " * 500, "中文"],
)
def test_garbage_does_not_crash(text: str) -> None:
    assert isinstance(gazetteer.search_units(text), list)
    assert gazetteer.resolve_old_address(text, text) is None
    assert isinstance(gazetteer.match_old_communes(text), list)


@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=50)))
def test_any_text_gives_matches_above_the_floor_or_none(text: str, district: str | None) -> None:
    for match in gazetteer.search_units(text):
        assert match.score >= MIN_SCORE
    for old in gazetteer.match_old_communes(text, district):
        assert old.score >= MIN_SCORE
    gazetteer.resolve_old_address(text, district)


# ----------------------------------------------------------------------------- the sources


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_file_is_what_the_installed_packages_say() -> None:
    script = _build_script()
    assert DATA_FILE.read_text(encoding="utf-8") == script.render(script.build()), (
        "knowledge/gazetteer.yaml is stale: run .venv/bin/python scripts/build_gazetteer.py"
    )


def test_vietnamadminunits_and_vietnam_provinces_agree_but_for_three_codes() -> None:
    """Both packages list the same 56 units of Cao Bằng; they differ in two ways.

    1. Spelling: vietnam-provinces writes "Đàm Thuỷ", vietnamadminunits "Đàm Thủy" (the
       tone mark on another vowel; the gazetteer uses the traditional "Thủy").
    2. Codes of three units made from Hạ Lang district: vietnam-provinces 2025.10.1 gives
       Lý Quốc 01558, Hạ Lang 01561, Vinh Quý 01537; vietnamadminunits 1.0.4 gives
       Lý Quốc 01537, Hạ Lang 01558, Vinh Quý 01561. A new unit keeps the code of one of
       the communes merged into it; vietnamadminunits' codes follow that rule (01537 was
       xã Lý Quốc, 01558 thị trấn Thanh Nhật, 01561 xã Vinh Quý), vietnam-provinces' three
       do not: each is the code of a commune merged into another of the three. The
       gazetteer uses vietnamadminunits' codes (CODE_CORRECTIONS in the build script).
       Quang Long (01552) and the other 52 units have the same code in both.
    """
    from vietnam_provinces import ProvinceCode, Ward
    from vietnamadminunits.database import query  # type: ignore[import-untyped]

    script = _build_script()
    provinces = {
        script.canonical_name(ward.name): f"{int(ward.code):05d}" for ward in Ward.iter_by_province(ProvinceCode.P_04)
    }
    rows: list[dict[str, Any]] = query("SELECT ward, wardCode FROM admin_units WHERE provinceCode = '04'")
    adminunits = {script.canonical_name(row["ward"]): row["wardCode"] for row in rows}

    assert len(provinces) == len(adminunits) == 56
    assert set(provinces) == set(adminunits)
    differing = {name: (provinces[name], adminunits[name]) for name in provinces if provinces[name] != adminunits[name]}
    assert differing == {
        "Xã Lý Quốc": ("01558", "01537"),
        "Xã Hạ Lang": ("01561", "01558"),
        "Xã Vinh Quý": ("01537", "01561"),
    }
    for name, (wrong, right) in differing.items():
        unit = gazetteer.unit_by_code(right)
        assert unit is not None and unit.full_name == name
        merged = {commune.code for commune in unit.former_communes}
        assert right in merged and wrong not in merged
    assert {ward.name for ward in Ward.iter_by_province(ProvinceCode.P_04)} >= {"Xã Đàm Thuỷ"}


def test_a_former_district_named_alone_gives_the_units_that_took_in_its_communes() -> None:
    for typed in ("thanh pho cao bang", "TP Cao Bằng", "thành phố cao bang"):
        found = units_of_district(typed)
        assert found is not None, typed
        district, taken_in = found
        assert district.code == "040"
        assert {"Thục Phán", "Nùng Trí Cao", "Tân Giang"} <= {unit.name for unit in taken_in}
        assert all(district.code in {d.code for d in unit.former_districts} for unit in taken_in)
    ha_lang = units_of_district("huyen ha lang")
    assert ha_lang is not None and ha_lang[0].name == "Hạ Lang" and len(ha_lang[1]) >= 2
    # A commune's name, the province, or a commune with its district is not "a district alone".
    assert units_of_district("ha lang") is None
    assert units_of_district("tinh cao bang") is None
    assert units_of_district("xa thi hoa, huyen ha lang") is None
