"""Vector stores: a small Protocol and its Chroma implementation (embedded `PersistentClient` under var/, or a
Chroma server through `HttpClient` when `TTHC_CHROMA_URL` is set). Backends register in `VECTOR_STORES`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from bot.backends import Backends
from bot.errors import ConfigError
from bot.search.embedders import Embedder, TthcEmbeddingFunction
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float  # cosine similarity, higher is better
    metadata: dict[str, Any]
    text: str


# Each chunk has a kind (metadata "kind"): the procedures' passages, or citizens' phrasings of a question. A store
# keeps each kind apart, so that asking for the nearest chunks of one kind needs no filter (a filtered HNSW query
# is several times slower than a plain one).
KINDS = ("passage", "question")
DEFAULT_KIND = "passage"


class Store(Protocol):
    """Dense chunks by id, each with its vector, text and flat metadata (`code`, `section`, `kind`, `digest`)."""

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> None:
        """Insert or replace these chunks, each with the kind in its metadata (`passage` when none); an id that
        exists is overwritten whole, whatever kind it had."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these chunks, of any kind; unknown ids and an empty list are no-ops."""
        ...

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None,
              kind: str | None = None) -> list[Hit]:
        """The k nearest chunks of this kind (None: of every kind) by cosine similarity, best first; [] on an
        empty store."""
        ...

    def vectors(self, ids: Sequence[str], kind: str) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks of this kind, by id; ids not stored as this kind are left out."""
        ...

    def all_metadata(self) -> dict[str, dict[str, Any]]:
        """Every chunk's metadata by id, of every kind (ingest compares digests with it)."""
        ...

    def every(self, kind: str) -> Chunks:
        """Every chunk of this kind, with its vector: for an exact search in memory (`Exact`)."""
        ...

    def count(self) -> int:
        """How many chunks are stored, of every kind."""
        ...


@dataclass(frozen=True)
class Chunks:
    """Chunks of one kind, in the same order in each field; `vectors` has one row per chunk."""

    ids: list[str]
    vectors: np.ndarray
    metadatas: list[dict[str, Any]]
    texts: list[str]


class Exact:
    """The nearest chunks of one kind by an exact search in memory: a store's HNSW graph is approximate (at
    ef_search 400 it still missed the nearest phrasing of 1 question in 453, and which one could change from
    process to process); all the vectors of a kind, about 6,500 x 384, take 10 MB and a product of 0.2 ms.
    Built from `Store.every`; a reloaded catalog (after ingest) builds it again."""

    def __init__(self, chunks: Chunks) -> None:
        self._chunks = chunks
        self._matrix = np.ascontiguousarray(chunks.vectors, dtype=np.float32)
        self._row = {id_: i for i, id_ in enumerate(chunks.ids)}

    def __len__(self) -> int:
        return len(self._chunks.ids)

    def query(self, vector: np.ndarray, k: int) -> list[Hit]:
        n = len(self)
        if k <= 0 or not n:
            return []
        # einsum, not `@`: a BLAS product starts OpenBLAS's threads, which then contend with the embedder's OpenMP
        # threads on 2 cores (a search took 59 ms with `@`, 21 ms with einsum)
        scores = np.einsum("ij,j->i", self._matrix, np.asarray(vector, dtype=np.float32))
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        c = self._chunks
        return [Hit(c.ids[i], float(scores[i]), dict(c.metadatas[i]), c.texts[i]) for i in top]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """As `Store.vectors`, for this kind: the vectors of these chunks by id; unknown ids are left out."""
        return {id_: self._matrix[self._row[id_]] for id_ in ids if id_ in self._row}


def kind_of(metadata: dict[str, Any]) -> str:
    kind = str(metadata.get("kind") or DEFAULT_KIND)
    if kind not in KINDS:
        raise ValueError(f"unknown chunk kind '{kind}' (one of {', '.join(KINDS)})")
    return kind


def chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigError(f"TTHC_CHROMA_URL '{settings.chroma_url}' is not a URL like http://127.0.0.1:8001")
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


_LOCK_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)  # about 6 s in all


def _write(call: Callable[[], Any], what: str, waits: Sequence[float] = _LOCK_WAITS) -> Any:
    """Run one write to the embedded store, waiting out SQLite's "database is locked".

    Chroma's embedded store answers a write with that error, instead of waiting, when its own background work
    holds the lock for a moment (measured: 12 of 200 fresh stores reopened at once with a new `ef_search`). Every
    write here (upsert, delete, a configuration change) can safely run twice. Other errors, and a lock that outlasts
    the waits, are raised as they are."""
    for wait in waits:
        try:
            return call()
        except Exception as exc:
            if "database is locked" not in str(exc):
                raise
            log.warning("the vector store was locked during %s; trying again in %.2f s", what, wait)
            time.sleep(wait)
    return call()


