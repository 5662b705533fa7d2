"""Render the engine's replies for a person at a terminal (``caunoi ask``, the prompt)."""

from __future__ import annotations

from knowledge.engine import Outcome, Reply
from knowledge.markup import render_markup

SMALLTALK_REPLIES = {
    "greeting": "Xin chào! Tôi là trợ lý tự động của Cầu Nối. Bạn có thể hỏi tôi về chính sách "
    'giảm nghèo, ví dụ: "hộ nghèo được hỗ trợ gì?"',
    "thanks": "Không có gì ạ. Bạn cần hỏi thêm gì cứ gõ câu hỏi nhé.",
    "goodbye": "Chào bạn, chúc gia đình mạnh khỏe!",
    "ok": "Vâng. Bạn cần hỏi thêm gì cứ gõ câu hỏi nhé.",
    "empty": 'Bạn hãy gõ câu hỏi bằng chữ, ví dụ: "chuẩn hộ nghèo là bao nhiêu?"',
}
FALLBACK_REPLY = (
    "Xin lỗi, tôi chưa có câu trả lời chắc chắn cho câu hỏi này. Bạn có thể hỏi lại bằng cách "
    "khác, hoặc hỏi cán bộ giảm nghèo ở UBND xã nơi bạn ở."
)


def render_reply(reply: Reply, ansi: bool = False) -> str:
    """Return what a citizen at a terminal reads for one reply."""
    if reply.outcome is Outcome.SMALLTALK:
        return SMALLTALK_REPLIES.get(reply.smalltalk or "", SMALLTALK_REPLIES["greeting"])
    if reply.outcome is Outcome.ANSWER and reply.answer:
        entry = reply.answer
        lines = [render_markup(reply.answer_text or entry.answer, ansi), ""]
        lines.append("Căn cứ: " + "; ".join(entry.citations()))
        lines.append(f"Cập nhật: {entry.reviewed:%d/%m/%Y}")
        if reply.related:
            lines += ["", "Câu hỏi liên quan:"]
            lines += [f"  - {related.question}" for related in reply.related]
        return "\n".join(lines)
    if reply.outcome is Outcome.SUGGEST:
        lines = ["Có phải bạn muốn hỏi:"]
        lines += [f"  {n}. {c.entry.question}" for n, c in enumerate(reply.suggestions, 1)]
        return "\n".join(lines)
    return FALLBACK_REPLY
