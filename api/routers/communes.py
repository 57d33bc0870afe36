"""Communes: search (diacritic-insensitive, old names too), details, and QR codes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import OfficesDep, RegistryDep, SettingsDep
from api.qr import chat_url, qr_png, qr_svg
from api.schemas import CommuneOut, problems
from bot.knowledge.communes import Commune, Office
from bot.settings import Settings

router = APIRouter(prefix="/api/communes", tags=["communes"])


def commune_out(c: Commune, settings: Settings, office: Office | None) -> CommuneOut:
    return CommuneOut(
        **c.model_dump(), chat_url=chat_url(settings, c.ward_code),
        office={k: v for k, v in office.model_dump(exclude={"ward_code", "opening_hours"}).items() if v}
        if office else None,
    )


@router.get("", response_model=list[CommuneOut], responses=problems(422, 429))
def search_communes(
    registry: RegistryDep, settings: SettingsDep, offices: OfficesDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Name, with or without diacritics")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CommuneOut]:
    return [commune_out(c, settings, offices.get(c.ward_code)) for c in registry.search(q, limit)]


@router.get("/{code}", response_model=CommuneOut, responses=problems(404))
def commune(code: str, registry: RegistryDep, settings: SettingsDep, offices: OfficesDep) -> CommuneOut:
    c = registry.get(code)
    return commune_out(c, settings, offices.get(c.ward_code))


@router.get("/{code}/qr.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}, **problems(404, 429)})
def commune_qr_svg(code: str, registry: RegistryDep, settings: SettingsDep) -> Response:
    c = registry.get(code)
    return Response(qr_svg(chat_url(settings, c.ward_code, qr=True)), media_type="image/svg+xml")


@router.get("/{code}/qr.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **problems(404, 429)})
def commune_qr_png(code: str, registry: RegistryDep, settings: SettingsDep) -> Response:
    c = registry.get(code)
    return Response(qr_png(chat_url(settings, c.ward_code, qr=True)), media_type="image/png")
