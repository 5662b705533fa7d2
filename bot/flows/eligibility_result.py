"""The self-check's result as the citizen reads it, and the note when a request goes to a unit of the other area.

Kept apart from the questionnaire (``bot.flows.eligibility``) so that the report flow, which
files a result as a request, can use the note without importing the questionnaire.
"""

from __future__ import annotations

from bot.flows.common import unit_name
from bot.i18n import N_, Translator
from knowledge.eligibility import Area, Assessment, Standard, Standards, Verdict, area_of_unit
from knowledge.gazetteer import Unit, unit_by_code

VERDICTS = {
    Verdict.POOR: N_("Nhà bạn **có thể thuộc hộ nghèo**."),
    Verdict.NEAR_POOR: N_("Nhà bạn **có thể thuộc hộ cận nghèo**."),
    Verdict.LOW_INCOME: N_(
        "Thu nhập của nhà bạn không cao hơn chuẩn nghèo: nhà bạn **có thể thuộc hộ nghèo hoặc hộ cận nghèo**, "
        "tùy số chỉ số thiếu hụt."
    ),
    Verdict.NEITHER: N_(
        "Theo thu nhập bạn cho biết, nhà bạn **có thể không thuộc** hộ nghèo hay hộ cận nghèo, "
        "vì thu nhập bình quân cao hơn chuẩn."
    ),
}


def result_text(
    t: Translator, standards: Standards, standard: Standard, result: Assessment, *, area: Area, answers: list[str]
) -> str:
    """What the answers suggest, that only the commune decides, and what to do next."""
    _ = t.gettext
    lines = [
        _("**Kết quả tham khảo** theo {document}:").format(document=standard.citation),
        _(VERDICTS[result.verdict]),
        "",
        income_line(t, standard, result, area),
    ]
    if result.deprivations is not None:
        lines += deprivation_lines(t, standards, standard, result, answers)
    lines += [
        "",
        _(
            "Đây **chỉ là tham khảo**. Chỉ có **rà soát của UBND xã, phường** mới quyết định nhà bạn có thuộc "
            "hộ nghèo, hộ cận nghèo hay không."
        ),
    ]
    if result.middle_line is not None:
        lines += [
            "",
            _(
                "Nếu nhà bạn **làm nông, lâm, ngư hoặc diêm nghiệp**, với thu nhập này (đến {line}/người/tháng) "
                "nhà bạn có thể thuộc **hộ có mức sống trung bình**: được Nhà nước hỗ trợ ít nhất 30% tiền mua "
                "bảo hiểm y tế. Việc này cũng do rà soát của UBND xã, phường xác định."
            ).format(line=t.money(result.middle_line)),
        ]
    if result.verdict is Verdict.NEITHER:
        lines += [
            "",
            _(
                "Nếu hoàn cảnh thật của gia đình khác với các câu trả lời này (ví dụ thu nhập bấp bênh, có người "
                "ốm đau), bạn vẫn có thể đề nghị xã rà soát:"
            ),
        ]
    lines += ["", _(standard.next_steps)]
    return "\n".join(lines)


def income_line(t: Translator, standard: Standard, result: Assessment, area: Area) -> str:
    """The average income beside the line, never shown equal to a line it is above."""
    _ = t.gettext
    figures = {
        "per_capita": t.money(result.per_capita),
        "area": _(standard.area_names[area]),
        "line": t.money(result.line),
    }
    if result.just_above_line:
        # 6,000,001 đồng for 4 people is 1,500,000.25 each: above the line, though it rounds down to it.
        return _("- Thu nhập bình quân: hơn {per_capita}/người/tháng một chút (chuẩn nghèo {area}: {line}).").format(
            **figures
        )
    return _("- Thu nhập bình quân: khoảng {per_capita}/người/tháng (chuẩn nghèo {area}: {line}).").format(**figures)


