"""Nhận thông báo: opt in to a commune's announcements on chosen topics; ``/huy_dang_ky`` stops them.

Consent is explicit (a tap on "Đồng ý nhận thông báo" under the summary, never pre-selected)
and stored with its time and wording version.

```mermaid
flowchart TD
    S([Nhận thông báo]) --> E{already subscribed?}
    E -->|yes| O["Đang nhận: commune, topics"] -->|Đổi / thêm| C
    O -->|Thôi nhận| U
    E -->|no| C[commune picker] --> T["Topics: ☐/☑ each, Tất cả, Xong"]
    T -->|Xong| K{"Đồng ý nhận thông báo về … của …?"}
    K -->|Đồng ý| Y[subscription stored with the consent time] --> M([menu])
    K -->|Không| M
    H(["/huy_dang_ky"]) --> U[every subscription of the chat deleted] --> M
```
"""

from __future__ import annotations

from bot.flows import commune
from bot.flows.common import cancel_button, commune_name, menu_button, show_menu
from bot.i18n import N_
from bot.payloads import Payload, button
from bot.turn import Flow, Turn
from casework.subscriptions.schemas import SubscriptionCreate, Topic
from casework.subscriptions.service import subscribe, subscriptions_of_chat, unsubscribe, unsubscribe_all

NAME = "subscribe"
CONSENT_VERSION = "subscribe-v1"
TOPIC_NAMES = {
    Topic.REVIEW: N_("Rà soát hộ nghèo, họp dân"),
    Topic.SUPPORT: N_("Chi trả hỗ trợ, quyền lợi"),
    Topic.LOANS: N_("Vay vốn chính sách"),
    Topic.HEALTH: N_("Bảo hiểm y tế"),
    Topic.EDUCATION: N_("Học tập, học phí"),
    Topic.HOUSING: N_("Hỗ trợ nhà ở"),
}
CONSENT_WORDING = N_(
    "Bạn đồng ý nhận thông báo về **{topics}** của **{commune}** qua cuộc trò chuyện này? Cầu Nối lưu thời "
    "điểm bạn đồng ý. Bạn có thể thôi nhận bất cứ lúc nào bằng lệnh /huy_dang_ky."
)


async def start(turn: Turn) -> None:
    """Show the current subscriptions, or start choosing a commune."""
    _ = turn.t.gettext
    current = await subscriptions_of_chat(turn.session, channel=turn.channel, chat_ref=turn.chat_ref)
    if not current:
        _choose_commune(turn)
        return
    lines = [_("Bạn đang nhận thông báo:")]
    for item in current:
        topics = ", ".join(_(TOPIC_NAMES[topic]) for topic in item.topics)
        lines.append(
            _("- {commune}: {topics} (đồng ý ngày {date})").format(
                commune=commune_name(turn.t, item.commune_code),
                topics=topics,
                date=turn.t.short_date(item.consent_at.astimezone(turn.deps.zone).date()),
            )
        )
    turn.go(NAME, "overview", {}, capture=False)
    # With several communes, each can be stopped on its own.
    drops = [
        button(
            _("Thôi nhận của {commune}").format(commune=commune_name(turn.t, item.commune_code)),
            "sb",
            "drop",
            item.commune_code,
        )
        for item in current
        if len(current) > 1
    ]
    turn.say(
        "\n".join(lines),
        [
            button(_("Đổi hoặc thêm đăng ký"), "sb", "new"),
            *drops,
            button(_("Thôi nhận tất cả"), "sb", "stop"),
            menu_button(turn.t),
        ],
    )


def _choose_commune(turn: Turn) -> None:
    turn.go(NAME, "commune", {})
    _ask_commune(turn)


def _ask_commune(turn: Turn) -> None:
    _ = turn.t.gettext
    commune.ask_commune(
        turn,
        allow_skip=False,
        confirm=_("Nhận thông báo của **{commune}**, đúng không?"),
        question=_("Bạn muốn nhận thông báo của xã, phường nào?"),
    )


def _ask_topics(turn: Turn) -> None:
    _ = turn.t.gettext
    chosen = set(turn.state.data.get("topics", []))
    buttons = [
        button(("☑ " if topic.value in chosen else "☐ ") + _(name), "st", topic.value)
        for topic, name in TOPIC_NAMES.items()
    ]
    buttons.append(button(_("Xong"), "st", "done"))
    buttons.append(cancel_button(turn.t))
    turn.say(_("Chọn các chủ đề bạn muốn nhận (bấm lại để bỏ chọn), rồi bấm **Xong**:"), buttons)


