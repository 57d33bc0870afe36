"""Conversations, feedback and scan counts on SQLite and on a real PostgreSQL server: one contract."""

import pytest

from bot.storage import Storage, new_session_id


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'tthc.db'}"


def test_turns_feedback_and_scans_survive_a_restart(db_url):
    first = Storage(db_url)
    sid = new_session_id()
    turn = first.add_turn(sid, "20320", "Số của tôi 0905123456, CCCD 012345678901, mail a@b.vn: làm khai sinh?",
                          "Thông tin … [1.001193]", [{"procedure_id": "1.001193"}], "vi", True)
    first.add_feedback(sid, turn, "up", "ok, gọi 0912 345 678")
    first.add_scan("20320")
    first.engine.dispose()

    again = Storage(db_url)  # a new process would see the same committed rows
    turns = again.turns(sid)
    assert [t.id for t in turns] == [turn]
    assert turns[0].sources == [{"procedure_id": "1.001193"}]
    assert "0905123456" not in turns[0].question and "012345678901" not in turns[0].question
    assert "a@b.vn" not in turns[0].question and "[số điện thoại]" in turns[0].question
    assert again.turn_exists(sid, turn) and not again.turn_exists(new_session_id(), turn)
    assert again.scan_counts()["20320"] >= 1


def test_sessions_are_separate(db_url):
    storage = Storage(db_url)
    a, b = new_session_id(), new_session_id()
    storage.add_turn(a, "", "hỏi A", "đáp A", [], "vi", True)
    storage.add_turn(b, "", "hỏi B", "đáp B", [], "vi", True)
    assert [t.question for t in storage.turns(a)] == ["hỏi A"]
