"""The query-embedding cache: a query is embedded once per process, or once across every
process that shares a Redis; spelling variants the model cannot tell apart share one
entry; the hit rate is reported."""

from __future__ import annotations

import numpy as np
import pytest

from papertide.search._qcache import QueryCache


@pytest.fixture(scope="module")
def embedder():
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    from papertide.search._embed import Embedder

    return Embedder("default")


class Counting:
    """The real model, counting what it is asked to embed."""

    def __init__(self, embedder) -> None:
        self.embedder, self.texts = embedder, []

    def __call__(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return self.embedder.embed([text])[0]


def test_variants_of_one_query_are_embedded_once(embedder):
    model = Counting(embedder)
    cache = QueryCache(model, "default")
    first = cache.get("Graph Neural  Networks")
    again = cache.get("graph neural networks ")
    assert model.texts == ["graph neural networks"]
    assert np.array_equal(first, again)
    # Lower-casing is no loss: the model's tokenizer lower-cases anyway.
    assert np.allclose(embedder.embed(["Graph Neural Networks"])[0], first, atol=1e-6)
    assert cache.stats() == {"hits": 1, "shared_hits": 0, "misses": 1, "hit_rate": 0.5,
                             "shared": False, "size": 1}


def test_processes_sharing_redis_embed_each_query_once(embedder, redis_url):
    import secrets

    query = f"speculative decoding {secrets.token_hex(4)}"  # new to the shared Redis
    one, two = Counting(embedder), Counting(embedder)
    web1 = QueryCache(one, "default", redis_url)
    web2 = QueryCache(two, "default", redis_url)  # another web process, or machine
    vector = web1.get(query)
    assert np.array_equal(web2.get(query.capitalize()), vector)
    assert one.texts == [query] and two.texts == []
    assert web2.stats()["shared_hits"] == 1 and web2.stats()["hit_rate"] == 1.0
    # Another profile is another model: not the same entry.
    other = Counting(embedder)
    QueryCache(other, "fast", redis_url).get(query)
    assert other.texts == [query]


def test_search_goes_on_when_redis_is_down(embedder):
    model = Counting(embedder)
    cache = QueryCache(model, "default", "redis://127.0.0.1:9/0")  # nothing listens there
    assert cache.get("model merging").shape == (384,)
    assert cache.get("model merging").shape == (384,)
    assert model.texts == ["model merging"]
    assert cache.stats()["misses"] == 1 and cache.stats()["hits"] == 1
