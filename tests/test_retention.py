"""Personal data is kept only as long as needed: "Xóa cuộc trò chuyện" forgets a session (its questions, feedback
and ticket contact) and `tthc purge` deletes what is older than the retention period, on the real database."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from bot.database.tables import Feedback, Ticket, TicketContact, Turn
from tests.clerks import small_app
from tests.conftest import run_cli

MINE, OTHER = "c" * 32, "d" * 32


@pytest.fixture(scope="module")
def retention_app(tmp_path_factory, kb_dir, embedder):
    app, settings, database = small_app(tmp_path_factory.mktemp("retention"), kb_dir, embedder)
    with TestClient(app) as client:
        yield client, settings, database


def _count(database, table, **where) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    with database.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_a_citizen_deletes_their_conversation_and_contact_only(retention_app):
    client, _, database = retention_app
    for session in (MINE, OTHER):
        turn = client.post("/api/chat", json={"message": "đăng ký khai sinh cần gì", "session_id": session}).json()
        client.post("/api/feedback", json={"session_id": session, "turn_id": turn["turn_id"], "rating": "down"})
        ticket = client.post("/api/handoff", json={"session_id": session, "commune": "20320",
                                                   "contact": "0905 123 456", "consent": True})
        assert ticket.status_code == 200 and ticket.json()["contact_saved"]
    assert _count(database, Turn, session_id=MINE) == 1 and _count(database, Feedback, session_id=MINE) == 1

    gone = client.delete(f"/api/sessions/{MINE}")
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"turns": 1, "feedback": 1, "contacts": 1,
                           "message": "Đã xóa cuộc trò chuyện và thông tin liên hệ của bạn khỏi hệ thống."}
    assert _count(database, Turn, session_id=MINE) == 0 and _count(database, Feedback, session_id=MINE) == 0
    mine = database.tickets.of_session(MINE)[0]
    assert database.tickets.contact(mine) is None  # the ticket code stays for the counter, without the contact
    assert _count(database, Turn, session_id=OTHER) == 1  # nobody else's
    assert database.tickets.contact(database.tickets.of_session(OTHER)[0]) is not None
    bad = client.delete("/api/sessions/not-a-session")
    assert bad.status_code == 422


def test_purge_deletes_what_is_older_than_the_retention_period(retention_app):
    client, settings, database = retention_app
    old, recent = "e" * 32, "f" * 32
    for session in (old, recent):
        turn = client.post("/api/chat", json={"message": "đăng ký kết hôn", "session_id": session}).json()
        client.post("/api/feedback", json={"session_id": session, "turn_id": turn["turn_id"], "rating": "up"})
        client.post("/api/handoff", json={"session_id": session, "commune": "20320", "contact": "lan@example.vn",
                                          "consent": True})
    long_ago = datetime.now(UTC) - timedelta(days=settings.retention_days + 1)
    ticket = database.tickets.of_session(old)[0]
    database.tickets.close(ticket)
    with database.engine.begin() as conn:
        conn.execute(update(Turn).where(Turn.session_id == old).values(created_at=long_ago))
        conn.execute(update(Feedback).where(Feedback.session_id == old).values(created_at=long_ago))
        conn.execute(update(Ticket).where(Ticket.session_id == old).values(updated_at=long_ago))
        conn.execute(update(TicketContact).where(TicketContact.ticket_id == ticket.id).values(created_at=long_ago))

    env = {**os.environ, "TTHC_KNOWLEDGE_DIR": str(settings.knowledge_dir), "TTHC_VAR_DIR": str(settings.var_dir)}
    done = run_cli(["purge"], env)
    assert done.returncode == 0, done.stderr.decode()
    printed = done.stdout.decode()
    assert f"kept the last {settings.retention_days} days" in printed and "1 tickets" in printed
    assert _count(database, Turn, session_id=old) == 0 and _count(database, Feedback, session_id=old) == 0
    assert database.tickets.get(ticket.code) is None  # closed and old: gone with its replies and contact
    assert _count(database, Turn, session_id=recent) == 1  # within the period: kept
    assert database.tickets.contact(database.tickets.of_session(recent)[0]) is not None
