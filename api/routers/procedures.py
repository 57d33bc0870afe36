"""The clerk search and the full procedure card."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import AssistantDep
from api.schemas import Card, ProcedureHit, ProcedureSearchResponse, card_of, problems
from bot.knowledge.models import LEVEL_LABELS_VI, Guide, Procedure

router = APIRouter(prefix="/api/procedures", tags=["procedures"])

# "1.001193", "A.BYT.001", or the start of one ("1.0011", "a.byt"): looked up by code before any search
CODE_LIKE = re.compile(r"[0-9A-Za-z]+\.[0-9A-Za-z.]*")
# a search hit scoring under this share of the first one is noise (an unrelated tax procedure under "khai sinh")
RELATIVE_FLOOR = 0.5


def _hit(item: Procedure | Guide, score: float = 0.0, snippet: str = "") -> ProcedureHit:
    if isinstance(item, Guide):
        return ProcedureHit(procedure_id=item.code, title=item.title, level="guide", level_labels=["Hướng dẫn"],
                            field="Hướng dẫn", score=score, url=item.source_url, snippet=snippet)
    return ProcedureHit(procedure_id=item.code, title=item.title, level=item.primary_level,
                        level_labels=[LEVEL_LABELS_VI[lv] for lv in item.levels], field=item.field, score=score,
                        url=item.source_url, snippet=snippet or item.result[:200])


@router.get("", response_model=ProcedureSearchResponse, responses=problems(422, 429))
def search_procedures(
    assistant: AssistantDep,
    q: Annotated[str, Query(max_length=500, description="Words of the question or title, or a procedure code "
                            "(an exact code comes first; a code's start, e.g. 1.0011, lists the codes so begun)")] = "",
    level: Annotated[Literal["citizen", "commune", "province", "ministry", "all"], Query()] = "all",
    field: Annotated[str, Query(max_length=200)] = "",
    agency: Annotated[str, Query(max_length=200)] = "",
    k: Annotated[int, Query(ge=1, le=50)] = 20,
) -> ProcedureSearchResponse:
    items = assistant.catalog.items
    allowed = assistant.retriever.allowed
    text = q.strip()
    if not text:
        procs = sorted((p for p in assistant.catalog.procedures.values() if allowed(p, level, field, agency)),
                       key=lambda p: (not p.is_commune, p.title))
        return ProcedureSearchResponse(query="", in_scope=True, results=[_hit(p) for p in procs[:k]])
    # codes first: every word that is a code, then (a query that is only a code's start) the codes so begun
    by_code = {c.casefold(): c for c in items}
    words = [w.strip(",;:()[]«»\"'").casefold() for w in text.split()]
    codes = [by_code[w] for w in words if w in by_code]
    code_only = CODE_LIKE.fullmatch(text) is not None
    if code_only:
        codes += sorted(c for c in items if c.casefold().startswith(text.casefold()))
    found = [_hit(items[c], 1.0) for c in dict.fromkeys(codes) if allowed(items[c], level, field, agency)][:k]
    if code_only and (codes or any(ch.isdigit() for ch in text)):
        # a code alone: its digits mean nothing to the search, so only codes (none when the filters exclude it)
        return ProcedureSearchResponse(query=q, in_scope=bool(found), results=found)
    rest = " ".join(w for w, f in zip(text.split(), words, strict=True) if f not in by_code)
    if codes and not any(ch.isalpha() for ch in rest):  # codes and punctuation: nothing else to search for
        return ProcedureSearchResponse(query=q, in_scope=bool(found), results=found)
    res = assistant.search(rest if codes else text, k=k, scope=level, field=field, agency=agency)
    floor = RELATIVE_FLOOR * res.results[0].score if res.results else 0.0
    seen = {h.procedure_id for h in found}
    found += [_hit(items[r.code], round(r.score, 4), r.snippet) for r in res.results
              if r.score >= floor and r.code not in seen]
    return ProcedureSearchResponse(query=q, in_scope=res.in_scope or bool(codes), results=found[:k])


@router.get("/facets")
def facets(assistant: AssistantDep) -> dict[str, list[str]]:
    procs = assistant.catalog.procedures.values()
    return {"fields": sorted({p.field for p in procs if p.field}),
            "agencies": sorted({p.agency for p in procs if p.agency})}


@router.get("/{code}", response_model=Card, responses=problems(404))
def procedure(code: str, assistant: AssistantDep):  # type: ignore[no-untyped-def]
    return card_of(assistant.catalog.get(code), with_brief=True)
