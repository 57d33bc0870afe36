"""The commune registry (knowledge/communes.csv, provinces.csv) and optional office details."""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.errors import InputError, NotFoundError
from bot.text import fold

log = logging.getLogger(__name__)


class Commune(BaseModel):
    """One commune or ward of the registry (knowledge/communes.csv)."""

    model_config = ConfigDict(frozen=True)

    ward_code: str
    ward_name: str
    ward_type: str
    province_code: str
    province_name: str
    merged_from_text: str

    @property
    def full_name(self) -> str:
        return f"{self.ward_name}, {self.province_name}"


# What a commune publishes about its office (knowledge/offices/<ward_code>.yaml), checked the same way whether it
# comes from a hand-edited file, the admin API or a clerk's form: limits, no HTML, no control characters.
OFFICE_LIMITS = {"name": 200, "address": 300, "hours": 200, "phone": 60, "email": 120, "website": 300,
                 "map_url": 500, "notes": 1000, "weekdays": 100, "saturday": 100}
OFFICES_VERSION_FILE = "offices.version"  # under var/index: rewritten on every clerk edit, so every worker reloads
_TAG = re.compile(r"<\s*[/!?A-Za-z]")  # the start of an HTML tag, comment or processing instruction
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")  # direction overrides that make text read differently
_TIME = r"([01]?\d|2[0-3])\s*[:hg.]\s*([0-5]\d)"
_RANGE = re.compile(rf"^{_TIME}\s*[-–—]\s*{_TIME}$")
_PHONE = re.compile(r"^\+?[\d(][\d .()-]*\d$")
_URL_FORBIDDEN = re.compile(r"[\s\"'<>\\`^{}|]")

# English for files and logs, Vietnamese for the clerk who typed it; {label} is the field's Vietnamese name
OFFICE_ERRORS: dict[str, tuple[str, str]] = {
    "office_too_long": ("at most {max} characters", "{label} quá dài (tối đa {max} ký tự)."),
    "office_html": ("must not contain HTML tags", "{label} không được chứa thẻ HTML (dấu < liền trước chữ cái)."),
    "office_control": ("must not contain control characters",
                       "{label} chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản, không được phép."),
    "office_phone": ("must be phone numbers of 8 to 15 digits (+, spaces, dots, dashes, brackets allowed), "
                     "several separated by commas",
                     "{label} không hợp lệ: mỗi số gồm 8–15 chữ số, có thể có dấu +, khoảng trắng, dấu chấm, gạch "
                     "ngang; nhiều số cách nhau bằng dấu phẩy. Ví dụ: 0236 3791 234."),
    "office_map_url": ("must be an https:// link", "{label} phải là một liên kết https:// (ví dụ "
                                                   "https://maps.google.com/...)."),
    "office_hours": ("must be time ranges such as 07:30-11:30, 13:30-17:00, each ending after it starts",
                     "{label} phải có dạng 07:30-11:30, 13:30-17:00 (giờ kết thúc sau giờ bắt đầu), hoặc để trống."),
}
OFFICE_LABELS_VI = {
    "ward_code": "Mã xã, phường", "name": "Tên nơi tiếp nhận hồ sơ", "address": "Địa chỉ", "hours": "Giờ làm việc",
    "opening_hours": "Giờ làm việc", "weekdays": "Giờ làm việc từ Thứ Hai đến Thứ Sáu",
    "saturday": "Giờ làm việc Thứ Bảy", "phone": "Số điện thoại", "email": "Thư điện tử",
    "website": "Trang thông tin", "map_url": "Liên kết bản đồ", "notes": "Ghi chú",
}


def _error(kind: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, OFFICE_ERRORS[kind][0], ctx)


def _checked_text(value: str, field: str, multiline: bool = False) -> str:
    limit = OFFICE_LIMITS[field]
    if len(value) > limit:
        raise _error("office_too_long", max=limit)
    if _TAG.search(value):
        raise _error("office_html")
    allowed = "\n" if multiline else ""
    if _BIDI.search(value) or any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise _error("office_control")
    return value


