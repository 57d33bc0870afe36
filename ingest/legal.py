"""Vietnamese legal document numbers ("43/2024/NĐ-CP"): their grammar, and a validator for imported data.

A number is `number/year/issuer`: the issuer names the document type and who issued it (NĐ-CP, TT-BTC,
QĐ-TTg, TTLT-BTC-BTP, NQ-HĐND), or, for laws and National Assembly resolutions, the legislature (QH13).
Decisions, non-normative resolutions, official letters (công văn) and consolidated texts carry no year by the
rules on official documents ("1898/QĐ-BTP", "4533/BHXH-CSXH", "09/VBHN-VPQH"). The Government's thematic
resolutions are numbered with a dot ("66.7/2025/NQ-CP").

The portal's legal-basis table was flattened without separators, so numbers arrive glued to their neighbours:
a date ("ngày 29/6/2024" + "43/2024/QH15" = "29/6/202443/2024/QH15"), a title ("Bộ Tư pháp18/2026/NĐ-CP"),
or another number ("Luật 60/2014/QH13" + "60/2014/QH13" = "QH1360/2014/QH13"). `cut_issuer` finds where an
issuer really ends; `number_problem` and `glued_fragments` report what still does not look right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.knowledge.models import Procedure

UPPER = "A-ZĐƯ&"
# document types: the first part of an issuer
TYPES = frozenset({
    "NĐ", "TT", "TTLT", "QĐ", "NQ", "NQLT", "PL", "L", "CT", "VBHN", "HD", "HDLT", "SL", "KH", "TB", "CĐ",
})
# types whose numbers always carry a year (normative documents)
_YEAR_REQUIRED = frozenset({"NĐ", "TT", "TTLT", "NQLT", "PL", "L", "SL"})
# who issues: ministries, the Government, the Prime Minister, courts, councils, social insurance, ...
BODIES = frozenset({
    "CP", "TTg", "CTN", "VPCP", "VPQH", "QH", "UBTVQH",
    "BTC", "BTP", "BCA", "BXD", "BYT", "BQP", "BNG", "BNV", "BCT", "BTNMT", "BNNMT", "BNNPTNT", "BNN", "BGTVT",
    "BKHĐT", "BLĐTBXH", "BGDĐT", "BTTTT", "BVHTTDL", "BKHCN", "BDTTG", "UBDT", "BTCTW",
    "NHNN", "TANDTC", "VKSNDTC", "HĐTP", "KTNN", "HĐND", "UBND", "BHXH", "CSXH", "TCHQ", "TCT", "TLĐ",
    "UBTƯMTTQVN", "MTTQVN", "ĐCSVN", "TW", "BNN&PTNT",
})
# a department of an issuer, after it: "885/QĐ-BCA-C06"
_UNIT_RE = re.compile(r"[A-Z]\d{2}(?!\d)")
# longest first, so that "BNNPTNT" wins over "BNN"
_BODY_RE = re.compile("|".join(map(re.escape, sorted(BODIES, key=len, reverse=True))))
# a type or agency opens an issuer only before a dash: "02/2025/LLTP" is a form code, not "L"
_FIRST_RE = re.compile("(?:" + "|".join(map(re.escape, sorted(TYPES | BODIES, key=len, reverse=True))) + ")(?=-)")
# legislatures (khóa) of the National Assembly and the years they sat
_LEGISLATURES = {9: (1992, 1997), 10: (1997, 2002), 11: (2002, 2007), 12: (2007, 2011), 13: (2011, 2016),
                 14: (2016, 2021), 15: (2021, 2026), 16: (2026, 2031)}
_FIRST_YEAR, _LAST_YEAR = 1945, 2027

# a legal number as it may appear in flattened text: its issuer may run on into the next word or number
_TOKEN = (
    rf"(?P<num>\d+(?:\.\d+|\.?[a-z])?)(?:/(?P<year>\d{{4}}))?/"
    rf"(?P<iss>(?:TTg|[{UPPER}]+\d*)(?:-(?:TTg|[{UPPER}]+\d*))*)"
)
TOKEN_RE = re.compile(_TOKEN)
_STRICT_RE = re.compile(f"^{_TOKEN}$")
_LETTER = re.compile(r"[^\W\d_]")


def _legislature_digits(rest: str) -> str:
    """The legislature number right after 'QH': two digits 10-16, or 9; '' when absent."""
    if len(rest) >= 2 and rest[:2].isdigit() and 10 <= int(rest[:2]) <= 16:
        return rest[:2]
    if rest[:1] == "9" and not rest[1:2].isdigit():
        return "9"
    return ""


def _segment(rest: str, first: bool, number: str, doc_type: str, after: str) -> str:
    """The issuer segment at the start of `rest` (text that may run on into the next word or number)."""
    for name in ("UBTVQH", "QH"):
        if rest.startswith(name):
            return name + _legislature_digits(rest[len(name) :])
    known = _FIRST_RE.match(rest) if first else (_UNIT_RE.match(rest) or _BODY_RE.match(rest))
    if known:
        name = known.group(0)
        tail = rest[len(name) :]
        if name == "NHNN" and doc_type == "QĐ" and tail[:1].isdigit():
            # old State Bank decisions carry a department digit ("92/2000/QĐ-NHNN7"); take it only when
            # what follows is the same number again ("QĐ-NHNN792/2000/QĐ-NHNN7") or nothing numeric
            digits = re.match(r"\d+", tail[1:] + after)
            if not digits or digits.group(0) == number:
                return name + tail[0]
        return name
    # an unknown segment: its capitals, less one that starts the next word ("NĐ-CLuật" -> "C")
    run = re.match(rf"[{UPPER}]+", rest)
    if not run:
        return ""
    seg = run.group(0)
    following = rest[len(seg) :] or after
    if following[:1].islower():
        seg = seg[:-1]
    return seg


def cut_issuer(issuer: str, number: str = "", after: str = "") -> str:
    """The part of a greedily matched issuer that belongs to the number.

    `after` is the text that follows the match. 'NĐ-CPLuật' -> 'NĐ-CP', 'QH1360' -> 'QH13',
    'TT-BTC80' -> 'TT-BTC', 'NĐ-CP-Q' (before 'uy định') -> 'NĐ-CP'.
    """
    pos = 0
    doc_type = ""
    while pos < len(issuer):
        seg = _segment(issuer[pos:], pos == 0, number, doc_type, after)
        if not seg:
            break
        if pos == 0:
            doc_type = seg
        pos += len(seg)
        nxt = issuer[pos + 1 : pos + 2]
        if issuer[pos : pos + 1] != "-" or not nxt:
            break
        # continue past '-' only into a segment that is itself part of the issuer
        ahead = _segment(issuer[pos + 1 :], False, number, doc_type, after)
        if not ahead:
            break
        pos += 1
    return issuer[:pos].rstrip("-")


def _year_ok(year: str) -> bool:
    return _FIRST_YEAR <= int(year) <= _LAST_YEAR


def number_problem(number: str) -> str | None:
    """Why `number` is not a well-formed legal number, or None when it is."""
    m = _STRICT_RE.match(number)
    if not m:
        return "not of the form number/year/issuer"
    num, year, issuer = m.group("num"), m.group("year"), m.group("iss")
    segments = issuer.split("-")
    first = segments[0]
    qh = re.fullmatch(r"(UBTVQH|QH)(\d*)", first)
    if qh:
        doc_type = qh.group(1)
        if len(segments) > 1:
            return f"unexpected issuer after {first}"
    elif first in TYPES:
        doc_type = first
        if len(segments) < 2:
            return f"issuer missing after {first}"
        bodies = segments[1:]
        for body in bodies:
            if not (body in BODIES or re.fullmatch(r"NHNN\d|(?:UBTV)?QH\d{1,2}", body) or _UNIT_RE.fullmatch(body)):
                return f"unknown issuer '{body}'"
        if doc_type == "NĐ" and bodies != ["CP"]:
            return "a Nghị định is issued by CP"
    elif first in BODIES:
        doc_type = "CV"  # an official letter: number/agency-unit
        for body in segments[1:]:
            if not (body in BODIES or _UNIT_RE.fullmatch(body)):
                return f"unknown issuer '{body}'"
    else:
        return f"unknown document type '{first}'"
    if re.search(r"[a-z]$", num):  # "08.a/2010/TT-BTP", "09b/2013/TT-BTP"
        num = re.sub(r"\.?[a-z]$", "", num)
    elif "." in num:
        if not (doc_type == "NQ" and re.fullmatch(r"\d{1,3}\.\d{1,2}", num)):
            return "dotted number outside a Government resolution"
        num = num.split(".")[0]
    limit = 4 if doc_type in {"QĐ", "CT", "CV", "UBTVQH", "KH", "TB", "CĐ", "HD"} else 3
    if doc_type == "NQ" and ("UBTVQH" in issuer or not year):
        limit = 4
    if len(num) > limit:
        return f"number part {num} too long for {doc_type}"
    if year:
        if not _year_ok(year):
            return f"year {year} out of range"
    elif doc_type in _YEAR_REQUIRED or qh:
        return "missing year"
    if qh:
        if not qh.group(2):
            return f"legislature missing after {qh.group(1)}"
        span = _LEGISLATURES.get(int(qh.group(2)))
        if not span or not (span[0] <= int(year) <= span[1]):
            return f"{first} did not sit in {year}"
    return None


def is_legal_number(number: str) -> bool:
    return number_problem(number) is None


_YEAR_GLUE = re.compile(rf"(?<![\d.])(?:19|20)\d\d(?:\d{{1,4}}|\.\d{{1,3}})/(?:\d{{4}}/)?[{UPPER}]")
_CONTEXT = 14


def _around(text: str, start: int, end: int) -> str:
    return text[max(0, start - _CONTEXT) : end + _CONTEXT].replace("\n", " ").strip()


def unglue(text: str) -> str:
    """Put a space between a valid legal number and a word glued to it, on either side.

    "theo Nghị định151/2024/NĐ-CP" -> "theo Nghị định 151/2024/NĐ-CP";
    "Nghị định số 23/2026/NĐ-CPMẫu số 01.docx" -> "... 23/2026/NĐ-CP Mẫu số 01.docx";
    "Luật 27/2023/QH1527/2023/QH15" -> "Luật 27/2023/QH15 27/2023/QH15".
    Nothing is added where the number is not well formed ("TT-BNNMTT ngày" stays as it is).
    """
    if "/" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in TOKEN_RE.finditer(text):
        start = m.start()
        issuer = cut_issuer(m.group("iss"), m.group("num"), text[m.end() :])
        end = m.start("iss") + len(issuer)
        if not issuer or not is_legal_number(text[start:end]) or text[start - 1 : start] in ("/", "."):
            continue
        out.append(text[pos:start])
        if start > 0 and _LETTER.match(text[start - 1]):
            out.append(" ")
        out.append(text[start:end])
        if re.match(r"[^\W\d_]{2}|\d", text[end : end + 2]):
            out.append(" ")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _looks_legal(issuer: str, has_year: bool) -> bool:
    """Whether a number-like token in prose is a legal number (and not a form code like "02/QĐHT")."""
    first = issuer.split("-")[0]
    if not (first in TYPES or first in BODIES or re.fullmatch(r"(?:UBTV)?QH\d*", first)):
        return False
    return has_year or "-" in issuer


def glued_fragments(text: str) -> list[str]:
    """Pieces of free text where a legal number is glued to its neighbour."""
    found: list[tuple[int, int]] = []
    for m in _YEAR_GLUE.finditer(text):
        found.append((m.start(), m.end()))
    for m in TOKEN_RE.finditer(text):
        start = m.start()
        issuer = cut_issuer(m.group("iss"), m.group("num"), text[m.end() :])
        end = m.start("iss") + len(issuer)
        if not _looks_legal(issuer, bool(m.group("year"))) or text[start - 1 : start] in ("/", "."):
            continue  # a form code ("Mẫu số 01/TBH"), a path, or the tail of a longer number
        before = text[start - 1 : start]
        after = text[end : end + 1]
        problem = number_problem(text[start:end])
        if (
            _LETTER.match(before)
            or (after and (_LETTER.match(after) or after.isdigit()))
            or (problem and "too long" in problem)
        ):
            found.append((start, end))
    found.sort()
    out: list[str] = []
    last_end = -1
    for start, end in found:
        if start < last_end:
            continue
        out.append(_around(text, start, end))
        last_end = end
    return out


def _text_fields(proc: Procedure) -> Iterable[tuple[str, str]]:
    for i, ref in enumerate(proc.legal_basis):
        yield f"legal_basis[{i}].title", ref.title
    for i, chan in enumerate(proc.channels):
        yield f"channels[{i}].fee", chan.fee
        yield f"channels[{i}].note", chan.note
    for i, doc in enumerate(proc.documents):
        yield f"documents[{i}].name", doc.name
    yield "decision", proc.decision
    yield "result", proc.result
    for key, text in proc.sections.items():
        yield f"sections.{key}", text


def legal_number_problems(procedures: Iterable[Procedure]) -> list[tuple[str, str, str]]:
    """(code, field, value) for each malformed legal number and each glued number in free text.

    A reference without a number is not a problem (the parser leaves it empty rather than guess).
    """
    problems: list[tuple[str, str, str]] = []
    for proc in procedures:
        for i, ref in enumerate(proc.legal_basis):
            if ref.number and number_problem(ref.number):
                problems.append((proc.code, f"legal_basis[{i}].number", ref.number))
        for field, text in _text_fields(proc):
            for fragment in glued_fragments(text or ""):
                problems.append((proc.code, field, fragment))
    return problems
