"""``caunoi faq check`` and ``caunoi faq eval``: the content editors' tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caunoi.commands.common import DateOption, live_knowledge, load_settings, parse_date, today
from knowledge.check import check_knowledge
from knowledge.evaluation import default_grid, evaluate, format_report, load_eval_set, sweep, unknown_expectations
from knowledge.loader import Severity, load_knowledge

app = typer.Typer(no_args_is_help=True, help="Check and measure the FAQ files.")


@app.command("check")
def faq_check(
    directory: Annotated[Path | None, typer.Option("--dir", help="Knowledge directory.")] = None,
) -> None:
    """Validate every FAQ file; errors (with file:line) make it exit non-zero."""
    settings = load_settings()
    loaded = load_knowledge(directory or settings.knowledge_dir)
    problems = check_knowledge(loaded, today(settings))
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    warnings = len(problems) - errors
    typer.echo(f"{len(loaded.base.entries)} entries, {errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(1)


@app.command("eval")
def faq_eval(
    eval_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Eval set (YAML).")],
    date: DateOption = None,
    run_sweep: Annotated[bool, typer.Option("--sweep", help="Try a grid of thresholds.")] = False,
) -> None:
    """Print top-1/top-3 accuracy, the false-answer rate and every miss on an eval set."""
    settings = load_settings()
    engine = live_knowledge(settings).engine
    eval_set = load_eval_set(eval_file)
    unknown = unknown_expectations(engine, eval_set)
    if unknown:
        typer.echo(f"The eval file expects ids that do not exist: {', '.join(unknown)}", err=True)
        raise typer.Exit(1)
    on = parse_date(date, settings)
    if run_sweep:
        for row in sweep(engine, eval_set, on, default_grid(engine.tuning))[:15]:
            typer.echo(str(row))
        return
    typer.echo(format_report(evaluate(engine, eval_set, on)))
