"""A procedure's citizen summary: derived from its own official text by rules, and checked against it.

What the rules cannot know they leave out (a time with no unit stays "not stated" unless the step text says it);
people then read and correct the summaries of the most-asked procedures (`reviewed: true`). `summary_problems` is
the check ingest runs on every summary, derived or hand-written: every number and every document name must be
found in the procedure's own text. A procedure without a stored summary is summarised on the fly by `derive`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from bot.knowledge.models import (
    ConditionalDocument,
    Document,
    Fee,
    FeeChange,
    FeeRate,
    Procedure,
    Summary,
    SummaryDocument,
    TimeLimit,
    Where,
)
from bot.text import fold

CONDITIONAL_START = re.compile(r"^\W*(trường hợp|nếu|đối với|trong trường hợp|lưu ý|riêng|khi )", re.I)
GENERIC_GROUPS = {"", "giấy tờ phải nộp", "giấy tờ phải xuất trình", "thành phần hồ sơ", "hồ sơ gồm",
                  "nộp trực tiếp", "giấy tờ phải nộp gồm"}
MAX_CORE = 6
MAX_CONDITIONAL = 12
_CUT = re.compile(r"\s*(?:\(|;|:|, trường hợp| trong trường hợp| theo mẫu| theo quy định| đối với | hoặc các giấy"
                  r"| nếu | \(nếu|\. |, nếu| để chứng minh| do cơ quan| còn giá trị)", re.I)
_FORM = re.compile(r"\bmẫu (?:số )?([A-Z]{1,4}\d{1,3}[a-z]?|\d{1,2}[a-z]?/[A-ZĐ]{1,6})\b")
# offices, most specific first: the first that the text names is where the file goes
OFFICES = (
    ("công an", ("Công an cấp xã", "Công an xã", "Công an cấp Xã")),
    ("đất đai", ("Chi nhánh Văn phòng đăng ký đất đai", "Văn phòng đăng ký đất đai")),
    ("", ("Trung tâm Phục vụ hành chính công cấp xã", "Trung tâm Phục vụ hành chính công",
          "Bộ phận Một cửa", "Bộ phận một cửa", "Ủy ban nhân dân cấp xã", "Ủy ban nhân dân xã")),
)
_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_DATE_WORDS = r"(\d{1,2}) tháng (\d{1,2}) năm (\d{4})"
_AMOUNT = r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ\b|Đồng)"
_FREE_ONLY = re.compile(r"^miễn phí(?:\s*\((?:không(?: có| quy định)?|chưa quy định)\.?\))?$", re.I)


def official_text(proc: Procedure) -> str:
    """Everything the procedure's official text says, as one string (what a summary is checked against)."""
    parts = [proc.title, proc.applicants, proc.result, proc.authority, proc.implementing_agency, proc.agency]
    for c in proc.channels:
        parts += [c.channel, c.time, c.fee, c.note]
    for d in proc.documents:
        parts += [d.name, d.quantity, d.form, d.group]
    parts += [f"{r.title} {r.number} {r.article}" for r in proc.legal_basis]
    parts += list(proc.sections.values())
    return "\n".join(p for p in parts if p)


def numbers(text: str) -> set[str]:
    """Digit runs with thousands separators removed and leading zeros dropped ("07" = "7", "70.000" = "70000")."""
    found = set()
    for raw in re.findall(r"\d+(?:[.,]\d{3})*(?![\d])", text):
        found.add(re.sub(r"[.,]", "", raw).lstrip("0") or "0")
    for raw in re.findall(r"\d+", text):
        found.add(raw.lstrip("0") or "0")
    return found


def _strip_parens(text: str) -> str:
    return re.sub(r"\([^)]*\)", " ", text)


