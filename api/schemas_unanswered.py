"""JSON of the unanswered-question loop: groups of unanswered questions, proposals and notes (all redacted)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bot.database.proposals import Note, ProposalRecord
from bot.unanswered import Group


class PhrasingOut(BaseModel):
    text: str = Field(description="The question as stored (redacted)")
    count: int
    last: datetime


class GroupOut(BaseModel):
    key: str = Field(description="The group's id for the actions (`g` + a number)", examples=["g42"])
    count: int = Field(description="Questions in the group")
    first: datetime
    last: datetime
    communes: list[str]
    reasons: dict[str, int] = Field(description="Why they count as unanswered: refusal, choices, down (👎), handoff")
    phrasings: list[PhrasingOut]

    @classmethod
    def of(cls, group: Group) -> GroupOut:
        return cls(key=group.key, count=group.count, first=group.first, last=group.last, communes=group.communes,
                   reasons=group.reasons,
                   phrasings=[PhrasingOut(text=p.text, count=p.count, last=p.last) for p in group.phrasings])


class GroupsOut(BaseModel):
    groups: list[GroupOut]
    questions: int = Field(description="Unanswered questions in all groups")


class ProposalOut(BaseModel):
    id: int
    created_at: datetime
    author: str
    commune: str
    action: str = Field(description="link or out_of_scope")
    procedure_id: str
    phrasings: list[str]
    applied: list[str]
    status: str = Field(description="pending, applied, recorded or rejected")
    decided_by: str
    decided_at: datetime | None
    outcome: str

    @classmethod
    def of(cls, p: ProposalRecord) -> ProposalOut:
        return cls(id=p.id, created_at=p.created_at, author=p.author, commune=p.commune, action=p.action,
                   procedure_id=p.procedure_id, phrasings=p.phrasings, applied=p.applied, status=p.status,
                   decided_by=p.decided_by, decided_at=p.decided_at, outcome=p.outcome)


class NoteOut(BaseModel):
    id: int
    created_at: datetime
    author: str
    commune: str
    text: str
    examples: list[str]

    @classmethod
    def of(cls, n: Note) -> NoteOut:
        return cls(id=n.id, created_at=n.created_at, author=n.author, commune=n.commune, text=n.text,
                   examples=n.examples)


class ProposalsOut(BaseModel):
    proposals: list[ProposalOut]
    notes: list[NoteOut]
