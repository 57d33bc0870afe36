"""The audit repository: who changed what, when, on which target. The detail names fields, never their values
(no phone numbers, no passwords), so the table holds no personal data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Engine

from bot.database.tables import AuditEntry as AuditRow

_audit = cast(Table, AuditRow.__table__)


@dataclass(frozen=True)
class AuditEntry:
    created_at: datetime
    who: str
    action: str
    target: str
    detail: dict[str, Any]


class AuditRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, who: str, action: str, target: str = "", **detail: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(_audit).values(created_at=datetime.now(UTC), who=who[:64], action=action[:32],
                                               target=target[:64],
                                               detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)))

    def recent(self, limit: int = 100, target: str | None = None, action: str | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        query = select(_audit).order_by(_audit.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(_audit.c.target == target)
        if action is not None:
            query = query.where(_audit.c.action == action)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [AuditEntry(created_at=_utc(r["created_at"]), who=str(r["who"]), action=str(r["action"]),
                           target=str(r["target"]), detail=json.loads(r["detail"] or "{}")) for r in rows]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive datetimes
