"""Vector stores: a small Protocol and its Chroma implementation (embedded `PersistentClient` under var/, or a
Chroma server through `HttpClient` when `TTHC_CHROMA_URL` is set). Backends register in `VECTOR_STORES`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
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


class Store(Protocol):
    """Dense chunks by id, each with its vector, text and flat metadata (`code`, `section`, `digest`)."""

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> None:
        """Insert or replace these chunks; an id that exists is overwritten whole."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these chunks; unknown ids and an empty list are no-ops."""
        ...

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        """The k nearest chunks by cosine similarity, best first; [] on an empty store."""
        ...

    def all_metadata(self) -> dict[str, dict[str, Any]]:
        """Every chunk's metadata by id (ingest compares digests with it)."""
        ...

    def count(self) -> int:
        """How many chunks are stored."""
        ...


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


class ChromaStore:
    def __init__(self, client: Any, name: str, embedder: Embedder) -> None:
        self._collection = client.get_or_create_collection(
            name=name,
            embedding_function=TthcEmbeddingFunction(embedder),
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": embedder.name, "dim": embedder.dim},
        )

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> None:
        if ids:
            self._collection.upsert(
                ids=list(ids), embeddings=vectors, documents=list(texts), metadatas=list(metadatas)
            )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._collection.delete(ids=list(ids))

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self._collection.query(query_embeddings=[vector], n_results=n, where=where or None)
        hits = []
        for i, id_ in enumerate(res["ids"][0]):
            hits.append(
                Hit(
                    id=id_,
                    score=1.0 - float(res["distances"][0][i]),
                    metadata=dict(res["metadatas"][0][i] or {}),
                    text=(res["documents"][0][i] or ""),
                )
            )
        return hits

    def all_metadata(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        total = self.count()
        step = 2000
        for offset in range(0, total, step):
            res = self._collection.get(include=["metadatas"], limit=step, offset=offset)
            for id_, meta in zip(res["ids"], res["metadatas"], strict=True):
                out[id_] = dict(meta or {})
        return out

    def count(self) -> int:
        return int(self._collection.count())


VECTOR_STORES: Backends[Store] = Backends("vector store", "TTHC_VECTOR_STORE")


@VECTOR_STORES.register("chroma")
def _chroma(settings: Settings, embedder: Embedder) -> Store:
    return ChromaStore(chroma_client(settings), settings.collection, embedder)


def build_store(settings: Settings, embedder: Embedder) -> Store:
    return VECTOR_STORES.build(settings.vector_store, settings, embedder)
