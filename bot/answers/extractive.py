"""Grounded answers without any LLM: the asked fact first, from the procedure's citizen summary (brief.py).

Every line comes from the knowledge files and names its procedure code; labels follow the asker's language while
the content stays as the official text wrote it. `procedure_card` is the full official card (`tthc show`, the
clerk's console), never the answer itself.
"""

from __future__ import annotations

import re
from datetime import date

from bot.answers.aspects import asked_channel, detect_aspects
from bot.answers.brief import brief, render
from bot.answers.messages import BRIEF, CHOICES, LABELS, NO_MATCH, SAFETY, SCOPE_MESSAGE
from bot.answers.types import Answer, Block, Choice, Source
from bot.knowledge.communes import Locality
from bot.knowledge.models import Guide, Procedure
from bot.search.language import detect_language
from bot.search.retrieval import Result, SearchResponse


def time_text(time: str, labels: dict[str, str]) -> str:
    return f"{time} {labels['unit_missing']}" if re.fullmatch(r"\d+(?:[.,]\d+)?", time) else time


def _channels_summary(proc: Procedure, labels: dict[str, str], what: str) -> list[str]:
    rows: dict[str, list[str]] = {}
    for c in proc.channels:
        value = {"time": time_text(c.time, labels), "fee": c.fee}.get(what, "") or labels["none"]
        rows.setdefault(value, []).append(c.channel)
    if len(rows) == 1:
        return [next(iter(rows))]
    return [f"{', '.join(chans)}: {value}" for value, chans in rows.items()]


def procedure_card(proc: Procedure, aspects: list[str], lang: str, only_asked: bool = False) -> tuple[str, list[str]]:
    """Return (card text, sections used)."""
    L = LABELS.get(lang, LABELS["en"])
    cite = f"[{proc.code}]"
    parts: list[tuple[str, list[str], str]] = []  # (label, lines, section)

    required = [d for d in proc.documents if not d.quantity.startswith("0")]
    notes = [d for d in proc.documents if d.quantity.startswith("0")]
    doc_lines = [f"☐ {d.name}" + (f" ({d.quantity})" if d.quantity else "") for d in required[:12]]
    if len(required) > 12:
        doc_lines.append(L["more_docs"])
    where_lines = []
    for c in proc.channels:
        extra = f" — {c.note}" if c.note and len(c.note) < 200 else ""
        where_lines.append(f"{c.channel}{extra}")
    if proc.authority:
        where_lines.append(proc.authority)
    online = any("trực tuyến" in c.channel.lower() for c in proc.channels)
    blocks = {
        "documents": (L["documents"], doc_lines, "ho-so"),
        "where": (L["where"], where_lines, "cach-thuc"),
        "time": (L["time"], _channels_summary(proc, L, "time"), "cach-thuc"),
        "fee": (L["fee"], _channels_summary(proc, L, "fee"), "cach-thuc"),
        "legal": (L["legal"], [f"{r.number or r.title}" + (f" — {r.article}" if r.article else "")
                               for r in proc.legal_basis[:8]], "can-cu"),
        "steps": (L["steps"], [proc.sections.get("trinh-tu", "")[:1200]], "trinh-tu"),
        "eligibility": (L["eligibility"], [x for x in (proc.applicants, proc.sections.get("yeu-cau", "")[:800]) if x],
                        "yeu-cau"),
        "online": (L["online"], [L["online_yes"] if online else L["online_no"]], "cach-thuc"),
    }
    order = [a for a in aspects if a in blocks]
    if not (only_asked and order):
        for name in ("documents", "where", "time", "fee", "legal"):
            if name not in order:
                order.append(name)
    for name in order:
        label, lines, section = blocks[name]
        lines = [x for x in lines if x]
        if lines:
            parts.append((label, lines, section))
    if "documents" in order and notes and ("documents" in aspects):
        parts.insert(1, (L["notes"], [f"• {d.name}" for d in notes[:4]], "ho-so"))

    out = [f"{L['intro']} «{proc.title}» {cite}"]
    if proc.source == "authored":
        out.append(L["authored"])
    for label, lines, _ in parts:
        if len(lines) == 1 and len(lines[0]) < 160:
            out.append(f"• {label}: {lines[0]} {cite}")
        else:
            out.append(f"• {label} {cite}:")
            out.extend(f"  {line}" for line in lines)
    out.append(f"• {L['link']}: {proc.source_url}")
    return "\n".join(out), list(dict.fromkeys(p[2] for p in parts))


def guide_card(guide: Guide, lang: str) -> str:
    L = LABELS.get(lang, LABELS["en"])
    body = re.sub(r"\n{3,}", "\n\n", guide.body).strip()
    if len(body) > 1500:
        body = body[:1500].rsplit(" ", 1)[0] + "…"
    link = f"\n• {L['link']}: {guide.source_url}" if guide.source_url else ""
    return f"«{guide.title}» [{guide.code}]\n{body}{link}"


