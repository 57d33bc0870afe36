"""`Database`: the engine, the repositories, and schema migrations (Alembic, run from code: no alembic.ini)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.database.accounts import AccountRepository
from bot.database.analytics import Analytics
from bot.database.audit import AuditRepository
from bot.database.chat_sessions import ChatSessionRepository
from bot.database.conversations import ConversationRepository
from bot.database.events import EventRepository
from bot.database.feedback import FeedbackRepository
from bot.database.proposals import ProposalRepository
from bot.database.retention import Retention
from bot.database.scans import ScanRepository
from bot.database.tickets import TicketRepository
from bot.database.unanswered import UnansweredRepository

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The schema that `create_all` made before there were migrations; such a database is stamped with it.
BASELINE = "0001"
_PG_LOCK = 74_610_001  # one upgrade at a time when several workers start against one PostgreSQL


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite") and ":memory:" not in url and url.rstrip("/") != "sqlite:":
        # write-ahead logging: readers go on while a worker writes (every request counts its rate limit)
        event.listen(engine, "connect", _write_ahead)
    return engine


def _write_ahead(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(connection: Connection | None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to `revision`; returns (revision before, revision after)."""
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        before = current_revision(connection)
        config = _alembic_config(connection)
        if before is None and inspect(connection).has_table("turns"):
            log.info("database made before migrations: stamping it with revision %s", BASELINE)
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
        return before, current_revision(connection)


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return str(head)


class Database:
    """One engine and its repositories. Build it once per process; `upgrade()` at start-up."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.conversations = ConversationRepository(self.engine)
        self.chat_sessions = ChatSessionRepository(self.engine)  # which browser owns which chat session
        self.feedback = FeedbackRepository(self.engine)
        self.scans = ScanRepository(self.engine)
        self.tickets = TicketRepository(self.engine)
        self.accounts = AccountRepository(self.engine)
        self.audit = AuditRepository(self.engine)
        self.retention = Retention(self.engine)
        self.events = EventRepository(self.engine)  # what happened, for the dashboards
        self.analytics = Analytics(self.engine)
        self.unanswered = UnansweredRepository(self.engine)  # questions left without a good answer
        self.proposals = ProposalRepository(self.engine)  # clerks' proposals on them, approval, notes

    def upgrade(self) -> tuple[str | None, str | None]:
        return upgrade(self.engine)

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return current_revision(connection)

    def dispose(self) -> None:
        self.engine.dispose()
