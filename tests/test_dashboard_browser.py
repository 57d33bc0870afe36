"""The commune dashboard in a real browser (Debian chromium): questions typed on the commune page and in the widget's
panel become events with their channel; a clerk signs in and sees the charts drawn (screenshots at 1280×900 and
360×740 in test-artifacts/), axe-core finds no serious or critical violation, nothing breaks the page's CSP or
overflows a phone's width, and a chart's CSV downloads with its data. A province account sees its communes' table."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.clerks import PASSWORD, add_account, small_app
from tests.services import serve_in_thread
from tests.test_browser import ARTIFACTS, CHROMIUM, axe, browser, pw  # noqa: F401 (fixtures)
from tests.test_dashboard import SEEDED, seed

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
MONTH = f"from={SEEDED['from']}&to={SEEDED['to']}"


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory, kb_dir, embedder):
    app, _, database = small_app(tmp_path_factory.mktemp("dashboard-browser"), kb_dir, embedder)
    for base in serve_in_thread(app):  # the lifespan has migrated the database
        add_account(database, "lan.hoavang")
        add_account(database, "tinh.danang", role="province", commune="", province="48")
        seed(database)
        yield base, database


def sign_in(context, base: str, username: str, path: str):
    page = context.new_page()
    page.goto(f"{base}{path}")  # not signed in: the login form, then back to the same view, dates included
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{path}")
    return page


def test_questions_from_the_page_and_the_widget_are_counted_by_channel(browser, dashboard_server):  # noqa: F811
    base, database = dashboard_server
    for path in ("/c/20320", "/c/20320?embed=1"):
        context = browser.new_context(**PHONE)  # a browser of its own: no conversation restored
        page = context.new_page()
        page.goto(f"{base}{path}")
        page.fill("#q", "làm giấy khai sinh cần gì")
        page.click("#send")
        page.locator("#log .msg.a .row").first.wait_for(timeout=20000)
        context.close()
    from sqlalchemy import select

    from bot.database.events import events_table as e

    after = date.fromisoformat(SEEDED["to"])
    with database.engine.connect() as conn:
        asked = conn.execute(select(e.c.channel, e.c.commune, e.c.procedure_id).where(
            e.c.type == "question", e.c.day > after).order_by(e.c.id)).all()
        opened = conn.execute(select(e.c.channel).where(e.c.type == "page_open", e.c.day > after)
                              .order_by(e.c.id)).scalars().all()
    assert [tuple(r) for r in asked] == [("page", "20320", "1.001193"), ("widget", "20320", "1.001193")]
    assert opened == ["page", "widget"]


def test_the_dashboard_draws_its_charts_on_a_desk_and_a_phone(browser, dashboard_server):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    base, _ = dashboard_server
    path = f"/clerk/dashboard?{MONTH}"
    # first without bypassing the CSP: nothing on the page may be refused (no inline style or script)
    strict = browser.new_context(**DESK)
    refused: list[str] = []
    page = sign_in(strict, base, "lan.hoavang", path)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert refused == []
    strict.close()

    context = browser.new_context(**DESK, bypass_csp=True, accept_downloads=True)
    page = sign_in(context, base, "lan.hoavang", path)
    assert page.locator("header h1").inner_text() == "Thống kê hỏi đáp"
    assert "Xã Hòa Vang" in page.locator("header p").first.inner_text()
    charts = page.locator("svg.cols")
    assert charts.count() == 2
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 500 and box["height"] > 100
        assert charts.nth(i).locator("rect").count() >= 2  # drawn columns, not an empty frame
    bars = page.locator("ul.bars svg.bar rect")
    assert bars.count() >= 8
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    assert max(widths) > 200  # the longest bar spans its row
    top = page.locator("#c-top + figure, section[aria-labelledby=c-top]").first.inner_text()
    assert "Thủ tục đăng ký khai sinh (1.001193)" in top
    kpis = page.locator(".kpis").inner_text()
    assert "Câu hỏi\n6" in kpis and "150 ms" in kpis and "30 phút" in kpis
    assert page.get_attribute("svg.cols >> nth=0", "aria-label") == (
        "Lượt quét mã QR mỗi ngày: tổng 3 lượt trong 31 ngày, nhiều nhất 2 ngày 01/01/2025")
    violations = axe(page)
    assert violations == [], violations
    page.screenshot(path=str(ARTIFACTS / "dashboard-1280x900.png"), full_page=True)

    # the CSV of the top procedures, as the browser downloads it
    with page.expect_download() as info:
        page.locator("section[aria-labelledby=c-top] .csv a").click()
    download = info.value
    assert download.suggested_filename == "thong-ke-top-procedures-20320-2025-01-01-2025-01-31.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows == [["ma_thu_tuc", "ten_thu_tuc", "so_cau_hoi"], ["1.001193", "Thủ tục đăng ký khai sinh", "2"],
                    ["1.000894", "", "1"]]
    context.close()

    phone = browser.new_context(**PHONE, bypass_csp=True)
    page = sign_in(phone, base, "lan.hoavang", path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    box = page.locator("svg.cols").first.bounding_box()
    assert box and 250 < box["width"] <= 360
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.bars .label')).fontSize)")
    assert size >= 14
    violations = axe(page)
    assert violations == [], violations
    page.screenshot(path=str(ARTIFACTS / "dashboard-360x740.png"))
    page.screenshot(path=str(ARTIFACTS / "dashboard-360x740-full.png"), full_page=True)
    phone.close()


def test_a_province_sees_its_communes_and_picks_one(browser, dashboard_server):  # noqa: F811
    base, _ = dashboard_server
    context = browser.new_context(**DESK, bypass_csp=True)
    page = sign_in(context, base, "tinh.danang", f"/clerk/dashboard?{MONTH}")
    table = page.locator("section[aria-labelledby=c-breakdown] table")
    assert [table.locator("tbody th").nth(i).inner_text() for i in range(2)] == ["Xã Hòa Vang", "Xã Hòa Tiến"]
    assert axe(page) == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-province-1280x900.png"), full_page=True)
    page.select_option("#commune", "20332")
    page.click(".period button[type=submit]")
    page.wait_for_url("**commune=20332**")
    assert "Xã Hòa Tiến" in page.locator("header p").first.inner_text()
    assert "Câu hỏi\n2" in page.locator(".kpis").inner_text()
    context.close()
