"""The ``flashpoint`` command: a thin shell over plain functions.

stdout is data, stderr is talk. Exit status: 0 all well, 1 some input failed, 2 bad usage.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterable, Iterator

import click

from flashpoint import __version__
from flashpoint.cli.common import failure_line, language_option, parse_date, run
from flashpoint.model import CodedDocument, Document, Failure
from flashpoint.output import FORMATS, write


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="flashpoint: %(levelname)s: %(message)s")
    # The handler filters too: libraries that set their own loggers' levels (Dask logs at INFO)
    # would otherwise reach stderr through it whatever -v says.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flashpoint")
@click.option("-v", "--verbose", count=True, help="More talk on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """flashpoint: conflict reports in, source-attributed ACLED-style events out."""
    _setup_logging(verbose)


@cli.command("code")
@click.argument("sources", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table on a terminal, json otherwise).")
@click.option("--published", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Publication date for inputs that do not carry one.")
@click.option("--model", default=None, help="Type classifier: 'default' (the encoder head; the default when built), "
              "'rules' (rules only, fastest) or a trained model's name or folder.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on stderr.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to code on (default: the cores available; small inputs use one).")
@language_option
def code_cmd(sources: tuple[str, ...], fmt: str | None, published: dt.date | None, model: str | None, quiet: bool,
             workers: int | None, language: str | None) -> None:
    """Code reports (files, directories, JSON/JSONL, HTML, or - for stdin) into events."""
    from flashpoint.cli.train import ensure_default_model
    from flashpoint.ingest.files import read_sources, reading_language
    from flashpoint.parallel import available_cores, code_in_parallel

    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    ensure_default_model(model)
    failures: list[Failure] = []
    inputs = read_sources(list(sources), published=published, stdin=sys.stdin)
    coded = code_in_parallel(inputs, workers=workers or available_cores(), model=model)
    results = _report_failures(coded, failures, progress=not quiet and sys.stderr.isatty())
    with reading_language(language):  # the inputs are read while the results are written
        write(results, fmt, sys.stdout, pretty=sys.stdout.isatty())
    if failures:
        click.echo(f"flashpoint: {len(failures)} input(s) failed; the others were coded.", err=True)
        sys.exit(1)


def _report_failures(
    results: Iterable[CodedDocument | Failure], failures: list[Failure], *, progress: bool
) -> Iterator[CodedDocument]:
    """Pass coded documents on; say each failure on stderr in one line and remember it."""
    done = 0
    for item in results:
        done += 1
        if progress:
            click.echo(f"\rcoded {done} document(s), {len(failures)} failed", err=True, nl=False)
        if isinstance(item, Failure):
            failures.append(item)
            click.echo(("\n" if progress else "") + failure_line(item.source, item.reason, item.code), err=True)
            continue
        yield item
    if progress and done:
        click.echo("", err=True)


def _register_commands() -> None:
    """Subcommands that live beside their stage's module, each a thin shell over plain functions.

    Importing a command module is cheap: heavy dependencies (spaCy, Dask, FastAPI) load inside
    the commands, when they run."""
    import importlib

    for module, attr in (
        ("flashpoint.cli.gazetteer", "gazetteer"),
        ("flashpoint.cli.geoparse", "geoparse"),
        ("flashpoint.cli.evaluate", "evaluate"),
    ):
        cli.add_command(getattr(importlib.import_module(module), attr))
    for module in ("flashpoint.cli.store", "flashpoint.cli.train", "flashpoint.cli.batch", "flashpoint.cli.serve"):
        for command in importlib.import_module(module).COMMANDS:
            cli.add_command(command)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: turn flashpoint's errors into one line on stderr and an exit status."""
    run(cli, argv)


__all__ = ["cli", "main", "Document"]
