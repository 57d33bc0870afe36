"""Scale-out on existing engines: two uvicorn workers share a Chroma server and PostgreSQL."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from bot.database.db import Database
from bot.search.vectors import build_store
from bot.settings import ROOT, Settings
from ingest.pipeline import ingest
from tests.conftest import ADMIN_HEADERS, ADMIN_KEY
from tests.services import free_port, wait_ready

SEARCHES_PER_MINUTE = 12


@pytest.fixture(scope="module")
def two_workers(chroma_url, postgres_url, kb_dir, tmp_path_factory, embedder):
    """`tthc serve --workers 2` over a small knowledge base, with the admin key; yields (base URL, settings)."""
    root = tmp_path_factory.mktemp("workers")
    kb = root / "kb"
    (kb / "procedures").mkdir(parents=True)
    for code in ("1.001193", "1.000894", "1.000656", "1.004194", "1.004222", "2.000815"):
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    shutil.copytree(kb_dir / "guides", kb / "guides")
    shutil.copy(kb_dir / "communes.csv", kb / "communes.csv")
    shutil.copy(kb_dir / "lexicon.yaml", kb / "lexicon.yaml")
    shutil.copy(kb_dir / "refusals.yaml", kb / "refusals.yaml")
    settings = Settings(knowledge_dir=kb, var_dir=root / "var", chroma_url=chroma_url, collection="workers",
                        database_url=postgres_url)
    ingest(kb, settings.index_dir, build_store(settings, embedder), embedder)

    port = free_port()
    env = {**os.environ, "TTHC_KNOWLEDGE_DIR": str(kb), "TTHC_VAR_DIR": str(settings.var_dir),
           "TTHC_CHROMA_URL": chroma_url, "TTHC_COLLECTION": "workers", "TTHC_DATABASE_URL": postgres_url,
           "TTHC_ADMIN_KEY": ADMIN_KEY, "TTHC_SEARCH_RATE_LIMIT_PER_MINUTE": str(SEARCHES_PER_MINUTE)}
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/readyz")
        yield base, settings
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_one_session_continues_across_two_workers(two_workers, postgres_url):
    base, _ = two_workers
    session, served_by, turns = None, set(), []
    questions = ["đăng ký khai sinh", "đăng ký kết hôn", "đăng ký tạm trú", "chứng thực bản sao"]
    browser = httpx.Cookies()  # the browser's cookies (its session owner key), over fresh connections
    for i in range(40):
        with httpx.Client(base_url=base, timeout=30, cookies=browser) as fresh:  # a new connection each time
            r = fresh.post("/api/chat", json={"message": questions[i % 4], "session_id": session})
            browser.update(fresh.cookies)
        assert r.status_code == 200, r.text
        assert session is None or r.json()["session_id"] == session  # the same session, on either worker
        session = r.json()["session_id"]
        turns.append(r.json()["turn_id"])
        served_by.add(r.headers["x-served-by"])
        if len(served_by) == 2 and i >= 4:
            break
    assert len(served_by) == 2, "requests never reached the second worker"
    assert turns == list(range(1, len(turns) + 1))  # numbered within the session: no global counter
    for turn in turns:  # feedback on turns written by either worker
        with httpx.Client(base_url=base, timeout=30, cookies=browser) as fresh:
            assert fresh.post("/api/feedback", json={"session_id": session, "turn_id": turn,
                                                     "rating": "up"}).status_code == 201
        with httpx.Client(base_url=base, timeout=30) as stranger:  # the id alone rates nothing
            assert stranger.post("/api/feedback", json={"session_id": session, "turn_id": turn,
                                                        "rating": "down"}).status_code == 404
    stored = Database(postgres_url).conversations.turns(session)
    assert len(stored) == len(turns) and {t.channel for t in stored} == {"chat"}


def test_an_office_edit_on_one_worker_is_served_by_both(two_workers):
    """The worker that takes the admin call reloads at once; the other notices the new index version within
    a few seconds (it used to keep its old office details until restarted)."""
    base, settings = two_workers
    office = "ward_code: '20320'\naddress: 'Thôn Dương Lâm 1, xã Hòa Vang'\nhours: 'Thứ Hai – Thứ Sáu, 7:30–17:00'\n"
    with httpx.Client(base_url=base, timeout=60) as client:
        r = client.put("/api/admin/offices/20320", json={"content": office}, headers=ADMIN_HEADERS)
    assert r.status_code == 200, r.text
    seen: dict[str, str] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (len(seen) < 2 or not all(seen.values())):
        with httpx.Client(base_url=base, timeout=30) as fresh:
            r = fresh.get("/api/communes/20320")
        seen[r.headers["x-served-by"]] = (r.json()["office"] or {}).get("address", "")
        time.sleep(0.2)
    assert len(seen) == 2, "requests never reached the second worker"
    assert set(seen.values()) == {"Thôn Dương Lâm 1, xã Hòa Vang"}, seen
    (settings.knowledge_dir / "offices" / "20320.yaml").unlink()


def test_a_clerk_edit_on_one_worker_is_served_by_both(two_workers, postgres_url):
    """A clerk signs in (the session lives in PostgreSQL, so either worker knows it) and saves the office details
    on one worker; the other serves them within a few seconds (the offices version, no re-ingest)."""
    from tests.clerks import PASSWORD, form_csrf

    base, settings = two_workers
    database = Database(postgres_url)
    username = f"lan.w{uuid.uuid4().hex[:8]}"  # the PostgreSQL server may outlive a run: a fresh name each time
    database.accounts.add(username, PASSWORD, "clerk", "20320", "48")
    address = "Số 2 Nguyễn Văn Linh, xã Hòa Vang"
    with httpx.Client(base_url=base, timeout=30) as browser:
        form = browser.get("/clerk/login")
        r = browser.post("/clerk/login", data={"csrf_token": form_csrf(form.text), "username": username,
                                               "password": PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/clerk/inbox", r.text
        csrf = browser.get("/api/clerk/me").json()["csrf_token"]
        started = time.monotonic()
        r = browser.put("/api/clerk/offices/20320", headers={"X-CSRF-Token": csrf},
                        json={"address": address, "hours": {"weekdays": "07:30-11:30, 13:30-17:00"}})
    assert r.status_code == 200, r.text
    seen: dict[str, str] = {}
    while time.monotonic() - started < 30 and (len(seen) < 2 or set(seen.values()) != {address}):
        with httpx.Client(base_url=base, timeout=30) as fresh:
            r = fresh.get("/api/communes/20320")
        seen[r.headers["x-served-by"]] = (r.json()["office"] or {}).get("address", "")
        time.sleep(0.1)
    assert len(seen) == 2, "requests never reached the second worker"
    assert set(seen.values()) == {address}, seen
    assert time.monotonic() - started < 8  # checked every 5 s on a request
    assert [e.detail for e in database.audit.recent(1, target="20320")] == [{"changed": ["address", "hours"]}]
    (settings.knowledge_dir / "offices" / "20320.yaml").unlink()
    database.dispose()


def test_the_rate_limit_is_shared_by_both_workers(two_workers):
    """Each worker used to count its own hits, so two workers allowed twice the limit. Now 30 searches from one
    address, spread over both workers, get exactly the limit (12) answered and the rest 429."""
    base, _ = two_workers
    if time.time() % 60 > 45:  # the count slides over minute-long slots: start in a fresh one, for an exact count
        time.sleep(61 - time.time() % 60)
    codes, served_by = [], set()
    for _ in range(30):
        with httpx.Client(base_url=base, timeout=30) as fresh:  # a new connection each time: either worker
            r = fresh.get("/api/procedures", params={"q": "khai sinh"})
        codes.append(r.status_code)
        served_by.add(r.headers["x-served-by"])
    assert len(served_by) == 2, "requests never reached the second worker"
    assert codes.count(200) == SEARCHES_PER_MINUTE and codes.count(429) == 30 - SEARCHES_PER_MINUTE, codes
    assert codes[:SEARCHES_PER_MINUTE] == [200] * SEARCHES_PER_MINUTE
