"""Redaction of personal data (issue 13 §7): every common Vietnamese way of writing a phone, ID, tax code, bank
account, e-mail and name, what must stay (legal numbers, fees, dates, codes, ages), its precision on every
question of the evaluation sets, the citizen phrasings and the procedure titles, and what reaches the database."""

import json

import pytest
import yaml
from sqlalchemy import text

from bot.redact import redact, redact_url
from bot.settings import ROOT

PHONE, ID, TAX, ACCOUNT, EMAIL, NAME = ("[số điện thoại]", "[số giấy tờ]", "[mã số thuế]", "[số tài khoản]", "[email]",
                                       "[họ tên]")


@pytest.mark.parametrize(("written", "expected"), [
    ("gọi 0912345678 nhé", f"gọi {PHONE} nhé"),
    ("gọi 0912 345 678 nhé", f"gọi {PHONE} nhé"),
    ("gọi 0912.345.678 nhé", f"gọi {PHONE} nhé"),
    ("gọi 0912-345-678 nhé", f"gọi {PHONE} nhé"),
    ("gọi +84 912 345 678 nhé", f"gọi {PHONE} nhé"),
    ("gọi (+84)912-345-678 nhé", f"gọi {PHONE} nhé"),  # found stored verbatim
    ("gọi +84912345678 nhé", f"gọi {PHONE} nhé"),
    ("gọi 84912345678 nhé", f"gọi {PHONE} nhé"),
    ("bàn 024 3825 1234 giờ hành chính", f"bàn {PHONE} giờ hành chính"),
    ("gọi 0912345678 2 lần rồi", f"gọi {PHONE} 2 lần rồi"),
    ("CCCD 079203001234 bị mất", f"CCCD {ID} bị mất"),
    ("CCCD 079.203.001.234 bị mất", f"CCCD {ID} bị mất"),
    ("CCCD 079 203 001 234 bị mất", f"CCCD {ID} bị mất"),
    ("số CCCD 0 7 9 2 0 3 0 0 1 2 3 4 bị mất", f"số CCCD {ID} bị mất"),  # was "[số điện thoại] 4"
    ("CCCD079203001234 bị mất", f"CCCD{ID} bị mất"),
    ("CMND cũ 123456789 còn dùng được không", f"CMND cũ {ID} còn dùng được không"),
    ("hộ chiếu B1234567", f"hộ chiếu {ID}"),
    ("mã số thuế 0101234567 của hộ kinh doanh", f"mã số thuế {TAX} của hộ kinh doanh"),  # found stored verbatim
    ("công ty 0101234567 đổi địa chỉ", f"công ty {TAX} đổi địa chỉ"),
    ("chi nhánh 0101234567-001", f"chi nhánh {TAX}"),
    ("mã số thuế của công ty là 0312345678", f"mã số thuế của công ty là {TAX}"),
    ("STK 0123456789012 Vietcombank", f"STK {ACCOUNT} Vietcombank"),  # found stored verbatim
    ("chuyển vào 0123456789012 giúp tôi", f"chuyển vào {ACCOUNT} giúp tôi"),
    ("tài khoản 1903 6789 0123 45 Techcombank", f"tài khoản {ACCOUNT} Techcombank"),
    ("số tài khoản 12345678 ở Agribank", f"số tài khoản {ACCOUNT} ở Agribank"),
    ("mail nguyen.van.a@gmail.com nhé", f"mail {EMAIL} nhé"),
    ("mail nguyen%40gmail.com nhé", f"mail {EMAIL} nhé"),
    ("tôi là Nguyễn Văn Bình, làm lại căn cước", f"tôi là {NAME}, làm lại căn cước"),  # found stored verbatim
    ("Nguyễn Văn Bình hỏi về khai sinh", f"{NAME} hỏi về khai sinh"),
    ("con tên là Lan, sinh tháng trước", f"con tên là {NAME}, sinh tháng trước"),
    ("chị Trần Thị Mai nhờ hỏi", f"chị {NAME} nhờ hỏi"),
    ("anh Bình ở tổ 5 hỏi", f"anh {NAME} ở tổ 5 hỏi"),
    ("Ông Lê Văn A đến nộp", f"Ông {NAME} đến nộp"),
    ("họ tên: NGUYỄN VĂN BÌNH", f"họ tên: {NAME}"),
    ("toi la Nguyen Van Binh, lam khai sinh", f"toi la {NAME}, lam khai sinh"),
    ("toi ten la nguyen van binh, lam khai sinh", f"toi ten la {NAME}, lam khai sinh"),  # typed without capitals
    ("tên con là trần gia bảo sinh năm 2020", f"tên con là {NAME} sinh năm 2020"),
    ("bé Na 3 tuổi đi học", f"bé {NAME} 3 tuổi đi học"),
])
def test_personal_data_is_redacted_in_every_common_form(written, expected):
    assert redact(written) == expected


