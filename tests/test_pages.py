"""The citizen page, the widget and the clerk page in a real browser at phone size (360×740): answers a citizen can
act on (the short answer first, the checklist, conditional documents collapsed, the official card one tap away),
read aloud with a Stop button, shared phones, layout at the largest text size, the page in English, the widget's
keyboard and scrolling behaviour, axe-core accessibility checks, and the HTTP housekeeping (gzip, caching, favicon).

axe-core comes from npm (package.json at the repository root, `make test` runs `npm ci`) and is injected from
node_modules/: nothing is fetched from the internet while the tests run.
"""

from __future__ import annotations

import gzip
import http.server
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.services import free_port
from tests.test_browser import ARTIFACTS, CHROMIUM, axe, browser, pw, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
# speechSynthesis stand-in: records what would be spoken, "speaks" until cancelled or ended by the test
FAKE_SPEECH = """
window.__spoken = []; window.__cancelled = 0;
const fake = {_u: null, speaking: false, getVoices() { return []; },
  speak(u) { this._u = u; this.speaking = true; window.__spoken.push({text: u.text, lang: u.lang}); },
  cancel() { const u = this._u; this._u = null; this.speaking = false; window.__cancelled++; if (u && u.onerror) u.onerror({}); },
  finish() { const u = this._u; this._u = null; this.speaking = false; if (u && u.onend) u.onend({}); }};
Object.defineProperty(window, "speechSynthesis", {value: fake, configurable: true});
"""


def ask(page, question: str, n: int) -> Any:
    """Ask on the page (or frame locator) and wait for the n-th answer (1-based); returns it."""
    page.locator("#q").fill(question)
    page.locator("#send").click()
    answer = page.locator("#log .msg.a").nth(n - 1)
    answer.locator(".row").wait_for(timeout=20000)
    return answer


def in_view(page, selector: str) -> dict[str, float]:
    return page.evaluate("""(s) => { const r = [...document.querySelectorAll(s)].pop().getBoundingClientRect();
        const bar = document.getElementById("f").getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, bar: bar.top, height: innerHeight}; }""", selector)


