"""Generators turn retrieved procedures into an answer. One interface, chosen by `TTHC_GENERATOR`:

- `extractive` (default): the cited card from `bot.answers.extractive`; no model, always there, and the fallback.
- `openai`: any OpenAI-compatible endpoint through langchain-openai (vLLM, Ollama, llama.cpp server, hosted).
- `llamacpp`: a local GGUF model through llama-cpp-python (`pip install -e '.[llm]'`).

LLM answers are checked sentence by sentence (`bot.answers.grounding`) while they stream; when the model fails, is
slow, or nothing it wrote survives the checks, the citizen gets the extractive answer instead. Backends
register a factory in `GENERATORS` (`bot.backends`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from bot.answers.aspects import detect_aspects
from bot.answers.grounding import Item, StreamChecker, build_messages, condense_messages
from bot.answers.messages import LABELS
from bot.answers.types import Answer, Source
from bot.backends import Backends
from bot.search.language import detect_language
from bot.search.retrieval import SearchResponse
from bot.settings import Settings

log = logging.getLogger(__name__)

Fallback = Callable[[], Answer]
SOURCE_MARGIN = 0.1  # fused-score distance from the top result within which a result joins the prompt


class ChatModel(Protocol):
    """What we need of a LangChain chat model: `stream(messages)` yielding chunks with `.content`."""

    def stream(self, input: Any, **kwargs: Any) -> Iterator[Any]:
        """The reply to (role, text) messages, piece by piece; may raise anything a remote model raises."""
        ...


class Generator(Protocol):
    """Writes the answer to a retrieved question. `name` is what `Answer.generator` reports when it wrote the
    text; every implementation must end its stream with exactly one Answer and never raise for a model's
    failure (it falls back instead)."""

    name: str

    def stream(self, question: str, response: SearchResponse, items: dict[str, Item], fallback: Fallback,
               pinned: Item | None = None) -> Iterator[str | Answer]:
        """Checked text as it is ready, then one final Answer (the only thing that must be shown); `fallback`
        gives the extractive answer."""
        ...

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        """A standalone question from a follow-up and the turns before it; "" when the generator can't."""
        ...


class ExtractiveGenerator:
    name = "extractive"

    def stream(self, question: str, response: SearchResponse, items: dict[str, Item], fallback: Fallback,
               pinned: Item | None = None) -> Iterator[str | Answer]:
        yield fallback()

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        return ""


class Deadline(Exception):
    """The model took longer than the settings allow."""


