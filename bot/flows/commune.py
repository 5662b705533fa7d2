"""The commune picker several flows use: type a name without diacritics, pick from what matches.

Not a flow of its own: a flow puts itself at a step that captures text, calls ``ask_commune``,
passes typed text to ``offer_matches`` and reads taps with ``picked``. Current units (since
1/7/2025) match by name; a commune's name from before the merger finds the unit it is part of.

```mermaid
flowchart LR
    A[ask_commune] -->|remembered| B{"Bạn ở xã X?"}
    A -->|not yet| C[type a name]
    B -->|Đúng| P[picked: code]
    B -->|Xã khác| C
    C --> D{offer_matches}
    D -->|found| E[buttons: up to 6 units] --> P
    D -->|none| C
    B & C & E -->|Không rõ| S[picked: none]
```
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.flows.common import cancel_button, unit_name
from bot.payloads import Payload, button
from bot.replies import Button, label
from bot.turn import Turn
from knowledge.gazetteer import match_old_communes, search_units, unit_by_code, units_of_district

ACTION = "cm"
MAX_MATCHES = 6


class Pick(enum.Enum):
    UNIT = "unit"
    SKIP = "skip"  # "Không rõ": file it without a commune (the province sorts it out)
    OTHER = "other"  # "Xã khác": type another name


@dataclass(frozen=True, slots=True)
class Picked:
    pick: Pick
    code: str | None = None


def ask_commune(
    turn: Turn, *, allow_skip: bool = True, confirm: str | None = None, question: str | None = None
) -> None:
    """Ask for the commune (or confirm the remembered one).

    ``confirm`` (with ``{commune}``) and ``question`` replace the wording of the two questions, translated.
    """
    _ = turn.t.gettext
    extra: list[Button] = [button(_("Không rõ"), ACTION, "skip")] if allow_skip else []
    remembered = unit_by_code(turn.conversation.commune_code or "")
    if remembered is not None:
        turn.say(
            (confirm or _("Bạn ở **{commune}**, đúng không?")).format(commune=unit_name(turn.t, remembered)),
            [
                button(_("Đúng"), ACTION, remembered.code),
                button(_("Xã, phường khác"), ACTION, "other"),
                *extra,
                cancel_button(turn.t),
            ],
        )
        return
    ask_to_type(turn, allow_skip=allow_skip, question=question)


def ask_to_type(turn: Turn, *, allow_skip: bool = True, question: str | None = None) -> None:
    """Ask to type the commune's name."""
    _ = turn.t.gettext
    extra = [button(_("Không rõ"), ACTION, "skip")] if allow_skip else []
    how = _(
        "Hãy gõ tên (không cần dấu), ví dụ: **hoa tham** hoặc **thuc phan**. Tên xã cũ trước khi sáp nhập cũng được."
    )
    asked = question or _("Bạn ở xã, phường nào?")
    turn.say(f"{asked} {how}", [*extra, cancel_button(turn.t)])


def offer_matches(turn: Turn, text: str, *, allow_skip: bool = True) -> None:
    """Offer the units matching typed text as buttons, or ask again when nothing matches."""
    _ = turn.t.gettext
    found: dict[str, str] = {}
    for match in search_units(text, limit=MAX_MATCHES):
        found.setdefault(match.unit.code, unit_name(turn.t, match.unit))
    for old in match_old_communes(text, limit=MAX_MATCHES):
        found.setdefault(
            old.unit.code,
            _("{unit} (gồm {old} cũ)").format(unit=unit_name(turn.t, old.unit), old=old.commune.full_name),
        )
    extra = [button(_("Không rõ"), ACTION, "skip")] if allow_skip else []
    district = units_of_district(text) if not found else None
    if district is not None and district[1]:
        former, taken_in = district
        choices = [button(label(unit_name(turn.t, unit)), ACTION, unit.code) for unit in taken_in[:MAX_MATCHES]]
        more = ""
        if taken_in[MAX_MATCHES:]:
            more = " " + _("Không thấy xã, phường của bạn thì gõ tên xã, phường cũ (không cần dấu).")
        turn.say(
            _("Từ 1/7/2025 không còn {district}. Các xã, phường của {district} cũ nay thuộc:").format(
                district=former.full_name[:1].lower() + former.full_name[1:]
            )
            + more,
            [*choices, *extra, cancel_button(turn.t)],
        )
        return
    if not found:
        turn.say(
            _(
                "Tôi không tìm thấy xã, phường nào của tỉnh Cao Bằng có tên như vậy. Hãy gõ lại tên "
                "(không cần dấu), ví dụ: **ha lang**."
            ),
            [*extra, cancel_button(turn.t)],
        )
        return
    choices = [button(label(name), ACTION, code) for code, name in list(found.items())[:MAX_MATCHES]]
    turn.say(_("Chọn xã, phường của bạn:"), [*choices, *extra, cancel_button(turn.t)])


def picked(turn: Turn, payload: Payload) -> Picked | None:
    """What a tap on the picker chose (remembering a unit); None if it is not a picker payload."""
    if payload.action != ACTION:
        return None
    value = payload.arg(0)
    if value == "skip":
        return Picked(Pick.SKIP)
    if value == "other":
        return Picked(Pick.OTHER)
    unit = unit_by_code(value)
    if unit is None:
        return None
    turn.remember_commune(unit.code)
    return Picked(Pick.UNIT, unit.code)
