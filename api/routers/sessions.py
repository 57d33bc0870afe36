"""DELETE /api/sessions/{id}: "Xóa cuộc trò chuyện" — a citizen forgets their conversation (and ticket contacts)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.deps import DatabaseDep
from api.schemas import problems
from bot.limits import SESSION_ID_PATTERN

router = APIRouter(prefix="/api", tags=["sessions"])
log = logging.getLogger(__name__)


class Forgotten(BaseModel):
    turns: int
    feedback: int
    contacts: int
    message: str


@router.delete("/sessions/{session_id}", response_model=Forgotten, responses=problems(422, 429))
def forget(session_id: Annotated[str, Path(pattern=SESSION_ID_PATTERN)], database: DatabaseDep) -> Forgotten:
    """Delete the session's questions, answers and feedback and the phone or e-mail left on its tickets. The
    session id is the citizen's own (kept in their browser); an unknown one deletes nothing."""
    counts = database.retention.forget_session(session_id)
    log.info("session forgotten: %d turns, %d feedback, %d contacts", counts["turns"], counts["feedback"],
             counts["contacts"])
    return Forgotten(**counts, message="Đã xóa cuộc trò chuyện và thông tin liên hệ của bạn khỏi hệ thống.")
