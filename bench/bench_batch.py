"""Throughput of `flashpoint batch` on Dask, against the bare spaCy pipeline and the one-process
coder, on one generated corpus in one run; and the time to link 10k and 100k events in blocks.

Run: .venv/bin/python bench/bench_batch.py [--docs N] [--seed S] [--events 10000,100000]
Prints one JSON object (the figures in bench/RESULTS.md come from it). No outside data: the corpus
is flashpoint.training.corpus_gen's, the events for linking are generated here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flashpoint.model import Event


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 2) if seconds else float("inf")


def _load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bare_spacy(texts: list[str]) -> dict[str, Any]:
    import spacy

    from flashpoint import settings

    nlp = spacy.load(settings.SPACY_MODEL)
    list(nlp.pipe(texts[:8]))
    t0, cpu0 = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return {"docs_per_s": _rate(len(texts), time.perf_counter() - t0),
            "docs_per_cpu_second": _rate(len(texts), time.process_time() - cpu0)}


def one_process(corpus: Path) -> dict[str, Any]:
    from flashpoint.extract.registry import default_choice, load_classifier
    from flashpoint.ingest.files import read_sources
    from flashpoint.pipeline import Coder

    docs = list(read_sources([str(corpus)]))
    # The batch worker's coder (``batch.worker.process_coder``): the default type model, not the rules.
    coder = Coder(batch_size=32, classifier=load_classifier(default_choice()))
    t0 = time.perf_counter()
    list(coder.code_many(docs[:4]))  # loads the gazetteer and the pipeline
    load_s = time.perf_counter() - t0
    t0, cpu0 = time.perf_counter(), time.process_time()
    events = sum(len(getattr(r, "events", [])) for r in coder.code_many(docs))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"docs_per_s": _rate(len(docs), seconds), "docs_per_cpu_second": _rate(len(docs), cpu),
            "events": events, "load_seconds": round(load_s, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def batch(corpus: Path, workers: int, partition_size: int) -> dict[str, Any]:
    from flashpoint.batch.run import local_client, run_batch

    client = local_client(workers=workers)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            stats = run_batch([str(corpus)], Path(tmp) / "run", client=client, partition_size=partition_size)
            wall = time.perf_counter() - t0
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    return {"workers": workers, "docs_per_s": round(stats.rate, 2), "documents": stats.documents,
            "events": stats.events, "failures": stats.failures, "coding_seconds": round(stats.elapsed, 2),
            "worker_cpu_seconds": round(stats.cpu_seconds, 2),
            "docs_per_cpu_second": _rate(stats.documents, stats.cpu_seconds),
            "docs_per_coding_thread_cpu_second": _rate(stats.documents, stats.thread_cpu_seconds),
            "wall_seconds_with_worker_warmup": round(wall, 2), "peak_rss_mb_per_worker": stats.to_dict()["peak_rss_mb_per_worker"]}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and every process it waited for) of one CLI run."""
    import subprocess

    command = [str(Path(sys.executable).parent / "flashpoint"), *args]
    cpu0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, _children_cpu() - cpu0


def cli_wall(corpus: Path, docs: int, repeat: int, partition_size: int) -> dict[str, Any]:
    """What a user waits for, start-up included: `code` on 1 and 2 workers against `batch` on 2.

    The commands run in turn, ``repeat`` rounds, so that a change in the machine's load hits all
    of them alike; each figure is the median of its rounds (all rounds listed too).
    """
    import statistics

    runs: dict[str, list[tuple[float, float, list[float]]]] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            commands = {
                "code_1_worker": ["code", "-q", "--format", "jsonl", "--workers", "1", str(corpus)],
                "code_2_workers": ["code", "-q", "--format", "jsonl", "--workers", "2", str(corpus)],
                "batch_2_workers": ["batch", "-q", "--workers", "2", "--partition-size", str(partition_size),
                                    "--out", str(Path(tmp) / "run"), str(corpus)],
            }
            for name, args in commands.items():
                load = _load_avg()[0]
                wall, cpu = _cli(args)
                runs.setdefault(name, []).append((wall, cpu, [load]))
    report: dict[str, Any] = {"documents": docs, "rounds": repeat}
    for name, rounds in runs.items():
        wall = statistics.median(r[0] for r in rounds)
        report[name] = {"wall_seconds": round(wall, 2), "docs_per_s": _rate(docs, wall),
                        "cpu_seconds": round(statistics.median(r[1] for r in rounds), 2),
                        "rounds_wall": [round(r[0], 2) for r in rounds], "load_at_start": [r[2][0] for r in rounds]}
    code2 = report["code_2_workers"]["wall_seconds"]
    report["batch_2_over_code_2_wall"] = round(report["batch_2_workers"]["wall_seconds"] / code2, 3) if code2 else None
    return report


