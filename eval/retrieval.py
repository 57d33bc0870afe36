"""`tthc eval retrieval`: our hybrid retriever against a plain LangChain baseline on the same questions."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.settings import Settings
from eval.stats import p50_p95

DATA_DIR = Path(__file__).parent / "data"
DATA = DATA_DIR / "questions.jsonl"
# heldout2 is frozen: never tune on it (eval/data/heldout2.md)
SETS = {"main": DATA, "heldout": DATA_DIR / "heldout.jsonl", "heldout2": DATA_DIR / "heldout2.jsonl",
        "dev": DATA_DIR / "dev.jsonl",  # dev: for tuning (eval/data/dev.md)
        "dev_oos": DATA_DIR / "dev_oos.jsonl",  # out of scope only, for tuning (eval/data/dev_oos.md)
        "dev_oos2": DATA_DIR / "dev_oos2.jsonl",  # the same, written in session 8 (eval/data/dev_oos2.md)
        "dev_oos3": DATA_DIR / "dev_oos3.jsonl",  # the same, written in session 11 (eval/data/dev_oos3.md)
        "dev_oos4": DATA_DIR / "dev_oos4.jsonl",  # a check, never tuned on (eval/data/dev_oos4.md)
        "dev_oos5": DATA_DIR / "dev_oos5.jsonl",  # a check, written in session 12 (eval/data/dev_oos5.md)
        "dev_oos6": DATA_DIR / "dev_oos6.jsonl",  # for tuning, written in session 13 (eval/data/dev_oos6.md)
        "dev_oos7": DATA_DIR / "dev_oos7.jsonl",  # for tuning, written in session 14 (eval/data/dev_oos7.md)
        "dev_oos8": DATA_DIR / "dev_oos8.jsonl",  # for tuning, session 14, mostly injections (eval/data/dev_oos8.md)
        "dev_oos9": DATA_DIR / "dev_oos9.jsonl",  # for tuning, session 14, near the domain (eval/data/dev_oos9.md)
        "dev_oos10": DATA_DIR / "dev_oos10.jsonl",  # for tuning, session 14, en/de/vi without diacritics
        "dev_oos11": DATA_DIR / "dev_oos11.jsonl",  # for tuning, session 21 (eval/data/dev_oos11.md)
        "dev_oos12": DATA_DIR / "dev_oos12.jsonl",  # a check, session 21 (eval/data/dev_oos12.md)
        "dev2": DATA_DIR / "dev2.jsonl",  # in scope, a check, written in session 12 (eval/data/dev2.md)
        "dev3": DATA_DIR / "dev3.jsonl"}  # in scope, a second check, written in session 17 (eval/data/dev3.md)


def load_questions(path: Path = DATA) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


Search = Callable[[str], tuple[bool, list[str], bool]]


def score(questions: list[dict[str, Any]], search: Search) -> dict[str, Any]:
    """search(q) -> (in_scope, ranked codes, confident). Returns recall@k, MRR, out-of-scope P/R, latency, and
    what a citizen would see: answered with the wrong procedure ("confident and wrong"), offered choices (and
    whether the right procedure was among the first three), or refused."""
    hits = {1: 0, 3: 0, 5: 0}
    confident_wrong = choices = choices_right = refused = 0
    rr: list[float] = []
    latencies: list[float] = []
    tp = fp = fn = 0
    misses: list[str] = []
    search(questions[0]["q"])  # warm
    for item in questions:
        t0 = time.perf_counter()
        in_scope, codes, confident = search(item["q"])
        latencies.append((time.perf_counter() - t0) * 1000)
        expected = set(item["codes"])
        if not expected:  # an out-of-scope question
            tp += not in_scope
            fn += in_scope
            if in_scope:
                misses.append(f"{item['q']} -> {codes[:3]} (want a refusal)")
            continue
        fp += not in_scope
        refused += not in_scope
        rank = next((i for i, c in enumerate(codes, 1) if c in expected), None)
        if in_scope and confident:
            confident_wrong += rank != 1
        elif in_scope:
            choices += 1
            choices_right += bool(rank and rank <= 3)
        for k in hits:
            hits[k] += bool(rank and rank <= k)
        rr.append(1.0 / rank if rank else 0.0)
        if rank != 1:
            misses.append(f"{item['q']} -> {codes[:3]} (want {sorted(expected)})")
    answerable = len(rr)
    n = answerable or 1  # a set of out-of-scope questions only (dev_oos) has no recall to report: 0
    p50, p95 = p50_p95(latencies)
    return {
        "questions": len(questions),
        "in_scope_questions": answerable,
        "recall@1": hits[1] / n,
        "recall@3": hits[3] / n,
        "recall@5": hits[5] / n,
        "mrr": sum(rr) / n,
        "oos_precision": tp / (tp + fp) if tp + fp else 0.0,
        "oos_recall": tp / (tp + fn) if tp + fn else 0.0,
        "latency_p50_ms": p50,
        "latency_p95_ms": p95,
        "confident_wrong": confident_wrong / n,
        "choices": choices / n,
        "right_in_choices": choices_right / choices if choices else 1.0,
        "in_scope_refused": refused / n,
        "misses": misses,
    }


class LangChainBaseline:
    """RecursiveCharacterTextSplitter(1000/200) over each procedure's text, the same embedder, Chroma top-k."""

    def __init__(self, assistant: Any, settings: Settings, limit_codes: set[str] | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.embeddings import Embeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        embedder = assistant.embedder

        class _Emb(Embeddings):
            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return embedder.embed_passages(texts).tolist()

            def embed_query(self, text: str) -> list[float]:
                return embedder.embed_queries([text])[0].tolist()

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        texts: list[str] = []
        metas: list[dict[str, str]] = []
        items = assistant.catalog.items
        for code, item in items.items():
            if limit_codes is not None and code not in limit_codes:
                continue
            body = item.body if hasattr(item, "body") else _procedure_text(item)
            for chunk in splitter.split_text(f"{item.title}\n{body}"):
                texts.append(chunk)
                metas.append({"code": code})
        client = chromadb.PersistentClient(
            path=str(settings.var_dir / "baseline-chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.store = Chroma(collection_name="baseline", embedding_function=_Emb(), client=client)
        if client.get_collection("baseline").count() != len(texts):
            client.delete_collection("baseline")
            self.store = Chroma(collection_name="baseline", embedding_function=_Emb(), client=client)
            for i in range(0, len(texts), 256):
                self.store.add_texts(texts[i : i + 256], metadatas=metas[i : i + 256])
        self.chunks = len(texts)

    def search(self, q: str) -> tuple[bool, list[str], bool]:
        docs = self.store.similarity_search(q, k=20)
        codes = list(dict.fromkeys(d.metadata["code"] for d in docs))
        return True, codes[:5], True


def _procedure_text(proc: Any) -> str:
    parts = [proc.applicants, proc.result]
    parts += [f"{d.name} {d.quantity}" for d in proc.documents]
    parts += [f"{c.channel} {c.time} {c.fee} {c.note}" for c in proc.channels]
    parts += [f"{r.title} {r.number}" for r in proc.legal_basis]
    parts += list(proc.sections.values())
    return "\n".join(p for p in parts if p)


def run_eval(
    assistant: Any, settings: Settings, with_baseline: bool = True, baseline_scope: str = "eval", name: str = "main"
) -> dict[str, Any]:
    questions = load_questions(SETS[name])

    def ours(q: str) -> tuple[bool, list[str], bool]:
        res = assistant.search(q, k=5)
        return res.in_scope, [r.code for r in res.results], res.confident

    report: dict[str, Any] = {"hybrid": score(questions, ours)}
    halves = sorted({q["half"] for q in questions if q.get("half") and q["codes"]})
    if halves:  # heldout2: the most-asked and the less common procedures, reported apart
        report["halves"] = {h: score([q for q in questions if q.get("half") == h], ours) for h in halves}
    if with_baseline:
        # Embedding every procedure's full text takes about an hour on 2 cores; by default the baseline
        # indexes the commune-level procedures, the guides and every procedure the set names (a subset
        # that only makes the baseline's task easier).
        limit: set[str] | None = None
        if baseline_scope == "eval":
            limit = {c for path in SETS.values() if path.exists() for q in load_questions(path) for c in q["codes"]}
            limit = {c for c in limit if c in assistant.catalog.items}
            limit |= {c for c, p in assistant.catalog.procedures.items() if p.is_commune}
            limit |= set(assistant.catalog.guides)
        t0 = time.perf_counter()
        baseline = LangChainBaseline(assistant, settings, limit)
        report["baseline_build_s"] = time.perf_counter() - t0
        report["baseline_chunks"] = baseline.chunks
        report["baseline"] = score(questions, baseline.search)
    report["set"] = name
    report["table"] = table(report)
    return report


def table(report: dict[str, Any]) -> str:
    cols = [c for c in ("hybrid", "baseline") if c in report]
    keys = ["recall@1", "recall@3", "recall@5", "mrr", "oos_precision", "oos_recall", "confident_wrong", "choices",
            "right_in_choices", "in_scope_refused", "latency_p50_ms", "latency_p95_ms"]
    lines = [f"{'metric':<16}" + "".join(f"{c:>12}" for c in cols)]
    for k in keys:
        lines.append(f"{k:<16}" + "".join(f"{report[c][k]:>12.3f}" for c in cols))
    h = report["hybrid"]
    lines.append(f"set: {report['set']}, questions: {h['questions']} ({h['in_scope_questions']} in scope)")
    for half, s in report.get("halves", {}).items():
        lines.append(f"  half {half:<5} ({s['in_scope_questions']} q): recall@1 {s['recall@1']:.3f}, "
                     f"recall@3 {s['recall@3']:.3f}, recall@5 {s['recall@5']:.3f}, mrr {s['mrr']:.3f}, "
                     f"confident-wrong {s['confident_wrong']:.3f}, choices {s['choices']:.3f}")
    if "baseline" in report:
        lines.append(
            f"baseline: {report['baseline_chunks']} chunks of 1000/200, built in {report['baseline_build_s']:.0f} s"
        )
    if h["misses"]:
        lines.append("hybrid misses at rank 1:")
        lines.extend(f"  {m}" for m in h["misses"])
    return "\n".join(lines)
