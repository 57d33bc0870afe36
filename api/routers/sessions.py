"""DELETE /api/sessions/{id}: "Xóa cuộc trò chuyện" — a citizen forgets their conversation (and ticket contacts)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.deps import ChatOwnerDep, DatabaseDep
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
def forget(session_id: Annotated[str, Path(pattern=SESSION_ID_PATTERN)], database: DatabaseDep,
           owner: ChatOwnerDep) -> Forgotten:
    """Delete the session's questions, answers and feedback and the phone or e-mail left on its tickets. Only the
    browser that owns the session may; another's, or an unknown one, deletes nothing."""
    if not owner.owns(session_id):
        return Forgotten(turns=0, feedback=0, contacts=0, message="Không có dữ liệu nào của cuộc trò chuyện này "
                         "trên trình duyệt của bạn.")
    counts = database.retention.forget_session(session_id)
    database.chat_sessions.forget(session_id)
    log.info("session forgotten: %d turns, %d feedback, %d contacts", counts["turns"], counts["feedback"],
             counts["contacts"])
    return Forgotten(**counts, message="Đã xóa cuộc trò chuyện và thông tin liên hệ của bạn khỏi hệ thống.")
