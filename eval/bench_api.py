"""API figures on loopback: /api/chat latency, page weight. Starts the real app with uvicorn in a thread."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.settings import Settings
from eval.retrieval import load_questions
from eval.stats import p50_p95


def run_api_bench(settings: Settings, app_factory: Callable[[Settings], Any], requests: int = 200) -> str:
    """`app_factory` builds the ASGI app (the CLI passes `api.app.create_app`): eval never imports the API."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings.model_copy(update={"rate_limit_per_minute": 10**6})
    server = uvicorn.Server(uvicorn.Config(app_factory(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    questions = [q["q"] for q in load_questions()]
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            page_parts = ["/c/20320", "/static/chat.css", "/static/chat.js"]
            raw = sum(len(client.get(p).content) for p in page_parts)
            zipped = sum(len(gzip.compress(client.get(p).content)) for p in page_parts)
            widget = len(client.get("/widget.js").content)
            client.post("/api/chat", json={"message": questions[0]})
            latencies = []
            for i in range(requests):
                t0 = time.perf_counter()
                r = client.post("/api/chat", json={"message": questions[i % len(questions)], "commune": "20320"})
                latencies.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    p50, p95 = p50_p95(latencies)
    return "\n".join([
        f"citizen page weight (HTML+CSS+JS): {raw / 1024:.1f} KB raw, {zipped / 1024:.1f} KB gzipped; "
        f"widget.js {widget / 1024:.1f} KB",
        f"/api/chat on loopback, {requests} sequential requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms",
    ])