def _checked_ranges(value: str, field: str) -> str:
    """'7h30 - 11h30; 13:30-17:00' -> '07:30-11:30, 13:30-17:00'; empty stays empty."""
    _checked_text(value, field)
    if not value:
        return ""
    ranges = []
    for part in re.split(r"\s*[,;]\s*", value):
        match = _RANGE.match(part)
        if not match:
            raise _error("office_hours")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h2, m2) <= (h1, m1):
            raise _error("office_hours")
        ranges.append(f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}")
    return ", ".join(ranges)


class OfficeHours(BaseModel):
    """Opening hours as the commune publishes them: Monday to Friday, and Saturday ("" = not published)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    weekdays: str = Field("", description="Monday to Friday, e.g. '07:30-11:30, 13:30-17:00'")
    saturday: str = Field("", description="Saturday, e.g. '07:30-11:30'; empty when not published")

    @field_validator("weekdays", "saturday")
    @classmethod
    def _ranges(cls, value: str, info: ValidationInfo) -> str:
        return _checked_ranges(value, str(info.field_name))

    def display(self) -> str:
        """'Thứ Hai – Thứ Sáu 07:30–11:30, 13:30–17:00; Thứ Bảy 07:30–11:30' (only what is published)."""
        days = (("Thứ Hai – Thứ Sáu", self.weekdays), ("Thứ Bảy", self.saturday))
        return "; ".join(f"{label} {value.replace('-', '–')}" for label, value in days if value)


class Office(BaseModel):
    """knowledge/offices/<ward_code>.yaml: only what the commune published; every field optional.

    `hours` is the display text; with `opening_hours` (structured, as the clerk form writes it) it is derived
    from them, so answers and pages need only `hours`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ward_code: str = Field(pattern=r"^\d{5}$")
    name: str = ""
    address: str = ""
    hours: str = ""
    opening_hours: OfficeHours | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    map_url: str = ""
    notes: str = ""

    @field_validator("notes", mode="before")
    @classmethod
    def _newlines(cls, value: Any) -> Any:
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value

    @field_validator("name", "address", "hours", "email", "website", "notes")
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        return _checked_text(value, str(info.field_name), multiline=info.field_name == "notes")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        _checked_text(value, "phone")
        for number in filter(None, (n.strip() for n in value.split(","))):
            if not _PHONE.match(number) or not 8 <= sum(ch.isdigit() for ch in number) <= 15:
                raise _error("office_phone")
        return value

    @field_validator("map_url")
    @classmethod
    def _map_url(cls, value: str) -> str:
        _checked_text(value, "map_url")
        if not value:
            return value
        parts = urlsplit(value)
        host = parts.hostname or ""
        if parts.scheme != "https" or "." not in host or "@" in parts.netloc or _URL_FORBIDDEN.search(value):
            raise _error("office_map_url")
        return value

    @model_validator(mode="after")
    def _derived_hours(self) -> Office:
        if self.opening_hours is not None:
            shown = self.opening_hours.display()
            if shown:
                self.hours = shown
            else:
                self.opening_hours = None
        return self

    def edited(self, changes: dict[str, Any]) -> Office:
        """This office with the given fields replaced, validated again (InputError in Vietnamese when not valid)."""
        return parse_office({**self.model_dump(exclude_defaults=True), **changes})

    def to_yaml(self) -> str:
        """The file as `load_office` reads it back: the fields that have a value, in the model's order."""
        data = self.model_dump(exclude_defaults=True)  # with `hours` as shown, for people reading the file
        header = "# Office details as the commune published them; see README.md. Never invent a value.\n"
        return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def office_error_vi(error: ErrorDetails) -> str:
    """A validation error of `Office` in Vietnamese, naming the field as the clerk's form does."""
    loc = [str(p) for p in error.get("loc", ())]
    field = loc[-1] if loc else ""
    label = OFFICE_LABELS_VI.get(field, field)
    kind = str(error.get("type", ""))
    if kind in OFFICE_ERRORS:
        return OFFICE_ERRORS[kind][1].format(label=label, **(error.get("ctx") or {}))
    if kind == "extra_forbidden":
        return f"Trường '{field}' không được hỗ trợ."
    if kind == "string_type":
        return f"{label} phải là văn bản."
    if kind == "string_pattern_mismatch" and field == "ward_code":
        return "Mã xã, phường phải gồm 5 chữ số."
    return f"{label} không hợp lệ."


