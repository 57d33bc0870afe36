"""Issue 14's loop end to end in a real browser (Debian chromium): a citizen asks on /c/20320 and gets choices; the
commune's clerk, signed in, finds the question in a group on /clerk/unanswered, searches the procedure and proposes
the link; the province approves it on /clerk/proposals; the citizen asks again and is answered with that procedure.
axe-core finds no serious or critical violation on the new pages; screenshots go to test-artifacts/unanswered-*."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database.tables import Turn
from tests.clerks import PASSWORD, add_account
from tests.services import serve_in_thread
from tests.test_browser import ARTIFACTS, CHROMIUM, axe, browser, pw  # noqa: F401 (fixtures)
from tests.test_unanswered import ASKED, TEMPORARY_RESIDENCE, build_loop_app

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "bypass_csp": True}  # axe is injected


@pytest.fixture(scope="module")
def loop_server(tmp_path_factory, kb_dir, embedder):
    app, _, database = build_loop_app(tmp_path_factory.mktemp("unanswered-browser"), kb_dir, embedder)
    for base in serve_in_thread(app):  # the lifespan has migrated the database
        add_account(database, "lan.hoavang")
        add_account(database, "tinh.danang", role="province", commune="", province="48")
        yield base, database


def citizen_asks(browser, base: str, question: str):  # noqa: F811
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base}/c/20320")
    page.fill("#q", question)
    page.click("#send")
    answer = page.locator("#log .msg.a:not(.busy)").first  # the placeholder, then the answer
    answer.wait_for(timeout=20000)
    return page, answer


def sign_in(browser, base: str, path: str, username: str):  # noqa: F811
    page = browser.new_context(**DESK).new_page()
    page.goto(f"{base}{path}")  # not signed in: the login form, then back
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{path}")
    return page


def last_turn(database) -> Turn:
    with Session(database.engine) as s:
        return s.scalars(select(Turn).order_by(Turn.id.desc()).limit(1)).one()


def test_ask_group_link_approve_ask_again_answered(browser, loop_server):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    base, database = loop_server
    citizen, answer = citizen_asks(browser, base, ASKED)
    assert "choices" in (answer.get_attribute("class") or "")  # the bot was not sure: three choices
    assert last_turn(database).kind == "choices"
    citizen.screenshot(path=str(ARTIFACTS / "unanswered-citizen-before-360x740.png"))

    clerk = sign_in(browser, base, "/clerk/unanswered", "lan.hoavang")
    group = clerk.locator("li.group").filter(has_text=ASKED)
    group.wait_for()
    assert "1 câu hỏi" in group.inner_text() and "đưa lựa chọn" in group.inner_text()
    assert axe(clerk) == []
    clerk.screenshot(path=str(ARTIFACTS / "unanswered-groups-1280x900.png"), full_page=True)

    group.get_by_role("link").click()
    clerk.fill("#q", "tạm trú")
    clerk.click("form.search button[type=submit]")
    clerk.check(f"input[name=code][value='{TEMPORARY_RESIDENCE}']")
    assert clerk.is_checked("#ex0")
    assert axe(clerk) == []
    clerk.screenshot(path=str(ARTIFACTS / "unanswered-group-1280x900.png"), full_page=True)
    clerk.get_by_role("button", name="Đề xuất gắn vào thủ tục").click()
    clerk.get_by_text("Đã gửi đề xuất").wait_for()
    assert "Chờ duyệt (1)" in clerk.inner_text("main")
    assert axe(clerk) == []

    province = sign_in(browser, base, "/clerk/proposals", "tinh.danang")
    card = province.locator("li.proposal.pending").filter(has_text=ASKED)
    assert "Đăng ký tạm trú" in card.inner_text() and "lan.hoavang" in card.inner_text()
    assert axe(province) == []
    province.screenshot(path=str(ARTIFACTS / "unanswered-proposals-1280x900.png"), full_page=True)
    card.get_by_role("button", name="Duyệt và áp dụng").click()
    province.get_by_text(f"Đã thêm 1 câu hỏi vào thủ tục {TEMPORARY_RESIDENCE}").first.wait_for()
    assert province.locator("li.proposal.applied").count() == 1

    again, answer = citizen_asks(browser, base, ASKED)
    assert "choices" not in (answer.get_attribute("class") or "")
    assert "Đăng ký tạm trú" in answer.inner_text()
    assert TEMPORARY_RESIDENCE in (answer.text_content() or "")
    turn = last_turn(database)
    assert turn.kind == "answer" and turn.sources[0]["procedure_id"] == TEMPORARY_RESIDENCE
    again.screenshot(path=str(ARTIFACTS / "unanswered-citizen-after-360x740.png"))

    clerk.goto(f"{base}/clerk/unanswered")
    assert clerk.locator("li.group").filter(has_text=ASKED).count() == 0  # decided on, and now answered
