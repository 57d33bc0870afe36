"""Which chat sessions this browser may continue: the owner key in an HttpOnly cookie (`tthc_chat`), checked
against the session (`bot.database.chat_sessions`). A session id on its own, seen in a log or a link, continues
nothing: the chat starts a new session, and the session's other routes answer 404 as for an unknown id.

The cookie is set on the first answer. It is sent only to /api/; in production it is `Secure; SameSite=None;
Partitioned`, so that the widget's iframe on a commune's own site keeps its session (browsers that refuse
third-party cookies altogether start a new session on each question there).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from bot.database.chat_sessions import ChatSessionRepository, new_owner_key
from bot.database.conversations import new_session_id
from bot.settings import Settings

CHAT_COOKIE = "tthc_chat"


@dataclass
class ChatOwner:
    key: str
    fresh: bool  # the key was made for this request: the response sets the cookie
    sessions: ChatSessionRepository

    def session(self, session_id: str | None) -> str:
        """The session to continue: the one given when this browser owns it (or may take it: unused), otherwise a
        new one owned by this browser."""
        if session_id and self.owns(session_id):
            return session_id
        if session_id and self.sessions.claim(session_id, self.key):
            return session_id
        while not self.sessions.claim(fresh := new_session_id(), self.key):
            pass
        return fresh

    def owns(self, session_id: str) -> bool:
        return not self.fresh and self.sessions.owns(session_id, self.key)

    def existing(self, session_id: str) -> bool:
        """For the routes that need a session to exist already (a ticket, feedback, deleting): owned, or unused
        and now taken by this browser."""
        return self.owns(session_id) or self.sessions.claim(session_id, self.key)

    def set_cookie(self, response: Response, settings: Settings) -> None:
        if not self.fresh:
            return
        # written by hand: the standard library knows `Partitioned` only from Python 3.14
        cross_site = "; Secure; SameSite=None; Partitioned" if settings.env == "production" else "; SameSite=Lax"
        response.headers.append("set-cookie", f"{CHAT_COOKIE}={self.key}; Max-Age={settings.retention_days * 86400}; "
                                f"Path=/api; HttpOnly{cross_site}")


def chat_owner(cookie: str, sessions: ChatSessionRepository) -> ChatOwner:
    if cookie and 20 <= len(cookie) <= 64 and cookie.replace("-", "").replace("_", "").isalnum():
        return ChatOwner(cookie, False, sessions)
    return ChatOwner(new_owner_key(), True, sessions)
