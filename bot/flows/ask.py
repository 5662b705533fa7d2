"""Ask: free text outside a form goes to the knowledge engine; what it cannot answer can go to an official.

```mermaid
flowchart TD
    Q([free text]) --> E{knowledge engine}
    E -->|answer| A["Answer · Căn cứ · Cập nhật<br/>related questions · Có hữu ích không? 👍 👎"]
    A -->|👍 / 👎| V[vote recorded] -->|👎| F
    E -->|suggest| S["Có phải bạn muốn hỏi: up to 3 questions<br/>+ Không phải — gửi câu hỏi cho cán bộ"]
    S -->|a question| A
    S -->|tap Không phải| C
    S -->|"typed không"| F
    E -->|fallback| F{"Gửi câu hỏi cho cán bộ?"}
    F -->|Có| C{commune known?}
    C -->|no| P[commune picker, remembered] --> T
    C -->|yes| T["question ticket: tracking code + expected answer date"]
    F -->|Không| I([idle])
    E -->|small talk| K[a kind reply]
    B([Xem theo chủ đề]) --> L[topics] --> LT[questions of a topic] --> A
```
"""

from __future__ import annotations

from bot.events import Text
from bot.flows import commune
from bot.flows.common import (
    MENU_ITEMS,
    daily_limit_reached,
    file_ticket,
    menu_button,
    menu_buttons,
    show_menu,
    tracking_lines,
)
from bot.i18n import N_
from bot.payloads import Payload, button, entry_key
from bot.replies import Button, choice_number, label
from bot.turn import Flow, Turn
from casework.conversations.schemas import AnswerVote
from casework.conversations.service import record_vote
from casework.tickets.models import TicketKind
from casework.tickets.schemas import TicketCreate
from knowledge.engine import AnswerEngine, Outcome
from knowledge.engine import Reply as EngineReply
from knowledge.schema import Entry

NAME = "ask"
RELATED = 3
PAGE = 6  # topics or questions per page; with "more" and "menu" that is the 8 buttons a message may carry

SMALLTALK = {
    "greeting": N_("Xin chào! Tôi là trợ lý tự động của Cầu Nối. Bạn cứ gõ câu hỏi, hoặc chọn một mục:"),
    "thanks": N_("Không có gì ạ. Bạn cần hỏi thêm gì cứ gõ câu hỏi nhé."),
    "goodbye": N_("Chào bạn, chúc gia đình mạnh khỏe!"),
    "ok": N_("Vâng. Bạn cần hỏi thêm gì cứ gõ câu hỏi nhé."),
    "help": N_(
        "Cầu Nối có thể giúp bạn những việc dưới đây. Chọn một mục, hoặc gõ câu hỏi, ví dụ: "
        "**hộ nghèo được hỗ trợ gì**."
    ),
    "bot": N_(
        "Tôi là trợ lý **tự động** của Cầu Nối, không phải người. Câu hỏi nào tôi chưa trả lời được, "
        "tôi có thể chuyển cho cán bộ trả lời. Bạn chọn một mục, hoặc gõ câu hỏi:"
    ),
}
WITH_MENU = frozenset({"greeting", "help", "bot"})  # small talk answered with the menu under it


def start(turn: Turn) -> None:
    """ "Hỏi chính sách": how to ask, and browsing by topic instead of typing."""
    _ = turn.t.gettext
    turn.reset()
    turn.say(
        _(
            "Bạn hãy gõ câu hỏi, có dấu hay không dấu đều được, ví dụ: **ho ngheo duoc ho tro gi** hoặc "
            "**vay von ngan hang chinh sach**. Hoặc xem các câu hỏi theo chủ đề."
        ),
        [button(_("Xem theo chủ đề"), "tl", "0"), menu_button(turn.t)],
    )


def not_understood(turn: Turn) -> None:
    """An empty message, or one with no words (emoji only)."""
    _ = turn.t.gettext
    show_menu(
        turn,
        _(
            "Tôi chưa hiểu tin nhắn này. Bạn hãy gõ câu hỏi bằng chữ, ví dụ: **chuẩn hộ nghèo là bao nhiêu**, "
            "hoặc chọn một mục:"
        ),
    )


async def answer_question(turn: Turn, question: str) -> None:
    """Put a question to the knowledge engine and reply according to the outcome."""
    _ = turn.t.gettext
    engine = turn.deps.knowledge()
    reply = engine.ask(question, turn.today)
    if reply.outcome is Outcome.SMALLTALK:
        intent = reply.smalltalk or "greeting"
        if intent == "empty":
            not_understood(turn)
        else:
            turn.reset()
            message = SMALLTALK.get(intent, SMALLTALK["ok"])
            turn.say(_(message), menu_buttons(turn.t) if intent in WITH_MENU else ())
        return
    if reply.outcome is Outcome.ANSWER and reply.answer is not None:
        say_answer(turn, engine, reply.answer, question, reply)
        return
    if reply.outcome is Outcome.SUGGEST and reply.suggestions:
        turn.go(NAME, "suggest", {"q": question}, capture=False)
        choices = [button(label(c.entry.question), "q", entry_key(c.entry.id)) for c in reply.suggestions[:RELATED]]
        turn.say(
            _("Có phải bạn muốn hỏi một trong các câu sau?"),
            [*choices, button(_("Không phải — gửi câu hỏi cho cán bộ"), "fw", "none")],
        )
        return
    _offer_forward(
        turn,
        question,
        _(
            "Xin lỗi, tôi chưa có câu trả lời chắc chắn cho câu hỏi này. Bạn có muốn **gửi câu hỏi cho cán bộ** "
            "không? Cán bộ sẽ trả lời ngay trong cuộc trò chuyện này. Bạn cũng có thể hỏi lại bằng cách khác."
        ),
    )


