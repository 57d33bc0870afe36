"""Conversations, feedback and QR-scan counts, through SQLAlchemy: SQLite by default, PostgreSQL by URL.

Every text is redacted (ID numbers, phones, e-mails) before it is stored.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bot.answer import Answer
from bot.redact import redact


class Base(DeclarativeBase):
    pass


class Turn(Base):
    __tablename__ = "turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    commune: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    sources: Mapped[Any] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    in_scope: Mapped[bool] = mapped_column(default=True)
    generator: Mapped[str] = mapped_column(String(32), default="extractive")
    state: Mapped[Any] = mapped_column(JSON, default=dict)


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")


class Scan(Base):
    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    commune: Mapped[str] = mapped_column(String(8), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class StoredTurn:
    id: int
    question: str
    answer: str
    sources: list[dict[str, Any]]
    state: dict[str, Any]


def new_session_id() -> str:
    return uuid.uuid4().hex


class Storage:
    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, **kwargs)
        Base.metadata.create_all(self.engine)

    def add_turn(
        self, session_id: str, commune: str, question: str, answer: str, sources: list[dict[str, Any]],
        language: str, in_scope: bool, generator: str = "extractive", state: dict[str, Any] | None = None,
    ) -> int:
        with Session(self.engine) as s, s.begin():
            turn = Turn(
                session_id=session_id, commune=commune, created_at=datetime.now(UTC), question=redact(question),
                answer=redact(answer), sources=json.loads(json.dumps(sources)), language=language,
                in_scope=in_scope, generator=generator, state=state or {},
            )
            s.add(turn)
            s.flush()
            return int(turn.id)

    def add_answer(self, session_id: str, commune: str, answer: Answer, channel: str = "") -> int:
        """Store one answered question; the generator is the one that wrote the answer (+ the channel: voice)."""
        generator = f"{answer.generator}+{channel}" if channel else answer.generator
        return self.add_turn(session_id, commune, answer.question, answer.answer, [s.__dict__ for s in answer.sources],
                             answer.language, answer.in_scope, generator=generator, state=answer.state)

    def turns(self, session_id: str, limit: int = 50) -> list[StoredTurn]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(Turn).where(Turn.session_id == session_id).order_by(Turn.id.desc()).limit(limit)
            ).all()
            return [StoredTurn(r.id, r.question, r.answer, list(r.sources or []), dict(r.state or {}))
                    for r in reversed(rows)]

    def conversation(self, session_id: str, turns: int = 3) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """What a session is about (the last answer's active procedure and aspect) and its last turns."""
        stored = self.turns(session_id, limit=turns)
        state = {k: str(v) for k, v in stored[-1].state.items()} if stored else {}
        return state, [(t.question, t.answer) for t in stored]

    def add_feedback(self, session_id: str, turn_id: int | None, rating: str, comment: str) -> int:
        with Session(self.engine) as s, s.begin():
            fb = Feedback(session_id=session_id, turn_id=turn_id, created_at=datetime.now(UTC), rating=rating,
                          comment=redact(comment))
            s.add(fb)
            s.flush()
            return int(fb.id)

    def turn_exists(self, session_id: str, turn_id: int) -> bool:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).where(Turn.id == turn_id, Turn.session_id == session_id)) == 1

    def add_scan(self, commune: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.add(Scan(commune=commune, created_at=datetime.now(UTC)))

    def scan_counts(self) -> dict[str, int]:
        with Session(self.engine) as s:
            rows = s.execute(select(Scan.commune, func.count()).group_by(Scan.commune)).all()
            return {str(c): int(n) for c, n in rows}
