"""Pieces several flows share: the menu buttons, status and kind names, units, the daily limit."""

from __future__ import annotations

import datetime as dt

from bot.i18n import N_, Translator
from bot.payloads import button
from bot.replies import Button
from bot.turn import Turn
from casework.conversations.service import tickets_filed_since
from casework.errors import LimitReached
from casework.tickets.models import TicketKind, TicketStatus
from casework.tickets.schemas import TicketCreate, TicketPublic
from casework.tickets.service import submit_ticket
from casework.tickets.topics import REVIEW_REQUEST
from knowledge.gazetteer import Unit, UnitKind, unit_by_code

MENU_ITEMS = (
    (N_("Hỏi chính sách"), "ask"),
    (N_("Tự kiểm tra hộ nghèo"), "check"),
    (N_("Gửi phản ánh"), "report"),
    (N_("Tra cứu phản ánh"), "track"),
    (N_("Nhận thông báo"), "sub"),
    (N_("Quyền riêng tư"), "privacy"),
)
# Both languages on purpose: it must be found by someone who does not read the current one.
LANGUAGE_BUTTON = N_("Ngôn ngữ / Language")

STATUS_NAMES = {
    TicketStatus.NEW: N_("Đã nhận, chờ xem xét"),
    TicketStatus.ACCEPTED: N_("Đã thụ lý"),
    TicketStatus.IN_PROGRESS: N_("Đang xử lý"),
    TicketStatus.ANSWERED: N_("Đã trả lời"),
    TicketStatus.CLOSED: N_("Đã đóng"),
    TicketStatus.REJECTED: N_("Không thụ lý"),
    TicketStatus.DUPLICATE: N_("Trùng với phản ánh khác"),
    TicketStatus.TRANSFERRED: N_("Đã chuyển đến nơi có thẩm quyền"),
}
KIND_NAMES = {
    TicketKind.QUESTION: N_("Câu hỏi"),
    TicketKind.FEEDBACK: N_("Phản ánh, kiến nghị"),
    TicketKind.COMPLAINT: N_("Khiếu nại"),
    TicketKind.DENUNCIATION: N_("Tố cáo"),
}
_UNIT_NAMES = {
    UnitKind.XA: N_("Xã {name}"),
    UnitKind.PHUONG: N_("Phường {name}"),
    UnitKind.THI_TRAN: N_("Thị trấn {name}"),
}


def menu_buttons(t: Translator) -> list[Button]:
    """The main menu: the six things the bot does, and the language switch."""
    return [button(t.gettext(text), "m", action) for text, action in MENU_ITEMS] + [
        button(t.gettext(LANGUAGE_BUTTON), "m", "lang")
    ]


def cancel_button(t: Translator) -> Button:
    """ "Huỷ": leave the form, nothing is sent."""
    return button(t.gettext("✖ Huỷ"), "m", "cancel")


def menu_button(t: Translator) -> Button:
    return button(t.gettext("☰ Menu chính"), "m", "menu")


def show_menu(turn: Turn, text: str | None = None) -> None:
    """Offer the main menu, after ``text`` or a short "what next?"."""
    _ = turn.t.gettext
    turn.say(text or _("Bạn cần gì tiếp? Chọn một mục, hoặc gõ câu hỏi."), menu_buttons(turn.t))


def unit_name(t: Translator, unit: Unit) -> str:
    """ "Xã Hạ Lang"; "Hạ Lang commune"."""
    return t.gettext(_UNIT_NAMES[unit.kind]).format(name=unit.name)


def commune_name(t: Translator, code: str | None) -> str:
    """The name of a commune by code, or "not given"."""
    unit = unit_by_code(code) if code else None
    return unit_name(t, unit) if unit else t.gettext("Chưa rõ xã, phường")


def status_name(t: Translator, status: TicketStatus) -> str:
    return t.gettext(STATUS_NAMES[status])


# Topics that name what a ticket is better than its kind does (a request for review is filed as feedback).
TOPIC_NAMES = {REVIEW_REQUEST: N_("Đề nghị rà soát hộ nghèo")}


def kind_name(t: Translator, kind: TicketKind, topic: str | None = None) -> str:
    return t.gettext(TOPIC_NAMES.get(topic or "", KIND_NAMES[kind]))


async def daily_limit_reached(turn: Turn) -> bool:
    """Whether the chat filed its allowance of tickets today; if so, say so kindly."""
    midnight = dt.datetime.combine(turn.today, dt.time(), turn.deps.zone)
    count = await tickets_filed_since(turn.session, channel=turn.channel, chat_ref=turn.chat_ref, since=midnight)
    if count < turn.limits.max_tickets_per_day:
        return False
    say_limit_reached(turn)
    return True


def say_limit_reached(turn: Turn) -> None:
    """The kind message when a chat has sent as many requests as it may today."""
    _ = turn.t.gettext
    show_menu(
        turn,
        _(
            "Hôm nay bạn đã gửi {count} yêu cầu, là mức tối đa trong một ngày. Cán bộ vẫn đang xem các yêu cầu "
            "bạn đã gửi. Mời bạn gửi tiếp vào ngày mai; nếu việc gấp, hãy đến hoặc gọi UBND xã, phường."
        ).format(count=turn.limits.max_tickets_per_day),
    )


async def file_ticket(turn: Turn, data: TicketCreate) -> TicketPublic | None:
    """Submit a ticket for this chat, or say kindly that the chat's allowance is used up (None)."""
    if await daily_limit_reached(turn):
        return None
    try:
        return await submit_ticket(turn.session, data=data, rules=turn.deps.rules, now=turn.now)
    except LimitReached:  # casework's own hourly limit per chat
        say_limit_reached(turn)
        return None


def tracking_lines(turn: Turn, ticket: TicketPublic) -> str:
    """ "Mã theo dõi: CB-…" and the date an answer is expected."""
    _ = turn.t.gettext
    return _("Mã theo dõi: **{code}**\nNgày dự kiến có trả lời: **{date}**").format(
        code=ticket.code, date=turn.t.date(ticket.deadline)
    )
