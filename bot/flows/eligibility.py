"""Tự kiểm tra hộ nghèo: a short questionnaire against the poverty standard in force today.

Thresholds, indicators and the "what to bring, where to go" text come from
knowledge/eligibility/*.yaml. The answers live only in the conversation state while the
questionnaire runs (and expire with it); nothing is stored unless the household asks to send
the result with a request to the commune, which starts the report flow with it.

```mermaid
flowchart TD
    S([Tự kiểm tra]) --> N{standard in force today?}
    N -->|none| X[say so] --> M([menu])
    N -->|yes| A["Nông thôn hay thành thị?"] --> H["Bao nhiêu người?"] --> I["Thu nhập cả nhà một tháng?"]
    I -->|above the line| R
    I -->|"at or below; indicators confirmed"| Q
    I -->|"at or below; indicators unconfirmed (2027+)"| O{"12 câu tham khảo, hay chỉ thu nhập?"}
    O -->|câu hỏi| Q["Câu 1..12: Có · Không · Không rõ"] --> R
    O -->|chỉ thu nhập| R
    R["Kết quả: có thể thuộc hộ nghèo / cận nghèo / không thuộc<br/>only the commune review decides; what to bring, where to go"]
    R -->|Gửi đề nghị cho xã| P([report flow, with the result])
    R -->|menu| M
```
"""

from __future__ import annotations

from typing import Any

from bot.flows import report
from bot.flows.common import cancel_button, menu_button, show_menu
from bot.i18n import N_
from bot.parsing import AmountProblem, parse_amount, parse_count
from bot.payloads import Payload, button
from bot.turn import Flow, Turn
from knowledge.eligibility import MAX_HOUSEHOLD, Area, Assessment, Indicator, Standard, Verdict, assess

NAME = "eligibility"
ANSWERS = {"y": N_("Có"), "n": N_("Không"), "u": N_("Không rõ")}
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


def _standard(turn: Turn) -> Standard | None:
    return turn.deps.standards().on(turn.today)


def _indicators(turn: Turn, standard: Standard) -> tuple[Indicator, ...]:
    return turn.deps.standards().indicators_of(standard)


def start(turn: Turn) -> None:
    """Introduce the self-check and ask the first question."""
    _ = turn.t.gettext
    standard = _standard(turn)
    if standard is None:
        turn.reset()
        show_menu(
            turn,
            _(
                "Xin lỗi, Cầu Nối chưa có chuẩn nghèo áp dụng cho ngày hôm nay nên chưa tự kiểm tra được. "
                "Bạn hãy hỏi cán bộ giảm nghèo ở UBND xã, phường."
            ),
        )
        return
    count = len(_indicators(turn, standard))
    intro = _(
        "**Tự kiểm tra hộ nghèo** (chỉ để tham khảo), theo {document}, áp dụng đến hết {until}.\n"
        "Tôi sẽ hỏi nơi ở, số người, thu nhập, rồi tối đa {count} câu về hoàn cảnh gia đình. "
        "Câu trả lời của bạn **không được lưu** lại: chỉ được giữ tạm trong lúc bạn trả lời, và không gửi cho "
        "ai nếu bạn không chọn gửi."
    ).format(document=standard.document, until=turn.t.short_date(standard.valid_until), count=count)
    if not standard.indicators_confirmed:
        intro += "\n\n" + _(
            "Lưu ý: Cầu Nối **chưa xác minh** được danh sách chỉ số thiếu hụt của {document}. Các câu hỏi về "
            "hoàn cảnh gia đình dùng chỉ số của chuẩn trước, chỉ để bạn tham khảo."
        ).format(document=standard.document)
    turn.go(NAME, "area", {"std": standard.id, "answers": []})
    turn.say(intro)
    _ask_area(turn, standard)


def _ask_area(turn: Turn, standard: Standard) -> None:
    _ = turn.t.gettext
    turn.say(
        _("Nhà bạn ở nông thôn hay thành thị? (Xã là nông thôn; phường là thành thị.)"),
        [
            button(_(standard.area_labels[Area.RURAL]), "ea", Area.RURAL.value),
            button(_(standard.area_labels[Area.URBAN]), "ea", Area.URBAN.value),
            cancel_button(turn.t),
        ],
    )


