"""The knowledge base's data model: a procedure, its channels, documents and legal basis."""

from __future__ import annotations

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
    source_url: str = ""
    related: list[str] = []
    keywords: list[str] = []
    body: str = Field(min_length=20)
