"""The ``caunoi`` command: ask, check and evaluate the FAQ, run the service."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from casework.database import create_engine, ping
from caunoi.logging import configure_logging
from caunoi.settings import Settings, get_settings
from caunoi.terminal import render_reply
from knowledge.check import check_knowledge
from knowledge.engine import AnswerEngine, Reply
from knowledge.evaluation import (
    default_grid,
    evaluate,
    format_report,
    load_eval_set,
    sweep,
    unknown_expectations,
)
from knowledge.live import KnowledgeError, LiveKnowledge
from knowledge.loader import Severity, load_knowledge
from knowledge.text import MAX_QUESTION_CHARS

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Cầu Nối: kênh hỏi đáp chính sách giảm nghèo.")
faq_app = typer.Typer(no_args_is_help=True, help="Check and measure the FAQ files.")
app.add_typer(faq_app, name="faq")

EXIT_USAGE = 2
DateOption = Annotated[str | None, typer.Option("--date", help="Answer as of this day (YYYY-MM-DD).")]


@app.callback()
def _main() -> None:
    configure_logging(_settings().log_level)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as error:
        typer.echo(f"Invalid settings: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from error


def _today(settings: Settings) -> dt.date:
    return dt.datetime.now(settings.zone).date()


def _parse_date(value: str | None, settings: Settings) -> dt.date:
    if value is None:
        return _today(settings)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"Ngày không hợp lệ: {value!r}. Hãy viết theo dạng YYYY-MM-DD, ví dụ 2026-12-31.", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _live(settings: Settings) -> LiveKnowledge:
    try:
        return LiveKnowledge(settings.knowledge_dir)
    except KnowledgeError as error:
        typer.echo(f"{error}\nRun `caunoi faq check` for the full list.", err=True)
        raise typer.Exit(1) from error


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
        "suggestions": [
            {"id": c.entry.id, "question": c.entry.question, "text": c.entry.answer, "score": c.confidence}
            for c in reply.suggestions
        ],
    }


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question; omit to read one per line from stdin.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    date: DateOption = None,
) -> None:
    """Answer a question from the FAQ (or many, one per line on standard input, as JSON lines)."""
    settings = _settings()
    on = _parse_date(date, settings)
    if question is not None and not question.strip():
        typer.echo('Câu hỏi trống. Hãy gõ câu hỏi, ví dụ: caunoi ask "hộ nghèo được hỗ trợ gì?"', err=True)
        raise typer.Exit(EXIT_USAGE)
    engine = _live(settings).engine
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


@faq_app.command("check")
def faq_check(
    directory: Annotated[Path | None, typer.Option("--dir", help="Knowledge directory.")] = None,
) -> None:
    """Validate every FAQ file; errors (with file:line) make it exit non-zero."""
    settings = _settings()
    loaded = load_knowledge(directory or settings.knowledge_dir)
    problems = check_knowledge(loaded, _today(settings))
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    warnings = len(problems) - errors
    typer.echo(f"{len(loaded.base.entries)} entries, {errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(1)


@faq_app.command("eval")
def faq_eval(
    eval_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Eval set (YAML).")],
    date: DateOption = None,
    run_sweep: Annotated[bool, typer.Option("--sweep", help="Try a grid of thresholds.")] = False,
) -> None:
    """Print top-1/top-3 accuracy, the false-answer rate and every miss on an eval set."""
    settings = _settings()
    engine = _live(settings).engine
    eval_set = load_eval_set(eval_file)
    unknown = unknown_expectations(engine, eval_set)
    if unknown:
        typer.echo(f"The eval file expects ids that do not exist: {', '.join(unknown)}", err=True)
        raise typer.Exit(1)
    on = _parse_date(date, settings)
    if run_sweep:
        for row in sweep(engine, eval_set, on, default_grid())[:15]:
            t = row.thresholds
            typer.echo(
                f"answer={t.answer:.2f} suggest={t.suggest:.2f} margin={t.margin:.2f} weight={t.passage_weight:.1f}"
                f"  top1={row.top1:.3f} top3={row.top3:.3f} folded_top1={row.folded_top1:.3f}"
                f" false={row.false_answer_rate:.3f} wrong={row.wrong_answer_rate:.3f}"
            )
        return
    typer.echo(format_report(evaluate(engine, eval_set, on)))


@app.command()
def run() -> None:
    """Start Cầu Nối on its embedded default (for now: the database and the question prompt)."""
    settings = _settings()
    live = _live(settings)
    url = settings.resolved_database_url
    try:
        dialect = asyncio.run(_open_database(url))
    except Exception as error:  # noqa: BLE001 - any driver error means the same to the operator
        typer.echo(f"Cannot open the database: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Cầu Nối — {len(live.engine.base.entries)} câu hỏi đáp; cơ sở dữ liệu: {dialect}.")
    typer.echo("Gõ câu hỏi rồi nhấn Enter. Gõ 'thoát' hoặc nhấn Ctrl-D để dừng.")
    _prompt_loop(live, settings)


async def _open_database(url: str) -> str:
    engine = create_engine(url)
    try:
        return await ping(engine)
    finally:
        await engine.dispose()


def _prompt_loop(live: LiveKnowledge, settings: Settings) -> None:
    """Answer questions typed at the terminal; FAQ edits are picked up between questions."""
    ansi = sys.stdout.isatty()
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if line.strip().lower() in {"thoát", "thoat", "exit", "quit"}:
            return
        if not line.strip():
            continue
        reply = live.engine.ask(line[:MAX_QUESTION_CHARS], _today(settings))
        typer.echo(render_reply(reply, ansi) + "\n")
