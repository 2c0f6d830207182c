"""``flashpoint evaluate``: score the coder on gold files. A thin shell over ``flashpoint.evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from flashpoint.errors import FlashpointError
from flashpoint.model import CodedDocument, Document, Failure


class EvaluationFailed(click.ClickException):
    """Unreadable gold or an unusable model: bad input, exit status 2."""

    exit_code = 2


def pipeline_coder(model: str | None) -> Any:
    """The real coder (``flashpoint.pipeline.code_documents``) as a batch callable."""
    try:
        from flashpoint.pipeline import code_documents  # heavy (spaCy): only when evaluating
    except ImportError as err:  # a broken or partial install: say so in one line
        raise EvaluationFailed(f"cannot load the coder (flashpoint.pipeline): {err}; reinstall flashpoint") from None
    from flashpoint.cli.train import ensure_default_model

    ensure_default_model(model)

    def coder(docs: list[Document]) -> list[CodedDocument | Failure]:
        return list(code_documents(docs, model=model))

    return coder


def _write_json(path: Path, reports: list[dict[str, Any]]) -> None:
    from flashpoint.evaluate import public_report

    payload: Any = public_report(reports[0]) if len(reports) == 1 else {
        "reports": [public_report(r) for r in reports]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_errors(path: Path, reports: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for report in reports:
            for error in report.get("errors", []):
                handle.write(json.dumps({"source": report.get("source"), **error}, ensure_ascii=False) + "\n")


@click.command("evaluate")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the machine-readable report here (one report, or {\"reports\": [...]} for several files).")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every miss here as JSON lines: false positives, false negatives, wrong fields.")
@click.option("--model", default=None, metavar="NAME_OR_PATH", help="Coder model to evaluate (as for `flashpoint code`; default: the shipped one).")
@click.pass_context
def evaluate(ctx: click.Context, gold: tuple[Path, ...], json_path: Path | None, errors_path: Path | None,
             model: str | None) -> None:
    """Score flashpoint against GOLD files, field by field.

    GOLD is an ACLED-format export (.csv; each distinct notes text is coded as one document),
    flashpoint gold JSONL (.jsonl/.json), sentence items (.tsv text<TAB>sub_event_type, or JSONL
    with text and sub_event_type) or a geoparsing corpus (.xml). The text report goes to stdout.
    """
    from flashpoint.evaluate import evaluate_path, render_text

    # A caller (a test, or a program embedding the CLI) may inject its own coder as ctx.obj["coder"].
    injected = ctx.obj.get("coder") if isinstance(ctx.obj, dict) else None
    try:
        coder = injected or pipeline_coder(model)
        reports = [evaluate_path(path, coder) for path in gold]
    except FlashpointError as err:
        raise EvaluationFailed(str(err)) from None
    for report in reports:
        click.echo(render_text(report))
    if json_path is not None:
        _write_json(json_path, reports)
    if errors_path is not None:
        _write_errors(errors_path, reports)
