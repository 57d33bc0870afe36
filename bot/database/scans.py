"""The scans repository: how often each commune's QR code was scanned."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.database.tables import Scan


class ScanRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, commune: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.add(Scan(commune=commune, created_at=datetime.now(UTC)))

    def counts(self) -> dict[str, int]:
        with Session(self.engine) as s:
            rows = s.execute(select(Scan.commune, func.count()).group_by(Scan.commune)).all()
            return {str(c): int(n) for c, n in rows}
