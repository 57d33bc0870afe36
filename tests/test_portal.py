"""The portal's flattened tables, parsed from real records (tests/data holds five of them)."""

import json
from pathlib import Path

import pytest

from ingest.portal import parse_channels, parse_documents, parse_legal_basis, record_to_procedure

DATA = Path(__file__).parent / "data" / "portal-sample.jsonl"


@pytest.fixture(scope="module")
def records():
    return {r["ma_thu_tuc"]: r for r in map(json.loads, DATA.read_text(encoding="utf-8").splitlines())}


def test_birth_registration_is_free_through_all_three_channels(records):
    proc = record_to_procedure(records["1.001193"])
    assert proc.title == "Thủ tục đăng ký khai sinh"
    assert proc.levels == ["commune"]
    assert proc.field == "Hộ tịch"
    assert {c.channel for c in proc.channels} == {"Trực tuyến", "Dịch vụ bưu chính", "Trực tiếp"}
    assert all(c.fee == "Miễn phí" for c in proc.channels)
    numbers = [r.number for r in proc.legal_basis]
    assert "123/2015/NĐ-CP" in numbers and "08/2025/TT-BTP" in numbers
    assert proc.result == "Giấy khai sinh"
    assert proc.source_url.startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")


def test_documents_are_split_with_quantities(records):
    docs = record_to_procedure(records["1.001193"]).documents
    names = [d.name for d in docs]
    assert any(n.startswith("Giấy chứng sinh") for n in names)
    birth = next(d for d in docs if d.name.startswith("Giấy chứng sinh"))
    assert birth.quantity == "1 bản chính"
    assert birth.group == "Giấy tờ phải nộp"
    assert not any(n.startswith(("- ", "+ ")) for n in names)


def test_channels_with_time_units_and_notes():
    raw = ("Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp20 Ngày làm việc2,500,000 Việt Nam Đồng(Phí : Đồng)"
           "20 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ.Dịch vụ bưu chính20 Ngày làm việcMiễn phí")
    chans = parse_channels(raw)
    assert [c.channel for c in chans] == ["Trực tiếp", "Dịch vụ bưu chính"]
    assert chans[0].time == "20 ngày làm việc"
    assert chans[0].fee.startswith("2,500,000 Việt Nam Đồng")
    assert chans[0].note == "20 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ."
    assert chans[1].fee == "Miễn phí"


def test_legal_basis_split_on_glued_numbers():
    raw = ("Tên văn bản pháp lýMã văn bảnLuật Khiếu nại  năm 201102/2011/QH13Quy định quy trình giải quyết "
           "khiếu nại trong công an nhân dân11/2015/TT-BCANghị định 05/2012/NĐ-CP05/2012/NĐ-CP")
    refs = parse_legal_basis(raw)
    assert [r.number for r in refs] == ["02/2011/QH13", "11/2015/TT-BCA", "05/2012/NĐ-CP"]
    assert refs[0].title == "Luật Khiếu nại năm 2011"


def test_empty_marker_means_empty():
    assert parse_documents("Không có thông tin") == []
    assert parse_legal_basis("") == []
