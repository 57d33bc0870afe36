"""POST /api/chat: a grounded answer as JSON, or streamed as Server-Sent Events."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import AssistantDep, ConversationDep, RuntimeDep
from api.schemas import ChatRequest, ChatResponse, card_of, problems
from api.schemas_handoff import HandoffResponse
from bot.assistant import Assistant
from bot.conversation import Reply
from bot.errors import TthcError

router = APIRouter(prefix="/api", tags=["chat"])
log = logging.getLogger(__name__)


@router.post("/chat", response_model=ChatResponse, responses={
    **problems(404, 413, 422, 429),
    200: {"content": {"text/event-stream": {}}, "description": "JSON, or Server-Sent Events with stream: true"}})
def chat(req: ChatRequest, conversation: ConversationDep, assistant: AssistantDep,  # type: ignore[no-untyped-def]
         runtime: RuntimeDep):
    pieces = conversation.turn(req.session_id, req.message, runtime.locality(req.commune), "chat", choice=req.choice)
    if not req.stream:
        return chat_response(assistant, next(x for x in pieces if isinstance(x, Reply)))
    return StreamingResponse(_events(assistant, pieces), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def chat_response(assistant: Assistant, reply: Reply) -> ChatResponse:
    """The stored answer shaped for the API, with the top procedure's card."""
    answer = reply.answer
    card = card_of(assistant.catalog.get(answer.sources[0].procedure_id)) if answer.sources else None
    return ChatResponse(
        answer=answer.answer, kind=answer.kind, choices=answer.choices, blocks=answer.blocks, language=answer.language,
        in_scope=answer.in_scope,
        sources=answer.sources, session_id=reply.session_id,
        turn_id=reply.turn_id, card=card, generator=answer.generator,
        handoff=HandoffResponse.of(reply.handoff) if reply.handoff else None, offer_handoff=reply.offer_handoff,
    )


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


def _events(assistant: Assistant, pieces: Iterator[str | Reply]) -> Iterator[str]:
    """`token` events carry checked text as it is ready (an extractive answer, 8 words at a time); the `final`
    event carries the answer to show, with its sources. A failure mid-stream ends with an `error` event."""
    try:
        for piece in pieces:
            if isinstance(piece, Reply):
                if piece.answer.generator == "extractive":
                    words = re.split(r"(\s+)", piece.answer.answer)
                    for i in range(0, len(words), 8):
                        yield _event("token", json.dumps({"text": "".join(words[i:i + 8])}, ensure_ascii=False))
                yield _event("final", chat_response(assistant, piece).model_dump_json())
                return
            yield _event("token", json.dumps({"text": piece}, ensure_ascii=False))
    except Exception as exc:  # the stream has started: the status is sent, so the error goes in an event
        log.exception("chat stream failed (%s)", type(exc).__name__)
        yield _event("error", json.dumps({"message": TthcError.message_vi}, ensure_ascii=False))
