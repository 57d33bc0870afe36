"""A real browser (Debian's chromium, driven by Playwright) on the real app served by uvicorn."""

import http.server
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.settings import ROOT
from tests.services import free_port, serve_in_thread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # from npm (package.json; `make test` runs `npm ci`)


def axe(target: Any, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on a page or frame (its browser context needs bypass_csp: the
    pages allow no inline script, and Playwright injects axe as one)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test runs npm ci)")
    target.add_script_tag(path=str(AXE))
    found = target.evaluate("""async (ctx) => (await axe.run(ctx === "document" ? document : {include: [[ctx]]},
        {resultTypes: ["violations"]})).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))""", context)
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def server(app):
    yield from serve_in_thread(app)


@pytest.fixture(scope="module")
def host_page(server, tmp_path_factory):
    """A plain third-party page on another origin, with hostile styles, that embeds the widget."""
    root = tmp_path_factory.mktemp("host")
    (root / "index.html").write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>UBND xã</title>
<style>* {{ color: red !important; font-size: 40px !important; }} iframe {{ display: none !important; }}
button {{ display: none !important; }}</style></head>
<body><h1>Cổng thông tin xã Hòa Vang</h1><p>Nội dung của trang chủ.</p>
<script src="{server}/widget.js" data-commune="20320" data-color="#0a6e3f" data-position="left" async></script>
</body></html>""", encoding="utf-8")
    port = free_port()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/index.html"
    httpd.shutdown()


@pytest.fixture(scope="module")
def pw():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(pw):
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    yield b
    b.close()


def test_citizen_page_answers_and_survives_reload(browser, server, assistant):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/c/20320?src=qr")
    assert page.locator("header h1").inner_text() == "Xã Hòa Vang"
    page.fill("#q", "lam giay khai sinh can gi")
    page.click("#send")
    answer = page.locator(".msg.a").last
    answer.locator(".row").wait_for(timeout=20000)
    assert "Thủ tục đăng ký khai sinh" in answer.inner_text()
    assert "Giấy chứng sinh" in answer.inner_text()
    link = answer.locator("a[href^='https://']").first
    assert "[1.001193]" in link.inner_text()
    assert link.get_attribute("href") == assistant.catalog.procedures["1.001193"].source_url
    assert link.get_attribute("target") == "_blank"
    answer.locator(".cardbtn").click()  # the official card, one tap away
    card = answer.locator(".card")
    assert card.locator("h2").inner_text() == "Thủ tục đăng ký khai sinh"
    assert "Miễn phí" in card.inner_text()
    page.screenshot(path=str(ARTIFACTS / "citizen-phone-360x740.png"), full_page=True)

    page.reload()
    page.locator(".msg.a .row").first.wait_for(timeout=10000)
    assert page.locator(".msg.q").first.inner_text() == "lam giay khai sinh can gi"
    assert "Thủ tục đăng ký khai sinh" in page.locator(".msg.a").first.inner_text()

    page.click("#bigger")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    page.locator(".fb").first.click()
    page.get_by_text("Cảm ơn bạn đã góp ý!").wait_for(timeout=5000)
    page.close()


def test_citizen_page_desktop_and_english(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/c/20308")
    page.select_option("#lang", "en")
    assert page.locator("#send").inner_text() == "Send"
    page.fill("#q", "How do I register temporary residence?")
    page.press("#q", "Enter")
    page.locator(".msg.a .row").first.wait_for(timeout=20000)
    assert "Đăng ký tạm trú" in page.locator(".msg.a").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "citizen-desktop-1280x900.png"), full_page=True)
    page.close()


def test_widget_on_a_hostile_host_page(browser, host_page):
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    page.goto(host_page)
    button = page.locator("[data-tthc-widget] .btn")
    button.wait_for(timeout=10000)
    assert button.is_visible()  # the host's `button {display:none}` does not reach it
    button.click()
    frame = page.frame_locator("[data-tthc-widget] iframe")
    frame.locator("#q").fill("đăng ký kết hôn cần gì")
    frame.locator("#send").click()
    frame.locator(".msg.a .row").first.wait_for(timeout=20000)
    assert "Thủ tục đăng ký kết hôn" in frame.locator(".msg.a").first.inner_text()
    assert page.locator("h1").evaluate("e => getComputedStyle(e).color") == "rgb(255, 0, 0)"  # host untouched
    page.screenshot(path=str(ARTIFACTS / "widget-on-host-page.png"))
    page.close()


def test_clerk_lookup_at_the_counter(browser, server, assistant):
    """Issue 13 §5 at 1280×900: a code finds its procedure, Enter opens the card on "Sao chép tóm tắt", the card
    leads with the citizen summary (the official text collapsed below), the copy is a short message with the fee
    in force today and the link, filters are strict and in Vietnamese, and the page keeps arrows to itself only
    in the search box and the result list."""
    from datetime import date

    from bot.answers.brief import brief, summary_of
    from bot.answers.fees import fees_in_force, money

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(f"{server}/clerk")
    page.locator(".hit").first.wait_for(timeout=10000)
    assert page.evaluate("document.activeElement.id") == "cq"
    page.keyboard.type(" 1.001193 ")
    page.keyboard.press("Enter")  # one key press from the search box to the copy button
    page.locator("#card h2").wait_for(timeout=10000)
    assert page.evaluate("document.activeElement.id") == "copy"
    page.keyboard.press("ArrowDown")  # the copy button keeps its arrows: nothing moves focus away
    assert page.evaluate("document.activeElement.id") == "copy"
    assert page.locator(".hit .code").all_inner_texts() == ["1.001193"] and page.locator("#count").inner_text() == "1 kết quả"
    assert page.locator("main ul#results > li > button.hit").count() == 1  # a list of buttons in the landmark
    card = page.locator("#card")
    assert card.locator("h2").inner_text() == "Thủ tục đăng ký khai sinh"
    summary = card.locator("section.brief")
    assert summary.locator("h3").inner_text() == "Tóm tắt cho người dân"
    assert [x.split(":")[0] for x in summary.locator(".fact").all_inner_texts()] == ["Nộp tại", "Thời hạn giải quyết", "Lệ phí"]
    assert "Giấy chứng sinh (bản chính)" in summary.locator("ul.check").inner_text()
    height = card.evaluate("e => e.getBoundingClientRect().height")
    assert height <= 900, f"the card is {height:.0f} px high"
    assert not card.locator(".official details[open]").count()
    page.screenshot(path=str(ARTIFACTS / "clerk-1280x900.png"))
    card.locator(".official summary").first.click()
    card.locator(".official summary", has_text="Thành phần hồ sơ").click()
    text = card.inner_text()
    assert "Trực tiếp: thời hạn 1 (Cổng DVC không ghi đơn vị)" in text and "thời hạn 1;" not in text
    assert "0 bản chính" not in text and "Giấy chứng sinh; trường hợp" in text
    page.screenshot(path=str(ARTIFACTS / "clerk-official-open-1280x900.png"), full_page=True)
    violations = axe(page)
    assert violations == [], violations

    # a reduced fee: "c" copies the short message, with the fee in force today and the official link
    proc = assistant.catalog.procedures["1.014064"]
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "cq"
    page.keyboard.type("1.014064")
    page.keyboard.press("Enter")
    page.locator("#card h2", has_text=proc.title).wait_for(timeout=10000)
    page.keyboard.press("c")
    page.get_by_text("✓ Đã sao chép").wait_for(timeout=5000)
    copied = page.evaluate("navigator.clipboard.readText()")
    fee_line = next(x for x in brief(proc, [], "vi")[0].lines if x.startswith("Lệ phí:"))
    in_force = fees_in_force(summary_of(proc), date.today())[0].amount
    assert len(copied) <= 800 and copied.startswith(f"«{proc.title}» [1.014064]")
    assert fee_line in copied and money(in_force or 0) in copied and copied.endswith(proc.source_url)
    page.click("#copyall")
    assert len(page.evaluate("navigator.clipboard.readText()")) > len(copied)

    # filters: strict and in Vietnamese; the level dropdown keeps its arrows; the field filter is searchable
    page.focus("#level")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("[document.activeElement.id, document.activeElement.value]") == ["level", "commune"]
    page.fill("#cq", "khai sinh")
    page.locator(".hit", has_text="Thủ tục đăng ký khai sinh lưu động").wait_for(timeout=10000)
    metas = page.locator(".hit .meta").all_inner_texts()
    assert all(m.startswith("Cấp xã") for m in metas) and page.locator("#count").inner_text().startswith(f"{len(metas)} kết quả")
    assert page.locator("#fields option").count() >= 10 and page.get_attribute("#field", "list") == "fields"
    page.fill("#field", "Chứng thực")
    page.fill("#cq", "bản sao")
    page.wait_for_function("[...document.querySelectorAll('.hit .meta')].every(m => m.textContent.endsWith('· Chứng thực'))"
                           " && document.querySelectorAll('.hit').length > 0", timeout=10000)
    page.keyboard.press("ArrowDown")
    page.wait_for_function("document.activeElement.classList.contains('hit')", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "clerk-filters-1280x900.png"))
    print(f"\nclerk card 1.001193 at 1280x900: {height:.0f} px; summary copy of 1.014064: {len(copied)} characters")
    context.close()


def test_unknown_commune_gets_a_friendly_page(browser, server):
    page = browser.new_page()
    response = page.goto(f"{server}/c/99999")
    assert response.status == 404
    assert "Không tìm thấy xã, phường" in page.locator("h1").inner_text()
    page.fill("input[name=q]", "hoa vang")
    page.click("button[type=submit]")
    page.get_by_text("Xã Hòa Vang, Thành phố Đà Nẵng").wait_for(timeout=5000)
    page.close()


def test_microphone_on_the_chat_page(pw, server, app, settings, assistant, tmp_path):
    """Chromium's fake microphone plays a spoken question; the page records, transcribes and answers."""
    import subprocess

    from bot.voice.service import VoiceService
    from bot.voice.transcribers import FasterWhisperTranscriber, packaged_base_model
    from eval.speech import speak

    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are installed by make test")
    runtime = app.state.runtime
    if runtime.voice_service is None:
        runtime.voice_service = VoiceService(FasterWhisperTranscriber(packaged_base_model(settings.var_dir / "models")))
    spoken = speak("làm giấy khai sinh cho con cần giấy tờ gì", tmp_path / "q", "wav")
    capture = tmp_path / "mic.wav"
    subprocess.run(["sox", str(spoken), "-r", "48000", "-c", "1", "-b", "16", str(capture), "pad", "0.5", "3"],
                   check=True)
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        *FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={capture}%noloop"])
    try:
        page = b.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"{server}/c/20320")
        page.click("#mic")
        page.locator("#rec").wait_for(state="visible", timeout=5000)
        assert "0:0" in page.locator("#rec").inner_text()  # the recording timer runs
        page.wait_for_timeout(6000)
        page.click("#mic")
        page.locator(".heard .said").wait_for(timeout=60000)
        assert "khai sinh" in page.locator(".heard .said").inner_text()
        page.locator(".msg.a .row").first.wait_for(timeout=30000)
        assert "Thủ tục đăng ký khai sinh" in page.locator(".msg.a").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "voice-phone-360x740.png"), full_page=True)
    finally:
        b.close()


