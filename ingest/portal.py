"""Parse the national portal crawl (flattened tables) into Procedure objects.

The crawl glued each page table into one string with no separators, e.g.
"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phíDịch vụ bưu chính1Miễn phí".
The parsers below re-split them on the shapes the portal uses.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge.models import Channel, Document, LegalRef, Level, Procedure
from bot.text import clean, nfc
from ingest.legal import TOKEN_RE, cut_issuer, is_legal_number, unglue

EMPTY = "Không có thông tin"
AGENCIES = {
    "bo-tai-chinh": "Bộ Tài chính",
    "bo-nong-nghiep-mt": "Bộ Nông nghiệp và Môi trường",
    "bo-xay-dung": "Bộ Xây dựng",
    "bo-cong-an": "Bộ Công an",
    "bo-tu-phap": "Bộ Tư pháp",
    "ngan-hang-nha-nuoc": "Ngân hàng Nhà nước Việt Nam",
    "toa-an-nhan-dan": "Tòa án nhân dân tối cao",
}
_CHROME = re.compile(r"Chọn cơ quan thực hiện.*$", re.S)

# ---- channels, time and fee -----------------------------------------------------------------

_CHANNEL_HEAD = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNEL_RE = re.compile(r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(?=\d|Không có thông tin)")
_TIME_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Năm|Phút)?")
_FEE_RE = re.compile(
    r"(Miễn phí|Không có thông tin|(?:Phí|Lệ phí)\s*:[^()]*?(?=\(|$)"
    r"|[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|Đồng|đồng)|VNĐ|Đồng)"
)


def _balanced_paren(text: str) -> tuple[str, str]:
    """Split '(...)rest' into ('...', 'rest'), respecting nesting."""
    if not text.startswith("("):
        return "", text
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[1:i], text[i + 1 :]
    return text[1:], ""


def parse_channels(raw: str) -> list[Channel]:
    text = unglue(nfc(raw or "").strip())
    if text.startswith(_CHANNEL_HEAD):
        text = text[len(_CHANNEL_HEAD) :]
    starts = list(_CHANNEL_RE.finditer(text))
    channels: list[Channel] = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[match.end() : end]
        time = ""
        if body.startswith(EMPTY):
            body = body[len(EMPTY) :]
        else:
            tm = _TIME_RE.match(body)
            if tm:
                number, unit = tm.group(1), tm.group(2) or ""
                time = f"{number} {unit.lower()}".strip()
                body = body[tm.end() :]
        fee = ""
        fm = _FEE_RE.match(body.lstrip())
        if fm:
            body = body.lstrip()[fm.end() :]
            fee = "" if fm.group(1) == EMPTY else fm.group(1).strip()
        detail, body = _balanced_paren(body)
        while detail.startswith("(") and _balanced_paren(detail)[1] == "":
            detail = _balanced_paren(detail)[0]  # "((Miễn lệ phí.))" -> "Miễn lệ phí."
        if detail.strip() and detail.strip() != EMPTY:
            fee = f"{fee} ({clean(detail)})" if fee else clean(detail)
        note = clean(body)
        channels.append(Channel(channel=match.group(1), time=time, fee=clean(fee), note=note))
    return channels


# ---- documents --------------------------------------------------------------------------------

_DOC_HEAD = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_QTY_RE = re.compile(r"\d+\s*bản\s*(?:chính|sao|chụp)(?:\s*,\s*\d+\s*bản\s*(?:chính|sao|chụp))*")
_FORM_RE = re.compile(r"([^;:.)\]]{1,120}?\.(?:docx?|pdf|xlsx?|rar|zip|odt))$", re.I)


def _split_form(item: str) -> tuple[str, str]:
    match = _FORM_RE.search(item)
    if not match:
        return item, ""
    form = match.group(1)
    name = item[: match.start()].rstrip()
    # a form glued to a lower-case word ("đường bộvăn bản đề nghị.docx") cannot be split safely
    if not name:
        return item, ""
    return name, form.strip()


def parse_documents(raw: str) -> list[Document]:
    text = unglue(nfc(raw or "").strip())
    if not text or text == EMPTY:
        return []
    docs: list[Document] = []
    parts = text.split(_DOC_HEAD)
    group = ""
    for index, part in enumerate(parts):
        if index == 0:
            group = clean(part.strip("-* :"))
            continue
        pos = 0
        matches = list(_QTY_RE.finditer(part))
        for m in matches:
            item = part[pos : m.start()]
            pos = m.end()
            name, form = _split_form(clean(item))
            name = re.sub(r"^[-+*•\s]+", "", name).strip(" ;,")
            if len(name) < 3:
                continue
            quantity = re.sub(r"\s*,\s*", ", ", m.group(0))
            docs.append(Document(name=name, quantity=quantity, form=form, group=group))
        tail = part[pos:]
        # text after the last quantity, before the next table, is the next group's heading
        group = clean(tail.strip("-* :"))
        if len(group) > 200:
            group = ""
        if not matches and part.strip():
            for line in re.split(r"\n+", part):
                if len(clean(line)) > 3:
                    docs.append(Document(name=clean(line), group=""))
    return docs


# ---- legal basis ------------------------------------------------------------------------------
# The table "Tên văn bản pháp lý | Mã văn bản" arrives as title, number, title, number, ... with no separators,
# and the portal's titles often end in a date, a year or the same number ("Luật 60/2014/QH13" + "60/2014/QH13").
# Each number is cut where its issuer really ends (ingest.legal.cut_issuer), a year glued in front of it is
# handed back to the title ("ngày 29/6/2024" + "43/2024/QH15"), and only numbers that close a row become a
# reference's number; numbers quoted inside a title stay in the title.

_LEGAL_HEAD = "Tên văn bản pháp lýMã văn bản"
_CYRILLIC = str.maketrans("АВСЕНКМОРТХаеорсух", "ABCEHKMOPTXaeopcyx")  # look-alikes typed into numbers
_TYPE_SEP_RE = re.compile(r"(?<=/)(NĐ|ND|QĐ|QD|TTLT|TT|NQLT|NQ|CT|PL)(?:\s*[_/]\s*|\s*-\s+|\s+-\s*)(?=[A-ZĐ])")
_ASCII_TYPES = {"ND": "NĐ", "QD": "QĐ"}
_DOC_WORDS = (
    "Bộ luật|Luật|Nghị định|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định|Pháp lệnh|Lệnh|Văn bản hợp nhất"
    "|Công văn|Chỉ thị|Hiến pháp"
)
_NEXT_DOC_RE = re.compile(rf"\s+(?:{_DOC_WORDS})(?![^\W\d_])")
# what the number column says before the number ("Nghị định số 92/2018/NĐ-CP", "Số 73/2025/TT-NHNN")
_PREFIX_WORDS = f"{_DOC_WORDS}|NĐ|TT|QĐ"
_COLUMN_PREFIX_RE = re.compile(
    rf"(?:\s*(?:{_DOC_WORDS})\s+[Ss]ố\s*:?|(?:(?<=[a-zà-ỹđ.;])|^)(?P<word>{_PREFIX_WORDS})(?:\s+[Ss]ố)?\s*:?"
    rf"|^\s*[Ss]ố\s*:?|(?<=[A-ZĐ0-9])Số\s*:?)\s*$"
)
_NAMED = {"NĐ": "Nghị định", "TT": "Thông tư", "QĐ": "Quyết định"}
_YEAR_IN_FRONT_RE = re.compile(r"((?:19|20)\d\d)(\d{1,4}|\.\d{1,3})")
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass
class _Number:
    at: int  # where the match began in the text (a glued year included)
    start: int  # where the number begins
    end: int  # where its issuer ends
    number: str
    column: bool = False
    broken: bool = False  # the tail of a longer, malformed number ("37/2013/2015/TT-NHNN")
    repeat_at: int = -1  # where a cut-off copy of it begins ("46/2020/NĐ-CP" + "46/2020"), when there is one


def _plausible_year(text: str) -> bool:
    return 1945 <= int(text) <= 2035


def _normal_issuer(issuer: str) -> str:
    first, _, rest = issuer.partition("-")
    first = _ASCII_TYPES.get(first, first)
    issuer = f"{first}-{rest}" if rest else first
    if issuer == "CP-NĐ":
        return "NĐ-CP"
    if issuer == "NĐ-C":  # a decree is only ever the Government's (NĐ-CP); the portal cut the last letter
        return "NĐ-CP"
    return issuer


def _legal_numbers(text: str) -> list[_Number]:
    found: list[_Number] = []
    pos = 0
    while True:
        m = TOKEN_RE.search(text, pos)
        if not m:
            break
        num, year = m.group("num"), m.group("year")
        issuer = cut_issuer(m.group("iss"), num, text[m.end() :])
        if not issuer:
            pos = m.start("iss")
            continue
        start = m.start()
        lead = _YEAR_IN_FRONT_RE.fullmatch(num)
        if lead and _plausible_year(lead.group(1)) and (len(num) >= 5 or "." in num):
            # a title's year or date runs into the number: "năm 2011" + "02/2011/QH13" = "201102/2011/QH13"
            num = lead.group(2).lstrip(".")
            start += len(lead.group(1)) + (1 if lead.group(2).startswith(".") else 0)
        end = m.start("iss") + len(issuer)
        issuer = _normal_issuer(issuer)
        number = f"{num}/{year}/{issuer}" if year else f"{num}/{issuer}"
        broken = start == m.start() and bool(re.search(r"\d/$", text[: m.start()]))
        found.append(_Number(at=m.start(), start=start, end=end, number=number, broken=broken))
        skipped = _skip_cut_repeat(text, end, number)
        if skipped != end:
            found[-1].repeat_at, found[-1].end = end, skipped
        pos = skipped
    return found


# "number/year" glued to a title (after a letter, a full stop or a date's year) and to the next title
_BARE_RE = re.compile(
    r"(?:(?<=[^\W\d_])|(?<=[.;)])|(?<=/(?:19|20)\d\d))(\d{1,4}/\d{4})(?![\d/])(?=[^\W\d_]|\s*$)"
)


def _with_cut_copies(text: str, numbers: list[_Number]) -> list[_Number]:
    """Add number columns the portal cut to "number/year", completed from a number quoted before them.

    "...QUÁ CẢNH HẢI QUAN.42/2020Nghị định..." after "Thông tư số 42/2020/TT-BTC ..." -> 42/2020/TT-BTC.
    """
    added: list[_Number] = []
    for m in _BARE_RE.finditer(text):
        if any(n.at <= m.start() < n.end for n in numbers):
            continue
        quoted = [n for n in numbers if n.end <= m.start() and n.number.startswith(m.group(1) + "/")]
        previous = [n for n in numbers if n.end <= m.start() and n.column]
        if quoted and (not previous or quoted[-1].at > previous[-1].end):
            added.append(_Number(at=m.start(), start=m.start(), end=m.end(), number=quoted[-1].number,
                                 repeat_at=m.start()))
    return sorted(numbers + added, key=lambda n: n.at)


def _skip_cut_repeat(text: str, end: int, number: str) -> int:
    """Skip a cut-off copy of the number just read: "Nghị định số 46/2020/NĐ-CP" + "46/2020" + "Luật...".

    The row's number column is then the number in its title; a copy that goes on into a different number
    ("41/2016/NĐ-CP" + "41/2017/...") is not skipped.
    """
    rest = text[end:]
    size = 0
    while size < len(number) and size < len(rest) and rest[size] == number[size]:
        size += 1
    copy = number[:size]
    if size < 4 or "/" not in copy or re.search(r"[^\d/.]", copy) or rest[size : size + 1] in ("/", "-"):
        return end
    if rest[size : size + 1].isdigit():
        return end
    # what is left of the copy may still end like the number: "41/201" + "Đ-CP"
    tail = number[size:]
    for k in range(len(tail), 1, -1):
        if rest[size:].startswith(tail[-k:]):
            return end + size + k
    return end + size


def _mark_columns(text: str, numbers: list[_Number]) -> None:
    """Which numbers close a row (the 'Mã văn bản' column) rather than sit inside a title."""
    for i in range(len(numbers) - 1, -1, -1):
        item = numbers[i]
        rest = text[item.end :]
        glued_next = i + 1 < len(numbers) and numbers[i + 1].at == item.end
        before = text[item.at - 1 : item.at] if item.at else ""
        glued_before = bool(_LETTER_RE.match(before)) or before in ".;" or item.start != item.at
        if item.repeat_at >= 0 or not rest.strip(_PUNCT):
            item.column = True
        elif i + 1 < len(numbers) and numbers[i + 1].number == item.number and _is_separator(
            text[item.end : numbers[i + 1].at]
        ):
            item.column = False  # "73/2025/TT-NHNN|Số 73/2025/TT-NHNN": a title that is just the number
        elif i > 0 and numbers[i - 1].number == item.number and not text[numbers[i - 1].end : item.at].strip(_PUNCT):
            item.column = True  # "Luật Nhà ở số 27/2023/QH15|27/2023/QH15 sửa đổi...": the copy closes the row
        elif glued_next and glued_before:
            item.column = True  # "...người dân64/2025/TT-BTC|47/2019/TT-BTC...": the next row starts with a number
        elif glued_next and numbers[i + 1].number == item.number:
            item.column = False  # "Luật 60/2014/QH13|60/2014/QH13": the title quotes the number
        elif glued_next:
            # "...Thông tư số 01/2022/TT-BNNPTNT|17/2026/TT-BNNMT" : the first is quoted in the title when the
            # second closes the row; "...88/2020/NĐ-CP|1040/QĐ-BHXH ban hành..." : the second starts a title
            item.column = not numbers[i + 1].column
        elif _LETTER_RE.match(rest[0]) or rest[0] in "(\"“'" or re.match(r"[-–]\s", rest):
            item.column = True  # the next title is glued to it
        elif _NEXT_DOC_RE.match(rest):
            item.column = True  # "...17/2026/NQ-CP Luật 08/2017/QH14": the next row names its document
        elif rest[0].isspace() and glued_before:
            item.column = True  # glued to the title before it: "Bộ Tư pháp18/2026/NĐ-CP Nghị định..."
        else:
            item.column = False


_PUNCT = " .;,\t\n"


def _is_separator(between: str) -> bool:
    """Text between a number quoted in a title and its copy in the number column: "", ".", "Số ", "Luật số "."""
    return not between.strip(_PUNCT) or bool(_COLUMN_PREFIX_RE.fullmatch(between))


def _clean_title(title: str) -> str:
    title = clean(title)
    while True:  # "LuậtLuật " -> "Luật" -> ""
        shorter = _COLUMN_PREFIX_RE.sub("", title)
        if shorter == title:
            break
        title = shorter
    return title.strip(" ;,:-–").lstrip(".").strip()


def _named(raw_title: str, number: str) -> str:
    """The number column's own words when the title cell says nothing more: "Luật" + "Luật 18/2017/QH14"."""
    m = _COLUMN_PREFIX_RE.search(clean(raw_title))
    word = m.group("word") if m else None
    return f"{_NAMED.get(word, word)} {number}" if word else ""


