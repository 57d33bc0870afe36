"""Handoff to a person (issue 13 §3, §4) through the real app: asking in words or by the API, the code, the office
hours, a contact only with consent (never logged, deleted on close), the offer after two failed tries, the clerks'
ticket API (every ID-bearing route 404 outside the account's communes), replies reaching only their session, and
the repository on PostgreSQL."""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.database.db import Database
from bot.database.tickets import TicketScope
from bot.errors import InputError
from bot.handoff import VIETNAM, Hours, asks_for_person, code_prefix, parse_contact, ticket_codes
from tests.clerks import add_account, sign_in, signed_in_client, small_app
from tests.test_workers import two_workers  # noqa: F401 (fixture)

OFFICE = """ward_code: '20320'
name: Trung tâm Phục vụ hành chính công xã Hòa Vang
opening_hours:
  weekdays: 07:30-11:30, 13:30-17:00
  saturday: 07:30-11:30
"""
SESSION, OTHER = "a" * 32, "b" * 32
CODE = re.compile(r"^HV-\d{4}$")


@pytest.fixture(scope="module")
def handoff_app(tmp_path_factory, kb_dir, embedder):
    app, settings, database = small_app(tmp_path_factory.mktemp("handoff"), kb_dir, embedder,
                                        handoff_stream_seconds=1.0)
    (settings.knowledge_dir / "offices").mkdir()
    (settings.knowledge_dir / "offices" / "20320.yaml").write_text(OFFICE, encoding="utf-8")
    with TestClient(app) as client:
        add_account(database, "lan.hoavang")  # 20320 Xã Hòa Vang
        add_account(database, "minh.hoatien", commune="20332")  # Xã Hòa Tiến, also in Đà Nẵng (48)
        add_account(database, "tinh.danang", role="province", commune="", province="48")
        add_account(database, "tinh.hanoi", role="province", commune="", province="01")
        yield app, client, database


def test_codes_intent_contacts_and_hours():
    assert code_prefix("Xã Hòa Vang") == "HV" and code_prefix("Xã Hòa Tiến") == "HT"
    assert code_prefix("Phường Ô Chợ Dừa") == "CD"  # O reads as 0: skipped
    assert all(re.match(r"^HV-\d{4}$", c) for c in list(ticket_codes("HV"))[:20])
    for said in ("cho tôi gặp cán bộ", "muốn nói chuyện với người thật", "talk to a person", "gặp người thật",
                 "nói chuyện với nhân viên", "cho toi gap can bo a", "Ich möchte mit einem Menschen sprechen"):
        assert asks_for_person(said), said
    for asked in ("gặp cán bộ địa chính ở đâu để làm sổ đỏ", "đăng ký khai sinh", "cán bộ công chức thi tuyển"):
        assert not asks_for_person(asked), asked
    assert parse_contact(" 0905 123 456 ") == ("phone", "0905123456")
    assert parse_contact("+84 905.123.456") == ("phone", "0905123456")
    assert parse_contact("Lan.Nguyen@Example.VN") == ("email", "Lan.Nguyen@example.vn")
    for bad in ("12345", "0105123456", "lan@", "a@b", "lan@@x.vn", "<script>@x.vn"):
        with pytest.raises(InputError) as err:
            parse_contact(bad)
        assert bad not in str(err.value) and "không hợp lệ" in err.value.message_vi
    hours = Hours("07:30-11:30, 13:30-17:00", "07:30-11:30", "…")
    friday_evening = datetime(2026, 12, 4, 17, 30, tzinfo=VIETNAM)
    assert not hours.open_at(friday_evening) and hours.open_at(datetime(2026, 12, 4, 10, 0, tzinfo=VIETNAM))
    assert hours.next_opening(friday_evening) == datetime(2026, 12, 5, 7, 30, tzinfo=VIETNAM)  # Saturday morning
    saturday_noon = datetime(2026, 12, 5, 12, 0, tzinfo=VIETNAM)
    assert Hours("07:30-17:00", "", "…").next_opening(saturday_noon) == datetime(2026, 12, 7, 7, 30, tzinfo=VIETNAM)


