"""The short answer a clerk would give at the counter, from a procedure's citizen summary.

The asked fact first (time, fee, where, … in the order the question asks them), then the core documents as a
checklist, the conditional ones in one collapsed block, where to go (naming the citizen's own commune center
when the page knows it), and the official link. Labels follow the asker's language; document names, offices
and quoted text stay Vietnamese, because they are what the office uses.
"""

from __future__ import annotations

import re
from datetime import date

from bot.answers.fees import FeeNow, fees_in_force, money
from bot.answers.messages import BRIEF, CHANNEL_NAMES
from bot.answers.types import Block
from bot.knowledge.communes import Locality
from bot.knowledge.models import Procedure, Summary, TimeLimit
from bot.knowledge.summary import derive
from bot.text import fold

FACTS = ("time", "fee", "where", "eligibility", "result", "online", "steps", "legal")
CORE = ("documents", "time", "fee", "where")
SPECIAL_TEXT_CHARS = 150  # the conditional documents, in the answer text: one line; the page shows them all
QUOTE_CHARS = 220
TITLE_CHARS = 120


def summary_of(proc: Procedure) -> Summary:
    """The stored summary, or one derived on the fly (procedures outside the commune's scope have none)."""
    return proc.summary if proc.summary is not None else derive(proc)


def _short(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _channel(name: str, lang: str) -> str:
    return CHANNEL_NAMES.get(lang, {}).get(name, name)


def _units(text: str, lang: str) -> str:
    """"7 ngày làm việc" -> "7 ngày làm việc (7 working days)" for English and German askers."""
    gloss = BRIEF[lang].get("units")
    if not gloss:
        return text
    m = re.fullmatch(r"(\d+) (ngày làm việc|ngày|giờ|tháng)", text.strip())
    return f"{text} ({m.group(1)} {gloss[m.group(2)]})" if m else text


def _for_channel(channel: str, named: str) -> bool:
    """Does a time or fee entry for `channel` ("" = all, or "Trực tuyến, Dịch vụ bưu chính") apply to `named`?"""
    return not channel or not named or fold(named) in fold(channel)


def _time_line(limits: list[TimeLimit], lang: str, channel: str = "") -> str:
    L = BRIEF[lang]
    stated = [t for t in limits if t.text]
    if channel and len(stated) > 1:
        stated = [t for t in stated if _for_channel(t.channel, channel)] or stated
    if not stated:
        quote = next((t.quote for t in limits if t.quote), "")
        return L["time_none"] + (f" {L['text_says']} «{_short(quote, QUOTE_CHARS)}»" if quote else "")
    if len(stated) == 1 or len({t.text for t in stated}) == 1:
        return f"{L['time']}: {_units(stated[0].text, lang)}."
    return f"{L['time']}: " + "; ".join(f"{_channel(t.channel, lang)}: {_units(t.text, lang)}" for t in stated) + "."


def _fee_value(fee: FeeNow, lang: str) -> str:
    L = BRIEF[lang]
    if fee.free and fee.base is None:
        if not fee.text:
            return L["free"]
        if lang == "vi":  # the text's own words: "Miễn lệ phí; phí cấp bản sao … (nếu có yêu cầu)"
            own = fold(fee.text).startswith(("mien", "khong thu"))
            return _short(fee.text, 120) if own else f"{L['free']} ({_short(fee.text, 120)})"
        return f"{L['free']} — «{_short(fee.text, 120)}»"
    if fee.amount is not None and fee.base is not None:
        how = L["reduced_pct"].format(p=fee.percent) if fee.percent is not None else L["reduced"]
        until = L["until"].format(d=_date(fee.until)) if fee.until else ""
        now = L["free"] if fee.amount == 0 else money(fee.amount)
        return f"{now} ({how} {money(fee.base)}{until})"
    if fee.amount is not None:
        return money(fee.amount)
    if fee.text:
        return f"{L['text_says']} «{_short(fee.text, 160)}»"
    return L["not_stated"]


def _fee_line(summary: Summary, lang: str, today: date, channel: str = "") -> str:
    L = BRIEF[lang]
    now = fees_in_force(summary, today)
    if channel and len(now) > 1:
        now = [f for f in now if _for_channel(f.channel, channel)] or now
    if not now:
        return L["fee_none"]
    values = [(f.channel, _fee_value(f, lang)) for f in now]
    if len({v for _, v in values}) == 1:
        return f"{L['fee']}: {values[0][1]}."
    return f"{L['fee']}: " + "; ".join(f"{_channel(c, lang)}: {v}" for c, v in values) + "."


def _elsewhere_line(summary: Summary, lang: str, guides: dict[str, str]) -> str:
    code = summary.fee.elsewhere
    if not code or code not in guides:
        return ""
    return BRIEF[lang]["elsewhere"].format(title=guides[code], code=code)


def _office_name(office: str, locality: Locality | None) -> str:
    """The office as the text names it, made concrete with the citizen's commune when the page knows it."""
    if locality is None or not office:
        return office
    name = locality.commune.ward_name
    folded = fold(office)
    if "trung tam phuc vu hanh chinh cong" in folded or "bo phan mot cua" in folded or "uy ban nhan dan" in folded:
        return f"Trung tâm Phục vụ hành chính công {name}"
    if folded.startswith("cong an"):
        return f"Công an {name}"
    return office


def _where_lines(summary: Summary, lang: str, locality: Locality | None) -> list[str]:
    L = BRIEF[lang]
    where = summary.where
    lines = []
    office = _office_name(where.office, locality)
    if office:
        lines.append(f"{L['where']}: {office}.")
    elif locality is not None:
        lines.append(f"{L['where']}: {L['ask_center'].format(name=locality.commune.ward_name)}.")
    else:
        lines.append(L["where_none"])
    ways = [L["online"]] if where.online else []
    ways += [L["post"]] if where.post else []
    if ways:
        lines[-1] = lines[-1].rstrip(".") + f"; {L['or']} " + f" {L['or']} ".join(ways) + "."
    details = locality.office if locality is not None else None
    if details is not None:
        parts = [f"{L[key]}: {value}" for key, value in (("address", details.address), ("hours", details.hours),
                                                          ("phone", details.phone)) if value]
        if parts:
            lines.append("; ".join(parts) + ".")
    return lines


def _documents(summary: Summary, lang: str) -> list[str]:
    L = BRIEF[lang]
    lines = []
    for doc in summary.documents:
        gloss = getattr(doc, lang, "") if lang in ("en", "de") else ""
        bring = f" ({L['bring'][doc.bring]})" if doc.bring else ""
        lines.append(f"☐ {doc.name}" + (f" — {gloss}" if gloss else "") + bring)
    return lines


def _special(summary: Summary) -> list[str]:
    lines = [f"{c.when}: {c.text}" if c.when else c.text for c in summary.conditional]
    return lines + [f"• {n}" for n in summary.notes]


def brief(proc: Procedure, aspects: list[str], lang: str, locality: Locality | None = None,
          today: date | None = None, only_asked: bool = False, guides: dict[str, str] | None = None,
          channel: str = "") -> list[Block]:
    """The answer as blocks, lead first. `only_asked`: a follow-up, answered in one line; `channel`: the one the
    question names (its time and fee only)."""
    L = BRIEF[lang]
    today = today or date.today()
    guides = guides or {}
    summary = summary_of(proc)
    cite = f"[{proc.code}]"
    # the core facts are answered as asked; anything else (online? who? how?) is answered first and then the
    # core in one breath, as a clerk would ("how do I register a birth?" needs where, time, fee and documents)
    core = [a for a in aspects if a in CORE]
    extra = [a for a in aspects if a in FACTS and a not in CORE and (a != "steps" or only_asked)]
    facts = {
        "time": lambda: [_time_line(summary.time, lang, channel)],
        "fee": lambda: [_fee_line(summary, lang, today, channel)]
        + [x for x in [_elsewhere_line(summary, lang, guides)] if x],
        "where": lambda: _where_lines(summary, lang, locality),
        "eligibility": lambda: [f"{L['who']}: {_short(summary.who, 200)}."] if summary.who else [],
        "result": lambda: [f"{L['result']}: {_short(summary.result, 200)}."] if summary.result else [],
        "online": lambda: [L["online_yes"] if summary.where.online else L["online_no"]],
        "steps": lambda: [f"{L['steps']}: {_short(proc.sections.get('trinh-tu', ''), 300)}"]
        if proc.sections.get("trinh-tu") else [],
        "legal": lambda: [f"{L['legal']}: " + ", ".join(r.number or _short(r.title, 60) for r in proc.legal_basis[:6])]
        if proc.legal_basis else [],
    }
    sections = {"time": "cach-thuc", "fee": "cach-thuc", "where": "cach-thuc", "eligibility": "doi-tuong",
                "result": "ket-qua", "online": "cach-thuc", "steps": "trinh-tu", "legal": "can-cu"}
    blocks: list[Block] = []
    title = f"«{_short(proc.title, TITLE_CHARS)}» {cite}"
    asked = core
    before = asked[: asked.index("documents")] if "documents" in asked else asked
    after = asked[asked.index("documents") + 1:] if "documents" in asked else []
    lead = [line for aspect in extra + before for line in facts[aspect]()]
    if not asked and not (only_asked and lead):  # nothing in particular: where, how long and how much at once
        lead += [_where_lines(summary, lang, locality)[0], _time_line(summary.time, lang, channel),
                 _fee_line(summary, lang, today, channel)]
    elif not before and not extra:
        lead = [L["documents_lead"]]
    first = (extra + asked)[0] if extra + asked else ""
    blocks.append(Block("lead", title, lead, sections.get(first, "ho-so") if first else "cach-thuc"))
    if proc.source == "authored":
        blocks.append(Block("note", "", [L["authored"]]))
    wants_documents = "documents" in asked or not (asked or only_asked)
    if wants_documents and summary.documents:
        blocks.append(Block("documents", L["documents"], _documents(summary, lang), "ho-so"))
    for aspect in after:  # asked after the documents ("cần gì, bao lâu, bao nhiêu tiền"): in that order
        blocks.append(Block(aspect, "", facts[aspect](), sections[aspect]))
    if only_asked and (asked or extra):
        blocks.append(Block("link", L["link"], [proc.source_url]))
        return blocks
    special = _special(summary)
    if wants_documents and special:
        blocks.append(Block("special", L["special"], special, "ho-so"))
    if asked and "where" not in asked and "documents" in asked:  # where to bring them is the next question
        blocks.append(Block("where", L["where"], _where_lines(summary, lang, locality), "cach-thuc"))
    blocks.append(Block("link", L["link"], [proc.source_url]))
    return blocks


def render(blocks: list[Block], lang: str) -> str:
    """The answer as text (CLI, screen readers, storage): the same blocks; conditional documents in one line."""
    L = BRIEF[lang]
    out: list[str] = []
    for block in blocks:
        if block.kind == "lead":
            out.append(block.label)
            out.extend(block.lines)
        elif block.kind == "documents":
            out.append(f"{block.label}:")
            out.extend(block.lines)
        elif block.kind == "special":
            out.append(f"{block.label}: " + _short("; ".join(block.lines), SPECIAL_TEXT_CHARS) + f" ({L['see_card']})")
        elif block.kind == "where":
            out.extend(block.lines)
        elif block.kind == "link":
            out.append(f"{block.label}: {block.lines[0]}")
        else:
            out.extend(block.lines)
    return "\n".join(x for x in out if x)


MESSAGE_CHARS = 800  # a message a clerk pastes into Zalo or SMS
MESSAGE_LINE_CHARS = 240


def render_short(blocks: list[Block], lang: str, limit: int = MESSAGE_CHARS) -> str:
    """The answer as one message to paste (Zalo, SMS), at most `limit` characters: the lead (where, time, the
    fee in force), the checklist while it fits (then how many more), the special cases if room is left, and
    always the official link."""
    L = BRIEF[lang]
    head: list[str] = []
    docs: list[str] = []
    special = ""
    link = ""
    for block in blocks:
        if block.kind == "link":
            link = f"{block.label}: {block.lines[0]}"
        elif block.kind == "documents":
            docs = block.lines
        elif block.kind == "special":
            special = render([block], lang)
        else:
            head += [_short(x, MESSAGE_LINE_CHARS) for x in render([block], lang).split("\n") if x]

    def size(lines: list[str]) -> int:
        return len("\n".join([*lines, link]))

    more = L["more_documents"].format(n=len(docs)) if docs else ""
    while size([*head, more]) > limit:  # only very long leads: shorten the longest line
        longest = max(range(len(head)), key=lambda i: len(head[i]))
        head[longest] = _short(head[longest], max(40, len(head[longest]) - (size([*head, more]) - limit) - 1))
        if len(head[longest]) <= 41:
            break
    out = head
    for kept in range(len(docs), -1, -1):  # as many documents as fit, in their order
        rest = [L["more_documents"].format(n=len(docs) - kept)] if kept < len(docs) else []
        listed = [f"{L['documents']}:", *docs[:kept], *rest] if docs else []
        if size(head + listed) <= limit:
            out = head + listed
            break
    if special and size([*out, special]) <= limit:
        out = [*out, special]
    return "\n".join(out)[: max(0, limit - len(link) - 1)] + "\n" + link
