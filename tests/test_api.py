"""API contract tests on the real app with the real store (subset index)."""

import json

import pytest

from api.schemas import card_of


def test_chat_answers_with_sources_and_session(client):
    r = client.post("/api/chat", json={"message": "lam giay khai sinh can gi", "commune": "20320"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"answer", "language", "in_scope", "sources", "session_id"}
    assert body["in_scope"] is True and body["language"] == "vi"
    assert body["sources"][0]["procedure_id"] == "1.001193"
    assert body["card"]["code"] == "1.001193"
    assert all(c["fee"] == "Miễn phí" for c in body["card"]["channels"])
    assert "[1.001193]" in body["answer"]
    # the same session goes on
    again = client.post("/api/chat", json={"message": "đăng ký kết hôn", "session_id": body["session_id"]}).json()
    assert again["session_id"] == body["session_id"]
    assert again["sources"][0]["procedure_id"] == "1.000894"


def test_chat_out_of_scope(client):
    body = client.post("/api/chat", json={"message": "giá vàng hôm nay"}).json()
    assert body["in_scope"] is False and body["sources"] == []
    assert "thủ tục hành chính" in body["answer"]


def test_chat_stream_sends_tokens_then_final(client):
    with client.stream("POST", "/api/chat", json={"message": "đăng ký tạm trú", "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [block for block in text.strip().split("\n\n") if block]
    assert events[0].startswith("event: token")
    assert events[-1].startswith("event: final")
    final = json.loads(events[-1].split("data: ", 1)[1])
    tokens = "".join(json.loads(e.split("data: ", 1)[1])["text"] for e in events[:-1])
    assert tokens == final["answer"]
    assert final["sources"][0]["procedure_id"] == "1.004194"


@pytest.mark.parametrize(("payload", "status", "needle"), [
    ({"message": ""}, 422, "trống"),
    ({"message": "x" * 2001}, 422, "quá dài"),
    ({"message": "khai sinh", "commune": "99999"}, 404, "Không tìm thấy xã"),
    ({"message": "khai sinh", "session_id": "not-a-session"}, 422, "phiên"),
    ({"text": "khai sinh"}, 422, "Thiếu trường"),
    ({"message": 12}, 422, "không hợp lệ"),
])
def test_chat_bad_input_gets_specific_vietnamese_errors(client, payload, status, needle):
    r = client.post("/api/chat", json=payload)
    assert r.status_code == status
    assert needle in r.json()["message"]
    assert "Traceback" not in r.text


def test_wrong_json_and_oversized_bodies(client):
    r = client.post("/api/chat", content=b'{"message": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["message"]
    r = client.post("/api/chat", content=b"\xff\xfe\x00binary", headers={"content-type": "application/json"})
    assert r.status_code in (400, 422) and "JSON" in r.json()["message"]
    r = client.post("/api/chat", content=b"x" * 70000, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "quá lớn" in r.json()["message"]


def test_feedback_is_stored(client, app):
    chat = client.post("/api/chat", json={"message": "đăng ký khai tử"}).json()
    r = client.post("/api/feedback", json={"session_id": chat["session_id"], "turn_id": chat["turn_id"],
                                           "rating": "down", "comment": "Gọi tôi 0905123456 nhé"})
    assert r.status_code == 201
    assert client.post("/api/feedback", json={"session_id": chat["session_id"], "turn_id": 999999,
                                              "rating": "up"}).status_code == 404
    assert client.post("/api/feedback", json={"session_id": "x", "rating": "up"}).status_code == 422
    # one vote per answer, and a vote is on an answer
    again = client.post("/api/feedback", json={"session_id": chat["session_id"], "turn_id": chat["turn_id"],
                                               "rating": "up"})
    assert again.status_code == 409 and again.json()["message"] == "Bạn đã đánh giá câu trả lời này rồi. Cảm ơn bạn!"
    no_turn = client.post("/api/feedback", json={"session_id": chat["session_id"], "rating": "up"})
    assert no_turn.status_code == 422
    from sqlalchemy import text
    with app.state.runtime.database.engine.connect() as conn:
        comment = conn.execute(text("select comment from feedback order by id desc limit 1")).scalar()
    assert "0905123456" not in comment and "[số điện thoại]" in comment


def test_personal_data_is_redacted_before_storage(client, app):
    chat = client.post("/api/chat", json={"message": "CCCD 012345678901 mất rồi, email a.b@gmail.com, làm lại căn cước"}).json()
    turns = app.state.runtime.database.conversations.turns(chat["session_id"])
    assert "012345678901" not in turns[-1].question and "a.b@gmail.com" not in turns[-1].question


def test_procedure_search_and_card(client):
    res = client.get("/api/procedures", params={"q": "ket hon", "level": "commune"}).json()
    assert res["results"][0]["procedure_id"] == "1.000894"
    card = client.get("/api/procedures/1.001193").json()
    assert card["title"] == "Thủ tục đăng ký khai sinh"
    assert any(d["name"].startswith("Giấy chứng sinh") and d["quantity"] == "1 bản chính" for d in card["documents"])
    assert "123/2015/NĐ-CP" in [r["number"] for r in card["legal_basis"]]
    assert client.get("/api/procedures/9.999999").status_code == 404
    facets = client.get("/api/procedures/facets").json()
    assert "Hộ tịch" in facets["fields"]


def test_procedure_search_by_code_strict_filters_and_the_counter_summary(client, assistant):
    def codes(**params):
        return [h["procedure_id"] for h in client.get("/api/procedures", params={"k": 25, **params}).json()["results"]]

    for code in ("1.001193", " 2.001159 ", "A.BYT.001", "a.byt.001"):
        assert codes(q=code)[0] == code.strip().upper()
    assert codes(q="1.001193") == ["1.001193"]  # a code alone: no unrelated procedures after it
    started = codes(q="1.0011")
    assert "1.001193" in started and all(c.startswith("1.0011") for c in started)
    assert codes(q="khai sinh 1.000894")[:2] == ["1.000894", "1.001193"]  # the code, then the words' results
    assert codes(q="1.001193", level="province") == [] and codes(q="9.999999") == []
    hits = client.get("/api/procedures", params={"q": "khai sinh", "level": "commune", "k": 25}).json()["results"]
    assert hits and all("Cấp xã" in h["level_labels"] for h in hits)  # no guides, no other levels
    assert {h["field"] for h in client.get("/api/procedures", params={"q": "đất", "field": "Đất đai"}).json()["results"]} == {"Đất đai"}
    card = client.get("/api/procedures/1.001193").json()
    assert [b["kind"] for b in card["brief"]] == ["lead", "documents", "special", "link"]
    assert card["brief_text"].startswith("«Thủ tục đăng ký khai sinh» [1.001193]\nNộp tại:")
    for proc in assistant.catalog.procedures.values():  # every summary fits a message, the link last
        text = card_of(proc, with_brief=True).brief_text
        assert len(text) <= 800 and text.endswith(f"\nNguồn chính thức: {proc.source_url}"), proc.code


def test_communes(client):
    hits = client.get("/api/communes", params={"q": "hoa vang"}).json()
    assert hits[0]["ward_code"] == "20320" and hits[0]["ward_name"] == "Xã Hòa Vang"
    assert hits[0]["chat_url"].endswith("/c/20320")
    old = client.get("/api/communes", params={"q": "Hòa Phong"}).json()
    assert "20320" in [c["ward_code"] for c in old]
    assert client.get("/api/communes/20308").json()["ward_name"] == "Xã Bà Nà"
    assert client.get("/api/communes/123").status_code == 404


def test_health_and_docs(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"
    assert "/api/chat" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200


def test_pages_escape_and_count_scans(client, app):
    page = client.get("/c/20320?src=qr")
    assert page.status_code == 200 and "Xã Hòa Vang" in page.text
    assert "content-security-policy" in page.headers
    assert app.state.runtime.database.scans.counts().get("20320", 0) >= 1
    unknown = client.get("/c/<script>alert(1)</script>")
    assert unknown.status_code == 404 and "<script>alert(1)</script>" not in unknown.text
    assert "Tìm xã, phường" in unknown.text
    assert client.get("/?q=<img src=x onerror=alert(1)>").text.count("<img src=x") == 0
    js = client.get("/widget.js")
    assert js.status_code == 200 and "attachShadow" in js.text


def test_follow_up_in_the_same_session(client):
    first = client.post("/api/chat", json={"message": "đăng ký kết hôn cần gì"}).json()
    fee = client.post("/api/chat", json={"message": "còn lệ phí?", "session_id": first["session_id"]}).json()
    assert fee["sources"][0]["procedure_id"] == "1.000894" and "Lệ phí: Miễn lệ phí" in fee["answer"]
    fresh = client.post("/api/chat", json={"message": "còn lệ phí?"}).json()
    assert not fresh["sources"] or fresh["sources"][0]["procedure_id"] != "1.000894" or not fresh["in_scope"]