def parse_office(data: dict[str, Any]) -> Office:
    """Validate office details given as fields; InputError with an English and a Vietnamese message naming the
    first bad field."""
    try:
        return Office.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{where}: {first['msg']}", office_error_vi(first)) from None


def offices_version(index_dir: Path) -> str:
    """Changes whenever a clerk saves office details (see `ingest.admin.save_office`); "" before the first."""
    try:
        return (index_dir / OFFICES_VERSION_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""


class OfficeFileError(ValueError):
    pass


class Locality(BaseModel):
    """Where the citizen asks from (the QR page, the widget, `--commune`): "where" answers name its center and
    add the office details it published, never more."""

    model_config = ConfigDict(frozen=True)

    commune: Commune
    office: Office | None = None


class Registry:
    def __init__(self, communes: list[Commune]) -> None:
        self.communes = {c.ward_code: c for c in communes}
        self._search = [
            (c, fold(c.ward_name), fold(c.merged_from_text), fold(c.province_name)) for c in communes
        ]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Registry:
        with (knowledge_dir / "communes.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        fields = list(Commune.model_fields)
        return cls([Commune(**{k: r[k] for k in fields}) for r in rows])

    def get(self, ward_code: str) -> Commune:
        commune = self.communes.get(ward_code.strip())
        if commune is None:
            raise NotFoundError(
                f"Unknown commune code '{ward_code}'. "
                "Commune codes are the 5-digit ward codes in knowledge/communes.csv.",
                f"Không tìm thấy xã, phường có mã '{ward_code}'.",
            )
        return commune

    def search(self, query: str, limit: int = 20) -> list[Commune]:
        """Diacritic-insensitive; current names first, then communes formed from an old unit of that name."""
        q = fold(query)
        if not q:
            return []
        current = [c for c, name, _, prov in self._search if q in name or q in f"{name} {prov}"]
        merged = [c for c, _, old, _ in self._search if q in old and c not in current]
        return (current + merged)[:limit]


def load_office(path: Path, registry: Registry) -> Office:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise OfficeFileError(f"{path}: file: not valid UTF-8 YAML") from exc
    try:
        office = Office.model_validate(data if isinstance(data, dict) else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise OfficeFileError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    if office.ward_code != path.stem:
        raise OfficeFileError(f"{path}: ward_code: '{office.ward_code}' does not match the file name")
    if office.ward_code not in registry.communes:
        raise OfficeFileError(f"{path}: ward_code: '{office.ward_code}' is not in communes.csv")
    return office


def load_offices(knowledge_dir: Path, registry: Registry) -> dict[str, Office]:
    """Every valid knowledge/offices/*.yaml by ward code; a bad file is logged and skipped."""
    offices = {}
    for path in sorted((knowledge_dir / "offices").glob("*.yaml")):
        try:
            office = load_office(path, registry)
        except OfficeFileError as exc:
            log.warning("office file skipped: %s", exc)
            continue
        offices[office.ward_code] = office
    return offices


def locality_of(ward_code: str | None, registry: Registry, offices: dict[str, Office]) -> Locality | None:
    """The commune a citizen asks from, with its published office details; None without a code. An unknown code
    is a NotFoundError (a clear 404 or CLI error, never a silent "no commune")."""
    if not ward_code:
        return None
    commune = registry.get(ward_code)
    return Locality(commune=commune, office=offices.get(commune.ward_code))