def _ask_size(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(
        _("Nhà bạn có **bao nhiêu người** cùng ăn, ở chung? Gõ một số, ví dụ: **4**."),
        # No "Huỷ" here: its number would clash with a household of 7 (/huy still works).
        [button(str(n), "es", str(n)) for n in range(1, 7)],
        numeric=True,
    )


def _ask_income(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(
        _(
            "**Tổng thu nhập một tháng của cả nhà** khoảng bao nhiêu tiền? Tính cả tiền công, tiền bán nông sản, "
            "chăn nuôi, tiền người thân gửi về… rồi chia trung bình cho mỗi tháng. Ví dụ: **3 triệu**, **2tr5**, "
            "**3.500.000**. Gõ /huy nếu muốn dừng."
        ),
        numeric=True,
    )


def _ask_mode(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(
        _(
            "Thu nhập của nhà bạn không cao hơn chuẩn nghèo. Bạn có muốn trả lời thêm vài câu về hoàn cảnh gia "
            "đình (chỉ để tham khảo) không, hay chỉ xem kết quả theo thu nhập?"
        ),
        [
            button(_("Trả lời thêm (tham khảo)"), "eo", "ask"),
            button(_("Chỉ xét thu nhập"), "eo", "income"),
            cancel_button(turn.t),
        ],
    )


def _ask_indicator(turn: Turn, standard: Standard, index: int) -> None:
    _ = turn.t.gettext
    indicators = _indicators(turn, standard)
    indicator = indicators[index]
    turn.say(
        _("Câu {number}/{total} ({dimension}): {question}").format(
            number=index + 1, total=len(indicators), dimension=_(indicator.dimension), question=_(indicator.question)
        ),
        [*(button(_(text), "ei", code) for code, text in ANSWERS.items()), cancel_button(turn.t)],
    )


async def _prompt(turn: Turn) -> None:
    standard = turn.deps.standards().by_id(str(turn.state.data.get("std")))
    step = turn.state.step
    if standard is None:
        start(turn)
    elif step == "area":
        _ask_area(turn, standard)
    elif step == "size":
        _ask_size(turn)
    elif step == "income":
        _ask_income(turn)
    elif step == "mode":
        _ask_mode(turn)
    elif step == "indicator":
        _ask_indicator(turn, standard, int(turn.state.data.get("i", 0)))
    else:
        show_menu(turn)


async def _on_text(turn: Turn, text: str) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    if turn.state.step == "size":
        size = parse_count(text, maximum=MAX_HOUSEHOLD)
        if size is None:
            turn.say(_("Bạn hãy gõ số người bằng chữ số, từ 1 đến {max}, ví dụ: **4**.").format(max=MAX_HOUSEHOLD))
            _ask_size(turn)
            return
        await _set_size(turn, size)
        return
    if turn.state.step == "income":
        amount = parse_amount(text)
        if amount.value is None:
            if amount.problem is AmountProblem.NEEDS_UNIT:
                turn.say(
                    _("Bạn hãy ghi rõ đơn vị, ví dụ **{number} triệu** hoặc **{number} nghìn**.").format(
                        number=text.strip()
                    )
                )
            else:
                turn.say(_("Tôi chưa đọc được số tiền này. Bạn hãy gõ như: **3 triệu**, **2tr5** hoặc **3.500.000**."))
            _ask_income(turn)
            return
        data["income"] = amount.value
        await _after_income(turn)
        return
    turn.say(_("Bạn hãy chọn một nút bên dưới, hoặc trả lời bằng số thứ tự."))
    await _prompt(turn)


async def _set_size(turn: Turn, size: int) -> None:
    turn.state.data["size"] = size
    turn.go(NAME, "income")
    _ask_income(turn)


async def _after_income(turn: Turn) -> None:
    data = turn.state.data
    standard = turn.deps.standards().by_id(str(data.get("std")))
    if standard is None:
        start(turn)
        return
    assessment = assess(
        standard,
        area=Area(data["area"]),
        household_size=int(data["size"]),
        monthly_income=int(data["income"]),
        deprivations=0,
    )
    if assessment.verdict is Verdict.NEITHER:
        _result(turn, standard, deprivations=None)
    elif standard.indicators_confirmed:
        turn.go(NAME, "indicator", {**data, "i": 0, "answers": []})
        _ask_indicator(turn, standard, 0)
    else:
        turn.go(NAME, "mode")
        _ask_mode(turn)


async def _on_button(turn: Turn, payload: Payload) -> None:
    data = turn.state.data
    standard = turn.deps.standards().by_id(str(data.get("std")))
    if standard is None:
        start(turn)
        return
    if payload.action == "ea" and payload.arg(0) in {area.value for area in Area}:
        data["area"] = payload.arg(0)
        turn.go(NAME, "size")
        _ask_size(turn)
    elif payload.action == "es" and payload.arg(0).isdigit():
        await _set_size(turn, int(payload.arg(0)))
    elif payload.action == "eo" and payload.arg(0) == "ask":
        turn.go(NAME, "indicator", {**data, "i": 0, "answers": []})
        _ask_indicator(turn, standard, 0)
    elif payload.action == "eo":
        _result(turn, standard, deprivations=None)
    elif payload.action == "ei" and payload.arg(0) in ANSWERS:
        answers = [*data.get("answers", []), payload.arg(0)]
        index = len(answers)
        if index < len(_indicators(turn, standard)):
            turn.go(NAME, "indicator", {**data, "i": index, "answers": answers})
            _ask_indicator(turn, standard, index)
        else:
            turn.state.data["answers"] = answers
            _result(turn, standard, deprivations=answers.count("y"))
    elif payload.action == "er":
        summary = data.get("summary")
        if isinstance(summary, str):
            await report.start_request(turn, summary)
        else:
            show_menu(turn)
    else:
        await _prompt(turn)


def _result(turn: Turn, standard: Standard, *, deprivations: int | None) -> None:
    """Say what the answers suggest, that only the commune decides, and what to do next."""
    _ = turn.t.gettext
    data = turn.state.data
    area, size, income = Area(data["area"]), int(data["size"]), int(data["income"])
    answers: list[str] = list(data.get("answers", []))
    result = assess(standard, area=area, household_size=size, monthly_income=income, deprivations=deprivations)
    lines = [
        _("**Kết quả tham khảo** theo {document}:").format(document=standard.citation),
        _(VERDICTS[result.verdict]),
        "",
        _("- Thu nhập bình quân: khoảng {per_capita}/người/tháng (chuẩn nghèo {area}: {line}).").format(
            per_capita=turn.t.money(result.per_capita),
            area=_(standard.area_names[area]),
            line=turn.t.money(result.line),
        ),
    ]
    if deprivations is not None:
        lines.append(
            _("- Số chỉ số thiếu hụt: {count} (từ {minimum} trở lên là hộ nghèo).").format(
                count=deprivations, minimum=standard.poor_min_deprivations
            )
        )
        unknown = answers.count("u")
        if unknown:
            lines.append(
                _('- Có {count} câu bạn trả lời "Không rõ": cán bộ sẽ hỏi kỹ khi rà soát.').format(count=unknown)
            )
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
            ).format(line=turn.t.money(result.middle_line)),
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
    summary = _summary(turn, standard, result, area, size, income, answers)
    turn.go(NAME, "result", {"std": standard.id, "summary": summary}, capture=False)
    buttons = [menu_button(turn.t)]
    if result.verdict is not Verdict.NEITHER:
        buttons.insert(0, button(_("Gửi đề nghị rà soát cho xã"), "er", "send"))
    turn.say("\n".join(lines), buttons)


def _summary(
    turn: Turn,
    standard: Standard,
    result: Assessment,
    area: Area,
    size: int,
    income: int,
    answers: list[str],
) -> str:
    """The self-check as the commune's officials read it, in Vietnamese (kept only if the household sends it)."""
    indicators = _indicators(turn, standard)
    deprived = [indicator.question for indicator, answer in zip(indicators, answers, strict=False) if answer == "y"]
    verdicts = {
        Verdict.POOR: "có thể thuộc hộ nghèo",
        Verdict.NEAR_POOR: "có thể thuộc hộ cận nghèo",
        Verdict.LOW_INCOME: "thu nhập không cao hơn chuẩn nghèo (chưa hỏi các chỉ số thiếu hụt)",
        Verdict.NEITHER: "thu nhập cao hơn chuẩn nghèo",
    }
    lines: list[Any] = [
        "Đề nghị rà soát hộ nghèo, hộ cận nghèo. Kết quả tự kiểm tra trên Cầu Nối (người dân tự khai, chỉ để tham khảo):",
        f"- Chuẩn: {standard.citation}",
        f"- Khu vực: {standard.area_names[area]}",
        f"- Số người trong hộ: {size}",
        f"- Thu nhập cả nhà khoảng: {income:,} đồng/tháng".replace(",", "."),
        f"- Kết quả tham khảo: {verdicts[result.verdict]}",
    ]
    if result.deprivations is not None:
        lines.append(f"- Số chỉ số thiếu hụt: {result.deprivations}/{len(indicators)}")
        lines += [f"  • {question}" for question in deprived]
    return "\n".join(lines)


FLOW = Flow(
    name=NAME,
    title=N_("tự kiểm tra hộ nghèo"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
)
