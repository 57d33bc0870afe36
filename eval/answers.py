"""`tthc eval answers`: key-fact recall, citation validity, unsupported numbers, out-of-scope handling, latency."""

from __future__ import annotations

import statistics
import time
from typing import Any

from bot.grounding import CITE, claimed_numbers, full_text, numbers_in
from eval.retrieval import load_questions


def key_facts(proc: Any) -> list[str]:
    """The facts a citizen needs: each distinct fee, each distinct time limit, the first three documents."""
    facts = list(dict.fromkeys(c.fee[:40] for c in proc.channels if c.fee))
    facts += list(dict.fromkeys(c.time for c in proc.channels if c.time))
    facts += [d.name[:40] for d in proc.documents if not d.quantity.startswith("0")][:3]
    return facts


def run_answer_eval(assistant: Any, answer_fn: Any = None) -> str:
    return format_report(answer_metrics(assistant, answer_fn))


def answer_metrics(assistant: Any, answer_fn: Any = None) -> dict[str, Any]:
    answer_fn = answer_fn or assistant.ask
    questions = load_questions()
    procedures = assistant.catalog.procedures
    items = assistant.catalog.items
    recalls, latencies = [], []
    citations = valid = unsupported = oos_total = oos_ok = 0
    for item in questions:
        t0 = time.perf_counter()
        answer = answer_fn(item["q"])
        latencies.append((time.perf_counter() - t0) * 1000)
        if not item["codes"]:
            oos_total += 1
            oos_ok += not answer.in_scope and not answer.sources
            continue
        cited = CITE.findall(answer.answer)
        source_codes = {s.procedure_id for s in answer.sources}
        citations += len(cited)
        valid += sum(c in source_codes for c in cited)
        known = set().union(*(numbers_in(full_text(items[c])) for c in source_codes if c in items))
        unsupported += sum(numbers_in(n).isdisjoint(known) for n in claimed_numbers(answer.answer))
        top = answer.sources[0].procedure_id if answer.sources else ""
        if top in item["codes"] and top in procedures:
            facts = key_facts(procedures[top])
            recalls.append(sum(f in answer.answer for f in facts) / len(facts) if facts else 1.0)
        else:
            recalls.append(0.0)
    lat = sorted(latencies)
    return {
        "questions": len(questions), "in_scope": len(questions) - oos_total,
        "key_fact_recall": statistics.mean(recalls),
        "citations": citations, "valid_citations": valid, "unsupported_numbers": unsupported,
        "oos_total": oos_total, "oos_ok": oos_ok, "p50_ms": statistics.median(lat),
        "p95_ms": lat[int(0.95 * (len(lat) - 1))],
    }


def format_report(m: dict[str, Any]) -> str:
    return "\n".join([
        f"questions: {m['questions']} ({m['in_scope']} in scope)",
        f"key-fact recall (fee, time limit, first documents of the expected procedure): {m['key_fact_recall']:.3f}",
        f"citation validity: {m['valid_citations']}/{m['citations']} = "
        f"{m['valid_citations'] / max(m['citations'], 1):.3f}",
        f"numbers not found in the cited sources: {m['unsupported_numbers']}",
        f"out-of-scope handled (no procedure passed off): {m['oos_ok']}/{m['oos_total']}",
        f"latency: p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms",
    ])
