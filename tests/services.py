"""Real servers for the scale-out tests, started on loopback by the tests themselves:
a Chroma server (`chroma run`) and a throw-away PostgreSQL cluster from Debian's packages."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, tries: int = 300) -> None:
    """Poll `url` until it answers 200 (a server starting in another process)."""
    for _ in range(tries):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


def server_process(command: list[str], url: str, ready_path: str) -> Iterator[str]:
    """Start a server process, yield `url` once `url + ready_path` answers 200, stop it afterwards."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(url + ready_path)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def chroma_server(path: Path) -> Iterator[str]:
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    yield from server_process([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                              f"http://127.0.0.1:{port}", "/api/v2/heartbeat")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def postgres_server() -> Iterator[str]:
    """initdb + postgres in a temp dir, as the `postgres` user when we are root; yields a SQLAlchemy URL."""
    bindir = postgres_bin()
    assert bindir is not None, "PostgreSQL server binaries are missing (make test installs Debian's postgresql)"
    root = Path(tempfile.mkdtemp(prefix="tthc-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tthc", "-E", "UTF8"],
                   check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([*as_user, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sock),
                             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import psycopg

        for _ in range(100):
            try:
                with psycopg.connect(f"host=127.0.0.1 port={port} user=tthc dbname=postgres", autocommit=True) as c:
                    c.execute("CREATE DATABASE tthc")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        else:
            raise RuntimeError("postgres did not start")
        yield f"postgresql+psycopg://tthc@127.0.0.1:{port}/tthc"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


def serve_in_thread(app):  # type: ignore[no-untyped-def]
    """Run an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def llama_server(model: Path, threads: int, context: int) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server (`python -m llama_cpp.server`) on loopback; yields its /v1 URL."""
    port = free_port()
    yield from server_process([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "qwen",
                               "--host", "127.0.0.1", "--port", str(port), "--n_threads", str(threads),
                               "--n_threads_batch", str(threads), "--n_ctx", str(context)],
                              f"http://127.0.0.1:{port}/v1", "/models")
