"""The commune registry (knowledge/communes.csv, provinces.csv) and optional office details."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import NotFoundError
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


class Office(BaseModel):
    """knowledge/offices/<ward_code>.yaml: only what the commune published; every field optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ward_code: str = Field(pattern=r"^\d{5}$")
    name: str = ""
    address: str = ""
    hours: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    notes: str = ""


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
