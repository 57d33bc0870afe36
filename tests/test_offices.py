"""Office details edited by the commune: validation with Vietnamese messages, the YAML written by rename, the audit
row (field names, never a phone number), the citizen page header and "where" answers, another worker, the form,
and injection strings that stay text in a real browser."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

import api.runtime
from api.app import create_app
from bot.database.db import Database
from bot.knowledge.communes import Office, Registry, load_office
from tests.clerks import add_account, form_csrf, signed_in_client, small_app
from tests.services import serve_in_thread
from tests.test_browser import CHROMIUM, FLAGS

DETAILS = {
    "name": "Trung tâm Phục vụ hành chính công xã Hòa Vang",
    "address": "Thôn Dương Lâm 1, xã Hòa Vang, TP Đà Nẵng",
    "hours": {"weekdays": "7h30-11h30, 13:30 - 17:00", "saturday": "07:30-11:30"},
    "phone": "0236 3791 234",
    "map_url": "https://maps.google.com/?q=15.9875,108.057",
    "notes": "Tiếp nhận hồ sơ trực tuyến 24/7 qua Cổng Dịch vụ công.",
}
HOURS_TEXT = "Thứ Hai – Thứ Sáu 07:30–11:30, 13:30–17:00; Thứ Bảy 07:30–11:30"


@pytest.fixture(scope="module")
def office_app(tmp_path_factory, kb_dir, embedder):
    app, settings, database = small_app(tmp_path_factory.mktemp("offices"), kb_dir, embedder)
    with TestClient(app):
        add_account(database, "lan.hoavang")
        client, csrf = signed_in_client(app, "lan.hoavang")
        yield app, settings, database, client, csrf


def office_file(settings, code: str = "20320") -> Path:
    return settings.knowledge_dir / "offices" / f"{code}.yaml"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "gọi 113 nhé", "Số điện thoại không hợp lệ: mỗi số gồm 8–15 chữ số"),
    ("phone", "0236", "Số điện thoại không hợp lệ"),
    ("map_url", "http://maps.google.com/?q=15.98,108.05", "Liên kết bản đồ phải là một liên kết https://"),
    ("map_url", "javascript:alert(1)", "Liên kết bản đồ phải là một liên kết https://"),
    ("address", "Thôn Dương Lâm " * 334, "Địa chỉ quá dài (tối đa 300 ký tự)."),
    ("notes", 'Xem <a href="https://x.y">đây</a>', "Ghi chú không được chứa thẻ HTML"),
    ("name", "Trung tâm\x00\x1b[31m", "Tên nơi tiếp nhận hồ sơ chứa ký tự điều khiển"),
    ("name", "Trung tâm \u202eTPHCM", "ký tự đảo chiều văn bản"),
    ("hours", {"weekdays": "17:00-07:30", "saturday": ""}, "Giờ làm việc từ Thứ Hai đến Thứ Sáu phải có dạng 07:30-11:30"),
    ("hours", {"weekdays": "", "saturday": "sáng thứ bảy"}, "Giờ làm việc Thứ Bảy phải có dạng"),
])
def test_bad_details_get_a_vietnamese_422_and_change_nothing(office_app, field, value, message):
    _, settings, _, client, csrf = office_app
    before = office_file(settings).read_bytes() if office_file(settings).exists() else None
    r = client.put("/api/clerk/offices/20320", json={**DETAILS, field: value}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_input" and message in r.json()["message"]
    after = office_file(settings).read_bytes() if office_file(settings).exists() else None
    assert after == before


def test_unknown_fields_and_wrong_types_are_422_too(office_app):
    _, _, _, client, csrf = office_app
    r = client.put("/api/clerk/offices/20320", json={**DETAILS, "email": "x@y.vn"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["message"] == "Trường 'email' không được hỗ trợ."
    r = client.put("/api/clerk/offices/20320", json={**DETAILS, "phone": 2363791234}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "phone" in r.json()["message"]


def test_a_save_writes_the_yaml_by_rename_and_audits_field_names_only(office_app, caplog):
    _, settings, database, client, csrf = office_app
    path = office_file(settings)
    path.unlink(missing_ok=True)
    caplog.set_level(logging.INFO)
    r = client.put("/api/clerk/offices/20320", json=DETAILS, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["changed"] == ["name", "address", "hours", "phone", "map_url", "notes"]
    assert saved["hours"] == {"weekdays": "07:30-11:30, 13:30-17:00", "saturday": "07:30-11:30"}
    assert saved["hours_text"] == HOURS_TEXT and saved["commune"] == "Xã Hòa Vang"

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data == {"ward_code": "20320", "name": DETAILS["name"], "address": DETAILS["address"], "hours": HOURS_TEXT,
                    "opening_hours": {"weekdays": "07:30-11:30, 13:30-17:00", "saturday": "07:30-11:30"},
                    "phone": "0236 3791 234", "map_url": DETAILS["map_url"], "notes": DETAILS["notes"]}
    office = load_office(path, Registry.load(settings.knowledge_dir))  # exactly as ingest reads it
    assert office.hours == HOURS_TEXT and office.phone == "0236 3791 234"

    inode = path.stat().st_ino
    r = client.put("/api/clerk/offices/20320", json={**DETAILS, "phone": "0236 3791 235"},
                   headers={"X-CSRF-Token": csrf})
    assert r.json()["changed"] == ["phone"]
    assert path.stat().st_ino != inode  # a new file renamed over the old one, never rewritten in place
    assert [p.name for p in path.parent.iterdir()] == ["20320.yaml"]  # no temp file left behind
    same = client.put("/api/clerk/offices/20320", json={**DETAILS, "phone": "0236 3791 235"},
                      headers={"X-CSRF-Token": csrf})
    assert same.json()["changed"] == [] and path.stat().st_ino != inode

    entries = database.audit.recent(3, target="20320", action="office-update")
    assert [(e.who, e.detail["changed"]) for e in entries] == [
        ("lan.hoavang", []), ("lan.hoavang", ["phone"]),
        ("lan.hoavang", ["name", "address", "hours", "phone", "map_url", "notes"])]
    assert entries[0].created_at >= entries[1].created_at >= entries[2].created_at
    written = "\n".join(r.getMessage() for r in caplog.records)
    assert "office details of 20320 saved by lan.hoavang: phone" in written
    assert "3791" not in written and "3791" not in str([e.detail for e in entries])  # no phone number anywhere
    assert client.get("/api/clerk/offices/20320").json()["phone"] == "0236 3791 235"


def test_the_details_reach_the_citizen_page_and_every_where_answer(office_app):
    app, _, _, client, csrf = office_app
    r = client.put("/api/clerk/offices/20320", json=DETAILS, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    citizen = TestClient(app)
    page = citizen.get("/c/20320").text
    header = page[page.index('<div class="office">'):page.index("</header>")]
    assert f"<div>{DETAILS['name']}</div>" in header
    assert f'<span data-t="addr">Địa chỉ: </span>{DETAILS["address"]}' in header
    assert f'<span data-t="hours">Giờ làm việc: </span>{HOURS_TEXT}' in header
    assert '<span data-t="phone">Điện thoại: </span>0236 3791 234' in header
    assert f'<a href="{DETAILS["map_url"]}" rel="noopener noreferrer" target="_blank">Xem bản đồ</a>' in header
    assert '<div class="office">' not in citizen.get("/c/20332").text  # a commune without details: nothing invented

    answer = citizen.post("/api/chat", json={"message": "làm giấy khai sinh ở đâu", "commune": "20320"}).json()
    assert answer["kind"] == "answer" and answer["sources"][0]["procedure_id"] == "1.001193"
    assert f"Địa chỉ: {DETAILS['address']}; Giờ làm việc: {HOURS_TEXT}; Điện thoại: 0236 3791 234." in answer["answer"]
    where = next(b for b in answer["blocks"] if b["kind"] == "lead")
    assert any(DETAILS["address"] in line for line in where["lines"])
    assert citizen.get("/api/communes/20320").json()["office"] == {
        "name": DETAILS["name"], "address": DETAILS["address"], "hours": HOURS_TEXT, "phone": "0236 3791 234",
        "map_url": DETAILS["map_url"], "notes": DETAILS["notes"]}

    # cleared fields disappear from the page and the answer: nothing is kept or guessed
    r = client.put("/api/clerk/offices/20320", json={"address": DETAILS["address"]}, headers={"X-CSRF-Token": csrf})
    assert r.json()["hours_text"] == ""
    page = citizen.get("/c/20320").text
    assert "Giờ làm việc:" not in page and "0236" not in page and "Xem bản đồ" not in page
    answer = citizen.post("/api/chat", json={"message": "làm giấy khai sinh ở đâu", "commune": "20320"}).json()
    assert f"Địa chỉ: {DETAILS['address']}." in answer["answer"] and "Giờ làm việc" not in answer["answer"]


def test_another_worker_serves_the_new_details_within_seconds(office_app, monkeypatch):
    """A second app over the same files and database is a second worker: it has its own Runtime, and picks up the
    saved details from the offices version (checked every RELOAD_CHECK_SECONDS; shortened here)."""
    app, settings, _, client, csrf = office_app
    other = create_app(settings, assistant=app.state.runtime.assistant, database=Database(settings.db_url))
    with TestClient(other) as second:
        client.put("/api/clerk/offices/20320", json=DETAILS, headers={"X-CSRF-Token": csrf})
        time.sleep(0.05)
        assert second.get("/api/communes/20320").json()["office"]["address"] == DETAILS["address"]
        monkeypatch.setattr(api.runtime, "RELOAD_CHECK_SECONDS", 0.2)
        moved = {**DETAILS, "address": "Số 2 Nguyễn Văn Linh, xã Hòa Vang"}
        started = time.monotonic()
        assert client.put("/api/clerk/offices/20320", json=moved, headers={"X-CSRF-Token": csrf}).status_code == 200
        seen = ""
        while time.monotonic() - started < 10 and seen != moved["address"]:
            seen = second.get("/api/communes/20320").json()["office"]["address"]
            time.sleep(0.05)
        assert seen == moved["address"]
        assert time.monotonic() - started < 2
        assert moved["address"] in second.get("/c/20320").text


def test_the_office_form_saves_and_explains_mistakes(office_app):
    _, settings, _, client, _ = office_app
    page = client.get("/clerk/office")
    assert page.status_code == 200 and "Thông tin nơi tiếp nhận hồ sơ" in page.text and "lan.hoavang" in page.text
    csrf = form_csrf(page.text)
    fields = {"csrf_token": csrf, "commune": "20320", "name": DETAILS["name"], "address": "Thôn Dương Lâm 2",
              "weekdays": "07:30-11:30, 13:30-17:00", "saturday": "", "phone": "0236 3791 234",
              "map_url": "", "notes": "Dòng một\r\nDòng hai"}
    bad = client.post("/clerk/office", data={**fields, "phone": "không có"})
    assert bad.status_code == 422 and "Số điện thoại không hợp lệ" in bad.text
    assert 'value="Thôn Dương Lâm 2"' in bad.text and 'value="không có"' in bad.text  # what was typed stays
    r = client.post("/clerk/office", data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/clerk/office?commune=20320&saved=1"
    done = client.get(r.headers["location"])
    assert "Đã lưu." in done.text and 'value="Thôn Dương Lâm 2"' in done.text
    assert ">Dòng một\nDòng hai</textarea>" in done.text
    office = Office.model_validate(yaml.safe_load(office_file(settings).read_text(encoding="utf-8")))
    assert (office.address, office.hours, office.notes) == ("Thôn Dương Lâm 2",
                                                           "Thứ Hai – Thứ Sáu 07:30–11:30, 13:30–17:00",
                                                           "Dòng một\nDòng hai")


def test_a_hand_written_office_file_keeps_working(office_app):
    """Files written before the structured hours (free-text `hours`) load as they are."""
    app, settings, _, client, _ = office_app
    office_file(settings, "20332").write_text("ward_code: '20332'\naddress: Thôn 5, xã Hòa Tiến\n"
                                              "hours: Thứ Hai – Thứ Sáu, 7:30–17:00\n", encoding="utf-8")
    app.state.runtime.reload_offices()
    assert "Thứ Hai – Thứ Sáu, 7:30–17:00" in TestClient(app).get("/c/20332").text
    assert client.get("/api/clerk/offices/20332").status_code == 404  # still not this clerk's commune
    office_file(settings, "20332").unlink()
    app.state.runtime.reload_offices()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")
def test_injection_strings_in_office_details_stay_text_in_the_browser(office_app):
    from playwright.sync_api import sync_playwright

    app, _, _, _, _ = office_app
    details = {"name": 'Trung tâm "Một cửa" <3 & \'Hòa Vang\'', "address": '" autofocus onfocus="alert(1)" x="',
               "weekdays": "07:30-11:30", "saturday": "", "phone": "",
               "map_url": "https://maps.example.org/?q=15.98,108.05&z=17",
               "notes": "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}} ${alert(1)}"}
    served = serve_in_thread(app)
    server = next(served)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{server}/clerk/office")
            assert page.url.endswith("/clerk/login?next=/clerk/office")
            page.fill("#username", "lan.hoavang")
            page.fill("#password", "mat-khau-du-dai-2026")
            page.click("button[type=submit]")
            page.wait_for_url("**/clerk/office")

            page.fill("#notes", "<img src=x onerror=alert(1)>")  # a tag is refused, and shown back as text
            page.click("form.card button[type=submit]")
            assert "Ghi chú không được chứa thẻ HTML" in page.locator(".error").inner_text()
            assert page.locator("#notes").input_value() == "<img src=x onerror=alert(1)>"
            assert page.locator("img").count() == 0

            for field, value in details.items():
                page.fill(f"#{field}", value)
            page.click("form.card button[type=submit]")
            page.wait_for_url("**saved=1")
            assert page.locator("#address").input_value() == details["address"]

            page.goto(f"{server}/c/20320")
            office = page.locator("header .office")
            lines = office.locator("div").all_inner_texts()
            assert lines[0] == details["name"] and lines[1] == "Địa chỉ: " + details["address"]
            assert lines[2] == "Giờ làm việc: Thứ Hai – Thứ Sáu 07:30–11:30" and lines[3] == details["notes"]
            tags = page.evaluate("[...document.querySelectorAll('header .office *')].map(n => n.tagName)")
            assert tags == ["DIV", "DIV", "SPAN", "DIV", "SPAN", "DIV", "DIV", "A"]  # no element came from the data
            assert office.locator("a").get_attribute("href") == details["map_url"]
            assert page.evaluate("document.querySelectorAll('[onfocus],[autofocus],[x]').length") == 0
            assert dialogs == []
            browser.close()
    finally:
        served.close()
