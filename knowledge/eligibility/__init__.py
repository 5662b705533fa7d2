"""The poverty standard in force on a date, read from the data files beside this module, and the self-check.

Each ``*.yaml`` file here is one standard: its legal source, its validity period, the monthly
income line per person (rural and urban), how many deprivation indicators make a low-income
household poor, and the indicators asked in plain words. The rule is the same in every
standard so far (Nghị định 07/2021/NĐ-CP; Nghị định 351/2025/NĐ-CP from 2027):

- income per person at or below the line and at least ``poor_min_deprivations`` deprivations: poor;
- income at or below the line and fewer deprivations: near-poor;
- income above the line: neither.

An indicator answered "không rõ" counts as neither deprived nor not: when the known deprivations
fall short of the threshold but would reach it with the unknown ones, the answers cannot tell poor
from near-poor, and the result stays "poor or near-poor" (the commune's review establishes them).

A standard whose own indicator list is not confirmed says so (``indicators_confirmed: false``)
and may borrow another standard's indicators as an indication (``indicators_from``). The
result is only ever "may be": the commune's review decides. Nothing here stores anything.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.gazetteer import UnitKind

DIRECTORY = Path(__file__).resolve().parent
MAX_HOUSEHOLD = 30
MAX_MONTHLY_INCOME = 10_000_000_000  # ten billion đồng a month: anything above is a typing slip

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]


class Area(enum.StrEnum):
    RURAL = "rural"
    URBAN = "urban"


class Verdict(enum.StrEnum):
    POOR = "poor"  # có thể thuộc hộ nghèo
    NEAR_POOR = "near_poor"  # có thể thuộc hộ cận nghèo
    # Income at or below the line; the deprivations were not asked, or too many were unknown to tell.
    LOW_INCOME = "low_income"
    NEITHER = "neither"  # income above the line


class Indicator(BaseModel):
    """One deprivation indicator, asked as a yes/no question where "yes" means deprived."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    dimension: Text
    question: Text


class Standard(BaseModel):
    """One poverty standard, as its data file states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    document: Text
    article: Text | None = None
    title: Text
    valid_from: dt.date
    valid_until: dt.date
    income_lines: dict[Area, int]
    # The top of the "mức sống trung bình" band (farming households); None where it is not confirmed.
    middle_income_lines: dict[Area, int] | None = None
    area_labels: dict[Area, Text]  # on the buttons: "Nông thôn (xã)"
    area_names: dict[Area, Text]  # in a sentence: "chuẩn nghèo nông thôn"
    poor_min_deprivations: int = Field(ge=1)
    indicators_confirmed: bool
    indicators_from: Slug | None = None
    indicators: tuple[Indicator, ...] = ()
    next_steps: Text

    @model_validator(mode="after")
    def _consistent(self) -> Standard:
        if self.valid_from > self.valid_until:
            raise ValueError("valid_from is after valid_until")
        if any(set(areas) != set(Area) for areas in (self.income_lines, self.area_labels, self.area_names)):
            raise ValueError("income_lines, area_labels and area_names need both rural and urban")
        if any(line <= 0 for line in self.income_lines.values()):
            raise ValueError("income lines are positive amounts in đồng")
        middle = self.middle_income_lines
        if middle is not None and (set(middle) != set(Area) or any(middle[a] <= self.income_lines[a] for a in Area)):
            raise ValueError("middle_income_lines need both areas, each above its income line")
        if bool(self.indicators) == bool(self.indicators_from):
            raise ValueError("give either indicators or indicators_from, not both")
        if self.indicators_confirmed and self.indicators_from:
            raise ValueError("borrowed indicators cannot be confirmed for this standard")
        if len({indicator.id for indicator in self.indicators}) != len(self.indicators):
            raise ValueError("indicator ids repeat")
        return self

    @property
    def citation(self) -> str:
        """ "Nghị định 07/2021/NĐ-CP, Điều 3"."""
        return f"{self.document}, {self.article}" if self.article else self.document

    def in_force(self, on: dt.date) -> bool:
        """Whether this standard applies on a date."""
        return self.valid_from <= on <= self.valid_until


@dataclass(frozen=True)
class Standards:
    """Every standard in the data files, oldest first."""

    items: tuple[Standard, ...]

    def on(self, day: dt.date) -> Standard | None:
        """The standard in force on a date, or None before the first or after the last."""
        return next((standard for standard in self.items if standard.in_force(day)), None)

    def by_id(self, standard_id: str) -> Standard | None:
        """A standard by its id."""
        return next((standard for standard in self.items if standard.id == standard_id), None)

    def indicators_of(self, standard: Standard) -> tuple[Indicator, ...]:
        """The indicators to ask under a standard: its own, or those it borrows."""
        if standard.indicators_from:
            lender = self.by_id(standard.indicators_from)
            return lender.indicators if lender else ()
        return standard.indicators

    def indicator_source(self, standard: Standard) -> Standard:
        """The standard whose indicators are asked under a standard: the one it borrows them from, or itself."""
        lender = self.by_id(standard.indicators_from) if standard.indicators_from else None
        return lender or standard


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the answers suggest, with the figures behind it."""

    verdict: Verdict
    per_capita: int  # monthly income per person, rounded down
    line: int
    deprivations: int | None  # known deprivations ("có"); None when not asked
    middle_line: int | None = None  # set when above the poverty line but within the middle-income band
    unknown: int = 0  # indicators answered "không rõ"
    # Above a line (the poverty line or the top of the middle band) by less than one đồng a person: the
    # rounded-down average equals that line, so showing it alone would contradict the comparison.
    just_above_line: bool = False


