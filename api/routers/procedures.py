"""The clerk search and the full procedure card."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import AssistantDep
from api.schemas import Card, ProcedureHit, ProcedureSearchResponse, card_of, problems

router = APIRouter(prefix="/api/procedures", tags=["procedures"])


@router.get("", response_model=ProcedureSearchResponse, responses=problems(422))
def search_procedures(
    assistant: AssistantDep,
    q: Annotated[str, Query(max_length=500, description="Words of the question or title")] = "",
    level: Annotated[Literal["citizen", "commune", "province", "ministry", "all"], Query()] = "all",
    field: Annotated[str, Query(max_length=200)] = "",
    agency: Annotated[str, Query(max_length=200)] = "",
    k: Annotated[int, Query(ge=1, le=50)] = 20,
) -> ProcedureSearchResponse:
    if not q.strip():
        items = [p for p in assistant.catalog.procedures.values()
                 if (level in ("all", "citizen") or level in p.levels)
                 and (not field or field.lower() in p.field.lower())
                 and (not agency or agency.lower() in f"{p.agency} {p.authority}".lower())]
        items.sort(key=lambda p: (not p.is_commune, p.title))
        hits = [ProcedureHit(procedure_id=p.code, title=p.title, level=p.primary_level, field=p.field, score=0.0,
                             url=p.source_url, snippet=p.result[:200]) for p in items[:k]]
        return ProcedureSearchResponse(query="", in_scope=True, results=hits)
    res = assistant.search(q, k=k, scope=level, field=field, agency=agency)
    return ProcedureSearchResponse(query=q, in_scope=res.in_scope, results=[
        ProcedureHit(procedure_id=r.code, title=r.title, level=r.level, field=r.field, score=round(r.score, 4),
                     url=r.url, snippet=r.snippet) for r in res.results])


@router.get("/facets")
def facets(assistant: AssistantDep) -> dict[str, list[str]]:
    procs = assistant.catalog.procedures.values()
    return {"fields": sorted({p.field for p in procs if p.field}),
            "agencies": sorted({p.agency for p in procs if p.agency})}


@router.get("/{code}", response_model=Card, responses=problems(404))
def procedure(code: str, assistant: AssistantDep):  # type: ignore[no-untyped-def]
    return card_of(assistant.catalog.get(code))