def test_denied_microphone_gets_a_clear_message(pw, server):
    """On a phone, after a long answer: the notice shows above the fixed input bar, not under it."""
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*FLAGS, "--deny-permission-prompts"])
    try:
        page = b.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        page.goto(f"{server}/c/20320")
        page.fill("#q", "lam giay khai sinh can gi")
        page.click("#send")
        page.locator(".msg.a .row").first.wait_for(timeout=20000)
        page.click("#mic")
        notice = page.get_by_role("alert")
        notice.wait_for(timeout=10000)
        assert "Trình duyệt không cho dùng micro" in notice.inner_text()
        box, bar = notice.bounding_box(), page.locator("#f").bounding_box()
        assert box and bar and 0 <= box["y"] and box["y"] + box["height"] <= bar["y"]
        page.screenshot(path=str(ARTIFACTS / "mic-denied-360x740.png"))
    finally:
        b.close()


def test_a_generated_answer_streams_as_a_draft_then_settles_checked(browser, settings, llm_assistant):
    from api.app import create_app

    llm, _, _ = llm_assistant("Đăng ký kết hôn không mất lệ phí [1.000894]. Lệ phí là 999.000 đồng [1.000894]. "
                              "Cần mang Tờ khai đăng ký kết hôn [1.000894].", delay=0.12)
    server = serve_in_thread(create_app(settings, assistant=llm))
    url = next(server)
    page = browser.new_page()
    try:
        page.goto(f"{url}/c/20320")
        page.locator("#q").fill("đăng ký kết hôn có mất tiền không")
        page.locator("#send").click()
        draft = page.locator(".msg.a.draft")
        draft.wait_for(timeout=20000)
        assert draft.inner_text().startswith("Đăng ký kết hôn không mất lệ phí [1.000894].")
        answer = page.locator(".msg.a .fact.gen")
        answer.wait_for(timeout=20000)
        assert answer.inner_text() == ("Đăng ký kết hôn không mất lệ phí [1.000894]. "
                                       "Cần mang Tờ khai đăng ký kết hôn [1.000894].")
        assert "999" not in page.locator("#log").inner_text()  # the invented fee never reached the screen
        page.locator(".msg.a .cardbtn").click()  # the official card, one tap under the generated text
        assert page.locator(".msg.a .card h2").inner_text() == "Thủ tục đăng ký kết hôn"
    finally:
        page.close()
        server.close()