def summary_problems(proc: Procedure) -> list[tuple[str, str]]:
    """(field, value) for every number or document name of the summary not found in the procedure's text."""
    summary = proc.summary
    if summary is None:
        return []
    text = official_text(proc)
    folded = fold(text)
    known = numbers(text)
    problems: list[tuple[str, str]] = []

    def check_numbers(where: str, value: str) -> None:
        for n in numbers(re.sub(r"\b\d{1,2}/\d{1,2}/\d{4}\b", lambda m: m.group().replace("/", " "), value)):
            if n not in known:
                problems.append((where, value))
                return

    def check_name(where: str, value: str) -> None:
        core = re.sub(r"\s+", " ", fold(_strip_parens(value).replace("…", " "))).strip(" .,")
        pieces = [p.strip() for p in re.split(r"\s*/\s*|, | hoac ", core) if len(p.strip()) > 2]
        if not pieces or any(p not in folded for p in pieces):
            problems.append((where, value))
            return
        check_numbers(where, value)

    for i, doc in enumerate(summary.documents):
        check_name(f"summary.documents[{i}].name", doc.name)
    for i, cond in enumerate(summary.conditional):
        check_numbers(f"summary.if[{i}].text", cond.text)
        check_numbers(f"summary.if[{i}].when", cond.when)
    for i, note in enumerate(summary.notes):
        check_numbers(f"summary.notes[{i}]", note)
    for i, limit in enumerate(summary.time):
        check_numbers(f"summary.time[{i}].text", limit.text)
        if limit.quote and fold(limit.quote).strip(" .") not in folded:
            problems.append((f"summary.time[{i}].quote", limit.quote))
    for i, rate in enumerate(summary.fee.rates):
        if rate.amount is not None and str(rate.amount) not in known:
            problems.append((f"summary.fee.rates[{i}].amount", str(rate.amount)))
        check_numbers(f"summary.fee.rates[{i}].text", rate.text)
    for i, change in enumerate(summary.fee.changes):
        for name, value in (("percent", change.percent), ("amount", change.amount)):
            if value not in (None, 0) and str(value) not in known:
                problems.append((f"summary.fee.changes[{i}].{name}", str(value)))
        for name, day in (("from", change.start), ("until", change.until)):
            if day and not _date_in(day, text):
                problems.append((f"summary.fee.changes[{i}].{name}", day.isoformat()))
    for name in ("who", "result"):
        check_numbers(f"summary.{name}", getattr(summary, name))
    if summary.where.office and fold(summary.where.office) not in folded:
        problems.append(("summary.where.office", summary.where.office))
    return problems


def _date_in(day: date, text: str) -> bool:
    for d, m, y in re.findall(_DATE, text) + re.findall(_DATE_WORDS, text):
        if (int(y), int(m), int(d)) == (day.year, day.month, day.day):
            return True
    return False


# --- derivation -------------------------------------------------------------------------------------------------

def short_name(name: str) -> str:
    """"Tờ khai đăng ký khai sinh theo mẫu (nếu …)" -> "Tờ khai đăng ký khai sinh"; a form number is kept."""
    text = re.sub(r"\s+", " ", name).strip(" -–•+*.)(:;,")
    cut = _CUT.search(text, 8)
    short = text[: cut.start()] if cut else text
    short = short.strip(" ,.-")
    if len(short) > 90:
        short = short[:90].rsplit(" ", 1)[0].rstrip(" ,.-") + "…"
    form = _FORM.search(text)
    if form and form.group(1) not in short:
        short += f" (mẫu {form.group(1)})"
    return short


def _bring(doc: Document) -> str:
    q = fold(doc.quantity)
    if fold(doc.group).startswith("giay to phai xuat trinh"):
        return "show"
    if "ban chinh" in q and "ban sao" in q:
        return ""
    if "ban sao" in q:
        return "copy"
    if "ban chinh" in q:
        return "original"
    return ""


def _is_note(doc: Document) -> bool:
    return doc.quantity.startswith("0") or bool(CONDITIONAL_START.match(doc.name)) or fold(doc.group) == "luu y"