def _offer_forward(turn: Turn, question: str, text: str) -> None:
    _ = turn.t.gettext
    turn.go(NAME, "fallback", {"q": question}, capture=False)
    turn.say(
        text,
        [
            button(_("Có, gửi cho cán bộ"), "fw", "yes"),
            button(_("Không, cảm ơn"), "fw", "no"),
            button(_("Xem theo chủ đề"), "tl", "0"),
        ],
    )


def say_answer(turn: Turn, engine: AnswerEngine, entry: Entry, question: str, reply: EngineReply | None = None) -> None:
    """The answer with its source and review date, related questions, and "was it useful?"."""
    _ = turn.t.gettext
    key = entry_key(entry.id)
    text = "\n\n".join(
        [
            reply.answer_text if reply and reply.answer_text else engine.answer_text(entry, turn.today),
            _("**Căn cứ:** {sources}").format(sources="; ".join(entry.citations()))
            + "\n"
            + _("**Cập nhật:** {date}").format(date=turn.t.short_date(entry.reviewed)),
            _("Có hữu ích không?"),
        ]
    )
    turn.go(NAME, "answered", {"q": question, "key": key}, capture=False)
    turn.say(
        text,
        [
            *_named_menu_items(turn, entry),
            *_related_buttons(turn, engine, entry, reply),
            button(_("👍 Có"), "fb", "y", key),
            button(_("👎 Không"), "fb", "n", key),
        ],
    )


def _named_menu_items(turn: Turn, entry: Entry) -> list[Button]:
    """The menu items an answer tells the citizen to choose ("chọn mục **Gửi phản ánh**"), as buttons."""
    named = [
        button(turn.t.gettext(text), "m", action)
        for text, action in MENU_ITEMS
        if action != "ask" and f"**{text}**" in entry.answer
    ]
    return named[:2]


def _related_buttons(turn: Turn, engine: AnswerEngine, entry: Entry, reply: EngineReply | None) -> list[Button]:
    related = [engine.base.by_id.get(entry_id) for entry_id in entry.related]
    related += [candidate.entry for candidate in reply.suggestions] if reply else []
    shown: dict[str, Entry] = {}
    for other in related:
        if other is not None and other.id != entry.id and other.in_force(turn.today):
            shown.setdefault(other.id, other)
    return [button(label(other.question), "q", entry_key(other.id)) for other in list(shown.values())[:RELATED]]


def find_entry(turn: Turn, key: str) -> Entry | None:
    """The FAQ entry a payload names, if it exists and is in force today."""
    engine = turn.deps.knowledge()
    found = next((entry for entry in engine.base.entries if entry_key(entry.id) == key), None)
    return found if found is not None and found.in_force(turn.today) else None


async def on_entry(turn: Turn, payload: Payload) -> bool:
    """A tap on a suggested or related question (valid from any state); False if it names nothing."""
    entry = find_entry(turn, payload.arg(0))
    if entry is None:
        return False
    say_answer(turn, turn.deps.knowledge(), entry, entry.question)
    return True


async def on_feedback(turn: Turn, payload: Payload) -> bool:
    """👍 or 👎 on an answer (valid from any state): recorded once per chat and answer."""
    _ = turn.t.gettext
    verdict, key = payload.arg(0), payload.arg(1)
    entry = find_entry(turn, key)
    if verdict not in {"y", "n"} or entry is None:
        return False
    await record_vote(turn.session, turn.conversation, vote=AnswerVote(entry_id=entry.id, helpful=verdict == "y"))
    if verdict == "y":
        turn.say(_("Cảm ơn bạn! Bạn cần hỏi thêm gì cứ gõ câu hỏi nhé."))
        return True
    question = turn.state.data.get("q") if turn.state.flow == NAME else None
    if turn.state.capture or not isinstance(question, str) or turn.state.data.get("key") != key:
        turn.say(_("Cảm ơn bạn đã cho biết. Bạn có thể hỏi lại bằng cách khác, hoặc chọn Gửi phản ánh trong menu."))
        return True
    turn.go(NAME, "disliked", {"q": question}, capture=False)
    turn.say(
        _("Cảm ơn bạn đã cho biết. Bạn có muốn gửi câu hỏi này cho cán bộ trả lời không?"),
        [button(_("Có, gửi cho cán bộ"), "fw", "yes"), button(_("Không, cảm ơn"), "fw", "no")],
    )
    return True


