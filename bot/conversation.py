"""One conversation turn, the same for the web chat, the widget, voice and the command line.

`Conversation.turn(session_id, text, commune, channel)` checks the session id and the question at once (so a
bad one fails before anything streams), looks up what the session was about, then yields the answer's
checked pieces as they are ready and, last, the `Reply`: the answer as stored, with its turn id.

With a `Handoff`, a request for a person ("cho tôi gặp cán bộ") is answered before any retrieval with the
session's ticket (`Reply.handoff`), and after the session failed the citizen twice the reply offers one
(`Reply.offer_handoff`); it never opens a ticket unasked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from bot.answers.types import Answer
from bot.assistant import Assistant
from bot.database.conversations import ConversationRepository, new_session_id
from bot.database.events import EventRepository, question_channel
from bot.errors import InputError
from bot.handoff import Handoff, HandoffView, asks_for_person
from bot.knowledge.communes import Locality
from bot.limits import QUESTION_MAX_CHARS, SESSION_ID_RE
from bot.search.language import detect_language

log = logging.getLogger(__name__)

HISTORY_TURNS = 3  # earlier turns a follow-up is read against (and an LLM condenses it with)
Channel = Literal["chat", "voice", "cli"]


@dataclass(frozen=True)
class Reply:
    answer: Answer
    session_id: str
    turn_id: int
    handoff: HandoffView | None = None  # the citizen asked for a person: the ticket
    offer_handoff: bool = False  # the session failed the citizen again: offer a person


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

    def __init__(self, assistant: Callable[[], Assistant], conversations: ConversationRepository,
                 handoff: Handoff | None = None, events: EventRepository | None = None) -> None:
        self._assistant = assistant
        self.conversations = conversations
        self.handoff = handoff
        self.events = events  # one `question` event per turn, for the dashboards

    def turn(self, session_id: str | None, text: str, commune: Locality | None = None, channel: Channel = "chat",
             choice: str | None = None, via: str = "") -> Iterator[str | Reply]:
        """`commune`: where the citizen asks from (the page's QR code, the widget); `choice`: the procedure the
        citizen picked after choices (a tapped chip); `via`: where a typed question was typed ("page", "widget";
        else the API), for the dashboards."""
        started = time.perf_counter()
        session = session_or_new(session_id)
        if self.handoff is not None and not choice and len(text) <= QUESTION_MAX_CHARS and asks_for_person(text):
            reply = self._handoff(session, text, commune, channel)
            self._record(reply, commune, question_channel(channel, via), started)
            return iter([reply])
        state, history = self.conversations.recent(session, HISTORY_TURNS) if session_id else ({}, [])
        pieces = self._assistant().stream(text, state=state, history=history, choice=choice,
                                          locality=commune)  # bad input raises here
        return self._stored(pieces, session, commune.commune.ward_code if commune else "", channel,
                            lambda reply: self._record(reply, commune, question_channel(channel, via), started))

    def _stored(self, pieces: Iterator[str | Answer], session: str, commune: str,
                channel: Channel, record: Callable[[Reply], None] = lambda reply: None) -> Iterator[str | Reply]:
        for piece in pieces:
            if isinstance(piece, Answer):
                turn_id = self.conversations.add(session, commune, piece, channel)
                log.info("answer channel=%s commune=%s in_scope=%s generator=%s sources=%s", channel, commune or "-",
                         piece.in_scope, piece.generator, ",".join(s.procedure_id for s in piece.sources) or "-")
                offer = False
                if self.handoff is not None:
                    self.handoff.citizen_wrote(session)
                    offer = self.handoff.offers(session, turn_id)
                reply = Reply(piece, session, turn_id, offer_handoff=offer)
                record(reply)
                yield reply
                return
            yield piece

    def _handoff(self, session: str, text: str, commune: Locality | None, channel: Channel) -> Reply:
        """The citizen asked for a person: the session's ticket at the commune asked from (a page or the widget
        knows it), with the office's hours; without a commune, where to ask instead."""
        assert self.handoff is not None
        language = detect_language(text)
        view = self.handoff.request(session, commune, language=language) if commune else None
        said = view.message if view else self.handoff.no_commune_message(language)
        answer = Answer(text, said, language, True, [], reason="asked_for_person", kind="handoff")
        turn_id = self.conversations.add(session, commune.commune.ward_code if commune else "", answer, channel)
        if view is not None:
            self.handoff.citizen_wrote(session)  # the clerk's inbox shows the request with this turn
        log.info("handoff asked channel=%s commune=%s", channel, commune.commune.ward_code if commune else "-")
        return Reply(answer, session, turn_id, handoff=view)

    def _record(self, reply: Reply, commune: Locality | None, channel: str, started: float) -> None:
        """The turn's event: channel, kind of answer, the procedure answered and its field, the response time."""
        if self.events is None:
            return
        answer = reply.answer
        procedure = answer.sources[0].procedure_id if answer.kind == "answer" and answer.sources else ""
        item = self._assistant().catalog.items.get(procedure) if procedure else None
        self.events.record("question", commune=commune.commune.ward_code if commune else "",
                           province=commune.commune.province_code if commune else "", channel=channel,
                           kind=answer.kind, procedure_id=procedure, field=getattr(item, "field", "") or "",
                           latency_ms=int((time.perf_counter() - started) * 1000), text=answer.question,
                           session_id=reply.session_id, turn_id=reply.turn_id)

    def ask(self, session_id: str | None, text: str, commune: Locality | None = None, channel: Channel = "chat",
            choice: str | None = None, via: str = "") -> Reply:
        """The whole turn at once: its Reply."""
        return next(x for x in self.turn(session_id, text, commune, channel, choice, via) if isinstance(x, Reply))
