"""POST /api/chat: a grounded answer as JSON, or streamed as Server-Sent Events."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from api.deps import AssistantDep, ChatOwnerDep, ConversationDep, RuntimeDep
from api.schemas import ChatRequest, ChatResponse, card_of, problems
from api.schemas_handoff import HandoffResponse
from bot.assistant import Assistant
from bot.conversation import Reply
from bot.database.db import Database
from bot.errors import TthcError

router = APIRouter(prefix="/api", tags=["chat"])
CLIENT_HEADER = ("Where the question was typed, for the commune's dashboard: `page` (the commune page) or `widget` "
                 "(its panel on a commune's site); anything else counts as the API")
log = logging.getLogger(__name__)


@router.post("/chat", response_model=ChatResponse, responses={
    **problems(404, 413, 422, 429),
    200: {"content": {"text/event-stream": {}}, "description": "JSON, or Server-Sent Events with stream: true"}})
def chat(req: ChatRequest, conversation: ConversationDep, assistant: AssistantDep,  # type: ignore[no-untyped-def]
         runtime: RuntimeDep, owner: ChatOwnerDep,
         x_tthc_client: Annotated[str, Header(description=CLIENT_HEADER)] = ""):
    # the session continues only in the browser that started it (api.owner); otherwise a new one starts
    session = owner.session(req.session_id)
    pieces = conversation.turn(session, req.message, runtime.locality(req.commune), "chat", choice=req.choice,
                               via=x_tthc_client)
    if not req.stream:
        return chat_response(assistant, next(x for x in pieces if isinstance(x, Reply)), runtime.database)
    response = StreamingResponse(_events(assistant, pieces, runtime.database), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    owner.set_cookie(response, runtime.settings)
    return response


def chat_response(assistant: Assistant, reply: Reply, database: Database) -> ChatResponse:
    """The stored answer shaped for the API, with the top procedure's card. `turn_id` is the turn's number in its
    session (1, 2, …), not the row id, which would reveal everyone's traffic."""
    answer = reply.answer
    card = card_of(assistant.catalog.get(answer.sources[0].procedure_id)) if answer.sources else None
    return ChatResponse(
        answer=answer.answer, kind=answer.kind, choices=answer.choices, blocks=answer.blocks, language=answer.language,
        in_scope=answer.in_scope,
        sources=answer.sources, session_id=reply.session_id,
        turn_id=database.conversations.number(reply.session_id, reply.turn_id), card=card, generator=answer.generator,
        handoff=HandoffResponse.of(reply.handoff) if reply.handoff else None, offer_handoff=reply.offer_handoff,
    )


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


def _events(assistant: Assistant, pieces: Iterator[str | Reply], database: Database) -> Iterator[str]:
    """`token` events carry checked text as it is ready (an extractive answer, 8 words at a time); the `final`
    event carries the answer to show, with its sources. A failure mid-stream ends with an `error` event."""
    try:
        for piece in pieces:
            if isinstance(piece, Reply):
                if piece.answer.generator == "extractive":
                    words = re.split(r"(\s+)", piece.answer.answer)
                    for i in range(0, len(words), 8):
                        yield _event("token", json.dumps({"text": "".join(words[i:i + 8])}, ensure_ascii=False))
                yield _event("final", chat_response(assistant, piece, database).model_dump_json())
                return
            yield _event("token", json.dumps({"text": piece}, ensure_ascii=False))
    except Exception as exc:  # the stream has started: the status is sent, so the error goes in an event
        log.exception("chat stream failed (%s)", type(exc).__name__)
        yield _event("error", json.dumps({"message": TthcError.message_vi}, ensure_ascii=False))
