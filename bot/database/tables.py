"""The tables. A change here goes with a new migration in `migrations/versions/` (see README)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
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
