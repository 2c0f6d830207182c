"""``flashpoint train`` and ``flashpoint models list``: thin shells over flashpoint.training.train and flashpoint.extract.registry."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from flashpoint.errors import FlashpointError


class TrainFailed(click.ClickException):
    """Unusable training data or options: exit status 2."""

    exit_code = 2


def _progress(label: str) -> Any:
    """A (done, total) callback that redraws one line on stderr; only on a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            click.echo(f"\r{label} {done}/{total}", err=True, nl=done == total)

    return report


def _fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def render_scores(manifest: Mapping[str, Any]) -> str:
    """The held-out scores as text: summary lines, per-label table, commonest confusions."""
    data = manifest["training_data"]
    lines = [f"trained {manifest['name']!r}: {data['train_examples']} train / {data['dev_examples']} dev examples, "
             f"{len(manifest['labels'])} labels, {manifest['training_seconds']} s"]
    dev = manifest["scores"]["dev"]
    if not dev:
        return "\n".join(lines + ["  no dev split (--dev-fraction 0): no held-out scores"]) + "\n"
    lines.append("")
    for title, section in (("model", dev), ("rules (same dev)", manifest["scores"].get("rules_on_dev"))):
        if section:
            for name in ("sub_event_type", "event_type"):
                s = section[name]
                lines.append(f"  {title:<17}{name:<15} accuracy {_fmt(s['accuracy'])}  macro F1 {_fmt(s['macro_f1'])}  "
                             f"weighted F1 {_fmt(s['weighted_f1'])}  (n={s['n']})")
    per_label = dev["sub_event_type"]["per_label"]
    lines += ["", f"  {'label':<38}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"]
    lines += [f"  {label:<38}{_fmt(v['precision']):>8}{_fmt(v['recall']):>8}{_fmt(v['f1']):>8}{v['support']:>9}"
              for label, v in per_label.items()]
    confusion = dev["sub_event_type"]["confusion"]
    wrong = sorted(((n, g, p) for g, row in confusion.items() for p, n in row.items() if g != p), reverse=True)[:10]
    if wrong:
        lines += ["", "  Commonest confusions (gold → model):"] + [f"  {n:>5}  {g} → {p}" for n, g, p in wrong]
    return "\n".join(lines) + "\n"


def _save_knowledge(data: tuple[Path, ...], out: Path) -> str:
    """Learn the exports' actors and places (ACLED-format CSVs only) into the model directory."""
    from flashpoint.training.knowledge import learn_knowledge, read_rows, save_knowledge

    rows = [row for path in data if path.suffix.lower() == ".csv" for row in read_rows(path)]
    if not rows:
        return ""
    knowledge = learn_knowledge(rows)
    save_knowledge(knowledge, out)
    return (f"learnt {len(knowledge.groups)} named actors, {len(knowledge.periods)} state-force periods "
            f"and {len(knowledge.places)} places from {knowledge.rows} rows")


@click.command("train")
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model directory to write (manifest.json + weights.npz).")
@click.option("--dev-fraction", default=0.2, show_default=True, type=float,
              help="Share of notes held out (split by note, per label) for the scores.")
@click.option("--seed", default=13, show_default=True, type=int, help="Seed of the split and the learner.")
@click.option("--name", default=None, help="The model's name in its manifest (default: the --out folder's name).")
@click.option("--rule-features/--text-only", default=True, show_default=True,
              help="Code each note with the rule coder and learn from its reading too (slower, better).")
@click.option("--embedding/--no-embedding", default=True, show_default=True,
              help="Add the frozen sentence encoder's embedding to the features (the default model's head).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the manifest (with all scores) here.")