def deprivation_lines(
    t: Translator, standards: Standards, standard: Standard, result: Assessment, answers: list[str]
) -> list[str]:
    """The deprivations counted, the "Không rõ" answers (which may leave the result open), whose indicators."""
    _ = t.gettext
    minimum = standard.poor_min_deprivations
    known = result.deprivations or 0
    lines = [
        _("- Số chỉ số thiếu hụt: {count} (từ {minimum} trở lên là hộ nghèo).").format(count=known, minimum=minimum)
    ]
    if result.unknown and result.verdict is Verdict.LOW_INCOME:
        # Too many "Không rõ" to tell poor from near-poor: say which, and how many would make it poor.
        numbers = ", ".join(str(number) for number, answer in enumerate(answers, start=1) if answer == "u")
        lines.append(
            _(
                '- Có {count} câu bạn trả lời "Không rõ" (câu {numbers}). Nếu trong số này có từ {needed} câu trở '
                "lên là thiếu hụt thì nhà bạn có thể thuộc hộ nghèo; nếu ít hơn thì có thể thuộc hộ cận nghèo. "
                "Rà soát của UBND xã, phường sẽ xác định các câu này."
            ).format(count=result.unknown, numbers=numbers, needed=minimum - known)
        )
    elif result.unknown:
        lines.append(
            _('- Có {count} câu bạn trả lời "Không rõ": cán bộ sẽ hỏi kỹ khi rà soát.').format(count=result.unknown)
        )
    if not standard.indicators_confirmed:
        lines.append(
            _(
                "- Các câu về hoàn cảnh gia đình dùng chỉ số của {source}, vì Cầu Nối chưa xác minh được danh sách "
                "chỉ số thiếu hụt của {document}: số chỉ số thiếu hụt ở trên chỉ để tham khảo."
            ).format(source=standards.indicator_source(standard).document, document=standard.document)
        )
    return lines


def _mismatch(standards: Standards, check: object, unit_code: str | None) -> tuple[Standard, Unit, Area, Area] | None:
    """(standard, unit, area answered, unit's area) when the unit picked is of the other area, else None."""
    if not isinstance(check, dict) or unit_code is None:
        return None
    standard = standards.by_id(str(check.get("std")))
    unit = unit_by_code(unit_code)
    if standard is None or unit is None or check.get("area") not in {area.value for area in Area}:
        return None
    answered, actual = Area(check["area"]), area_of_unit(unit.kind)
    return None if answered is actual else (standard, unit, answered, actual)


def area_mismatch_note(t: Translator, standards: Standards, check: object, unit_code: str | None) -> str | None:
    """A gentle note when the unit picked for a request is not of the area the self-check was answered for.

    ``check`` is what the self-check keeps beside its summary, ``{"std": standard id, "area": "rural"}``;
    None when it matches, or when anything is missing. The note never blocks the request.
    """
    found = _mismatch(standards, check, unit_code)
    if found is None:
        return None
    standard, unit, answered, actual = found
    _ = t.gettext
    return _(
        "Lưu ý: {unit} thuộc khu vực **{actual}**, còn lúc tự kiểm tra bạn chọn **{answered}**. Nếu nhà bạn ở "
        "đó, kết quả có thể phải tính theo chuẩn nghèo {actual}: {actual_line}/người/tháng (chuẩn nghèo "
        "{answered}: {answered_line}). Bạn vẫn có thể gửi đề nghị; rà soát của UBND xã, phường sẽ xác định."
    ).format(
        unit=unit_name(t, unit),
        actual=_(standard.area_names[actual]),
        answered=_(standard.area_names[answered]),
        actual_line=t.money(standard.income_lines[actual]),
        answered_line=t.money(standard.income_lines[answered]),
    )


def area_mismatch_line(standards: Standards, check: object, unit_code: str | None) -> str | None:
    """The same mismatch as the commune's officials read it with the request, in Vietnamese; None if none."""
    found = _mismatch(standards, check, unit_code)
    if found is None:
        return None
    standard, unit, answered, actual = found
    return (
        f"- Lưu ý: {unit.full_name} thuộc khu vực {standard.area_names[actual]}, khác khu vực người dân đã khai "
        f"({standard.area_names[answered]}); kết quả trên tính theo chuẩn {standard.area_names[answered]}."
    )