def derive_documents(proc: Procedure) -> tuple[list[SummaryDocument], list[ConditionalDocument], list[str]]:
    case_groups = {d.group for d in proc.documents if fold(d.group) not in {fold(g) for g in GENERIC_GROUPS}
                   and fold(d.group) != "luu y"}
    seen_in: dict[str, set[str]] = {}
    first: dict[str, Document] = {}
    for doc in proc.documents:
        if _is_note(doc) or doc.name.rstrip().endswith(":"):
            continue
        key = fold(short_name(doc.name))
        seen_in.setdefault(key, set()).add(doc.group)
        first.setdefault(key, doc)
    core: list[SummaryDocument] = []
    conditional: list[ConditionalDocument] = []
    notes: list[str] = []
    for key, doc in first.items():
        groups = seen_in[key]
        generic = any(fold(g) in {fold(x) for x in GENERIC_GROUPS} for g in groups)
        everywhere = case_groups and len(groups & case_groups) >= max(2, len(case_groups) * 2 // 3)
        if (generic or everywhere or not case_groups) and len(core) < MAX_CORE:
            core.append(SummaryDocument(name=short_name(doc.name), bring=_bring(doc)))  # type: ignore[arg-type]
        elif len(conditional) < MAX_CONDITIONAL:
            conditional.append(ConditionalDocument(when=doc.group[:160], text=short_name(doc.name)))
    for doc in proc.documents:
        if not _is_note(doc):
            continue
        text = re.sub(r"\s+", " ", doc.name).strip()
        if fold(doc.group) == "luu y" or not CONDITIONAL_START.match(text):
            if len(notes) < 4 and len(text) <= 300 and not text.endswith(":"):
                notes.append(text)
        elif len(conditional) < MAX_CONDITIONAL and not text.endswith(":"):
            conditional.append(ConditionalDocument(when="", text=text[:300].rsplit(" ", 1)[0] + "…"
                                                   if len(text) > 300 else text))
    return core, conditional, notes


def derive_where(proc: Procedure) -> Where:
    text = official_text(proc)
    field = fold(f"{proc.field} {proc.authority} {proc.implementing_agency}")
    office = ""
    for topic, names in OFFICES:
        if topic and fold(topic) not in field:
            continue
        office = next((n for n in names if n in text), "")
        if office:
            break
    if not office:
        office = next((n for _, names in OFFICES for n in names if n in text), "")
    decides = proc.authority if proc.authority and fold(proc.authority) not in fold(office) else ""
    channels = [fold(c.channel) for c in proc.channels]
    return Where(office=office, decides=decides[:160], online=any("truc tuyen" in c for c in channels),
                 post=any("buu chinh" in c for c in channels))


def _sentences(text: str) -> Iterable[str]:
    for line in re.split(r"\n+|(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ(\-])", text):
        line = line.strip(" -+*")
        if 10 < len(line) < 600:
            yield line


def _recover_time(proc: Procedure, number: str) -> TimeLimit | None:
    """The portal table gave a bare number: find the step sentence that states the time with its unit."""
    pool = [proc.sections.get("trinh-tu", ""), proc.sections.get("cach-thuc", "")] + [c.note for c in proc.channels]
    want = re.compile(rf"\b0?{re.escape(number)}\s*(ngày làm việc|ngày|giờ|tháng)\b", re.I)
    same_day = number == "1"
    for sentence in (s for block in pool for s in _sentences(block)):
        folded = fold(sentence)
        if not any(w in folded for w in ("tra ket qua", "giai quyet", "thoi han", "ket qua")):
            continue
        match = want.search(sentence)
        if match:
            return TimeLimit(text=f"{number} {match.group(1)}", quote=sentence)
        if same_day and "trong ngay" in folded:  # the sentence says it; its reading is left to a person
            return TimeLimit(text="", quote=sentence)
    return None


def derive_time(proc: Procedure) -> list[TimeLimit]:
    limits: dict[str, list[str]] = {}
    recovered: dict[str, TimeLimit] = {}
    for c in proc.channels:
        raw = re.sub(r"\s+", " ", c.time).strip()
        if re.fullmatch(r"\d+(?:[.,]\d+)?", raw):
            found = recovered.get(raw) or _recover_time(proc, raw)
            if found:
                recovered[raw] = found
                limits.setdefault(f"{found.text}\x00{found.quote}", []).append(c.channel)
            else:
                limits.setdefault("\x00", []).append(c.channel)
        else:
            limits.setdefault(f"{raw[:200]}\x00", []).append(c.channel)
    if not limits:
        return []
    out = []
    for key, chans in limits.items():
        text, quote = key.split("\x00")
        channel = "" if len(limits) == 1 else ", ".join(chans)
        out.append(TimeLimit(channel=channel, text=text, quote=quote))
    return out


def _day(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _amount(raw: str) -> int:
    return int(re.sub(r"[.,]", "", raw))


_PERIOD = re.compile(rf"(?:kể )?từ (?:ngày )?(?:{_DATE}|{_DATE_WORDS}) đến (?:hết )?(?:ngày )?"
                     rf"(?:{_DATE}|{_DATE_WORDS})", re.I)
_UNTIL = re.compile(rf"(?:áp dụng )?đến hết ngày {_DATE}", re.I)


def _changes(fee: str, channel: str) -> list[FeeChange]:
    """Dated reductions and exemptions written in a fee text."""
    out: list[FeeChange] = []
    for sentence in re.split(r"(?<=[.;])\s+|\s+-\s+|\s\+\s", fee):
        period = _PERIOD.search(sentence)
        start = until = None
        if period:
            g = period.groups()
            start = _day(*g[0:3]) if g[0] else _day(*g[3:6])
            until = _day(*g[6:9]) if g[6] else _day(*g[9:12])
        else:
            only_until = _UNTIL.search(sentence)
            if not only_until:
                continue
            until = _day(*only_until.groups())
        if until is None:
            continue
        folded = fold(sentence)
        online = "truc tuy" in folded
        which = "Trực tuyến" if online and "truc tuyen" not in fold(channel) else ""
        percent = re.search(r"bằng (\d{1,3})\s*%", sentence)
        amount = re.search(rf"(?:mức phí:?|mức thu lệ phí là|mức thu phí là)\s*{_AMOUNT}", sentence, re.I)
        lead = re.match(rf"\W*{_AMOUNT}", sentence)
        change = None
        if re.search(r"\bmiễn(?: phí| lệ phí)?\s+(?:kể )?từ", sentence, re.I):
            change = FeeChange(percent=0, start=start, until=until)
        elif percent:
            change = FeeChange(percent=int(percent.group(1)), start=start, until=until)
        elif amount:
            change = FeeChange(amount=_amount(amount.group(1)), start=start, until=until)
        elif lead and not period:
            change = FeeChange(amount=_amount(lead.group(1)), start=None, until=until)
        if change:
            change.channel = which
            change.quote = sentence.strip(" ()-")[:400]
            out.append(change)
    return out


def derive_fee(proc: Procedure) -> Fee:
    rates: list[FeeRate] = []
    changes: list[FeeChange] = []
    for c in proc.channels:
        raw = re.sub(r"\s+", " ", c.fee).strip()
        if not raw:
            continue
        head = re.match(r"^([\d.,]+)\s*(?:Việt Nam Đồng|VNĐ|đồng)", raw)
        paren = raw[raw.find("(") + 1:].rstrip(")") if "(" in raw else ""
        if _FREE_ONLY.match(raw):
            rate = FeeRate(channel=c.channel, free=True)
        elif head and _amount(head.group(1)) >= 1000:
            rate = FeeRate(channel=c.channel, amount=_amount(head.group(1)))
        elif raw.lower().startswith("miễn phí") and paren and not re.search(r"\d", paren) and "hội đồng" not in fold(
                paren) and "uy ban" not in fold(paren):
            rate = FeeRate(channel=c.channel, free=True, text=paren[:300])
        else:
            rate = FeeRate(channel=c.channel, text=(paren or raw)[:300])
        rates.append(rate)
        for change in _changes(raw, c.channel):
            if change.channel == "" and len(proc.channels) > 1:
                change.channel = c.channel
            if change not in changes:
                changes.append(change)
    merged = _merge_rates(rates)
    merged_changes = _merge_changes(changes, {r.channel for r in rates})
    elsewhere = ""
    if fold(proc.field) in {"dat dai", "tai chinh dat dai"} and any(r.free or r.text for r in merged):
        elsewhere = "guide-chi-phi-chuyen-nhuong-dat"
    return Fee(rates=merged, changes=merged_changes, elsewhere=elsewhere)


def _merge_rates(rates: list[FeeRate]) -> list[FeeRate]:
    """One rate for every channel when they agree."""
    if rates and all(r.model_copy(update={"channel": ""}) == rates[0].model_copy(update={"channel": ""})
                     for r in rates):
        return [rates[0].model_copy(update={"channel": ""})]
    return rates


def _merge_changes(changes: list[FeeChange], channels: set[str]) -> list[FeeChange]:
    by_key: dict[str, list[FeeChange]] = {}
    for ch in changes:
        by_key.setdefault(ch.model_copy(update={"channel": ""}).model_dump_json(), []).append(ch)
    out = []
    for group in by_key.values():
        chans = {c.channel for c in group}
        if chans >= channels or "" in chans:
            out.append(group[0].model_copy(update={"channel": ""}))
        else:
            out.extend(group)
    return out


def derive(proc: Procedure) -> Summary:
    core, conditional, notes = derive_documents(proc)
    result = re.split(r"(?<=[.;])\s", proc.result.strip(), maxsplit=1)[0][:300] if proc.result else ""
    return Summary(documents=core, conditional=conditional, notes=notes, where=derive_where(proc),
                   time=derive_time(proc), fee=derive_fee(proc), who=proc.applicants[:300], result=result)
