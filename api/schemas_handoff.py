"""Request and response models of the handoff to a person: the citizen's side (/api/handoff, /api/sessions) and
the clerk's inbox (/api/clerk/tickets), beside `api.schemas`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.database.tickets import Contact, Entry, Message, Status, Summary, Ticket
from bot.handoff import CONSENT, CONTACT_MAX_CHARS, REPLY_MAX_CHARS, HandoffView
from bot.limits import COMMUNE_CODE_MAX_CHARS, SESSION_ID_PATTERN

CODE_FIELD = Field(description="The ticket's code, as said at the counter", examples=["HV-4821"])


class HandoffRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str = Field(description="The chat session (32 hex characters) whose conversation the clerk reads",
                            pattern=SESSION_ID_PATTERN)
    commune: str = Field(description="5-digit ward code of the commune", max_length=COMMUNE_CODE_MAX_CHARS)
    contact: str | None = Field(None, max_length=CONTACT_MAX_CHARS,
                                description="A phone number or e-mail to be answered on; only with `consent`")
    consent: bool = Field(False, description=f"The citizen ticked: «{CONSENT}»")
    lang: Literal["vi", "en", "de"] | None = Field(None, description="The language of `message`; default vi")


class HoursOut(BaseModel):
    weekdays: str = Field(description="Monday to Friday, e.g. '07:30-11:30, 13:30-17:00'; empty if not published")
    saturday: str = Field(description="Saturday; empty if not published")
    text: str = Field(description="The hours as the commune shows them")


class HandoffResponse(BaseModel):
    code: str = CODE_FIELD
    status: Status
    commune: str = Field(description="The ward code")
    commune_name: str
    on_duty: bool | None = Field(description="Whether the office is open now, by its published hours; null when "
                                 "it published none")
    hours: HoursOut | None = Field(description="The published hours; null when none")
    message: str = Field(description="What to tell the citizen: the code, and when a clerk will reply")
    contact_saved: bool = Field(False, description="A contact is kept for this ticket (never shown back)")

    @classmethod
    def of(cls, view: HandoffView) -> HandoffResponse:
        hours = HoursOut(weekdays=view.hours.weekdays, saturday=view.hours.saturday,
                         text=view.hours.text) if view.hours else None
        return cls(code=view.code, status=view.status, commune=view.commune, commune_name=view.commune_name,
                   on_duty=view.on_duty, hours=hours, message=view.message, contact_saved=view.contact_saved)


class ReplyOut(BaseModel):
    id: int = Field(description="Increasing: ask for replies `after` the last one seen")
    code: str = CODE_FIELD
    text: str = Field(description="Plain text: show it as text, never as HTML")
    created_at: datetime

    @classmethod
    def of(cls, message: Message) -> ReplyOut:
        return cls(id=message.id, code=message.code, text=message.text, created_at=message.created_at)


class TicketState(BaseModel):
    code: str = CODE_FIELD
    status: Status


class SessionMessages(BaseModel):
    tickets: list[TicketState] = Field(description="The session's tickets")
    messages: list[ReplyOut] = Field(description="Clerks' replies after `after`, oldest first")


# the clerk's inbox

class TicketSummaryOut(BaseModel):
    code: str = CODE_FIELD
    status: Status
    commune: str
    commune_name: str
    created_at: datetime
    updated_at: datetime
    question: str = Field(description="The session's first question (redacted)")
    replies: int

    @classmethod
    def of(cls, summary: Summary, commune_name: str) -> TicketSummaryOut:
        t = summary.ticket
        return cls(code=t.code, status=t.status, commune=t.commune, commune_name=commune_name,
                   created_at=t.created_at, updated_at=t.updated_at, question=summary.question,
                   replies=summary.replies)


class TicketList(BaseModel):
    tickets: list[TicketSummaryOut]


class EntryOut(BaseModel):
    who: Literal["citizen", "bot", "clerk"]
    text: str = Field(description="As stored: the citizen's words redacted; plain text")
    created_at: datetime
    author: str = Field("", description="The clerk's user name, on a reply")

    @classmethod
    def of(cls, entry: Entry) -> EntryOut:
        return cls(who=entry.who, text=entry.text, created_at=entry.created_at, author=entry.author)


class ContactOut(BaseModel):
    kind: Literal["phone", "email"]
    value: str
    consent: str = Field(description="The consent the citizen gave, word for word")
    created_at: datetime

    @classmethod
    def of(cls, contact: Contact) -> ContactOut:
        return cls(kind=contact.kind, value=contact.value, consent=contact.consent, created_at=contact.created_at)


class TicketDetail(BaseModel):
    code: str = CODE_FIELD
    status: Status
    commune: str
    commune_name: str
    created_at: datetime
    updated_at: datetime
    transcript: list[EntryOut]
    contact: ContactOut | None = Field(description="Given by the citizen with consent, to answer this ticket only; "
                                       "deleted when the ticket closes")

    @classmethod
    def of(cls, ticket: Ticket, commune_name: str, transcript: list[Entry], contact: Contact | None) -> TicketDetail:
        return cls(code=ticket.code, status=ticket.status, commune=ticket.commune, commune_name=commune_name,
                   created_at=ticket.created_at, updated_at=ticket.updated_at,
                   transcript=[EntryOut.of(e) for e in transcript],
                   contact=ContactOut.of(contact) if contact else None)


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=REPLY_MAX_CHARS, description="Plain text, shown to the citizen as is")
