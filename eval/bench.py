"""`tthc bench`: search and answer latency, start-up time and memory, printed as figures."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.settings import Settings
from eval.retrieval import load_questions
from eval.stats import p50_p95


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(settings: Settings, full_ingest: bool = False, rounds: int = 3) -> str:
    from bot.assistant import Assistant

    lines = []
    if full_ingest:
        lines += _bench_ingest(settings)
    t0 = time.perf_counter()
    assistant = Assistant.build(settings)
    startup = time.perf_counter() - t0
    questions = [q["q"] for q in load_questions()]
    assistant.search(questions[0])
    search_ms: list[float] = []
    ask_ms: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            assistant.search(q)
            search_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            assistant.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
    s50, s95 = p50_p95(search_ms)
    a50, a95 = p50_p95(ask_ms)
    lines += [
        f"procedures {len(assistant.catalog.procedures)}, guides {len(assistant.catalog.guides)}, "
        f"dense chunks {assistant.store.count()}, keyword chunks {len(assistant.catalog.keyword.ids)}",
        f"start-up (load catalog, keyword index, embedder, Chroma): {startup:.2f} s",
        f"search latency, warm, {len(search_ms)} queries: p50 {s50:.1f} ms, p95 {s95:.1f} ms",
        f"ask (search + extractive answer), warm: p50 {a50:.1f} ms, p95 {a95:.1f} ms",
        *_search_stages(assistant, questions),
        f"peak RSS of this process: {_rss_mb():.0f} MB",
    ]
    return "\n".join(lines)


def _search_stages(assistant: Any, questions: list[str]) -> list[str]:
    """Where a search's time goes: each stage timed on its own, as `Retriever.signals` runs it."""
    from bot.search.query import parse_query
    from bot.search.retrieval import PASSAGE_KIND, QUESTION_KIND

    retriever, catalog, settings = assistant.retriever, assistant.catalog, assistant.settings
    stages: dict[str, list[float]] = {"parse": [], "keyword": [], "embed": [], "dense passages": [],
                                      "dense phrasings": []}

    def timed(stage: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        stages[stage].append((time.perf_counter() - t) * 1000)
        return out

    def keyword_side(query: Any) -> Any:
        return catalog.keyword.search(retriever.keyword_terms(query), k=300)

    for q in questions:
        query = timed("parse", parse_query, q, catalog.lexicon)
        if query.blocked:
            continue
        timed("keyword", keyword_side, query)
        vectors = timed("embed", assistant.embedder.embed_queries, [query.expanded, q])
        timed("dense passages", retriever.nearest, vectors[0], settings.dense_candidates, PASSAGE_KIND)
        timed("dense phrasings", retriever.nearest, vectors[1], settings.dense_candidates, QUESTION_KIND)
    parts = []
    for stage, ms in stages.items():
        p50, p95 = p50_p95(ms)
        parts.append(f"{stage} {p50:.1f}/{p95:.1f}")
    return [f"search stages, p50/p95 ms (keyword tokenizer {catalog.keyword.tokenizer}): " + ", ".join(parts)]


def _bench_ingest(settings: Settings) -> list[str]:
    from bot.search.embedders import build_embedder
    from bot.search.vectors import build_store
    from ingest.pipeline import ingest

    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
        fresh = settings.model_copy(update={"var_dir": Path(tmp)})
        embedder = build_embedder(fresh)
        store = build_store(fresh, embedder)
        first = ingest(fresh.knowledge_dir, fresh.index_dir, store, embedder)
        again = ingest(fresh.knowledge_dir, fresh.index_dir, store, embedder)
    return [
        f"full ingest from scratch: {first.files} files, {first.dense_chunks} dense + {first.keyword_chunks} keyword "
        f"chunks in {first.seconds:.1f} s ({first.dense_chunks / first.seconds:.1f} dense chunks/s)",
        f"re-ingest with nothing changed: {again.seconds:.1f} s (embedded {again.embedded_files})",
    ]
