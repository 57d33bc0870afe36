"""The tickets repository: a citizen's request to reach a person, the clerks' replies, and the contact the
citizen chose to leave (kept in its own table; closing the ticket deletes it).

A ticket's transcript is its session's turns (stored redacted) with the replies in between, by time. Which
tickets a clerk sees is a `TicketScope`: one commune, one province, or all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, cast

from sqlalchemy import Select, Table, delete, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.database.events import insert_event
from bot.database.tables import Ticket as TicketRow
from bot.database.tables import TicketContact as ContactRow
from bot.database.tables import TicketMessage as MessageRow
from bot.database.tables import Turn as TurnRow

Status = Literal["open", "answered", "closed"]
STATUSES: tuple[Status, ...] = ("open", "answered", "closed")
TRANSCRIPT_TURNS = 50

_tickets = cast(Table, TicketRow.__table__)
_messages = cast(Table, MessageRow.__table__)
_contacts = cast(Table, ContactRow.__table__)
_turns = cast(Table, TurnRow.__table__)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


@dataclass(frozen=True)
class Ticket:
    id: int
    code: str
    session_id: str
    commune: str
    province: str
    status: Status
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: RowMapping) -> Ticket:
        return cls(id=int(row["id"]), code=str(row["code"]), session_id=str(row["session_id"]),
                   commune=str(row["commune"]), province=str(row["province"]), status=cast(Status, row["status"]),
                   created_at=_utc(row["created_at"]), updated_at=_utc(row["updated_at"]))


@dataclass(frozen=True)
class Message:
    """A clerk's reply; `code`: its ticket's."""

    id: int
    code: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Contact:
    kind: Literal["phone", "email"]
    value: str
    consent: str
    created_at: datetime


@dataclass(frozen=True)
class Entry:
    """One line of a transcript: the citizen's question, the bot's answer, or a clerk's reply."""

    who: Literal["citizen", "bot", "clerk"]
    text: str
    created_at: datetime
    author: str = ""


@dataclass(frozen=True)
class TicketScope:
    """What a signed-in account sees: one commune, one province, or (`everything`) all."""

    commune: str = ""
    province: str = ""
    everything: bool = False

    def allows(self, ticket: Ticket) -> bool:
        if self.everything:
            return True
        if self.province:
            return ticket.province == self.province
        return bool(self.commune) and ticket.commune == self.commune

    def where(self, query: Select) -> Select:  # type: ignore[type-arg]
        if self.everything:
            return query
        if self.province:
            return query.where(_tickets.c.province == self.province)
        return query.where(_tickets.c.commune == (self.commune or "-"))


@dataclass(frozen=True)
class Summary:
    """A ticket in a list: with the session's first question and how many replies it has."""

    ticket: Ticket
    question: str
    replies: int


class TicketRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # tickets

    def open_for(self, session_id: str, commune: str, province: str, codes: Iterable[str]) -> tuple[Ticket, bool]:
        """The session's ticket at this commune that is not closed (set back to open if it was answered), or a new
        one with the first of `codes` that no ticket has yet; and whether it is new."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(_tickets).where(
                _tickets.c.session_id == session_id, _tickets.c.commune == commune, _tickets.c.status != "closed",
            ).order_by(_tickets.c.id.desc())).mappings().first()
            if row is not None:
                if row["status"] != "open":
                    conn.execute(update(_tickets).where(_tickets.c.id == row["id"]).values(status="open",
                                                                                           updated_at=now))
                return self._by_id(conn, int(row["id"])), False
        for code in codes:
            try:
                with self.engine.begin() as conn:
                    result = conn.execute(insert(_tickets).values(code=code, session_id=session_id, commune=commune,
                                                                  province=province, status="open", created_at=now,
                                                                  updated_at=now))
                    insert_event(conn, "ticket_opened", now, commune=commune, province=province,
                                 ticket_id=int(result.inserted_primary_key[0]))  # type: ignore[index]
            except IntegrityError:
                continue  # the code is taken (another worker, the same moment): the next one
            ticket = self.get(code)
            assert ticket is not None
            return ticket, True
        raise RuntimeError("no free ticket code")

    def _by_id(self, conn: Connection, ticket_id: int) -> Ticket:
        return Ticket.of(conn.execute(select(_tickets).where(_tickets.c.id == ticket_id)).mappings().one())

    def get(self, code: str) -> Ticket | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_tickets).where(_tickets.c.code == code)).mappings().first()
        return Ticket.of(row) if row else None

    def taken(self, code: str) -> bool:
        return self.get(code) is not None

    def of_session(self, session_id: str) -> list[Ticket]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(_tickets).where(_tickets.c.session_id == session_id)
                                .order_by(_tickets.c.id)).mappings().all()
        return [Ticket.of(r) for r in rows]

    def touch_session(self, session_id: str) -> int:
        """The citizen wrote again: the session's tickets that are not closed change (a clerk's inbox sees it)."""
        with self.engine.begin() as conn:
            result = conn.execute(update(_tickets).where(_tickets.c.session_id == session_id,
                                                         _tickets.c.status != "closed")
                                  .values(updated_at=datetime.now(UTC)))
            return int(result.rowcount)

    def search(self, scope: TicketScope, status: Status | None = None, q: str = "", limit: int = 100) -> list[Summary]:
        """Newest change first. `q`: a code (HV-4821, hv4821 or a part of it) or words of the transcript."""
        query = scope.where(select(_tickets))
        if status:
            query = query.where(_tickets.c.status == status)
        needle = q.strip().lower()
        if needle:
            like = f"%{_escape(needle)}%"
            code_like = f"%{_escape(needle.replace('-', '').replace(' ', '').upper())}%"
            query = query.where(or_(
                func.replace(_tickets.c.code, "-", "").like(code_like, escape="\\"),
                exists().where(_turns.c.session_id == _tickets.c.session_id,
                               or_(func.lower(_turns.c.question).like(like, escape="\\"),
                                   func.lower(_turns.c.answer).like(like, escape="\\"))),
                exists().where(_messages.c.ticket_id == _tickets.c.id,
                               func.lower(_messages.c.text).like(like, escape="\\")),
            ))
        query = query.order_by(_tickets.c.updated_at.desc(), _tickets.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            tickets = [Ticket.of(r) for r in conn.execute(query).mappings().all()]
            sessions = {t.session_id for t in tickets}
            first: dict[str, str] = {}
            if sessions:
                firsts = select(_turns.c.session_id, func.min(_turns.c.id).label("id")).where(
                    _turns.c.session_id.in_(sessions)).group_by(_turns.c.session_id).subquery()
                for session, question in conn.execute(select(_turns.c.session_id, _turns.c.question)
                                                      .join(firsts, _turns.c.id == firsts.c.id)).all():
                    first[str(session)] = str(question)
            counts: dict[int, int] = {}
            if tickets:
                counts = {int(i): int(n) for i, n in conn.execute(
                    select(_messages.c.ticket_id, func.count()).where(
                        _messages.c.ticket_id.in_([t.id for t in tickets])).group_by(_messages.c.ticket_id)).all()}
        return [Summary(t, first.get(t.session_id, ""), counts.get(t.id, 0)) for t in tickets]

    def version(self, scope: TicketScope) -> str:
        """Changes whenever a ticket the scope sees is opened, answered, closed or written to."""
        with self.engine.connect() as conn:
            count, last = conn.execute(scope.where(
                select(func.count(), func.max(_tickets.c.updated_at)).select_from(_tickets))).one()
        return f"{count}:{_utc(last).isoformat() if last else '-'}"

    # replies

    def reply(self, ticket: Ticket, author: str, text: str) -> Message:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            first = not conn.execute(select(exists().where(_messages.c.ticket_id == ticket.id))).scalar()
            result = conn.execute(insert(_messages).values(ticket_id=ticket.id, author=author[:64], text=text,
                                                           created_at=now))
            if first:  # the dashboards' time to first reply
                insert_event(conn, "ticket_replied", now, commune=ticket.commune, province=ticket.province,
                             ticket_id=ticket.id, latency_ms=_ms(now - ticket.created_at))
            status = "answered" if ticket.status == "open" else ticket.status
            conn.execute(update(_tickets).where(_tickets.c.id == ticket.id).values(status=status, updated_at=now))
            message_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return Message(message_id, ticket.code, author[:64], text, now)

    def close(self, ticket: Ticket) -> None:
        """Closed; the citizen's contact is deleted with it (it was given to answer this question only)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            closed = conn.execute(update(_tickets).where(_tickets.c.id == ticket.id, _tickets.c.status != "closed")
                                  .values(status="closed", updated_at=now)).rowcount
            if closed:
                insert_event(conn, "ticket_closed", now, commune=ticket.commune, province=ticket.province,
                             ticket_id=ticket.id, latency_ms=_ms(now - ticket.created_at))
            conn.execute(delete(_contacts).where(_contacts.c.ticket_id == ticket.id))

    def messages(self, tickets: list[Ticket], after: int = 0) -> list[Message]:
        """The replies on these tickets with an id above `after`, oldest first."""
        if not tickets:
            return []
        codes = {t.id: t.code for t in tickets}
        with self.engine.connect() as conn:
            rows = conn.execute(select(_messages).where(_messages.c.ticket_id.in_(codes), _messages.c.id > after)
                                .order_by(_messages.c.id)).mappings().all()
        return [Message(int(r["id"]), codes[int(r["ticket_id"])], str(r["author"]), str(r["text"]),
                        _utc(r["created_at"])) for r in rows]

    def transcript(self, ticket: Ticket, limit: int = TRANSCRIPT_TURNS) -> list[Entry]:
        """The session's last `limit` turns (as stored: redacted) and the clerks' replies, by time."""
        with self.engine.connect() as conn:
            turns = conn.execute(select(_turns.c.question, _turns.c.answer, _turns.c.created_at).where(
                _turns.c.session_id == ticket.session_id).order_by(_turns.c.id.desc()).limit(limit)).all()
        entries: list[Entry] = []
        for question, answer, created in reversed(turns):
            entries += [Entry("citizen", str(question), _utc(created)), Entry("bot", str(answer), _utc(created))]
        entries += [Entry("clerk", m.text, m.created_at, m.author) for m in self.messages([ticket])]
        return sorted(entries, key=lambda e: e.created_at)  # stable: a question stays before its answer

    # contacts

    def set_contact(self, ticket: Ticket, kind: Literal["phone", "email"], value: str, consent: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_contacts).where(_contacts.c.ticket_id == ticket.id))
            conn.execute(insert(_contacts).values(ticket_id=ticket.id, kind=kind, value=value, consent=consent,
                                                  created_at=datetime.now(UTC)))

    def contact(self, ticket: Ticket) -> Contact | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_contacts).where(_contacts.c.ticket_id == ticket.id)).mappings().first()
        if row is None:
            return None
        return Contact(cast(Literal["phone", "email"], row["kind"]), str(row["value"]), str(row["consent"]),
                       _utc(row["created_at"]))

    def purge_contacts(self, before: datetime) -> int:
        """Delete the contacts given before `before` (closing a ticket already deletes its own); how many."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_contacts).where(_contacts.c.created_at < before)).rowcount)


def _ms(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() * 1000))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