def synthetic_events(n: int, seed: int = 0) -> list[Event]:
    """``n`` events: happenings at generated towns, each reported by one to four documents."""
    rng = random.Random(seed)
    towns = [(rng.uniform(-35, 55), rng.uniform(-20, 120)) for _ in range(max(50, n // 20))]
    types = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
             ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest")]
    start = dt.date(2021, 1, 1)
    events: list[Event] = []
    doc = 0
    while len(events) < n:
        lat, lon = rng.choice(towns)
        day = start + dt.timedelta(days=rng.randrange(730))
        kind = rng.choice(types)
        for _ in range(rng.choice((1, 1, 2, 3, 4))):
            doc += 1
            precision = rng.choice((1, 1, 1, 1, 1, 1, 1, 1, 2, 3))
            events.append(Event(
                id=f"doc{doc}-1", document_id=f"doc{doc}", event_date=day, time_precision=precision,
                event_type=kind[0], sub_event_type=kind[1], actor1=rng.choice(["Military Forces of A (2000-)", None]),
                latitude=lat + rng.uniform(-0.02, 0.02), longitude=lon + rng.uniform(-0.02, 0.02),
                geo_precision=rng.choice((1, 1, 2)), country="A"))
    return events[:n]


def linking(sizes: list[int], workers: int) -> list[dict[str, Any]]:
    from flashpoint.batch.link import link_events
    from flashpoint.batch.run import local_client
    from flashpoint.corpus import link

    results = []
    client = local_client(workers=workers)
    try:
        for n in sizes:
            events = synthetic_events(n)
            t0 = time.perf_counter()
            incidents = link_events(events, client=client)
            on_dask = time.perf_counter() - t0
            t0 = time.perf_counter()
            link_events(events)
            blocked_here = time.perf_counter() - t0
            t0 = time.perf_counter()
            plain = link.link(sorted(events, key=lambda e: (e.event_date, e.document_id)))
            plain_s = time.perf_counter() - t0
            results.append({"events": n, "incidents": len(incidents), "dask_seconds": round(on_dask, 2),
                            "blocked_one_process_seconds": round(blocked_here, 2),
                            "link_link_one_process_seconds": round(plain_s, 2), "link_link_incidents": len(plain)})
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--partition-size", type=int, default=25)
    parser.add_argument("--events", default="10000,100000", help="comma-separated event counts for linking")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: spacy,coder,batch,cli,link")
    parser.add_argument("--cli-docs", type=int, default=300, help="documents for the start-up-included CLI runs")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the CLI runs")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    from flashpoint.batch.run import ensure_gazetteer
    from flashpoint.training.corpus_gen import write_jsonl

    ensure_gazetteer()
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "load_average_at_start": _load_avg(), "documents": args.docs, "seed": args.seed,
    }
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_jsonl(corpus, args.docs, args.seed)
        texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
        report["words"] = sum(len(t.split()) for t in texts)
        if "spacy" not in skip:
            report["bare_spacy"] = bare_spacy(texts)
        if "coder" not in skip:
            report["coder_one_process"] = one_process(corpus)
        if "batch" not in skip:
            report["batch_1_worker"] = batch(corpus, 1, args.partition_size)
            report["batch_2_workers"] = batch(corpus, 2, args.partition_size)
            one, two = report["batch_1_worker"]["docs_per_s"], report["batch_2_workers"]["docs_per_s"]
            report["scaling_efficiency_1_to_2"] = round(two / (2 * one), 3) if one else None
            # Work per document with two workers against one: 1.0 means no parallel overhead at all;
            # wall-clock scaling can only match it when two cores are free for the workers.
            cpu1, cpu2 = (report[k]["docs_per_cpu_second"] for k in ("batch_1_worker", "batch_2_workers"))
            report["cpu_efficiency_1_to_2"] = round(cpu2 / cpu1, 3) if cpu1 else None
        if "cli" not in skip:
            small = Path(tmp) / "cli.jsonl"
            write_jsonl(small, args.cli_docs, args.seed)
            report["cli_start_up_included"] = cli_wall(small, args.cli_docs, args.repeat, args.partition_size * 2)
    if "link" not in skip:
        report["linking"] = linking([int(n) for n in args.events.split(",")], workers=2)
    report["load_average_at_end"] = _load_avg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
