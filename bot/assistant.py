"""The answering core in one object: built once (embedder, vector store, generator inside), then asked many
times. It keeps no conversation: `bot.conversation` owns sessions and storage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot.answers.aspects import is_follow_up
from bot.answers.extractive import compose, follow_up
from bot.answers.generators import Generator, build_generator
from bot.answers.types import Answer
from bot.knowledge.communes import Locality
from bot.knowledge.models import Procedure
from bot.search.catalog import Catalog
from bot.search.embedders import Embedder, build_embedder
from bot.search.retrieval import Retriever, Scope, SearchResponse
from bot.search.vectors import Store, build_store
from bot.settings import Settings


@dataclass
class Assistant:
    settings: Settings
    embedder: Embedder
    store: Store
    catalog: Catalog
    retriever: Retriever
    generator: Generator

    def reload(self) -> Assistant:
        """A fresh assistant on the same embedder, store and generator, with the catalog as ingest last wrote it."""
        return Assistant.build(self.settings, embedder=self.embedder, store=self.store, generator=self.generator)

    @classmethod
    def build(cls, settings: Settings, embedder: Embedder | None = None, store: Store | None = None,
              generator: Generator | None = None) -> Assistant:
        embedder = embedder or build_embedder(settings)
        store = store or build_store(settings, embedder)
        catalog = Catalog.load(settings.index_dir)
        generator = generator or build_generator(settings)
        return cls(settings, embedder, store, catalog, Retriever(settings, catalog, store, embedder), generator)

    def search(
        self, text: str, k: int = 5, scope: Scope = "citizen", field: str = "", agency: str = ""
    ) -> SearchResponse:
        return self.retriever.search(text, k=k, scope=scope, field=field, agency=agency)

    def ask(self, question: str, scope: Scope = "citizen", state: dict[str, str] | None = None,
            history: list[tuple[str, str]] | None = None, choice: str | None = None,
            locality: Locality | None = None, today: date | None = None) -> Answer:
        """The final answer of `stream` (see there)."""
        final = [x for x in self.stream(question, scope, state, history, choice, locality, today)
                 if isinstance(x, Answer)]
        return final[-1]

    def stream(self, question: str, scope: Scope = "citizen", state: dict[str, str] | None = None,
               history: list[tuple[str, str]] | None = None, choice: str | None = None,
               locality: Locality | None = None, today: date | None = None) -> Iterator[str | Answer]:
        """Checked pieces of the answer as they are ready, then the final Answer.

        `state` (from the previous answer) and `history` (earlier questions and answers) let a follow-up such
        as "còn lệ phí?" be answered about the procedure the conversation is on: an LLM generator condenses
        it into a standalone question; without one (or if condensing fails) the aspect asked is answered from
        the active procedure's card. After choices, `choice` (a procedure code) or a reply "1", "2", "3"
        answers the question that was asked with the procedure picked. `locality`: the commune the citizen asks
        from ("where" names its center); `today`: the day whose fee is in force (default: today).
        """
        items = self.catalog.items
        picked = choice or picked_choice(question, state or {})
        if picked:
            asked = (state or {}).get("question") or question
            pinned = self.retriever.pinned(asked, picked)  # an unknown code raises here
            return self.generator.stream(asked, pinned, items,
                                         fallback=lambda: compose(asked, pinned, items, locality, today))
        response = self.search(question, k=3, scope=scope)  # bad questions raise here, before any streaming
        active = self.catalog.procedures.get((state or {}).get("active", ""))
        if active is not None and is_follow_up(response.query):
            return self._follow_up(response, active, (state or {}).get("aspect", ""), history or [], scope,
                                   locality, today)
        return self.generator.stream(response.query.text, response, items,
                                     fallback=lambda: compose(response.query.text, response, items, locality, today))

    def _follow_up(self, response: SearchResponse, active: Procedure, previous_aspect: str,
                   history: list[tuple[str, str]], scope: Scope, locality: Locality | None,
                   today: date | None) -> Iterator[str | Answer]:
        def card() -> Answer:
            return follow_up(response.query.text, response.query.folded, active, previous_aspect, locality, today)

        standalone = self.generator.condense(response.query.text, history) if history else ""
        if standalone:
            condensed = self.search(standalone, k=3, scope=scope)
            if condensed.in_scope:
                for piece in self.generator.stream(standalone, condensed, self.catalog.items, fallback=card,
                                                   pinned=active):
                    if isinstance(piece, Answer):
                        piece.question = response.query.text  # what the citizen asked, not the rewrite
                        piece.state["condensed"] = standalone
                    yield piece
                return
        yield card()


def picked_choice(reply: str, state: dict[str, str]) -> str:
    """After choices: the code the reply picks ("2", "2.", or the code itself), else ""."""
    offered = [c for c in state.get("choices", "").split(",") if c]
    text = reply.strip().rstrip(".)").strip()
    if text.isdigit() and 1 <= int(text) <= len(offered):
        return offered[int(text) - 1]
    return text if text in offered else ""
