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
from pathlib import Path
from typing import Any

from bot.knowledge.models import Channel, Document, LegalRef, Level, Procedure
from bot.text import clean, nfc

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
    text = nfc(raw or "").strip()
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
    text = nfc(raw or "").strip()
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

_LEGAL_HEAD = "Tên văn bản pháp lýMã văn bản"
_UPPER = "A-ZĐ"
_LEGAL_NUM_RE = re.compile(
    rf"(\d{{1,10}}(?:\.\d+)?(?:/\d{{4}})?/[{_UPPER}]+(?:-[{_UPPER}0-9]+)*\d*)(?=$|[A-ZĐÂĂÊÔƠƯ][a-zà-ỹđ]|[(“\"])"
)


_ISSUERS = {
    "CP", "TTg", "BTC", "BTP", "NHNN", "BCA", "BXD", "BYT", "BQP", "BTNMT", "BNNMT", "BNNPTNT", "BGTVT", "BCT",
    "BKHĐT", "BNV", "BLĐTBXH", "BGDĐT", "BTTTT", "BVHTTDL", "VPCP", "UBTVQH", "TANDTC", "VKSNDTC", "BKHCN", "BNG",
}


def _mend_boundary(number: str, next_title: str) -> tuple[str, str]:
    """Move one letter across a glued boundary: ('87/2020/NĐ-CPS', 'ửa đổi') -> ('87/2020/NĐ-CP', 'Sửa đổi')."""
    head, _, last = number.rpartition("-")
    if not head:
        head, _, last = number.rpartition("/")
        head += "/"
    else:
        head += "-"
    if last in _ISSUERS or re.fullmatch(r"QH\d+|UBTVQH\d+", last):
        if next_title[:1].isupper() and (last + next_title[0]) in _ISSUERS:
            return head + last + next_title[0], next_title[1:]
        return number, next_title
    for k in (1, 2):
        if (last + next_title[:k]) in _ISSUERS:
            return head + last + next_title[:k], next_title[k:].lstrip()
    if last[:-1] in _ISSUERS and next_title[:1].islower():
        return head + last[:-1], last[-1] + next_title
    return number, next_title


def parse_legal_basis(raw: str) -> list[LegalRef]:
    text = nfc(raw or "").strip()
    if text.startswith(_LEGAL_HEAD):
        text = text[len(_LEGAL_HEAD) :]
    if not text or text == EMPTY:
        return []
    refs: list[LegalRef] = []
    pos = 0
    for m in _LEGAL_NUM_RE.finditer(text):
        title = clean(text[pos : m.start()])
        if refs and refs[-1].number:
            mended, title = _mend_boundary(refs[-1].number, title)
            refs[-1].number = mended
        number = m.group(1)
        pos = m.end()
        glued_year = re.match(r"((?:19|20)\d\d)(\d{1,4}/)", number)
        if glued_year and re.search(r"năm\s*$", title):  # "Luật Khiếu nại năm 201102/2011/QH13"
            title = f"{title} {glued_year.group(1)}"
            number = number[4:]
        title = re.sub(r"\s*(Thông tư|Nghị định|Quyết định|Luật)\s+số\s*$", "", title).strip()
        if not title:
            title = number
        refs.append(LegalRef(title=title, number=number))
    rest = clean(text[pos:])
    if refs and refs[-1].number:
        refs[-1].number, rest = _mend_boundary(refs[-1].number, rest)
    if rest and rest != EMPTY and len(rest) > 3:
        refs.append(LegalRef(title=rest, number=""))
    seen: set[tuple[str, str]] = set()
    unique = []
    for ref in refs:
        key = (ref.title, ref.number)
        if key not in seen:
            seen.add(key)
            unique.append(ref)
    return unique


# ---- result, levels, sections -------------------------------------------------------------------


def parse_result(raw: str) -> str:
    text = _CHROME.sub("", nfc(raw or ""))
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
    text = _CHROME.sub("", nfc(raw or "")).strip()
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
