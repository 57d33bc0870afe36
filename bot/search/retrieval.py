"""Hybrid retrieval: dense search in Chroma plus BM25 over folded text, fused per procedure.

The weights come from settings and were measured with `tthc eval retrieval` (see README).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from bot.errors import InputError
from bot.knowledge.models import Guide, Procedure
from bot.limits import QUESTION_MAX_CHARS
from bot.search.catalog import Catalog
from bot.search.diacritics import Restorer
from bot.search.embedders import Embedder
from bot.search.language import detect_language
from bot.search.query import Query, parse_query
from bot.search.topic import topic_of
from bot.search.vectors import Exact, Hit, Store
from bot.settings import Settings
from bot.text import clean, fold, has_diacritics, words

log = logging.getLogger(__name__)

COMPLAINT_GUIDE = "guide-khieu-nai-phan-anh"
_COMPLAINT_TITLE = re.compile(r"\b(khieu nai|to cao)\b")
# what a complaint procedure is about (all of today's are against the police or about legal aid): a complaint gets
# the procedure only when the question names that too ("công an xã phạt sai, tôi khiếu nại"), not a complaint about a
# clerk that merely shares the word "khiếu nại"
_COMPLAINT_SUBJECT = re.compile(r"\b(cong an|tro giup phap ly)\b")
QUESTION_SECTION = "cau-hoi"  # the section of citizen phrasings' chunks (written by ingest)
QUESTION_KIND, PASSAGE_KIND = "question", "passage"  # the store's kinds (bot.search.vectors.KINDS)
# the pseudo-code of the out-of-scope examples (knowledge/out_of_scope.yaml), stored as citizen phrasings
OUTSIDE_CODE = "~ngoai-pham-vi"
CLASSIFIER_CANDIDATES = 10  # the classifier's likeliest procedures join the candidates
SHOWN_LIKELIEST = 2  # and this many of them are shown right after the first result (`shown`)
OUTSIDE_REASON = "out_of_scope_example"  # a refusal because the question is like one of those examples
LIKELY_REASON = "out_of_scope_likely"  # a refusal because its vector looks out of scope (bot.search.scope)
WORDS_REASON = "out_of_scope_words"  # a refusal because its words look out of scope (bot.search.scope.ScopeWords)
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
    reason: str  # "", "no_match", "picked", or why the question is blocked (bot.search.query._BLOCKS)
    results: list[Result]
    # sure enough of the first result to answer with it alone; otherwise the citizen picks among the first few
    confident: bool = True


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


@dataclass
class Retriever:
    settings: Settings
    catalog: Catalog
    store: Store
    embedder: Embedder

    def __post_init__(self) -> None:
        catalog = self.catalog
        titles = [p.title for p in catalog.procedures.values()] + [g.title for g in catalog.guides.values()]
        self._names = {c: [Name.of(n) for n in (p.title, *p.keywords)] for c, p in catalog.procedures.items()}
        self._names.update({c: [Name.of(n) for n in (g.title, *g.keywords)] for c, g in catalog.guides.items()})
        # diacritics come back from the titles' words and the citizen phrasings' everyday ones ("be" -> "bé",
        # "thi can" -> "thì cần"): from the titles alone every syllable got a title's form ("bè", "thị căn")
        # (the Vietnamese ones: a German phrasing's "für" is no Vietnamese "fur")
        phrasings = [q for p in catalog.procedures.values() for q in p.questions
                     if has_diacritics(q) and detect_language(q) == "vi"]
        self.restorer = Restorer(titles + phrasings)  # the lexicon's official terms are folded: no use here

        self._fields = {p.field.casefold() for p in catalog.procedures.values() if p.field}
        self._exact: dict[str, Exact] = {}  # by kind, built at the first question (`nearest`)

    def _item(self, code: str) -> Procedure | Guide | None:
        return self.catalog.items.get(code)

    def allowed(self, item: Procedure | Guide, scope: Scope, field: str = "", agency: str = "") -> bool:
        """The filters, strictly: a level keeps only procedures done at that level (a guide has no level); a
        field that names one exactly keeps that field only, other text any field containing it."""
        if isinstance(item, Guide):
            return scope in ("citizen", "all") and not field and not agency
        if scope in ("commune", "province", "ministry") and scope not in item.levels:
            return False
        want = field.strip().casefold()
        if want and (want != item.field.casefold() if want in self._fields else want not in item.field.casefold()):
            return False
        return not (agency and agency.lower() not in f"{item.agency} {item.authority}".lower())

    def search(
        self, text: str, k: int = 5, scope: Scope = "citizen", field: str = "", agency: str = ""
    ) -> SearchResponse:
        cleaned = validate_query(text, QUESTION_MAX_CHARS)
        query = parse_query(cleaned, self.catalog.lexicon)
        if query.blocked == "complaint" and COMPLAINT_GUIDE in self.catalog.guides:
            # a complaint or denunciation that is itself a procedure (against the commune police's decisions) gets
            # that procedure; any other complaint about an official, the guide to where complaints go
            ranked = self._ranked(query, cleaned, k, scope, field, agency)
            title = fold(ranked.results[0].title) if ranked.results else ""
            subject = _COMPLAINT_SUBJECT.search(title)
            if _COMPLAINT_TITLE.search(title) and subject and subject.group(1) in query.folded:
                return ranked
            guide = self.catalog.guides[COMPLAINT_GUIDE]
            return SearchResponse(query, True, "complaint", [self._result(guide, 1.0, 0.0, 0.0, "tong-quan")])
        if query.blocked:
            return SearchResponse(query, False, query.blocked, [])
        return self._ranked(query, cleaned, k, scope, field, agency)

    def _ranked(self, query: Query, cleaned: str, k: int, scope: Scope, field: str, agency: str) -> SearchResponse:
        found, outside = self.signals_and_outside(query, cleaned, scope, field, agency)
        raw = signal_matrix(found)
        scores = fused(raw, self.settings, scope)
        refusal = refusal_of(outside, scores, raw, self.settings)
        if refusal:
            return SearchResponse(query, False, refusal, [])
        top = [round(float(v), 4) for v in np.sort(scores)[::-1][:2]]
        # only the first k become results (each with a snippet): there are often a few hundred candidates
        results = [self._result(self.catalog.items[found[i].code], float(scores[i]), found[i].dense,
                                found[i].keyword, found[i].section) for i in shown(scores, raw, k)]
        return SearchResponse(query, True, "", results, confident=confident(top, self.settings))

    def signals(self, query: Query, cleaned: str, scope: Scope = "citizen", field: str = "",
                agency: str = "") -> list[Signals]:
        """Every candidate procedure with what each retriever says of it (fused by `fuse`)."""
        return self.signals_and_outside(query, cleaned, scope, field, agency)[0]

    def signals_and_outside(self, query: Query, cleaned: str, scope: Scope = "citizen", field: str = "",
                            agency: str = "") -> tuple[list[Signals], Outside]:
        """The candidates' signals, and how the question as written looks out of scope (`Outside`)."""
        s = self.settings
        # keyword side: best chunk per procedure, plus a little for a second matching section
        keyword = self.catalog.keyword
        q_terms = self.keyword_terms(query)
        scale = keyword.max_score(q_terms)
        kw_best: dict[str, tuple[float, str]] = {}
        kw_second: dict[str, float] = defaultdict(float)
        for chunk_id, score in keyword.search(q_terms, k=300):
            code, section = self.catalog.chunk_section.get(chunk_id, (chunk_id.split("#")[0], ""))
            if code not in kw_best:
                kw_best[code] = (score, section)
            elif score > kw_second[code]:
                kw_second[code] = score
        kw = {c: (v[0] + 0.3 * kw_second[c]) / scale for c, v in kw_best.items()}

        # dense side: the text as written (e5 knows diacritics) plus the official terms we added, against the
        # procedures' passages; and the question as the citizen wrote it, against citizen phrasings
        dense_text = self.dense_text(query, cleaned)
        asked_text = self.asked_text(query, cleaned)
        texts = [dense_text] if asked_text == dense_text else [dense_text, asked_text]
        vectors = self.embedder.embed_queries(texts)
        vector, asked = vectors[0], vectors[-1]
        n = s.dense_candidates * (3 if scope not in ("citizen", "all") or field or agency else 1)
        dense = self._best_hits(vector, n, phrasings=False)
        # always searched, whatever `question_weight`: the nearest phrasings' procedures are candidates, and the
        # nearest out-of-scope example is what `Outside.example` reads
        asked_like = self._best_hits(asked, n, phrasings=True)
        # every candidate's probability (for `tthc eval calibrate` too, whatever its weight); the procedures the
        # classifier is surest of are candidates even where no chunk of theirs came near
        learned = self.catalog.classifier.probabilities(asked, query.expanded)
        likeliest = (sorted(learned, key=learned.__getitem__, reverse=True)[:CLASSIFIER_CANDIDATES]
                     if s.classifier_weight else [])

        q_set = query_terms(query.expanded)
        q_padded = f" {query.expanded} "
        out: list[Signals] = []
        for code in set(dense) | set(kw) | set(asked_like) | set(likeliest):
            item = self._item(code)
            if item is None or not self.allowed(item, scope, field, agency):
                continue
            named = max((n.match(q_set, q_padded) for n in self._names.get(code, [])), default=0.0)
            section = kw_best[code][1] if code in kw_best else (dense.get(code) or asked_like.get(code)
                                                                 or (0.0, "", ""))[1]
            out.append(Signals(code, dense.get(code, (0.0, "", ""))[0], kw.get(code, 0.0), named,
                               asked_like.get(code, (0.0, "", ""))[0],
                               isinstance(item, Procedure) and item.is_commune, section, learned.get(code, 0.0)))
        outside = Outside(asked_like.get(OUTSIDE_CODE, (0.0, "", ""))[0], self.catalog.scope.likely(asked),
                          max(learned.values(), default=0.0) if len(self.catalog.classifier) else 1.0,
                          self.catalog.scope_words.log_odds(query.expanded))
        return self._completed(out, vector, asked, scope), outside

    def _completed(self, found: list[Signals], vector: Any, asked: Any, scope: Scope) -> list[Signals]:
        """The first `complete_top` candidates by fused score, each with the cosines of its own passages and
        phrasings where they fell outside the dense top-n (0 there would count as "unlike"); the rest as found."""
        n = self.settings.complete_top
        if not found or n <= 0:
            return found
        order = np.argsort(-fused(signal_matrix(found), self.settings, scope), kind="stable")[:n]
        for kind, attr, query in ((PASSAGE_KIND, "dense", vector), (QUESTION_KIND, "asked", asked)):
            rows = [i for i in order if getattr(found[i], attr) == 0.0]
            ids = {i: self.catalog.chunk_ids.get(found[i].code, []) for i in rows}
            wanted = [c for i in rows for c in ids[i]]
            exact = self.settings.exact_search
            stored = self.exact(kind).vectors(wanted) if exact else self.store.vectors(wanted, kind)
            for i in rows:
                cosines = [float(stored[c] @ query) for c in ids[i] if c in stored]
                if cosines:
                    found[i] = replace(found[i], **{attr: max(cosines)})
        return found

    def dense_text(self, query: Query, cleaned: str) -> str:
        """What is matched with the passages: the text as written (e5 knows diacritics and other languages) and
        the official terms the lexicon added; Vietnamese typed without diacritics, the folded text with its
        shorthand spelt out ("j" -> "gì") and those terms, diacritics restored."""
        extra = query.expanded[len(query.folded) :].strip()
        if not extra:
            return self._as_written(query, cleaned)
        if has_diacritics(cleaned) or query.language != "vi":
            # as typed, with the official terms added: restoring the whole text from its folded form lost the
            # diacritics typed ("ông năm nay 75, vẫn giữ cái" -> "ông nằm nay 75, văn giữ cải") and made English
            # Vietnamese ("my wife" -> "mỹ wife", "to register" -> "tổ register")
            return " ".join([cleaned, *(self.restorer.restore(term) for term in query.added)])
        return self.restorer.restore(f"{query.folded} {extra}")

    def asked_text(self, query: Query, cleaned: str) -> str:
        """The question as the citizen wrote it (diacritics restored when typed without), on its topic: what is
        matched with the phrasings, which are embedded on theirs (`bot.search.topic.embed_asked`)."""
        return topic_of(self._as_written(query, cleaned))

    def _as_written(self, query: Query, cleaned: str) -> str:
        """The text as written when it has diacritics; otherwise the folded text (shorthand spelt out) with them
        restored."""
        return cleaned if has_diacritics(cleaned) else self.restorer.restore(query.folded)

    def refused_with(self, text: str, examples: np.ndarray) -> bool:
        """Whether the question would be refused if these out-of-scope examples (rows of query vectors) were
        added to the ones stored: to check a new example against evaluation questions before it is kept."""
        cleaned = validate_query(text, QUESTION_MAX_CHARS)
        query = parse_query(cleaned, self.catalog.lexicon)
        if query.blocked and query.blocked != "complaint":
            return True
        found, outside = self.signals_and_outside(query, cleaned)
        if len(examples):
            asked = self.embedder.embed_queries([self.asked_text(query, cleaned)])[0]
            outside = replace(outside, example=max(outside.example, float(np.max(examples @ asked))))
        raw = signal_matrix(found)
        return bool(refusal_of(outside, fused(raw, self.settings), raw, self.settings))

    def keyword_terms(self, query: Query) -> list[str]:
        """The question's terms for the keyword index, cut as the index was (a segmenter cuts words better with
        diacritics: the question's folded syllables get the titles' diacritics back first)."""
        keyword = self.catalog.keyword
        foreign = query.language != "vi"
        return keyword.query_terms(query.expanded if keyword.tokenizer == "ngrams"
                                   else self.restorer.restore(query.expanded), foreign)

    def _best_hits(self, vector: Any, n: int, phrasings: bool) -> dict[str, tuple[float, str, str]]:
        """The best dense hit per procedure, among citizen phrasings or among the passages: (cosine, section,
        text). Each kind apart (the store keeps them apart): the nearest chunks to a question are mostly
        phrasings, which would crowd the passages out of a top-n of both."""
        best: dict[str, tuple[float, str, str]] = {}
        for hit in self.nearest(vector, n, QUESTION_KIND if phrasings else PASSAGE_KIND):
            code = str(hit.metadata.get("code", ""))
            if code and (code not in best or hit.score > best[code][0]):
                best[code] = (hit.score, str(hit.metadata.get("section", "")), hit.text)
        return best

    def nearest(self, vector: Any, n: int, kind: str) -> list[Hit]:
        """The n nearest chunks of this kind: exactly, in memory (`TTHC_EXACT_SEARCH`, the default), or by the
        store's own approximate search."""
        if not self.settings.exact_search:
            return self.store.query(vector, n, kind=kind)
        return self.exact(kind).query(vector, n)

    def warm(self) -> None:
        """Read what the first question would (the vectors for the exact search, about 0.8 s): a server does it
        before it serves, and before a reloaded assistant replaces the old one."""
        if self.settings.exact_search:
            for kind in (PASSAGE_KIND, QUESTION_KIND):
                self.exact(kind)

    def exact(self, kind: str) -> Exact:
        """Every stored chunk of this kind in memory, read from the store at the first question. The catalog and
        this retriever are built again after an ingest (`Assistant.reload`), and so is this."""
        index = self._exact.get(kind)
        if index is None:
            index = self._exact[kind] = Exact(self.store.every(kind))
        return index

    def pinned(self, text: str, code: str) -> SearchResponse:
        """The question answered with one procedure the citizen picked (from choices)."""
        query = parse_query(validate_query(text, QUESTION_MAX_CHARS), self.catalog.lexicon)
        item = self.catalog.get(code)
        return SearchResponse(query, True, "picked", [self._result(item, 1.0, 0.0, 0.0, "tong-quan")])

    def _result(self, item: Procedure | Guide, score: float, dense: float, keyword: float, section: str) -> Result:
        if isinstance(item, Guide):
            snippet = item.body[:240]
            return Result(item.code, item.title, "guide", "Hướng dẫn", item.source_url, score, dense, keyword,
                          section, " ".join(snippet.split()))
        snippet = snippet_for(item, section)
        return Result(item.code, item.title, item.primary_level, item.field, item.source_url, round(score, 4),
                      round(dense, 4), round(keyword, 4), section, snippet)


