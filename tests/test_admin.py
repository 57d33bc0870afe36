"""Admin endpoints: key required (constant-time compare), validated atomic writes, re-ingest, audit log."""

import json

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from bot.errors import ConfigError
from bot.settings import Settings
from tests.conftest import ADMIN_HEADERS as HEADERS
from tests.conftest import ADMIN_KEY as KEY


def test_admin_needs_the_key(admin_app):
    _, client, _ = admin_app
    assert client.post("/api/admin/reingest").status_code == 401
    r = client.post("/api/admin/reingest", headers={"X-Admin-Key": KEY[:-1] + "x"})
    assert r.status_code == 401 and "Khóa quản trị không đúng" in r.json()["message"]
    assert client.get("/api/admin/stats", headers=HEADERS).status_code == 200


def test_admin_disabled_without_a_key_answers_like_a_wrong_key(tmp_path, settings, assistant, caplog):
    """The 401 used to say "Admin endpoints are disabled: set TTHC_ADMIN_KEY", telling a caller how the service is
    set up; now it is the wrong-key answer either way, and only the log says why."""
    answers = []
    for key in ("", KEY):
        app = create_app(settings.model_copy(update={"admin_key": SecretStr(key)}), assistant=assistant)
        with TestClient(app) as client:
            r = client.post("/api/admin/reingest", headers={"X-Admin-Key": "guess"})
            assert r.status_code == 401
            answers.append(r.json())
            assert client.post("/api/admin/reingest", headers={"X-Admin-Key": ""}).json() == answers[0]
    assert answers[0] == answers[1] and "TTHC_ADMIN_KEY" not in json.dumps(answers[0])
    assert "TTHC_ADMIN_KEY is set" in caplog.text


@pytest.mark.parametrize("key", ["", "change-me", "short-key"])
def test_production_refuses_weak_keys(settings, key):
    with pytest.raises(ConfigError) as info:
        Settings(**{**settings.model_dump(), "env": "production", "admin_key": SecretStr(key)})
    assert "TTHC_ADMIN_KEY" in info.value.message
    strong = Settings(**{**settings.model_dump(), "env": "production", "admin_key": SecretStr("k" * 32)})
    assert strong.env == "production"


def test_bad_settings_name_the_variable(monkeypatch):
    from bot.settings import get_settings

    monkeypatch.setenv("TTHC_GENERATOR", "gpt-9")
    with pytest.raises(ConfigError) as info:
        get_settings()
    assert info.value.message.startswith("TTHC_GENERATOR:") and "extractive" in info.value.message


def test_upsert_delete_procedure_and_audit(admin_app):
    _app, client, settings = admin_app
    path = settings.knowledge_dir / "procedures" / "1.004194.md"
    text = path.read_text(encoding="utf-8").replace("title: Đăng ký tạm trú", "title: Đăng ký tạm trú (bản sửa 2026)")
    r = client.put("/api/admin/procedures/1.004194", json={"content": text}, headers=HEADERS)
    assert r.status_code == 200 and r.json()["embedded_files"] == 1
    assert path.read_text(encoding="utf-8") == text
    hit = client.get("/api/procedures", params={"q": "đăng ký tạm trú"}).json()["results"][0]
    assert hit["title"] == "Đăng ký tạm trú (bản sửa 2026)"

    before = path.read_bytes()
    bad = client.put("/api/admin/procedures/1.004194", json={"content": text.replace("source: portal", "source: rumour")},
                     headers=HEADERS)
    assert bad.status_code == 422 and "source" in bad.json()["detail"]
    assert path.read_bytes() == before  # nothing written
    wrong_code = client.put("/api/admin/procedures/9.9", json={"content": text}, headers=HEADERS)
    assert wrong_code.status_code == 422 and not (path.parent / "9.9.md").exists()

    assert client.delete("/api/admin/procedures/1.004194", headers=HEADERS).json()["removed_files"] == 1
    assert client.get("/api/procedures/1.004194").status_code == 404
    assert client.delete("/api/admin/procedures/1.004194", headers=HEADERS).status_code == 404

    log = [json.loads(x) for x in (settings.var_dir / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in log] == ["put-procedure", "put-procedure", "put-procedure", "delete-procedure",
                                          "delete-procedure"]
    assert log[0]["who"].startswith("lan.vanthu (key ") and log[0]["outcome"].startswith("ok")
    assert log[1]["outcome"].startswith("refused")


def test_office_files(admin_app):
    _, client, settings = admin_app
    office = "ward_code: '20320'\nhours: 'Thứ Hai – Thứ Sáu, 7:30–17:00'\n"
    assert client.put("/api/admin/offices/20320", json={"content": office}, headers=HEADERS).status_code == 200
    assert client.get("/api/communes/20320").json()["office"] == {"hours": "Thứ Hai – Thứ Sáu, 7:30–17:00"}
    bad = client.put("/api/admin/offices/20320", json={"content": "ward_code: '20320'\nfax: 1\n"}, headers=HEADERS)
    assert bad.status_code == 422 and "fax" in bad.json()["detail"]
    assert "7:30" in (settings.knowledge_dir / "offices" / "20320.yaml").read_text(encoding="utf-8")
    assert client.delete("/api/admin/offices/20320", headers=HEADERS).status_code == 200
    assert client.get("/api/communes/20320").json()["office"] is None


def test_injection_in_a_knowledge_file_is_shown_as_text(admin_app):
    app, client, settings = admin_app
    from playwright.sync_api import sync_playwright

    from tests.services import serve_in_thread
    from tests.test_browser import CHROMIUM, FLAGS

    path = settings.knowledge_dir / "procedures" / "1.000894.md"
    evil = "Thủ tục đăng ký kết hôn <img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>"
    text = path.read_text(encoding="utf-8").replace("title: Thủ tục đăng ký kết hôn", f"title: '{evil}'")
    assert client.put("/api/admin/procedures/1.000894", json={"content": text}, headers=HEADERS).status_code == 200
    for base in serve_in_thread(app):
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = b.new_page()
            page.goto(f"{base}/c/20320")
            page.fill("#q", "đăng ký kết hôn <script>window.pwned=3</script>")
            page.click("#send")
            page.locator(".msg.a .row").first.wait_for(timeout=20000)
            assert "<img src=x" in page.locator(".msg.a").first.inner_text()
            page.locator(".msg.a .cardbtn").first.click()  # the official card, rendered from the same title
            assert "<img src=x" in page.locator(".msg.a .card h2").first.inner_text()
            assert "<script>" in page.locator(".msg.q").first.inner_text()
            page.goto(f"{base}/clerk")
            page.fill("#cq", "đăng ký kết hôn")
            page.locator(".hit").first.wait_for(timeout=10000)
            page.keyboard.press("Enter")
            page.locator("#card h2").wait_for(timeout=10000)
            assert page.evaluate("window.pwned") is None
            b.close()
