"""`/clerk/proposals`: the approval queue of the unanswered-question loop, and the notes left for the people who keep
the knowledge base. Knowledge files are shared by every commune, so a commune clerk's proposal (link a group of
questions to a procedure, or mark it out of scope) waits here for a province account of its province, or an admin,
to approve (carried out at once: see `api.learning`) or reject. A clerk sees its own commune's proposals and notes,
a province account its province's, an admin all; any other proposal is a 404. `GET /api/clerk/proposals`: the same
as JSON.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ClerkDep, ClerkPageDep, RuntimeDep, SignedIn, csrf_checked
from api.learning import carry_out, reject, view_of
from api.routers.unanswered import NO_STORE, REFUSED, commune_names, day, page, problem_page
from api.runtime import Runtime
from api.schemas_clerk import clerk_problems
from api.schemas_unanswered import NoteOut, ProposalOut, ProposalsOut
from bot.database.proposals import ProposalRecord
from bot.errors import NotFoundError

log = logging.getLogger(__name__)
router = APIRouter(tags=["clerk"], dependencies=[Depends(csrf_checked)])
ID = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="A proposal's id")]
STATUS_VI = {"pending": "Chờ duyệt", "applied": "Đã áp dụng", "recorded": "Đã ghi nhận", "rejected": "Không duyệt"}


@router.get("/api/clerk/proposals", response_model=ProposalsOut, responses=clerk_problems(401))
def proposals_json(clerk: ClerkDep, runtime: RuntimeDep) -> Response:
    """The proposals (newest first) and notes this account sees."""
    view = view_of(clerk.account)
    body = ProposalsOut(proposals=[ProposalOut.of(p) for p in runtime.database.proposals.find(view)],
                        notes=[NoteOut.of(n) for n in runtime.database.proposals.notes(view)])
    return Response(body.model_dump_json(), media_type="application/json", headers=NO_STORE)


def _what(runtime: Runtime, p: ProposalRecord) -> str:
    if p.action == "out_of_scope":
        return "Đánh dấu ngoài phạm vi"
    proc = runtime.assistant.catalog.procedures.get(p.procedure_id)
    title = proc.title if proc else ""
    return f"Gắn vào thủ tục {title} [{p.procedure_id}]"


def _card(runtime: Runtime, clerk: SignedIn, p: ProposalRecord) -> str:
    csrf = escape(clerk.session.csrf_token)
    phrasings = "".join(f"<li>{escape(q)}</li>" for q in p.phrasings)
    where = commune_names(runtime, [p.commune]) if p.commune else (f"tỉnh mã {p.province}" if p.province else "")
    actions = ""
    if p.status == "pending" and clerk.account.role in ("province", "admin"):
        actions = f"""<div class="actions"><form method="post" action="/clerk/proposals/{p.id}/approve">
<input type="hidden" name="csrf_token" value="{csrf}"><button type="submit">Duyệt và áp dụng</button></form>
<form method="post" action="/clerk/proposals/{p.id}/reject"><input type="hidden" name="csrf_token" value="{csrf}">
<button type="submit" class="secondary">Không duyệt</button></form></div>"""
    decided = f" · {escape(p.decided_by)}, {day(p.decided_at)}" if p.decided_at else ""
    outcome = f'<p class="outcome">{escape(p.outcome)}</p>' if p.outcome else ""
    return f"""<li class="proposal {escape(p.status)}" id="p{p.id}"><h3>{escape(_what(runtime, p))}</h3>
<p class="meta">Đề xuất số {p.id} · {escape(p.author)}{", " + escape(where) if where else ""} · {day(p.created_at)} ·
<strong>{escape(STATUS_VI.get(p.status, p.status))}</strong>{decided}</p>
<ul class="examples">{phrasings}</ul>{outcome}{actions}</li>"""


@router.get("/clerk/proposals", response_class=HTMLResponse, include_in_schema=False)
def proposals_page(clerk: ClerkPageDep, runtime: RuntimeDep, sent: int = 0, noted: int = 0,
                   done: int = 0) -> HTMLResponse:
    view = view_of(clerk.account)
    store = runtime.database.proposals
    pending = store.find(view, "pending")
    decided = [p for p in store.find(view, limit=100) if p.status != "pending"]
    notes = store.notes(view)
    flash = ""
    if sent:
        flash = ('<p class="ok" role="status">Đã gửi đề xuất. Cán bộ tỉnh duyệt xong thì kho kiến thức được cập nhật '
                 "và bot trả lời được câu hỏi này.</p>")
    elif noted:
        flash = '<p class="ok" role="status">Đã gửi ghi chú cho người quản lý kho kiến thức.</p>'
    elif done:
        try:
            flash = f'<p class="ok" role="status">{escape(store.get(done, view).outcome)}</p>'
        except NotFoundError:
            flash = ""
    note_items = "".join(f"""<li class="note"><p>{escape(n.text)}</p><p class="meta">{escape(n.author)}{
        ", " + escape(commune_names(runtime, [n.commune])) if n.commune else ""} · {day(n.created_at)}</p>
<ul class="examples">{"".join(f"<li>{escape(e)}</li>" for e in n.examples)}</ul></li>""" for n in notes)
    main = f"""{flash}<section aria-labelledby="pending-h"><h2 id="pending-h">Chờ duyệt ({len(pending)})</h2>
{"<ol class='proposals'>" + "".join(_card(runtime, clerk, p) for p in pending) + "</ol>" if pending else
 "<p class='muted'>Không có đề xuất nào đang chờ.</p>"}</section>
<section aria-labelledby="decided-h"><h2 id="decided-h">Đã xử lý</h2>
{"<ol class='proposals'>" + "".join(_card(runtime, clerk, p) for p in decided) + "</ol>" if decided else
 "<p class='muted'>Chưa có.</p>"}</section>
<section aria-labelledby="notes-h"><h2 id="notes-h">Ghi chú cho người quản lý kho kiến thức</h2>
{"<ol class='notes'>" + note_items + "</ol>" if notes else "<p class='muted'>Chưa có ghi chú.</p>"}</section>"""
    return page(clerk, runtime, "Đề xuất cập nhật kho kiến thức", main, current="/clerk/proposals")


def _decide(clerk: SignedIn, runtime: Runtime, proposal_id: int, approve: bool) -> Response:
    try:
        if clerk.account.role not in ("province", "admin"):
            raise NotFoundError("Only province and admin accounts decide.", "Không tìm thấy đề xuất này.")
        proposal = runtime.database.proposals.get(proposal_id, view_of(clerk.account))
        who = clerk.account.username
        done = carry_out(runtime, proposal, who) if approve else reject(runtime, proposal, who)
    except REFUSED as exc:
        return problem_page(clerk, runtime, exc)
    log.info("proposal %d %s by %s", done.id, done.status, clerk.account.username)
    return RedirectResponse(f"/clerk/proposals?done={done.id}", status_code=303)


@router.post("/clerk/proposals/{proposal_id}/approve", response_class=HTMLResponse, include_in_schema=False)
def approve_form(proposal_id: ID, clerk: ClerkPageDep, runtime: RuntimeDep) -> Response:
    return _decide(clerk, runtime, proposal_id, approve=True)


@router.post("/clerk/proposals/{proposal_id}/reject", response_class=HTMLResponse, include_in_schema=False)
def reject_form(proposal_id: ID, clerk: ClerkPageDep, runtime: RuntimeDep) -> Response:
    return _decide(clerk, runtime, proposal_id, approve=False)
