"""`tthc eval calibrate`: the fusion weights, and how sure retrieval must be to answer with one procedure, chosen
on the tuning sets only (main, the old held-out set and dev; heldout2 is never tuned on).

Each question's candidates and their signals are computed once (`Retriever.signals`); every setting is then
scored with numpy. Printed: recall@1/@3 per weight setting (the best few), then for the chosen weights:
- `min_score`: below it the best fused score means "not in the knowledge base" (a refusal);
- `answer_min_score`, `answer_min_margin`: at or above both (the first result's score, and its lead over the
  second), answer with the first procedure; otherwise offer the first three as choices.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.search.query import parse_query
from bot.search.retrieval import Outside, confident, fused, refusal_of, shown, signal_matrix, validate_query
from bot.settings import Settings
from eval.retrieval import SETS, load_questions

TUNING_SETS = ("main", "heldout", "dev", "dev_oos", "dev_oos2", "dev_oos3", "dev_oos6", "dev_oos7", "dev_oos8",
               "dev_oos9", "dev_oos10", "dev_oos11")
MAIN_FLOOR = 0.95  # weights that drop the main set below this are not considered
WEIGHTS = {"dense_weight": (0.3, 0.5, 0.7, 0.9), "keyword_weight": (0.2, 0.3, 0.5, 0.7),
           "title_weight": (0.2, 0.3, 0.45, 0.6), "question_weight": (0.0, 0.2, 0.4, 0.6),
           "question_floor": (0.82, 0.85, 0.88), "question_span": (0.10, 0.15),
           "classifier_weight": (0.2, 0.3, 0.4, 0.6, 0.8, 1.0)}
SCORES = (0.0, 0.8, 1.0, 1.2, 1.4, 1.6)
MARGINS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25)
MIN_SCORES = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
OUTSIDE_MINS = (0.82, 0.84, 0.86, 0.88, 0.90, 1.01)  # 1.01: examples off
OUTSIDE_MARGINS = (-0.02, 0.0, 0.01, 0.02, 0.04)
LIKELY_MINS = (0.3, 0.5, 0.7, 0.9, 1.01)  # 1.01: the scope model off
LIKELY_MAX_SCORES = (0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
CLASSIFIER_MINS = (0.0, 0.04, 0.08, 0.1, 0.12, 0.16, 0.2)  # 0: the classifier's rule off
WORDS_MINS = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 1e9)  # 1e9: the word counts' rule off
WORDS_MAX_SCORES = (1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0)
_NOT_SEEN = Outside(0.0, 0.0)


@dataclass(frozen=True)
class Seen:
    name: str
    expected: frozenset[str]
    blocked: bool
    codes: tuple[str, ...]
    raw: np.ndarray  # per candidate: dense cosine, keyword, named, asked cosine, commune
    outside: Outside = _NOT_SEEN  # how the question as written looks out of scope


def observe(assistant: Any, sets: tuple[str, ...]) -> list[Seen]:
    retriever = assistant.retriever
    seen = []
    for name in sets:
        if not SETS[name].exists():
            continue
        for item in load_questions(SETS[name]):
            cleaned = validate_query(item["q"], 10_000)
            query = parse_query(cleaned, assistant.catalog.lexicon)
            blocked = bool(query.blocked) and query.blocked != "complaint"
            sig, outside = ([], _NOT_SEEN) if blocked else retriever.signals_and_outside(query, cleaned)
            seen.append(Seen(name, frozenset(item["codes"]), blocked, tuple(x.code for x in sig), signal_matrix(sig),
                             outside))
    return seen


def ranked(x: Seen, s: Settings) -> tuple[list[str], list[float]]:
    """The first three procedures as shown (`shown`), and the two best fused scores (what `confident` reads)."""
    scores = fused(x.raw, s)
    return [x.codes[i] for i in shown(scores, x.raw, 3)], [float(v) for v in np.sort(scores)[::-1][:2]]


def recall(seen: list[Seen], s: Settings) -> tuple[float, float]:
    r1 = r3 = n = 0
    for x in seen:
        if not x.expected:
            continue
        codes, _ = ranked(x, s)
        n += 1
        r1 += bool(codes) and codes[0] in x.expected
        r3 += any(c in x.expected for c in codes)
    return r1 / max(n, 1), r3 / max(n, 1)


def rates(seen: list[Seen], s: Settings) -> dict[str, float]:
    wrong = choices = choice_hit = refused = caught = 0
    in_scope = [x for x in seen if x.expected]
    oos = [x for x in seen if not x.expected]
    for x in seen:
        codes, scores = ranked(x, s)
        out = x.blocked or bool(refusal_of(x.outside, fused(x.raw, s), x.raw, s))
        if not x.expected:
            caught += out
            continue
        if out:
            refused += 1
        elif confident(scores, s):
            wrong += codes[0] not in x.expected
        else:
            choices += 1
            choice_hit += any(c in x.expected for c in codes)
    n = max(len(in_scope), 1)
    return {"confident_wrong": wrong / n, "choices": choices / n, "right_in_choices": choice_hit / choices if
            choices else 1.0, "oos_recall": caught / len(oos) if oos else 1.0, "refused": refused / n}


def _refusal_grid(seen: list[Seen], base: Settings, rows: tuple[str, tuple[float, ...]],
                  columns: tuple[str, tuple[float, ...]], label: str) -> list[str]:
    """A line per value of the `rows` setting: out-of-scope recall / in-scope refused at each value of `columns`."""
    (row, row_values), (column, column_values) = rows, columns
    lines = []
    for a in row_values:
        cells = []
        for b in column_values:
            r = rates(seen, base.model_copy(update={row: a, column: b}))
            cells.append(f"{label.format(b)} {r['oos_recall']:.3f}/{r['refused']:.3f}")
        lines.append(f"  {row} {a:.2f}: " + "  ".join(cells))
    return lines


def run_calibration(assistant: Any, sets: tuple[str, ...] = TUNING_SETS) -> str:
    seen = observe(assistant, sets)
    base: Settings = assistant.settings
    names = sorted({x.name for x in seen})
    lines = [f"{len(seen)} questions from {', '.join(names)} ({sum(bool(x.expected) for x in seen)} in scope)",
             f"fusion weights, best by recall@1 over the tuning sets with main ≥ {MAIN_FLOOR} (current first):"]
    main = [x for x in seen if x.name == "main"]
    grid = []
    for values in itertools.product(*WEIGHTS.values()):
        s = base.model_copy(update=dict(zip(WEIGHTS, values, strict=True)))
        if main and recall(main, s)[0] < MAIN_FLOOR:
            continue  # the main set stays where it was
        grid.append((recall(seen, s), values, s))
    grid.sort(key=lambda g: (-g[0][0], -g[0][1]))
    now = recall(seen, base)
    lines.append(f"  current {[getattr(base, k) for k in WEIGHTS]}: recall@1 {now[0]:.3f}, recall@3 {now[1]:.3f}")
    for (r1, r3), values, _ in grid[:5]:
        lines.append(f"  {dict(zip(WEIGHTS, values, strict=True))}: recall@1 {r1:.3f}, recall@3 {r3:.3f}")
    for name in names:
        part = [x for x in seen if x.name == name]
        r1, r3 = recall(part, base)
        lines.append(f"  current weights on {name}: recall@1 {r1:.3f}, recall@3 {r3:.3f}")
    lines.append("out of scope by min_score (current weights and answer thresholds):")
    for m in MIN_SCORES:
        r = rates(seen, base.model_copy(update={"min_score": m}))
        lines.append(f"  min_score {m:.2f}: oos recall {r['oos_recall']:.3f}, in-scope refused {r['refused']:.3f}")
    lines.append("out of scope by example (knowledge/out_of_scope.yaml): oos recall / in-scope refused")
    lines += _refusal_grid(seen, base, ("outside_min", OUTSIDE_MINS), ("outside_margin", OUTSIDE_MARGINS), "m{:+.2f}")
    lines.append("out of scope by the scope model (bot.search.scope): oos recall / in-scope refused")
    lines += _refusal_grid(seen, base, ("likely_min", LIKELY_MINS), ("likely_max_score", LIKELY_MAX_SCORES), "<{:.1f}")
    lines.append("out of scope when the phrasing classifier recognises no procedure: oos recall / in-scope refused")
    lines += _refusal_grid(seen, base, ("classifier_min", CLASSIFIER_MINS), ("likely_max_score", LIKELY_MAX_SCORES),
                           "<{:.1f}")
    lines.append("out of scope by the scope model's word counts (bot.search.scope.ScopeWords): oos recall / in-scope "
                 "refused")
    lines += _refusal_grid(seen, base, ("words_min", WORDS_MINS), ("words_max_score", WORDS_MAX_SCORES), "<{:.1f}")
    lines.append(f"answer or choices (min_score {base.min_score}): confident-wrong / choices / right among choices")
    best: tuple[float, float, float, float] | None = None
    for score in SCORES:
        cells = []
        for margin in MARGINS:
            r = rates(seen, base.model_copy(update={"answer_min_score": score, "answer_min_margin": margin}))
            cells.append(f"m{margin:.2f} {r['confident_wrong']:.3f}/{r['choices']:.2f}/{r['right_in_choices']:.2f}")
            if r["choices"] <= 0.12 and (best is None or (r["confident_wrong"], r["choices"]) < best[:2]):
                best = (r["confident_wrong"], r["choices"], score, margin)
        lines.append(f"  score ≥ {score:.2f}: " + "  ".join(cells))
    if best:
        lines.append(f"fewest confident-wrong with choices ≤ 12%: answer_min_score {best[2]}, answer_min_margin "
                     f"{best[3]} (confident-wrong {best[0]:.3f}, choices {best[1]:.3f})")
    return "\n".join(lines)
