"""Scale-out on existing engines: two uvicorn workers share a Chroma server and PostgreSQL."""

import os
import shutil
import signal
import subprocess
import sys

import httpx

from bot.settings import ROOT, Settings
from bot.storage import Storage
from bot.store import build_store
from ingest.pipeline import ingest
from tests.services import free_port, wait_ready


def test_one_session_continues_across_two_workers(chroma_url, postgres_url, kb_dir, tmp_path, embedder):
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    for code in ("1.001193", "1.000894", "1.000656", "1.004194", "1.004222", "2.000815"):
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    shutil.copytree(kb_dir / "guides", kb / "guides")
    shutil.copy(kb_dir / "communes.csv", kb / "communes.csv")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var", chroma_url=chroma_url, collection="workers",
                        database_url=postgres_url)
    ingest(kb, settings.index_dir, build_store(settings, embedder), embedder)

    port = free_port()
    env = {**os.environ, "TTHC_KNOWLEDGE_DIR": str(kb), "TTHC_VAR_DIR": str(settings.var_dir),
           "TTHC_CHROMA_URL": chroma_url, "TTHC_COLLECTION": "workers", "TTHC_DATABASE_URL": postgres_url}
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/readyz")
        session, served_by, turns = None, set(), []
        questions = ["đăng ký khai sinh", "đăng ký kết hôn", "đăng ký tạm trú", "chứng thực bản sao"]
        for i in range(40):
            with httpx.Client(base_url=base, timeout=30) as fresh:  # a new connection each time
                r = fresh.post("/api/chat", json={"message": questions[i % 4], "session_id": session})
            assert r.status_code == 200, r.text
            session = r.json()["session_id"]
            turns.append(r.json()["turn_id"])
            served_by.add(r.headers["x-served-by"])
            if len(served_by) == 2 and i >= 4:
                break
        assert len(served_by) == 2, "requests never reached the second worker"
        for turn in turns:  # feedback on turns written by either worker
            with httpx.Client(base_url=base, timeout=30) as fresh:
                assert fresh.post("/api/feedback", json={"session_id": session, "turn_id": turn,
                                                         "rating": "up"}).status_code == 201
        stored = Storage(postgres_url).turns(session)
        assert [t.id for t in stored] == turns
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
