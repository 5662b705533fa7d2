"""Route one event to the flow that should answer it.

Order of precedence: commands (``/start``, ``/huy``… from any state); button taps (global
actions from any state, a form's own buttons only if they were the last offered, anything else
"no longer valid"); typed choices for the buttons last offered ("2", a label or its first words,
"có"/"đồng ý"/"không" for a yes or no button); the words people type for the commands ("huy",
"menu", "huy dang ky"); text captured by an open form; a tracking code, alone or in a sentence; a
bare "có", "không" or number with nothing to answer (the menu); otherwise a question for the
knowledge engine. Files, shared contacts and locations go to a form that takes them, or get a
polite word.

A report the citizen has started writing is never thrown away unasked: a typed cancel word or
number, or a menu button of an older message, first asks "bỏ phản ánh đang viết?". Looking
something up in the middle of a form (an FAQ answer, a topic) shows it and the form goes on.
"""

from __future__ import annotations

import copy
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable

from bot.events import Attachment, ButtonPress, Command, Location, SharedContact, Text
from bot.flows import ask, eligibility, menu, privacy, report, subscribe, track
from bot.flows.common import show_menu
from bot.i18n import LANGUAGES
from bot.parsing import AmountProblem, folded, parse_amount
from bot.payloads import Payload, button, decode
from bot.replies import choice_number
from bot.state import State
from bot.turn import Flow, Turn
from casework.tickets.codes import normalize_tracking_code

log = logging.getLogger(__name__)

FLOWS: dict[str, Flow] = {
    flow.name: flow for flow in (ask.FLOW, eligibility.FLOW, report.FLOW, track.FLOW, subscribe.FLOW, privacy.FLOW)
}
KNOWN_FLOWS = frozenset(FLOWS)
# Single words people type for the buttons they see ("ko" for "Không").
_TYPED = {"ko": "khong", "k": "khong", "hok": "khong", "khg": "khong", "no": "khong", "yes": "co", "c": "co"}
_TYPED.update(
    # "I don't know" for a "Không rõ" button.
    dict.fromkeys(
        ("khong biet", "ko biet", "k biet", "chua biet", "chua ro", "ko ro", "k ro", "khong nho", "ko nho"), "khong ro"
    )
)
# Ways of saying yes or no to a question whose buttons carry "yes"/"y" or "no"/"n" ("Tôi đồng ý" / "Không
# đồng ý", "Có" / "Không"): "đồng ý", "ok", "vâng" are yes wherever a yes button is offered.
_YES = frozenset(
    {"co", "co a", "da co", "dong y", "toi dong y", "ok", "oke", "okay", "vang", "vang a", "da", "u", "uh", "um"}
    | {"yes", "y", "duoc", "dung", "dung vay", "dung roi", "dung a"}
)
_NO = frozenset(
    {"khong", "ko", "k", "kg", "khg", "hok", "no", "n", "khong dong y", "khong can", "thoi khong", "khong dung", "sai"}
)
_YES_ARGS, _NO_ARGS = frozenset({"yes", "y"}), frozenset({"no", "n"})
# Said with no question to answer, these are not questions for the FAQ ("ok", "vâng" are small talk).
_BARE_ANSWERS = frozenset({"co", "khong", "ko", "k", "kg", "khg", "hok", "c", "y", "n", "yes", "no"})
# What people type instead of the commands (which are hard to type on a phone): folded text -> command
# and its argument.
_TYPED_COMMANDS = {
    "huy": "huy",
    "huy bo": "huy",
    "thoi": "huy",
    "dung lai": "huy",
    "thoat": "huy",
    "menu": "menu",
    "menu chinh": "menu",
    "quay lai": "menu",
    "ve menu": "menu",
    "tro ve": "menu",
    "tieng viet": "ngon_ngu vi",
    "vietnamese": "ngon_ngu vi",
    "tieng anh": "ngon_ngu en",
    "english": "ngon_ngu en",
    "huy dang ky": "huy_dang_ky",
    "huy dang ki": "huy_dang_ky",
    "ngung nhan thong bao": "huy_dang_ky",
    "thoi nhan thong bao": "huy_dang_ky",
}
# Taps that only look something up: in the middle of a form they answer, and the form goes on.
_LOOKUPS = frozenset({"q", "fb", "tl", "tp"})
_CODE_IN_TEXT = re.compile(r"\bcb[\s._-]*[a-z0-9]{4}[\s._-]*[a-z0-9]{4}\b", re.IGNORECASE)
SURE = "sure"  # the extra argument of "m:…" once the citizen has confirmed leaving a draft
# Commands (typed as words too) that would leave a draft: what to do once the citizen confirms. An
# explicit /huy is a clear choice, like the step's own "Huỷ" button.
_LEAVE = {"start": "menu", "menu": "menu", "help": "menu", "tro_giup": "menu"}

