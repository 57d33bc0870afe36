"""`tthc serve` as it runs in production, in a subprocess: its access log and whom it takes for the client."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.search.vectors import build_store
from bot.settings import ROOT, Settings
from ingest.pipeline import ingest
from tests.services import free_port, wait_ready


@pytest.fixture(scope="module")
def small_kb(kb_dir, tmp_path_factory, embedder):
    """Three procedures, ingested once for the module's servers."""
    root = tmp_path_factory.mktemp("serve")
    kb = root / "kb"
    (kb / "procedures").mkdir(parents=True)
    for code in ("1.001193", "1.000894", "1.004194"):
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    (kb / "guides").mkdir()
    for name in ("communes.csv", "lexicon.yaml", "refusals.yaml"):
        shutil.copy(kb_dir / name, kb / name)
    settings = Settings(knowledge_dir=kb, var_dir=root / "var", collection="serve")
    ingest(kb, settings.index_dir, build_store(settings, embedder), embedder)
    return settings


@contextlib.contextmanager
def _serve(settings: Settings, log: Path, **env: str):  # type: ignore[no-untyped-def]
    """Start `tthc serve` with `env` (TTHC_ variables), its stdout and stderr in `log`; yields its base URL."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TTHC_") and k != "FORWARDED_ALLOW_IPS"}
    environ.update({"TTHC_KNOWLEDGE_DIR": str(settings.knowledge_dir), "TTHC_VAR_DIR": str(settings.var_dir),
                    "TTHC_COLLECTION": settings.collection, "PYTHONUNBUFFERED": "1", **env})
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], env=environ,
                                  cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/readyz")
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def served(small_kb, tmp_path_factory):
    """The defaults, with limits of three a minute."""
    log = tmp_path_factory.mktemp("serve-log") / "server.log"
    with _serve(small_kb, log, TTHC_RATE_LIMIT_PER_MINUTE="3", TTHC_SEARCH_RATE_LIMIT_PER_MINUTE="3") as base:
        yield base, log


def _log_text(log: Path, needle: str) -> str:
    for _ in range(50):  # the access line is written just after the response
        text = log.read_text(encoding="utf-8", errors="replace")
        if needle in text:
            return text
        time.sleep(0.1)
    return log.read_text(encoding="utf-8", errors="replace")


def test_access_log_line_is_redacted_and_well_formed(served):
    """The clerk search is a GET, so a citizen's text lands in the query string. The access log kept an ID
    number and an encoded e-mail; redacting the line then broke uvicorn's formatter ('--- Logging error ---')."""
    base, log = served
    target = "/api/procedures/facets?q=CCCD+079203001234+mail+nguyen.van.a%40gmail.com&note=Nguy%E1%BB%85n+V%C4%83n+B%C3%ACnh"
    assert httpx.get(base + target, timeout=30).status_code == 200
    text = _log_text(log, "/api/procedures/facets?")
    assert "Logging error" not in text and "Traceback" not in text, text
    for secret in ("079203001234", "nguyen.van.a", "%40gmail", "Nguy%E1%BB%85n", "Nguyễn"):
        assert secret not in text, secret
    lines = [line for line in text.splitlines() if "/api/procedures/facets?" in line]
    assert len(lines) == 1, text
    assert lines[0].endswith('"GET /api/procedures/facets?q=CCCD+[số+giấy+tờ]+mail+[email]&note=[họ+tên] HTTP/1.1" '
                             "200 OK"), lines[0]
    assert lines[0].startswith("INFO:") and "127.0.0.1:" in lines[0]


def test_a_spoofed_forwarded_for_does_not_escape_the_limit(served):
    """uvicorn trusted X-Forwarded-For from 127.0.0.1, so each made-up address got a fresh limit."""
    base, _ = served
    with httpx.Client(base_url=base, timeout=30) as client:
        asks = [client.post("/api/chat", json={"message": "đăng ký khai sinh"},
                            headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(5)]
        searches = [client.get("/api/procedures", params={"q": "khai sinh"},
                               headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(5)]
    assert asks == [200, 200, 200, 429, 429]
    assert searches == [200, 200, 200, 429, 429]


def test_a_trusted_proxy_names_the_client(small_kb, tmp_path):
    """With TTHC_FORWARDED_ALLOW_IPS naming the proxy (here loopback), its X-Forwarded-For is the client."""
    with _serve(small_kb, tmp_path / "server.log", TTHC_RATE_LIMIT_PER_MINUTE="2",
                TTHC_FORWARDED_ALLOW_IPS="127.0.0.1") as base, httpx.Client(base_url=base, timeout=30) as client:
        def ask(address: str) -> int:
            return client.post("/api/chat", json={"message": "đăng ký khai sinh"},
                               headers={"X-Forwarded-For": address}).status_code

        assert [ask("203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert ask("203.0.113.8") == 200  # another citizen behind the same proxy
    assert "203.0.113.7:0" in (tmp_path / "server.log").read_text(encoding="utf-8")
