"""Chunk procedures and guides by section. A chunk never mixes two procedures.

Dense chunks (embedded into Chroma) are short: the title, who it is for, the result and the
section heads. Long texts (steps, full document lists, legal basis) go only to the keyword index,
because the default embedder manages only ~40 passages a second on 2 cores.

Each citizen phrasing (`questions` in the front matter) is a chunk of its own, dense and keyword, in
section `cau-hoi`: a question is matched with questions, embedded as a query (`QUESTION_AS_QUERY`, measured
in the README: e5's "query: " prefix on both sides beat "passage: " for question-to-question matching).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.models import SECTIONS, Guide, Procedure
from bot.search.retrieval import PASSAGE_KIND, QUESTION_KIND, QUESTION_SECTION
from bot.search.topic import TOPIC_VERSION

_GUIDE_SECTION_RE = re.compile(r"^## +(.+?)\s*$", re.M)
DENSE_CHARS = 700
QUESTION_AS_QUERY = True


@dataclass(frozen=True)
class Chunk:
    id: str
    code: str
    title: str
    section: str
    level: str
    field: str
    text: str
    dense: bool
    as_query: bool = False  # embedded with the query prefix (citizen phrasings)

    @property
    def kind(self) -> str:
        """The store keeps citizen phrasings apart from passages (bot.search.vectors.KINDS)."""
        return QUESTION_KIND if self.section == QUESTION_SECTION else PASSAGE_KIND

    @property
    def embedded(self) -> str:
        """How its vector was made: a stored chunk made another way is embedded again."""
        return f"topic-{TOPIC_VERSION}" if self.as_query else "passage"

    def metadata(self, digest: str) -> dict[str, str | bool]:
        return {
            "code": self.code,
            "title": self.title,
            "section": self.section,
            "kind": self.kind,
            "level": self.level,
            "field": self.field,
            "digest": digest,
            "embedded": self.embedded,
        }


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def procedure_chunks(proc: Procedure) -> list[Chunk]:
    level = proc.primary_level
    keywords = ", ".join(proc.keywords)

    def chunk(section: str, text: str, dense: bool = False) -> Chunk:
        return Chunk(f"{proc.code}#{section}", proc.code, proc.title, section, level, proc.field, text, dense)

    docs = [d.name for d in proc.documents if not d.quantity.startswith("0")] or [d.name for d in proc.documents]
    overview = ". ".join(
        p
        for p in (
            proc.title,
            f"Lĩnh vực: {proc.field}" if proc.field else "",
            f"Từ khóa: {keywords}" if keywords else "",
            f"Đối tượng: {_short(proc.applicants, 160)}" if proc.applicants else "",
            f"Kết quả: {_short(proc.result, 160)}" if proc.result else "",
            f"Hồ sơ gồm: {_short('; '.join(docs), 240)}" if docs and proc.is_commune else "",
        )
        if p
    )
    chunks = [
        chunk("tong-quan", _short(overview, DENSE_CHARS), dense=True),
        # the title twice in the keyword chunk: it is what people name
        chunk("tieu-de", f"{proc.title}. {proc.title}. {keywords}. {proc.field}"),
    ]
    if proc.documents:
        chunk_text = "\n".join(f"{d.name} {d.quantity}" for d in proc.documents)
        chunks.append(chunk("ho-so", chunk_text))
    if proc.channels:
        chunks.append(chunk("cach-thuc", "\n".join(f"{c.channel} {c.time} {c.fee} {c.note}" for c in proc.channels)))
    if proc.legal_basis:
        chunks.append(chunk("can-cu", "\n".join(f"{r.article} {r.title} {r.number}" for r in proc.legal_basis)))
    if proc.result:
        chunks.append(chunk("ket-qua", proc.result))
    if proc.applicants:
        chunks.append(chunk("doi-tuong", proc.applicants))
    for key, text in proc.sections.items():
        if key in SECTIONS and text:
            # authored procedures are few: embed their sections too
            chunks.append(chunk(key, text, dense=proc.source == "authored" and len(text) > 40))
    for i, question in enumerate(proc.questions, 1):
        chunks.append(Chunk(f"{proc.code}#{QUESTION_SECTION}-{i}", proc.code, proc.title, QUESTION_SECTION, level,
                            proc.field, question, dense=True, as_query=QUESTION_AS_QUERY))
    return chunks


def guide_chunks(guide: Guide) -> list[Chunk]:
    def chunk(section: str, text: str, dense: bool) -> Chunk:
        return Chunk(f"{guide.code}#{section}", guide.code, guide.title, section, "guide", "Hướng dẫn", text, dense)

    keywords = ", ".join(guide.keywords)
    chunks = [chunk("tong-quan", _short(f"{guide.title}. {keywords}. {guide.body}", DENSE_CHARS), True)]
    chunks.append(chunk("tieu-de", f"{guide.title}. {guide.title}. {keywords}", False))
    heads = list(_GUIDE_SECTION_RE.finditer(guide.body))
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(guide.body)
        text = guide.body[head.end() : end].strip()
        if text:
            chunks.append(chunk(f"muc-{i + 1}", _short(f"{head.group(1)}. {text}", 4000), True))
    return chunks
