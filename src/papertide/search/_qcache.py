"""The query-embedding cache: a query is embedded once, then its vector is looked up.

Embedding a query is the dearest step of a semantic or hybrid search (about 10-20 ms of
both cores), and queries repeat. Vectors are kept under (embedding profile, normalised
query) — lower-cased with runs of white space folded, which the model's own lower-casing
tokenizer cannot tell apart — in two tiers:

- this process's LRU (`LOCAL_SIZE` queries), always;
- with a Redis URL (`PAPERTIDE_CACHE_URL`, else the queue URL when it is Redis), a cache
  shared by every web process and machine, so that each distinct query is embedded about
  once across all of them (two processes missing the same new query at the same moment
  may both embed it; the vectors are identical). Without Redis each process embeds a
  query once for itself.

A vector never goes stale (the model of a profile does not change), so nothing needs
invalidating; shared entries expire after `SHARED_TTL` unused. If Redis is unreachable
the cache embeds locally and logs it, and search goes on.

    cache = QueryCache(embed_one, profile="default", url="redis://127.0.0.1:6379/0")
    vector = cache.get("Graph  Neural networks")    # the same entry as "graph neural networks"
    cache.stats()   # {"hits": …, "shared_hits": …, "misses": …, "hit_rate": …, "shared": True}
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
LOCAL_SIZE = 2048
SHARED_TTL = 30 * 86400  # seconds
SHARED_PREFIX = "papertide:qvec:"


def normalise(query: str) -> str:
    return " ".join(query.lower().split())


class QueryCache:
    def __init__(self, embed: Callable[[str], np.ndarray], profile: str,
                 url: str | None = None, size: int = LOCAL_SIZE) -> None:
        self.embed, self.profile, self.size = embed, profile, size
        self._local: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._redis: Any = None
        if url:
            import redis

            self._redis = redis.Redis.from_url(url, socket_timeout=0.5,
                                               socket_connect_timeout=0.5)
        self.hits = self.shared_hits = self.misses = 0

    def _key(self, text: str) -> str:
        return f"{self.profile}\x00{normalise(text)}"

    def get(self, text: str) -> np.ndarray:
        key = self._key(text)
        with self._lock:
            vector = self._local.get(key)
            if vector is not None:
                self._local.move_to_end(key)
                self.hits += 1
                return vector
        vector = self._shared_get(key)
        if vector is not None:
            with self._lock:
                self.shared_hits += 1
        else:
            vector = np.asarray(self.embed(normalise(text)), np.float32)
            with self._lock:
                self.misses += 1
            self._shared_set(key, vector)
        vector.flags.writeable = False  # handed to every caller: nobody may change it
        with self._lock:
            self._local[key] = vector
            while len(self._local) > self.size:
                self._local.popitem(last=False)
        return vector

    def _shared_name(self, key: str) -> str:
        return SHARED_PREFIX + hashlib.sha256(key.encode()).hexdigest()

    def _shared_get(self, key: str) -> np.ndarray | None:
        if self._redis is None:
            return None
        try:
            raw = self._redis.get(self._shared_name(key))
        except Exception as exc:  # Redis down: embed here, search goes on
            log.warning("query cache: Redis unreachable (%s); embedding locally", exc)
            return None
        if not raw or len(raw) % 4:
            return None
        return np.frombuffer(raw, np.float32).copy()

    def _shared_set(self, key: str, vector: np.ndarray) -> None:
        if self._redis is None:
            return
        try:
            self._redis.set(self._shared_name(key), vector.tobytes(), ex=SHARED_TTL)
        except Exception as exc:
            log.warning("query cache: Redis unreachable (%s); vector kept locally", exc)

    def stats(self) -> dict[str, object]:
        """Lookups answered from this process's memory, from the shared cache, and
        embedded (misses), with the hit rate; per process, since it started."""
        with self._lock:
            total = self.hits + self.shared_hits + self.misses
            return {"hits": self.hits, "shared_hits": self.shared_hits, "misses": self.misses,
                    "hit_rate": round((self.hits + self.shared_hits) / total, 4) if total else None,
                    "shared": self._redis is not None, "size": len(self._local)}
