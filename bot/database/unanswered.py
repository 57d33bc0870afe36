"""The questions the bot did not answer well, from the stored turns (already redacted): a refusal for lack of a
match (or one caught as out of scope), choices instead of an answer, an answer rated 👎, and the question a
citizen asked just before asking for a person. Refusals on purpose (instructions overridden, forgery, bribery,
another task, emergencies, scams) are the bot working, not gaps of the knowledge base, and are left out; so are
questions already decided on (`handled_turns`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

from sqlalchemy import Select, Table, and_, or_, select
from sqlalchemy.engine import Engine

from bot.database.tables import Feedback, HandledTurn, Turn

Why = Literal["refusal", "choices", "down", "handoff"]
# refusals that are the bot's policy, not a missing answer
# refusals on purpose, and questions like an out-of-scope example (a decision already taken)
DELIBERATE = ("injection", "forgery", "bribery", "other_task", "emergency", "scam", "complaint",
              "out_of_scope_example")

_turns = cast(Table, Turn.__table__)
_feedback = cast(Table, Feedback.__table__)
_handled = cast(Table, HandledTurn.__table__)


@dataclass(frozen=True)
class Reach:
    """The communes whose questions an account sees; None: all of them (an admin), questions without a commune
    included."""

    communes: frozenset[str] | None

    def where(self, query: Select) -> Select:  # type: ignore[type-arg]
        if self.communes is None:
            return query
        return query.where(_turns.c.commune.in_(sorted(self.communes) or ["-"]))

    def allows(self, commune: str) -> bool:
        return self.communes is None or commune in self.communes


@dataclass(frozen=True)
class Unanswered:
    turn_id: int
    question: str
    commune: str
    created_at: datetime
    why: Why


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


class UnansweredRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def recent(self, reach: Reach, since: datetime, limit: int = 2000) -> list[Unanswered]:
        """The `limit` newest unanswered questions in reach since `since`, newest first, one per turn."""
        t = _turns.c
        rated_down = select(_feedback.c.turn_id).where(_feedback.c.rating == "down",
                                                       _feedback.c.session_id == t.session_id)
        failed = or_(and_(t.kind == "refusal", t.reason.not_in(DELIBERATE)), t.kind == "choices",
                     t.id.in_(rated_down.scalar_subquery()))
        columns = (t.id, t.question, t.commune, t.created_at, t.kind, t.session_id)
        open_only = t.id.not_in(select(_handled.c.turn_id).scalar_subquery())
        query = reach.where(select(*columns).where(failed, t.created_at >= since, open_only))
        handoffs = reach.where(select(t.id, t.session_id).where(t.kind == "handoff", t.created_at >= since))
        found: dict[int, Unanswered] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(t.id.desc()).limit(limit)).mappings():
                why: Why = "refusal" if row["kind"] == "refusal" else "choices" if row["kind"] == "choices" else "down"
                found[int(row["id"])] = Unanswered(int(row["id"]), str(row["question"]), str(row["commune"]),
                                                   _utc(row["created_at"]), why)
            # a request for a person: the question just before it in the session is the one left unanswered
            for handoff in conn.execute(handoffs.order_by(t.id.desc()).limit(limit)).mappings():
                before = conn.execute(
                    select(*columns).where(t.session_id == handoff["session_id"], t.id < handoff["id"],
                                           t.kind != "handoff", open_only).order_by(t.id.desc()).limit(1)
                ).mappings().first()
                if before is not None and int(before["id"]) not in found and reach.allows(str(before["commune"])):
                    found[int(before["id"])] = Unanswered(int(before["id"]), str(before["question"]),
                                                          str(before["commune"]), _utc(before["created_at"]),
                                                          "handoff")
        return sorted(found.values(), key=lambda u: -u.turn_id)[:limit]
