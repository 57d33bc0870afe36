"""The knowledge base's data model: a procedure, its channels, documents and legal basis."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.text import clean

Level = Literal["commune", "province", "ministry", "other"]
LEVELS: tuple[Level, ...] = ("commune", "province", "ministry", "other")
PROCEDURE_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{1,40}$"
LEVEL_LABELS_VI = {"commune": "Cấp xã", "province": "Cấp tỉnh", "ministry": "Cấp bộ", "other": "Cơ quan khác"}

# Procedure sections, in the order files and cards show them. Keys are stable ids for chunks.
SECTIONS: dict[str, str] = {
    "trinh-tu": "Trình tự thực hiện",
    "cach-thuc": "Cách thức thực hiện",
    "ho-so": "Thành phần hồ sơ",
    "doi-tuong": "Đối tượng thực hiện",
    "co-quan": "Cơ quan thực hiện",
    "yeu-cau": "Yêu cầu, điều kiện",
    "ket-qua": "Kết quả",
    "can-cu": "Căn cứ pháp lý",
    "ghi-chu": "Ghi chú",
}
SECTION_BY_TITLE = {title: key for key, title in SECTIONS.items()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Channel(_Strict):
    """One way to submit: directly, by post or online, with its time limit and fee."""

    channel: str
    time: str = ""
    fee: str = ""
    note: str = ""


class Document(_Strict):
    name: str
    quantity: str = ""
    form: str = ""
    group: str = ""


class LegalRef(_Strict):
    title: str = ""
    number: str = ""
    article: str = ""


class SummaryDocument(_Strict):
    """A document everyone brings, by the short name the office uses (found in the procedure's own text)."""

    name: str = Field(min_length=2)
    bring: Literal["original", "copy", "show", ""] = ""  # bản chính / bản sao / xuất trình (shown, not handed in)
    en: str = ""  # an authored gloss for English askers; the name stays Vietnamese
    de: str = ""


class ConditionalDocument(_Strict):
    """A document or note that applies only in some cases ("Trường hợp …")."""

    when: str = ""
    text: str = Field(min_length=2)


class Where(_Strict):
    """Which office receives the file, and whether it can be sent online or by post."""

    office: str = ""  # as the procedure's text names it, e.g. "Trung tâm Phục vụ hành chính công cấp xã"
    decides: str = ""  # the office that decides, where it differs from the one receiving
    online: bool = False  # national public service portal / VNeID
    post: bool = False


class TimeLimit(_Strict):
    """A time limit with its unit; `quote` is the sentence it was recovered from when the portal table lost it."""

    channel: str = ""  # "" = every channel
    text: str = ""  # "" = not stated
    quote: str = ""


class FeeRate(_Strict):
    channel: str = ""  # "" = every channel
    free: bool = False
    amount: int | None = Field(None, ge=0)  # đồng
    unit: str = ""  # "/thẻ", "/trang"
    text: str = ""  # the official wording, when there is no single amount


class FeeChange(_Strict):
    """A dated reduction or exemption: the fee is `percent` % of the rate (or `amount`) from `start` to `until`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)
    percent: int | None = Field(None, ge=0, le=100)
    amount: int | None = Field(None, ge=0)
    start: date | None = Field(None, alias="from")
    until: date | None = None
    channel: str = ""  # "" = every channel
    condition: str = ""
    quote: str = ""  # the sentence of the official text it comes from


class Fee(_Strict):
    rates: list[FeeRate] = []
    changes: list[FeeChange] = []
    # a "free" filing never hides charges the law places elsewhere (land: registration fee, income tax, the
    # province's fees): the guide that explains them
    elsewhere: str = ""


class Summary(BaseModel):
    """What a citizen needs, derived by rules from the procedure's own text (ingest) and corrected by hand.

    Every number and every document name in it must be found in the procedure's text; ingest checks.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)
    reviewed: bool = False  # read and corrected by a person (the closing note of issue 11 lists them)
    documents: list[SummaryDocument] = []
    conditional: list[ConditionalDocument] = Field([], alias="if")
    notes: list[str] = []
    where: Where = Where()
    time: list[TimeLimit] = []
    fee: Fee = Fee()
    who: str = ""
    result: str = ""


class Procedure(_Strict):
    code: str = Field(pattern=PROCEDURE_CODE_PATTERN)
    title: str = Field(min_length=3)
    levels: list[Level] = Field(min_length=1)
    field: str = ""
    agency: str = ""
    authority: str = ""
    decision: str = ""
    source: Literal["portal", "authored"]
    source_url: str = Field(pattern=r"^https://")
    applicants: str = ""
    implementing_agency: str = ""
    channels: list[Channel] = []
    documents: list[Document] = []
    legal_basis: list[LegalRef] = []
    result: str = ""
    keywords: list[str] = []
    # how citizens ask for it, in their own words (authored, reviewed in diffs); embedded as their own chunks
    questions: list[str] = []
    # the citizen summary (authored from the official fields by rules, then read by hand): answers lead with it
    summary: Summary | None = None
    sections: dict[str, str] = {}

    @field_validator("title", "field", "agency", "result", "applicants")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return clean(value)

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [key for key in value if key not in SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; use one of {list(SECTIONS.values())}")
        return value

    @property
    def is_commune(self) -> bool:
        return "commune" in self.levels

    @property
    def primary_level(self) -> Level:
        for level in LEVELS:
            if level in self.levels:
                return level
        return "other"


class Guide(_Strict):
    """A general guide (knowledge/guides/*.md): not a procedure, but cited the same way."""

    code: str = Field(pattern=r"^guide-[a-z0-9-]+$")
    title: str = Field(min_length=3)
    # guides are written by the team from the law (authored), never copied from a portal page
    source: Literal["authored"] = "authored"
    source_url: str = ""
    legal_basis: list[LegalRef] = []  # article-level: the article and clause each statement rests on
    related: list[str] = []
    keywords: list[str] = []
    body: str = Field(min_length=20)
