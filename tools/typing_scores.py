"""Sub-event typing scores of one classifier (``--model``) on every typing benchmark, as JSON.

Used to measure a typing change before and after: the typing dev split (never trained on), the
sentence fixtures, the gold articles and styles, and (when present) real news read at run time
from ../shared/dev (never copied into the repository).

    PYTHONPATH=src python tools/typing_scores.py --model rules [--only dev,sentences]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from flashpoint.evaluate import evaluate_path, evaluate_sentences
from flashpoint.evaluate.sentences import SentenceItem
from flashpoint.pipeline import code_documents

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "dev": ROOT / "src/flashpoint/lang/en/typing/dev",
    "sentences": ROOT / "tests/fixtures/sentences.tsv",
    "articles": ROOT / "tests/fixtures/gold/articles.jsonl",
    "styles": ROOT / "tests/fixtures/gold/styles.jsonl",
    "notes": ROOT / "tests/fixtures/acled_notes.csv",
    "wikinews": ROOT.parent.parent / "shared/dev/events/wikinews_events.jsonl",
}


def dev_items(folder: Path) -> list[SentenceItem]:
    items = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                raw = json.loads(line)
                items.append(SentenceItem(f"{path.name}:{n}", raw["text"], raw["label"]))
    return items


def scores(report: dict, key: str) -> dict:
    s = report["fields"][key] if "fields" in report else report[key]
    return {k: s.get(k) for k in ("accuracy", "weighted_f1", "macro_f1") if k in s}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--only", default=",".join(SETS))
    args = parser.parse_args()

    def coder(docs):
        return list(code_documents(docs, model=args.model))

    out = {}
    for name in args.only.split(","):
        path = SETS[name]
        if not path.exists():
            continue
        start = time.time()
        report = evaluate_sentences(dev_items(path), coder) if name == "dev" else evaluate_path(path, coder)
        out[name] = {"sub_event_type": scores(report, "sub_event_type"), "seconds": round(time.time() - start, 1)}
        if "per_label" in str(report.get("sub_event_type", report.get("fields", {}).get("sub_event_type", {})).keys()):
            pass
        print(name, json.dumps(out[name]), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
