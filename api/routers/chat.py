"""POST /api/chat: a grounded answer as JSON, or streamed as Server-Sent Events."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import AssistantDep, RegistryDep, StorageDep
from api.schemas import Card, ChatRequest, ChatResponse, SourceOut, problems
from bot.answer import Answer
from bot.assistant import Assistant
from bot.errors import InputError, TthcError
from bot.storage import Storage, new_session_id

router = APIRouter(prefix="/api", tags=["chat"])
log = logging.getLogger(__name__)
_SESSION = re.compile(r"^[0-9a-f]{32}$")


def session_or_new(value: str | None) -> str:
    if value is None or value == "":
        return new_session_id()
    if not _SESSION.match(value):
        raise InputError("session_id must be 32 hexadecimal characters, as returned by /api/chat.",
                         "Mã phiên trò chuyện không hợp lệ. Hãy tải lại trang để bắt đầu phiên mới.")
    return value


@router.post("/chat", response_model=ChatResponse, responses={
    **problems(404, 413, 422, 429),
    200: {"content": {"text/event-stream": {}}, "description": "JSON, or Server-Sent Events with stream: true"}})
def chat(req: ChatRequest, assistant: AssistantDep, registry: RegistryDep, storage: StorageDep):  # type: ignore[no-untyped-def]
    commune = registry.get(req.commune).ward_code if req.commune else ""
    session_id = session_or_new(req.session_id)
    state, history = storage.conversation(session_id) if req.session_id else ({}, [])
    pieces = assistant.stream(req.message, state=state, history=history)
    if not req.stream:
        answer = next(x for x in pieces if isinstance(x, Answer))
        return build_response(assistant, storage, answer, session_id, commune)
    return StreamingResponse(_events(assistant, storage, pieces, session_id, commune),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def build_response(assistant: Assistant, storage: Storage, answer: Answer, session_id: str, commune: str,
                   channel: str = "") -> ChatResponse:
    """Store the turn (redacted) and shape the answer for the API, with the top procedure's card."""
    turn_id = storage.add_answer(session_id, commune, answer, channel)
    log.info("answer commune=%s in_scope=%s generator=%s channel=%s sources=%s", commune or "-", answer.in_scope,
             answer.generator, channel or "text", ",".join(s.procedure_id for s in answer.sources) or "-")
    card = Card.of(assistant.catalog.get(answer.sources[0].procedure_id)) if answer.sources else None
    return ChatResponse(
        answer=answer.answer, language=answer.language, in_scope=answer.in_scope,
        sources=[SourceOut(**s.__dict__) for s in answer.sources], session_id=session_id, turn_id=turn_id, card=card,
        generator=answer.generator,
    )


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


def _events(assistant: Assistant, storage: Storage, pieces: Iterator[str | Answer], session_id: str,
            commune: str) -> Iterator[str]:
    """`token` events carry checked text as it is ready (an extractive answer, 8 words at a time); the `final`
    event carries the answer to show, with its sources. A failure mid-stream ends with an `error` event."""
    try:
        for piece in pieces:
            if isinstance(piece, Answer):
                if piece.generator == "extractive":
                    words = re.split(r"(\s+)", piece.answer)
                    for i in range(0, len(words), 8):
                        yield _event("token", json.dumps({"text": "".join(words[i:i + 8])}, ensure_ascii=False))
                response = build_response(assistant, storage, piece, session_id, commune)
                yield _event("final", response.model_dump_json())
                return
            yield _event("token", json.dumps({"text": piece}, ensure_ascii=False))
    except Exception as exc:  # the stream has started: the status is sent, so the error goes in an event
        log.exception("chat stream failed (%s)", type(exc).__name__)
        yield _event("error", json.dumps({"message": TthcError.message_vi}, ensure_ascii=False))
