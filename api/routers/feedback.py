"""POST /api/feedback: thumbs up or down, with an optional comment, on an answer."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DatabaseDep, HandoffDep
from api.schemas import FeedbackRequest, FeedbackResponse, problems
from bot.errors import NotFoundError

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, responses=problems(404, 409, 413, 422, 429))
def feedback(req: FeedbackRequest, database: DatabaseDep, handoff: HandoffDep) -> FeedbackResponse:
    if not database.conversations.exists(req.session_id, req.turn_id):
        raise NotFoundError(f"No answer {req.turn_id} in this session.", "Không tìm thấy câu trả lời cần đánh giá.")
    fid = database.feedback.add(req.session_id, req.turn_id, req.rating, req.comment)
    offer = req.rating == "down" and handoff.offers(req.session_id)
    return FeedbackResponse(id=fid, message="Cảm ơn bạn đã góp ý!", offer_handoff=offer)
