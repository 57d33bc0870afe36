"""Proposals on groups of unanswered questions, their approval, and notes for the people who keep the knowledge
base (issue 14). A commune clerk's proposal waits for a province or admin account; the questions it covers are
left out of the groups while it waits and after it was carried out, and come back if it is rejected.

Who sees what: a clerk its commune's proposals and notes, a province account those of its province, an admin all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import Select, Table, delete, insert, select, update
from sqlalchemy.engine import Engine, RowMapping

from bot.database.tables import HandledTurn, KnowledgeNote, Proposal
from bot.errors import ConflictError, NotFoundError
from bot.redact import redact

Action = Literal["link", "out_of_scope"]
Status = Literal["pending", "applied", "recorded", "rejected"]
NOTE_MAX_CHARS = 1000

_proposals = cast(Table, Proposal.__table__)
_handled = cast(Table, HandledTurn.__table__)
_notes = cast(Table, KnowledgeNote.__table__)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


@dataclass(frozen=True)
class Author:
    """Who acts, and where: a clerk's commune and province, a province account's province, an admin neither."""

    username: str
    role: str
    commune: str = ""
    province: str = ""


@dataclass(frozen=True)
class View:
    """What an account sees: one commune, one province, or everything."""

    commune: str = ""
    province: str = ""
    everything: bool = False

    def where(self, query: Select, table: Table) -> Select:  # type: ignore[type-arg]
        if self.everything:
            return query
        if self.province:
            return query.where(table.c.province == self.province)
        return query.where(table.c.commune == (self.commune or "-"))

    def may_decide(self) -> bool:
        """Province and admin accounts approve; a commune clerk only proposes."""
        return self.everything or bool(self.province)


@dataclass(frozen=True)
class ProposalRecord:
    id: int
    created_at: datetime
    author: str
    role: str
    commune: str
    province: str
    action: str
    procedure_id: str
    phrasings: list[str]
    applied: list[str]
    status: str
    decided_by: str
    decided_at: datetime | None
    outcome: str

    @classmethod
    def of(cls, row: RowMapping) -> ProposalRecord:
        return cls(id=int(row["id"]), created_at=_utc(row["created_at"]) or datetime.now(UTC),
                   author=str(row["author"]), role=str(row["role"]), commune=str(row["commune"]),
                   province=str(row["province"]), action=str(row["action"]), procedure_id=str(row["procedure_id"]),
                   phrasings=[str(p) for p in row["phrasings"] or []], applied=[str(p) for p in row["applied"] or []],
                   status=str(row["status"]), decided_by=str(row["decided_by"]), decided_at=_utc(row["decided_at"]),
                   outcome=str(row["outcome"]))


@dataclass(frozen=True)
class Note:
    id: int
    created_at: datetime
    author: str
    commune: str
    province: str
    text: str
    examples: list[str] = field(default_factory=list)


class ProposalRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def propose(self, author: Author, action: Action, procedure_id: str, phrasings: Sequence[str],
                turn_ids: Sequence[int]) -> ProposalRecord:
        """A pending proposal covering `turn_ids`; a question another proposal already covers is a ConflictError."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            taken = conn.execute(select(_handled.c.turn_id).where(_handled.c.turn_id.in_(list(turn_ids)))).first()
            if taken is not None:
                raise ConflictError("Some of these questions were decided on already.",
                                    "Nhóm câu hỏi này vừa được xử lý. Hãy tải lại trang.")
            new_id = conn.execute(insert(_proposals).values(
                created_at=now, author=author.username[:64], role=author.role[:16], commune=author.commune[:8],
                province=author.province[:4], action=action, procedure_id=procedure_id[:40],
                phrasings=[redact(p) for p in phrasings], applied=[], status="pending", decided_by="",
                decided_at=None, outcome="")).inserted_primary_key[0]  # type: ignore[index]
            if turn_ids:
                conn.execute(insert(_handled), [{"turn_id": int(t), "proposal_id": int(new_id)}
                                                for t in dict.fromkeys(turn_ids)])
        return self.get(int(new_id), View(everything=True))

    def get(self, proposal_id: int, view: View) -> ProposalRecord:
        """The proposal if the view sees it; else NotFoundError, the same as an unknown id."""
        with self.engine.connect() as conn:
            row = conn.execute(view.where(select(_proposals).where(_proposals.c.id == proposal_id),
                                          _proposals)).mappings().first()
        if row is None:
            raise NotFoundError(f"No proposal {proposal_id} (or not one this account may see).",
                                "Không tìm thấy đề xuất này.")
        return ProposalRecord.of(row)

    def find(self, view: View, status: Status | None = None, limit: int = 200) -> list[ProposalRecord]:
        """The newest first."""
        query = view.where(select(_proposals), _proposals).order_by(_proposals.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(_proposals.c.status == status)
        with self.engine.connect() as conn:
            return [ProposalRecord.of(r) for r in conn.execute(query).mappings()]

    def applied_links(self) -> list[ProposalRecord]:
        """Every link carried out into a knowledge file, oldest first (what `tthc knowledge export-proposals`
        writes)."""
        query = select(_proposals).where(_proposals.c.action == "link", _proposals.c.status == "applied")
        with self.engine.connect() as conn:
            return [ProposalRecord.of(r) for r in conn.execute(query.order_by(_proposals.c.id)).mappings()]

    def decided(self, status: Status | None = None) -> list[ProposalRecord]:
        """Every proposal in any view, oldest first (for the export's header)."""
        query = select(_proposals).order_by(_proposals.c.id)
        if status is not None:
            query = query.where(_proposals.c.status == status)
        with self.engine.connect() as conn:
            return [ProposalRecord.of(r) for r in conn.execute(query).mappings()]

    def decide(self, proposal_id: int, who: str, status: Status, outcome: str,
               applied: Sequence[str] = ()) -> ProposalRecord:
        """Close a pending proposal (applied, recorded or rejected); a rejected one frees its questions. A proposal
        decided already is a ConflictError (two approvers at once: one wins)."""
        with self.engine.begin() as conn:
            done = conn.execute(update(_proposals).where(_proposals.c.id == proposal_id,
                                                         _proposals.c.status == "pending").values(
                status=status, decided_by=who[:64], decided_at=datetime.now(UTC), outcome=outcome,
                applied=list(applied))).rowcount
            if not done:
                raise ConflictError(f"Proposal {proposal_id} was decided already.", "Đề xuất này đã được xử lý.")
            if status == "rejected":
                conn.execute(delete(_handled).where(_handled.c.proposal_id == proposal_id))
        return self.get(proposal_id, View(everything=True))

    def settle(self, proposal_id: int, status: Status, outcome: str, applied: Sequence[str] = ()) -> ProposalRecord:
        """What came of a proposal `decide` claimed (a link written, or refused by validation: then rejected and
        its questions freed)."""
        with self.engine.begin() as conn:
            conn.execute(update(_proposals).where(_proposals.c.id == proposal_id).values(
                status=status, outcome=outcome, applied=list(applied)))
            if status == "rejected":
                conn.execute(delete(_handled).where(_handled.c.proposal_id == proposal_id))
        return self.get(proposal_id, View(everything=True))

    def cover(self, proposal_id: int, turn_ids: Sequence[int]) -> int:
        """Count more questions as decided on by a carried-out proposal (the same question asked again while it
        waited); those another proposal covers already are left as they are. Returns how many were added."""
        with self.engine.begin() as conn:
            taken = set(conn.execute(select(_handled.c.turn_id).where(
                _handled.c.turn_id.in_(list(turn_ids)))).scalars())
            fresh = [{"turn_id": int(t), "proposal_id": proposal_id} for t in dict.fromkeys(turn_ids) if t not in taken]
            if fresh:
                conn.execute(insert(_handled), fresh)
        return len(fresh)

    def add_note(self, author: Author, text: str, examples: Sequence[str]) -> Note:
        now = datetime.now(UTC)
        clean = redact(text.strip())[:NOTE_MAX_CHARS]
        shown = [redact(e) for e in examples][:5]
        with self.engine.begin() as conn:
            new_id = conn.execute(insert(_notes).values(
                created_at=now, author=author.username[:64], commune=author.commune[:8],
                province=author.province[:4], text=clean, examples=shown)).inserted_primary_key[0]  # type: ignore[index]
        return Note(int(new_id), now, author.username, author.commune, author.province, clean, shown)

    def notes(self, view: View, limit: int = 100) -> list[Note]:
        query = view.where(select(_notes), _notes).order_by(_notes.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_note(r) for r in conn.execute(query).mappings()]

    def all_notes(self) -> list[Note]:
        with self.engine.connect() as conn:
            return [_note(r) for r in conn.execute(select(_notes).order_by(_notes.c.id)).mappings()]


def _note(row: dict[str, Any] | RowMapping) -> Note:
    return Note(int(row["id"]), _utc(row["created_at"]) or datetime.now(UTC), str(row["author"]),
                str(row["commune"]), str(row["province"]), str(row["text"]), [str(e) for e in row["examples"] or []])
