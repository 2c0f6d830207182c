"""``flashpoint batch``, ``flashpoint load`` and ``flashpoint generate-corpus``: thin shells.

Each command checks its arguments and calls one plain function (``batch.run_batch``,
``batch.load_run``, ``corpus_gen.write_jsonl``). Progress goes to stderr, and only
on a terminal; the summary at the end is JSON on stdout when stdout is not a terminal.
Run directly as ``python -m flashpoint.cli.batch batch …`` too (the lead registers ``COMMANDS``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from flashpoint.cli.common import one_line, run


class _ProgressLine:
    """One self-overwriting line on stderr: partitions, documents, events, failures, rate."""

    def __init__(self, enabled: bool, width: int = 24) -> None:
        self.enabled = enabled
        self.width = width

    def __call__(self, stats: Any) -> None:
        if not self.enabled:
            return
        todo = max(stats.partitions - stats.partitions_skipped, 1)
        filled = int(self.width * stats.partitions_done / todo)
        bar = "#" * filled + "-" * (self.width - filled)
        docs = stats.documents + stats.failures
        click.echo(f"\r[{bar}] {stats.partitions_done}/{todo} partitions  {docs}/{stats.documents_planned} docs  "
                   f"{stats.events} events  {stats.failures} failed  {stats.rate:.1f} docs/s ", err=True, nl=False)

    def close(self) -> None:
        if self.enabled:
            click.echo("", err=True)


def _summary(data: dict[str, Any], lines: list[str]) -> None:
    """The end-of-run summary: sentences for a person on a terminal, JSON for a program."""
    if sys.stdout.isatty():
        for line in lines:
            click.echo(line)
    else:
        click.echo(json.dumps(data, ensure_ascii=False))


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Run directory to write.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="Local worker processes.")
@click.option("--threads-per-worker", default=1, show_default=True, type=click.IntRange(1),
              help="Threads in each local worker.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Use a running Dask cluster (tcp://host:8786) instead of a local one.")
@click.option("--resume", is_flag=True, help="Finish a killed or failed run in --out (finished partitions are kept).")
@click.option("--partition-size", default=500, show_default=True, type=click.IntRange(1),
              help="Documents per partition (the unit of work and of restart).")
@click.option("--link/--no-link", "do_link", default=False, help="Also link events across documents into incidents.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def batch(inputs: tuple[str, ...], out: str, workers: int, threads_per_worker: int, scheduler: str | None,
          resume: bool, partition_size: int, do_link: bool, quiet: bool) -> None:
    """Code a corpus (JSONL, Parquet, directories of files) on Dask into Parquet partitions."""
    from flashpoint.batch.run import run_batch

    progress = _ProgressLine(not quiet and sys.stderr.isatty())
    try:
        stats = run_batch(list(inputs), out, workers=workers, threads_per_worker=threads_per_worker,
                          scheduler=scheduler, resume=resume, partition_size=partition_size, link=do_link,
                          progress=progress)
    finally:
        progress.close()
    data = {"out": out, **stats.to_dict()}
    _summary(data, [
        f"flashpoint: {stats.documents} documents coded, {stats.events} events, {stats.failures} failed "
        f"({stats.rate:.1f} docs/s) into {out}",
        f"flashpoint: {stats.partitions_done} partition(s) done now, {stats.partitions_skipped} already done, "
        f"{len(stats.errors)} in error",
        *(f"flashpoint: {one_line(e)}" for e in stats.errors),
        *([f"flashpoint: {stats.incidents} incidents linked"] if stats.incidents is not None else []),
    ])
    if stats.errors:
        click.echo("flashpoint: some partitions failed: run again with --resume to retry them", err=True)
    if stats.errors or stats.failures:
        sys.exit(1)


@click.command("load")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--db", "db", default="flashpoint.db", envvar="FLASHPOINT_DB", show_default=True, metavar="URL",
              help="Database: a SQLite file path or a postgresql:// URL (env FLASHPOINT_DB).")
def load(run_dir: str, db: str) -> None:
    """Load a batch run's documents, events and failures into the corpus store, linking as they land."""
    from flashpoint.batch.run import load_run

    report = load_run(run_dir, db)
    _summary({"run": run_dir, **report},
             [f"flashpoint: loaded {report['added']} documents ({report['skipped']} already there), "
              f"{report['events']} events, {report['failed']} failures from {run_dir}"])


@click.command("generate-corpus")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="JSONL file to write (- for stdout).")
@click.option("--docs", default=1000, show_default=True, type=click.IntRange(1), help="How many documents.")
@click.option("--seed", default=0, show_default=True, help="Same seed, same corpus.")
def generate_corpus(out: str, docs: int, seed: int) -> None:
    """Write a synthetic corpus of conflict reports (for benchmarks and tests)."""
    from flashpoint.training.corpus_gen import write_jsonl

    n = write_jsonl(sys.stdout if out == "-" else out, docs, seed)
    if out != "-":
        click.echo(f"flashpoint: wrote {n} documents to {out}", err=True)


COMMANDS = (batch, load, generate_corpus)


@click.group()
def _main_group() -> None:
    """flashpoint batch commands (standalone entry point)."""


for _command in COMMANDS:
    _main_group.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    run(_main_group, argv)


if __name__ == "__main__":
    main()
