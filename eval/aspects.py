"""Aspect-first accuracy and answer length (`tthc eval answers`, set `eval/data/aspects.jsonl`).

A citizen asks one or two things (documents, time, fee, where); the line passes when every expected fact stands
in the first 400 characters of the answer. The matching rule is written down in eval/data/aspects.md.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.answers.extractive import follow_up
from eval.retrieval import DATA_DIR, load_questions
from eval.stats import percentile

ASPECTS = DATA_DIR / "aspects.jsonl"
PREFIX = 400


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<=\d)[.,](?=\d)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def passes(answer: str, facts: dict[str, list[list[str]]]) -> dict[str, bool]:
    """Per asked aspect: are all its facts (any alternative each) in the first 400 characters?"""
    head = normalise(answer[:PREFIX])
    return {aspect: all(any(normalise(alt) in head for alt in alts) for alts in required)
            for aspect, required in facts.items()}


def aspect_metrics(assistant: Any, ask: Callable[[str], Any] | None = None, path: Any = ASPECTS) -> dict[str, Any]:
    """Accuracy overall, per aspect, one vs two aspects; answer lengths; misses. Choices count as the answer the
    citizen gets by tapping the right one, when it is offered."""
    ask = ask or assistant.ask
    lines = load_questions(path)
    ok = 0
    per_aspect: dict[str, list[bool]] = defaultdict(list)
    by_count: dict[int, list[bool]] = defaultdict(list)
    lengths: list[float] = []
    misses: list[dict[str, Any]] = []
    for line in lines:
        answer = ask(line["q"])
        if answer.kind == "choices" and any(c.procedure_id == line["code"] for c in answer.choices):
            answer = assistant.ask(line["q"], state=answer.state, choice=line["code"])
        text = answer.answer
        lengths.append(len(text))
        met = passes(text, line["facts"])
        right_procedure = any(s.procedure_id == line["code"] for s in answer.sources[:1])
        good = right_procedure and all(met.values())
        ok += good
        by_count[len(line["asks"])].append(good)
        for aspect, hit in met.items():
            per_aspect[aspect].append(hit and right_procedure)
        if not good:
            misses.append({"q": line["q"], "code": line["code"], "got": answer.sources[0].procedure_id
                           if answer.sources else answer.kind, "missing": [a for a, hit in met.items() if not hit]})
    return {
        "questions": len(lines), "aspect_first": ok / max(len(lines), 1),
        "per_aspect": {a: sum(v) / len(v) for a, v in sorted(per_aspect.items())},
        "by_count": {n: sum(v) / len(v) for n, v in sorted(by_count.items())},
        "length_median": statistics.median(lengths) if lengths else 0, "length_p95": percentile(lengths, 0.95),
        "misses": misses,
    }


def format_aspects(m: dict[str, Any]) -> str:
    lines = [
        f"aspect-first (expected fact in the first {PREFIX} characters, right procedure): {m['aspect_first']:.3f} "
        f"of {m['questions']}",
        "  per aspect: " + ", ".join(f"{a} {v:.2f}" for a, v in m["per_aspect"].items())
        + "; by aspects asked: " + ", ".join(f"{n}: {v:.2f}" for n, v in m["by_count"].items()),
        f"answer length: median {m['length_median']:.0f} characters, p95 {m['length_p95']:.0f}",
    ]
    for miss in m["misses"]:
        lines.append(f"  miss: «{miss['q']}» expected {miss['code']}, got {miss['got']}; missing {miss['missing']}")
    return "\n".join(lines)


def fee_in_force_metrics(procedures: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """On every procedure whose summary has a dated reduction in force today: does the fee answer give the
    reduced amount and the day it ends? The expected amount is worked out here, independently of the composer."""
    today = today or date.today()
    checked = right = 0
    wrong: list[str] = []
    for code, proc in sorted(procedures.items()):
        summary = proc.summary
        if summary is None:
            continue
        expected = []
        for rate in summary.fee.rates:
            live = [c for c in summary.fee.changes if (not c.start or c.start <= today)
                    and (not c.until or today <= c.until)
                    and (not c.channel or not rate.channel or normalise(c.channel) == normalise(rate.channel))]
            if rate.amount is None or not live:
                continue
            change = max(live, key=lambda c: (bool(c.channel), c.start or date.min))
            amount = rate.amount * change.percent // 100 if change.percent is not None else change.amount
            if amount is not None:
                expected.append((amount, change.until))
        if not expected:
            continue
        checked += 1
        text = follow_up("lệ phí bao nhiêu", "le phi bao nhieu", proc, "fee", today=today).answer
        head = normalise(text)
        ok = all((normalise(f"{amount:,}".replace(",", ".")) in head or (amount == 0 and "mien" in head))
                 and (until is None or normalise(f"{until.day:02d}/{until.month:02d}/{until.year}") in head)
                 for amount, until in expected)
        right += ok
        if not ok:
            wrong.append(code)
    return {"fee_checked": checked, "fee_right": right, "fee_wrong": wrong, "fee_day": today.isoformat()}


def answers_report(assistant: Any) -> dict[str, Any]:
    """Aspect-first accuracy, answer length and the fee in force, for `tthc eval answers`."""
    return {**aspect_metrics(assistant), **fee_in_force_metrics(assistant.catalog.procedures)}


def format_answers_report(m: dict[str, Any]) -> str:
    wrong = f"; wrong: {', '.join(m['fee_wrong'])}" if m["fee_wrong"] else ""
    return format_aspects(m) + (f"\nfee in force on {m['fee_day']} (procedures with a dated reduction in force): "
                                f"{m['fee_right']}/{m['fee_checked']} right{wrong}")
