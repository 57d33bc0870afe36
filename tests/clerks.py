"""Shared by the clerk tests: a small app of its own (birth registration only, its own knowledge folder, var/ and
SQLite database, so office edits never reach the shared test knowledge base), accounts, and signing in."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bot.assistant import Assistant
from bot.database.db import Database
from bot.search.vectors import build_store
from bot.settings import Settings
from ingest.pipeline import ingest

PASSWORD = "mat-khau-du-dai-2026"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def small_app(root: Path, kb_dir: Path, embedder: Any, codes: tuple[str, ...] = ("1.001193",),
              collection: str = "clerks", **overrides: Any) -> tuple[Any, Settings, Database]:
    """(app, settings, database) over a few procedures (by default 1.001193, birth registration) and the commune
    registry."""
    kb = root / "kb"
    (kb / "procedures").mkdir(parents=True)
    (kb / "guides").mkdir()
    for code in codes:
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    for name in ("communes.csv", "provinces.csv", "lexicon.yaml", "refusals.yaml"):
        shutil.copy(kb_dir / name, kb / name)
    settings = Settings(knowledge_dir=kb, var_dir=root / "var", collection=collection, **overrides)
    store = build_store(settings, embedder)
    report = ingest(kb, settings.index_dir, store, embedder)
    assert not report.errors, report.errors
    from api.app import create_app

    database = Database(settings.db_url)
    app = create_app(settings, assistant=Assistant.build(settings, embedder=embedder, store=store), database=database)
    return app, settings, database


def add_account(database: Database, username: str, role: str = "clerk", commune: str = "20320",
                province: str = "48") -> None:
    database.accounts.add(username, PASSWORD, role, commune, province)


def form_csrf(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, address_next: str = "") -> Any:
    """The login form as a browser fills it: GET (its session and CSRF token), then POST; the response is not
    followed (303 when signed in)."""
    page = client.get("/clerk/login")
    assert page.status_code == 200, page.text
    return client.post("/clerk/login", data={"csrf_token": form_csrf(page.text), "username": username,
                                             "password": password, "next": address_next}, follow_redirects=False)


def signed_in_client(app: Any, username: str, address: str = "testclient") -> tuple[TestClient, str]:
    """A new browser (its own cookies) signed in as `username`; returns it and its session's CSRF token."""
    client = TestClient(app, client=(address, 50000))
    r = sign_in(client, username)
    assert r.status_code == 303, r.text
    return client, client.get("/api/clerk/me").json()["csrf_token"]