def test_housekeeping_gzip_cache_favicon_and_description(client):
    page = client.get("/c/20320", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    html = page.text
    assert '<meta name="description" content="Hỏi đáp thủ tục hành chính 24/7 cho Xã Hòa Vang, Thành phố Đà Nẵng' in html
    script = re.search(r'src="(/static/chat\.js\?v=[0-9a-f]{10})"', html)
    icon = re.search(r'<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]{10})"', html)
    assert script and icon and re.search(r'href="/static/chat\.css\?v=[0-9a-f]{10}"', html)
    js = client.get(script.group(1), headers={"Accept-Encoding": "gzip"})
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert js.headers["content-encoding"] == "gzip" and "function ask(" in js.text
    assert client.get(script.group(1), headers={"If-None-Match": js.headers["etag"]}).status_code == 304
    assert client.get("/static/chat.js").headers["cache-control"] == "no-cache"  # unversioned: revalidate by ETag
    for url in (icon.group(1), "/favicon.ico"):
        fav = client.get(url)
        assert fav.status_code == 200 and fav.headers["content-type"].startswith("image/svg+xml")
        assert fav.text.startswith("<svg") and "viewBox" in fav.text
    assert "<main>" in client.get("/clerk").text
    # the answer stream is never compressed (it must reach the page event by event), the JSON answer is
    with client.stream("POST", "/api/chat", headers={"Accept-Encoding": "gzip"},
                       json={"message": "đăng ký kết hôn cần gì", "stream": True}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
        raw = b"".join(stream.iter_raw())
    events = re.findall(r"^event: (\w+)$", raw.decode("utf-8"), re.M)
    assert events.count("token") >= 2 and events[-1] == "final"
    with client.stream("POST", "/api/chat", headers={"Accept-Encoding": "gzip"},
                       json={"message": "đăng ký kết hôn cần gì"}) as plain:
        assert plain.headers["content-encoding"] == "gzip"
        body = json.loads(gzip.decompress(b"".join(plain.iter_raw())))
    assert body["sources"][0]["procedure_id"] == "1.000894"


def test_acceptance_birth_checklist_fits_two_phone_screens(browser, server):  # noqa: F811
    """A citizen asks "lam giay khai sinh can gi" on a phone: the short answer first, a checklist, the conditional
    documents collapsed, the whole answer within two screens, and the official card on one tap."""
    import httpx

    reply = httpx.post(f"{server}/api/chat", json={"message": "lam giay khai sinh can gi", "commune": "20320"},
                       timeout=30).json()
    kinds = [b["kind"] for b in reply["blocks"]]
    assert {"lead", "documents", "special"} <= set(kinds), kinds
    assert kinds[0] == "lead"
    assert "Trung tâm Phục vụ hành chính công Xã Hòa Vang" in reply["answer"]  # the page's own commune
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/c/20320")
        answer = ask(page, "lam giay khai sinh can gi", 1)
        first = answer.locator(":scope > *").first
        assert "lead" in (first.get_attribute("class") or "")
        assert first.locator(".fact").inner_text() == " ".join(reply["blocks"][0]["lines"])
        question = in_view(page, "#log .msg.q")
        assert 0 <= question["top"] <= 40  # the citizen's own question at the top of the screen
        checklist = answer.locator("ul.check li")
        documents = next(b for b in reply["blocks"] if b["kind"] == "documents")
        assert checklist.count() == len(documents["lines"]) >= 2
        assert any("Giấy chứng sinh" in x for x in checklist.all_inner_texts())
        assert answer.locator("ul.check input[type=checkbox]").count() == checklist.count()
        special = answer.locator("details.special")
        assert special.count() == 1 and special.get_attribute("open") is None  # collapsed
        special_block = next(b for b in reply["blocks"] if b["kind"] == "special")
        assert special.locator("summary").inner_text() == special_block["label"]
        assert not special.locator("li").first.is_visible()
        height = answer.evaluate("e => e.getBoundingClientRect().height")
        assert height <= 2 * 740, f"the answer is {height:.0f} px high, more than two screens"
        page.screenshot(path=str(ARTIFACTS / "acceptance-birth-360x740.png"))
        page.screenshot(path=str(ARTIFACTS / "acceptance-birth-360x740-full.png"), full_page=True)
        # the official card: one tap away, not in the answer text
        card_button = answer.get_by_role("button", name="Xem thủ tục đầy đủ")
        assert card_button.get_attribute("aria-expanded") == "false" and not answer.locator(".card").count()
        card_button.tap()
        card = answer.locator(".cardbox .card")
        card.wait_for()
        assert card.locator("h2").inner_text() == "Thủ tục đăng ký khai sinh"
        assert "Trường hợp trẻ em bị bỏ rơi" in card.inner_text() and "Căn cứ pháp lý" in card.inner_text()
        assert answer.get_by_role("button", name="Ẩn thủ tục đầy đủ").get_attribute("aria-expanded") == "true"
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "acceptance-birth-card-360x740.png"))
        special.locator("summary").click()
        assert special.locator("li").first.is_visible()
        assert axe(page) == []
        print(f"\nbirth answer height at 360x740: {height:.0f} px ({height / 740:.2f} screens)")
    finally:
        context.close()


