"""Tự kiểm tra hộ nghèo: a short questionnaire against the poverty standard in force today.

Thresholds, indicators and the "what to bring, where to go" text come from
knowledge/eligibility/*.yaml. The answers live only in the conversation state while the
questionnaire runs (and expire with it); nothing is stored unless the household asks to send
the result with a request to the commune, which starts the report flow with it.

```mermaid
flowchart TD
    S([Tự kiểm tra]) --> N{standard in force today?}
    N -->|none| X[say so] --> M([menu])
    N -->|yes| A["Nông thôn hay thành thị (đô thị)?<br/>buttons, or typed: xã, bản, phường, đô thị…"]
    A --> H["Bao nhiêu người?"] --> I["Thu nhập cả nhà một tháng?"]
    I -->|above the line| R
    I -->|"at or below; indicators confirmed"| Q
    I -->|"at or below; indicators unconfirmed (2027+)"| O{"12 câu tham khảo, hay chỉ thu nhập?"}
    O -->|câu hỏi| Q["Câu 1..12: Có · Không · Không rõ"] --> R
    O -->|chỉ thu nhập| R
    R["Kết quả: hộ nghèo / cận nghèo / nghèo hoặc cận nghèo (Không rõ decides) / không thuộc<br/>only the commune review decides; what to bring, where to go"]
    R -->|Gửi đề nghị cho xã| P([report flow, with the result and the area answered])
    R -->|menu| M
```
"""

from __future__ import annotations

from bot.flows import report
from bot.flows.common import cancel_button, menu_button, show_menu
from bot.flows.eligibility_result import result_text
from bot.i18n import N_
from bot.parsing import MAX_AMOUNT, Amount, AmountProblem, folded, parse_amount, parse_count
from bot.payloads import Payload, button
from bot.state import State
from bot.turn import Flow, Turn
from knowledge.eligibility import (
    MAX_HOUSEHOLD,
    Area,
    Indicator,
    Standard,
    Verdict,
    assess,
    review_summary,
)

NAME = "eligibility"
ANSWERS = {"y": N_("Có"), "n": N_("Không"), "u": N_("Không rõ")}
# What people type for the area, folded, whatever words the standard's buttons use (Nghị định 07/2021
# says "thành thị", Nghị định 351/2025 "đô thị"): a phường (a thị trấn before 1/7/2025) is urban; a xã,
# and the thôn, bản, làng, xóm it is made of, rural. The standard's own words are added in _typed_area.
_AREA_WORDS = {
    Area.URBAN: frozenset({"thanh thi", "do thi", "phuong", "thi tran", "thanh pho", "khu pho", "to dan pho"}),
    Area.RURAL: frozenset({"nong thon", "xa", "thon", "ban", "lang", "xom"}),
}
# Words around the answer that say nothing about it: "nhà tôi ở bản ạ", "khu vực đô thị".
_AREA_FILLERS = frozenset(
    {"o", "nha", "toi", "em", "minh", "chung", "chau", "a", "khu", "vuc", "vung", "la", "thuoc", "dang", "song", "tai"}
)


def in_progress(state: State) -> bool:
    """Whether the self-check has answers that leaving would lose (from the household's size on)."""
    return state.flow == NAME and state.capture and "size" in state.data


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
    rural, urban = _(standard.area_names[Area.RURAL]), _(standard.area_names[Area.URBAN])
    turn.say(
        _("Nhà bạn ở {rural} hay {urban}? (Xã là {rural}; phường là {urban}.)").format(rural=rural, urban=urban),
        [
            button(_(standard.area_labels[Area.RURAL]), "ea", Area.RURAL.value),
            button(_(standard.area_labels[Area.URBAN]), "ea", Area.URBAN.value),
            cancel_button(turn.t),
        ],
    )


def _typed_area(standard: Standard, text: str) -> Area | None:
    """The area typed in words ("thanh thi", "đô thị", "nhà tôi ở bản"), if they name exactly one."""
    words = " ".join(word for word in folded(text).split() if word not in _AREA_FILLERS)
    found = {
        area
        for area in Area
        if words in _AREA_WORDS[area]
        or words in {folded(standard.area_names[area]), folded(standard.area_labels[area])}
    }
    return found.pop() if len(found) == 1 else None


