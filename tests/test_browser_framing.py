"""Framing and the /docs policy in a real browser (Debian's chromium, driven by Playwright) on the app served by
uvicorn: another site may frame the citizen page (the widget does) and nothing else; /docs runs under its policy."""

import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest

from bot.settings import ROOT
from tests.services import free_port, serve_in_thread

ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def server(app):
    yield from serve_in_thread(app)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def framing_page(server, tmp_path_factory):
    """A page on another origin that frames the citizen page, the clerk lookup and the API docs."""
    root = tmp_path_factory.mktemp("framer")
    frames = "".join(f'<iframe name="{name}" src="{server}{path}"></iframe>'
                     for name, path in (("citizen", "/c/20320?embed=1&src=widget"), ("clerk", "/clerk"),
                                        ("login", "/clerk/login"), ("docs", "/docs")))
    (root / "index.html").write_text(f"<!doctype html><html><body>{frames}</body></html>", encoding="utf-8")
    port = free_port()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/index.html"
    httpd.shutdown()


def test_only_the_citizen_page_loads_in_another_sites_frame(browser, framing_page):
    """/clerk used to send frame-ancestors *: any site could frame the clerk lookup (clickjacking)."""
    page = browser.new_page()
    page.goto(framing_page)
    page.wait_for_load_state("load")
    page.frame(name="citizen").wait_for_selector("header h1")
    assert page.frame(name="citizen").locator("header h1").inner_text() == "Xã Hòa Vang"
    for name in ("clerk", "login", "docs"):
        frame = page.frame(name=name)
        assert frame is not None
        # a refused frame shows the browser's error page, never the server's document
        assert frame.evaluate("document.querySelectorAll('header, input, #swagger-ui').length") == 0, name
    page.close()


def test_docs_run_under_their_policy(browser, server):
    """/docs loaded Swagger UI from a CDN, so it was empty offline. Now everything comes from this server, under a
    policy that allows its files and the inline start-up script by hash, and nothing else. Every request to
    another host is refused here, as on an offline machine."""
    page = browser.new_page()
    violations: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: (elsewhere.append(route.request.url),
                                                                         route.abort()))
    page.goto(f"{server}/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20000)  # Swagger UI drew the API's groups
    assert page.locator(".swagger-ui .opblock-summary-path", has_text="/api/chat").count() >= 1
    assert elsewhere == [] and violations == []
    # anything else is refused: another origin's script, an injected inline script
    page.evaluate("""() => { const s = document.createElement('script'); s.src = 'https://evil.example/x.js';
        document.body.appendChild(s); const i = document.createElement('script'); i.textContent = 'window.inline = 1';
        document.body.appendChild(i); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("[window.evil, window.inline]") == [None, None]
    assert len(violations) >= 2
    page.screenshot(path=str(ARTIFACTS / "docs-offline.png"))
    page.close()