GlobalHandler = Callable[[Turn, Payload], Awaitable[bool]]


async def dispatch(turn: Turn) -> None:
    """Handle the turn's event; afterwards ``turn.replies`` holds at least one reply."""
    event_input = turn.event.input
    if isinstance(event_input, Command):
        await on_command(turn, event_input)
    elif isinstance(event_input, ButtonPress):
        await on_button(turn, event_input.payload)
    elif isinstance(event_input, Text):
        await on_text(turn, event_input.text)
    elif isinstance(event_input, Attachment):
        await on_attachment(turn, event_input)
    elif isinstance(event_input, SharedContact):
        await on_contact(turn, event_input.phone)
    elif isinstance(event_input, Location):
        await _not_here(
            turn,
            turn.t.gettext(
                "Cầu Nối chưa dùng vị trí và không lưu vị trí bạn vừa gửi. Nếu được hỏi xã, phường, "
                "bạn hãy gõ tên xã, phường."
            ),
        )
    if not turn.replies:
        show_menu(turn)


async def on_command(turn: Turn, command: Command) -> None:
    """``/start``, ``/huy``, ``/menu``, ``/huy_dang_ky``, ``/ngon_ngu`` and the shortcuts to each flow."""
    name, argument = command.name, command.argument
    if name in _LEAVE and _work_in_hand(turn.state):
        _confirm_leaving(turn, Payload("m", (_LEAVE[name],)))
        return
    if name == "start":
        menu.greet(turn)
    elif name in {"huy", "cancel"}:
        menu.cancel(turn)
    elif name in {"menu", "help", "tro_giup"}:
        menu.menu(turn)
    elif name == "huy_dang_ky":
        await subscribe.stop(turn)
    elif name == "ngon_ngu" and argument.lower() in LANGUAGES:
        await _switch_language(turn, argument.lower())
    elif name == "ngon_ngu":
        menu.choose_language(turn)
    elif name == "tra_cuu" and argument:
        await track.show(turn, argument)
    elif name in {"tra_cuu", "hoi", "kiem_tra", "phan_anh", "thong_bao", "rieng_tu"}:
        await open_menu_item(turn, {"tra_cuu": "track", "hoi": "ask", "kiem_tra": "check"}.get(name, name))
    else:
        show_menu(
            turn, turn.t.gettext("Tôi chưa biết lệnh /{command}. Bạn hãy chọn một mục dưới đây.").format(command=name)
        )


async def open_menu_item(turn: Turn, action: str) -> bool:
    """Start what a menu button (or its command) names; False for an unknown name."""
    if action == "menu":
        menu.menu(turn)
    elif action == "cancel":
        menu.cancel(turn)
    elif action == "lang":
        menu.choose_language(turn)
    elif action == "ask":
        ask.start(turn)
    elif action == "check":
        eligibility.start(turn)
    elif action in {"report", "phan_anh"}:
        await report.start(turn)
    elif action == "track":
        await track.show_list(turn)
    elif action in {"sub", "thong_bao"}:
        await subscribe.start(turn)
    elif action in {"privacy", "rieng_tu"}:
        privacy.start(turn)
    else:
        return False
    return True