_ORDINAL_END_RE = re.compile(r"(?:thứ|lần|Điều|khoản|điểm|Chương|Mục|Phụ lục)\s*$", re.I)


def _quoted_tail(number: str, title: str) -> str:
    """Digits glued in front of a number that the title quotes without them.

    "...tại Kỳ họp thứ 3" + "23/2022/QĐ-TTg", with "Quyết định số 23/2022/QĐ-TTg" in the title -> "3".
    """
    if not _ORDINAL_END_RE.search(title):  # only after a word that takes a small number: "thứ 3", "lần 2"
        return ""
    for item in _legal_numbers(title):
        extra = number[: len(number) - len(item.number)]
        if item.number != number and number.endswith(item.number) and extra.isdigit() and len(extra) <= 2:
            return extra
    return ""


def _complete_from_title(number: str, title: str) -> str:
    """A cut-off number ("106/2025/QH") completed from the same row's title ("...số 106/2025/QH15")."""
    if is_legal_number(number):
        return number
    for item in _legal_numbers(title):
        if item.number != number and item.number.startswith(number) and is_legal_number(item.number):
            return item.number
    return number


def parse_legal_basis(raw: str) -> list[LegalRef]:
    text = nfc(raw or "").strip().translate(_CYRILLIC)
    if text.startswith(_LEGAL_HEAD):
        text = text[len(_LEGAL_HEAD) :]
    if not text or text == EMPTY:
        return []
    text = _TYPE_SEP_RE.sub(r"\1-", text)
    numbers = _legal_numbers(text)
    _mark_columns(text, numbers)
    numbers = _with_cut_copies(text, numbers)
    _mark_columns(text, numbers)
    refs: list[LegalRef] = []
    pos = 0
    for item in numbers:
        if not item.column:
            continue
        if item.repeat_at >= 0:  # the title quotes the number and the column is a cut-off copy of it
            title = _clean_title(text[pos : item.repeat_at])
            pos = item.end
            refs.append(LegalRef(title=unglue(title) or item.number, number=item.number))
            continue
        title = _clean_title(text[pos : item.start]) or _named(text[pos : item.start], item.number)
        extra = _quoted_tail(item.number, title)
        if extra:
            title = _clean_title(text[pos : item.start + len(extra)])
            item.number = item.number[len(extra) :]
        pos = item.end
        if item.broken:  # keep the portal's text, but not as a number
            refs.append(LegalRef(title=_clean_title(re.sub(r"[\d/.]+$", "", title)) or title, number=""))
            continue
        number = _complete_from_title(item.number, title)
        refs.append(LegalRef(title=unglue(title) or number, number=number))
    rest = _clean_title(re.sub(r"(?:Không có thông tin)?Cơ quan thực hiện.*$", "", text[pos:], flags=re.S))
    if rest and rest != EMPTY and len(rest) > 3:
        # a last row without a number column: its number only when the title names it first
        # ("Thông tư số 84/2025/TT-BNNMT ngày 31 tháng 12 năm 2025 của Bộ trưởng ...")
        own = re.match(rf"(?:{_DOC_WORDS})\s+(?:số\s*)?", rest)
        named = _legal_numbers(rest[own.end() :]) if own else []
        number = named[0].number if named and named[0].at == 0 and is_legal_number(named[0].number) else ""
        refs.append(LegalRef(title=unglue(rest), number=number))
    seen: set[tuple[str, str]] = set()
    titled = {ref.number for ref in refs if ref.number and ref.title != ref.number}
    unique = []
    for ref in refs:
        key = (ref.title, ref.number)
        if ref.title == ref.number and ref.number in titled:
            continue  # the same number, once more without its title
        if key not in seen:
            seen.add(key)
            unique.append(ref)
    return unique


