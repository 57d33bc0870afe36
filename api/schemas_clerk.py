"""Request and response models of the clerk API (/api/clerk/*), beside `api.schemas`.

The office fields have no length or pattern limits here on purpose: the core `Office` checks them and says
what is wrong in Vietnamese ("Địa chỉ quá dài (tối đa 300 ký tự)."), the same for the API, the form and files.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Problem
from bot.knowledge.communes import OFFICE_LIMITS, Commune, Office


class ClerkMe(BaseModel):
    username: str
    role: str = Field(description="clerk (one commune), province (the communes of `province`) or admin (all)")
    commune: str
    province: str
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every POST, PUT and DELETE")
    expires_at: datetime


class OfficeHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekdays: str = Field("", description="Monday to Friday: time ranges, e.g. '07:30-11:30, 13:30-17:00'",
                          examples=["07:30-11:30, 13:30-17:00"])
    saturday: str = Field("", description="Saturday, e.g. '07:30-11:30'; empty when not published",
                          examples=["07:30-11:30", ""])


class OfficeUpdate(BaseModel):
    """The office details a commune publishes; every field replaces what was there (empty = not published)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("", description=f"The receiving office's name, up to {OFFICE_LIMITS['name']} characters")
    address: str = Field("", description=f"Up to {OFFICE_LIMITS['address']} characters")
    hours: OfficeHoursBody = Field(default_factory=OfficeHoursBody)
    phone: str = Field("", description="One or more numbers of 8-15 digits, separated by commas",
                       examples=["0236 3791 234"])
    map_url: str = Field("", description="An https:// map link", examples=["https://maps.google.com/?q=15.98,108.05"])
    notes: str = Field("", description=f"Up to {OFFICE_LIMITS['notes']} characters, plain text")

    def office_fields(self) -> dict[str, Any]:
        """As `Office` fields: the structured hours go to `opening_hours`, and `hours` is derived from them."""
        return {"name": self.name, "address": self.address, "hours": "", "phone": self.phone,
                "map_url": self.map_url, "notes": self.notes,
                "opening_hours": {"weekdays": self.hours.weekdays, "saturday": self.hours.saturday}}


class OfficeOut(BaseModel):
    ward_code: str
    commune: str = Field(description="The commune's name")
    province: str = Field(description="The province's name")
    name: str
    address: str
    hours: OfficeHoursBody
    hours_text: str = Field(description="The opening hours as citizens see them (pages, answers)")
    phone: str
    map_url: str
    notes: str

    @classmethod
    def of(cls, commune: Commune, office: Office | None) -> OfficeOut:
        office = office or Office(ward_code=commune.ward_code)
        hours = office.opening_hours
        return cls(ward_code=commune.ward_code, commune=commune.ward_name, province=commune.province_name,
                   name=office.name, address=office.address,
                   hours=OfficeHoursBody(weekdays=hours.weekdays if hours else "",
                                         saturday=hours.saturday if hours else ""),
                   hours_text=office.hours, phone=office.phone, map_url=office.map_url, notes=office.notes)


class OfficeSaved(OfficeOut):
    changed: list[str] = Field(description="The fields this request changed (also in the audit trail)")


_TEXT = {
    303: "Not signed in: redirect to /clerk/login", 401: "Not signed in (no live clerk session)",
    403: "No CSRF token (X-CSRF-Token), or not this session's", 404: "Unknown commune, or not one this account sees",
    413: "Body too large", 422: "Invalid input; `message` says which field and why, in Vietnamese",
    429: "Too many requests from this address",
}


def clerk_problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a clerk route can give, all in the Problem shape."""
    return {code: {"model": Problem, "description": _TEXT[code]} for code in codes}
