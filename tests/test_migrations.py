"""Alembic migrations: a new database, and databases made by `create_all` before migrations existed (a SQLite file
and a PostgreSQL dump, both made by that code and committed under tests/data/legacy), upgrade in place."""

import shutil
import subprocess

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from bot.answers.types import Answer
from bot.database.db import Database, head_revision
from bot.database.tables import Base
from bot.settings import ROOT
from tests.conftest import run_cli

LEGACY = ROOT / "tests" / "data" / "legacy"
VOICE_SESSION = "0123456789abcdef0123456789abcdef"


def schema_differences(database: Database) -> list:
    with database.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def check_upgraded_legacy(database: Database) -> None:
    before, after = database.upgrade()
    assert before is None and after == head_revision()
    assert schema_differences(database) == []
    turns = database.conversations.turns(VOICE_SESSION)
    assert [t.question for t in turns] == ["làm giấy khai sinh cần gì", "còn lệ phí?"]
    assert [t.channel for t in turns] == ["", "voice"]  # "extractive+voice" became channel "voice"
    with database.engine.connect() as conn:
        assert conn.execute(text("select generator from turns where id = 2")).scalar() == "extractive"
        assert conn.execute(text("select count(*) from feedback")).scalar() == 1
    assert database.scans.counts() == {"20320": 2, "00004": 1}
    state, _ = database.conversations.recent(VOICE_SESSION, 3)
    assert state == {"active": "1.001193", "aspect": "fee"}
    assert database.upgrade() == (head_revision(), head_revision())  # a second run changes nothing


def test_a_new_sqlite_database_gets_the_whole_schema(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'new.db'}")
    assert database.upgrade() == (None, head_revision())
    assert schema_differences(database) == []


def test_a_sqlite_file_from_before_migrations_upgrades_in_place(tmp_path):
    path = tmp_path / "tthc.db"
    shutil.copy(LEGACY / "tthc-before-migrations.db", path)
    check_upgraded_legacy(Database(f"sqlite:///{path}"))


def test_a_postgresql_database_from_before_migrations_upgrades_in_place(postgres_url):
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS legacy"))
        conn.execute(text("CREATE DATABASE legacy"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/legacy"
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "tthc", "-d", "legacy",
                    "-f", str(LEGACY / "tthc-before-migrations.postgres.sql")], check=True, capture_output=True)
    database = Database(url)
    check_upgraded_legacy(database)
    turn = database.conversations.add(VOICE_SESSION, "20320", Answer("đăng ký kết hôn", "…", "vi", True, []))
    assert turn == 4  # the id sequence carried over
    database.dispose()


def test_tthc_db_upgrade(tmp_path, cli_env):
    path = tmp_path / "cli.db"
    shutil.copy(LEGACY / "tthc-before-migrations.db", path)
    env = {**cli_env, "TTHC_DATABASE_URL": f"sqlite:///{path}"}
    first = run_cli(["db", "upgrade"], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.decode().strip() == f"database at revision {head_revision()} (was unversioned)"
    again = run_cli(["db", "upgrade"], env)
    assert again.stdout.decode().strip() == f"database at revision {head_revision()} (up to date)"