# ---- result, levels, sections -------------------------------------------------------------------


def parse_result(raw: str) -> str:
    text = unglue(_CHROME.sub("", nfc(raw or "")))
    text = re.split(r"Mã:\s*KQ", text)[0]
    text = re.sub(r"Từ khóa.*$", "", text, flags=re.S)
    return clean(text) if clean(text) != EMPTY else ""


_LEVEL_MAP: dict[str, Level] = {
    "Cấp xã": "commune", "Cấp tỉnh": "province", "Cấp bộ": "ministry", "Cơ quan khác": "other",
}


def parse_levels(raw: str) -> list[Level]:
    levels = [level for label, level in _LEVEL_MAP.items() if label in (raw or "")]
    return levels or ["other"]


def _value(raw: str | None) -> str:
    text = unglue(_CHROME.sub("", nfc(raw or "")).strip())
    return "" if text == EMPTY else text


def _prose(raw: str | None) -> str:
    """Keep line breaks of long texts (steps, conditions), drop chrome and blank runs."""
    text = _value(raw)
    lines = [clean(line) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def record_to_procedure(rec: dict[str, Any]) -> Procedure:
    sections = {
        "trinh-tu": _prose(rec.get("trinh_tu_thuc_hien")),
        "yeu-cau": _prose(rec.get("yeu_cau_dieu_kien")),
    }
    return Procedure(
        code=rec["ma_thu_tuc"].strip(),
        title=rec["ten_thu_tuc"],
        levels=parse_levels(rec.get("cap_thuc_hien", "")),
        field=_value(rec.get("linh_vuc")),
        agency=AGENCIES.get(rec.get("agency_dir", ""), rec.get("agency_dir", "")),
        authority=_value(rec.get("co_quan_co_tham_quyen")),
        decision=_value(rec.get("so_quyet_dinh")),
        source="portal",
        source_url=rec["detail_url"].strip(),
        applicants=_value(rec.get("doi_tuong_thuc_hien")),
        implementing_agency=_value(rec.get("co_quan_thuc_hien")),
        channels=parse_channels(rec.get("cach_thuc_thuc_hien", "")),
        documents=parse_documents(rec.get("thanh_phan_ho_so", "")),
        legal_basis=parse_legal_basis(rec.get("can_cu_phap_ly", "")),
        result=parse_result(rec.get("ket_qua_xu_ly", "")),
        sections={k: v for k, v in sections.items() if v},
    )


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        for line in handle:
            if line.strip():
                yield json.loads(line)
