"""Gửi phản ánh: kind, commune, what happened (text, photos, voice), contact, confidentiality, confirm.

The phone number is kept only after the citizen taps "Tôi đồng ý" under the consent wording
(never pre-selected); the consent is recorded with its time, channel and wording version.
Without a phone the report is anonymous. For khiếu nại and tố cáo the bot explains, in plain
words, that a formal one needs a signed application or a visit in person, and where to go,
and still records the report. Nothing reaches casework before "Gửi".

```mermaid
flowchart TD
    S([Gửi phản ánh]) --> K{"Loại việc"}
    K -->|phản ánh, kiến nghị| C
    K -->|khiếu nại · tố cáo| F["How to file formally: signed đơn or in person, where"] --> C
    E([eligibility result: Gửi đề nghị]) --> C
    C[commune picker] --> D["Kể lại sự việc: text, photos, voice"] -->|Tiếp tục| P
    C -->|request from the self-check| P
    P{"Để lại số điện thoại?"} -->|Để lại số| N[type or share the number] --> A{"Consent wording: Tôi đồng ý?"}
    A -->|Tôi đồng ý| G
    A -->|Không đồng ý| G
    P -->|Không (ẩn danh)| G{"Giữ kín với cán bộ xã?"}
    G --> Y["Summary"] -->|Gửi| T["Ticket: tracking code + expected answer date"]
    Y -->|Huỷ| M([menu])
```
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.events import Attachment, AttachmentKind
from bot.flows import commune
from bot.flows.common import (
    cancel_button,
    commune_name,
    daily_limit_reached,
    file_ticket,
    menu_button,
    show_menu,
    tracking_lines,
)
from bot.flows.eligibility_result import area_mismatch_line, area_mismatch_note
from bot.i18n import N_
from bot.parsing import folded, parse_phone, show_phone
from bot.payloads import Payload, button
from bot.replies import SHARE_CONTACT, Button, label
from bot.state import State
from bot.turn import Flow, Turn
from casework.tickets.models import TicketKind
from casework.tickets.schemas import AttachmentCreate, ConsentCreate, TicketCreate
from casework.tickets.topics import POOR_LIST, REVIEW_REQUEST, SUPPORT_DELIVERY

NAME = "report"
CONSENT_VERSION = "phone-v2"  # v1 said "về phản ánh này", which a request for review is not
# The wording the citizen agrees to; its version is stored with the consent, so change both together.
CONSENT_WORDING = N_(
    "Tôi đồng ý để Cầu Nối lưu số điện thoại này và chuyển cho cán bộ phụ trách, chỉ để liên hệ với tôi về "
    "việc tôi gửi lần này. Tôi có thể yêu cầu xoá số này bất cứ lúc nào trong mục Quyền riêng tư."
)
EXCERPT = 300


# kind code -> (ticket kind, topic, label)
KINDS: dict[str, tuple[TicketKind, str | None, str]] = {
    "feedback": (TicketKind.FEEDBACK, None, N_("Phản ánh, kiến nghị")),
    "list": (TicketKind.COMPLAINT, POOR_LIST, N_("Khiếu nại về danh sách hộ nghèo")),
    "support": (TicketKind.COMPLAINT, SUPPORT_DELIVERY, N_("Khiếu nại về việc thực hiện hỗ trợ")),
    "denounce": (TicketKind.DENUNCIATION, None, N_("Tố cáo")),
    "request": (TicketKind.FEEDBACK, REVIEW_REQUEST, N_("Đề nghị rà soát hộ nghèo")),
}
CHOOSABLE = ("feedback", "list", "support", "denounce")
RESUME = "rw"  # "Viết tiếp" after the citizen was asked whether to throw the draft away
# Said alone while telling what happened, these mean "I have finished" (the prompt says "Gửi xong…").
DONE_WORDS = frozenset({"xong", "xong roi", "da xong", "het", "het roi", "gui", "gui di", "tiep", "tiep theo"})
FILE_NAMES = {
    AttachmentKind.PHOTO: N_("ảnh"),
    AttachmentKind.VOICE: N_("ghi âm"),
    AttachmentKind.DOCUMENT: N_("tệp"),
}


async def start(turn: Turn) -> None:
    """Ask what kind of report this is (unless the chat has used up today's allowance)."""
    if await daily_limit_reached(turn):
        turn.reset()
        return
    turn.go(NAME, "kind", {})
    _ask_kind(turn)


async def start_request(turn: Turn, summary: str, *, area_check: dict[str, str] | None = None) -> None:
    """File the self-check's result as a request for review: straight to the commune.

    ``area_check`` (the standard and the area the self-check was answered for) lets the commune
    step say so when the unit picked lies in the other area.
    """
    _ = turn.t.gettext
    if await daily_limit_reached(turn):
        turn.reset()
        return
    turn.go(NAME, "commune", {"kind": "request", "texts": [summary], "files": [], "area_check": area_check})
    turn.say(
        _(
            "Tôi sẽ gửi kết quả tự kiểm tra kèm đề nghị rà soát cho UBND xã, phường của bạn, để cán bộ biết và "
            "liên hệ.\n\n**Lưu ý:** đây **chưa phải giấy đề nghị chính thức**. Để được rà soát, bạn vẫn cần "
            "nộp giấy đề nghị tại UBND xã, phường; cán bộ xã sẽ hướng dẫn."
        )
    )
    commune.ask_commune(turn)


def is_request(state: State) -> bool:
    """Whether the report being written is a self-check's request for review."""
    return state.flow == NAME and state.data.get("kind") == "request"


def has_draft(state: State) -> bool:
    """Whether the chat is in the middle of a report that already says something (text, photo, voice)."""
    return state.flow == NAME and bool(state.data.get("texts") or state.data.get("files"))


def _ask_kind(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(
        _("Bạn muốn gửi việc gì?"),
        [*(button(_(KINDS[code][2]), "rk", code) for code in CHOOSABLE), cancel_button(turn.t)],
    )


def _formal_note(turn: Turn, kind: TicketKind) -> str:
    _ = turn.t.gettext
    if kind is TicketKind.COMPLAINT:
        return _(
            "**Lưu ý:** tin nhắn gửi Cầu Nối **chưa phải là đơn khiếu nại chính thức**. Muốn khiếu nại chính "
            "thức, bạn cần làm **đơn** ghi ngày tháng, họ tên, địa chỉ, nội dung, lý do, điều đề nghị và "
            "**ký tên hoặc điểm chỉ**, rồi nộp tại **UBND xã, phường**; hoặc **đến trình bày trực tiếp** ở nơi "
            "tiếp công dân của UBND xã. Bạn có 90 ngày kể từ khi biết việc để khiếu nại.\n\n"
            "Cầu Nối vẫn ghi nhận và chuyển việc này cho cán bộ."
        )
    return _(
        "**Lưu ý:** tin nhắn gửi Cầu Nối **chưa phải là đơn tố cáo chính thức**. Muốn tố cáo chính thức, bạn "
        "cần làm **đơn** có họ tên, địa chỉ, hoặc **đến trình bày trực tiếp** tại nơi tiếp công dân của "
        "**UBND xã, phường** hoặc **Ban tiếp công dân**. Tố cáo không ghi tên thì không được xử lý chính thức; "
        "thông tin người tố cáo được pháp luật giữ bí mật.\n\n"
        "Cầu Nối vẫn ghi nhận và chuyển việc này cho cán bộ."
    )


def _ask_description(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(
        _(
            "Bạn hãy **kể lại sự việc**: việc gì, ở đâu, khi nào, ai liên quan. Có thể gửi nhiều tin nhắn, "
            "kèm **ảnh** hoặc **ghi âm**. Gửi xong, bấm **Tiếp tục**."
        ),
        [button(_("Tiếp tục"), "rd", "done"), cancel_button(turn.t)],
    )


def _ask_contact(turn: Turn) -> None:
    _ = turn.t.gettext
    if turn.state.data.get("kind") == "request":
        question = _(
            "Bạn có muốn **để lại số điện thoại** để cán bộ xã liên hệ, hẹn rà soát không? Không bắt buộc. "
            "Nếu không để lại, cán bộ không biết đây là nhà nào: bạn nên đến UBND xã, phường."
        )
    else:
        question = _(
            "Bạn có muốn **để lại số điện thoại** để cán bộ gọi lại khi cần hỏi thêm không? Không bắt buộc. "
            "Nếu không để lại, phản ánh được gửi **ẩn danh** và bạn vẫn nhận trả lời trong cuộc trò chuyện này."
        )
    turn.say(
        question,
        [
            button(_("Để lại số điện thoại"), "rc", "phone"),
            button(_("Không để lại số (ẩn danh)"), "rc", "none"),
            cancel_button(turn.t),
        ],
    )


def _ask_phone(turn: Turn) -> None:
    _ = turn.t.gettext
    buttons = [button(_("Thôi, không để lại số"), "rc", "none"), cancel_button(turn.t)]
    if not turn.channel.shares_contact:
        turn.say(_("Bạn hãy gõ số điện thoại, ví dụ: **0912 345 678**."), buttons)
        return
    # One tap sends the number the account is registered with: nothing to type, no typo.
    turn.say(
        _("Bạn hãy bấm nút **Gửi số điện thoại của tôi** ở dưới, hoặc gõ số, ví dụ: **0912 345 678**."),
        [Button(_("Gửi số điện thoại của tôi"), SHARE_CONTACT), *buttons],
    )


def _ask_consent(turn: Turn) -> None:
    _ = turn.t.gettext
    phone = str(turn.state.data.get("phone", ""))
    turn.say(
        _("**Đồng ý lưu số điện thoại {phone}**").format(phone=show_phone(phone)) + "\n\n" + _(CONSENT_WORDING),
        [
            button(_("Tôi đồng ý"), "rp", "yes"),
            button(_("Không đồng ý"), "rp", "no"),
            cancel_button(turn.t),
        ],
    )


def _ask_confidential(turn: Turn) -> None:
    _ = turn.t.gettext
    turn.say(
        _(
            "Bạn có muốn **giữ kín** việc này với cán bộ xã không? Nếu giữ kín, chỉ cán bộ cấp tỉnh xem được. "
            "Nên chọn khi việc liên quan đến cán bộ xã."
        ),
        [
            button(_("Giữ kín với cán bộ xã"), "rs", "yes"),
            button(_("Không cần giữ kín"), "rs", "no"),
            cancel_button(turn.t),
        ],
    )


def _ask_confirm(turn: Turn) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    excerpt = label(_description(data), EXCERPT)
    phone = data.get("phone") if data.get("consent_at") else None
    lines = [
        _("**Xem lại trước khi gửi:**"),
        _("- Loại việc: {kind}").format(kind=_(KINDS[str(data["kind"])][2])),
        _("- Xã, phường: {commune}").format(commune=commune_name(turn.t, data.get("commune"))),
        _("- Nội dung: {text}").format(text=excerpt or _("(chỉ có ảnh, ghi âm)")),
    ]
    files = len(data.get("files", []))
    if files:
        lines.append(_("- Ảnh, ghi âm, tệp gửi kèm: {count}").format(count=files))
    if isinstance(phone, str):
        lines.append(_("- Số điện thoại: {phone} (bạn đã đồng ý)").format(phone=show_phone(phone)))
    else:
        lines.append(_("- Số điện thoại: không để lại (ẩn danh)"))
    if data.get("kind") != "request":
        lines.append(
            _("- Giữ kín với cán bộ xã: {answer}").format(answer=_("Có") if data.get("confidential") else _("Không"))
        )
    lines += ["", _("Bấm **Gửi** để gửi đi, hoặc **Huỷ** nếu không muốn gửi.")]
    turn.say("\n".join(lines), [button(_("Gửi"), "rx", "send"), cancel_button(turn.t)])


def _description(data: dict[str, Any]) -> str:
    return "\n\n".join(str(text) for text in data.get("texts", []))


async def _prompt(turn: Turn) -> None:
    step = turn.state.step
    prompts = {
        "kind": _ask_kind,
        "describe": _ask_description,
        "contact": _ask_contact,
        "phone": _ask_phone,
        "consent": _ask_consent,
        "confidential": _ask_confidential,
        "confirm": _ask_confirm,
    }
    if step == "commune":
        commune.ask_commune(turn)
    elif step in prompts:
        prompts[step](turn)
    else:
        show_menu(turn)


async def _on_text(turn: Turn, text: str) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    step = turn.state.step
    if step == "commune":
        commune.offer_matches(turn, text)
    elif step == "describe" and folded(text) in DONE_WORDS and (data.get("texts") or data.get("files")):
        turn.go(NAME, "contact")
        _ask_contact(turn)
    elif step == "describe":
        if not _fits(turn, text):
            return
        data.setdefault("texts", []).append(text)
        turn.say(
            _("Đã ghi lại. Bạn có thể gửi thêm chữ, ảnh, ghi âm, hoặc bấm **Tiếp tục**."),
            [button(_("Tiếp tục"), "rd", "done"), cancel_button(turn.t)],
        )
    elif step == "phone" or (step == "contact" and parse_phone(text) is not None):
        await _take_phone(turn, text)  # a number typed straight away answers "leave a number?" too
    else:
        turn.say(_("Bạn hãy chọn một nút bên dưới, hoặc trả lời bằng số thứ tự."))
        await _prompt(turn)


def _fits(turn: Turn, text: str) -> bool:
    """Whether a further piece of description fits the report; if not, say so (nothing is cut)."""
    _ = turn.t.gettext
    used = len(_description(turn.state.data))
    if used + len(text) <= turn.limits.max_report_chars:
        return True
    turn.say(
        _(
            "Nội dung đã dài tới giới hạn {limit} ký tự của một phản ánh, nên tôi chưa ghi thêm đoạn này. "
            "Bạn hãy bấm **Tiếp tục** để gửi phần đã kể, rồi gửi phần còn lại thành một phản ánh khác."
        ).format(limit=turn.t.number(turn.limits.max_report_chars)),
        [button(_("Tiếp tục"), "rd", "done"), cancel_button(turn.t)],
    )
    return False


async def _take_phone(turn: Turn, text: str) -> None:
    _ = turn.t.gettext
    phone = parse_phone(text)
    if phone is None:
        turn.say(_("Số điện thoại này chưa đúng. Số di động có 10 chữ số, bắt đầu bằng 0, ví dụ **0912 345 678**."))
        _ask_phone(turn)
        return
    turn.go(NAME, "consent", {**turn.state.data, "phone": phone, "consent_at": None})
    _ask_consent(turn)


async def _on_contact(turn: Turn, phone: str) -> bool:
    if turn.state.step not in {"contact", "phone"}:
        return False
    await _take_phone(turn, phone)
    return True


async def _on_attachment(turn: Turn, attachment: Attachment) -> bool:
    _ = turn.t.gettext
    if turn.state.step != "describe":
        return False
    files: list[dict[str, Any]] = turn.state.data.setdefault("files", [])
    if len(files) >= turn.limits.max_attachments:
        turn.say(
            _("Mỗi phản ánh kèm được tối đa {limit} ảnh, ghi âm hoặc tệp. Bạn hãy bấm **Tiếp tục**.").format(
                limit=turn.limits.max_attachments
            ),
            [button(_("Tiếp tục"), "rd", "done"), cancel_button(turn.t)],
        )
        return True
    caption = " ".join(attachment.caption.split())
    if caption and not _fits(turn, caption):
        return True
    files.append(
        {
            "kind": attachment.kind.value,
            "file_ref": attachment.file_ref,
            "mime_type": attachment.mime_type,
            "size_bytes": attachment.size_bytes,
            "file_name": attachment.file_name,
        }
    )
    if caption:
        turn.state.data.setdefault("texts", []).append(caption)
    turn.say(
        _("Đã nhận {what} ({count}/{limit}). Bạn có thể gửi thêm, hoặc bấm **Tiếp tục**.").format(
            what=_(FILE_NAMES[attachment.kind]), count=len(files), limit=turn.limits.max_attachments
        ),
        [button(_("Tiếp tục"), "rd", "done"), cancel_button(turn.t)],
    )
    return True


async def _on_button(turn: Turn, payload: Payload) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    action, value = payload.action, payload.arg(0)
    if action == "rk" and value in CHOOSABLE:
        kind = KINDS[value][0]
        turn.go(NAME, "commune", {"kind": value, "texts": [], "files": []})
        if kind in {TicketKind.COMPLAINT, TicketKind.DENUNCIATION}:
            turn.say(_formal_note(turn, kind))
        commune.ask_commune(turn)
    elif action == commune.ACTION:
        pick = commune.picked(turn, payload)
        if pick is None:
            await _prompt(turn)
        elif pick.pick is commune.Pick.OTHER:
            commune.ask_to_type(turn)
        else:
            data["commune"] = pick.code
            if data.get("kind") == "request":
                note = area_mismatch_note(turn.t, turn.deps.standards(), data.get("area_check"), pick.code)
                if note:
                    turn.say(note)
                    line = area_mismatch_line(turn.deps.standards(), data.get("area_check"), pick.code)
                    if line and line not in data["texts"][0]:  # once, even if the unit is picked again
                        data["texts"] = [f"{data['texts'][0]}\n{line}", *data["texts"][1:]]
                turn.go(NAME, "contact")
                _ask_contact(turn)
            else:
                turn.go(NAME, "describe")
                _ask_description(turn)
    elif action == "rd":
        if not data.get("texts") and not data.get("files"):
            turn.say(_("Bạn chưa kể gì. Hãy gõ nội dung, hoặc gửi ảnh, ghi âm."))
            _ask_description(turn)
            return
        turn.go(NAME, "contact")
        _ask_contact(turn)
    elif action == "rc" and value == "phone":
        turn.go(NAME, "phone")
        _ask_phone(turn)
    elif action == "rc":
        _after_contact(turn, {**data, "phone": None, "consent_at": None})
    elif action == "rp" and value == "yes" and isinstance(data.get("phone"), str):
        _after_contact(turn, {**data, "consent_at": turn.now.isoformat()})
    elif action == "rp":
        turn.say(_("Vâng, tôi không lưu số điện thoại."))
        _after_contact(turn, {**data, "phone": None, "consent_at": None})
    elif action == "rs":
        turn.go(NAME, "confirm", {**data, "confidential": value == "yes"})
        _ask_confirm(turn)
    elif action == "rx":
        await _send(turn)
    else:
        await _prompt(turn)


def _after_contact(turn: Turn, data: dict[str, Any]) -> None:
    """Confidentiality next; a request for review goes to the commune by nature, so straight to the summary."""
    if data.get("kind") == "request":
        turn.go(NAME, "confirm", {**data, "confidential": False})
        _ask_confirm(turn)
    else:
        turn.go(NAME, "confidential", data)
        _ask_confidential(turn)


async def _send(turn: Turn) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    kind, topic, _kind_label = KINDS[str(data["kind"])]
    phone = data.get("phone") if data.get("consent_at") else None
    consent = None
    if isinstance(phone, str):
        consent = ConsentCreate(
            given_at=dt.datetime.fromisoformat(str(data["consent_at"])),
            channel=turn.channel,
            wording_version=CONSENT_VERSION,
        )
    files = [AttachmentCreate(**{k: v for k, v in item.items() if k != "kind"}) for item in data.get("files", [])]
    text = _description(data) or "(Người dân chỉ gửi ảnh, ghi âm hoặc tệp, không kèm lời kể.)"
    ticket_data = TicketCreate(
        kind=kind,
        topic=topic,
        commune_code=data.get("commune"),
        channel=turn.channel,
        chat_ref=turn.chat_ref,
        text=text,
        anonymous=phone is None,
        confidential=bool(data.get("confidential")),
        contact_phone=phone if isinstance(phone, str) else None,
        phone_consent=consent,
        attachments=files,
    )
    turn.reset()
    ticket = await file_ticket(turn, ticket_data)
    if ticket is None:
        return
    lines = [_("Đã gửi. Cảm ơn bạn!"), tracking_lines(turn, ticket)]
    if kind in {TicketKind.COMPLAINT, TicketKind.DENUNCIATION}:
        lines.append(
            _(
                "Nhớ rằng đây chưa phải đơn chính thức: muốn giải quyết theo luật, hãy nộp đơn có chữ ký hoặc "
                "đến trình bày trực tiếp tại UBND xã, phường."
            )
        )
    lines.append(_("Cán bộ sẽ trả lời trong cuộc trò chuyện này. Hãy ghi lại mã theo dõi để tra cứu."))
    see = _("Xem đề nghị đã gửi") if topic == REVIEW_REQUEST else _("Xem phản ánh đã gửi")
    turn.say("\n\n".join(lines), [button(label(see), "t", ticket.code), menu_button(turn.t)])


FLOW = Flow(
    name=NAME,
    title=N_("gửi phản ánh"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
    on_attachment=_on_attachment,
    on_contact=_on_contact,
)
