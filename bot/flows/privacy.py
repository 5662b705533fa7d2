"""Quyền riêng tư: what is stored, why, for how long; "Xoá dữ liệu của tôi" erases this chat's data.

Erasure removes the conversation (language, remembered commune, any half-filled form), the
subscriptions and the chat reference and phone on the chat's tickets, whose content stays for
the record without any link to the person; delivered messages lose their text. The
confirmation is the last message this chat's reference is kept for.

```mermaid
flowchart TD
    S([Quyền riêng tư]) --> I["What is stored, why, how long"]
    I -->|Xoá dữ liệu của tôi| C{"Chắc chắn? Không hoàn tác được"}
    C -->|Có, xoá| E["Erased: conversation, subscriptions;<br/>tickets unlinked; delivered texts blanked"] --> D["Đã xoá (counts)"]
    C -->|Không| M([menu])
    I -->|menu| M
```
"""

from __future__ import annotations

from bot.flows.common import menu_button, show_menu
from bot.i18n import N_
from bot.payloads import Payload, button
from bot.turn import Flow, Turn
from casework.conversations.service import chat_tickets, erase_chat

NAME = "privacy"


def start(turn: Turn) -> None:
    """Explain what the bot keeps, and offer erasure."""
    _ = turn.t.gettext
    turn.go(NAME, "info", {}, capture=False)
    turn.say(
        _(
            "**Cầu Nối lưu gì, để làm gì, trong bao lâu**\n"
            "- **Câu hỏi tra cứu tự động**: không lưu vào hồ sơ nào. Câu hỏi gần nhất chỉ giữ tạm (tối đa một "
            "ngày) để bạn có thể gửi cho cán bộ; Cầu Nối ghi lại bạn thấy câu trả lời có hữu ích hay không.\n"
            "- **Việc đang làm dở** (ví dụ phản ánh chưa gửi, câu trả lời tự kiểm tra): chỉ giữ tạm trong cuộc "
            "trò chuyện, tự xoá sau một ngày hoặc khi bạn làm việc khác.\n"
            "- **Phản ánh, câu hỏi gửi cán bộ**: nội dung, ảnh, ghi âm, xã, phường; giữ làm hồ sơ của cơ quan "
            "nhà nước theo quy định lưu trữ, để giải quyết và trả lời bạn.\n"
            "- **Số điện thoại**: chỉ khi bạn đồng ý, cùng thời điểm đồng ý; giữ đến khi bạn yêu cầu xoá.\n"
            "- **Đăng ký nhận thông báo**: xã, phường, chủ đề và thời điểm đồng ý; đến khi bạn gõ /huy_dang_ky.\n"
            "- **Thông tin cuộc trò chuyện** (mã cuộc trò chuyện, ngôn ngữ, xã đã chọn): để gửi trả lời cho bạn; "
            "giữ đến khi bạn yêu cầu xoá.\n\n"
            "Cán bộ chỉ xem được việc của đơn vị mình; mọi lần xem thông tin cá nhân đều được ghi lại. "
            "Bạn có quyền yêu cầu xoá dữ liệu của mình (Luật Bảo vệ dữ liệu cá nhân 2025)."
        ),
        [button(_("Xoá dữ liệu của tôi"), "pe", "ask"), menu_button(turn.t)],
    )


async def _ask_confirm(turn: Turn) -> None:
    _ = turn.t.gettext
    tickets = await chat_tickets(turn.session, channel=turn.channel, chat_ref=turn.chat_ref, limit=1)
    lines = [
        _("**Bạn có chắc muốn xoá dữ liệu của mình?** Việc này không hoàn tác được. Cầu Nối sẽ:"),
        _("- xoá ngôn ngữ, xã đã nhớ và việc đang làm dở;"),
        _("- thôi gửi thông báo cho bạn;"),
    ]
    if tickets:
        lines.append(
            _(
                "- gỡ số điện thoại và mọi liên kết với cuộc trò chuyện này khỏi các phản ánh bạn đã gửi. Nội dung "
                "phản ánh vẫn được giữ làm hồ sơ nhưng **không còn gắn với bạn**, và cán bộ sẽ **không trả lời "
                "được** cho bạn qua đây nữa. Hãy ghi lại mã theo dõi nếu còn cần."
            )
        )
    turn.go(NAME, "confirm", {})
    turn.say(
        "\n".join(lines), [button(_("Có, xoá dữ liệu của tôi"), "pe", "yes"), button(_("Không, giữ lại"), "pe", "no")]
    )


async def erase(turn: Turn) -> None:
    """Erase this chat's personal data and confirm."""
    _ = turn.t.gettext
    result = await erase_chat(turn.session, channel=turn.channel, chat_ref=turn.chat_ref, now=turn.now)
    turn.erased = True
    turn.reset()
    lines = [_("Đã xoá dữ liệu của bạn.")]
    if result.tickets_unlinked:
        lines.append(
            _("- {count} phản ánh, câu hỏi không còn gắn với bạn (nội dung giữ làm hồ sơ).").format(
                count=result.tickets_unlinked
            )
        )
    if result.subscriptions_removed:
        lines.append(_("- Đã thôi gửi thông báo."))
    lines.append(_("Nếu bạn nhắn tiếp, Cầu Nối sẽ bắt đầu một cuộc trò chuyện mới."))
    turn.say("\n".join(lines))


async def _prompt(turn: Turn) -> None:
    if turn.state.step == "confirm":
        await _ask_confirm(turn)
    else:
        start(turn)


async def _on_text(turn: Turn, text: str) -> None:
    _ = turn.t.gettext
    turn.say(_("Bạn hãy chọn một nút bên dưới, hoặc trả lời bằng số thứ tự."))
    await _prompt(turn)


async def _on_button(turn: Turn, payload: Payload) -> None:
    _ = turn.t.gettext
    value = payload.arg(0)
    if payload.action == "pe" and value == "ask":
        await _ask_confirm(turn)
    elif payload.action == "pe" and value == "yes" and turn.state.step == "confirm":
        await erase(turn)
    elif payload.action == "pe":
        turn.reset()
        show_menu(turn, _("Vâng, dữ liệu của bạn được giữ nguyên."))
    else:
        await _prompt(turn)


FLOW = Flow(
    name=NAME,
    title=N_("xoá dữ liệu"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
)
