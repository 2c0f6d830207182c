"""Throughput of the Russian coding path against bare natasha, on the same texts, in one run.

Run: .venv/bin/python bench/bench_russian.py [--repeat N]
Prints one JSON object: documents/s and words/s for bare natasha (segmenter, morphology, syntax,
NER and pymorphy2 lemmas on every token: what the Russian parse needs) and for flashpoint's
Russian path (``Coder.code`` on Russian documents: that parse plus places, attribution, dates,
events and resolution), their ratio, the share of the path spent in the parse, peak RSS, and the
machine's load before and after (the machine may be shared: read rates with the load beside them).
The texts are the project's Russian gold fixtures (tests/fixtures/ru/articles.jsonl).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _records() -> list[dict[str, Any]]:
    path = ROOT / "tests/fixtures/ru/articles.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bare(texts: list[str], repeat: int) -> tuple[float, int]:
    """Seconds and words for bare natasha on every text, ``repeat`` times (models loaded before)."""
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter

    emb = NewsEmbedding()
    segmenter, morph, syntax, ner, vocab = Segmenter(), NewsMorphTagger(emb), NewsSyntaxParser(emb), NewsNERTagger(emb), MorphVocab()

    def run(text: str) -> int:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.parse_syntax(syntax)
        doc.tag_ner(ner)
        for token in doc.tokens:
            token.lemmatize(vocab)
        return len(doc.tokens)

    run(texts[0])  # warm
    words = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            words += run(text)
    return time.perf_counter() - start, words


def _flashpoint(records: list[dict[str, Any]], repeat: int) -> tuple[float, float, int]:
    """Seconds for the whole Russian path, and of them the parse's, on every text."""
    from flashpoint.model import Document
    from flashpoint.pipeline import Coder

    coder = Coder()

    def document(r: dict[str, Any], k: int) -> Document:
        published = dt.date.fromisoformat(r["published"]) if r.get("published") else None
        return Document(id=f"{r['id']}-{k}", text=r["text"], published=published, language="ru", source=r["id"])

    coder.code(document(records[0], -1))  # warm: natasha, spaCy's vocab, the gazetteer
    total = parse = 0.0
    events = 0
    for k in range(repeat):
        for r in records:
            doc = document(r, k)
            t0 = time.perf_counter()
            parsed = coder.parse_document(doc)
            t1 = time.perf_counter()
            events += len(coder.code_parsed(doc, parsed).events)
            t2 = time.perf_counter()
            parse += t1 - t0
            total += t2 - t0
    return total, parse, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    records = _records()
    texts = [r["text"] for r in records]
    load_before = os.getloadavg()
    bare_s, words = _bare(texts, args.repeat)
    full_s, parse_s, events = _flashpoint(records, args.repeat)
    n = len(texts) * args.repeat
    print(json.dumps({
        "documents": n, "words": words, "events": events,
        "natasha_docs_per_s": round(n / bare_s, 2), "natasha_words_per_s": round(words / bare_s, 1),
        "flashpoint_ru_docs_per_s": round(n / full_s, 2), "flashpoint_ru_words_per_s": round(words / full_s, 1),
        "flashpoint_over_natasha": round(bare_s / full_s, 3),
        "parse_share_of_path": round(parse_s / full_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(), "python": platform.python_version(),
    }, indent=2))


if __name__ == "__main__":
    main()
