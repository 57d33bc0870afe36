"""Hybrid retrieval: dense search in Chroma plus BM25 over folded text, fused per procedure.

The weights come from settings and were measured with `tthc eval retrieval` (see README).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from bot.errors import InputError
from bot.knowledge.models import Guide, Procedure
from bot.limits import QUESTION_MAX_CHARS
from bot.search.catalog import Catalog
from bot.search.diacritics import Restorer
from bot.search.embedders import Embedder
from bot.search.keywords import terms
from bot.search.query import SYNONYMS, Query, parse_query
from bot.search.vectors import Store
from bot.settings import Settings
from bot.text import clean, words

log = logging.getLogger(__name__)

COMPLAINT_GUIDE = "guide-khieu-nai-phan-anh"
Scope = Literal["citizen", "commune", "province", "ministry", "all"]


@dataclass(frozen=True)
class Result:
    code: str
    title: str
    level: str
    field: str
    url: str
    score: float
    dense: float
    keyword: float
    section: str
    snippet: str


@dataclass(frozen=True)
class SearchResponse:
    query: Query
    in_scope: bool
    reason: str  # "", "out_of_scope", "injection", "no_match"
    results: list[Result]


def validate_query(text: str, max_chars: int) -> str:
    if not isinstance(text, str):
        raise InputError("The question must be text.", "Câu hỏi phải là văn bản.")
    if "\x00" in text:
        raise InputError("The question contains binary data.", "Câu hỏi chứa dữ liệu không phải văn bản.")
    cleaned = clean(text)
    if not cleaned:
        raise InputError("The question is empty. Type a question, e.g. 'làm giấy khai sinh cần gì'.",
                         "Câu hỏi đang trống. Vui lòng nhập câu hỏi, ví dụ: 'làm giấy khai sinh cần gì'.")
    if len(cleaned) > max_chars:
        raise InputError(
            f"The question is {len(cleaned)} characters long; the limit is {max_chars}. Shorten it.",
            f"Câu hỏi quá dài ({len(cleaned)} ký tự, tối đa {max_chars}). Vui lòng hỏi ngắn gọn hơn.",
        )
    return cleaned


class Retriever:
    def __init__(self, settings: Settings, catalog: Catalog, store: Store, embedder: Embedder) -> None:
        self.settings = settings
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        titles = [p.title for p in catalog.procedures.values()] + [g.title for g in catalog.guides.values()]
        self._names = {c: [Name.of(n) for n in (p.title, *p.keywords)] for c, p in catalog.procedures.items()}
        self._names.update({c: [Name.of(n) for n in (g.title, *g.keywords)] for c, g in catalog.guides.items()})
        self.restorer = Restorer(titles + [official for _, official in SYNONYMS])

    def _item(self, code: str) -> Procedure | Guide | None:
        return self.catalog.items.get(code)

    def _allowed(self, item: Procedure | Guide, scope: Scope, field: str, agency: str) -> bool:
        if isinstance(item, Guide):
            return scope in ("citizen", "all", "commune") and not field and not agency
        if scope in ("commune", "province", "ministry") and scope not in item.levels:
            return False
        if field and field.lower() not in item.field.lower():
            return False
        return not (agency and agency.lower() not in f"{item.agency} {item.authority}".lower())

    def search(
        self, text: str, k: int = 5, scope: Scope = "citizen", field: str = "", agency: str = ""
    ) -> SearchResponse:
        cleaned = validate_query(text, QUESTION_MAX_CHARS)
        query = parse_query(cleaned)
        if query.blocked == "complaint" and COMPLAINT_GUIDE in self.catalog.guides:
            guide = self.catalog.guides[COMPLAINT_GUIDE]
            return SearchResponse(query, True, "complaint", [self._result(guide, 1.0, 0.0, 0.0, "tong-quan")])
        if query.blocked:
            return SearchResponse(query, False, query.blocked, [])
        s = self.settings

        # keyword side: best chunk per procedure, plus a little for a second matching section
        q_terms = terms(query.expanded)
        scale = self.catalog.keyword.max_score(q_terms)
        kw_best: dict[str, tuple[float, str]] = {}
        kw_second: dict[str, float] = defaultdict(float)
        for chunk_id, score in self.catalog.keyword.search(q_terms, k=300):
            code, section = self.catalog.chunk_section.get(chunk_id, (chunk_id.split("#")[0], ""))
            if code not in kw_best:
                kw_best[code] = (score, section)
            elif score > kw_second[code]:
                kw_second[code] = score
        kw = {c: (v[0] + 0.3 * kw_second[c]) / scale for c, v in kw_best.items()}

        # dense side: the text as written (e5 knows diacritics) plus the official terms we added
        extra = query.expanded[len(query.folded) :].strip()
        dense_text = self.restorer.restore(f"{query.folded} {extra}" if extra else cleaned)
        vector = self.embedder.embed_queries([dense_text])[0]
        n = s.dense_candidates * (3 if scope not in ("citizen", "all") or field or agency else 1)
        dense: dict[str, tuple[float, str, str]] = {}
        for hit in self.store.query(vector, n):
            code = str(hit.metadata.get("code", ""))
            if code and (code not in dense or hit.score > dense[code][0]):
                dense[code] = (hit.score, str(hit.metadata.get("section", "")), hit.text)

        floor, span = 0.76, 0.16  # e5 cosine similarities of related Vietnamese texts lie in about 0.76-0.92
        q_set = query_terms(query.expanded)
        q_padded = f" {query.expanded} "
        results: list[Result] = []
        for code in set(dense) | set(kw):
            item = self._item(code)
            if item is None or not self._allowed(item, scope, field, agency):
                continue
            d = min(max((dense[code][0] - floor) / span, 0.0), 1.0) if code in dense else 0.0
            kn = min(kw.get(code, 0.0), 1.5)
            names = self._names.get(code, [])
            named = max((n.match(q_set, q_padded) for n in names), default=0.0)
            score = s.dense_weight * d + s.keyword_weight * kn + s.title_weight * named
            if scope == "citizen" and isinstance(item, Procedure) and item.is_commune:
                score += s.commune_boost
            section = kw_best[code][1] if code in kw_best else dense[code][1]
            results.append(self._result(item, score, dense.get(code, (0.0, "", ""))[0], kw.get(code, 0.0), section))
        results.sort(key=lambda r: -r.score)
        if not results or results[0].score < s.min_score:
            return SearchResponse(query, False, "no_match", [])
        return SearchResponse(query, True, "", results[:k])

    def _result(self, item: Procedure | Guide, score: float, dense: float, keyword: float, section: str) -> Result:
        if isinstance(item, Guide):
            snippet = item.body[:240]
            return Result(item.code, item.title, "guide", "Hướng dẫn", item.source_url, score, dense, keyword,
                          section, " ".join(snippet.split()))
        snippet = snippet_for(item, section)
        return Result(item.code, item.title, item.primary_level, item.field, item.source_url, round(score, 4),
                      round(dense, 4), round(keyword, 4), section, snippet)


# Words that carry no meaning for matching a question to a title.
_STOP = frozenset(
    "thu tuc cua va doi voi cho trong cac tai theo hoac la thi o dau gi can lam the nao bao nhieu toi minh em anh chi "
    "ban muon hoi xin vay a nhe oi duoc khong co nhung mot nay do ve khi nguoi con be chau ong ba bo me vo chong "
    "phai mat may ngay lau nop o vi da roi sao".split()
)


# Words in a title that make it a special case of a more general procedure.
VARIANT_MARKERS = (
    "dang ky lai", "cap lai", "cap doi", "xoa", "luu dong", "nuoc ngoai", "bien gioi", "ket hop", "gia han",
    "cham dut", "thu hoi", "dinh chinh", "huy", "tam ngung", "thay doi", "trung uong", "da co ho so", "giam sat",
    "ghi vao so", "lien thong", "ban sao", "dieu chinh", "khai thac", "duoi 14",
)
MARKER_PENALTY = 0.15


def query_terms(expanded: str) -> frozenset[str]:
    return frozenset(w for w in words(expanded) if w not in _STOP)


@dataclass(frozen=True)
class Name:
    """A procedure's title or one of its keywords, ready for matching."""

    terms: frozenset[str]
    markers: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Name:
        padded = " " + " ".join(words(text)) + " "
        return cls(frozenset(w for w in words(text) if w not in _STOP),
                   tuple(m for m in VARIANT_MARKERS if f" {m} " in padded))

    def match(self, query: frozenset[str], query_padded: str) -> float:
        """How well this name is explained by the question: special variants ("lưu động", "có yếu tố nước
        ngoài", "cấp lại") lose to the general procedure unless the question names them."""
        common = len(query & self.terms)
        if not common or not self.terms:
            return 0.0
        missing = sum(f" {m} " not in query_padded for m in self.markers)
        return 0.7 * common / len(self.terms) + 0.3 * common / max(len(query), 1) - MARKER_PENALTY * missing


def snippet_for(proc: Procedure, section: str, limit: int = 240) -> str:
    if section == "ho-so" and proc.documents:
        text = "; ".join(d.name for d in proc.documents[:4])
    elif section == "cach-thuc" and proc.channels:
        text = "; ".join(f"{c.channel}: {c.time} {c.fee}".strip() for c in proc.channels)
    elif section == "can-cu" and proc.legal_basis:
        text = "; ".join(r.number or r.title for r in proc.legal_basis[:6])
    elif section in proc.sections:
        text = proc.sections[section]
    else:
        text = f"{proc.field}. {proc.result}".strip(". ")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
