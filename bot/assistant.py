"""The answering core in one object: built once (heavy parts inside), then asked many times."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer import Answer, compose, follow_up, is_follow_up
from bot.catalog import Catalog
from bot.embedder import Embedder, build_embedder
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

    def ask(self, question: str, scope: Scope = "citizen", state: dict[str, str] | None = None) -> Answer:
        """Answer a question; `state` (from the previous answer) lets a short follow-up such as
        "còn lệ phí?" be answered from the procedure the conversation is about."""
        response = self.search(question, k=3, scope=scope)
        active = (state or {}).get("active", "")
        if active in self.catalog.procedures and is_follow_up(response.query):
            return follow_up(response.query.text, response.query.folded, self.catalog.procedures[active],
                             (state or {}).get("aspect", ""))
        return compose(response.query.text, response, self.catalog.items)
