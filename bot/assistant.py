"""The answering core in one object: built once (heavy parts inside), then asked many times."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer import Answer, compose
from bot.catalog import Catalog
from bot.embedder import Embedder, build_embedder
from bot.models import Guide, Procedure
from bot.retrieval import Retriever, Scope, SearchResponse
from bot.settings import Settings
from bot.store import Store, build_store


@dataclass
class Assistant:
    settings: Settings
    embedder: Embedder
    store: Store
    catalog: Catalog
    retriever: Retriever

    def reload(self) -> Assistant:
        """A fresh assistant on the same embedder and store, with the catalog as ingest last wrote it."""
        return Assistant.build(self.settings, embedder=self.embedder, store=self.store)

    @classmethod
    def build(cls, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> Assistant:
        embedder = embedder or build_embedder(settings)
        store = store or build_store(settings, embedder)
        catalog = Catalog.load(settings.index_dir)
        return cls(settings, embedder, store, catalog, Retriever(settings, catalog, store, embedder))

    def search(
        self, text: str, k: int = 5, scope: Scope = "citizen", field: str = "", agency: str = ""
    ) -> SearchResponse:
        return self.retriever.search(text, k=k, scope=scope, field=field, agency=agency)

    def ask(self, question: str, scope: Scope = "citizen") -> Answer:
        response = self.search(question, k=3, scope=scope)
        items: dict[str, Procedure | Guide] = {**self.catalog.procedures, **self.catalog.guides}
        return compose(response.query.text, response, items)