@dataclass(frozen=True)
class Outside:
    """How the question as written looks out of scope."""

    example: float  # its best cosine to an out-of-scope example (knowledge/out_of_scope.yaml)
    likely: float  # the probability that it is out of scope, from its vector (`bot.search.scope`)
    recognised: float = 1.0  # the classifier's probability of its likeliest procedure (1 with no classifier)
    words: float = 0.0  # how much likelier its words are out of scope than in (log-odds, `bot.search.scope`)


@dataclass(frozen=True)
class Signals:
    """What each retriever says of one candidate procedure."""

    code: str
    dense: float  # best cosine of the question (with official terms) to the procedure's passages
    keyword: float  # BM25, scaled by what a document holding every query term once would get
    named: float  # how well the title or a curated keyword is explained by the question
    asked: float  # best cosine of the question as written to the procedure's citizen phrasings
    commune: bool
    section: str
    learned: float = 0.0  # the phrasing classifier's probability (bot.search.classifier)


# e5 cosine similarities of related Vietnamese texts lie in about 0.76-0.92
DENSE_FLOOR, DENSE_SPAN = 0.76, 0.16
# the classifier speaks for a candidate only as far as one of its phrasings is like the question (cosine from 0.80,
# fully from 0.90): its probabilities always add up to 1, even for a question about something else, and the fewer
# procedures a knowledge base has, the surer it is of one (session 16: the same figures on the tuning sets)
CLASSIFIER_FLOOR, CLASSIFIER_SPAN = 0.80, 0.10


