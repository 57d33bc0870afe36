"""How long citizens' data is kept (`TTHC_RETENTION_DAYS`, `tthc purge`) and forgetting a conversation on request
("Xóa cuộc trò chuyện"). Counts only are returned and logged; never what was deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Delete, delete, select
from sqlalchemy.engine import Connection, Engine

from bot.database.events import forget_text, purge_text
from bot.database.tables import Feedback, Ticket, TicketContact, TicketMessage, Turn


def _deleted(conn: Connection, statement: Delete) -> int:
    return conn.execute(statement).rowcount


class Retention:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def forget_session(self, session_id: str) -> dict[str, int]:
        """Delete a session's questions, answers and feedback, and the contact of its tickets. The tickets stay
        (a clerk may be answering the code at the counter) with an empty transcript."""
        with self.engine.begin() as conn:
            tickets = select(Ticket.id).where(Ticket.session_id == session_id)
            forget_text(conn, session_id)  # the dashboards keep the session's counts, not its words
            return {
                "turns": _deleted(conn, delete(Turn).where(Turn.session_id == session_id)),
                "feedback": _deleted(conn, delete(Feedback).where(Feedback.session_id == session_id)),
                "contacts": _deleted(conn, delete(TicketContact).where(TicketContact.ticket_id.in_(tickets))),
            }

    def purge(self, before: datetime) -> dict[str, int]:
        """Delete what is older than `before`: turns, feedback, ticket contacts, and closed tickets (with their
        replies) last touched before it. Open tickets are kept, but their contacts go with the rest."""
        with self.engine.begin() as conn:
            closed = select(Ticket.id).where(Ticket.status == "closed", Ticket.updated_at < before)
            counts = {
                "turns": _deleted(conn, delete(Turn).where(Turn.created_at < before)),
                "feedback": _deleted(conn, delete(Feedback).where(Feedback.created_at < before)),
                "contacts": _deleted(conn, delete(TicketContact).where(
                    (TicketContact.created_at < before) | TicketContact.ticket_id.in_(closed))),
                "replies": _deleted(conn, delete(TicketMessage).where(TicketMessage.ticket_id.in_(closed))),
            }
            counts["tickets"] = _deleted(conn, delete(Ticket).where(Ticket.id.in_(closed)))
            counts["event texts"] = purge_text(conn, before)  # the dashboards keep the counts
            return counts