def test_blocks_render_by_the_contract(browser, server):  # noqa: F811
    """Every block kind, from a canned answer: the lead first, a checklist, conditional documents and the legal basis
    collapsed, steps numbered, one-line facts labelled, only http(s) links, and Vietnamese quotes marked as such
    inside an English answer."""
    final = {
        "answer": "plain text", "kind": "answer", "choices": [], "language": "en", "in_scope": True,
        "session_id": "a" * 32, "turn_id": 1, "generator": "extractive", "card": None,
        "sources": [{"procedure_id": "1.001193", "title": "Thủ tục đăng ký khai sinh", "section": "",
                     "url": "https://dichvucong.gov.vn/p/1"}],
        "blocks": [
            {"kind": "fee", "label": "Fee", "lines": ["Fee: free of charge"], "section": "phi"},
            {"kind": "lead", "label": "«Thủ tục đăng ký khai sinh» [1.001193]", "lines": ["Bring two documents."],
             "section": ""},
            {"kind": "documents", "label": "Documents to bring", "section": "ho-so",
             "lines": ["☐ Giấy chứng sinh (bản chính)", "☐ Tờ khai đăng ký khai sinh (bản chính)"]},
            {"kind": "special", "label": "Special cases (1)", "lines": ["Trẻ em bị bỏ rơi: biên bản"], "section": ""},
            {"kind": "steps", "label": "Steps", "lines": ["Submit", "Collect"], "section": "trinh-tu"},
            {"kind": "legal", "label": "Legal basis", "lines": ["123/2015/NĐ-CP"], "section": "can-cu"},
            {"kind": "time", "label": "Time limit", "lines": ["1 working day"], "section": ""},
            {"kind": "link", "label": "Official source", "lines": ["https://dichvucong.gov.vn/p/1"], "section": ""},
            {"kind": "link", "label": "Bad", "lines": ["javascript:alert(1)"], "section": ""},
            {"kind": "note", "label": "", "lines": ["Guidance only."], "section": ""},
        ]}
    body = "event: final\ndata: " + json.dumps(final, ensure_ascii=False) + "\n\n"
    page = browser.new_page(**PHONE)
    try:
        page.route("**/api/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))
        page.goto(f"{server}/c/20320")
        page.select_option("#lang", "en")
        answer = ask(page, "what do I need for a birth registration", 1)
        assert answer.get_attribute("lang") == "en"
        parts = answer.evaluate("e => [...e.children].map(c => c.className)")
        assert parts[0] == "lead" and parts.index("b kv fee") > 0  # the lead moved first
        assert answer.locator(".lead .fact").inner_text() == "Bring two documents."
        assert answer.locator(".lead .proc").get_attribute("lang") == "vi"
        items = answer.locator("ul.check li")
        assert items.all_inner_texts() == ["Giấy chứng sinh (bản chính)", "Tờ khai đăng ký khai sinh (bản chính)"]
        assert items.first.locator("span").get_attribute("lang") == "vi"  # a Vietnamese quote in an English answer
        items.first.locator("input").check()
        assert answer.locator("details.special").get_attribute("open") is None
        assert answer.locator("details.legal summary").inner_text() == "Legal basis"
        assert answer.locator(".steps ol li").all_inner_texts() == ["Submit", "Collect"]
        assert answer.locator(".kv.fee").inner_text() == "Fee\nfree of charge"  # the label is not repeated
        assert answer.locator(".kv.time b").inner_text() == "Time limit"
        links = answer.locator("a")
        assert links.count() == 1 and links.first.get_attribute("href") == "https://dichvucong.gov.vn/p/1"
        assert links.first.inner_text() == "Thủ tục đăng ký khai sinh [1.001193]"
        assert "javascript" not in answer.inner_html()
        assert answer.locator(".note").inner_text() == "Guidance only."
        assert not answer.locator(".cardbtn").count()  # no card in this answer, so no button
    finally:
        page.close()


def test_follow_up_shows_its_short_answer_first_and_reads_only_that(browser, server):  # noqa: F811
    context = browser.new_context(**PHONE)
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    try:
        page.goto(f"{server}/c/20320")
        ask(page, "lam giay khai sinh can gi", 1)
        follow = ask(page, "mất bao lâu thì có?", 2)
        first = follow.locator(":scope > *").first
        short = first.inner_text()
        assert "thời hạn" in short.lower()
        assert not follow.locator(".card").count()  # the full card is not redrawn, only a button to it
        box = in_view(page, "#log .msg.q")
        assert 0 <= box["top"] and box["bottom"] < box["bar"]  # the follow-up question stays in view
        fact = in_view(page, "#log .msg.a:last-child > :first-child")
        assert box["bottom"] <= fact["top"] and fact["bottom"] < box["bar"]  # its short answer right under it
        page.screenshot(path=str(ARTIFACTS / "follow-up-360x740.png"))

        read = follow.locator(".row .read")
        read.click()
        spoken = page.evaluate("window.__spoken")
        assert len(spoken) == 1 and spoken[0]["lang"] == "vi-VN"
        text = spoken[0]["text"]
        assert 10 < len(text) <= 301 and "http" not in text and "[1.001193]" not in text
        assert text[:40] in " ".join(short.split())  # only the short answer, not the legal text
        stop = follow.get_by_role("button", name="⏹ Dừng đọc")
        assert stop.is_visible() and not read.is_visible()
        assert page.evaluate("document.activeElement.className") == "stop"
        stop.click()
        assert page.evaluate("window.__cancelled") >= 1
        assert read.is_visible() and not stop.is_visible()
        read.click()
        page.evaluate("speechSynthesis.finish()")  # reading ends by itself: the Stop button goes away
        assert read.is_visible() and not stop.is_visible()
        read.click()
        page.keyboard.press("Escape")  # Escape stops reading too
        assert read.is_visible() and not stop.is_visible()
    finally:
        context.close()


def test_shared_phone_votes_stay_after_reload_and_a_new_conversation_forgets(browser, server):  # noqa: F811
    page = browser.new_page(**PHONE)
    try:
        page.goto(f"{server}/c/20320")
        answer = ask(page, "đăng ký kết hôn cần gì", 1)
        answer.get_by_role("button", name="👍 Hữu ích").click()
        answer.get_by_text("Cảm ơn bạn đã góp ý!").wait_for(timeout=5000)
        old_session = page.evaluate("JSON.parse(localStorage.getItem('tthc:20320')).session_id")
        page.reload()
        answer = page.locator("#log .msg.a").first
        answer.locator(".row").wait_for()
        up, down = answer.locator(".fb").nth(0), answer.locator(".fb").nth(1)
        assert up.is_disabled() and down.is_disabled()  # voted, after a reload too
        assert up.get_attribute("aria-pressed") == "true" and down.get_attribute("aria-pressed") == "false"
        assert answer.locator(".thanks").inner_text() == "Cảm ơn bạn đã góp ý!"

        page.click("#bigger")  # a preference, not part of the conversation
        page.get_by_role("button", name="Cuộc trò chuyện mới").click()
        assert page.locator("#log").inner_text() == ""
        stored = page.evaluate("JSON.parse(localStorage.getItem('tthc:20320'))")
        assert stored["turns"] == [] and "session_id" not in stored and stored["fs"] == 20
        assert page.locator("#status").inner_text() == "Đã xóa cuộc trò chuyện trên máy này."
        page.reload()
        assert page.locator("#log .msg").count() == 0
        ask(page, "đăng ký kết hôn cần gì", 1)
        new_session = page.evaluate("JSON.parse(localStorage.getItem('tthc:20320')).session_id")
        assert new_session and new_session != old_session
        assert not page.locator(".fb").first.is_disabled()

        privacy = page.locator("#privacy")  # the privacy notice, with the retention period of the settings
        assert "Câu hỏi được lưu 90 ngày" in privacy.inner_text()
        with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
            page.get_by_role("button", name="Xóa cuộc trò chuyện").click()
        assert deleted.value.status == 200 and new_session in deleted.value.url  # the server forgets it too
        assert deleted.value.json()["turns"] == 1
        assert page.locator("#log .msg.q").count() == 0
        assert "session_id" not in page.evaluate("JSON.parse(localStorage.getItem('tthc:20320'))")
    finally:
        page.close()


def test_largest_text_english_chrome_and_accessibility(browser, server):  # noqa: F811
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/c/20320")
        # the A−/A+ buttons are named by what they show; what they do is their description
        assert page.get_by_role("button", name="A+", exact=True).get_attribute("title") == "Chữ to hơn"
        assert page.get_by_role("button", name="A−", exact=True).count() == 1
        before = axe(page)
        assert before == [], before
        ask(page, "lam giay khai sinh can gi", 1)
        for _ in range(6):
            page.click("#bigger")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "28px"
        page.evaluate("window.scrollTo(0, 0)")
        top = page.evaluate("document.querySelector('header').getBoundingClientRect().height")  # title and toolbar
        assert top <= 740 / 2, f"header and toolbar take {top} px of 740"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / "largest-text-360x740.png"))
        # the input bar is taller now; the last answer still scrolls clear of it
        page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
        last = in_view(page, "#log .msg.a .row")
        assert last["bottom"] <= last["bar"]

        page.select_option("#lang", "en")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.title() == "Administrative procedures Q&A – Xã Hòa Vang"
        assert page.locator("header p").inner_text() == "Thành phố Đà Nẵng · Questions on administrative procedures, 24/7"
        assert page.locator("header h1").get_attribute("lang") == "vi"
        assert page.locator("#q").get_attribute("aria-label") == "Question"
        assert page.locator("#mic").get_attribute("aria-label") == "Ask by voice"
        assert page.locator(".tools").get_attribute("aria-label") == "Tools"
        assert page.locator("#bigger").get_attribute("title") == "Larger text"
        assert page.locator("#new").inner_text() == "New conversation"
        # the earlier Vietnamese question and answer stay Vietnamese; the buttons under it follow the page
        assert page.locator("#log .msg.q").first.get_attribute("lang") == "vi"
        answer = page.locator("#log .msg.a").first
        assert answer.get_attribute("lang") == "vi"
        assert answer.locator(".fb").first.inner_text() == "👍 Helpful"
        assert answer.locator(".fb").first.get_attribute("lang") == "en"
        assert answer.locator(".cardbtn").inner_text() == "Show the full procedure"
        after = axe(page)
        assert after == [], after
        page.select_option("#lang", "de")
        assert page.locator("#send").inner_text() == "Senden" and page.evaluate("document.documentElement.lang") == "de"
        page.reload()
        assert page.locator("#send").inner_text() == "Senden"  # remembered
    finally:
        context.close()


