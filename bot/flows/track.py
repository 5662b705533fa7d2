"""Tra cứu phản ánh: this chat's tickets with their status and the latest public reply; rating; reopening.

A tracking code typed anywhere outside a form is looked up too. A code filed from another
chat shows only its status, never its content. Once a ticket is answered the citizen may rate
the answer (1-5), say it did not resolve the matter (the ticket reopens) or add information.
The rating and dispute payloads (``rt:CODE:N``, ``dp:CODE``) are valid from any state, so the
officials' side may put them on the notice that a ticket was answered.

```mermaid
flowchart TD
    S([Tra cứu]) --> L{tickets of this chat?}
    L -->|some| B["Up to 5: code · kind · status · date"] --> D
    L -->|none| C["Gõ mã theo dõi"]
    B -->|Nhập mã khác| C
    C --> X{whose code?}
    X -->|this chat| D["Status, answer date, latest public reply"]
    X -->|another chat| O["Status only"]
    X -->|unknown| C
    D -->|answered: ⭐1..5| R[rating recorded] -->|≤ 2| Q
    D -->|answered: Chưa giải quyết| Q["Điểm nào chưa đồng ý?"] --> RO[reopened, message added]
    D -->|Bổ sung thông tin| A["Gõ thông tin"] --> AM[message added]
```
"""

from __future__ import annotations

from bot.events import Attachment
from bot.flows.ask import answer_question
from bot.flows.common import cancel_button, kind_name, menu_button, show_menu, status_name
from bot.i18n import N_
from bot.payloads import Payload, button
from bot.turn import Flow, Turn
from casework.conversations.schemas import MAX_SCORE
from casework.conversations.service import chat_tickets, rate_ticket, rating_of, ticket_by_code
from casework.errors import NotFound, ValidationFailed
from casework.tickets.codes import normalize_tracking_code
from casework.tickets.lifecycle import REOPEN_FROM
from casework.tickets.models import Ticket
from casework.tickets.schemas import AttachmentCreate
from casework.tickets.service import add_citizen_message, citizen_view

NAME = "track"
SHOWN = 5
REPLY_EXCERPT = 1500


def start(turn: Turn) -> None:
    """Ask for a code (the list of this chat's tickets comes from ``show_list``)."""
    turn.go(NAME, "code", {})
    _ask_code(turn)


async def show_list(turn: Turn) -> None:
    """This chat's latest tickets, each a button; or ask for a code when there are none."""
    _ = turn.t.gettext
    tickets = await chat_tickets(turn.session, channel=turn.channel, chat_ref=turn.chat_ref, limit=SHOWN)
    if not tickets:
        turn.go(NAME, "code", {})
        turn.say(_("Bạn chưa gửi phản ánh hay câu hỏi nào từ cuộc trò chuyện này."))
        _ask_code(turn)
        return
    lines = [_("Các phản ánh, câu hỏi bạn đã gửi từ cuộc trò chuyện này:")]
    for ticket in tickets:
        lines.append(
            _("- **{code}**: {kind}, {status} (gửi ngày {date})").format(
                code=ticket.code,
                kind=kind_name(turn.t, ticket.kind, ticket.topic),
                status=status_name(turn.t, ticket.status).lower(),
                date=turn.t.short_date(ticket.received_at.astimezone(turn.deps.zone).date()),
            )
        )
    lines.append(_("Chọn một mã để xem chi tiết."))
    turn.reset()
    turn.say(
        "\n".join(lines),
        [*(button(ticket.code, "t", ticket.code) for ticket in tickets), button(_("Nhập mã khác"), "tc", "code")],
    )