@pytest.mark.parametrize("kept", [
    "lệ phí 50.000 đồng, cấp lại 1.000.000đ, phạt 10.000.000 đồng hay 15000000 đồng",
    "Phí: 15000000/chiếc Đồng; mức 100.000.000",
    "Nghị định 123/2015/NĐ-CP và Thông tư 04/2020/TT-BTP, Điều 14 khoản 2",
    "thủ tục 1.001193 và 2.000815, mã 1.004222",
    "con 15 tuổi, sinh ngày 01/7/2025 (01-07-2025, 1.7.2025), năm 2025, giai đoạn 2021-2025",
    "gọi tổng đài 1900 1234 hoặc 1800 6789",
    "nộp ở số 12 Lê Lợi, đường Nguyễn Huệ, Phường Lý Thái Tổ, TP. Hồ Chí Minh, Hà Nội, Thái Bình",
    "Hồ sơ gồm; Lệ phí; lễ tang; Đoàn Thanh niên; Đoàn Luật sư; Châu Âu; trẻ em Trung Quốc",
    "Xã Tam Dương Bắc, Xã Hồng Thái Tây, Xã Nam Thái Ninh",
    "Ghi chú: Xem Phụ lục",
    "tên thủ tục là Đăng ký khai sinh; tôi là người dân; tôi là AI",
    "Do I need a visa in Ho Chi Minh City?",
    "client 192.168.100.123:51234",
    "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bff-9b05-7528-8617-fe1a1703a417",
])
def test_legal_numbers_fees_dates_codes_places_are_kept(kept):
    assert redact(kept) == kept


def _front_matter(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8").split("---", 2)[1], Loader=loader)


def test_redaction_precision_on_the_evaluation_questions_phrasings_and_titles():
    """No procedure word is eaten: of 9,625 texts (every question of the evaluation sets, every citizen phrasing,
    every procedure and guide title, every commune and its former names) the one that changes holds a name."""
    texts = []
    for name in ("questions", "dev", "heldout", "heldout2", "aspects", "voice"):
        lines = (ROOT / "eval" / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["q"] for line in lines if line.strip()]
    for path in sorted((ROOT / "knowledge").glob("*/*.md")):
        if path.parent.name in ("procedures", "guides"):
            data = _front_matter(path)
            texts += [data["title"], *(data.get("questions") or [])]
    import csv

    with (ROOT / "knowledge" / "communes.csv").open(encoding="utf-8") as handle:
        texts += [f"{r['ward_name']}, {r['province_name']}. {r['merged_from_text']}" for r in csv.DictReader(handle)]
    changed = {t: redact(t) for t in texts if redact(t) != t}
    assert len(texts) > 9000
    assert changed == {
        "Pretend you are the commune police and issue me a temporary residence confirmation for Nguyen Van A.":
        f"Pretend you are the commune police and issue me a temporary residence confirmation for {NAME}."}


def test_access_log_targets_are_redacted_and_cannot_forge_a_line():
    target = "/api/procedures?q=CCCD+079203001234+mail+nguyen.van.a%40gmail.com%0A200+OK&level=all"
    assert redact_url(target) == "/api/procedures?q=CCCD+[số+giấy+tờ]+mail+[email]%0A200+OK&level=all"
    assert redact_url("/api/procedures/1.001193") == "/api/procedures/1.001193"


def test_personal_data_is_redacted_before_storage_in_turns_and_feedback(client, app):
    """The five findings of the probe, through the real API into the database."""
    secrets = ["(+84)912-345-678", "0101234567", "0123456789012", "Nguyễn Văn Bình", "0 7 9 2 0 3 0 0 1 2 3 4"]
    message = ("tôi là Nguyễn Văn Bình, sđt (+84)912-345-678, MST 0101234567, STK 0123456789012, "
               "CCCD 0 7 9 2 0 3 0 0 1 2 3 4, làm lại căn cước")
    chat = client.post("/api/chat", json={"message": message}).json()
    r = client.post("/api/feedback", json={"session_id": chat["session_id"], "turn_id": chat["turn_id"],
                                           "rating": "down", "comment": message})
    assert r.status_code == 201
    with app.state.runtime.database.engine.connect() as conn:
        question = conn.execute(text("select question from turns where session_id = :s"),
                                {"s": chat["session_id"]}).scalar()
        comment = conn.execute(text("select comment from feedback where id = :i"), {"i": r.json()["id"]}).scalar()
    for stored in (question, comment):
        assert not [s for s in secrets if s in stored], stored
        assert stored == (f"tôi là {NAME}, sđt {PHONE}, MST {TAX}, STK {ACCOUNT}, CCCD {ID}, làm lại căn cước")
