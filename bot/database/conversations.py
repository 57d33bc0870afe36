"""The conversations repository: the turns of each session, and what a session is about."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.answers.types import Answer
from bot.database.tables import Feedback, Turn
from bot.redact import redact


@dataclass(frozen=True)
class StoredTurn:
    id: int
    question: str
    answer: str
    sources: list[dict[str, Any]]
    state: dict[str, Any]
    channel: str
    kind: str = ""
    reason: str = ""


def new_session_id() -> str:
    return uuid.uuid4().hex


class ConversationRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, session_id: str, commune: str, answer: Answer, channel: str = "") -> int:
        """Store one answered question (redacted); returns the turn's id."""
        with Session(self.engine) as s, s.begin():
            turn = Turn(
                session_id=session_id, commune=commune, created_at=datetime.now(UTC), question=redact(answer.question),
                answer=redact(answer.answer), sources=json.loads(json.dumps([x.__dict__ for x in answer.sources])),
                language=answer.language, in_scope=answer.in_scope, generator=answer.generator,
                state=answer.state or {}, channel=channel, kind=answer.kind, reason=answer.reason[:32],
            )
            s.add(turn)
            s.flush()
            return int(turn.id)

    def turns(self, session_id: str, limit: int = 50) -> list[StoredTurn]:
        """The session's last `limit` turns, oldest first."""
        with Session(self.engine) as s:
            rows = s.scalars(
                select(Turn).where(Turn.session_id == session_id).order_by(Turn.id.desc()).limit(limit)
            ).all()
            return [StoredTurn(r.id, r.question, r.answer, list(r.sources or []), dict(r.state or {}), r.channel,
                               r.kind, r.reason) for r in reversed(rows)]

    def recent(self, session_id: str, turns: int) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """What a session is about (the last answer's active procedure and aspect) and its last `turns` turns."""
        stored = self.turns(session_id, limit=turns)
        state = {k: str(v) for k, v in stored[-1].state.items()} if stored else {}
        return state, [(t.question, t.answer) for t in stored]

    def exists(self, session_id: str, turn_id: int) -> bool:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).where(Turn.id == turn_id, Turn.session_id == session_id)) == 1

    def number(self, session_id: str, turn_id: int) -> int:
        """The turn's number within its session (1, 2, …): what the API shows instead of the row id, which
        would reveal how many questions everyone has asked."""
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count()).where(Turn.session_id == session_id, Turn.id <= turn_id)) or 0)

    def turn_at(self, session_id: str, number: int) -> int | None:
        """The row id of the session's turn `number` (1-based), or None."""
        if number < 1:
            return None
        with Session(self.engine) as s:
            found = s.scalar(select(Turn.id).where(Turn.session_id == session_id).order_by(Turn.id)
                             .offset(number - 1).limit(1))
            return int(found) if found is not None else None

    def counts(self) -> dict[str, int]:
        """Turns, turns in scope and sessions, over all time."""
        with Session(self.engine) as s:
            turns = s.scalar(select(func.count()).select_from(Turn)) or 0
            in_scope = s.scalar(select(func.count()).select_from(Turn).where(Turn.in_scope.is_(True))) or 0
            sessions = s.scalar(select(func.count(func.distinct(Turn.session_id)))) or 0
        return {"turns": int(turns), "in_scope": int(in_scope), "sessions": int(sessions)}

    def failures(self, session_id: str, limit: int = 50) -> list[int]:
        """Where the session's last `limit` turns failed the citizen, as the id of the turn where it showed: a
        refusal (that turn), choices offered and not taken (the next turn, which answers none of them), an answer
        rated thumbs-down (the rated turn; 0 for the session as a whole)."""
        turns = self.turns(session_id, limit)
        feedback = cast(Table, Feedback.__table__)
        with self.engine.connect() as conn:
            down = [int(t or 0) for t in conn.execute(select(feedback.c.turn_id).where(
                feedback.c.session_id == session_id, feedback.c.rating == "down").order_by(feedback.c.id)).scalars()]
        marks = []
        for i, turn in enumerate(turns):
            if turn.kind == "refusal":
                marks.append(turn.id)
            elif turn.kind == "choices" and i + 1 < len(turns):
                offered = [c for c in str(turn.state.get("choices", "")).split(",") if c]
                if str(turns[i + 1].state.get("active", "")) not in offered:
                    marks.append(turns[i + 1].id)
        return marks + [t for t in dict.fromkeys(down) if t not in marks]
