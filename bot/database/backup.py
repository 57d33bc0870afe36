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


def dump(url: str, target: Path) -> Path:
    """Write the database to `target` (a folder); returns the file written."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        out = target / SQLITE_FILE
        source = sqlite3.connect(str(parsed.database))
        copy = sqlite3.connect(str(out))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
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
        copy = sqlite3.connect(str(source / SQLITE_FILE))
        into = sqlite3.connect(str(target))
        try:
            copy.backup(into)
        finally:
            into.close()
            copy.close()
        return
    subprocess.run([_tool("pg_restore"), "--no-owner", "--clean", "--if-exists", f"--dbname={_libpq(url)}",
                    str(source / POSTGRES_FILE)], check=True, capture_output=True)