async def _on_menu(turn: Turn, payload: Payload) -> bool:
    return await open_menu_item(turn, payload.arg(0))


async def _on_language(turn: Turn, payload: Payload) -> bool:
    if payload.arg(0) not in LANGUAGES:
        return False
    await _switch_language(turn, payload.arg(0))
    return True


async def _switch_language(turn: Turn, code: str) -> None:
    """Change the language; in the middle of a form the form goes on in the new language."""
    flow = FLOWS.get(turn.state.flow)
    if not turn.state.capture or flow is None:
        menu.set_language(turn, code)
        return
    turn.say(menu.switch_language(turn, code))
    await flow.prompt(turn)


# Actions honoured from any state: they name something stable (a menu item, an FAQ entry, a
# ticket of this chat), so a tap on an old message still means what it said.
GLOBAL: dict[str, GlobalHandler] = {
    "m": _on_menu,
    "lang": _on_language,
    "q": ask.on_entry,
    "fb": ask.on_feedback,
    "tl": ask.on_topics,
    "tp": ask.on_topic,
    "t": track.on_track,
    "tc": track.on_track,
    "rt": track.on_rate,
    "dp": track.on_follow_up,
    "ad": track.on_follow_up,
}


async def on_button(turn: Turn, raw: str) -> None:
    """A tap: a global action, one of the buttons just offered, or a choice that is no longer valid."""
    payload = decode(raw)
    if payload is None:
        await invalid_choice(turn)
        return
    handler = GLOBAL.get(payload.action)
    if handler is not None and payload.action in _LOOKUPS and turn.state.capture:
        await _look_up_in_form(turn, handler, payload)
        return
    if handler is not None:
        if payload.action == "m" and _would_lose_draft(turn, raw, payload):
            _confirm_leaving(turn, payload)
            return
        if not await handler(turn, payload):
            await invalid_choice(turn)
        return
    flow = FLOWS.get(turn.state.flow)
    if flow is None or raw not in turn.state.offered_payloads:
        await invalid_choice(turn)
        return
    await flow.on_button(turn, payload)


async def _look_up_in_form(turn: Turn, handler: GlobalHandler, payload: Payload) -> None:
    """An FAQ answer or a topic asked for in the middle of a form: show it, then go on with the form."""
    form = copy.deepcopy(turn.state)
    if not await handler(turn, payload):
        turn.state = form
        await invalid_choice(turn)
        return
    turn.state = form
    flow = FLOWS.get(form.flow)
    if flow is not None:
        turn.say(turn.t.gettext("Bạn đang làm dở: {what}. Mời bạn làm tiếp:").format(what=turn.t.gettext(flow.title)))
        await flow.prompt(turn)


def _would_lose_draft(turn: Turn, raw: str, payload: Payload) -> bool:
    """Whether a menu action would throw away, unasked, a report the citizen has started writing.

    A tap on the step's own "Huỷ" is a clear choice; a typed word or number (a "2" meant as part of
    the story, a "4" meant as four square metres) and a button of an older message may not be.
    """
    tapped_here = isinstance(turn.event.input, ButtonPress) and raw in turn.state.offered_payloads
    return not tapped_here and payload.arg(1) != SURE and payload.arg(0) != "lang" and _work_in_hand(turn.state)


def _work_in_hand(state: State) -> bool:
    """Whether leaving now would throw away what the citizen has written or answered."""
    return report.has_draft(state) or eligibility.in_progress(state)