@pytest.fixture(scope="module")
def phone_host(server, tmp_path_factory):  # noqa: F811
    """A long third-party page on another origin, with a cookie bar at the bottom, that embeds the widget above it."""
    root = tmp_path_factory.mktemp("host-phone")
    (root / "index.html").write_text(f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>UBND xã Hòa Vang</title></head>
<body style="margin:0"><main><h1>Cổng thông tin xã Hòa Vang</h1><div style="height:3000px">Tin tức</div></main>
<div id="cookies" style="position:fixed;bottom:0;left:0;right:0;height:70px;background:#222;color:#fff">Cookie</div>
<script src="{server}/widget.js" data-commune="20320" data-offset="80" async></script></body></html>""",
                                     encoding="utf-8")
    port = free_port()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/index.html"
    httpd.shutdown()


def test_widget_on_a_phone_keyboard_scrolling_and_follow_up(browser, phone_host):  # noqa: F811
    context = browser.new_context(**PHONE, bypass_csp=True)
    # in a phone browser scrollIntoView inside the panel scrolls the host page as well (with the keyboard up, which
    # no headless browser has): the chat page must scroll only itself
    context.add_init_script("""const siv = Element.prototype.scrollIntoView; window.__scrolledIntoView = 0;
        Element.prototype.scrollIntoView = function (...a) { window.__scrolledIntoView++; return siv.apply(this, a); };""")
    page = context.new_page()
    try:
        page.goto(phone_host)
        launcher = page.locator("[data-tthc-widget] .btn")
        launcher.wait_for(timeout=10000)
        rect = launcher.bounding_box()
        assert rect and rect["y"] + rect["height"] == pytest.approx(740 - 80, abs=1)  # data-offset: above the bar
        page.evaluate("window.scrollTo(0, 400)")
        launcher.click()
        chat = page.frame_locator("[data-tthc-widget] iframe")
        chat.locator("#q").wait_for()
        frame = next(f for f in page.frames if "/c/20320" in f.url)
        frame.wait_for_function("document.activeElement && document.activeElement.id === 'q'", timeout=5000)
        assert page.evaluate("document.activeElement.hasAttribute('data-tthc-widget')")  # focus is in the panel
        panel = page.locator("[data-tthc-widget] .panel").bounding_box()
        header = frame.evaluate("document.querySelector('header').getBoundingClientRect().height")  # with toolbar
        assert panel and header / panel["height"] <= 0.15, f"header {header} px of a {panel['height']} px panel"
        assert frame.evaluate("document.body.classList.contains('embed')")

        ask(chat, "lam giay khai sinh can gi", 1)
        assert page.evaluate("window.scrollY") == 400  # the host page did not move
        follow = ask(chat, "lệ phí bao nhiêu", 2)
        assert page.evaluate("window.scrollY") == 400
        assert frame.evaluate("window.__scrolledIntoView") == 0
        short = follow.locator(":scope > *").first.inner_text()
        assert "lệ phí" in short.lower() and len(short) < 200  # the one-line answer, first
        spot = frame.evaluate("""() => { const a = [...document.querySelectorAll('#log .msg.a')].pop();
            return {top: a.firstElementChild.getBoundingClientRect().top, height: innerHeight}; }""")
        assert 0 <= spot["top"] < spot["height"] / 2
        page.screenshot(path=str(ARTIFACTS / "widget-phone-360x740.png"))
        inside = axe(frame)
        assert inside == [], inside
        shell = axe(page, "[data-tthc-widget]")
        assert shell == [], shell

        chat.locator("#q").focus()
        page.keyboard.press("Escape")
        page.wait_for_function("!document.querySelector('[data-tthc-widget]').shadowRoot.querySelector('.panel.open')")
        assert launcher.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "btn"  # back on the launcher
        launcher.click()
        frame.wait_for_function("document.activeElement && document.activeElement.id === 'q'", timeout=5000)
        page.locator("[data-tthc-widget] .close").click()  # the ✕ button
        assert not page.locator("[data-tthc-widget] .panel").is_visible()
        assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "btn"
        assert page.evaluate("window.scrollY") == 400
    finally:
        context.close()
