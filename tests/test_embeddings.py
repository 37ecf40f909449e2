"""The offline embedder: loads from installed packages, batches without changing
results, and separates related from unrelated texts."""

from __future__ import annotations

import numpy as np

from interviewer.embeddings import MiniLMEmbedder, minilm_paths


def test_model_files_come_from_installed_packages() -> None:
    model, tokenizer = minilm_paths()
    assert model.name == "model.onnx" and "site-packages" in str(model)
    assert tokenizer.name == "tokenizer.json"


def test_batching_and_order_do_not_change_vectors() -> None:
    texts = [
        "Overfitting: great on training data, poor on validation data.",
        "Early stopping halts training when validation loss rises.",
        "x",
        "A much longer text about gradient descent " * 40,
        "",
    ]
    one_big = MiniLMEmbedder(batch_size=32).embed(texts)
    one_by_one = np.vstack([MiniLMEmbedder(batch_size=1).embed([t]) for t in texts])
    assert one_big.shape == (5, 384) and one_big.dtype == np.float32
    assert np.allclose(one_big, one_by_one, atol=1e-4)
    assert np.allclose(np.linalg.norm(one_big, axis=1), 1.0, atol=1e-4)


def test_similarity_is_meaningful() -> None:
    v = MiniLMEmbedder().embed(
        [
            "the model memorises the training set and fails on new data",
            "overfitting means poor generalisation to unseen examples",
            "the capital of France is Paris",
        ]
    )
    assert v[0] @ v[1] > 0.4 > v[0] @ v[2]


def test_undecodable_bytes_do_not_crash_the_embedder() -> None:
    # What Python makes of invalid UTF-8 in argv: lone surrogates.
    broken = b"caf\xe9 latte".decode("utf-8", "surrogateescape")
    v = MiniLMEmbedder().embed([broken])
    assert v.shape == (1, 384) and np.isfinite(v).all()


def test_multilingual_model_matches_across_languages() -> None:
    from interviewer.embeddings import crosslingual_similarity

    spanish = [
        "El sobreajuste ocurre cuando el modelo memoriza los datos de entrenamiento",
        "Un índice acelera las lecturas pero hace más lentas las escrituras",
    ]
    english = [
        "An index speeds up reads and slows down writes",
        "Overfitting is when the model memorises the training data",
        "The page table maps virtual pages to physical frames",
    ]
    sims = crosslingual_similarity(spanish, english)
    assert sims.shape == (2, 3)
    assert int(sims[0].argmax()) == 1 and int(sims[1].argmax()) == 0
    assert crosslingual_similarity([], english).shape == (0, 3)
