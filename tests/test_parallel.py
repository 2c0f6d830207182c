"""Coding on several processes gives what one process gives, in input order, failures in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flashpoint.cli.main import cli
from flashpoint.model import CodedDocument, Document, Failure
from flashpoint.parallel import SMALL, code_in_parallel

pytestmark = pytest.mark.slow

TEMPLATES = [
    "KABUL, {d} March 2024 - Gunmen shot dead {n} villagers in Nangarhar province on Tuesday, police said.",
    "Protesters marched through Nairobi on {d} March 2024 demanding lower fuel prices; police fired tear gas.",
    "The army said it shelled rebel positions near Goma on {d} March 2024, killing {n} fighters.",
]


def _documents(count: int) -> list[Document | Failure]:
    items: list[Document | Failure] = []
    for i in range(count):
        text = TEMPLATES[i % len(TEMPLATES)].format(d=1 + i % 27, n=2 + i % 9)
        items.append(Document(id=f"doc-{i:03d}", text=text))
        if i == 20:
            items.append(Failure("broken.txt", "empty input: give a file with text", "E101"))
    return items


def _shape(results: list[CodedDocument | Failure]) -> list[object]:
    return [(r.source, r.code) if isinstance(r, Failure) else (r.document.id, [e.to_dict() for e in r.events])
            for r in results]


def test_two_workers_give_the_one_process_results_in_input_order() -> None:
    items = _documents(SMALL + 20)  # large enough to start workers
    one = list(code_in_parallel(items, workers=1))
    two = list(code_in_parallel(items, workers=2))
    assert len(two) == len(items)
    assert _shape(two) == _shape(one)
    assert isinstance(two[21], Failure) and two[21].code == "E101"


def test_code_workers_option_streams_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for item in _documents(SMALL + 5):
            if isinstance(item, Document):
                handle.write(json.dumps({"id": item.id, "text": item.text}) + "\n")
    result = CliRunner().invoke(cli, ["code", str(path), "--format", "jsonl", "--workers", "2", "-q"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["document"]["id"] for line in result.stdout.splitlines()]
    assert ids == [f"doc-{i:03d}" for i in range(SMALL + 5)]