async def _forward(turn: Turn) -> None:
    question = turn.state.data.get("q")
    if not isinstance(question, str) or not question:
        turn.reset()
        show_menu(turn, turn.t.gettext("Bạn hãy gõ lại câu hỏi nhé."))
        return
    if await daily_limit_reached(turn):
        turn.reset()
        return
    if turn.conversation.commune_code is None:
        turn.go(NAME, "commune", {"q": question}, capture=True)
        commune.ask_commune(turn)
        return
    await _file_question(turn, question, turn.conversation.commune_code)


async def _file_question(turn: Turn, question: str, commune_code: str | None) -> None:
    _ = turn.t.gettext
    turn.reset()
    data = TicketCreate(
        kind=TicketKind.QUESTION,
        commune_code=commune_code,
        channel=turn.channel,
        chat_ref=turn.chat_ref,
        text=question,
    )
    ticket = await file_ticket(turn, data)
    if ticket is None:
        return
    turn.say(
        _("Đã gửi câu hỏi của bạn cho cán bộ. Cán bộ sẽ trả lời ngay trong cuộc trò chuyện này.")
        + "\n\n"
        + tracking_lines(turn, ticket),
        [button(_("Xem câu hỏi đã gửi"), "t", ticket.code), menu_button(turn.t)],
    )


async def _prompt(turn: Turn) -> None:
    if turn.state.step == "commune":
        commune.ask_commune(turn)
    else:
        show_menu(turn)


async def _on_text(turn: Turn, text: str) -> None:
    # Only the commune step captures text; anywhere else free text is a new question.
    if turn.state.step == "commune":
        commune.offer_matches(turn, text)
    else:
        await answer_question(turn, text)


async def _on_button(turn: Turn, payload: Payload) -> None:
    _ = turn.t.gettext
    if payload.action == "fw" and payload.arg(0) == "none" and _typed_not_a_number(turn):
        # "không" typed under the suggestions means "none of these", not yet "send it": ask first.
        question = turn.state.data.get("q")
        if isinstance(question, str):
            _offer_forward(turn, question, _("Vâng. Bạn có muốn **gửi câu hỏi này cho cán bộ** trả lời không?"))
            return
    if payload.action == "fw" and payload.arg(0) in {"yes", "none"}:
        await _forward(turn)
        return
    if payload.action == "fw":
        turn.reset()
        turn.say(_("Vâng. Bạn có thể hỏi lại bằng cách khác, hoặc chọn một mục trong menu."), menu_buttons(turn.t))
        return
    pick = commune.picked(turn, payload)
    question = turn.state.data.get("q")
    if pick is None or not isinstance(question, str):
        show_menu(turn)
        return
    if pick.pick is commune.Pick.OTHER:
        commune.ask_to_type(turn)
        return
    await _file_question(turn, question, pick.code)


def _typed_not_a_number(turn: Turn) -> bool:
    typed = turn.event.input
    return isinstance(typed, Text) and choice_number(typed.text, 99) is None


async def on_topics(turn: Turn, payload: Payload) -> bool:
    """The list of topics, a page at a time (valid from any state)."""
    _ = turn.t.gettext
    page = _page(payload.arg(0))
    topics = sorted(turn.deps.knowledge().base.topics.values(), key=lambda topic: topic.title)
    if page is None or not topics[page * PAGE : (page + 1) * PAGE]:
        return False
    shown = topics[page * PAGE : (page + 1) * PAGE]
    buttons = [button(label(topic.title), "tp", topic.slug, "0") for topic in shown]
    if (page + 1) * PAGE < len(topics):
        buttons.append(button(_("Xem thêm chủ đề"), "tl", str(page + 1)))
    turn.reset()
    turn.say(_("Chọn một chủ đề:"), [*buttons, menu_button(turn.t)])
    return True


async def on_topic(turn: Turn, payload: Payload) -> bool:
    """The questions of one topic in force today, a page at a time (valid from any state)."""
    _ = turn.t.gettext
    base = turn.deps.knowledge().base
    topic = base.topics.get(payload.arg(0))
    page = _page(payload.arg(1))
    if topic is None or page is None:
        return False
    entries = [e for e in base.entries if base.topic_of.get(e.id) == topic.slug and e.in_force(turn.today)]
    shown = entries[page * PAGE : (page + 1) * PAGE]
    if not shown:
        return False
    buttons = [button(label(entry.question), "q", entry_key(entry.id)) for entry in shown]
    if (page + 1) * PAGE < len(entries):
        buttons.append(button(_("Xem thêm câu hỏi"), "tp", topic.slug, str(page + 1)))
    turn.reset()
    turn.say(_("**{topic}**: chọn một câu hỏi.").format(topic=topic.title), [*buttons, menu_button(turn.t)])
    return True


def _page(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 3 else None


FLOW = Flow(
    name=NAME,
    title=N_("gửi câu hỏi cho cán bộ"),
    prompt=_prompt,
    on_text=_on_text,
    on_button=_on_button,
)
