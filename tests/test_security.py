"""Public limits, CORS, headers and log redaction on the real app."""

import logging

from fastapi.testclient import TestClient

from api.app import create_app


def test_rate_limit_answers_429_in_vietnamese(settings, assistant):
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 3}), assistant=assistant)
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
    text = caplog.text
    for secret in ("012345678901", "0905 123 456", "0912345678", "nguyen.van.a@gmail.com"):
        assert secret not in text
    assert "[số điện thoại]" in text
