"""Start and menu: the greeting, the main menu, cancelling, and choosing the language.

These work from any state: ``/start``, ``/huy`` (cancel), ``/menu``, ``/ngon_ngu`` and the
menu's buttons interrupt whatever form is open (nothing half-filled is ever sent).

```mermaid
flowchart TD
    S(["/start"]) --> G["Greeting: an automated service of the province; what it can do"]
    G --> M{{Main menu}}
    H(["/huy or ✖ Huỷ"]) --> C["Cancelled: nothing was sent"] --> M
    M -->|Hỏi chính sách| ask
    M -->|Tự kiểm tra hộ nghèo| eligibility
    M -->|Gửi phản ánh| report
    M -->|Tra cứu phản ánh| track
    M -->|Nhận thông báo| subscribe
    M -->|Quyền riêng tư| privacy
    M -->|Ngôn ngữ / Language| L{{Tiếng Việt · English}} --> M
```
"""

from __future__ import annotations

from bot.flows.common import show_menu
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, normalize_language
from bot.payloads import button
from bot.turn import Turn

LANGUAGE_ACTION = "lang"


def greet(turn: Turn) -> None:
    """The first message: what the bot is, what it can do, and the menu."""
    _ = turn.t.gettext
    turn.reset()
    show_menu(
        turn,
        _(
            "Xin chào! Đây là **Cầu Nối**, dịch vụ **tự động** của tỉnh Cao Bằng về chính sách giảm nghèo. "
            "Tôi có thể:\n"
            "- trả lời câu hỏi về chính sách (gõ có dấu hay không dấu đều được);\n"
            "- giúp bạn tự kiểm tra nhà mình có thể thuộc hộ nghèo, hộ cận nghèo không;\n"
            "- nhận phản ánh, kiến nghị của bạn và cho bạn mã theo dõi;\n"
            "- gửi thông báo của xã, phường bạn chọn.\n\n"
            "Câu trả lời tự động chỉ để tham khảo, không thay cho quyết định của cơ quan nhà nước. "
            "Chọn một mục dưới đây, hoặc gõ câu hỏi của bạn."
        ),
    )


def menu(turn: Turn) -> None:
    """The main menu on its own."""
    turn.reset()
    show_menu(turn, turn.t.gettext("Bạn cần gì? Chọn một mục, hoặc gõ câu hỏi của bạn."))


def cancel(turn: Turn) -> None:
    """Leave whatever form is open; nothing of it is sent or kept."""
    _ = turn.t.gettext
    had_form = turn.state.capture
    turn.reset()
    if had_form:
        show_menu(turn, _("Đã huỷ. Những gì bạn vừa nhập chưa được gửi đi và không được lưu lại."))
    else:
        show_menu(turn, _("Không có việc gì đang làm dở."))


def choose_language(turn: Turn) -> None:
    """Offer the languages, each written in itself."""
    turn.reset()
    turn.say(
        turn.t.gettext("Chọn ngôn ngữ / Choose a language:"),
        [button(LANGUAGE_NAMES[code], LANGUAGE_ACTION, code) for code in LANGUAGES],
    )


def set_language(turn: Turn, code: str) -> None:
    """Switch the conversation's language and show the menu in it."""
    said = switch_language(turn, code)
    turn.reset()
    show_menu(turn, said)


def switch_language(turn: Turn, code: str) -> str:
    """Switch the conversation's language; return the confirmation, in that language."""
    turn.set_language(normalize_language(code))
    _ = turn.t.gettext
    note = ""
    if turn.t.language != "vi":
        note = "\n\n" + _(
            "Câu trả lời về chính sách lấy từ bộ hỏi đáp tiếng Việt nên vẫn bằng tiếng Việt. "
            "Bạn có thể hỏi bằng tiếng Việt, có dấu hay không dấu."
        )
    # TRANSLATORS: said in the language just chosen: "Switched to English."
    return _("Đã chuyển sang tiếng Việt.") + note