def signal_matrix(found: Sequence[Signals]) -> np.ndarray:
    """One row per candidate: dense cosine, keyword, name match, phrasing cosine, commune level (0/1), the
    classifier's probability."""
    rows = [[x.dense, x.keyword, x.named, x.asked, x.commune, x.learned] for x in found]
    return np.array(rows, dtype=np.float64).reshape(-1, 6)


def _scaled(values: np.ndarray, floor: float, span: float) -> np.ndarray:
    """Cosines rescaled from [floor, floor + span] to [0, 1]; a missing one (0) stays 0."""
    return np.clip((values - floor) / span, 0.0, 1.0) * (values > 0)


def fused(raw: np.ndarray, s: Settings, scope: Scope = "citizen") -> np.ndarray:
    """The fused scores of `signal_matrix` rows (weights from settings, chosen with `tthc eval calibrate`,
    which scores thousands of weight settings with this same function)."""
    score = (s.dense_weight * _scaled(raw[:, 0], DENSE_FLOOR, DENSE_SPAN)
             + s.keyword_weight * np.minimum(raw[:, 1], 1.5) + s.title_weight * raw[:, 2]
             + s.question_weight * _scaled(raw[:, 3], s.question_floor, s.question_span)
             + s.classifier_weight * raw[:, 5] * _scaled(raw[:, 3], CLASSIFIER_FLOOR, CLASSIFIER_SPAN))
    return score + (s.commune_boost * raw[:, 4] if scope == "citizen" else 0.0)