def _set_area(turn: Turn, area: Area) -> None:
    turn.state.data["area"] = area.value
    turn.go(NAME, "size")
    _ask_size(turn)


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


def _ask_indicator(turn: Turn, standard: Standard, index: int, *, heard: str = "") -> None:
    _ = turn.t.gettext
    indicators = _indicators(turn, standard)
    indicator = indicators[index]
    turn.say(
        heard
        + _("Câu {number}/{total} ({dimension}): {question}").format(
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
    standard = turn.deps.standards().by_id(str(data.get("std")))
    if turn.state.step == "area" and standard is not None:
        # The buttons' own words reach _on_button through the router; other words for the area come here.
        area = _typed_area(standard, text)
        if area is not None:
            _set_area(turn, area)
            return
    if turn.state.step == "size":
        size = parse_count(text, maximum=MAX_HOUSEHOLD)
        if size is None:
            turn.say(_("Bạn hãy gõ số người bằng chữ số, từ 1 đến {max}, ví dụ: **4**.").format(max=MAX_HOUSEHOLD))
            _ask_size(turn)
            return
        await _set_size(turn, size)
        return
    if turn.state.step == "income":
        await _on_income(turn, text)
        return
    turn.say(_("Bạn hãy chọn một nút bên dưới, hoặc trả lời bằng số thứ tự."))
    await _prompt(turn)


async def _on_income(turn: Turn, text: str) -> None:
    """Take the household's monthly income, a share per person times the household, or ask again."""
    _ = turn.t.gettext
    data = turn.state.data
    amount = parse_amount(text)
    income = amount.value
    if income is not None and amount.per_person:
        # The step asks for the household's total; a share per person is multiplied by the size
        # answered just before, and what was understood is said so that a misreading shows.
        size = int(data["size"])
        if income * size > MAX_AMOUNT:
            amount, income = Amount(None, AmountProblem.TOO_LARGE), None
        else:
            turn.say(
                _("Tôi hiểu là {each} mỗi người, tức {total} cả nhà {size} người mỗi tháng.").format(
                    each=turn.t.money(income), total=turn.t.money(income * size), size=size
                )
            )
            income *= size
    if income is None:
        turn.say(_income_problem(turn, amount, text))
        _ask_income(turn)
        return
    data["income"] = income
    await _after_income(turn)


def _income_problem(turn: Turn, amount: Amount, text: str) -> str:
    """Why an income answer was not taken, and what to type instead."""
    _ = turn.t.gettext
    money = turn.t.money

    def share(value: int) -> str:
        return _("{amount} mỗi người").format(amount=money(value)) if amount.per_person else money(value)

    match amount.problem, amount.figures:
        case AmountProblem.NEEDS_UNIT, (number,):
            return _(
                "Bạn muốn nói **{number} nghìn** ({thousands}) hay **{number} đồng**? Bạn hãy gõ lại kèm đơn vị, "
                "ví dụ: **{number} nghìn**."
            ).format(number=turn.t.number(number), thousands=money(number * 1000))
        case AmountProblem.NEEDS_UNIT, _figures:
            return _("Bạn hãy ghi rõ đơn vị, ví dụ **{number} triệu** hoặc **{number} nghìn**.").format(
                number=text.strip()
            )
        case AmountProblem.TOO_LARGE, _figures:
            return _(
                "Số tiền này lớn quá (hơn {maximum} một tháng), có lẽ bị gõ nhầm. Bạn hãy xem lại tổng thu nhập "
                "**một tháng** của cả nhà, ví dụ: **3 triệu**."
            ).format(maximum=money(MAX_AMOUNT))
        case AmountProblem.RANGE, (low, high):
            # Not the middle taken silently: a range may straddle the line, and the verdict should rest
            # on a figure the person gave. The middle is offered as an example to type.
            return _(
                "Bạn ghi một khoảng, từ {low} đến {high}. Để so với chuẩn nghèo, tôi cần **một con số**: bạn "
                "hãy gõ số gần đúng nhất, ví dụ số ở giữa: **{middle}**."
            ).format(low=money(low), high=share(high), middle=share((low + high) // 2))
        case AmountProblem.ABOVE | AmountProblem.BELOW as problem, (bound,):
            # No example figure here: any figure offered would lean the answer towards or away from the line.
            said = (
                _("Bạn ghi là hơn {amount}.") if problem is AmountProblem.ABOVE else _("Bạn ghi là dưới {amount}.")
            ).format(amount=share(bound))
            return (
                said
                + " "
                + _(
                    "Để so với chuẩn nghèo, tôi cần **một con số**: bạn hãy gõ số tiền ước chừng gần đúng nhất "
                    "(ghi **khoảng** trước số cũng được)."
                )
            )
    return _("Tôi chưa đọc được số tiền này. Bạn hãy gõ như: **3 triệu**, **2tr5** hoặc **3.500.000**.")


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
        _result(turn, standard, asked=False)
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
        _set_area(turn, Area(payload.arg(0)))
    elif payload.action == "es" and payload.arg(0).isdigit():
        await _set_size(turn, int(payload.arg(0)))
    elif payload.action == "eo" and payload.arg(0) == "ask":
        turn.go(NAME, "indicator", {**data, "i": 0, "answers": []})
        _ask_indicator(turn, standard, 0)
    elif payload.action == "eo":
        _result(turn, standard, asked=False)
    elif payload.action == "ei" and payload.arg(0) in ANSWERS:
        answers = [*data.get("answers", []), payload.arg(0)]
        index = len(answers)
        # Said back, so that a typed "2" meant as "two people" is seen to have been read as the second button.
        heard = turn.t.gettext("Câu {number}: bạn trả lời **{answer}**.").format(
            number=index, answer=turn.t.gettext(ANSWERS[payload.arg(0)])
        )
        if index < len(_indicators(turn, standard)):
            turn.go(NAME, "indicator", {**data, "i": index, "answers": answers})
            _ask_indicator(turn, standard, index, heard=heard + "\n\n")
        else:
            turn.say(heard)
            turn.state.data["answers"] = answers
            _result(turn, standard, asked=True)
    elif payload.action == "er":
        summary = data.get("summary")
        if isinstance(summary, str):
            check: dict[str, str] = {key: str(data[key]) for key in ("std", "area") if key in data}
            await report.start_request(turn, summary, area_check=check)
        else:
            show_menu(turn)
    else:
        await _prompt(turn)


def _result(turn: Turn, standard: Standard, *, asked: bool) -> None:
    """Say what the answers suggest, that only the commune decides, and what to do next."""
    _ = turn.t.gettext
    data = turn.state.data
    area, size, income = Area(data["area"]), int(data["size"]), int(data["income"])
    answers: list[str] = list(data.get("answers", [])) if asked else []
    result = assess(
        standard,
        area=area,
        household_size=size,
        monthly_income=income,
        deprivations=answers.count("y") if asked else None,
        unknown=answers.count("u"),
    )
    answered = list(zip(_indicators(turn, standard), answers, strict=False))
    summary = review_summary(
        turn.deps.standards(),
        standard,
        result,
        area=area,
        household_size=size,
        monthly_income=income,
        deprived=[indicator for indicator, answer in answered if answer == "y"],
        unknown=[indicator for indicator, answer in answered if answer == "u"],
    )
    # The area goes along so that the commune picked for a request can be checked against it.
    turn.go(NAME, "result", {"std": standard.id, "summary": summary, "area": area.value}, capture=False)
    buttons = [menu_button(turn.t)]
    if result.verdict is not Verdict.NEITHER:
        buttons.insert(0, button(_("Gửi đề nghị rà soát cho xã"), "er", "send"))
    turn.say(result_text(turn.t, turn.deps.standards(), standard, result, area=area, answers=answers), buttons)


FLOW = Flow(
    name=NAME,
    title=N_("tự kiểm tra hộ nghèo"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
)
