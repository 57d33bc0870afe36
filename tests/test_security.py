"""Public limits, CORS, headers and log redaction on the real app."""

import base64
import contextlib
import hashlib
import io
import logging
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from tests.conftest import ADMIN_HEADERS, ADMIN_KEY


def limited(settings, tmp_path, **update):
    """The settings with these limits and a database of their own: limits are counted in the database, which the
    session's other apps share."""
    return settings.model_copy(update={**update, "database_url": f"sqlite:///{tmp_path / 'limits.db'}"})


def test_rate_limit_answers_429_in_vietnamese(settings, assistant, tmp_path):
    app = create_app(limited(settings, tmp_path, rate_limit_per_minute=3), assistant=assistant)
    with TestClient(app) as client:
        codes = [client.post("/api/chat", json={"message": "đăng ký tạm trú"}).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        r = client.post("/api/chat", json={"message": "đăng ký tạm trú"})
        assert r.headers["retry-after"] == "60" and "quá nhiều" in r.json()["message"]
        assert client.get("/healthz").status_code == 200  # health and pages are not rate-limited


def test_cors_only_for_the_widget(client):
    pre = client.options("/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    chat = client.post("/api/chat", json={"message": "khai sinh"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in chat.headers
    widget = client.get("/widget.js", headers={"Origin": "https://ubnd-xa.example"})
    assert widget.headers["access-control-allow-origin"] == "*"


def test_security_headers(client):
    page = client.get("/c/20320")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors *" in csp  # the widget embeds this page
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-served-by"]


def test_logs_carry_no_personal_data(client, caplog):
    caplog.set_level(logging.INFO)
    client.post("/api/chat", json={"message": "CCCD của tôi 012345678901, sđt 0905 123 456, làm lại căn cước"})
    client.get("/api/procedures", params={"q": "gọi 0912345678 hoặc mail nguyen.van.a@gmail.com"})
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /api/procedures?q=0912345678 HTTP/1.1" 200')
    logging.getLogger("tthc").info("asked by %s (%s), tax code %d", "Nguyễn Văn Bình", "nguyen%40gmail.com", 101234567)
    text = caplog.text
    for secret in ("012345678901", "0905 123 456", "0912345678", "nguyen.van.a@gmail.com", "Nguyễn Văn Bình",
                   "nguyen%40gmail.com", "101234567"):
        assert secret not in text
    assert "[số điện thoại]" in text and "asked by [họ tên] ([email]), tax code [mã số thuế]" in text


def test_search_gets_are_rate_limited_cards_are_not(settings, assistant, tmp_path):
    """GET /api/procedures runs the same retrieval as a question and was never limited."""
    app = create_app(limited(settings, tmp_path, search_rate_limit_per_minute=3), assistant=assistant)
    with TestClient(app) as client:
        codes = [client.get("/api/procedures", params={"q": "khai sinh"}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert client.get("/api/communes", params={"q": "hoa vang"}).status_code == 429  # the same budget
        assert client.get("/api/communes/20320/qr.png").status_code == 429
        assert client.get("/api/procedures/1.001193").status_code == 200  # a card is cheap
        assert client.get("/api/procedures/facets").status_code == 200
        assert client.post("/api/chat", json={"message": "khai sinh"}).status_code == 200  # questions count apart
        other = TestClient(app, client=("10.0.0.9", 50000))
        assert other.get("/api/procedures", params={"q": "khai sinh"}).status_code == 200


def test_wrong_admin_keys_are_limited_per_address(settings, assistant, tmp_path):
    """300 wrong keys in a row all got 401; now the address gets 429 after `admin_failures_limit`, even with the
    right key, while another address is not affected."""
    app = create_app(limited(settings, tmp_path, admin_key=SecretStr(ADMIN_KEY), admin_failures_limit=5),
                     assistant=assistant)
    with TestClient(app) as client:
        codes = [client.get("/api/admin/stats", headers={"X-Admin-Key": f"guess-{i}"}).status_code for i in range(8)]
        assert codes == [401] * 5 + [429] * 3
        r = client.get("/api/admin/stats", headers=ADMIN_HEADERS)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 60 and "khóa quản trị" in r.json()["message"]
        other = TestClient(app, client=("10.0.0.8", 50000))
        assert other.get("/api/admin/stats", headers=ADMIN_HEADERS).status_code == 200


def test_only_the_citizen_page_may_be_framed(client):
    page = client.get("/c/20320?embed=1&src=widget")  # what the widget opens in its iframe
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    for path in ("/clerk", "/clerk/login", "/", "/api/procedures/1.001193", "/static/chat.css", "/widget.js"):
        r = client.get(path, follow_redirects=False)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert r.headers["x-frame-options"] == "DENY", path
    assert "strict-transport-security" not in page.headers  # development: plain http on loopback


def test_production_sends_hsts(settings, assistant):
    production = settings.model_copy(update={"env": "production", "admin_key": SecretStr(ADMIN_KEY)})
    with TestClient(create_app(production, assistant=assistant)) as client:
        for path in ("/c/20320", "/api/procedures/1.001193", "/healthz"):
            assert client.get(path).headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_docs_have_a_policy_that_allows_only_what_the_page_loads(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "SwaggerUIBundle" in r.text
    csp = r.headers["content-security-policy"]
    inline = re.search(r"<script>(.*?)</script>", r.text, re.DOTALL)
    assert inline is not None
    digest = base64.b64encode(hashlib.sha256(inline.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and "script-src 'self' 'sha256-" in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert "cdn" not in r.text and "cdn" not in csp  # Swagger UI comes from this server: /docs works offline
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/docs/assets/core.py").status_code == 422  # nothing else of the package
    assert client.get("/docs/assets/..%2Fcore.py").status_code in (404, 422)
    assert "connect-src 'self'" in csp and r.headers["x-frame-options"] == "DENY"
    assert "fastapi.tiangolo.com" not in r.text  # the favicon is ours
    assert client.get("/openapi.json").status_code == 200


def test_a_large_chunked_body_gets_413_from_the_real_server(app):
    """A 10 MB chunked body (no Content-Length) used to get FastAPI's 400 for an unreadable body."""
    from tests.services import serve_in_thread

    def chunks():
        for _ in range(160):
            yield b'{"message": "' + b"a" * 65536

    for base in serve_in_thread(app):
        r = httpx.post(f"{base}/api/chat", content=chunks(), headers={"Content-Type": "application/json"},
                       timeout=30)
        assert r.status_code == 413 and r.json()["error"] == "too_large", r.text
        assert httpx.post(f"{base}/api/chat", json={"message": "khai sinh"}, timeout=30).status_code == 200


@pytest.mark.parametrize("value", ["yes", "true", 1, "1", None])
def test_stream_takes_only_a_json_bool(client, value):
    r = client.post("/api/chat", json={"message": "khai sinh", "stream": value})
    assert r.status_code == 422 and "stream" in r.json()["message"]


def test_stream_true_still_streams(client):
    r = client.post("/api/chat", json={"message": "khai sinh", "stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")


def test_a_long_unknown_code_is_not_echoed(client):
    for path in ("/api/procedures/", "/api/communes/"):
        r = client.get(path + "x" * 5000)
        assert r.status_code == 404
        assert "x" * 41 not in r.text and len(r.content) < 600, r.text
        assert "'" + "x" * 40 + "…'" in r.json()["message"]
    assert "'9.999999'" in client.get("/api/procedures/9.999999").json()["message"]  # a short one still is


def test_access_lines_are_redacted_and_formatted_by_uvicorn():
    """Redacting an access record used to replace its five arguments by one string, and uvicorn's formatter
    printed '--- Logging error --- ValueError: not enough values to unpack' instead of the line."""
    from uvicorn.logging import AccessFormatter

    from bot.logs import RedactingFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("uvicorn.access.test")
    record = logger.makeRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("10.1.2.3:5000", "GET", "/api/procedures?q=CCCD+079203001234+nguyen%40gmail.com",
                                "1.1", 200), None)
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        handler.handle(record)
    assert errors.getvalue() == ""
    assert stream.getvalue() == '10.1.2.3:5000 - "GET /api/procedures?q=CCCD+[số+giấy+tờ]+[email] HTTP/1.1" 200 OK\n'


def test_a_session_id_alone_continues_nothing(app):
    """A session id was a bearer token: whoever held it (a log line, a shared link) continued the conversation,
    read its ticket replies, rated and deleted it. Now the browser that started it holds an HttpOnly owner key."""
    with TestClient(app) as client:  # a browser seen for the first time
        _a_session_id_alone_continues_nothing(app, client)


def _a_session_id_alone_continues_nothing(app, client):
    first = client.post("/api/chat", json={"message": "đăng ký kết hôn cần gì"})
    cookie = next(h for h in first.headers.get_list("set-cookie") if h.startswith("tthc_chat="))
    assert "httponly" in cookie.lower() and "path=/api" in cookie.lower() and "samesite=lax" in cookie.lower()
    victim = first.json()["session_id"]
    mine = client.post("/api/chat", json={"message": "lệ phí bao nhiêu", "session_id": victim}).json()
    assert mine["session_id"] == victim and mine["turn_id"] == 2  # the owner continues, turns numbered per session
    ticket = client.post("/api/handoff", json={"session_id": victim, "commune": "20320"}).json()["code"]

    with TestClient(app) as stranger:  # another browser: no owner key
        taken = stranger.post("/api/chat", json={"message": "lệ phí bao nhiêu", "session_id": victim}).json()
        assert taken["session_id"] != victim and taken["turn_id"] == 1  # a new session, not the victim's
        assert stranger.post("/api/feedback", json={"session_id": victim, "turn_id": 1,
                                                    "rating": "down"}).status_code == 404
        assert stranger.get(f"/api/sessions/{victim}/messages").json() == {"tickets": [], "messages": []}
        assert stranger.get(f"/api/handoff/{ticket}/events", params={"session_id": victim}).status_code == 404
        assert stranger.post("/api/handoff", json={"session_id": victim, "commune": "20320"}).status_code == 404
        assert stranger.delete(f"/api/sessions/{victim}").json()["turns"] == 0
    database = app.state.runtime.database
    assert len(database.conversations.turns(victim)) == 2  # nothing added to, or deleted from, the victim's
    assert client.get(f"/api/sessions/{victim}/messages").json()["tickets"][0]["code"] == ticket
    assert client.post("/api/feedback", json={"session_id": victim, "turn_id": 2, "rating": "up"}).status_code == 201


def test_turn_ids_reveal_no_traffic(client):
    """`turn_id` was one global counter; now it counts the session's own answers."""
    for _ in range(3):
        client.post("/api/chat", json={"message": "đăng ký khai sinh"})
    with TestClient(client.app) as newcomer:
        assert newcomer.post("/api/chat", json={"message": "đăng ký khai sinh"}).json()["turn_id"] == 1


def test_the_owner_cookie_is_cross_site_in_production(settings, assistant, tmp_path):
    """The widget's iframe runs on the commune's own site: in production the key is Secure; SameSite=None;
    Partitioned, so that the iframe keeps its session."""
    production = limited(settings, tmp_path, env="production", admin_key=SecretStr(ADMIN_KEY))
    with TestClient(create_app(production, assistant=assistant), base_url="https://testserver") as client:
        r = client.post("/api/chat", json={"message": "đăng ký khai sinh"})
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("tthc_chat=")).lower()
        assert "secure" in cookie and "samesite=none" in cookie and "partitioned" in cookie and "httponly" in cookie