def _confirm_leaving(turn: Turn, payload: Payload) -> None:
    """Ask before a typed word, a number or an old menu button throws a written report away."""
    _ = turn.t.gettext
    if eligibility.in_progress(turn.state):
        question = _(
            "Bạn có chắc muốn **bỏ phần tự kiểm tra đang làm** không? Các câu bạn đã trả lời sẽ không được giữ."
        )
        drop, resume = _("Bỏ tự kiểm tra"), _("Làm tiếp")
    elif report.is_request(turn.state):
        question = _("Bạn có chắc muốn **bỏ đề nghị rà soát đang làm** không? Nếu bỏ, đề nghị sẽ không được gửi đi.")
        drop, resume = _("Bỏ đề nghị này"), _("Làm tiếp")
    else:
        question = _(
            "Bạn có chắc muốn **bỏ phản ánh đang viết** không? Nếu bỏ, những gì bạn đã kể sẽ không được gửi đi."
        )
        drop, resume = _("Bỏ phản ánh này"), _("Viết tiếp")
    turn.say(question, [button(drop, "m", payload.arg(0) or "cancel", SURE), button(resume, report.RESUME)])


async def invalid_choice(turn: Turn) -> None:
    """An old or forged button: say so kindly, then the current step again, or the menu."""
    _ = turn.t.gettext
    note = _("Lựa chọn này không còn hiệu lực (có thể từ một tin nhắn cũ).")
    flow = FLOWS.get(turn.state.flow)
    if turn.state.capture and flow is not None:
        turn.say(note)
        await flow.prompt(turn)
        return
    turn.reset()
    show_menu(turn, note + " " + _("Mời bạn chọn lại:"))


async def on_text(turn: Turn, raw: str) -> None:
    """Typed text: a choice, a form's answer, a tracking code, or a question."""
    _ = turn.t.gettext
    text = unicodedata.normalize("NFC", raw).strip()
    flow = FLOWS.get(turn.state.flow)
    in_form = turn.state.capture and flow is not None
    if len(text) > turn.limits.max_text_chars:
        turn.say(
            _(
                "Tin nhắn của bạn dài {length} ký tự, quá giới hạn {limit} ký tự, nên Cầu Nối chưa nhận. Cầu Nối "
                "không tự cắt bớt tin nhắn. Bạn hãy viết ngắn gọn hơn, hoặc chia thành nhiều tin."
            ).format(length=turn.t.number(len(text)), limit=turn.t.number(turn.limits.max_text_chars))
        )
        if in_form and flow is not None:
            await flow.prompt(turn)
        return
    if not text:
        if in_form and flow is not None:
            turn.say(_("Tin nhắn trống."))
            await flow.prompt(turn)
        else:
            ask.not_understood(turn)
        return
    chosen = _typed_choice(turn, text)
    if chosen is not None:
        await on_button(turn, chosen)
        return
    command = _TYPED_COMMANDS.get(folded(text))
    if command == "huy" and _work_in_hand(turn.state):
        _confirm_leaving(turn, Payload("m", ("cancel",)))
        return
    if command is not None:  # "menu", "quay lại"… ask first too when a draft would be lost (``on_command``)
        name, _space, argument = command.partition(" ")
        await on_command(turn, Command(name, argument))
        return
    if in_form and flow is not None:
        await flow.on_text(turn, text)
        return
    code = _code_in(text)
    if code is not None:
        await track.show(turn, code)
        return
    if folded(text) in _BARE_ANSWERS or choice_number(text, 99) is not None or _bare_amount(text):
        # "có", "không", "2" or "5tr" with no question to answer (a form's answer after it expired,
        # say): the menu, whose choices they can pick, rather than a question for an official.
        show_menu(turn, _("Bạn hãy chọn một mục dưới đây, hoặc gõ câu hỏi của bạn."))
        return
    await ask.answer_question(turn, text)


def _bare_amount(text: str) -> bool:
    """Whether the text is only an amount written with digits ("5tr", "1.500.000 đồng", "1500", "3-4 triệu")."""
    return (
        any(character.isdigit() for character in text) and parse_amount(text).problem is not AmountProblem.NOT_A_NUMBER
    )