def test_asking_in_words_opens_one_ticket_with_the_office_hours(handoff_app, caplog):
    _, client, database = handoff_app
    caplog.set_level(logging.INFO)
    r = client.post("/api/chat", json={"message": "cho tôi gặp cán bộ", "commune": "20320", "session_id": SESSION})
    body = r.json()
    assert r.status_code == 200 and body["kind"] == "handoff" and body["sources"] == []
    ticket = body["handoff"]
    assert CODE.match(ticket["code"]) and ticket["status"] == "open" and ticket["commune"] == "20320"
    assert ticket["hours"] == {"weekdays": "07:30-11:30, 13:30-17:00", "saturday": "07:30-11:30",
                               "text": "Thứ Hai – Thứ Sáu 07:30–11:30, 13:30–17:00; Thứ Bảy 07:30–11:30"}
    now = datetime.now(VIETNAM)
    assert ticket["on_duty"] == Hours("07:30-11:30, 13:30-17:00", "07:30-11:30", "").open_at(now)
    assert ticket["code"] in body["answer"] and body["answer"] == ticket["message"]
    assert ("Đang trong giờ làm việc" in body["answer"]) == ticket["on_duty"]
    assert ticket["on_duty"] or "Cán bộ sẽ trả lời từ" in body["answer"]  # outside hours: when to expect a reply

    again = client.post("/api/handoff", json={"session_id": SESSION, "commune": "20320"}).json()
    assert again["code"] == ticket["code"] and again["contact_saved"] is False  # one ticket per session
    saved = client.post("/api/handoff", json={"session_id": SESSION, "commune": "20320", "contact": "0905 123 456",
                                              "consent": True})
    assert saved.status_code == 200 and saved.json()["contact_saved"] and "0905" not in saved.text
    assert database.tickets.contact(database.tickets.get(ticket["code"])).value == "0905123456"
    assert "0905" not in caplog.text and "123 456" not in caplog.text

    # no commune (the bare API): where to ask instead, no ticket
    bare = client.post("/api/chat", json={"message": "talk to a person"}).json()
    assert bare["kind"] == "handoff" and bare["handoff"] is None and "commune" in bare["answer"]
    # a commune without published hours: says a clerk replies in working hours, invents none
    hoatien = client.post("/api/handoff", json={"session_id": OTHER, "commune": "20332"}).json()
    assert hoatien["code"].startswith("HT-") and hoatien["hours"] is None and hoatien["on_duty"] is None
    assert hoatien["message"].endswith("Cán bộ sẽ trả lời trong giờ làm việc.")


@pytest.mark.parametrize(("payload", "status", "needle"), [
    ({"session_id": "xyz", "commune": "20320"}, 422, "phiên"),
    ({"session_id": SESSION, "commune": "99999"}, 404, "Không tìm thấy xã"),
    ({"session_id": SESSION, "commune": "20320", "contact": "0905123456"}, 422, "đồng ý"),
    ({"session_id": SESSION, "commune": "20320", "contact": "0905", "consent": True}, 422, "không hợp lệ"),
])
def test_handoff_refuses_bad_requests_in_vietnamese(handoff_app, payload, status, needle):
    r = handoff_app[1].post("/api/handoff", json=payload)
    assert r.status_code == status and needle in r.json()["message"]
    assert "0905" not in r.text


def test_the_bot_offers_a_person_after_two_failed_tries(handoff_app):
    client = handoff_app[1]
    first = client.post("/api/chat", json={"message": "giá vàng hôm nay", "commune": "20320"}).json()
    assert first["kind"] == "refusal" and first["offer_handoff"] is False
    session = first["session_id"]
    second = client.post("/api/chat", json={"message": "thời tiết ngày mai", "session_id": session}).json()
    assert second["kind"] == "refusal" and second["offer_handoff"] is True
    # a thumbs-down counts too
    third = client.post("/api/chat", json={"message": "làm giấy khai sinh cần gì", "commune": "20320"}).json()
    rate = {"session_id": third["session_id"], "turn_id": third["turn_id"], "rating": "down"}
    assert third["offer_handoff"] is False and client.post("/api/feedback", json=rate).json()["offer_handoff"] is False
    fourth = client.post("/api/chat", json={"message": "giá xăng", "session_id": third["session_id"]}).json()
    assert fourth["offer_handoff"] is True
    # with a ticket waiting, no more offers
    client.post("/api/handoff", json={"session_id": session, "commune": "20320"})
    assert client.post("/api/chat", json={"message": "giá vàng", "session_id": session}).json()["offer_handoff"] is False