class GroundedGenerator:
    """A LangChain chat model whose every sentence is checked before it is passed on; falls back to extractive."""

    def __init__(self, model: ChatModel, name: str = "llm", max_sources: int = 2, source_chars: int = 900,
                 first_token_seconds: float = 30.0, deadline_seconds: float = 60.0) -> None:
        self.model = model
        self.name = name
        self.max_sources = max_sources
        self.source_chars = source_chars
        self.first_token_seconds = first_token_seconds
        self.deadline_seconds = deadline_seconds
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _tokens(self, messages: list[tuple[str, str]], stats: dict[str, float]) -> Iterator[str]:
        """The model's text, piece by piece; raises Deadline when it is too slow."""
        t0 = time.perf_counter()
        stream = self.model.stream(messages)
        try:
            for chunk in stream:
                elapsed = time.perf_counter() - t0
                token = str(getattr(chunk, "content", chunk))
                if not token:
                    continue
                if "first_token_s" not in stats:
                    stats["first_token_s"] = elapsed
                    if elapsed > self.first_token_seconds:
                        raise Deadline(f"first token after {elapsed:.1f} s")
                if elapsed > self.deadline_seconds:
                    raise Deadline(f"still writing after {elapsed:.1f} s")
                stats["chunks"] = stats.get("chunks", 0) + 1
                yield token
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()  # stops a local model from generating further
            stats["seconds"] = time.perf_counter() - t0

    def stream(self, question: str, response: SearchResponse, items: dict[str, Item], fallback: Fallback,
               pinned: Item | None = None) -> Iterator[str | Answer]:
        if not response.in_scope or not response.confident or not (response.results or pinned):
            yield fallback()  # guardrails and "not covered" messages never reach the model
            return
        if pinned:  # a follow-up is about the procedure the conversation is on, and only that
            sources = [pinned]
        else:  # the top result, and others only when retrieval rates them nearly as high: a small model
            # given a special variant ("... có yếu tố nước ngoài") too readily answers from it
            top = response.results[0].score
            sources = [items[r.code] for r in response.results if r.score >= top - SOURCE_MARGIN][: self.max_sources]
        language = detect_language(question)
        label = LABELS.get(language, LABELS["en"])["link"]
        checker = StreamChecker(sources, self.source_chars, attribution=f"{label}: «{sources[0].title}» "
                                                                        f"[{sources[0].code}]")
        stats: dict[str, float] = {}
        try:
            for token in self._tokens(build_messages(question, sources, language, self.source_chars), stats):
                yield from checker.feed(token)
            yield from checker.close()
        except Exception as exc:  # a remote model fails in many ways; the citizen never sees them
            log.warning("generator %s failed (%s); answering extractively", self.name, type(exc).__name__)
            self._count("timeout" if isinstance(exc, Deadline) else "error")
            self._count("fallback")
            yield self._marked(fallback(), stats)
            return
        result = checker.result
        if not result.text or not result.cited or not result.substantive:
            log.info("generator %s: nothing checked survived (dropped %d); answering extractively",
                     self.name, result.dropped)
            self._count("fallback")
            yield self._marked(fallback(), stats)
            return
        self._count("repaired" if result.repaired else "ok")
        cited = [s for s in sources if s.code in result.cited]
        aspects = detect_aspects(response.query.folded)
        yield Answer(question, result.text, language, True,
                     [Source(c.code, c.title, c.source_url, "tong-quan") for c in cited],
                     aspect=aspects[0] if aspects else "", reason="generated",
                     state={"active": cited[0].code, "aspect": aspects[0] if aspects else ""},
                     generator=self.name, stats=stats)

    def _marked(self, answer: Answer, stats: dict[str, float]) -> Answer:
        answer.stats = {**stats, "fallback": 1.0}
        return answer

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        stats: dict[str, float] = {}
        try:
            text = "".join(self._tokens(condense_messages(question, history), stats))
        except Exception as exc:
            log.warning("generator %s could not condense (%s)", self.name, type(exc).__name__)
            self._count("condense_failed")
            return ""
        lines = [x.strip().strip('"“”«»').strip() for x in text.strip().splitlines() if x.strip()]
        line = lines[0] if lines else ""
        for prefix in ("Câu hỏi:", "Câu hỏi đã viết lại:", "Question:"):
            if line.lower().startswith(prefix.lower()):
                line = line[len(prefix):].strip()
        if not 3 <= len(line) <= 300:
            self._count("condense_failed")
            return ""
        self._count("condensed")
        return line


GENERATORS: Backends[Generator] = Backends("generator", "TTHC_GENERATOR")


def build_generator(settings: Settings) -> Generator:
    return GENERATORS.build(settings.generator, settings)


def grounded(model: ChatModel, name: str, settings: Settings) -> GroundedGenerator:
    return GroundedGenerator(model, name, max_sources=settings.llm_sources, source_chars=settings.llm_source_chars,
                             first_token_seconds=settings.llm_first_token_seconds,
                             deadline_seconds=settings.llm_deadline_seconds)


@GENERATORS.register("extractive")
def _extractive(settings: Settings) -> Generator:
    return ExtractiveGenerator()


@GENERATORS.register("openai")
def _openai(settings: Settings) -> Generator:
    from bot.answers.llm import openai_chat

    return grounded(openai_chat(settings), "openai", settings)


@GENERATORS.register("llamacpp")
def _llamacpp(settings: Settings) -> Generator:
    from bot.answers.llm import llamacpp_chat

    return grounded(llamacpp_chat(settings), "llamacpp", settings)