class ChromaStore:
    """One Chroma collection per kind: `name` for passages, `name-question` for citizen phrasings."""

    def __init__(self, client: Any, name: str, embedder: Embedder, ef_search: int = 400) -> None:
        self._collections = {
            kind: client.get_or_create_collection(
                name=name if kind == DEFAULT_KIND else f"{name}-{kind}",
                embedding_function=TthcEmbeddingFunction(embedder),
                configuration={"hnsw": {"space": "cosine", "ef_search": ef_search}},
                metadata={"embedder": embedder.name, "dim": embedder.dim},
            )
            for kind in KINDS
        }
        for collection in self._collections.values():  # a store made before the setting, or with another value
            hnsw = (getattr(collection, "configuration_json", None) or {}).get("hnsw") or {}
            if hnsw.get("ef_search") != ef_search:
                _write(partial(collection.modify, configuration={"hnsw": {"ef_search": ef_search}}),
                       "a change of ef_search")

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> None:
        rows: dict[str, list[int]] = {}
        for i, meta in enumerate(metadatas):
            rows.setdefault(kind_of(meta), []).append(i)
        vectors = np.asarray(vectors)
        for kind, idx in rows.items():
            kind_ids = [ids[i] for i in idx]
            _write(partial(self._collections[kind].upsert, ids=kind_ids, embeddings=vectors[idx],
                           documents=[texts[i] for i in idx], metadatas=[metadatas[i] for i in idx]), "an upsert")
            for other, collection in self._collections.items():
                if other != kind:  # an id lives in one kind only
                    _write(partial(collection.delete, ids=kind_ids), "a delete")

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            for collection in self._collections.values():
                _write(partial(collection.delete, ids=list(ids)), "a delete")

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None,
              kind: str | None = None) -> list[Hit]:
        if k <= 0:
            return []
        kinds = [kind] if kind is not None else list(KINDS)
        hits: list[Hit] = []
        for name in kinds:
            # Chroma answers with what it has when k exceeds the count; asking for the count costs a round trip
            res = self._collections[name].query(query_embeddings=[vector], n_results=k, where=where or None)
            for i, id_ in enumerate(res["ids"][0]):
                hits.append(
                    Hit(
                        id=id_,
                        score=1.0 - float(res["distances"][0][i]),
                        metadata=dict(res["metadatas"][0][i] or {}),
                        text=(res["documents"][0][i] or ""),
                    )
                )
        if len(kinds) > 1:
            hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def vectors(self, ids: Sequence[str], kind: str) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        res = self._collections[kind].get(ids=list(ids), include=["embeddings"])
        return {id_: np.asarray(vec, dtype=np.float32) for id_, vec in zip(res["ids"], res["embeddings"], strict=True)}

    def all_metadata(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        step = 2000
        for collection in self._collections.values():
            total = int(collection.count())
            for offset in range(0, total, step):
                res = collection.get(include=["metadatas"], limit=step, offset=offset)
                for id_, meta in zip(res["ids"], res["metadatas"], strict=True):
                    out[id_] = dict(meta or {})
        return out

    def every(self, kind: str) -> Chunks:
        collection = self._collections[kind]
        ids: list[str] = []
        rows: list[Any] = []
        metadatas: list[dict[str, Any]] = []
        texts: list[str] = []
        step = 2000
        for offset in range(0, int(collection.count()), step):
            res = collection.get(include=["embeddings", "metadatas", "documents"], limit=step, offset=offset)
            ids += res["ids"]
            rows += list(res["embeddings"])
            metadatas += [dict(m or {}) for m in res["metadatas"]]
            texts += [d or "" for d in res["documents"]]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(ids), -1) if rows else np.zeros((0, 0), np.float32)
        return Chunks(ids, vectors, metadatas, texts)

    def count(self) -> int:
        return sum(int(c.count()) for c in self._collections.values())


VECTOR_STORES: Backends[Store] = Backends("vector store", "TTHC_VECTOR_STORE")


@VECTOR_STORES.register("chroma")
def _chroma(settings: Settings, embedder: Embedder) -> Store:
    return ChromaStore(chroma_client(settings), settings.collection, embedder, settings.hnsw_ef_search)


def build_store(settings: Settings, embedder: Embedder) -> Store:
    return VECTOR_STORES.build(settings.vector_store, settings, embedder)
