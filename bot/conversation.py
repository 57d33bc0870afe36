"""One conversation turn, the same for the web chat, the widget, voice, the command line and (soon) handoff.

`Conversation.turn(session_id, text, commune, channel)` checks the session id and the question at once (so a
bad one fails before anything streams), looks up what the session was about, then yields the answer's
checked pieces as they are ready and, last, the `Reply`: the answer as stored, with its turn id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from bot.answers.types import Answer
from bot.assistant import Assistant
from bot.database.conversations import ConversationRepository, new_session_id
from bot.errors import InputError
from bot.knowledge.communes import Locality
from bot.limits import SESSION_ID_RE

log = logging.getLogger(__name__)

HISTORY_TURNS = 3  # earlier turns a follow-up is read against (and an LLM condenses it with)
Channel = Literal["chat", "voice", "cli"]


@dataclass(frozen=True)
class Reply:
    answer: Answer
    session_id: str
    turn_id: int


def check_session_id(value: str | None) -> str | None:
    """The session id as given ("" and None: no session yet), or an InputError when it is malformed."""
    if value and not SESSION_ID_RE.match(value):
        raise InputError("session_id must be 32 hexadecimal characters, as returned by /api/chat.",
                         "Mã phiên trò chuyện không hợp lệ. Hãy tải lại trang để bắt đầu phiên mới.")
    return value or None


def session_or_new(value: str | None) -> str:
    """The session id given, checked, or a new one when none was given."""
    return check_session_id(value) or new_session_id()


class Conversation:
    """`assistant` is called on every turn, so that a reloaded catalog is used from the next question on."""

    def __init__(self, assistant: Callable[[], Assistant], conversations: ConversationRepository) -> None:
        self._assistant = assistant
        self.conversations = conversations

    def turn(self, session_id: str | None, text: str, commune: Locality | None = None, channel: Channel = "chat",
             choice: str | None = None) -> Iterator[str | Reply]:
        """`commune`: where the citizen asks from (the page's QR code, the widget); `choice`: the procedure the
        citizen picked after choices (a tapped chip)."""
        session = session_or_new(session_id)
        state, history = self.conversations.recent(session, HISTORY_TURNS) if session_id else ({}, [])
        pieces = self._assistant().stream(text, state=state, history=history, choice=choice,
                                          locality=commune)  # bad input raises here
        return self._stored(pieces, session, commune.commune.ward_code if commune else "", channel)

    def _stored(self, pieces: Iterator[str | Answer], session: str, commune: str,
                channel: Channel) -> Iterator[str | Reply]:
        for piece in pieces:
            if isinstance(piece, Answer):
                turn_id = self.conversations.add(session, commune, piece, channel)
                log.info("answer channel=%s commune=%s in_scope=%s generator=%s sources=%s", channel, commune or "-",
                         piece.in_scope, piece.generator, ",".join(s.procedure_id for s in piece.sources) or "-")
                yield Reply(piece, session, turn_id)
                return
            yield piece

    def ask(self, session_id: str | None, text: str, commune: Locality | None = None, channel: Channel = "chat",
            choice: str | None = None) -> Reply:
        """The whole turn at once: its Reply."""
        return next(x for x in self.turn(session_id, text, commune, channel, choice) if isinstance(x, Reply))