def assess(
    standard: Standard,
    *,
    area: Area,
    household_size: int,
    monthly_income: int,
    deprivations: int | None,
    unknown: int = 0,
) -> Assessment:
    """Apply a standard's rule to one household's answers (``deprivations`` None: income only).

    ``deprivations`` counts the indicators answered "deprived", ``unknown`` those answered "không rõ".
    """
    if not 1 <= household_size <= MAX_HOUSEHOLD:
        raise ValueError(f"a household has 1 to {MAX_HOUSEHOLD} people")
    if not 0 <= monthly_income <= MAX_MONTHLY_INCOME:
        raise ValueError("the monthly income is out of range")
    if unknown < 0 or (unknown and deprivations is None):
        raise ValueError("unknown answers are counted only when the indicators were asked")
    line = standard.income_lines[area]
    per_capita = monthly_income // household_size
    # Compare totals, not a rounded average: 4,500,001 đồng for 3 people is above 1,500,000 each.
    if monthly_income > line * household_size:
        verdict = Verdict.NEITHER
    elif deprivations is None:
        verdict = Verdict.LOW_INCOME
    elif deprivations >= standard.poor_min_deprivations:
        verdict = Verdict.POOR
    elif deprivations + unknown >= standard.poor_min_deprivations:
        verdict = Verdict.LOW_INCOME  # the unknown answers decide: poor or near-poor cannot be told
    else:
        verdict = Verdict.NEAR_POOR
    middle = standard.middle_income_lines[area] if standard.middle_income_lines else None
    in_band = verdict is Verdict.NEITHER and middle is not None and monthly_income <= middle * household_size
    rounded_down = per_capita * household_size < monthly_income
    return Assessment(
        verdict=verdict,
        per_capita=per_capita,
        line=line,
        deprivations=deprivations,
        middle_line=middle if in_band else None,
        unknown=unknown,
        just_above_line=rounded_down and per_capita in {line, middle},
    )


def review_summary(
    standards: Standards,
    standard: Standard,
    result: Assessment,
    *,
    area: Area,
    household_size: int,
    monthly_income: int,
    deprived: Sequence[Indicator] = (),
    unknown: Sequence[Indicator] = (),
) -> str:
    """The self-check as the commune's officials read it, in Vietnamese (kept only if the household sends it)."""
    verdicts = {
        Verdict.POOR: "có thể thuộc hộ nghèo",
        Verdict.NEAR_POOR: "có thể thuộc hộ cận nghèo",
        Verdict.LOW_INCOME: (
            "thu nhập không cao hơn chuẩn nghèo (chưa hỏi các chỉ số thiếu hụt)"
            if result.deprivations is None
            else 'có thể thuộc hộ nghèo hoặc hộ cận nghèo (thu nhập không cao hơn chuẩn nghèo; các câu "không rõ" '
            "quyết định)"
        ),
        Verdict.NEITHER: "thu nhập cao hơn chuẩn nghèo",
    }
    lines = [
        "Đề nghị rà soát hộ nghèo, hộ cận nghèo. Kết quả tự kiểm tra trên Cầu Nối (người dân tự khai, chỉ để tham khảo):",
        f"- Chuẩn: {standard.citation}",
        f"- Khu vực: {standard.area_names[area]}",
        f"- Số người trong hộ: {household_size}",
        f"- Thu nhập cả nhà khoảng: {monthly_income:,} đồng/tháng".replace(",", "."),
        f"- Kết quả tham khảo: {verdicts[result.verdict]}",
    ]
    if result.deprivations is not None:
        total = len(standards.indicators_of(standard))
        unknown_count = f" (và {result.unknown} câu không rõ)" if result.unknown else ""
        lines.append(f"- Số chỉ số thiếu hụt: {result.deprivations}/{total}{unknown_count}")
        lines += [f"  • {indicator.question}" for indicator in deprived]
        if unknown:
            lines.append('- Câu trả lời "không rõ":')
            lines += [f"  • {indicator.question}" for indicator in unknown]
        if not standard.indicators_confirmed:
            source = standards.indicator_source(standard).document
            lines.append(f"- Các chỉ số hỏi theo {source} (chỉ số của {standard.document} chưa xác minh)")
    return "\n".join(lines)


def area_of_unit(kind: UnitKind) -> Area:
    """The area a commune-level unit belongs to: a xã is rural, a phường (or a former thị trấn) urban."""
    return Area.RURAL if kind is UnitKind.XA else Area.URBAN


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


def load_standards(directory: Path = DIRECTORY) -> Standards:
    """Read and validate every standard file; raise ValueError naming the file on any problem."""
    standards = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            standards.append(Standard.model_validate(_nfc(raw)))
        except (yaml.YAMLError, ValueError) as error:
            raise ValueError(f"{path.name}: {error}") from error
    standards.sort(key=lambda standard: standard.valid_from)
    for earlier, later in zip(standards, standards[1:], strict=False):
        if later.valid_from <= earlier.valid_until:
            raise ValueError(f"{earlier.id} and {later.id} overlap")
    loaded = Standards(tuple(standards))
    for standard in standards:
        if standard.indicators_from and loaded.by_id(standard.indicators_from) is None:
            raise ValueError(f"{standard.id}: indicators_from names an unknown standard")
    return loaded


@functools.cache
def default_standards() -> Standards:
    """The standards shipped with Cầu Nối, loaded once per process."""
    return load_standards()
