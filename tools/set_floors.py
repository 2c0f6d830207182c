"""Print (or write with --write) quality floors at the current scores minus a small margin.

Usage: .venv/bin/python tools/set_floors.py [--write] [--margin 0.02]
Raising a floor is meant to be deliberate: run this after an improvement, read the diff, commit.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from flashpoint.evaluate import evaluate_path
from flashpoint.pipeline import code_documents

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "tests" / "quality_floors.json"


def _get(report: dict, path: str) -> float:
    value = report
    for part in path.split("."):
        value = value[part]
    return float(value or 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--margin", type=float, default=0.02)
    args = parser.parse_args()
    floors = json.loads(FLOORS.read_text())
    coder = lambda docs: list(code_documents(docs))  # noqa: E731
    for file, metrics in floors.items():
        report = evaluate_path(ROOT / file, coder)
        for path in metrics:
            now = _get(report, path)
            new = max(0.0, math.floor((now - args.margin) * 100) / 100)
            print(f"{file}  {path:45s} now {now:.3f}  floor {metrics[path]:.2f} -> {new:.2f}")
            metrics[path] = new
    if args.write:
        FLOORS.write_text(json.dumps(floors, indent=2) + "\n")


if __name__ == "__main__":
    main()
