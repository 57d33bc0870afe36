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
from bot.errors import InputError
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
    answer = assistant.ask(req.message, state=last_state(storage, session_id) if req.session_id else None)
    response = build_response(assistant, storage, answer, session_id, commune)
    if not req.stream:
        return response
    return StreamingResponse(_events(response), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def last_state(storage: Storage, session_id: str) -> dict[str, str]:
    """What the conversation is about: the last answer's active procedure and aspect."""
    turns = storage.turns(session_id, limit=1)
    return {k: str(v) for k, v in turns[-1].state.items()} if turns else {}


def build_response(assistant: Assistant, storage: Storage, answer: Answer, session_id: str, commune: str,
                   generator: str = "extractive") -> ChatResponse:
    """Store the turn (redacted) and shape the answer for the API, with the top procedure's card."""
    sources = [s.__dict__ for s in answer.sources]
    turn_id = storage.add_turn(session_id, commune, answer.question, answer.answer, sources, answer.language,
                               answer.in_scope, generator=generator, state=answer.state)
    log.info("answer commune=%s in_scope=%s sources=%s", commune or "-", answer.in_scope,
             ",".join(s.procedure_id for s in answer.sources) or "-")
    card = Card.of(assistant.catalog.get(answer.sources[0].procedure_id)) if answer.sources else None
    return ChatResponse(
        answer=answer.answer, language=answer.language, in_scope=answer.in_scope,
        sources=[SourceOut(**s) for s in sources], session_id=session_id, turn_id=turn_id, card=card,
    )


def _events(response: ChatResponse) -> Iterator[str]:
    """Tokens first (the extractive answer, word by word), then the final, checked answer with sources."""
    words = re.split(r"(\s+)", response.answer)
    for i in range(0, len(words), 8):
        yield f"event: token\ndata: {json.dumps({'text': ''.join(words[i:i + 8])}, ensure_ascii=False)}\n\n"
    yield f"event: final\ndata: {response.model_dump_json()}\n\n"
