"""The feedback repository: thumbs up or down on an answer, with a redacted comment."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.database.events import insert_feedback
from bot.database.tables import Feedback
from bot.errors import ConflictError
from bot.redact import redact


class FeedbackRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, session_id: str, turn_id: int, rating: str, comment: str) -> int:
        """Store a vote; a second vote on the same answer is a ConflictError (the database keeps one)."""
        try:
            with Session(self.engine) as s, s.begin():
                row = Feedback(session_id=session_id, turn_id=turn_id, created_at=datetime.now(UTC), rating=rating,
                               comment=redact(comment))
                s.add(row)
                s.flush()
                insert_feedback(s.connection(), session_id, turn_id, rating, row.comment, row.created_at)
                return int(row.id)
        except IntegrityError as exc:
            raise ConflictError(f"Answer {turn_id} of this session was already rated.",
                                "Bạn đã đánh giá câu trả lời này rồi. Cảm ơn bạn!") from exc

    def ratings(self) -> dict[str, int]:
        with Session(self.engine) as s:
            return {str(k): int(v) for k, v in s.execute(select(Feedback.rating, func.count())
                                                          .group_by(Feedback.rating)).all()}
