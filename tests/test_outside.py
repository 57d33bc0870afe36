"""Out-of-scope examples (knowledge/out_of_scope.yaml): validated and embedded by ingest, and a question nearer an
example than any procedure's citizen phrasing is refused, with a real embedder and real Chroma."""

import shutil

import pytest

from bot.assistant import Assistant
from bot.search.retrieval import OUTSIDE_CODE
from bot.search.vectors import build_store
from bot.settings import Settings
from ingest.pipeline import ingest

CODES = ("1.001193", "1.000894", "1.004194")  # birth, marriage, temporary residence
EXAMPLES = ["xin visa du lịch Mỹ cần giấy tờ gì", "giá vàng hôm nay bao nhiêu", "cách nấu phở bò ngon",
            "bằng lái xe của Đức đổi ở Đức thế nào", "how to apply for a Korean work visa"]


def write_examples(kb, examples) -> None:
    lines = "\n".join(f'  - "{e}"' for e in examples)
    (kb / "out_of_scope.yaml").write_text(f"source: authored\nexamples:\n{lines}\n", encoding="utf-8")


@pytest.fixture()
def outside_kb(tmp_path, kb_dir, embedder):
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    (kb / "guides").mkdir()
    for code in CODES:
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    for name in ("communes.csv", "lexicon.yaml", "refusals.yaml"):
        shutil.copy(kb_dir / name, kb / name)
    write_examples(kb, EXAMPLES)
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var", collection="outside")
    store = build_store(settings, embedder)
    return settings, store


def test_a_question_like_an_example_is_refused_and_a_procedure_question_is_not(outside_kb, embedder):
    settings, store = outside_kb
    report = ingest(settings.knowledge_dir, settings.index_dir, store, embedder)
    assert not report.errors, report.errors
    retriever = Assistant.build(settings, embedder=embedder, store=store).retriever
    visa = retriever.search("làm visa đi Mỹ du lịch cần những giấy tờ gì")
    assert not visa.in_scope and visa.reason == "out_of_scope_example" and visa.results == []
    gold = retriever.search("gia vang hom nay")
    assert not gold.in_scope
    birth = retriever.search("làm giấy khai sinh cho con cần gì")
    assert birth.in_scope and birth.results[0].code == "1.001193"
    residence = retriever.search("đăng ký tạm trú ở đâu")
    assert residence.in_scope and residence.results[0].code == "1.004194"


def test_examples_are_validated_and_follow_the_file(outside_kb, embedder):
    settings, store = outside_kb
    kb = settings.knowledge_dir
    ingest(kb, settings.index_dir, store, embedder)
    stored = [m for m in store.all_metadata().values() if m.get("code") == OUTSIDE_CODE]
    assert len(stored) == len(EXAMPLES) and {m["kind"] for m in stored} == {"question"}
    assert ingest(kb, settings.index_dir, store, embedder).embedded_files == 0  # nothing changed: nothing embedded

    write_examples(kb, [*EXAMPLES, "gọi tôi số 0912 345 678 nhé"])
    report = ingest(kb, settings.index_dir, store, embedder)
    assert any("out_of_scope.yaml: examples[5]" in e and "personal data" in e for e in report.errors), report.errors
    assert sum(m.get("code") == OUTSIDE_CODE for m in store.all_metadata().values()) == len(EXAMPLES)  # kept

    write_examples(kb, [*EXAMPLES, "Giá vàng hôm nay bao nhiêu"])
    report = ingest(kb, settings.index_dir, store, embedder)
    assert any("repeats examples[1]" in e for e in report.errors), report.errors

    (kb / "out_of_scope.yaml").unlink()  # no file: the examples leave the store
    report = ingest(kb, settings.index_dir, store, embedder)
    assert not report.errors and not any(m.get("code") == OUTSIDE_CODE for m in store.all_metadata().values())
