"""POST /api/feedback: thumbs up or down, with an optional comment, on an answer."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ChatOwnerDep, DatabaseDep, HandoffDep
from api.schemas import FeedbackRequest, FeedbackResponse, problems
from bot.errors import NotFoundError

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, responses=problems(404, 409, 413, 422, 429))
def feedback(req: FeedbackRequest, database: DatabaseDep, handoff: HandoffDep, owner: ChatOwnerDep) -> FeedbackResponse:
    """`turn_id` is the answer's number in the session, as /api/chat returned it; only the browser that holds the
    session may rate its answers."""
    turn = database.conversations.turn_at(req.session_id, req.turn_id) if owner.owns(req.session_id) else None
    if turn is None:
        raise NotFoundError(f"No answer {req.turn_id} in this session.", "Không tìm thấy câu trả lời cần đánh giá.")
    fid = database.feedback.add(req.session_id, turn, req.rating, req.comment)
    offer = req.rating == "down" and handoff.offers(req.session_id)
    return FeedbackResponse(id=fid, message="Cảm ơn bạn đã góp ý!", offer_handoff=offer)