def _ask_consent(turn: Turn) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    topics = ", ".join(_(TOPIC_NAMES[Topic(value)]) for value in data["topics"])
    turn.say(
        _(CONSENT_WORDING).format(topics=topics, commune=commune_name(turn.t, data.get("commune"))),
        [button(_("Đồng ý nhận thông báo"), "sy", "yes"), button(_("Không"), "sy", "no")],
    )


async def stop(turn: Turn) -> None:
    """ "/huy_dang_ky": stop every announcement to this chat."""
    _ = turn.t.gettext
    removed = await unsubscribe_all(turn.session, channel=turn.channel, chat_ref=turn.chat_ref)
    turn.reset()
    if removed:
        show_menu(turn, _("Đã thôi gửi thông báo cho bạn. Cầu Nối không còn giữ đăng ký nhận thông báo của bạn."))
    else:
        show_menu(turn, _("Bạn chưa đăng ký nhận thông báo nào."))


async def _drop(turn: Turn, commune_code: str) -> None:
    """Stop one commune's announcements, keep the others."""
    _ = turn.t.gettext
    stopped = await unsubscribe(turn.session, channel=turn.channel, chat_ref=turn.chat_ref, commune_code=commune_code)
    turn.reset()
    if stopped:
        turn.say(_("Đã thôi gửi thông báo của {commune} cho bạn.").format(commune=commune_name(turn.t, commune_code)))
    await start(turn)


async def _prompt(turn: Turn) -> None:
    step = turn.state.step
    if step == "commune":
        _ask_commune(turn)
    elif step == "topics":
        _ask_topics(turn)
    elif step == "consent":
        _ask_consent(turn)
    else:
        await start(turn)


async def _on_text(turn: Turn, text: str) -> None:
    _ = turn.t.gettext
    if turn.state.step == "commune":
        commune.offer_matches(turn, text, allow_skip=False)
        return
    turn.say(_("Bạn hãy chọn một nút bên dưới, hoặc trả lời bằng số thứ tự."))
    await _prompt(turn)


async def _on_button(turn: Turn, payload: Payload) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    action, value = payload.action, payload.arg(0)
    if action == "sb" and value == "stop":
        await stop(turn)
    elif action == "sb" and value == "drop":
        await _drop(turn, payload.arg(1))
    elif action == "sb":
        _choose_commune(turn)
    elif action == commune.ACTION:
        pick = commune.picked(turn, payload)
        if pick is None or pick.pick is not commune.Pick.UNIT:
            commune.ask_to_type(turn, allow_skip=False)
            return
        turn.go(NAME, "topics", {"commune": pick.code, "topics": []})
        _ask_topics(turn)
    elif action == "st" and value == "done":
        if not data.get("topics"):
            turn.say(_("Bạn hãy chọn ít nhất một chủ đề."))
            _ask_topics(turn)
            return
        turn.go(NAME, "consent")
        _ask_consent(turn)
    elif action == "st" and value in {topic.value for topic in Topic}:
        chosen = list(data.get("topics", []))
        data["topics"] = [item for item in chosen if item != value] if value in chosen else [*chosen, value]
        _ask_topics(turn)
    elif action == "sy" and value == "yes":
        await _subscribe(turn)
    elif action == "sy":
        turn.reset()
        show_menu(turn, _("Vâng, tôi không đăng ký. Không có gì được lưu lại."))
    else:
        await _prompt(turn)


async def _subscribe(turn: Turn) -> None:
    _ = turn.t.gettext
    data = turn.state.data
    created = await subscribe(
        turn.session,
        data=SubscriptionCreate(
            channel=turn.channel,
            chat_ref=turn.chat_ref,
            commune_code=str(data["commune"]),
            topics=[Topic(value) for value in data["topics"]],
            language=turn.t.language,
            consent_at=turn.now,
            consent_wording=CONSENT_VERSION,
        ),
        now=turn.now,
    )
    turn.reset()
    show_menu(
        turn,
        _("Đã đăng ký. Bạn sẽ nhận thông báo của {commune} tại đây. Muốn thôi nhận, gõ /huy_dang_ky.").format(
            commune=commune_name(turn.t, created.commune_code)
        ),
    )


FLOW = Flow(
    name=NAME,
    title=N_("đăng ký nhận thông báo"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
)
