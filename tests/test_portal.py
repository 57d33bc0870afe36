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


# ---- legal numbers glued to their neighbours (issue "Answers a citizen can act on", §6) ---------------------
# Real records from the crawl (shared/data/dvc-procedures-2026.jsonl.gz), cut to the fields these tests read.

GLUED = Path(__file__).parent / "data" / "portal-glued-legal.jsonl"


@pytest.fixture(scope="module")
def glued():
    rows = map(json.loads, GLUED.read_text(encoding="utf-8").splitlines())
    return {r["ma_thu_tuc"]: record_to_procedure(r) for r in rows}


def _refs(proc):
    return [(r.number, r.title) for r in proc.legal_basis]


def test_a_date_glued_to_the_number_goes_back_to_the_title(glued):
    # "Luật số 43/2024/QH15 ngày 29/6/" + "2024" + "43/2024/QH15" was read as 202443/2024/QH15
    assert _refs(glued["1.014314"])[0] == ("43/2024/QH15", "Luật số 43/2024/QH15 ngày 29/6/2024")
    # "ngày 25/01/2026" + "40/2026/NĐ-CP"
    assert ("40/2026/NĐ-CP", "Nghị định số 40/2026/NĐ-CP ngày 25/01/2026") in _refs(glued["1.014847"])
    # "ngày 15/5/2026." + "55/2026/TT-BTC" was read as 2026.55/2026/TT-BTC
    assert ("55/2026/TT-BTC", "Thông tư số 55/2026/TT-BTC ngày 15/5/2026.") in _refs(glued["1.009664"])


def test_a_year_glued_to_the_number_goes_back_to_the_title(glued):
    refs = _refs(glued["1.001266"])
    assert refs[-1] == ("76/2025/QH15", "Luật sửa đổi, bổ sung một số điều của Luật Doanh nghiệp 2020")
    numbers = [n for n, _ in _refs(glued["1.000236"])]
    assert numbers == ["51/2019/QH14", "04/2015/TT-BCA", "23/2023/QH15", "22/2023/TT-BCA", "47/2014/QH13"]


def test_a_legislature_is_not_glued_to_the_next_number(glued):
    # "Luật 60/2014/QH13" + "60/2014/QH13" was read as title "Luật 60/2014/QH", number 1360/2014/QH13
    assert ("60/2014/QH13", "Luật 60/2014/QH13") in _refs(glued["2.001023"])
    # the number column here is cut to "106/2025/QH"; the same row's title has the whole number
    assert _refs(glued["1.003091"])[-1] == ("106/2025/QH15", "Luật Thi hành án dân sự số 106/2025/QH15")


def test_a_number_glued_to_the_title_before_it_closes_its_row(glued):
    # "...thuộc phạm vi quản lý của Bộ Tư pháp18/2026/NĐ-CP Nghị định quy định về Cơ sở dữ liệu hộ tịch..."
    refs = _refs(glued["2.002516"])
    assert refs[-2][0] == "18/2026/NĐ-CP"
    assert refs[-2][1].endswith("thuộc phạm vi quản lý của Bộ Tư pháp")
    assert refs[-1] == ("87/2020/NĐ-CP", "Nghị định quy định về Cơ sở dữ liệu hộ tịch điện tử, đăng ký hộ tịch trực tuyến")
    assert "66.7/2025/NQ-CP" in [n for n, _ in refs]


def test_cut_and_odd_issuers(glued):
    # "...cổng Dịch vụ công quốc gia118/2025/NĐ-CLuật số 43/2024/QH15...": a decree is always NĐ-CP
    numbers = [n for n, _ in _refs(glued["1.012812"])]
    assert numbers == ["102/2024/NĐ-CP", "118/2025/NĐ-CP", "43/2024/QH15"]
    # an old State Bank decision keeps its department digit: "Quyết định 92/2000/QĐ-NHNN7" + "92/2000/QĐ-NHNN7"
    assert _refs(glued["1.001963"]) == [
        ("25/2011/TT-NHNN", "Thông tư 25/2011/TT-NHNN"), ("92/2000/QĐ-NHNN7", "Quyết định 92/2000/QĐ-NHNN7"),
    ]
    numbers = [n for n, _ in _refs(glued["2.001023"])]
    assert "08.a/2010/TT-BTP" in numbers and "09b/2013/TT-BTP" in numbers


def test_a_cut_off_number_column_is_completed_from_its_own_title(glued):
    # "...HẢI QUAN.42/2020Nghị định số 46/2020/NĐ-CP46/2020Luật Hải quan 201454"
    assert _refs(glued["3.000140"]) == [
        ("42/2020/TT-BTC", _refs(glued["3.000140"])[0][1]),
        ("46/2020/NĐ-CP", "Nghị định số 46/2020/NĐ-CP"),
        ("", "Luật Hải quan 201454"),  # "54/2014/QH13" cut to "54": no number rather than a wrong one
    ]
    assert _refs(glued["3.000140"])[0][1].startswith("Thông tư số 42/2020/TT-BTC")
    # "...tại Kỳ họp thứ 3" + "23/2022/QĐ-TTg", the title quoting "Quyết định số 23/2022/QĐ-TTg"
    assert _refs(glued["3.000215"])[-1][0] == "23/2022/QĐ-TTg"


def test_garbage_is_not_presented_as_a_number(glued):
    # the portal's "37/2013/2015/TT-NHNN" is neither 37/2013 nor 2013/2015: keep the text, not a number
    assert _refs(glued["1.001473"])[-1] == ("", "Thông tư 37/2013/2015/TT-NHNN")


def test_repaired_records_have_no_glued_numbers(glued):
    from ingest.legal import legal_number_problems

    assert legal_number_problems(glued.values()) == []


def test_a_number_glued_to_a_form_name_is_set_apart(glued):
    doc = glued["1.012501"].documents[0]
    assert doc.name.endswith("Phụ lục II Nghị định số 23/2026/NĐ-CP Mau51.docx")


def test_legal_basis_glued_variants():
    raw = ("Tên văn bản pháp lýMã văn bản73/2025/TT-NHNNSố 73/2025/TT-NHNNLuật Các tổ chức tín dụngLuật số "
           "32/2024/QH15")
    assert [(r.number, r.title) for r in parse_legal_basis(raw)] == [
        ("73/2025/TT-NHNN", "73/2025/TT-NHNN"), ("32/2024/QH15", "Luật Các tổ chức tín dụng"),
    ]
    raw = "Luật Phòng cháy, chữa cháy và cứu nạn,\ncứu hộ105/2025/CP-NĐ"  # issuer typed backwards
    assert parse_legal_basis(raw)[0].number == "105/2025/NĐ-CP"
    raw = "Thông tư số 85/2024/TT-BTС151/2025/TT-BTC"  # a Cyrillic С in the portal's text
    assert [r.number for r in parse_legal_basis(raw)] == ["151/2025/TT-BTC"]
    raw = "Thông tư liên tịch 21/2008/TTLT- BQP-BLĐTBXH-BTC21/2008/TTLT- BQP-BLĐTBXH-BTC"
    assert [r.number for r in parse_legal_basis(raw)] == ["21/2008/TTLT-BQP-BLĐTBXH-BTC"]
