"""The tables. A change here goes with a new migration in `migrations/versions/` (see README)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Turn(Base):
    """One question and the answer shown, redacted."""

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
    channel: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # what the answer was (answer, choices, refusal, handoff) and why: the handoff offer counts failed tries
    kind: Mapped[str] = mapped_column(String(16), default="", server_default="")
    reason: Mapped[str] = mapped_column(String(32), default="", server_default="")


class Feedback(Base):
    """One vote per answer (unique per session and turn, migration 0005), with an optional redacted comment."""

    __tablename__ = "feedback"
    __table_args__ = (Index("uq_feedback_turn", "session_id", "turn_id", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")


class Scan(Base):
    """A visit to a commune page from its QR code."""

    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    commune: Mapped[str] = mapped_column(String(8), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Account(Base):
    """A clerk's sign-in (`tthc clerk add`): role clerk (one commune), province (its communes) or admin (all)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, with its parameters and salt
    role: Mapped[str] = mapped_column(String(16))
    commune: Mapped[str] = mapped_column(String(8), default="")
    province: Mapped[str] = mapped_column(String(4), default="")
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClerkSession(Base):
    """A browser's session on the clerk pages: only the token's SHA-256 is kept. `account_id` is empty before
    sign-in (the login form's own CSRF token); signing in always starts a new row."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True,
                                                   index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    address: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(Base):
    """Who did what to which target, and a detail without personal data (field names, never their values)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    who: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Ticket(Base):
    """A citizen's request to reach a person (`bot.handoff`): a short code read aloud at the counter, the session
    whose (redacted) turns are its transcript, and where it stands: open, answered or closed."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    commune: Mapped[str] = mapped_column(String(8), index=True)
    province: Mapped[str] = mapped_column(String(4), index=True)
    status: Mapped[str] = mapped_column(String(8), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class TicketMessage(Base):
    """A clerk's reply on a ticket (text only); `author` is the clerk's user name."""

    __tablename__ = "ticket_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TicketContact(Base):
    """The phone number or e-mail a citizen gave, with consent, to be answered on one ticket. Kept apart from the
    ticket so that closing it (or a purge) deletes it; never logged, never in the transcript."""

    __tablename__ = "ticket_contacts"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(254))
    consent: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Event(Base):
    """One thing that happened, for the dashboards (`bot.database.events`, migration 0006): a QR scan, a page
    opened, a question (its channel, the kind of answer, the procedure and its field, the latency), a vote with
    its comment, a ticket opened, first replied to or closed. `day` is the date in Vietnam, for the per-day
    counts; `text` is redacted (a question, a comment), never personal data. Indexed for the dashboard queries:
    one commune or one province, one type, a range of days."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_commune_type_day", "commune", "type", "day"),
                      Index("ix_events_province_type_day", "province", "type", "day"),
                      Index("ix_events_type_day", "type", "day"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    day: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(16))
    commune: Mapped[str] = mapped_column(String(8), default="")
    province: Mapped[str] = mapped_column(String(4), default="")
    channel: Mapped[str] = mapped_column(String(8), default="")
    kind: Mapped[str] = mapped_column(String(16), default="")
    procedure_id: Mapped[str] = mapped_column(String(32), default="")
    field: Mapped[str] = mapped_column(String(128), default="")
    latency_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating: Mapped[str] = mapped_column(String(8), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    turn_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RateCount(Base):
    """Hits of one rate limiter (`bucket`) for one subject (a client address) in one time slot (the window's
    number since the epoch): shared by every worker, so N workers allow the limit once, not N times."""

    __tablename__ = "rate_counts"
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, index=True)
    hits: Mapped[int] = mapped_column(Integer)


class ChatSession(Base):
    """A citizen's chat session and the browser that owns it: only the SHA-256 of the owner's cookie key is kept.
    A session id alone (seen in a log or a link) continues nothing."""

    __tablename__ = "chat_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Proposal(Base):
    """A clerk's decision on a group of unanswered questions (`bot.unanswered`, migration 0007): link its phrasings
    to a procedure (`action` link, `procedure_id`) or mark it out of scope. A commune clerk's proposal waits
    (`pending`) for a province or admin account; then it is `applied` (a link, written to the knowledge file),
    `recorded` (out of scope) or `rejected`. `phrasings` are the group's redacted questions; `applied` those that
    reached the knowledge file; `outcome` says what happened, without personal data."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    commune: Mapped[str] = mapped_column(String(8), default="", index=True)
    province: Mapped[str] = mapped_column(String(4), default="", index=True)
    action: Mapped[str] = mapped_column(String(16))
    procedure_id: Mapped[str] = mapped_column(String(40), default="")
    phrasings: Mapped[Any] = mapped_column(JSON)
    applied: Mapped[Any] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), index=True)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")


class HandledTurn(Base):
    """An unanswered question already decided on (a proposal waits or was carried out): left out of the groups.
    A rejected proposal frees its questions again."""

    __tablename__ = "handled_turns"
    turn_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)


class KnowledgeNote(Base):
    """A clerk's note on a group of unanswered questions for the people who keep the knowledge base (redacted text,
    with a few of the group's redacted questions as `examples`)."""

    __tablename__ = "knowledge_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    author: Mapped[str] = mapped_column(String(64))
    commune: Mapped[str] = mapped_column(String(8), default="", index=True)
    province: Mapped[str] = mapped_column(String(4), default="", index=True)
    text: Mapped[str] = mapped_column(Text)
    examples: Mapped[Any] = mapped_column(JSON)