def test_an_ambiguous_question_offers_choices_and_a_tap_answers_it(browser, server):
    """On a phone: a question the index is unsure about shows tappable choices; tapping one answers the question
    with that procedure."""
    import httpx

    question = next(q for q in ("giấy tờ nhà đất", "sổ đỏ", "làm giấy tờ đất")
                    if httpx.post(f"{server}/api/chat", json={"message": q}, timeout=30).json()["kind"] == "choices")
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        page.goto(f"{server}/c/20320")
        page.evaluate("localStorage.clear()")
        page.reload()
        page.fill("#q", question)
        page.click("#send")
        chips = page.locator(".msg.a.choices .chip")
        chips.first.wait_for(timeout=20000)
        assert chips.count() >= 2
        assert "Bạn muốn hỏi về thủ tục nào?" in page.locator(".msg.a.choices").inner_text()
        page.screenshot(path=str(ARTIFACTS / "choices-phone-360x740.png"))
        picked = chips.nth(1)
        title = picked.inner_text().split(". ", 1)[1]
        picked.click()
        answer = page.locator(".msg.a:not(.choices)").last
        answer.locator(".row").wait_for(timeout=20000)
        assert title in answer.inner_text()  # answered from the procedure tapped
        answer.locator(".cardbtn").click()
        assert answer.locator(".card h2").inner_text() == title
        page.screenshot(path=str(ARTIFACTS / "choices-answered-360x740.png"), full_page=True)
    finally:
        page.close()
