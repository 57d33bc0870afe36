"""`tthc eval answers`: key-fact recall, citation validity, unsupported numbers, out-of-scope handling, latency,
and for an LLM generator its fallback rate, time to first token and tokens/s.

Works for any generator: it asks `assistant.ask` (or `answer_fn`) and reads the Answer it returns.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from datetime import date
from typing import Any

from bot.answers.aspects import detect_aspects
from bot.answers.brief import summary_of
from bot.answers.fees import fees_in_force, money
from bot.answers.grounding import CITE, claimed_numbers, full_text, numbers_in, plain_number
from bot.text import fold
from eval.retrieval import DATA, load_questions
from eval.stats import percentile


def key_facts(proc: Any, aspects: list[str] | None = None) -> list[str]:
    """The facts a citizen needs, from the procedure's citizen summary: the fee in force today (each amount, or
    "miễn" for a free filing), each stated time limit, the first three core documents and the receiving office.
    A question that asks for some of them (time, fee, documents, where) is scored on those only."""
    summary = summary_of(proc)
    fees = []
    for fee in fees_in_force(summary, date.today()):
        if fee.amount is not None:
            fees.append("miễn" if fee.amount == 0 else money(fee.amount))
        elif fee.free:  # the text's own words when it has them ("Không thu phí, lệ phí"), else "miễn lệ phí"
            fees.append(fee.text[:20] if fee.text else "miễn")
    facts = {"fee": list(dict.fromkeys(fees)),
             "time": list(dict.fromkeys(t.text for t in summary.time if t.text)),
             "documents": [d.name for d in summary.documents][:3],
             "where": [summary.where.office] if summary.where.office else []}
    asked = [a for a in aspects or [] if a in facts]
    return [f for name in (asked or list(facts)) for f in facts[name]]


def spread(questions: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """`limit` questions evenly spaced through the set (so in-scope and out-of-scope ones in proportion)."""
    if not limit or limit >= len(questions):
        return questions
    step = len(questions) / limit
    return [questions[int(i * step)] for i in range(limit)]


def run_answer_eval(assistant: Any, answer_fn: Any = None, limit: int | None = None, examples: int = 0) -> str:
    return format_report(answer_metrics(assistant, answer_fn, limit=limit, examples=examples))


def answer_metrics(assistant: Any, answer_fn: Any = None, limit: int | None = None, examples: int = 0,
                   path: Any = DATA) -> dict[str, Any]:
    answer_fn = answer_fn or assistant.ask
    questions = spread(load_questions(path), limit)
    procedures = assistant.catalog.procedures
    items = assistant.catalog.items
    recalls, latencies, first_tokens, rates = [], [], [], []
    citations = valid = unsupported = numbers = oos_total = oos_ok = chosen = 0
    generators: Counter[str] = Counter()
    shown: list[dict[str, str]] = []
    unsupported_detail: list[dict[str, Any]] = []
    for item in questions:
        t0 = time.perf_counter()
        answer = answer_fn(item["q"])
        latencies.append((time.perf_counter() - t0) * 1000)
        generators[answer.generator] += 1
        if "first_token_s" in answer.stats:
            first_tokens.append(answer.stats["first_token_s"] * 1000)
            writing = answer.stats.get("seconds", 0.0) - answer.stats["first_token_s"]
            if answer.stats.get("chunks", 0) > 1 and writing > 0:
                rates.append((answer.stats["chunks"] - 1) / writing)
        if not item["codes"]:
            oos_total += 1
            oos_ok += not answer.in_scope and not answer.sources
            continue
        if answer.kind == "choices":  # the answer the citizen gets by tapping the right choice, if offered
            chosen += 1
            right = next((c.procedure_id for c in answer.choices if c.procedure_id in item["codes"]), "")
            if not right:
                recalls.append(0.0)
                continue
            answer = assistant.ask(item["q"], state=answer.state, choice=right)
        cited = CITE.findall(answer.answer)
        source_codes = {s.procedure_id for s in answer.sources}
        citations += len(cited)
        valid += sum(c in source_codes for c in cited)
        known = set().union(*(numbers_in(full_text(items[c])) for c in source_codes if c in items))
        claimed = claimed_numbers(answer.answer)
        numbers += len(claimed)
        missing = [n for n in claimed if plain_number(n) not in known]
        unsupported += len(missing)
        if missing:
            unsupported_detail.append({"q": item["q"], "generator": answer.generator, "numbers": missing})
        top = answer.sources[0].procedure_id if answer.sources else ""
        if top in item["codes"] and top in procedures:
            facts = key_facts(procedures[top], detect_aspects(re.sub(r"[^\w\s]", " ", fold(item["q"]))))
            visible = answer.answer.lower()
            recalls.append(sum(f.lower() in visible for f in facts) / len(facts) if facts else 1.0)
        else:
            recalls.append(0.0)
        if len(shown) < examples and answer.generator != "extractive":
            shown.append({"q": item["q"], "answer": answer.answer})
    return {
        "questions": len(questions), "in_scope": len(questions) - oos_total,
        "key_fact_recall": statistics.mean(recalls) if recalls else 0.0,
        "citations": citations, "valid_citations": valid, "numbers": numbers, "unsupported_numbers": unsupported,
        "oos_total": oos_total, "oos_ok": oos_ok, "choices": chosen, "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95), "generators": dict(generators),
        "first_token_p50_ms": statistics.median(first_tokens) if first_tokens else None,
        "first_token_p95_ms": percentile(first_tokens, 0.95) if first_tokens else None,
        "tokens_per_s": statistics.median(rates) if rates else None,
        "counts": dict(getattr(assistant.generator, "counts", {})), "examples": shown,
        "unsupported_detail": unsupported_detail,
    }


def format_report(m: dict[str, Any]) -> str:
    lines = [
        f"questions: {m['questions']} ({m['in_scope']} in scope)",
        "answers written by: " + ", ".join(f"{g} {n}" for g, n in sorted(m["generators"].items())),
        f"key-fact recall (of the summary's fee in force, time, first documents and office; only those asked when "
        f"the question asks): {m['key_fact_recall']:.3f}",
        f"citation validity: {m['valid_citations']}/{m['citations']} = "
        f"{m['valid_citations'] / max(m['citations'], 1):.3f}",
        f"numbers found in the cited sources: {m['numbers'] - m['unsupported_numbers']}/{m['numbers']}; "
        f"not found: {m['unsupported_numbers']}",
        f"out-of-scope handled (no procedure passed off): {m['oos_ok']}/{m['oos_total']}",
        f"offered choices (scored on the answer to the right pick): {m['choices']}",
        f"latency: p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms",
    ]
    if m["counts"]:
        asked = sum(m["counts"].get(k, 0) for k in ("ok", "repaired", "fallback"))
        lines.append("LLM outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(m["counts"].items()))
                     + f"; fallback rate {m['counts'].get('fallback', 0) / max(asked, 1):.2f} of {asked} asked")
    if m["first_token_p50_ms"] is not None:
        rate = f"{m['tokens_per_s']:.1f}" if m["tokens_per_s"] else "n/a"
        lines.append(f"time to first token: p50 {m['first_token_p50_ms'] / 1000:.1f} s, "
                     f"p95 {m['first_token_p95_ms'] / 1000:.1f} s; writing speed p50 {rate} tokens/s")
    for miss in m["unsupported_detail"]:
        lines.append(f"  not found ({miss['generator']}): {', '.join(miss['numbers'])} in the answer to «{miss['q']}»")
    for ex in m["examples"]:
        lines += ["", f"Q: {ex['q']}", "A: " + ex["answer"].replace("\n", "\n   ")]
    return "\n".join(lines)
