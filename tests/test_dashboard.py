"""The commune dashboard (issue 14 §1, §2, §4) through the real app and database: events recorded where things happen
(the page, the widget, the API, voice, QR scans, feedback, tickets), the figures of `/api/clerk/analytics` on a
known seeded set, every route scoped to the account (404 outside it), redacted text only, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.charts import safe_cell
from bot.database.analytics import Period, Scope
from bot.database.events import row, vietnam_day
from bot.errors import InputError
from tests.clerks import add_account, signed_in_client, small_app

SEEDED = {"from": "2025-01-01", "to": "2025-01-31"}
SECRET_B = "góp ý riêng của Hòa Tiến"
SECRET_HN = "góp ý riêng của Ba Đình"
INJECTION = '=HYPERLINK("http://example.com/x","bấm vào")'
CHARTS = ("qr_scans", "questions", "answer_kinds", "top_procedures", "top_fields", "feedback", "comments",
          "response", "tickets", "breakdown")
PERSONAL = ("0912 345 678", "0912345678", "079203001234", "0987654321", "001099012345", "Nguyễn Văn An")


def at(day: int, hour: int = 3, month: int = 1, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def seed(database) -> None:
    """A known month: Xã Hòa Vang (20320) and Xã Hòa Tiến (20332) in Đà Nẵng (48), Phường Ba Đình (00004) in Hà Nội."""
    hv = {"commune": "20320", "province": "48"}
    ht = {"commune": "20332", "province": "48"}
    bd = {"commune": "00004", "province": "01"}
    q = "question"
    rows = [
        # Hòa Vang: 3 scans (18:00 UTC on 31 Dec is 1 Jan in Vietnam), not the one of 1 Feb (Vietnam time)
        row("scan", datetime(2024, 12, 31, 18, tzinfo=UTC), channel="qr", **hv), row("scan", at(1), channel="qr", **hv),
        row("scan", at(3), channel="qr", **hv), row("scan", datetime(2025, 1, 31, 20, tzinfo=UTC), channel="qr", **hv),
        row("page_open", at(1), channel="page", **hv), row("page_open", at(2), channel="widget", **hv),
        # 6 questions: page 3, widget 1, voice 1, api 1; latencies 10..400 (median 150)
        row(q, at(1), channel="page", kind="answer", procedure_id="1.001193", field="Hộ tịch", latency_ms=100, **hv),
        row(q, at(1), channel="page", kind="answer", procedure_id="1.001193", field="Hộ tịch", latency_ms=300, **hv),
        row(q, at(1), channel="widget", kind="choices", latency_ms=200, **hv),
        row(q, at(2), channel="voice", kind="answer", procedure_id="1.000894", field="Hộ tịch", latency_ms=400, **hv),
        row(q, at(2), channel="api", kind="refusal", latency_ms=50, **hv),
        row(q, at(3), channel="page", kind="handoff", latency_ms=10, **hv),
        row("feedback", at(1), rating="up", text="rất rõ ràng", procedure_id="1.001193", **hv),
        row("feedback", at(2), rating="up", **hv),
        row("feedback", at(3), rating="down", text=INJECTION, procedure_id="1.001193", **hv),
        row("ticket_opened", at(3), ticket_id=1, **hv), row("ticket_opened", at(4), ticket_id=2, **hv),
        row("ticket_replied", at(3, 4), ticket_id=1, latency_ms=30 * 60_000, **hv),
        row("ticket_closed", at(5), ticket_id=1, latency_ms=2 * 86_400_000, **hv),
        # Hòa Tiến: 1 scan, 2 questions, a comment of its own
        row("scan", at(2), channel="qr", **ht),
        *[row(q, at(2), channel="page", kind="answer", procedure_id="1.001193", field="Hộ tịch", latency_ms=1000,
              **ht) for _ in range(2)],
        row("feedback", at(2), rating="down", text=SECRET_B, **ht),
        # Ba Đình (another province): 5 questions and a comment
        *[row(q, at(4), channel="api", kind="refusal", latency_ms=20, **bd) for _ in range(5)],
        row("feedback", at(4), rating="down", text=SECRET_HN, **bd),
    ]
    database.events.add_many(rows)


@pytest.fixture(scope="module")
def dash(tmp_path_factory, kb_dir, embedder):
    app, _, database = small_app(tmp_path_factory.mktemp("dashboard"), kb_dir, embedder)
    with TestClient(app) as client:
        add_account(database, "lan.hoavang")  # 20320 Xã Hòa Vang
        add_account(database, "minh.hoatien", commune="20332")  # Xã Hòa Tiến, also in Đà Nẵng (48)
        add_account(database, "tinh.danang", role="province", commune="", province="48")
        add_account(database, "tinh.hanoi", role="province", commune="", province="01")
        add_account(database, "quan.tri", role="admin", commune="", province="")
        seed(database)
        clerks = {name: signed_in_client(app, name)[0] for name in
                  ("lan.hoavang", "minh.hoatien", "tinh.danang", "tinh.hanoi", "quan.tri")}
        yield app, client, database, clerks


def _events(database, type_: str, **where):
    from sqlalchemy import select

    from bot.database.events import events_table as e

    query = select(e).where(e.c.type == type_, e.c.created_at > datetime.now(UTC) - timedelta(hours=1))
    for name, value in where.items():
        query = query.where(getattr(e.c, name) == value)
    with database.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query.order_by(e.c.id)).mappings().all()]


def test_questions_are_recorded_with_their_channel_kind_procedure_and_commune(dash):
    app, client, database, _ = dash
    asked = {}
    for via, commune, session in (("page", "20320", "1" * 32), ("widget", "20332", "2" * 32), (None, "", "3" * 32)):
        headers = {"X-Tthc-Client": via} if via else {}
        body = {"message": "đăng ký khai sinh cần những giấy tờ gì", "session_id": session}
        if commune:
            body["commune"] = commune
        r = client.post("/api/chat", json=body, headers=headers)
        assert r.status_code == 200, r.text
        asked[session] = r.json()
    for session, (channel, commune, province) in {"1" * 32: ("page", "20320", "48"), "2" * 32: ("widget", "20332", "48"),
                                                   "3" * 32: ("api", "", "")}.items():
        [event] = database.events.of_session(session)
        assert event["type"] == "question" and event["channel"] == channel
        assert (event["commune"], event["province"]) == (commune, province)
        assert event["kind"] == "answer" and event["procedure_id"] == "1.001193" and event["field"] == "Hộ tịch"
        assert event["turn_id"] == database.conversations.turn_at(session, asked[session]["turn_id"])
        assert isinstance(event["latency_ms"], int) and 0 <= event["latency_ms"] < 60_000
        assert event["day"] == vietnam_day(datetime.now(UTC))

    # streamed from the page, as chat.js asks
    r = client.post("/api/chat", json={"message": "khai sinh lệ phí bao nhiêu", "session_id": "4" * 32,
                                       "commune": "20320", "stream": True}, headers={"X-Tthc-Client": "page"})
    assert r.status_code == 200 and "event: final" in r.text
    assert [(e["channel"], e["kind"]) for e in database.events.of_session("4" * 32)] == [("page", "answer")]

    # a refusal names no procedure; a request for a person is a handoff, and opens a ticket at that commune
    client.post("/api/chat", json={"message": "thời tiết Đà Nẵng hôm nay thế nào", "session_id": "5" * 32,
                                   "commune": "20320"}, headers={"X-Tthc-Client": "widget"})
    [refused] = database.events.of_session("5" * 32)
    assert (refused["kind"], refused["procedure_id"], refused["channel"]) == ("refusal", "", "widget")
    client.post("/api/chat", json={"message": "cho tôi gặp cán bộ", "session_id": "6" * 32, "commune": "20332"},
                headers={"X-Tthc-Client": "page"})
    [handoff] = database.events.of_session("6" * 32)
    assert (handoff["kind"], handoff["commune"], handoff["channel"]) == ("handoff", "20332", "page")
    assert [e["commune"] for e in _events(database, "ticket_opened")] == ["20332"]

    # a spoken question: the same conversation use-case, channel voice
    runtime = app.state.runtime
    runtime.conversation.ask("7" * 32, "làm giấy khai sinh cần gì", runtime.locality("20320"), "voice")
    [spoken] = database.events.of_session("7" * 32)
    assert (spoken["channel"], spoken["commune"], spoken["procedure_id"]) == ("voice", "20320", "1.001193")


def test_scans_page_opens_feedback_and_tickets_are_recorded(dash):
    _, client, database, clerks = dash
    before = len(_events(database, "scan", commune="20320"))
    assert client.get("/c/20320?src=qr").status_code == 200
    assert client.get("/c/20320").status_code == 200
    assert client.get("/c/20320?embed=1").status_code == 200
    assert len(_events(database, "scan", commune="20320")) == before + 1
    assert _events(database, "scan", commune="20320")[-1]["province"] == "48"
    assert [e["channel"] for e in _events(database, "page_open", commune="20320")][-2:] == ["page", "widget"]

    session = "8" * 32
    turn = client.post("/api/chat", json={"message": "đăng ký khai sinh", "session_id": session, "commune": "20320"},
                       headers={"X-Tthc-Client": "widget"}).json()
    r = client.post("/api/feedback", json={"session_id": session, "turn_id": turn["turn_id"], "rating": "down",
                                           "comment": "chưa rõ chỗ nộp"})
    assert r.status_code == 201
    vote = [e for e in database.events.of_session(session) if e["type"] == "feedback"]
    assert len(vote) == 1 and vote[0]["rating"] == "down" and vote[0]["text"] == "chưa rõ chỗ nộp"
    assert (vote[0]["commune"], vote[0]["province"], vote[0]["channel"], vote[0]["procedure_id"]) == (
        "20320", "48", "widget", "1.001193")

    # a ticket: opened, replied to twice (one first-reply event, with its delay), closed once
    client.post("/api/handoff", json={"session_id": session, "commune": "20320"})
    lan = clerks["lan.hoavang"]
    csrf = lan.get("/api/clerk/me").json()["csrf_token"]
    code = database.tickets.of_session(session)[0].code
    for text in ("Chào anh chị", "Mời mang giấy chứng sinh"):
        assert lan.post(f"/api/clerk/tickets/{code}/reply", json={"text": text},
                        headers={"X-CSRF-Token": csrf}).status_code == 201
    assert lan.post(f"/api/clerk/tickets/{code}/close", headers={"X-CSRF-Token": csrf}).status_code == 200
    ticket_id = database.tickets.of_session(session)[0].id
    replied = _events(database, "ticket_replied", ticket_id=ticket_id)
    closed = _events(database, "ticket_closed", ticket_id=ticket_id)
    assert len(_events(database, "ticket_opened", ticket_id=ticket_id)) == 1
    assert len(replied) == 1 and replied[0]["commune"] == "20320" and 0 <= replied[0]["latency_ms"] < 60_000
    assert len(closed) == 1 and closed[0]["province"] == "48"


def test_the_figures_match_a_known_seeded_month(dash):
    _, _, _, clerks = dash
    r = clerks["lan.hoavang"].get("/api/clerk/analytics", params=SEEDED)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "private, no-store"
    got = r.json()
    assert got["scope"] == {"level": "commune", "code": "20320", "name": "Xã Hòa Vang, Thành phố Đà Nẵng"}
    assert (got["from"], got["to"]) == ("2025-01-01", "2025-01-31")
    assert got["qr_scans"]["total"] == 3 and len(got["qr_scans"]["per_day"]) == 31
    assert [d["count"] for d in got["qr_scans"]["per_day"][:4]] == [2, 0, 1, 0]
    assert got["page_opens"] == {"page": 1, "widget": 1}
    assert got["questions"]["total"] == 6
    assert got["questions"]["by_channel"] == {"page": 3, "widget": 1, "voice": 1, "api": 1, "cli": 0}
    assert got["questions"]["per_day"][0] == {"day": "2025-01-01", "page": 2, "widget": 1, "voice": 0, "api": 0,
                                              "cli": 0}
    assert got["answer_kinds"] == {"answer": 3, "choices": 1, "refusal": 1, "handoff": 1}
    assert got["top_procedures"] == [{"code": "1.001193", "title": "Thủ tục đăng ký khai sinh", "count": 2},
                                     {"code": "1.000894", "title": "", "count": 1}]  # not in this knowledge base
    assert got["top_fields"] == [{"field": "Hộ tịch", "count": 3}]
    assert (got["feedback"]["up"], got["feedback"]["down"]) == (2, 1)
    assert [c["text"] for c in got["feedback"]["comments"]] == [INJECTION, "rất rõ ràng"]  # newest first
    assert got["response_ms"] == {"median": 150.0, "count": 6}
    assert got["tickets"] == {"opened": 2, "closed": 1, "replied": 1, "median_first_reply_minutes": 30.0}
    assert got["breakdown"] == {"by": "commune", "rows": []}

    one_day = clerks["lan.hoavang"].get("/api/clerk/analytics", params={"from": "2025-01-02", "to": "2025-01-02"})
    assert one_day.json()["questions"]["by_channel"] == {"page": 0, "widget": 0, "voice": 1, "api": 1, "cli": 0}
    assert one_day.json()["response_ms"] == {"median": 225.0, "count": 2}

    province = clerks["tinh.danang"].get("/api/clerk/analytics", params=SEEDED).json()
    assert province["scope"] == {"level": "province", "code": "48", "name": "Thành phố Đà Nẵng"}
    assert province["qr_scans"]["total"] == 4 and province["questions"]["total"] == 8
    assert province["response_ms"]["median"] == 250.0  # 10 50 100 200 300 400 1000 1000
    assert province["breakdown"] == {"by": "commune", "rows": [
        {"code": "20320", "name": "Xã Hòa Vang", "scans": 3, "questions": 6, "refusals": 1, "handoffs": 1, "up": 2,
         "down": 1},
        {"code": "20332", "name": "Xã Hòa Tiến", "scans": 1, "questions": 2, "refusals": 0, "handoffs": 0, "up": 0,
         "down": 1}]}
    one = clerks["tinh.danang"].get("/api/clerk/analytics", params={**SEEDED, "commune": "20332"}).json()
    assert one["scope"]["code"] == "20332" and one["questions"]["total"] == 2

    everything = clerks["quan.tri"].get("/api/clerk/analytics", params=SEEDED).json()
    assert everything["scope"] == {"level": "all", "code": "", "name": "Cả nước"}
    assert {r["code"]: r["questions"] for r in everything["breakdown"]["rows"]} == {"01": 5, "48": 8}
    assert everything["breakdown"]["by"] == "province"


def test_bad_dates_are_a_clear_422(dash):
    _, _, _, clerks = dash
    lan = clerks["lan.hoavang"]
    for params, says in (({"from": "2025-13-01", "to": "2025-01-31"}, "Ngày không hợp lệ"),
                         ({"from": "01/01/2025"}, "Ngày không hợp lệ"),
                         ({"from": "2025-02-01", "to": "2025-01-01"}, "Ngày bắt đầu phải trước"),
                         ({"from": "2024-01-01", "to": "2025-06-30"}, "tối đa 366 ngày")):
        r = lan.get("/api/clerk/analytics", params=params)
        assert r.status_code == 422 and says in r.json()["message"], (params, r.text)
        page = lan.get("/clerk/dashboard", params=params)
        assert page.status_code == 422 and says in page.text
        assert lan.get("/clerk/dashboard.csv", params={**params, "chart": "qr_scans"}).status_code == 422
    assert lan.get("/clerk/dashboard.csv", params={**SEEDED, "chart": "nonsense"}).status_code == 422
    with pytest.raises(InputError):
        Period.parse("2025-02-30", None)


def test_every_route_is_scoped_to_the_account(dash):
    app, _, _, clerks = dash
    lan, hanoi, danang, admin = clerks["lan.hoavang"], clerks["tinh.hanoi"], clerks["tinh.danang"], clerks["quan.tri"]

    def routes(params):
        yield "/api/clerk/analytics", params
        yield "/clerk/dashboard", params
        for chart in CHARTS:
            yield "/clerk/dashboard.csv", {**params, "chart": chart}

    refused = ((lan, {"commune": "20332"}), (lan, {"province": "48"}), (lan, {"commune": "00004"}),
               (lan, {"commune": "99999"}), (hanoi, {"commune": "20320"}), (hanoi, {"province": "48"}),
               (danang, {"commune": "00004"}), (danang, {"province": "01"}), (admin, {"province": "99"}))
    for who, scope in refused:
        for path, params in routes({**SEEDED, **scope}):
            r = who.get(path, params=params)
            assert r.status_code == 404, (path, params, r.status_code)
            assert SECRET_B not in r.text and SECRET_HN not in r.text
    # what each one sees by default, on every route: its own figures and comments only
    seen = {"lan.hoavang": ("rất rõ ràng", (SECRET_B, SECRET_HN)), "minh.hoatien": (SECRET_B, ("rất rõ ràng", SECRET_HN)),
            "tinh.danang": (SECRET_B, (SECRET_HN,)), "tinh.hanoi": (SECRET_HN, (SECRET_B, "rất rõ ràng"))}
    for name, (mine, others) in seen.items():
        for path, params in routes(SEEDED):
            r = clerks[name].get(path, params=params)
            assert r.status_code == 200, (name, path, params, r.text)
            if path != "/clerk/dashboard.csv" or params["chart"] == "comments":
                assert mine in r.text, (name, path, params)
            assert not any(other in r.text for other in others), (name, path, params)
    hanoi_rows = hanoi.get("/api/clerk/analytics", params=SEEDED).json()["breakdown"]["rows"]
    assert [r["code"] for r in hanoi_rows] == ["00004"]
    # not signed in: 401 on the API, the login form for the page and the CSV
    anonymous = TestClient(app)
    assert anonymous.get("/api/clerk/analytics", params=SEEDED).status_code == 401
    for path in ("/clerk/dashboard", "/clerk/dashboard.csv?chart=comments"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/clerk/login"), path


def test_the_csv_export_is_a_safe_download(dash):
    _, _, _, clerks = dash
    r = clerks["lan.hoavang"].get("/clerk/dashboard.csv", params={**SEEDED, "chart": "comments"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="thong-ke-comments-20320-2025-01-01-2025-01-31.csv"'
    assert r.headers["cache-control"] == "private, no-store"
    assert r.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0] == ["ngay", "danh_gia", "ma_thu_tuc", "xa_phuong", "gop_y"]
    assert rows[1] == ["2025-01-03", "down", "1.001193", "20320", "'" + INJECTION]  # never a live formula
    assert rows[2] == ["2025-01-01", "up", "1.001193", "20320", "rất rõ ràng"]
    for chart, expected in (("qr_scans", ["2025-01-01", "2"]), ("questions", ["2025-01-01", "2", "1", "0", "0", "0", "3"]),
                            ("top_procedures", ["1.001193", "Thủ tục đăng ký khai sinh", "2"]),
                            ("answer_kinds", ["answer", "Trả lời được", "3"]), ("top_fields", ["Hộ tịch", "3"]),
                            ("feedback", ["up", "2"]), ("response", ["trung_vi_ms", "150"]),
                            ("tickets", ["mo", "2"])):
        got = list(csv.reader(io.StringIO(clerks["lan.hoavang"].get(
            "/clerk/dashboard.csv", params={**SEEDED, "chart": chart}).text.lstrip("\ufeff"))))
        assert got[1] == expected, (chart, got[:3])
    province = list(csv.reader(io.StringIO(clerks["tinh.danang"].get(
        "/clerk/dashboard.csv", params={**SEEDED, "chart": "breakdown"}).text.lstrip("\ufeff"))))
    assert province[1:] == [["20320", "Xã Hòa Vang", "3", "6", "1", "1", "2", "1"],
                            ["20332", "Xã Hòa Tiến", "1", "2", "0", "0", "0", "1"]]
    assert [safe_cell(v) for v in ("+1", "-2", "@x", "\tx", "1.001193", "")] == ["'+1", "'-2", "'@x", "'\tx",
                                                                               "1.001193", ""]


def test_phone_and_id_numbers_never_reach_the_dashboard(dash):
    _, client, database, clerks = dash
    session = "9" * 32
    question = "Tôi là Nguyễn Văn An, số điện thoại 0912 345 678, CCCD 079203001234, đăng ký khai sinh cần gì"
    turn = client.post("/api/chat", json={"message": question, "session_id": session, "commune": "20320"},
                       headers={"X-Tthc-Client": "page"}).json()
    client.post("/api/feedback", json={"session_id": session, "turn_id": turn["turn_id"], "rating": "down",
                                       "comment": "gọi lại cho tôi: 0987654321, CCCD 001099012345"})
    stored = database.events.of_session(session)
    assert len(stored) == 2 and all(not any(p in e["text"] for p in PERSONAL) for e in stored)
    assert "[số điện thoại]" in stored[1]["text"] and "[số giấy tờ]" in stored[1]["text"]
    lan = clerks["lan.hoavang"]
    pages = [lan.get("/clerk/dashboard"), lan.get("/api/clerk/analytics"),
             *[lan.get("/clerk/dashboard.csv", params={"chart": c}) for c in CHARTS],
             clerks["tinh.danang"].get("/clerk/dashboard"), clerks["quan.tri"].get("/clerk/dashboard",
                                                                                   params={"commune": "20320"})]
    for r in pages:
        assert r.status_code == 200
        assert not any(p in r.text for p in PERSONAL), r.url
    assert "gọi lại cho tôi: [số điện thoại]" in pages[0].text  # the comment is shown, redacted
    # "Xóa cuộc trò chuyện": the session's words leave the events too; the counts stay
    assert client.delete(f"/api/sessions/{session}").status_code == 200
    assert [(e["type"], e["text"]) for e in database.events.of_session(session)] == [("question", ""),
                                                                                      ("feedback", "")]


def test_the_page_draws_every_chart_with_its_numbers_as_text(dash):
    _, _, _, clerks = dash
    html = clerks["tinh.danang"].get("/clerk/dashboard", params=SEEDED).text
    assert html.count("<svg class=\"cols\"") == 2 and html.count('role="img"') == 2
    assert 'aria-label="Lượt quét mã QR mỗi ngày: tổng 4 lượt trong 31 ngày, nhiều nhất 2 ngày 01/01/2025"' in html
    assert "<caption>Câu hỏi mỗi ngày theo kênh</caption>" in html and "Trang của xã" in html
    assert 'href="/clerk/dashboard?from=2025-01-01&amp;to=2025-01-31&amp;commune=20320">Xã Hòa Vang</a>' in html
    assert html.count(">Tải CSV</a>") == 8 and "<script" not in html
    assert 'href="/clerk/dashboard.csv?from=2025-01-01&amp;to=2025-01-31&amp;chart=qr_scans&amp;province=48"' in html
    assert '<option value="20332">Xã Hòa Tiến</option>' in html


def test_the_queries_scope_by_commune_province_or_everything(dash):
    _, _, database, _ = dash
    month = Period.parse(*SEEDED.values())
    analytics = database.analytics
    assert analytics.answer_kinds(Scope(commune="00004"), month) == {"refusal": 5}
    assert analytics.answer_kinds(Scope(), month) == {}  # no scope: nothing
    assert analytics.qr_scans(Scope(province="48"), month) == {
        datetime(2025, 1, 1).date(): 2, datetime(2025, 1, 2).date(): 1, datetime(2025, 1, 3).date(): 1}
    assert analytics.median_ms(Scope(commune="20320"), month, "ticket_replied") == (1_800_000, 1)
