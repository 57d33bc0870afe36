"""The events repository: one row per thing that happened, for the dashboards (`bot.database.analytics`).

Types: `scan` (the page opened from its QR code), `page_open` (opened otherwise: channel `page` or `widget`),
`question` (channel `page`, `widget`, `voice`, `api` or `cli`; the kind of answer, the procedure answered and its
field, the latency), `feedback` (the rating and its comment, with the question's commune, channel and procedure),
`ticket_opened`, `ticket_replied` (the first reply only; latency = time to first reply) and `ticket_closed`.

Text (a question, a comment) is redacted here, whatever the caller passed. `insert` writes inside a caller's
transaction, so that a ticket and its event, or a vote and its event, are committed together.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.database.tables import Event, Turn
from bot.redact import redact

log = logging.getLogger(__name__)

EventType = Literal["scan", "page_open", "question", "feedback", "ticket_opened", "ticket_replied", "ticket_closed"]
EVENT_TYPES: tuple[str, ...] = ("scan", "page_open", "question", "feedback", "ticket_opened", "ticket_replied",
                                "ticket_closed")
QUESTION_CHANNELS: tuple[str, ...] = ("page", "widget", "voice", "api", "cli")
KINDS: tuple[str, ...] = ("answer", "choices", "refusal", "handoff")
VIETNAM = timezone(timedelta(hours=7), "ICT")  # the dashboards count days as the communes live them
TEXT_MAX_CHARS = 2000

events_table = cast(Table, Event.__table__)
_turns = cast(Table, Turn.__table__)


def vietnam_day(when: datetime) -> date:
    return when.astimezone(VIETNAM).date()


def question_channel(channel: str, via: str = "") -> str:
    """The dashboard's channel of a question: voice and the command line as they are; a typed question by where it
    was typed (the commune page, the widget's panel), else the public API."""
    if channel in ("voice", "cli"):
        return channel
    return via if via in ("page", "widget") else "api"


def row(type_: EventType, when: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """An event's values: every column set (the migration has no server defaults), text redacted."""
    when = when or datetime.now(UTC)
    text = fields.pop("text", "") or ""
    values: dict[str, Any] = {"created_at": when, "day": vietnam_day(when), "type": type_, "commune": "",
                              "province": "", "channel": "", "kind": "", "procedure_id": "", "field": "",
                              "latency_ms": None, "rating": "", "text": redact(text)[:TEXT_MAX_CHARS] if text else "",
                              "session_id": "", "turn_id": None, "ticket_id": None}
    unknown = set(fields) - set(values)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    values.update(fields)
    for name, size in (("commune", 8), ("province", 4), ("channel", 8), ("kind", 16), ("procedure_id", 32),
                       ("field", 128), ("rating", 8), ("session_id", 36)):
        values[name] = str(values[name] or "")[:size]
    return values


def insert_event(conn: Connection, type_: EventType, when: datetime | None = None, **fields: Any) -> None:
    """Write one event inside the caller's transaction."""
    conn.execute(insert(events_table).values(**row(type_, when, **fields)))


def insert_feedback(conn: Connection, session_id: str, turn_id: int, rating: str, comment: str,
                    when: datetime | None = None) -> None:
    """A vote's event, with the commune, province, channel, kind and procedure of the question it rates (from that
    question's event; for a turn stored before events existed, the turn's commune only)."""
    asked = conn.execute(select(events_table).where(
        events_table.c.turn_id == turn_id, events_table.c.type == "question",
        events_table.c.session_id == session_id).limit(1)).mappings().first()
    if asked is not None:
        copied = {k: asked[k] for k in ("commune", "province", "channel", "kind", "procedure_id", "field")}
    else:
        commune = conn.execute(select(_turns.c.commune).where(_turns.c.id == turn_id)).scalar()
        copied = {"commune": str(commune or "")}
    insert_event(conn, "feedback", when, rating=rating, text=comment, session_id=session_id, turn_id=turn_id,
                 **copied)


def forget_text(conn: Connection, session_id: str) -> int:
    """Blank the text of a session's events (its questions and comments) in the caller's transaction: the citizen
    deleted the conversation; the counts stay, anonymous."""
    return int(conn.execute(update(events_table).where(events_table.c.session_id == session_id,
                                                       events_table.c.text != "")
                            .values(text="")).rowcount)


def purge_text(conn: Connection, before: datetime) -> int:
    """Blank the text and the session of events older than `before` (the retention period); the counts stay."""
    return int(conn.execute(update(events_table).where(events_table.c.created_at < before,
                                                       (events_table.c.text != "") | (events_table.c.session_id != ""))
                            .values(text="", session_id="")).rowcount)


class EventRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, type_: EventType, when: datetime | None = None, **fields: Any) -> None:
        """One event in its own transaction (a QR scan, a page opened, a question)."""
        with self.engine.begin() as conn:
            insert_event(conn, type_, when, **fields)

    def record(self, type_: EventType, when: datetime | None = None, **fields: Any) -> None:
        """`add`, for what must never fail the citizen's request (a question already answered, a page): a
        database error is logged, not raised."""
        try:
            self.add(type_, when, **fields)
        except SQLAlchemyError as exc:
            log.warning("event %s not recorded (%s)", type_, type(exc).__name__)

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Many events at once, as built by `row` (the benchmark's seed, imports)."""
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(events_table), rows)

    def of_session(self, session_id: str) -> list[dict[str, Any]]:
        """A session's events, oldest first (for tests and support)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(events_table).where(events_table.c.session_id == session_id)
                                .order_by(events_table.c.id)).mappings().all()
        return [dict(r) for r in rows]
