"""The citizen's side of the handoff to a person: ask for one (`POST /api/handoff`), then get the clerks' replies
live (`GET /api/handoff/{code}/events`, Server-Sent Events) or by polling (`GET /api/sessions/{id}/messages`).

A ticket and its replies are reached only with the session id they belong to, from the browser that owns that
session (`api.owner`): a 404 otherwise, the same as for a code that does not exist. The contact a citizen leaves is
never logged and never sent back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ChangesDep, ChatOwnerDep, HandoffDep, RuntimeDep, SettingsDep
from api.live import event, stream
from api.schemas import problems
from api.schemas_handoff import HandoffRequest, HandoffResponse, ReplyOut, SessionMessages, TicketState
from bot.errors import NotFoundError
from bot.limits import SESSION_ID_PATTERN

router = APIRouter(prefix="/api", tags=["handoff"])
NO_SESSION_VI = "Không tìm thấy cuộc trò chuyện này trên trình duyệt của bạn. Hãy tải lại trang rồi thử lại."
SESSION = Annotated[str, Query(pattern=SESSION_ID_PATTERN, description="The chat session the ticket belongs to")]
CODE = Annotated[str, Path(max_length=16, description="The ticket's code", examples=["HV-4821"])]
AFTER = Annotated[int, Query(ge=0, le=2**62, description="Only replies with a greater id")]
SSE = {"content": {"text/event-stream": {}}, "description": "Server-Sent Events: `reply` (a ReplyOut, its id as "
       "the event id), `status` ({code, status}); the stream ends after a few minutes and the browser reconnects"}


@router.post("/handoff", response_model=HandoffResponse, responses=problems(404, 413, 422, 429))
def request_person(req: HandoffRequest, handoff: HandoffDep, runtime: RuntimeDep,
                   owner: ChatOwnerDep) -> HandoffResponse:
    """Ask for a person: the session's ticket at this commune (the same one again while it is not closed), with
    the office's hours and whether it is open now. A contact is kept only with `consent`. The session must be
    this browser's (or unused until now)."""
    locality = runtime.locality(req.commune)
    if locality is None:
        raise NotFoundError("commune is required.", "Không tìm thấy xã, phường.")
    if not owner.existing(req.session_id):
        raise NotFoundError("No such session in this browser.", NO_SESSION_VI)
    return HandoffResponse.of(handoff.request(req.session_id, locality, req.contact, req.consent,
                                              language=req.lang or "vi"))


@router.get("/handoff/{code}/events", response_class=StreamingResponse, responses={**problems(404, 422), 200: SSE})
async def ticket_events(code: CODE, session_id: SESSION, request: Request, handoff: HandoffDep, changes: ChangesDep,
                        settings: SettingsDep, owner: ChatOwnerDep, after: AFTER = 0,
                        last_event_id: Annotated[str, Header(max_length=18)] = "") -> StreamingResponse:
    """The clerks' replies on this ticket as they come (and its status when it changes)."""
    if not await run_in_threadpool(owner.owns, session_id):
        raise NotFoundError("No such ticket in this browser's session.", NO_SESSION_VI)
    ticket = await run_in_threadpool(handoff.session_ticket, code, session_id)
    resumed = int(last_event_id) if last_event_id.isascii() and last_event_id.isdigit() else 0  # a reconnect
    last = [max(after, resumed)]  # the last reply sent
    status = [""]

    def look() -> list[str]:
        current = handoff.tickets.get(ticket.code) or ticket
        out = []
        for message in handoff.tickets.messages([current], last[0]):
            out.append(event("reply", ReplyOut.of(message).model_dump(mode="json"), message.id))
            last[0] = message.id
        if current.status != status[0]:
            status[0] = current.status
            out.append(event("status", {"code": current.code, "status": current.status}))
        return out

    return StreamingResponse(
        stream(changes, look, settings.handoff_poll_seconds, settings.handoff_stream_seconds, request.is_disconnected),
        media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/sessions/{session_id}/messages", response_model=SessionMessages, responses=problems(422))
def session_messages(session_id: Annotated[str, Path(pattern=SESSION_ID_PATTERN)], handoff: HandoffDep,
                     owner: ChatOwnerDep, after: AFTER = 0) -> SessionMessages:
    """The session's tickets and the clerks' replies after `after`: the page asks on start (replies that came while
    it was closed) and every few seconds where live events do not work. Another browser's session reads as empty,
    like an unknown one."""
    if not owner.owns(session_id):
        return SessionMessages(tickets=[], messages=[])
    tickets, messages = handoff.replies(session_id, after)
    return SessionMessages(tickets=[TicketState(code=t.code, status=t.status) for t in tickets],
                           messages=[ReplyOut.of(m) for m in messages])