def train(data: tuple[Path, ...], out: Path, dev_fraction: float, seed: int, name: str | None,
          rule_features: bool, embedding: bool, json_path: Path | None) -> None:
    """Train the sub-event type classifier on coded DATA and save it to --out.

    From ACLED-format CSVs it also learns the export's actors (names, inter codes, aliases in the
    notes) and locations, stored with the model and used by `flashpoint code --model`. Rows
    without notes or sub_event_type are skipped (with a warning).

    DATA: ACLED-format CSV exports (notes + sub_event_type, event_type where present) or
    flashpoint gold JSONL. Labels may be your own typology. Held-out scores go to stdout.
    Use the model with `flashpoint code --model DIR` and `flashpoint evaluate --model DIR`.
    """
    from flashpoint.training.train import EMBEDDING_FEATURES, file_fingerprint, read_examples, save_model
    from flashpoint.training.train import train as train_model

    try:
        examples = [ex for path in data for ex in read_examples(path)]
        factory = None
        if rule_features:
            from flashpoint.pipeline import Coder, default_coder

            base = default_coder()

            def factory(classifier: Any) -> Coder:
                return Coder(nlp=base.nlp, gazetteer=base.gazetteer, classifier=classifier)

        result = train_model(examples, dev_fraction=dev_fraction, seed=seed, coder_factory=factory,
                             progress=_progress("reading notes with the rule coder:"), name=name or out.name,
                             sources=[file_fingerprint(p) for p in data],
                             features=EMBEDDING_FEATURES if embedding else None)
        save_model(result, out)
        learnt = _save_knowledge(data, out)
    except FlashpointError as err:
        raise TrainFailed(str(err)) from None
    click.echo(render_scores(result.manifest))
    if learnt:
        click.echo(f"flashpoint: {learnt}", err=True)
    click.echo(f"flashpoint: model written to {out}", err=True)
    if json_path is not None:
        json_path.write_text(json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@click.group("models")
def models() -> None:
    """The type classifiers --model can pick: rules, the shipped default, your trained models."""


@models.command("list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None,
              help="Output format (default: table on a terminal, json otherwise).")
def list_cmd(paths: tuple[Path, ...], fmt: str | None) -> None:
    """List models: 'rules', 'default' (built at set-up), those under the models folder, and PATHS."""
    from flashpoint.extract.registry import list_models, models_dir

    found = list_models(paths)
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt == "json":
        click.echo(json.dumps([m.to_dict() for m in found], indent=2, ensure_ascii=False))
        return
    click.echo(f"{'name':<28}{'kind':<9}{'labels':>7}{'examples':>10}{'dev wF1':>9}  path")
    for m in found:
        click.echo(f"{m.name[:27]:<28}{m.kind:<9}{_fmt(m.labels):>7}{_fmt(m.examples):>10}"
                   f"{_fmt(m.dev_weighted_f1):>9}  {m.path or '(built in)'}{'  ! ' + m.problem if m.problem else ''}")
    click.echo(f"flashpoint: your models folder is {models_dir()}", err=True)


@models.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the model on disk is current.")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing when the model is already current.")
def build_cmd(force: bool, quiet: bool) -> None:
    """Build the default type model from the project's labelled corpus (run by `make setup`).

    The rule coder reads each training snippet, the frozen sentence encoder embeds it, and a
    logistic head is fitted; the model goes to the models folder as 'default'. Skipped when the
    model there was built from the same corpus, code and features.
    """
    from flashpoint.training.typing_corpus import build_default, is_current

    if not force and is_current():
        if not quiet:
            click.echo("flashpoint: the default type model is current", err=True)
        return
    click.echo("flashpoint: building the default type model from the typing corpus…", err=True)
    try:
        path = build_default(force=force)
    except FlashpointError as err:
        raise TrainFailed(str(err)) from None
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    dev = (manifest.get("scores") or {}).get("dev") or {}
    f1 = (dev.get("sub_event_type") or {}).get("weighted_f1")
    click.echo(f"flashpoint: default type model written to {path} in {manifest['training_seconds']} s "
               f"(held-out dev weighted F1 {_fmt(f1)})", err=True)


def ensure_default_model(model: str | None) -> None:
    """Before coding with the default model: build it once if it has never been built (a stale one is
    used as it is; `flashpoint models build` refreshes it)."""
    from flashpoint.extract.registry import DEFAULT, default_model_path
    from flashpoint.nlp.encoder import available

    if model not in (None, "", DEFAULT) or (default_model_path() / "manifest.json").is_file() or not available():
        return
    from flashpoint.training.typing_corpus import build_default

    click.echo("flashpoint: building the default type model once (about a minute; `--model rules` skips it)…",
               err=True)
    build_default()


COMMANDS = (train, models)
