"""Grounded answers without any LLM: lead with what was asked, then a compact, cited card.

Every line comes from the knowledge files and names its procedure code; labels follow the
asker's language while the content stays as the official text wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.language import detect_language
from bot.models import Guide, Procedure
from bot.query import Query
from bot.retrieval import Result, SearchResponse
from bot.text import words

ASPECTS: dict[str, tuple[str, ...]] = {
    "documents": ("giay to", "ho so", "can gi", "mang gi", "mang theo", "chuan bi", "can nhung", "thu tuc gi",
                  "documents", "papers", "what do i need", "bring", "unterlagen", "dokumente"),
    "fee": ("le phi", "phi ", "bao nhieu tien", "mat tien", "ton tien", "het bao nhieu", "mien phi", "tien",
            "fee", "cost", "price", "free", "pay", "gebuhr", "kostet", "kosten"),
    "time": ("bao lau", "may ngay", "thoi han", "thoi gian", "khi nao co", "bao gio", "how long", "days",
             "wie lange", "dauert"),
    "where": ("o dau", "noi nao", "cho nao", "co quan nao", "nop dau", "where", "wo "),
    "online": ("truc tuyen", "online", "qua mang", "vneid", "dich vu cong", "internet"),
    "eligibility": ("dieu kien", "ai duoc", "doi tuong", "co duoc khong", "eligible", "who can", "voraussetzung"),
    "legal": ("can cu", "luat", "nghi dinh", "thong tu", "quy dinh nao", "legal basis", "law", "gesetz"),
    "steps": ("the nao", "cach lam", "trinh tu", "cac buoc", "quy trinh", "lam sao", "how do", "how to", "steps",
              "wie "),
}

LABELS = {
    "vi": {
        "intro": "Thông tin từ thủ tục", "documents": "Hồ sơ cần chuẩn bị", "notes": "Lưu ý về hồ sơ",
        "where": "Nơi nộp và cách nộp", "time": "Thời hạn giải quyết", "fee": "Phí, lệ phí",
        "legal": "Căn cứ pháp lý", "link": "Nguồn chính thức", "steps": "Trình tự thực hiện",
        "eligibility": "Đối tượng, điều kiện", "result": "Kết quả", "online": "Nộp trực tuyến",
        "verbatim": "Nội dung trích nguyên văn từ văn bản chính thức; Trung tâm Phục vụ hành chính công là nơi có "
                    "ý kiến cuối cùng.",
        "more": "Thủ tục liên quan khác", "none": "Không có thông tin",
        "online_yes": "Có thể nộp trực tuyến qua Cổng Dịch vụ công quốc gia",
        "online_no": "Văn bản không ghi hình thức nộp trực tuyến cho thủ tục này",
        "authored": "Thủ tục này do tthc-bot biên soạn từ văn bản pháp luật, chưa có trên Cổng Dịch vụ công.",
        "unit_missing": "(Cổng DVC không ghi đơn vị)",
        "more_docs": "… và các giấy tờ khác: xem đủ tại nguồn chính thức",
    },
    "en": {
        "intro": "From the procedure", "documents": "Documents to bring", "notes": "Notes on the documents",
        "where": "Where and how to submit", "time": "Time limit", "fee": "Fee", "legal": "Legal basis",
        "link": "Official source", "steps": "Steps", "eligibility": "Who can apply, conditions", "result": "Result",
        "online": "Online submission",
        "verbatim": "The content is quoted in Vietnamese, as written in the official text; the Public Administration "
                    "Service Center has the final word.",
        "more": "Related procedures", "none": "Not stated",
        "online_yes": "Can be submitted online through the National Public Service Portal",
        "online_no": "The official text lists no online channel for this procedure",
        "authored": "Written by tthc-bot from the legal texts; not yet on the national portal.",
        "unit_missing": "(the portal gives no unit)",
        "more_docs": "… and more: see the official source for the full list",
    },
}
LABELS["de"] = {**LABELS["en"], "documents": "Benötigte Unterlagen", "fee": "Gebühr", "time": "Bearbeitungszeit",
                "where": "Wo und wie einreichen", "legal": "Rechtsgrundlage", "link": "Offizielle Quelle",
                "verbatim": "Der Inhalt ist auf Vietnamesisch zitiert, wie im offiziellen Text; das Bürgerbüro der "
                            "Gemeinde hat das letzte Wort.", "more": "Verwandte Verfahren"}

SCOPE_MESSAGE = {
    "vi": "Xin lỗi, tôi chỉ hỗ trợ hỏi đáp về thủ tục hành chính (khai sinh, kết hôn, khai tử, cư trú, căn cước, "
          "chứng thực, đất đai, bảo hiểm y tế, trợ cấp xã hội...). Bạn hãy hỏi về một thủ tục, ví dụ: "
          "\"làm giấy khai sinh cần gì?\"",
    "en": "Sorry, I can only help with Vietnamese administrative procedures (birth, marriage, death registration, "
          "residence, ID cards, certification, land, health insurance, social allowances...). Try asking, "
          "for example: \"What do I need to register a birth?\"",
    "de": "Entschuldigung, ich helfe nur bei vietnamesischen Verwaltungsverfahren (Geburt, Heirat, Wohnsitz, "
          "Ausweis, Beglaubigung, Land, Krankenversicherung, Sozialleistungen).",
}
NO_MATCH = {
    "vi": "Tôi chưa tìm thấy thủ tục phù hợp trong cơ sở dữ liệu cho câu hỏi này. Bạn vui lòng hỏi trực tiếp "
          "Trung tâm Phục vụ hành chính công của xã, phường nơi cư trú, hoặc diễn đạt lại câu hỏi.",
    "en": "I could not find a matching procedure in the knowledge base. Please ask the Public Administration "
          "Service Center of your commune or ward, or rephrase the question.",
}
NO_MATCH["de"] = NO_MATCH["en"]
SAFETY = {
    "emergency": {
        "vi": "Nếu bạn hoặc người thân đang gặp nguy hiểm, hãy gọi ngay: 113 (Công an), 114 (cứu hỏa, cứu nạn), "
              "115 (cấp cứu y tế). Tôi chỉ hỗ trợ hỏi đáp về thủ tục hành chính.",
        "en": "If you or someone else is in danger, call now: 113 (police), 114 (fire and rescue), 115 (ambulance). "
              "I can only help with administrative procedures.",
    },
    "scam": {
        "vi": "Nếu bạn bị lừa đảo hoặc nghi ngờ bị lừa đảo, hãy báo ngay cho Công an xã, phường nơi gần nhất hoặc "
              "gọi 113. Tôi chỉ hỗ trợ hỏi đáp về thủ tục hành chính.",
        "en": "If you have been scammed or suspect a scam, report it at once to the commune or ward police, or call "
              "113. I can only help with administrative procedures.",
    },
}
for _kind in SAFETY.values():
    _kind["de"] = _kind["en"]


@dataclass
class Source:
    procedure_id: str
    title: str
    url: str
    section: str


@dataclass
class Answer:
    question: str
    answer: str
    language: str
    in_scope: bool
    sources: list[Source] = field(default_factory=list)
    aspect: str = ""
    reason: str = ""
    state: dict[str, str] = field(default_factory=dict)  # the active procedure and aspect, for follow-ups
    generator: str = "extractive"  # what wrote the text that is shown (an LLM's fallback is extractive)
    stats: dict[str, float] = field(default_factory=dict)  # an LLM's timings: first_token_s, seconds, chunks

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.answer,
            "language": self.language,
            "in_scope": self.in_scope,
            "sources": [s.__dict__ for s in self.sources],
        }


# Words that only say *what* is asked about a procedure, not *which* procedure.
_ASPECT_WORDS = frozenset(
    "le phi tien bao nhieu mat ton het mien thoi gian han ngay may lau khi nao gio giay to ho so can gi mang theo "
    "chuan bi nhung nop dau cho noi co quan nao truc tuyen online qua mang vneid dich vu cong internet dieu kien ai "
    "doi tuong can cu luat nghi dinh thong tu quy dinh trinh tu cac buoc quy trinh sao lam the con vay thi nua "
    "nhe a duoc khong ko o fee cost how long where documents online what about and the it".split()
)


def is_follow_up(query: Query) -> bool:
    """A question about an aspect that names no procedure: "còn lệ phí?", "nộp online được không?"."""
    if query.blocked or not detect_aspects(query.folded):
        return False
    content = [w for w in words(query.folded) if w not in _ASPECT_WORDS]
    return not content


def detect_aspects(folded: str) -> list[str]:
    padded = f" {folded} "
    return [name for name, cues in ASPECTS.items() if any(f" {cue.strip()} " in padded or
                                                          (cue.endswith(" ") and f" {cue}" in padded) for cue in cues)]


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


def compose(question: str, response: SearchResponse, items: dict[str, Procedure | Guide]) -> Answer:
    lang = detect_language(question)
    L = LABELS.get(lang, LABELS["en"])
    if not response.in_scope:
        if response.reason in SAFETY:
            text = SAFETY[response.reason][lang]
        else:
            text = NO_MATCH[lang] if response.reason == "no_match" else SCOPE_MESSAGE[lang]
        return Answer(question, text, lang, False, [], reason=response.reason)
    if not response.results:
        return Answer(question, NO_MATCH[lang], lang, True, [], reason="no_match")
    aspects = detect_aspects(response.query.folded)
    top: Result = response.results[0]
    item = items[top.code]
    if isinstance(item, Guide):
        text = guide_card(item, lang)
        sources = [Source(item.code, item.title, item.source_url, "tong-quan")]
    else:
        text, sections = procedure_card(item, aspects, lang)
        sources = [Source(item.code, item.title, item.source_url, s) for s in sections]
    related = [r for r in response.results[1:3] if r.score >= top.score - 0.15]
    if related:
        text += f"\n{L['more']}: " + "; ".join(f"{r.title} [{r.code}]" for r in related)
        sources += [Source(r.code, r.title, r.url, "lien-quan") for r in related]
    text += "\n" + L["verbatim"]
    return Answer(question, text, lang, True, sources, aspect=aspects[0] if aspects else "", reason=response.reason,
                  state={"active": item.code, "aspect": aspects[0] if aspects else ""})


def follow_up(question: str, folded: str, item: Procedure, previous_aspect: str) -> Answer:
    """Answer a short follow-up ("còn lệ phí?") from the procedure the conversation is about."""
    lang = detect_language(question)
    L = LABELS.get(lang, LABELS["en"])
    aspects = detect_aspects(folded) or ([previous_aspect] if previous_aspect else [])
    text, sections = procedure_card(item, aspects, lang, only_asked=True)
    text += "\n" + L["verbatim"]
    sources = [Source(item.code, item.title, item.source_url, s) for s in sections]
    return Answer(question, text, lang, True, sources, aspect=aspects[0] if aspects else "", reason="follow_up",
                  state={"active": item.code, "aspect": aspects[0] if aspects else ""})
