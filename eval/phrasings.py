"""`tthc eval phrasings`: which e5 prefix to embed citizen phrasings with, for question-to-question matching,
and whether to match whole texts or their topics (`bot.search.topic`: what is asked dropped).

Every phrasing in the catalog is embedded as a passage ("passage: ") and as a query ("query: "), whole and on
its topic; each question of the main and old held-out sets (never heldout2) is embedded as a query the same way,
and its nearest phrasings vote for their procedures. Reports recall@1 and @3 of that vote, per way.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bot.search.topic import topic_of
from eval.retrieval import SETS, load_questions


def run_phrasing_eval(assistant: Any, sets: tuple[str, ...] = ("main", "heldout")) -> str:
    codes, texts = [], []
    for code, proc in assistant.catalog.procedures.items():
        for question in proc.questions:
            codes.append(code)
            texts.append(question)
    if not texts:
        return "no citizen phrasings in the catalog: run `tthc ingest` after adding `questions:` to knowledge files"
    questions = [q for name in sets for q in load_questions(SETS[name]) if q["codes"]]
    embedder = assistant.embedder
    lines = [f"{len(texts)} phrasings of {len(set(codes))} procedures; {len(questions)} in-scope questions "
             f"from {', '.join(sets)}"]
    for way in ("whole", "topic"):
        def shaped(items: list[str], way: str = way) -> list[str]:
            return [topic_of(t) for t in items] if way == "topic" else items

        asked = embedder.embed_queries(shaped([q["q"] for q in questions]))
        for prefix in ("passage", "query"):
            t0 = time.perf_counter()
            vectors = (embedder.embed_passages(shaped(texts)) if prefix == "passage"
                       else embedder.embed_queries(shaped(texts)))
            seconds = time.perf_counter() - t0
            r1, r3 = _vote(asked @ vectors.T, codes, questions)
            lines.append(f"  {way} texts, phrasings embedded as {prefix:<7}: recall@1 {r1:.3f}, recall@3 {r3:.3f} "
                         f"(embedding {seconds:.1f} s)")
    return "\n".join(lines)


def _vote(sims: np.ndarray, codes: list[str], questions: list[dict[str, Any]]) -> tuple[float, float]:
    """Recall@1 and @3 when each question's nearest phrasings (rows of `sims`) vote for their procedures."""
    r1 = r3 = 0
    for row, item in zip(sims, questions, strict=True):
        ranked: list[str] = []
        for i in np.argsort(-row):
            if codes[i] not in ranked:
                ranked.append(codes[i])
            if len(ranked) == 3:
                break
        r1 += ranked[0] in item["codes"]
        r3 += any(c in item["codes"] for c in ranked)
    return r1 / len(questions), r3 / len(questions)
