"""Chat sessions bound to the browser that started them.

A session id travels in request bodies, query strings and logs, so it must not be enough to continue a session
(and read its topic or a clerk's reply). The browser holds an owner key in an HttpOnly cookie; a session is
continued only with the key that started it. Only the key's SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.database.tables import ChatSession, Ticket, Turn

KEY_MAX_CHARS = 64


def new_owner_key() -> str:
    return secrets.token_urlsafe(32)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ChatSessionRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, session_id: str, owner_key: str) -> bool:
        """Bind a session that nobody owns and that has no turns or tickets yet (a new id, or one the client chose)
        to the owner; False otherwise. A session stored before sessions had owners is never claimed."""
        with self.engine.connect() as conn:
            used = conn.execute(select(Turn.id).where(Turn.session_id == session_id).limit(1)).first() or \
                conn.execute(select(Ticket.id).where(Ticket.session_id == session_id).limit(1)).first()
        if used:
            return False
        try:
            with self.engine.begin() as conn:
                conn.execute(ChatSession.__table__.insert().values(  # type: ignore[attr-defined]
                    id=session_id, owner_hash=_digest(owner_key), created_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        return True

    def owns(self, session_id: str, owner_key: str) -> bool:
        if not owner_key or len(owner_key) > KEY_MAX_CHARS:
            return False
        with self.engine.connect() as conn:
            stored = conn.execute(select(ChatSession.owner_hash).where(ChatSession.id == session_id)).scalar()
        return stored is not None and hmac.compare_digest(stored, _digest(owner_key))

    def forget(self, session_id: str) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(delete(ChatSession).where(ChatSession.id == session_id)).rowcount or 0)
