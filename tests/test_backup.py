"""`tthc backup` and `tthc restore` with the real command: a restore into a fresh folder serves the same tickets and
office details, with the indexes rebuilt from the knowledge files (SQLite online backup; PostgreSQL via pg_dump)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bot.database.db import Database
from bot.settings import Settings
from tests.clerks import small_app
from tests.conftest import run_cli

OFFICE = "ward_code: '20320'\naddress: Số 2 Nguyễn Văn Linh, xã Hòa Vang\n"


def _env(settings: Settings, database_url: str = "") -> dict[str, str]:
    env = {**os.environ, "TTHC_KNOWLEDGE_DIR": str(settings.knowledge_dir), "TTHC_VAR_DIR": str(settings.var_dir)}
    if database_url:
        env["TTHC_DATABASE_URL"] = database_url
    return env


def _fresh(settings: Settings, root: Path) -> Settings:
    """A new machine: the knowledge files from git (no office details), an empty var/."""
    kb = root / "kb"
    shutil.copytree(settings.knowledge_dir, kb, ignore=shutil.ignore_patterns("offices"))
    return Settings(knowledge_dir=kb, var_dir=root / "var", collection=settings.collection)


def _round_trip(tmp_path, kb_dir, embedder, database_url: str = "") -> dict[str, float]:
    overrides = {"database_url": database_url} if database_url else {}
    app, settings, database = small_app(tmp_path / "before", kb_dir, embedder, **overrides)
    (settings.knowledge_dir / "offices").mkdir()
    (settings.knowledge_dir / "offices" / "20320.yaml").write_text(OFFICE, encoding="utf-8")
    session = os.urandom(16).hex()
    with TestClient(app) as client:
        code = client.post("/api/handoff", json={"session_id": session, "commune": "20320"}).json()["code"]
        client.post("/api/chat", json={"message": "đăng ký khai sinh", "session_id": session})
    database.dispose()

    started = time.perf_counter()
    backed = run_cli(["backup", str(tmp_path / "backup")], _env(settings, database_url))
    backup_s = time.perf_counter() - started
    assert backed.returncode == 0, backed.stderr.decode()
    assert "1 office files" in backed.stdout.decode()
    again = run_cli(["backup", str(tmp_path / "backup")], _env(settings, database_url))
    assert again.returncode != 0 and "not empty" in again.stderr.decode()

    fresh = _fresh(settings, tmp_path / "after")
    started = time.perf_counter()
    restored = run_cli(["restore", str(tmp_path / "backup")], _env(fresh, database_url))
    restore_s = time.perf_counter() - started
    assert restored.returncode == 0, restored.stderr.decode()
    assert "indexes rebuilt" in restored.stdout.decode()

    back = Database(database_url or fresh.db_url)
    ticket = back.tickets.get(code)
    assert ticket is not None and ticket.session_id == session and ticket.commune == "20320"
    assert len(back.conversations.turns(session)) >= 1
    back.dispose()
    from api.app import create_app

    with TestClient(create_app(fresh, database=Database(database_url or fresh.db_url))) as client:
        office = client.get("/api/communes/20320").json()["office"]
        assert office["address"] == "Số 2 Nguyễn Văn Linh, xã Hòa Vang"
        answer = client.post("/api/chat", json={"message": "làm giấy khai sinh ở đâu", "commune": "20320"}).json()
        assert "Địa chỉ: Số 2 Nguyễn Văn Linh, xã Hòa Vang" in answer["answer"]  # the index was rebuilt too
    return {"backup_s": backup_s, "restore_s": restore_s}


def test_backup_and_restore_on_sqlite(tmp_path, kb_dir, embedder):
    times = _round_trip(tmp_path, kb_dir, embedder)
    assert times["backup_s"] > 0 and times["restore_s"] > 0


def test_backup_and_restore_on_postgresql(tmp_path, kb_dir, embedder, postgres_url):
    _round_trip(tmp_path, kb_dir, embedder, postgres_url)
