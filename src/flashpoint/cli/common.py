"""What every flashpoint command shares: date options and turning errors into exit statuses.

stdout is data, stderr is talk. Exit status: 0 all well, 1 some input failed or a flashpoint
error, 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flashpoint.errors import FlashpointError, UsageError


def parse_date(_ctx: click.Context | None, _param: click.Parameter | None, value: str | None) -> dt.date | None:
    """Click callback for YYYY-MM-DD options, with a message that says what to write."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2021-11-20") from None


LANGUAGE_CHOICES = ("en", "ru")
"""What ``--language`` accepts (flashpoint.ingest.files.LANGUAGES)."""


F = TypeVar("F", bound=Callable[..., Any])


def language_option(command: F) -> F:
    """``--language en|ru``: take every input to be in this language instead of detecting it."""
    return click.option("--language", type=click.Choice(LANGUAGE_CHOICES), default=None,
                        help="The inputs' language (default: detected per document; Ukrainian and others "
                             "are refused).")(command)


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes (a file name holding a newline must not
    split the line that names it); other characters, accented letters included, stay as they are."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def failure_line(source: str, reason: str, code: str) -> str:
    """The one stderr line for an input that failed: ``flashpoint: SOURCE: REASON [CODE]``."""
    return f"flashpoint: {one_line(source)}: {one_line(reason)} [{code}]"


def run(command: click.Command, argv: list[str] | None = None) -> None:
    """Run a click command; flashpoint's errors become one line on stderr and an exit status."""
    try:
        command.main(args=argv, prog_name="flashpoint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("flashpoint: interrupted", err=True)
        sys.exit(130)
    except UsageError as exc:
        click.echo(f"flashpoint: {exc}", err=True)
        sys.exit(2)
    except FlashpointError as exc:
        click.echo(f"flashpoint: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