GUIDE_MARGIN = 0.15


def _cost_guide(proc: Procedure, items: dict[str, Procedure | Guide]) -> Guide | None:
    """The guide on charges the law places elsewhere that the procedure's summary points to, if it is loaded."""
    guide = items.get(proc.summary.fee.elsewhere) if proc.summary is not None else None
    return guide if isinstance(guide, Guide) else None


def _answer_of(question: str, lang: str, proc: Procedure, blocks: list[Block], aspects: list[str], reason: str,
               extra_sources: list[Source] | None = None, guide: Guide | None = None) -> Answer:
    L = BRIEF[lang]
    sections = list(dict.fromkeys(b.section for b in blocks if b.section)) or ["tong-quan"]
    sources = [Source(proc.code, proc.title, proc.source_url, s) for s in sections] + (extra_sources or [])
    if guide is not None and any(guide.code in line for b in blocks for line in b.lines):
        sources.append(Source(guide.code, guide.title, guide.source_url, "chi-phi"))
    blocks = [*blocks, Block("note", "", [L["footer"]])]
    return Answer(question, render(blocks, lang), lang, True, sources, aspect=aspects[0] if aspects else "",
                  reason=reason, state={"active": proc.code, "aspect": aspects[0] if aspects else ""}, blocks=blocks)


def compose(question: str, response: SearchResponse, items: dict[str, Procedure | Guide],
            locality: Locality | None = None, today: date | None = None) -> Answer:
    lang = detect_language(question)
    L = LABELS.get(lang, LABELS["en"])
    if not response.in_scope:
        if response.reason in SAFETY:
            text = SAFETY[response.reason][lang]
        else:
            text = NO_MATCH[lang] if response.reason == "no_match" else SCOPE_MESSAGE[lang]
        return Answer(question, text, lang, False, [], reason=response.reason, kind="refusal")
    if not response.results:
        return Answer(question, NO_MATCH[lang], lang, True, [], reason="no_match", kind="refusal")
    if not response.confident:
        return choices(question, response, lang)
    aspects = detect_aspects(response.query.folded)
    top: Result = response.results[0]
    if isinstance(items[top.code], Guide) and set(aspects) & {"documents", "time", "where"}:
        # a guide explains costs and rights, not what to bring, how long or where: a procedure nearly as
        # likely answers that better
        near = next((r for r in response.results[1:] if isinstance(items.get(r.code), Procedure)
                     and r.score >= top.score - GUIDE_MARGIN), None)
        top = near or top
    item = items[top.code]
    if isinstance(item, Guide):
        text = guide_card(item, lang) + "\n" + L["verbatim"]
        return Answer(question, text, lang, True, [Source(item.code, item.title, item.source_url, "tong-quan")],
                      reason=response.reason, state={"active": item.code, "aspect": ""})
    guide = _cost_guide(item, items)
    blocks = brief(item, aspects, lang, locality=locality, today=today,
                   guides={guide.code: guide.title} if guide else None,
                   channel=asked_channel(response.query.folded))
    related = [r for r in response.results[1:3] if r.score >= top.score - 0.15]
    extra = []
    if related:
        names = "; ".join(f"{r.title} [{r.code}]" for r in related)
        blocks.append(Block("more", L["more"], [f"{L['more']}: {names}"]))
        extra = [Source(r.code, r.title, r.url, "lien-quan") for r in related]
    return _answer_of(question, lang, item, blocks, aspects, response.reason, extra, guide)


def follow_up(question: str, folded: str, item: Procedure, previous_aspect: str, locality: Locality | None = None,
              today: date | None = None) -> Answer:
    """Answer a short follow-up ("còn lệ phí?") from the procedure the conversation is about: the asked fact,
    in one line."""
    lang = detect_language(question)
    aspects = detect_aspects(folded) or ([previous_aspect] if previous_aspect else [])
    blocks = brief(item, aspects, lang, locality=locality, today=today, only_asked=True,
                   channel=asked_channel(folded))
    return _answer_of(question, lang, item, blocks, aspects, "follow_up")


MAX_CHOICES = 3


def choices(question: str, response: SearchResponse, lang: str) -> Answer:
    """Not sure which procedure: offer the first few to pick from; the pick is answered with the question."""
    picks = [Choice(r.code, r.title) for r in response.results[:MAX_CHOICES]]
    lines = [CHOICES.get(lang, CHOICES["en"])] + [f"{i}. {c.title} [{c.procedure_id}]" for i, c in enumerate(picks, 1)]
    return Answer(question, "\n".join(lines), lang, True, [], reason="unsure", kind="choices", choices=picks,
                  state={"choices": ",".join(c.procedure_id for c in picks), "question": question})
