"""The conversations repository: the turns of each session, and what a session is about."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.answers.types import Answer
from bot.database.tables import Turn
from bot.redact import redact


@dataclass(frozen=True)
class StoredTurn:
    id: int
    question: str
    answer: str
    sources: list[dict[str, Any]]
    state: dict[str, Any]
    channel: str


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
                state=answer.state or {}, channel=channel,
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
            return [StoredTurn(r.id, r.question, r.answer, list(r.sources or []), dict(r.state or {}), r.channel)
                    for r in reversed(rows)]

    def recent(self, session_id: str, turns: int) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """What a session is about (the last answer's active procedure and aspect) and its last `turns` turns."""
        stored = self.turns(session_id, limit=turns)
        state = {k: str(v) for k, v in stored[-1].state.items()} if stored else {}
        return state, [(t.question, t.answer) for t in stored]

    def exists(self, session_id: str, turn_id: int) -> bool:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).where(Turn.id == turn_id, Turn.session_id == session_id)) == 1

    def counts(self) -> dict[str, int]:
        """Turns, turns in scope and sessions, over all time."""
        with Session(self.engine) as s:
            turns = s.scalar(select(func.count()).select_from(Turn)) or 0
            in_scope = s.scalar(select(func.count()).select_from(Turn).where(Turn.in_scope.is_(True))) or 0
            sessions = s.scalar(select(func.count(func.distinct(Turn.session_id)))) or 0
        return {"turns": int(turns), "in_scope": int(in_scope), "sessions": int(sessions)}
