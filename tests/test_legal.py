"""The legal-number validator (ingest/legal.py) on good and bad numbers and texts."""

import pytest

from bot.knowledge.models import Channel, LegalRef, Procedure
from ingest.legal import cut_issuer, glued_fragments, legal_number_problems, number_problem, unglue

GOOD = [
    "43/2024/NĐ-CP", "08/2025/TT-BTP", "60/2014/QH13", "106/2025/QH15", "66.7/2025/NQ-CP", "66.19/2026/NQ-CP",
    "1898/QĐ-BTP", "09/2023/QĐ-TTg", "11/2016/TTLT-BTP-TANDTC-VKSNDTC", "01/2021/NQ-HĐND", "26/2005/PL-UBTVQH11",
    "1210/2016/UBTVQH13", "21/2014/L-CTN", "09/VBHN-VPQH", "4533/BHXH-CSXH", "885/QĐ-BCA-C06",
    "92/2000/QĐ-NHNN7", "08.a/2010/TT-BTP", "30a/2008/NQ-CP", "01/2014/NQLT-CP-UBTƯMTTQVN",
]
BAD = [
    "202443/2024/QH15",  # a date's year glued in front
    "202640/2026/NĐ-CP",
    "2026.55/2026/TT-BTC",
    "1360/2014/QH13",  # the title's "QH13" glued in front
    "15106/2025/QH",
    "118/2025/NĐ-C",  # cut issuer
    "60/2014/QH",
    "40/2029/QH14",  # year out of range (the portal's typo for 2019)
    "78/2006/QH10",  # the 10th legislature sat 1997-2002
    "225/NĐ-CP",  # a decree without its year
    "37/2013/2015/TT-NHNN",
    "13/TT-NV",
    "Nghị định 43/2024/NĐ-CP",
    "43/2024/ND-CP",
]


@pytest.mark.parametrize("number", GOOD)
def test_good_numbers_pass(number):
    assert number_problem(number) is None


@pytest.mark.parametrize("number", BAD)
def test_bad_numbers_are_flagged(number):
    assert number_problem(number)


def test_issuers_are_cut_where_they_end():
    assert cut_issuer("NĐ-CPLuật") == "NĐ-CP"
    assert cut_issuer("QH1360", "60") == "QH13"
    assert cut_issuer("TT-BTC80") == "TT-BTC"
    assert cut_issuer("NĐ-CP-Q", after="uy định") == "NĐ-CP"
    assert cut_issuer("QĐ-NHNN792", "92") == "QĐ-NHNN7"
    assert cut_issuer("QĐ-NHNN21", "21") == "QĐ-NHNN"
    assert cut_issuer("NĐ-CL", after="uật") == "NĐ-C"


def test_glued_fragments_in_free_text():
    assert glued_fragments("Luật số 43/2024/QH15 ngày 29/6/202443/2024/QH15")
    assert glued_fragments("thuộc phạm vi quản lý của Bộ Tư pháp18/2026/NĐ-CP Nghị định")
    assert glued_fragments("Luật 60/2014/QH1360/2014/QH13")
    assert glued_fragments("theo Nghị định số 23/2026/NĐ-CPMẫu số 01.docx")
    assert glued_fragments("ngày 15/5/2026.55/2026/TT-BTC")
    # not glued: legal numbers in ordinary prose, form codes, departments, dates
    assert glued_fragments("Miễn phí theo Nghị định số 43/2024/NĐ-CP ngày 20/12/2024.") == []
    assert glued_fragments("Tờ khai (Mẫu số 02/2025/LLTP), mẫu số 01/TBH-TB ban hành kèm theo") == []
    assert glued_fragments("Quyết định 885/QĐ-BCA-C06; Nghị quyết 66.7/2025/NQ-CP") == []


def test_unglue_only_adds_spaces_around_valid_numbers():
    assert unglue("theo Nghị định151/2024/NĐ-CP ngày") == "theo Nghị định 151/2024/NĐ-CP ngày"
    assert unglue("Nghị định số 23/2026/NĐ-CPMẫu số 01.docx") == "Nghị định số 23/2026/NĐ-CP Mẫu số 01.docx"
    assert unglue("Thông tư số 01/2026/TT-BNNMTT ngày") == "Thông tư số 01/2026/TT-BNNMTT ngày"
    assert unglue("Mẫu số 02/2025/LLTP") == "Mẫu số 02/2025/LLTP"


def _proc(refs, fee=""):
    return Procedure(code="1.000001", title="Thủ tục thử", levels=["commune"], source="portal",
                     source_url="https://dichvucong.gov.vn/x", legal_basis=refs,
                     channels=[Channel(channel="Trực tiếp", fee=fee)])


def test_validator_reports_code_field_and_value():
    good = _proc([LegalRef(title="Luật Hộ tịch", number="60/2014/QH13"), LegalRef(title="Không số")],
                 fee="Miễn phí (Thông tư số 85/2019/TT-BTC)")
    assert legal_number_problems([good]) == []
    bad = _proc([LegalRef(title="Luật 60/2014/QH", number="1360/2014/QH13"),
                 LegalRef(title="Luật số 43/2024/QH15 ngày 29/6/202443/2024/QH15", number="43/2024/QH15")],
                fee="Lệ phí theo Bộ Tư pháp18/2026/NĐ-CP")
    problems = legal_number_problems([bad])
    assert ("1.000001", "legal_basis[0].number", "1360/2014/QH13") in problems
    assert {field for _, field, _ in problems} == {
        "legal_basis[0].number", "legal_basis[1].title", "channels[0].fee",
    }
