"""The committed knowledge base itself: every file validates, and the registries are complete."""

import csv

from bot.settings import ROOT
from bot.text import canonical
from ingest.files import load_procedure
from ingest.pipeline import load_knowledge

KNOWLEDGE = ROOT / "knowledge"


def test_every_committed_knowledge_file_validates():
    loaded, errors = load_knowledge(KNOWLEDGE)
    assert errors == []
    codes = {x.item.code for x in loaded}
    assert len([c for c in codes if not c.startswith(("guide-", "A."))]) == 2642
    assert {"A.BYT.001", "A.BYT.002", "A.BYT.003", "A.BNV.001", "A.BQP.001"} <= codes
    assert {"guide-chinh-quyen-hai-cap", "guide-nop-truc-tuyen-vneid", "guide-lien-thong-tre-em-va-khai-tu"} <= codes


def test_authored_procedures_cite_articles():
    for code in ("A.BYT.001", "A.BYT.002", "A.BYT.003", "A.BNV.001", "A.BQP.001"):
        proc = load_procedure(KNOWLEDGE / "procedures" / f"{code}.md").item
        assert proc.source == "authored"
        assert proc.is_commune
        assert any(ref.article.startswith("Điều") or "Điều" in ref.article for ref in proc.legal_basis), code
    allowance = load_procedure(KNOWLEDGE / "procedures" / "A.BYT.001.md").item
    assert "20/2021/NĐ-CP" in [r.number for r in allowance.legal_basis]


def test_commune_registry():
    rows = list(csv.DictReader((KNOWLEDGE / "communes.csv").open(encoding="utf-8")))
    assert len(rows) == 3321
    by_name = {canonical(r["ward_name"]): r for r in rows if r["province_code"] == "48"}
    hoa_vang = by_name[canonical("Xã Hoà Vang")]  # old-style tone mark still finds it
    assert hoa_vang["ward_code"] == "20320"
    assert "Hòa Phong" in hoa_vang["merged_from_text"]
    provinces = list(csv.DictReader((KNOWLEDGE / "provinces.csv").open(encoding="utf-8")))
    assert len(provinces) == 34
