"""Copy the database out and back: SQLite through its online backup API (safe while the server writes),
PostgreSQL through pg_dump / pg_restore. `tthc backup` / `tthc restore` add the office details and audit log."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ConfigError

SQLITE_FILE = "tthc.db"
POSTGRES_FILE = "tthc.pgdump"


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigError(f"{name} is not installed: install the PostgreSQL client (Debian: postgresql-client).")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the server writes."""
    origin, copy = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def dump(url: str, target: Path) -> Path:
    """Write the database to `target` (a folder); returns the file written."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        out = target / SQLITE_FILE
        _sqlite_copy(Path(str(parsed.database)), out)
        return out
    out = target / POSTGRES_FILE
    subprocess.run([_tool("pg_dump"), "--no-owner", "--format=custom", f"--file={out}", _libpq(url)], check=True,
                   capture_output=True)
    return out


def load(url: str, source: Path) -> None:
    """Replace the database at `url` with the copy in `source` (a folder written by `dump`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = Path(str(parsed.database))
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source / SQLITE_FILE, target)
        return
    subprocess.run([_tool("pg_restore"), "--no-owner", "--clean", "--if-exists", f"--dbname={_libpq(url)}",
                    str(source / POSTGRES_FILE)], check=True, capture_output=True)