def _typed_choice(turn: Turn, text: str) -> str | None:
    """The payload of the offered button the person typed ("2", "co", "Gửi phản ánh"), if exactly one."""
    offered = turn.state.offered
    if not offered or turn.state.numeric:
        return None
    number = choice_number(text, len(offered))
    if number is not None:
        return offered[number - 1][0]
    typed = folded(text)
    if not typed:
        return None
    labels = [(payload, folded(label)) for payload, label in offered]
    for word in dict.fromkeys((typed, _TYPED.get(typed, typed))):  # "no" as typed first (English labels)
        matches = [payload for payload, label in labels if label == word]
        # The first words of a label ("co" for "Có, gửi cho cán bộ", "nong thon" for "Nông thôn (xã)"); outside
        # a form only one word, so that a question is not mistaken for the start of a suggested question.
        words = word.split()
        if not matches and (turn.state.capture or len(words) == 1):
            matches = [payload for payload, label in labels if label.split()[: len(words)] == words]
        # In a form, the words inside a label's brackets too ("xa" for "Nông thôn (xã)").
        if not matches and turn.state.capture:
            matches = [payload for payload, label in offered if word in _bracketed(label)]
        if len(matches) == 1:
            return matches[0]
    return _yes_or_no(offered, typed)


def _bracketed(label: str) -> list[str]:
    return [folded(inside) for inside in re.findall(r"\(([^)]*)\)", label)]


def _yes_or_no(offered: list[tuple[str, str]], typed: str) -> str | None:
    """The one offered yes (or no) button, when the person typed a way of saying yes (or no)."""
    wanted = _YES_ARGS if typed in _YES else _NO_ARGS if typed in _NO else None
    if wanted is None:
        return None
    found = []
    for raw, _label in offered:
        payload = decode(raw)
        if payload is not None and payload.args and payload.args[-1] in wanted:
            found.append(raw)
    return found[0] if len(found) == 1 else None


def _code_in(text: str) -> str | None:
    """A tracking code typed alone ("cb 7k3m 9q2x", "7K3M9Q2X") or inside a sentence ("mã số CB-7K3M-9Q2X")."""
    if _looks_like_code(text):
        return text
    found = _CODE_IN_TEXT.search(text)
    return found.group(0) if found is not None and normalize_tracking_code(found.group(0)) else None


def _looks_like_code(text: str) -> bool:
    compact = text.strip().lower()
    return normalize_tracking_code(text) is not None and (compact.startswith("cb") or any(c.isdigit() for c in text))


async def on_attachment(turn: Turn, attachment: Attachment) -> None:
    """A file goes to a form step that takes files; anywhere else it is politely declined (not stored)."""
    flow = FLOWS.get(turn.state.flow)
    if turn.state.capture and flow is not None and flow.on_attachment is not None:
        if await flow.on_attachment(turn, attachment):
            return
    await _not_here(
        turn,
        turn.t.gettext(
            "Ở bước này Cầu Nối chưa nhận ảnh, ghi âm hay tệp, và không lưu tệp bạn vừa gửi. Muốn gửi kèm ảnh "
            "hoặc ghi âm cho cán bộ, hãy chọn **Gửi phản ánh**."
        ),
    )


async def on_contact(turn: Turn, phone: str) -> None:
    """A shared phone number goes only to the step that asked for it; otherwise it is not kept."""
    flow = FLOWS.get(turn.state.flow)
    if turn.state.capture and flow is not None and flow.on_contact is not None:
        if await flow.on_contact(turn, phone):
            return
    await _not_here(turn, turn.t.gettext("Cầu Nối không cần số điện thoại lúc này và không lưu số bạn vừa chia sẻ."))


async def _not_here(turn: Turn, text: str) -> None:
    flow = FLOWS.get(turn.state.flow)
    if turn.state.capture and flow is not None:
        turn.say(text)
        await flow.prompt(turn)
    else:
        show_menu(turn, text)
