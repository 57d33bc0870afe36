"""The clerks' inbox of handoff tickets: the `/clerk/inbox` page, the ticket API under `/api/clerk/tickets`, and a
live view of changes (`/api/clerk/inbox/events`, Server-Sent Events; the page polls where those do not work).

An account sees the tickets of its commune (a province account: its province's; an admin: all). Any other
ticket is a 404, the same as a code that does not exist. Replies are plain text; the page shows them as text.
Every reply and close is audited (who, which ticket; never the text).
"""

from __future__ import annotations

import logging
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from api.clerk_nav import clerk_nav
from api.deps import (
    ChangesDep,
    ClerkDep,
    ClerkPageDep,
    DatabaseDep,
    HandoffDep,
    RuntimeDep,
    SettingsDep,
    TicketScopeDep,
    csrf_checked,
)
from api.live import event, stream
from api.routers.pages import _page, asset
from api.runtime import Runtime
from api.schemas_clerk import clerk_problems
from api.schemas_handoff import ReplyOut, ReplyRequest, TicketDetail, TicketList, TicketSummaryOut
from bot.database.tickets import Status

log = logging.getLogger(__name__)
router = APIRouter(tags=["clerk"], dependencies=[Depends(csrf_checked)])
CODE = Annotated[str, Path(max_length=16, description="The ticket's code", examples=["HV-4821"])]
ROLE_SCOPE_VI = {"clerk": "Xã, phường", "province": "Tỉnh, thành phố", "admin": "Tất cả xã, phường"}


def _name(runtime: Runtime, ward_code: str) -> str:
    commune = runtime.registry.communes.get(ward_code)
    return commune.ward_name if commune else ward_code


@router.get("/api/clerk/tickets", response_model=TicketList, responses=clerk_problems(401, 422))
def list_tickets(scope: TicketScopeDep, handoff: HandoffDep, runtime: RuntimeDep, status: Status | None = None,
                 q: Annotated[str, Query(max_length=100, description="A code (HV-4821) or words of the "
                                         "conversation or a reply")] = "") -> TicketList:
    """The tickets this account sees, the most recently changed first."""
    found = handoff.tickets.search(scope, status, q)
    return TicketList(tickets=[TicketSummaryOut.of(s, _name(runtime, s.ticket.commune)) for s in found])


@router.get("/api/clerk/inbox/events", response_class=StreamingResponse,
            responses={**clerk_problems(401), 200: {"content": {"text/event-stream": {}}, "description":
                       "Server-Sent Events: `changed` ({version}) whenever a ticket this account sees changes"}})
async def inbox_events(request: Request, changes: ChangesDep, settings: SettingsDep, handoff: HandoffDep,
                       scope: TicketScopeDep) -> StreamingResponse:
    """A `changed` event whenever a ticket this account sees is opened, written to, answered or closed."""
    seen = {"version": ""}

    def look() -> list[str]:
        version = handoff.tickets.version(scope)
        if version == seen["version"]:
            return []
        seen["version"] = version
        return [event("changed", {"version": version})]

    return StreamingResponse(
        stream(changes, look, settings.handoff_poll_seconds, settings.handoff_stream_seconds, request.is_disconnected),
        media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/api/clerk/tickets/{code}", response_model=TicketDetail, responses=clerk_problems(401, 404, 422))
def get_ticket(code: CODE, scope: TicketScopeDep, handoff: HandoffDep, runtime: RuntimeDep) -> TicketDetail:
    """The ticket with its transcript (the session's turns, redacted, and the replies) and the citizen's contact."""
    ticket = handoff.visible(code, scope)
    return TicketDetail.of(ticket, _name(runtime, ticket.commune), handoff.tickets.transcript(ticket),
                           handoff.tickets.contact(ticket))


@router.post("/api/clerk/tickets/{code}/reply", response_model=ReplyOut, status_code=201,
             responses=clerk_problems(401, 403, 404, 413, 422, 429))
def reply(code: CODE, body: ReplyRequest, clerk: ClerkDep, scope: TicketScopeDep, handoff: HandoffDep,
          database: DatabaseDep) -> ReplyOut:
    """Reply in text (needs X-CSRF-Token): the citizen sees it in the chat at once, or when the page opens next."""
    message = handoff.reply(code, scope, clerk.account.username, body.text)
    database.audit.add(clerk.account.username, "ticket-reply", message.code, chars=len(message.text))
    return ReplyOut.of(message)


@router.post("/api/clerk/tickets/{code}/close", response_model=TicketSummaryOut,
             responses=clerk_problems(401, 403, 404, 413, 422, 429))
def close(code: CODE, clerk: ClerkDep, scope: TicketScopeDep, handoff: HandoffDep, database: DatabaseDep,
          runtime: RuntimeDep) -> TicketSummaryOut:
    """Close the ticket (needs X-CSRF-Token); the citizen's contact is deleted with it."""
    ticket = handoff.close(code, scope)
    database.audit.add(clerk.account.username, "ticket-close", ticket.code)
    summary = next(s for s in handoff.tickets.search(scope, q=ticket.code) if s.ticket.id == ticket.id)
    return TicketSummaryOut.of(summary, _name(runtime, ticket.commune))


@router.get("/clerk/inbox", response_class=HTMLResponse, include_in_schema=False)
def inbox_page(clerk: ClerkPageDep, runtime: RuntimeDep) -> HTMLResponse:
    account = clerk.account
    where = {"clerk": _name(runtime, account.commune), "province": account.province, "admin": ""}.get(account.role, "")
    scope = f"{ROLE_SCOPE_VI.get(account.role, '')}{': ' + where if where else ''}"
    body = f"""<body><header><h1>Yêu cầu gặp cán bộ</h1>
<p><span id="who">{escape(account.username)}</span> · {escape(scope)}</p>
{clerk_nav("/clerk/inbox", clerk.session.csrf_token)}</header>
<main id="inbox" data-csrf="{escape(clerk.session.csrf_token)}"><section class="list" aria-label="Danh sách yêu cầu">
<div class="tabs" role="group" aria-label="Trạng thái">
<button type="button" data-status="open" aria-pressed="true">Đang chờ</button>
<button type="button" data-status="answered" aria-pressed="false">Đã trả lời</button>
<button type="button" data-status="closed" aria-pressed="false">Đã đóng</button></div>
<input id="iq" type="search" maxlength="100" autocomplete="off" aria-label="Tìm theo mã hoặc nội dung"
placeholder="Tìm theo mã (HV-4821) hoặc nội dung…">
<p id="icount" class="muted" role="status" aria-live="polite"></p><ul id="tickets"></ul>
<p id="live" class="muted"></p></section>
<article id="ticket" aria-live="polite">
<p class="muted">Chọn một yêu cầu để xem cuộc trò chuyện và trả lời.</p></article>
</main><script src="{asset("inbox.js")}" defer></script></body>"""
    return _page("Yêu cầu gặp cán bộ", "inbox.css", body, theme="#1f3a5f",
                 description="Hộp thư của cán bộ: yêu cầu gặp cán bộ của người dân, cuộc trò chuyện và trả lời.")
