"""Fill the ``lemmas`` column of src/flashpoint/lang/ru/actors.tsv from its ``surface`` column.

Lemmas are computed as the Russian pipeline sees them: natasha's segmenter, NewsMorphTagger and
MorphVocab, each token's lemma lower-cased with ё as е, punctuation dropped, joined by spaces
(«вооружённые силы Азербайджана» → «вооруженный сила азербайджан»). Comment lines are kept.

    PYTHONPATH=src python tools/ru_actor_lemmas.py [--check]

``--check`` only reports rows whose lemmas differ from what natasha gives (exit 1 if any).
"""

from __future__ import annotations

import sys
from pathlib import Path

TSV = Path(__file__).resolve().parents[1] / "src" / "flashpoint" / "lang" / "ru" / "actors.tsv"


def lemmatiser():  # type: ignore[no-untyped-def]
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, Segmenter

    segmenter, vocab, tagger = Segmenter(), MorphVocab(), NewsMorphTagger(NewsEmbedding())

    def lemmas(text: str) -> str:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(tagger)
        out = []
        for token in doc.tokens:
            if token.pos == "PUNCT":
                continue
            token.lemmatize(vocab)
            out.append(token.lemma.lower().replace("ё", "е"))
        return " ".join(out)

    return lemmas


def main(argv: list[str]) -> int:
    lemmas = lemmatiser()
    lines = TSV.read_text(encoding="utf-8").splitlines()
    out, changed = [], 0
    for line in lines:
        if line.startswith("#") or line.startswith("lemmas\t") or not line.strip():
            out.append(line)
            continue
        old, surface, *rest = line.split("\t")
        new = lemmas(surface)
        changed += new != old
        if new != old and "--check" in argv:
            print(f"{surface}: {old!r} -> {new!r}")
        out.append("\t".join([new, surface, *rest]))
    if "--check" in argv:
        return 1 if changed else 0
    TSV.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{changed} rows' lemmas written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
