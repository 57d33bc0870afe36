"""The repositories (conversations, feedback, scans) on SQLite and on a real PostgreSQL server: one contract."""

import pytest

from bot.answers.types import Answer, Source
from bot.database.conversations import new_session_id
from bot.database.db import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'tthc.db'}"


def answer(question: str, text: str, code: str = "") -> Answer:
    sources = [Source(code, "Thủ tục đăng ký khai sinh", "https://dichvucong.gov.vn/x", "ho-so")] if code else []
    return Answer(question, text, "vi", True, sources, state={"active": code} if code else {})


def test_turns_feedback_and_scans_survive_a_restart(db_url):
    first = Database(db_url)
    first.upgrade()
    sid = new_session_id()
    turn = first.conversations.add(sid, "20320", answer(
        "Số của tôi 0905123456, CCCD 012345678901, mail a@b.vn: làm khai sinh?", "Thông tin … [1.001193]", "1.001193"))
    first.feedback.add(sid, turn, "up", "ok, gọi 0912 345 678")
    first.scans.add("20320")
    first.dispose()

    again = Database(db_url)  # a new process would see the same committed rows
    turns = again.conversations.turns(sid)
    assert [t.id for t in turns] == [turn]
    assert turns[0].sources[0]["procedure_id"] == "1.001193" and turns[0].state == {"active": "1.001193"}
    assert "0905123456" not in turns[0].question and "012345678901" not in turns[0].question
    assert "a@b.vn" not in turns[0].question and "[số điện thoại]" in turns[0].question
    assert again.conversations.exists(sid, turn) and not again.conversations.exists(new_session_id(), turn)
    assert again.scans.counts()["20320"] >= 1
    assert again.feedback.ratings()["up"] >= 1


def test_sessions_are_separate_and_recent_turns_are_the_last(db_url):
    database = Database(db_url)
    database.upgrade()
    a, b = new_session_id(), new_session_id()
    for i in range(5):
        database.conversations.add(a, "", answer(f"hỏi A{i}", f"đáp A{i}"), channel="voice" if i == 4 else "chat")
    database.conversations.add(b, "", answer("hỏi B", "đáp B"))
    assert [t.question for t in database.conversations.turns(b)] == ["hỏi B"]
    state, history = database.conversations.recent(a, 3)
    assert state == {}  # these answers named no procedure
    assert history == [("hỏi A2", "đáp A2"), ("hỏi A3", "đáp A3"), ("hỏi A4", "đáp A4")]
    assert database.conversations.turns(a)[-1].channel == "voice"