def _ask_code(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(_("Bạn hãy gõ mã theo dõi, ví dụ: **CB-7K3M-9Q2X**."), [menu_button(turn.t)])


async def show(turn: Turn, code: str) -> None:
    """One ticket by code: in full for its own chat, its status only for anyone else."""
    _ = turn.t.gettext
    normalized = normalize_tracking_code(code)
    ticket = await ticket_by_code(turn.session, code=normalized) if normalized else None
    if ticket is None:
        turn.go(NAME, "code", {})
        turn.say(_("Không tìm thấy mã theo dõi **{code}**. Bạn hãy kiểm tra lại.").format(code=code.strip()[:40]))
        _ask_code(turn)
        return
    turn.reset()
    if ticket.channel is not turn.channel or ticket.chat_ref != turn.chat_ref:
        turn.say(
            _(
                "Mã **{code}**: {status}.\nMã này không được gửi từ cuộc trò chuyện này, nên tôi chỉ cho biết "
                "trạng thái."
            ).format(code=ticket.code, status=status_name(turn.t, ticket.status)),
            [menu_button(turn.t)],
        )
        return
    await _show_own(turn, ticket)


async def _show_own(turn: Turn, ticket: Ticket) -> None:
    _ = turn.t.gettext
    view = await citizen_view(turn.session, code=ticket.code, channel=turn.channel, chat_ref=turn.chat_ref)
    lines = [
        _("**{code}**: {kind}").format(code=view.code, kind=kind_name(turn.t, view.kind, ticket.topic)),
        _("Trạng thái: **{status}**").format(status=status_name(turn.t, view.status)),
    ]
    if view.merged_into and view.merged_status:
        lines.append(
            _("Phản ánh này được gộp vào phản ánh **{code}** để giải quyết chung. Phản ánh đó: **{status}**.").format(
                code=view.merged_into, status=status_name(turn.t, view.merged_status)
            )
        )
    lines.append(
        _("Gửi ngày {received}. Ngày dự kiến có trả lời: {deadline}.").format(
            received=turn.t.short_date(view.received_at.astimezone(turn.deps.zone).date()),
            deadline=turn.t.date(view.deadline),
        )
    )
    if view.replies:
        latest = view.replies[-1]
        text = latest.text if len(latest.text) <= REPLY_EXCERPT else latest.text[:REPLY_EXCERPT].rstrip() + "…"
        lines += [
            "",
            _("Trả lời mới nhất của cán bộ ({date}):").format(
                date=turn.t.short_date(latest.at.astimezone(turn.deps.zone).date())
            ),
            text,
        ]
    else:
        lines += ["", _("Cán bộ chưa trả lời.")]
    buttons = []
    if view.status in REOPEN_FROM:
        score = await rating_of(turn.session, ticket)
        if score is not None:
            lines += ["", _("Bạn đã đánh giá câu trả lời {score}/5.").format(score=score)]
        lines += ["", _("Câu trả lời có giải quyết được việc của bạn không? Chấm điểm từ 1 (kém) đến 5 (tốt):")]
        buttons += [button("⭐" * n, "rt", view.code, str(n)) for n in range(1, MAX_SCORE + 1)]
        buttons.append(button(_("Chưa giải quyết — mở lại"), "dp", view.code))
    buttons += [button(_("Bổ sung thông tin"), "ad", view.code), menu_button(turn.t)]
    turn.say("\n".join(lines), buttons)


async def on_track(turn: Turn, payload: Payload) -> bool:
    """A tap on a ticket's code (valid from any state)."""
    if payload.action == "tc":
        start(turn)
        return True
    if normalize_tracking_code(payload.arg(0)) is None:
        return False
    await show(turn, payload.arg(0))
    return True


async def on_rate(turn: Turn, payload: Payload) -> bool:
    """A rating of an answered ticket of this chat (valid from any state)."""
    _ = turn.t.gettext
    code, score = payload.arg(0), payload.arg(1)
    if not score.isdigit() or not 1 <= int(score) <= MAX_SCORE:
        return False
    try:
        ticket = await rate_ticket(
            turn.session, code=code, channel=turn.channel, chat_ref=turn.chat_ref, score=int(score), now=turn.now
        )
    except NotFound:
        return False
    except ValidationFailed:
        turn.say(_("Phản ánh này chưa được trả lời nên chưa chấm điểm được."), [menu_button(turn.t)])
        return True
    turn.reset()
    if int(score) <= 2:
        turn.say(
            _("Cảm ơn bạn đã đánh giá. Nếu việc chưa được giải quyết, bạn có thể mở lại phản ánh."),
            [button(_("Chưa giải quyết — mở lại"), "dp", ticket.code), menu_button(turn.t)],
        )
    else:
        turn.say(_("Cảm ơn bạn đã đánh giá!"), [menu_button(turn.t)])
    return True


async def on_follow_up(turn: Turn, payload: Payload) -> bool:
    """ "Chưa giải quyết" (dispute) or "Bổ sung thông tin" on a ticket of this chat (valid from any state)."""
    _ = turn.t.gettext
    normalized = normalize_tracking_code(payload.arg(0))
    ticket = await ticket_by_code(turn.session, code=normalized) if normalized else None
    if ticket is None or ticket.channel is not turn.channel or ticket.chat_ref != turn.chat_ref:
        return False
    dispute = payload.action == "dp" and ticket.status in REOPEN_FROM
    turn.go(NAME, "dispute" if dispute else "add", {"code": ticket.code})
    if dispute:
        turn.say(
            _("Bạn hãy cho biết điểm nào bạn chưa đồng ý, hoặc việc gì chưa được giải quyết:"), [cancel_button(turn.t)]
        )
    else:
        turn.say(_("Bạn hãy gõ thông tin muốn bổ sung (có thể gửi kèm ảnh):"), [cancel_button(turn.t)])
    return True


async def _add(turn: Turn, text: str, attachments: list[AttachmentCreate]) -> None:
    _ = turn.t.gettext
    code = str(turn.state.data.get("code"))
    dispute = turn.state.step == "dispute"
    turn.reset()
    try:
        await add_citizen_message(
            turn.session,
            code=code,
            channel=turn.channel,
            chat_ref=turn.chat_ref,
            text=text,
            attachments=attachments,
            dispute=dispute,
            rules=turn.deps.rules,
            now=turn.now,
        )
    except NotFound:
        show_menu(turn, _("Không tìm thấy phản ánh này nữa."))
        return
    if dispute:
        message = _("Đã mở lại phản ánh **{code}**. Cán bộ sẽ xem xét tiếp và trả lời bạn tại đây.")
    else:
        message = _("Đã gửi thông tin bổ sung cho phản ánh **{code}**.")
    turn.say(message.format(code=code), [button(_("Xem phản ánh"), "t", code), menu_button(turn.t)])


async def _prompt(turn: Turn) -> None:
    _ = turn.t.gettext
    if turn.state.step == "code":
        _ask_code(turn)
    elif turn.state.step == "dispute":
        turn.say(_("Bạn hãy cho biết điểm nào bạn chưa đồng ý:"), [cancel_button(turn.t)])
    elif turn.state.step == "add":
        turn.say(_("Bạn hãy gõ thông tin muốn bổ sung:"), [cancel_button(turn.t)])
    else:
        show_menu(turn)


async def _on_text(turn: Turn, text: str) -> None:
    if turn.state.step in {"dispute", "add"}:
        await _add(turn, text, [])
        return
    if normalize_tracking_code(text) is None and len(text.split()) >= 3:
        # Not a code but a sentence: the person moved on to asking something.
        await answer_question(turn, text)
        return
    await show(turn, text)


async def _on_attachment(turn: Turn, attachment: Attachment) -> bool:
    if turn.state.step != "add":
        return False
    caption = " ".join(attachment.caption.split()) or "(Người dân gửi thêm tệp đính kèm.)"
    file = AttachmentCreate(
        file_ref=attachment.file_ref,
        mime_type=attachment.mime_type,
        size_bytes=attachment.size_bytes,
        file_name=attachment.file_name,
    )
    await _add(turn, caption, [file])
    return True


async def _on_button(turn: Turn, payload: Payload) -> None:
    await _prompt(turn)


FLOW = Flow(
    name=NAME,
    title=N_("tra cứu phản ánh"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
    on_attachment=_on_attachment,
)