def shown(scores: np.ndarray, raw: np.ndarray, k: int) -> list[int]:
    """The first `k` candidates in the order shown: the first by fused score, then the phrasing classifier's two
    likeliest procedures (the near twins a citizen picks between when retrieval is unsure), then the rest by fused
    score. On the tuning sets the right procedure was among the first three for 0.982 of the questions, against
    0.977 by fused score alone (README, session 17)."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    if not order:
        return []
    likeliest = [int(i) for i in np.argsort(-raw[:, 5], kind="stable")[:SHOWN_LIKELIEST] if raw[i, 5] > 0]
    return list(dict.fromkeys([order[0], *likeliest, *order[1:]]))[:k]


def refusal_of(outside: Outside, scores: np.ndarray, raw: np.ndarray, s: Settings) -> str:
    """Why the question is refused ("" when it is not), from its candidates' `signal_matrix` rows and fused
    scores:
    - at least `outside_min` like an out-of-scope example and `outside_margin` more like it than like any
      procedure's citizen phrasing;
    - no candidate with a fused score of at least `min_score`;
    - likely out of scope (at least `likely_min`) with no candidate of a fused score of `likely_max_score`;
    - no procedure the classifier gives `classifier_min` (it recognises none), with no candidate of a fused score of
      `likely_max_score` either;
    - its words at least `words_min` likelier out of scope than in, with no candidate of a fused score of
      `words_max_score`."""
    best_asked = float(raw[:, 3].max()) if len(raw) else 0.0
    if outside.example >= s.outside_min and outside.example - best_asked >= s.outside_margin:
        return OUTSIDE_REASON
    best = round(float(scores.max()), 4) if len(scores) else 0.0
    if best < s.min_score:
        return "no_match"
    if (outside.likely >= s.likely_min or outside.recognised < s.classifier_min) and best < s.likely_max_score:
        return LIKELY_REASON
    if outside.words >= s.words_min and best < s.words_max_score:
        return WORDS_REASON
    return ""


def confident(top_scores: Sequence[float], s: Settings) -> bool:
    """Sure of the first result: its fused score is high enough and it leads the next procedure by a margin
    (both chosen with `tthc eval calibrate`)."""
    second = top_scores[1] if len(top_scores) > 1 else 0.0
    return top_scores[0] >= s.answer_min_score and top_scores[0] - second >= s.answer_min_margin


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
    "to chuc",  # citizens ask for themselves: "đối với tổ chức" loses unless the question names one
)
MARKER_PENALTY = 0.15


def query_terms(expanded: str) -> frozenset[str]:
    return frozenset(w for w in words(expanded) if w not in _STOP)


@dataclass(frozen=True)
class Name:
    """A procedure's title or one of its keywords, ready for matching."""

    terms: frozenset[str]
    markers: tuple[str, ...]
    phrase: str  # the whole name, folded: a name of one content word must occur whole ("người có công")

    @classmethod
    def of(cls, text: str) -> Name:
        padded = " " + " ".join(words(text)) + " "
        return cls(frozenset(w for w in words(text) if w not in _STOP),
                   tuple(m for m in VARIANT_MARKERS if f" {m} " in padded), padded)

    def match(self, query: frozenset[str], query_padded: str) -> float:
        """How well this name is explained by the question: special variants ("lưu động", "có yếu tố nước
        ngoài", "cấp lại") lose to the general procedure unless the question names them."""
        common = len(query & self.terms)
        if not common or not self.terms:
            return 0.0
        if len(self.terms) == 1 and self.phrase not in query_padded:
            return 0.0  # "công" of "công an" does not name "người có công"
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
