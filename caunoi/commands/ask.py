"""``caunoi ask``: answer one question for a person, or many as JSON lines for a script."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated, Any

import typer

from caunoi.commands.common import EXIT_USAGE, DateOption, live_knowledge, load_settings, parse_date
from caunoi.terminal import render_reply
from knowledge.engine import AnswerEngine, Reply
from knowledge.text import MAX_QUESTION_CHARS


def reply_json(reply: Reply) -> dict[str, Any]:
    """The ``--json`` shape of a reply (documented in README)."""
    answer = None
    if reply.answer:
        entry = reply.answer
        answer = {
            "id": entry.id,
            "question": entry.question,
            "text": reply.answer_text,
            "sources": [source.model_dump(exclude_none=True) for source in entry.sources],
            "reviewed": entry.reviewed.isoformat(),
            "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
            "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
        }
    return {
        "outcome": reply.outcome.value,
        "confidence": round(reply.confidence, 4),
        "answer": answer,
        "related": [{"id": e.id, "question": e.question} for e in reply.related],
        "suggestions": [
            {"id": c.entry.id, "question": c.entry.question, "text": c.entry.answer, "score": c.confidence}
            for c in reply.suggestions
        ],
    }


def ask(
    question: Annotated[str | None, typer.Argument(help="The question; omit to read one per line from stdin.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    date: DateOption = None,
) -> None:
    """Answer a question from the FAQ (or many, one per line on standard input, as JSON lines)."""
    settings = load_settings()
    on = parse_date(date, settings)
    if question is not None and not question.strip():
        typer.echo('Câu hỏi trống. Hãy gõ câu hỏi, ví dụ: caunoi ask "hộ nghèo được hỗ trợ gì?"', err=True)
        raise typer.Exit(EXIT_USAGE)
    engine = live_knowledge(settings).engine
    if question is None:
        _ask_batch(engine, on)
        return
    reply = engine.ask(question[:MAX_QUESTION_CHARS], on)
    if as_json:
        typer.echo(json.dumps(reply_json(reply), ensure_ascii=False))
    else:
        typer.echo(render_reply(reply, ansi=sys.stdout.isatty()))


def _ask_batch(engine: AnswerEngine, on: dt.date) -> None:
    out = sys.stdout
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line.strip():
            record: dict[str, Any] = {"outcome": None, "error": "empty_question"}
        else:
            record = reply_json(engine.ask(line[:MAX_QUESTION_CHARS], on))
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