def test_clerks_see_reply_to_and_close_only_their_communes_tickets(handoff_app):
    app, client, database = handoff_app
    citizen = client.post("/api/chat", json={"message": "nói chuyện với nhân viên <b>ngay</b>", "commune": "20320"})
    code, session = citizen.json()["handoff"]["code"], citizen.json()["session_id"]
    client.post("/api/handoff", json={"session_id": session, "commune": "20320", "contact": "lan@example.vn",
                                      "consent": True})
    lan, lan_csrf = signed_in_client(app, "lan.hoavang")
    minh, minh_csrf = signed_in_client(app, "minh.hoatien")
    tinh, _ = signed_in_client(app, "tinh.danang")
    hanoi, hanoi_csrf = signed_in_client(app, "tinh.hanoi")

    listed = lan.get("/api/clerk/tickets", params={"status": "open"}).json()["tickets"]
    assert code in [t["code"] for t in listed] and all(t["commune"] == "20320" for t in listed)
    assert code in [t["code"] for t in tinh.get("/api/clerk/tickets").json()["tickets"]]  # the province sees it
    for other, csrf in ((minh, minh_csrf), (hanoi, hanoi_csrf)):
        assert code not in [t["code"] for t in other.get("/api/clerk/tickets").json()["tickets"]]
        assert other.get(f"/api/clerk/tickets/{code}").status_code == 404
        r = other.post(f"/api/clerk/tickets/{code}/reply", json={"text": "x"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 404 and r.json()["message"] == "Không tìm thấy yêu cầu này."
        assert other.post(f"/api/clerk/tickets/{code}/close", headers={"X-CSRF-Token": csrf}).status_code == 404
    assert TestClient(app).get("/api/clerk/tickets").status_code == 401

    detail = lan.get(f"/api/clerk/tickets/{code.lower()}").json()
    assert [e["who"] for e in detail["transcript"]] == ["citizen", "bot"]
    assert detail["transcript"][0]["text"] == "nói chuyện với nhân viên <b>ngay</b>"
    assert detail["contact"]["value"] == "lan@example.vn" and "chỉ để trả lời câu hỏi này" in detail["contact"]["consent"]

    reply = {"text": "Chào anh/chị, <script>alert(1)</script> mời mang CCCD đến quầy số 2."}
    assert lan.post(f"/api/clerk/tickets/{code}/reply", json=reply).status_code == 403  # no CSRF token
    r = lan.post(f"/api/clerk/tickets/{code}/reply", json=reply, headers={"X-CSRF-Token": lan_csrf})
    assert r.status_code == 201 and r.json()["code"] == code
    mine = client.get(f"/api/sessions/{session}/messages").json()
    assert [m["text"] for m in mine["messages"]] == [reply["text"]] and mine["tickets"] == [
        {"code": code, "status": "answered"}]
    assert client.get(f"/api/sessions/{session}/messages", params={"after": r.json()["id"]}).json()["messages"] == []
    assert client.get(f"/api/sessions/{OTHER}/messages").json()["messages"] == []  # never another session's
    assert client.get(f"/api/handoff/{code}/events", params={"session_id": OTHER}).status_code == 404
    assert client.get("/api/sessions/not-a-session/messages").status_code == 422
    with client.stream("GET", f"/api/handoff/{code}/events", params={"session_id": session}) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        raw = "".join(events.iter_text())  # the test app ends streams after a second
    assert "event: reply" in raw and "mời mang CCCD" in raw and '"status": "answered"' in raw

    assert lan.post(f"/api/clerk/tickets/{code}/close", headers={"X-CSRF-Token": lan_csrf}).json()["status"] == "closed"
    assert database.tickets.contact(database.tickets.get(code)) is None  # deleted with the close
    assert lan.post(f"/api/clerk/tickets/{code}/reply", json={"text": "còn nữa"},
                    headers={"X-CSRF-Token": lan_csrf}).status_code == 422
    for q in (code, code.replace("-", "").lower(), "quầy số 2", "NHÂN VIÊN"):
        found = lan.get("/api/clerk/tickets", params={"status": "closed", "q": q}).json()["tickets"]
        assert [t["code"] for t in found] == [code], q
    assert lan.get("/api/clerk/tickets", params={"status": "closed", "q": "không có"}).json()["tickets"] == []
    assert [(e.action, e.target) for e in database.audit.recent(2)] == [("ticket-close", code), ("ticket-reply", code)]
    # a new request from the same session after the close: a new ticket
    assert client.post("/api/handoff", json={"session_id": session, "commune": "20320"}).json()["code"] != code


def test_tickets_on_postgresql(postgres_url):
    database = Database(postgres_url)
    database.upgrade()
    tickets = database.tickets
    ticket, new = tickets.open_for(SESSION, "20320", "48", iter(["HV-0001", "HV-0002"]))
    taken, _ = tickets.open_for(OTHER, "20320", "48", iter(["HV-0001", "HV-0002"]))  # the first code is taken
    assert new and ticket.code == "HV-0001" and taken.code == "HV-0002"
    tickets.reply(ticket, "lan.hoavang", "Mời 100% anh_chị đến quầy")
    scope = TicketScope(commune="20320")
    assert [s.ticket.code for s in tickets.search(scope, "answered", "100%")] == ["HV-0001"]
    assert tickets.search(scope, q="hv0002")[0].ticket.code == "HV-0002"
    assert tickets.search(TicketScope(province="01")) == [] and tickets.version(scope) != tickets.version(
        TicketScope(commune="20332"))
    database.dispose()


def test_a_reply_on_one_worker_reaches_a_live_view_on_the_other(two_workers, postgres_url):  # noqa: F811
    """`tthc serve --workers 2` on PostgreSQL: the citizen's stream is on one worker, the clerk's reply is taken by
    the other; the stream sees it at its next look at the database (handoff_poll_seconds, 1 s)."""
    base, _ = two_workers
    add_account(Database(postgres_url), "lan.workers")
    with httpx.Client(base_url=base, timeout=30) as citizen:
        body = citizen.post("/api/chat", json={"message": "cho tôi gặp cán bộ", "commune": "20320"}).json()
    code, session = body["handoff"]["code"], body["session_id"]
    clerk = httpx.Client(base_url=base, timeout=30)
    assert sign_in(clerk, "lan.workers").status_code == 303
    csrf = clerk.get("/api/clerk/me").json()["csrf_token"]
    with httpx.Client(base_url=base, timeout=30) as listener, \
            listener.stream("GET", f"/api/handoff/{code}/events", params={"session_id": session}) as events:
        streaming_on = events.headers["x-served-by"]
        for i in range(40):
            with httpx.Client(base_url=base, timeout=30, cookies=clerk.cookies) as fresh:  # a new connection each time
                r = fresh.post(f"/api/clerk/tickets/{code}/reply", json={"text": f"trả lời {i}"},
                               headers={"X-CSRF-Token": csrf})
            assert r.status_code == 201, r.text
            if r.headers["x-served-by"] != streaming_on:
                break
        else:
            pytest.fail("replies never reached the other worker")
        sent = time.monotonic()
        for line in events.iter_lines():
            if f'"trả lời {i}"' in line:
                break
        waited = time.monotonic() - sent
    clerk.close()
    assert waited < 3.0, waited
    print(f"cross-worker reply -> stream: {waited * 1000:.0f} ms")


def test_handoff_is_rate_limited_like_chat(tmp_path, kb_dir, embedder):
    app, _, _ = small_app(tmp_path, kb_dir, embedder, rate_limit_per_minute=2)
    with TestClient(app) as client:
        codes = [client.post("/api/handoff", json={"session_id": SESSION, "commune": "20320"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.post("/api/chat", json={"message": "cho tôi gặp cán bộ"}).status_code == 429  # one budget
